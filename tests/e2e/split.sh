#!/bin/sh
# Batch splitting: one scan of several papers with separator sheets
# becomes one document per paper, each with its own original; separator
# sheets belong to none; split_barcode and split_blank configure it.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/samples/pt-invoice-003-multipage-scan.tif"
I="$FIX/invoices"
zint -b 20 -d "PATCHT" --height=60 --scale=4 -o "$WORK/sep.tif" >/dev/null
zint -b 20 -d "FOLIO-SEP" --height=60 --scale=4 -o "$WORK/sep.png" >/dev/null
mutool convert -o "$WORK/sep.pdf" "$WORK/sep.png" >/dev/null 2>&1
# TIFF: page 1, separator, pages 2 and 3
tiffcp "$S,0" "$WORK/sep.tif" "$S,1,2" "$WORK/batch.tif"
# PDF: two text-layer invoices and a scan page, separated
mutool merge -o "$WORK/batch.pdf" "$I/pl-01-invoice.pdf" "$WORK/sep.pdf" \
	"$I/es-01-invoice.pdf" "$WORK/sep.pdf" "$I/it-01-invoice.pdf" >/dev/null 2>&1
pages() { tiffinfo "$1" 2>/dev/null | grep -c 'TIFF Directory'; }
expect_eq "$(pages "$WORK/batch.tif")" 4 "the TIFF batch has 4 pages"

run ingest --json "$WORK/batch.tif"
expect_rc 0 "ingest a TIFF batch"
expect_eq "$(printf '%s\n' "$OUT" | jq -s length)" 2 "two documents"
# parts are read in parallel: order by name
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r 'sort_by(.path) | .[].pages' | tr '\n' ' ')" "1 2 " \
	"with 1 and 2 pages"
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r 'sort_by(.path) | .[].path' | tr '\n' ' ')" \
	"$WORK/batch.tif#1 $WORK/batch.tif#2 " "named after the batch"
A=$(printf '%s\n' "$OUT" | jq -r 'select(.pages == 1) | .id')
B=$(printf '%s\n' "$OUT" | jq -r 'select(.pages == 2) | .id')
"$FOLIO" cat "$B" >"$WORK/b.tif"
expect_eq "$(pages "$WORK/b.tif")" 2 "the second part's original has its 2 pages"
"$FOLIO" cat "$A" >"$WORK/a.tif"
expect_eq "$(pages "$WORK/a.tif")" 1 "the first part's original has 1 page"
"$FOLIO" text "$A" | grep -q "Data de emiss" && pass || fail "part 1 is the first page"
"$FOLIO" text "$B" | grep -q "A transportar\|Transporte" && pass || fail "part 2 is pages 2-3"
"$FOLIO" text "$B" | grep -q PATCHT && fail "the separator is in a document" || pass
run stats --json
expect_eq "$(printf '%s' "$OUT" | jq -r .documents)" 2 "the batch itself is not a document"
# ... but the scanner's own bytes are kept: named by each part, given back
# by cat --source, re-hashed by verify
bsha=$(sha256sum "$WORK/batch.tif" | cut -c1-64)
for id in $A $B; do
	expect_eq "$("$FOLIO" show --json "$id" | jq -r .source_sha256)" "$bsha" \
		"part $id names the batch it was cut from"
done
"$FOLIO" show "$A" | grep -q "^cut from:  $bsha" && pass || fail "show names the batch"
"$FOLIO" cat --source "$B" >"$WORK/batch-back.tif"
cmp -s "$WORK/batch.tif" "$WORK/batch-back.tif" && pass || fail "cat --source gives the batch back byte for byte"
run search --count 'PATCHT'
expect_out '^0$' "the batch is not a searchable document of its own"
run verify
expect_rc 0 "verify counts the batch original as known"
blob="$FOLIO_ARCHIVE/store/$(printf '%s' "$bsha" | cut -c1-2)/$(printf '%s' "$bsha" | cut -c3-4)/$bsha"
[ -f "$blob" ] && pass || fail "the batch original is in the store"
cp "$blob" "$WORK/blob.bak"
chmod u+w "$blob"
printf 'x' >>"$blob"
run verify
expect_rc 1 "verify finds a damaged batch original"
expect_out "the batch original changed" "verify names it"
cp "$WORK/blob.bak" "$blob"
run ingest --json "$FIX/invoices/pl-01-invoice.pdf"
P=$(printf '%s\n' "$OUT" | jq -r .id)
run cat --source "$P"
expect_rc 1 "cat --source of a document not cut from a batch"
expect_err "was not cut from a batch" "says why"
expect_eq "$("$FOLIO" show --json "$P" | jq -r .source_sha256)" null "no source_sha256 for a plain document"

