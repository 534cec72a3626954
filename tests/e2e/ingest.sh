#!/bin/sh
# End to end on the bundled samples with real Tesseract and a real SQLite
# archive: every document archived with its page count and type, the
# recognised words of the ground truth present, searches that hit
# (diacritic- and ł-insensitive), duplicates, show/cat/text/stats.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/samples"
TRUTH="$FIX/truth.tsv"
truth() { # file key -> values, one per line
	awk -F '\t' -v f="$1" -v k="$2" '$1 == f && $2 == k { print $3 }' "$TRUTH"
}

run init
run ingest --json "$S"
expect_rc 0 "ingest of the samples"
printf '%s\n' "$OUT" >"$WORK/ingest.jsonl"
jq -e . "$WORK/ingest.jsonl" >/dev/null 2>&1 && pass || fail "ingest --json lines are JSON"
expect_eq "$(jq -r .status "$WORK/ingest.jsonl" | sort -u | tr '\n' ' ')" "archived " "all archived"
[ -z "$ERR" ] && pass || fail "no progress output when stderr is not a TTY: $ERR"

# every document of the ground truth: one JSON line with its pages; its
# distinctive words recognised; its type
docs=$(awk -F '\t' '$2 == "pages" { print $1 }' "$TRUTH")
ndocs=$(printf '%s\n' "$docs" | wc -l)
expect_eq "$(wc -l <"$WORK/ingest.jsonl")" "$ndocs" "one line per document"
for f in $docs; do
	line=$(jq -c --arg p "$S/$f" 'select(.path == $p)' "$WORK/ingest.jsonl")
	if [ -z "$line" ]; then
		fail "$f: not in the ingest output"
		continue
	fi
	pass
	id=$(printf '%s' "$line" | jq -r .id)
	expect_eq "$(printf '%s' "$line" | jq -r .pages)" "$(truth "$f" pages)" "$f pages"
	expect_eq "$(printf '%s' "$line" | jq -r .sha256 | wc -c)" 65 "$f sha256"
	expect_eq "$(printf '%s' "$line" | jq -r .doc_type)" "$(truth "$f" kind)" "$f doc_type"
	"$FOLIO" text "$id" >"$WORK/text"
	truth "$f" word | while IFS= read -r w; do
		if grep -qF -- "$w" "$WORK/text"; then echo pass; else echo "fail $f: '$w' not recognised"; fi
	done >"$WORK/words"
	n_ok=$(grep -c '^pass' "$WORK/words")
	n_words=$(truth "$f" word | wc -l)
	T_PASS=$((T_PASS + n_ok))
	if [ "$n_ok" -ne "$n_words" ]; then
		grep '^fail' "$WORK/words" | sed 's/^fail /not ok: /'
		T_FAIL=$((T_FAIL + n_words - n_ok))
	fi
done

# the text PDF and the scan of the same paper: near-duplicates
n=$(jq -r 'select(.status == "archived" and ((.reason // "") | startswith("possible duplicate of document")))' \
	"$WORK/ingest.jsonl" | jq -s length)
expect_eq "$n" 5 "each sample's scan and PDF found as near-duplicates"
run search --count 'is:duplicate'
expect_eq "$OUT" 5 "is:duplicate"
did=$(jq -r 'select((.reason // "") | startswith("possible duplicate")) | .id' "$WORK/ingest.jsonl" | head -n 1)
run show --json "$did"
expect_out '"possible_duplicate_of":[0-9]+' "show names the older document"
run search --count 'is:duplicate type:form'
expect_eq "$OUT" 1 "is:duplicate with another filter"

# archive entries carry the archive's name as a tag
zid=$(jq -r --arg p "$S/scans.zip!/pl-invoice-005-scan.png" 'select(.path == $p) | .id' "$WORK/ingest.jsonl")
run show --json "$zid"
expect_out '"tags":\["scans.zip"\]' "zip entry tagged with the zip's name"

