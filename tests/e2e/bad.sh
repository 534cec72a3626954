#!/bin/sh
# Bad input never crashes folio and never loses the original: each file
# is quarantined with a clear reason, the source is untouched, and nothing
# half-written stays in the archive.
. "$(dirname "$0")/../e2e_lib.sh"

BAD="$FIX/bad"
(cd "$BAD" && sha256sum -- *) >"$WORK/before.sha"

run init
run ingest --json "$BAD"
expect_rc 1 "ingest of bad input exits 1"

# one JSON object per document, each valid
printf '%s\n' "$OUT" >"$WORK/out.jsonl"
if jq -e . "$WORK/out.jsonl" >/dev/null 2>&1; then pass; else fail "ingest --json is not valid JSON lines"; fi

reason() { # file name -> status<TAB>reason from the JSON lines
	jq -r --arg p "$BAD/$1" 'select(.path == $p) | [.status, .reason // ""] | @tsv' "$WORK/out.jsonl"
}
check() { # file, pattern for "status<TAB>reason"
	r=$(reason "$1")
	if printf '%s\n' "$r" | grep -Eq -- "$2"; then pass; else fail "$1: got '$r', expected /$2/"; fi
}
TAB=$(printf '\t')
check empty.pdf "^quarantined${TAB}empty file"
check random.bin "^quarantined${TAB}unsupported file type 'application/octet-stream'"
check truncated.pdf "^quarantined${TAB}(damaged|corrupt) PDF"
check encrypted.pdf "^quarantined${TAB}encrypted PDF: a password is required"
check one-pixel.png "^quarantined${TAB}image page 1 is 1x1 pixels, too small"
check huge-header.png "^quarantined${TAB}image page 1 is 100000x100000 pixels, more than max_page_pixels"
check unsupported.wav "^quarantined${TAB}unsupported file type 'audio/"
check bomb.zip "^quarantined${TAB}archive expands beyond max_archive_(ratio|bytes).*zip bomb"
# the traversal archive: bad entries refused, the good one archived
n=$(jq -r 'select(.path | startswith("'"$BAD"'/traversal.zip!/")) | .status' "$WORK/out.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
expect_eq "$n" " 1 archived; 2 quarantined;" "traversal.zip entries"
jq -r 'select(.status == "quarantined" and (.path | contains("traversal"))) | .reason' "$WORK/out.jsonl" >"$WORK/trav"
grep -q "path traversal in archive entry name '../evil.png'" "$WORK/trav" && pass || fail "traversal reason: $(cat "$WORK/trav")"
grep -q "absolute archive entry name '/abs.png'" "$WORK/trav" && pass || fail "absolute-path reason"
# every quarantined line says at which stage
n=$(jq -r 'select(.status == "quarantined" and (.stage // "") == "") | .path' "$WORK/out.jsonl" | wc -l)
expect_eq "$n" 0 "every quarantine names its stage"
# nothing escaped the archive folder
[ ! -e "$WORK/evil.png" ] && [ ! -e /abs.png ] && pass || fail "traversal wrote outside"

# sources untouched, nothing half-written in the archive
(cd "$BAD" && sha256sum -c --quiet "$WORK/before.sha") && pass || fail "bad inputs were modified"
blobs=$(find "$FOLIO_ARCHIVE/store" -type f | wc -l)
expect_eq "$blobs" 1 "only the good traversal.zip entry is stored"
tmp=$(find "$FOLIO_ARCHIVE" -name '*.tmp.*' | wc -l)
expect_eq "$tmp" 0 "no temp files left"
run stats --json
expect_out '"documents":1,' "one document"
expect_out '"quarantined":10,' "ten quarantine events"

# a name that is not there is a usage error for that argument (a typo, a
# glob that matched nothing), not a quarantined document: nothing is
# ingested, nothing counted (this was exit 1 and a quarantine event)
run ingest "$WORK/does-not-exist.pdf" "$FIX/samples/pl-invoice-001.pdf" "$WORK/nor-this"
expect_rc 2 "missing file"
expect_err "ingest: .*does-not-exist.pdf: no such file or folder" "missing file named"
expect_err "ingest: .*nor-this: no such file or folder" "each missing name"
expect_eq "$OUT" "" "nothing ingested"
run stats --json
expect_out '"quarantined":10,' "no quarantine event for a missing name"

# an unreadable file (skipped when running as root, who reads anything)
cp "$BAD/random.bin" "$WORK/locked.bin" && chmod 000 "$WORK/locked.bin"
if [ "$(id -u)" -ne 0 ]; then
	run ingest "$WORK/locked.bin"
	expect_out "Permission denied" "unreadable file"
fi

# the limits come from config
printf 'max_file_bytes = 1K\n' >"$WORK/small.conf"
run --config "$WORK/small.conf" ingest "$FIX/samples/pl-invoice-001.pdf"
expect_rc 1 "file over max_file_bytes"
expect_out "more than max_file_bytes = 1024" "max_file_bytes reason"
printf 'max_pages = 2\n' >"$WORK/pages.conf"
run --config "$WORK/pages.conf" ingest "$FIX/samples/pt-invoice-003.pdf"
expect_rc 1 "PDF over max_pages"
expect_out "more than max_pages = 2" "max_pages reason"
run --config "$WORK/pages.conf" ingest "$FIX/samples/pt-invoice-003-multipage-scan.tif"
expect_rc 1 "TIFF over max_pages"
expect_out "more than max_pages = 2" "TIFF max_pages reason"

finish
