#!/bin/sh
# Hostile and unlucky conditions, each once a reproduced failure: two
# ingests of the same bytes at once, searches and exports with no hit
# (qsort of nothing under UBSan), a read-only archive, text that libmagic
# takes for something else, XML with absurd attribute counts, archives
# with too many entries, a split batch's original.
. "$(dirname "$0")/../e2e_lib.sh"

run init
expect_rc 0 "init"

# --- two ingests of the same bytes at once: the database decides --------
# 50 rounds of 6 new files, each round ingested by two processes at once:
# every file is archived once and reported once as a duplicate, never a
# quarantine with SQL text.
mkdir -p "$WORK/race"
bad=0
i=0
while [ $i -lt 50 ]; do
	rm -f "$WORK/race"/*
	for k in 1 2 3 4 5 6; do
		printf 'Round %d receipt %d\nAmount %d.%02d EUR\n' $i $k $i $k >"$WORK/race/r$k.txt"
	done
	"$FOLIO" ingest --json "$WORK/race" >"$WORK/race1.json" 2>&1 &
	p1=$!
	"$FOLIO" ingest --json "$WORK/race" >"$WORK/race2.json" 2>&1
	r2=$?
	wait $p1
	r1=$?
	s=$(cat "$WORK/race1.json" "$WORK/race2.json" | jq -r .status | sort | uniq -c | tr -s ' ' | tr '\n' ';')
	if [ "$r1" -ne 0 ] || [ "$r2" -ne 0 ] || [ "$s" != " 6 archived; 6 duplicate;" ]; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "race round $i: exit $r1/$r2, $s $(cat "$WORK/race1.json" "$WORK/race2.json" | jq -r 'select(.status == "quarantined") | .reason' | head -3)"
	fi
	i=$((i + 1))
done
expect_eq "$bad" 0 "concurrent ingests of the same bytes: rounds with anything but archived + duplicate"
# the duplicate names the first document
id=$(jq -r 'select(.status == "duplicate") | .id' "$WORK/race1.json" "$WORK/race2.json" | head -1)
case "$id" in ''|null|0) fail "duplicate carries the first document's id: '$id'" ;; *) pass ;; esac
run stats --json
expect_out '"documents":300,' "300 distinct documents after the races"
run verify
expect_rc 0 "verify after the races"

# --- empty results (qsort(NULL, 0) aborted the UBSan build) ------------
# (exit 1 is "no hit", grep's contract; an abort would be 134 or so)
run search --sort date zzqqxxnothing
expect_rc 1 "search --sort date with no hit"
expect_eq "$ERR" "" "no sanitizer report"
run search --sort total zzqqxxnothing
expect_rc 1 "search --sort total with no hit"
run search --json --sort date 'type:invoice zzqqxxnothing'
expect_rc 1 "search --json with a filter and no hit"
expect_eq "$OUT$ERR" "" "nothing printed"
run export --to csv --out "$WORK/none.csv" zzqqxxnothing
expect_rc 0 "export of a query with no hit"
run export --to jsonl --out - zzqqxxnothing
expect_rc 0 "export to stdout with no hit"

# --- verify on a read-only archive ---------------------------------------
# a read-only bind mount in a private mount namespace: root ignores file
# modes, a mount it cannot ignore
ro() { # command... run in a namespace where the archive is read-only
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		sh "$FOLIO_ARCHIVE" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}
ro "$FOLIO" verify
expect_rc 0 "verify of a read-only archive"
expect_out "archive ok: .*read-only: the full-text index was not checked" "verify says what it could not check"
expect_err "note: the archive is read-only to this user" "verify notes the read-only archive"
ro "$FOLIO" search --count Round
expect_rc 0 "search of a read-only archive"
expect_out "^300$" "search of a read-only archive finds the documents"
ro "$FOLIO" ingest "$WORK/race/r1.txt"
expect_rc 1 "ingest into a read-only archive fails"
# a damaged original is still found read-only
blob=$(find "$FOLIO_ARCHIVE/store" -type f | head -1)
cp "$blob" "$WORK/blob.bak"
chmod u+w "$blob"
printf 'x' >>"$blob"
ro "$FOLIO" verify
expect_rc 1 "read-only verify finds a damaged original"
expect_out "problem: document [0-9]+: original is [0-9]+ bytes" "read-only verify names the damage"
cp "$WORK/blob.bak" "$blob"
run verify
expect_rc 0 "verify after the repair"

# --- XML with absurd attribute counts: refused before libxml2 sees it ----
# (50,000 attributes took 13 s inside the parser, 200,000 over 5 minutes)
awk 'BEGIN { printf "<?xml version=\"1.0\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">\n<ID";
	for (i = 0; i < 200000; i++) printf " a%d=\"x\"", i; print ">1</ID></Invoice>" }' >"$WORK/attrs.xml"
t0=$(date +%s)
run ingest --json "$WORK/attrs.xml"
t1=$(date +%s)
expect_rc 1 "200,000-attribute XML is quarantined"
expect_out '"reason":"XML line 3: an element has more than 256 attributes' "the reason names the line and the limit"
[ $((t1 - t0)) -lt 60 ] && pass || fail "200,000 attributes held ingest for $((t1 - t0)) s"
# deep nesting, likewise; an ordinary e-invoice with many attributes is fine
awk 'BEGIN { print "<?xml version=\"1.0\"?>"; for (i = 0; i < 300; i++) printf "<a>"; for (i = 0; i < 300; i++) printf "</a>"; print "" }' >"$WORK/deep.xml"
run ingest --json "$WORK/deep.xml"
expect_out '"reason":"XML line 2: elements nested more than 256 deep' "deep XML refused with its reason"

# --- text that libmagic takes for something else ------------------------
printf 'PAYMENT MODE: CASH\nTOTAL 12.50 EUR\nTHANK YOU\n' >"$WORK/pa.txt"      # HP-GL to libmagic
printf 'PA PB PC\n' >"$WORK/plot.txt"
printf '<GST> 23%%\nTotal 12.50\n' >"$WORK/gst.txt"                              # a "tag", no XML
printf '<?xml version="1.0"?>\n<Invoice>\n<ID>1</Invoice>\n' >"$WORK/broken.xml"  # says it is XML
printf 'Rechnung M\374ller\nSumme 100,00 \200\n' >"$WORK/cp1252.txt"              # legacy 8-bit text
printf '\001\002\003\004binary\005\006\007\010\016\017\020\021' >"$WORK/ctl.bin"
run ingest --json "$WORK/pa.txt" "$WORK/plot.txt" "$WORK/gst.txt" "$WORK/broken.xml" "$WORK/cp1252.txt" "$WORK/ctl.bin"
st() { printf '%s\n' "$OUT" | jq -r --arg p "$WORK/$1" 'select(.path == $p) | .status + " " + (.reason // "")'; }
expect_eq "$(st pa.txt)" "archived " "text starting with PA is text"
expect_eq "$(st plot.txt)" "archived " "HP-GL-looking text is text"
expect_eq "$(st gst.txt)" "archived " "text starting with a tag is text"
case "$(st broken.xml)" in "quarantined malformed XML: line 3"*) pass ;; *) fail "declared XML that does not parse: $(st broken.xml)" ;; esac
expect_eq "$(st cp1252.txt)" "archived " "legacy 8-bit text"
case "$(st ctl.bin)" in quarantined*) pass ;; *) fail "control bytes are no text: $(st ctl.bin)" ;; esac
id=$(printf '%s\n' "$OUT" | jq -r --arg p "$WORK/pa.txt" 'select(.path == $p) | .id')
run show --json "$id"
expect_out '"mime":"text/plain"' "text read as text is recorded as text/plain"
run search --count '"PAYMENT MODE"'
expect_out '^1$' "the text is searchable"

# --- archives: entry counts from the directory, bombs named as bombs ----
python3 - "$WORK/many.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for i in range(10001):
        z.writestr("f%05d.txt" % i, "entry %d\n" % i)
PY
t0=$(date +%s)
run ingest --json "$WORK/many.zip"
t1=$(date +%s)
expect_out '"reason":"archive has more than max_archive_entries = 10000 entries \(its directory lists 10001\)"' "10,001-entry ZIP refused from its directory"
[ $((t1 - t0)) -lt 20 ] && pass || fail "10,001-entry ZIP took $((t1 - t0)) s to refuse"
head -c 1073741824 /dev/zero | gzip -1 >"$WORK/zeros.gz"
run ingest --json "$WORK/zeros.gz"
expect_out '"reason":"archive expands beyond max_archive_ratio' "a gzip of 1 GiB of zeros is a bomb, not 'no files'"
tar -czf "$WORK/empty.tar.gz" -T /dev/null
run ingest --json "$WORK/empty.tar.gz"
expect_out '"reason":"archive contains no files"' "an empty tar.gz holds no files"

# --- export to a stream --------------------------------------------------
run ingest "$FIX/invoices/pl-01-invoice.pdf"
"$FOLIO" export --to csv --include-review --out /dev/stdout >"$WORK/stdout.csv" 2>"$WORK/err"
RC=$?
expect_rc 0 "export --out /dev/stdout into a redirected file"
grep -q "FV/2024/03/0147" "$WORK/stdout.csv" && pass || fail "export to /dev/stdout wrote the invoice: $(head -c 300 "$WORK/stdout.csv")"
run export --to jsonl --include-review --out /dev/null
expect_rc 0 "export --out /dev/null (a character device)"
expect_err "exported [0-9]+ invoices? to jsonl as batch [0-9]+: /dev/null" "the summary names the device"
mkfifo "$WORK/fifo"
(timeout 60 cat "$WORK/fifo" >"$WORK/fifo.out") &
reader=$!
run export --again 1 --out "$WORK/fifo"
expect_rc 0 "export --again into a FIFO"
wait $reader
grep -q "FV/2024/03/0147" "$WORK/fifo.out" && pass || fail "the FIFO's reader got batch 1 again"
echo x >"$WORK/taken.csv"
run export --to csv --include-review --force --out "$WORK/taken.csv"
expect_rc 2 "an existing regular file is still never overwritten"

# qsort(NULL, 0) is undefined: every sort goes through folio_sort()
n=$(grep -rn '\bqsort(' "$ROOT/src" | grep -v 'src/util/' | wc -l)
expect_eq "$n" 0 "qsort called outside folio_sort: $(grep -rln '\bqsort(' "$ROOT/src" | tr '\n' ' ')"

finish