# search: ranked, highlighted, diacritics- and ł-insensitive
run search --json lodz
expect_rc 0 "search lodz"
expect_out '"snippet":".*\[Łódź\]' "lodz finds Łódź, highlighted"
jq -e . "$WORK/out" >/dev/null 2>&1 && pass || fail "search --json lines are JSON"
run search --json 'zaplaty'
expect_out '\[zapłaty\]' "zaplaty finds zapłaty"
run search --json 'ŁÓDŹ'
expect_out 'Łódź' "upper-case query"
run search --json '"base imponible"'
expect_out '"title":"(Factura|es-invoice)' "phrase search"
run search --json --limit 2 'invoice OR faktura OR factura OR fattura OR fatura'
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2 "--limit"
run search --json 'factura'
first=$(printf '%s\n' "$OUT" | head -n 1 | jq -r .score)
last=$(printf '%s\n' "$OUT" | tail -n 1 | jq -r .score)
[ "$(echo "$first >= $last" | bc)" = 1 ] && pass || fail "scores descend ($first, $last)"
run search 'Guadalquivir'
expect_rc 0 "plain search"
expect_out '\[Guadalquivir\]' "plain output highlights with brackets when not a TTY"
# filters, counting, paging, CSV
run search --count 'type:form'
expect_eq "$OUT" 3 "type:form count (two forms and a form scan in the zip)"
run search --json 'type:form'
expect_eq "$(printf '%s\n' "$OUT" | jq -r .doc_type | sort -u)" form "filter-only listing"
run search --count 'tag:scans.zip'
expect_eq "$OUT" 3 "tag filter"
run search --count 'mime:image lodz'
expect_eq "$OUT" 1 "mime prefix filter with words (the scan)"
run search --count 'mime:application/pdf lodz'
expect_eq "$OUT" 1 "full mime filter with words (the text PDF)"
run search --count "added:$(date -u +%Y)"
expect_eq "$OUT" "$ndocs" "added: this year"
run search --count 'added:1999..2000'
expect_eq "$OUT" 0 "added: a range without documents"
run search --json --limit 2 --offset 2 'faktura OR factura OR fattura OR fatura'
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2 "--offset page"
run search --json 'faktura OR factura OR fattura OR fatura'
all=$(printf '%s\n' "$OUT" | jq -r .id | sed -n '3,4p' | tr '\n' ' ')
run search --json --limit 2 --offset 2 'faktura OR factura OR fattura OR fatura'
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id | tr '\n' ' ')" "$all" "offset pages the same order"
run search --csv --limit 1 Guadalquivir
expect_out '^id,score,added,type,title,snippet' "CSV header"
expect_out '^[0-9]+,[0-9.e-]+,"[0-9T:-]+Z","invoice",' "CSV row"
run search --count 0147
expect_eq "$OUT" 2 "invoice number part as a substring (PDF and its scan)"
run search --count 'faktura 2024/03/0147'
expect_eq "$OUT" 2 "words and a number"
run search --sort date --json 'type:invoice'
expect_rc 0 "--sort date"
run search --sort size x
expect_rc 2 "bad --sort"
run search 'tpye:invoice'
expect_rc 2 "a mistyped filter"
expect_err "unknown filter 'tpye:' in 'tpye:invoice'; did you mean 'type:'\?" \
	"a mistyped filter names the word and the fix"
run search --count 'zork:1'
expect_rc 0 "a word: close to no filter is text"
run search --count 'frob:1'
expect_rc 2 "frob: is close to e-mail's from: now"
expect_err "did you mean 'from:'\?"
run search 'added:2024-13'
expect_rc 2 "bad date"
expect_err "'2024-13' is not a date"
run search --json --csv x
expect_rc 2 "--json and --csv together"

# on a terminal: a table (id, date, type, vendor/title, total, match)
if command -v script >/dev/null 2>&1; then
	script -q -c "stty cols 120; '$FOLIO' search --limit 2 Guadalquivir" "$WORK/tty.log" >/dev/null 2>&1
	sed 's/\x1b\[[0-9;]*m//g' "$WORK/tty.log" >"$WORK/tty.txt"
	grep -q '^ID  *DATE  *TYPE  *VENDOR / TITLE  *TOTAL  *MATCH' "$WORK/tty.txt" && pass ||
		fail "TTY table header: $(cat "$WORK/tty.txt")"
	grep -Eq '^[0-9]+ +[0-9]{4}-[0-9]{2}-[0-9]{2} invoice ' "$WORK/tty.txt" && pass ||
		fail "TTY table row"