run ingest --json "$WORK/batch.pdf"
expect_rc 0 "ingest a PDF batch"
expect_eq "$(printf '%s\n' "$OUT" | jq -s length)" 3 "three invoices"
for f in pl-01 es-01 it-01; do
	num=$(jq -r --arg d "$f-invoice" '.documents[$d].fields.invoice_number' "$I/truth.json")
	printf '%s\n' "$OUT" | jq -r .id | while read -r id; do
		"$FOLIO" show --json "$id" | jq -r .fields.invoice_number.value
	done | grep -qxF "$num" && pass || fail "$f's invoice number in its own document"
done
printf '%s\n' "$OUT" | jq -e 'select(.pages != 1)' >/dev/null && fail "one page each" || pass

# blank pages as separators, when asked for
printf '%%%%MediaBox 0 0 595 842\n' >"$WORK/blank.txt"
mutool create -o "$WORK/blank.pdf" "$WORK/blank.txt" >/dev/null 2>&1
mutool merge -o "$WORK/bb.pdf" "$I/pl-01-invoice.pdf" "$WORK/blank.pdf" "$I/es-01-invoice.pdf" \
	>/dev/null 2>&1
printf 'split_blank = 1\n' >"$WORK/blank.conf"
run --config "$WORK/blank.conf" --archive "$WORK/arc4" ingest --json "$WORK/bb.pdf"
expect_rc 0 "split at a blank page"
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r 'sort_by(.path) | .[].pages' | tr '\n' ' ')" "1 1 " \
	"two one-page documents"
run --archive "$WORK/arc5" ingest --json "$WORK/bb.pdf"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .pages)" 3 "by default a blank page does not split"
run --archive "$WORK/arc5" show --json 1
printf '%s' "$OUT" | jq -e '.page_info[1].blank == true and .page_info[1].words == 0' >/dev/null &&
	pass || fail "the blank page is kept, marked blank, not read"

# off: an empty split_barcode keeps the batch whole
printf 'split_barcode =\n' >"$WORK/off.conf"
run --config "$WORK/off.conf" --archive "$WORK/arc2" ingest --json "$WORK/batch.tif"
expect_rc 0 "splitting off"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .pages)" 4 "one document of 4 pages"
# per inbox: INBOX/.folio.conf overrides splitting and OCR languages
mkdir -p "$WORK/in1" "$WORK/in2"
printf 'split_barcode =\nlanguages = eng\n' >"$WORK/in2/.folio.conf"
cp "$WORK/batch.tif" "$WORK/in1/a.tif"
# the same papers in other bytes (LZW, not G4): the same bytes in both
# inboxes made the result depend on which inbox was read first (the whole
# batch first made the other copy a duplicate of it: 1 document, not 3)
tiffcp -c lzw "$WORK/batch.tif" "$WORK/in2/b.tif"
printf 'settle_ms = 100\n' >"$WORK/w.conf"
run --config "$WORK/w.conf" --archive "$WORK/arc6" watch --once "$WORK/in1" "$WORK/in2"
expect_rc 0 "watch two inboxes"
expect_err "in2 .*with its own .folio.conf" "the inbox's own settings are announced"
n1=$("$FOLIO" --archive "$WORK/arc6" stats --json | jq -r .documents)
expect_eq "$n1" 3 "inbox 1 split (2 documents), inbox 2 kept whole (1)"
whole=$(for id in 1 2 3; do "$FOLIO" --archive "$WORK/arc6" show --json "$id"; done |
	jq -r 'select(.pages == 4) | .id')
[ -n "$whole" ] && pass || fail "the unsplit batch has 4 pages"
# read with eng only: the Portuguese diacritics are gone there
"$FOLIO" --archive "$WORK/arc6" text "$whole" | grep -q "emissão" &&
	fail "inbox 2 read with its own languages (eng)" || pass
for id in 1 2 3; do
	[ "$id" = "$whole" ] && continue
	"$FOLIO" --archive "$WORK/arc6" text "$id"
done | grep -q "emissão" && pass || fail "inbox 1 read with the global languages"
printf 'split_barcode = (\n' >"$WORK/in2/.folio.conf"
run --config "$WORK/w.conf" --archive "$WORK/arc7" watch --once "$WORK/in2"
expect_rc 1 "a bad inbox .folio.conf"
expect_err "in2/.folio.conf: split_barcode" "names the file and key"

printf 'split_barcode = (\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" --archive "$WORK/arc3" ingest "$WORK/batch.tif"
expect_rc 1 "a bad split_barcode"
expect_err "split_barcode" "names the key"
finish
