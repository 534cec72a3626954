#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# rendered.sh - folio's fields on invoices printed by other software.
#
#   tests/bench/rendered.sh [-v] CORPUS [TITLE]   (FOLIO=./folio by default)
#
# CORPUS is laid out like ../shared/data/rendered (README.md there):
# LANG/pdf/NAME.pdf, LANG/scan/NAME.tif, LANG/truth/NAME.json, LANG/xml/.
# Every PDF and scan is ingested into a fresh temporary archive (one
# `folio ingest` per language folder, OCR languages from the folder name:
# pl pol, it ita, eu and de deu, es spa, pt por, else eng; always +eng),
# then `folio show --json` of each is scored by score_rendered.py: per
# field and language, micro F1 over the fields, and how often values of
# confidence >= 0.9 are right. SCANS=0 skips the scans (text PDFs only).
# -v lists every mismatch; KEEP=1 keeps the temporary folder.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/bench/lib.sh"
bench_setup rendered.sh "${1:-}"
if [ -n "$VERBOSE" ]; then shift; fi
CORPUS=${1:?usage: rendered.sh [-v] CORPUS [TITLE]}
TITLE=${2:-$(basename "$CORPUS")}
A=$W/archive
"$FOLIO" --archive "$A" init >/dev/null
: >"$W/ingest.jsonl"
n=0
t0=$(now)
for dir in "$CORPUS"/*/; do
	lang=$(basename "$dir")
	case $lang in
	pl) ocr=pol+eng ;;
	it) ocr=ita+eng ;;
	eu | de) ocr=deu+eng ;;
	es) ocr=spa+eng ;;
	pt) ocr=por+eng ;;
	*) ocr=eng ;;
	esac
	for sub in pdf scan; do
		[ "$sub" = scan ] && [ "${SCANS:-1}" = 0 ] && continue
		[ -d "$dir$sub" ] || continue
		set -- "$dir$sub"/*
		[ -e "$1" ] || continue
		n=$((n + $#))
		"$FOLIO" --archive "$A" ingest --json --languages "$ocr" "$@" \
			>>"$W/ingest.jsonl" 2>>"$W/ingest.err" || true
		bench_check_ingest rendered.sh "$W/ingest.err" "$lang"
	done
done
t1=$(now)
bench_show "$A" "$W/ingest.jsonl" >"$W/results.jsonl"
printf '%s: %d files ingested in %.1f s wall\n\n' "$TITLE" "$n" "$(echo "$t1 - $t0" | bc -l)"
# shellcheck disable=SC2086 # VERBOSE is empty or one word
"$PY" "$ROOT/tests/bench/score_rendered.py" --title "$TITLE" $VERBOSE "$CORPUS" "$W/results.jsonl"