fi

# no hit is exit 1, as grep (a contract change: see README "Changes"),
# with nothing on stdout and no error message
run search 'nosuchwordanywhere'
expect_rc 1 "no hit: exit 1"
expect_eq "$OUT$ERR" "" "no hit prints nothing off a terminal"
expect_eq "$OUT" "" "no hits, no output"

# show: metadata, per-page information, the fields structure, the text
pid=$(jq -r --arg p "$S/pt-invoice-003-multipage-scan.tif" 'select(.path == $p) | .id' "$WORK/ingest.jsonl")
run show --json "$pid"
expect_rc 0 "show --json"
printf '%s' "$OUT" >"$WORK/show.json"
expect_eq "$(jq -r '.mime' "$WORK/show.json")" "image/tiff" "show mime"
expect_eq "$(jq -r '.pages' "$WORK/show.json")" 3 "show pages"
expect_eq "$(jq -r '.status' "$WORK/show.json")" archived "show status"
expect_eq "$(jq -r '.page_info | length' "$WORK/show.json")" 3 "page_info per page"
expect_eq "$(jq -r '.page_info[0].source' "$WORK/show.json")" ocr "page source"
expect_eq "$(jq -r '.page_info[0].dpi' "$WORK/show.json")" 300 "page dpi"
expect_eq "$(jq -r '.fields | type' "$WORK/show.json")" object "fields object present"
jq -e '.text | test("Fatura")' "$WORK/show.json" >/dev/null && pass || fail "show text"
jq -e '.page_info[0].words > 50 and .page_info[0].confidence > 0.6' "$WORK/show.json" >/dev/null &&
	pass || fail "OCR words and confidence"
tid=$(jq -r --arg p "$S/pl-invoice-001.pdf" 'select(.path == $p) | .id' "$WORK/ingest.jsonl")
run show --json "$tid"
expect_out '"source":"text"' "text-layer page"
expect_out '"title":"Faktura VAT' "PDF title"
run show "$tid"
expect_rc 0 "show (text)"
expect_out '^type: +invoice' "show type"
expect_out '^fields:' "show fields section"

# cat: the original bytes, exactly
run cat "$tid"
"$FOLIO" cat "$tid" | cmp -s - "$S/pl-invoice-001.pdf" && pass || fail "cat returns the original"
zid2=$(jq -r --arg p "$S/scans.zip!/it-form-002-scan.png" 'select(.path == $p) | .id' "$WORK/ingest.jsonl")
unzip -p "$S/scans.zip" it-form-002-scan.png >"$WORK/entry.png"
"$FOLIO" cat "$zid2" | cmp -s - "$WORK/entry.png" && pass || fail "cat returns a zip entry's bytes"

# duplicates: same bytes again under another name, from another folder
mkdir -p "$WORK/again"
cp "$S/pl-invoice-001.pdf" "$WORK/again/copy.pdf"
cp "$S/it-invoice-004-scan.png" "$WORK/again/copy.png"
blobs=$(find "$FOLIO_ARCHIVE/store" -type f | wc -l)
run ingest --json "$WORK/again"
expect_rc 0 "duplicates exit 0"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .status | sort -u)" duplicate "both duplicates"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("copy.pdf")) | .id')" "$tid" "duplicate names the original"
expect_eq "$(find "$FOLIO_ARCHIVE/store" -type f | wc -l)" "$blobs" "duplicates stored once"
run ingest "$WORK/again/copy.pdf" "$WORK/again/copy.pdf"
expect_out "^duplicate +$tid " "plain duplicate line"

# one long document is shared among workers; pages come back in order
run --archive "$WORK/multi" ingest --workers 3 "$S/pt-invoice-003-multipage-scan.tif"
expect_rc 0 "multi-page scan with 3 workers"
"$FOLIO" --archive "$WORK/multi" text 1 >"$WORK/pages"
for i in 1 2 3; do
	awk -v RS='\f' -v n="$i" 'NR == n' "$WORK/pages" >"$WORK/page$i"
	# the footer "Página N de 3" as OCR reads it ("1 de 3", "1lde3")
	grep -Eq "gina *$i[ l|]*de *3" "$WORK/page$i" && pass || fail "page $i is in place $i"
done
grep -q "Data de emiss" "$WORK/page1" && pass || fail "page 1 header on page 1"
grep -q "Transporte: 11" "$WORK/page3" && pass || fail "page 3 carry-over on page 3"
run --archive "$WORK/multi" show --json 1
expect_eq "$(printf '%s' "$OUT" | jq -r '[.page_info[].number | tostring] | join(",")')" \
	"1,2,3" "page numbers"

# tags by hand
run tag "$tid" +paid +2024-q1 -nosuch
expect_rc 0 "tag"
expect_eq "$OUT" "2024-q1 paid" "tags after tagging"
run tag "$tid" -paid
expect_eq "$OUT" "2024-q1" "tag removed"
run search --count 'tag:2024-q1'
expect_eq "$OUT" 1 "hand tag searchable"
run tag "$tid" '+two words'
expect_rc 2 "a tag with a space"
run tag "$tid" plain
expect_rc 2 "a tag without + or -"
run tag 9999 +x
expect_rc 1 "tag on a missing document"
run --help
expect_out '^  tag ' "tag in --help"

# retype: a correction by hand
run retype "$tid" credit_note
expect_rc 0 "retype"
run show --json "$tid"
expect_out '"doc_type":"credit_note","type_confidence":1.000,"type_reason":"user"' "retyped"
run search --count 'type:credit_note'
expect_eq "$OUT" 1 "retyped document found by type"
run retype "$tid" invoice
run retype "$tid" bill
expect_rc 2 "unknown type"
expect_err "'bill' is not a document type"
run retype 9999 invoice
expect_rc 1 "retype a missing document"

# tag rules from config
printf 'fuel  orlen|repsol\nlodz  lodz\n' >"$WORK/tags.rules"
printf 'tag_rules = %s\n' "$WORK/tags.rules" >"$WORK/tags.conf"
printf 'Paragon ORLEN stacja 4411 Łódź\n' >"$WORK/receipt.txt"
run --archive "$WORK/tagarc" --config "$WORK/tags.conf" ingest --json "$WORK/receipt.txt"
rid=$(printf '%s' "$OUT" | jq -r .id)
run --archive "$WORK/tagarc" show --json "$rid"
expect_out '"tags":\["fuel","lodz"\]' "tags from rules"
printf 'fuel (orlen\n' >"$WORK/tags.rules"
run --archive "$WORK/tagarc" --config "$WORK/tags.conf" ingest "$WORK/receipt.txt"
expect_rc 1 "a bad tag rule stops the run"
expect_err "tags.rules:1: bad expression"

# open: a private copy of the original
run open --print "$tid"
expect_rc 0 "open --print"
cmp -s "$OUT" "$S/pl-invoice-001.pdf" && pass || fail "open copies the original"
[ "$(stat -c %a "$OUT")" = 600 ] && pass || fail "open's copy is private"
rm -f "$OUT"

# stats
run stats --json
expect_rc 0 "stats"
printf '%s' "$OUT" >"$WORK/stats.json"
expect_eq "$(jq -r .documents "$WORK/stats.json")" "$ndocs" "stats documents"
expect_eq "$(jq -r .duplicates "$WORK/stats.json")" 4 "stats duplicate events"
jq -e '.by_type.invoice.documents >= 9 and .by_type.form.documents >= 2' "$WORK/stats.json" >/dev/null &&
	pass || fail "stats by type: $(jq -c .by_type "$WORK/stats.json")"
jq -e '.pages > 12 and .bytes > 1000000' "$WORK/stats.json" >/dev/null && pass || fail "stats totals"
run stats
expect_out '^documents: +[0-9]+ ' "stats text"

finish
