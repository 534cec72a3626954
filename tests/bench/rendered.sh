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
FOLIO=${FOLIO:-./folio}
case $FOLIO in
/*) ;;
*) FOLIO=$(cd "$(dirname "$FOLIO")" && pwd)/$(basename "$FOLIO") ;;
esac
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
VERBOSE=
case ${1:-} in
-v | --verbose)
	VERBOSE=--verbose
	shift
	;;
esac
CORPUS=${1:?usage: rendered.sh [-v] CORPUS [TITLE]}
TITLE=${2:-$(basename "$CORPUS")}
if [ ! -x "$FOLIO" ]; then
	echo "rendered.sh: $FOLIO is not built (make folio, or set FOLIO)" >&2
	exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-rendered.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "rendered.sh: keeping $W"
else
	trap 'rm -rf "$W"' EXIT
fi
unset FOLIO_CONFIG FOLIO_ARCHIVE
export HOME="$W/home"
mkdir -p "$HOME"
A=$W/archive
"$FOLIO" --archive "$A" init >/dev/null
: >"$W/ingest.jsonl"
now() { date +%s.%N; }
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
		if grep -q 'ingest stopped' "$W/ingest.err"; then
			echo "rendered.sh: folio ingest failed ($lang):" >&2
			tail -n 5 "$W/ingest.err" >&2
			exit 1
		fi
	done
done
t1=$(now)
"$PY" - "$FOLIO" "$A" "$W/ingest.jsonl" >"$W/results.jsonl" <<'EOF'
import json, subprocess, sys
folio, archive, ingest = sys.argv[1:4]
shown = {}
for line in open(ingest, encoding="utf-8"):
    o = json.loads(line)
    if o.get("id") is None:
        continue
    if o["id"] not in shown:
        r = subprocess.run([folio, "--archive", archive, "show", "--json", str(o["id"])],
                           capture_output=True, text=True)
        shown[o["id"]] = json.loads(r.stdout) if r.returncode == 0 else None
    res = shown[o["id"]]
    if res is not None:
        print(json.dumps(dict(res, path=o["path"], text=None), ensure_ascii=False))
EOF
printf '%s: %d files ingested in %.1f s wall\n\n' "$TITLE" "$n" "$(echo "$t1 - $t0" | bc -l)"
# shellcheck disable=SC2086 # VERBOSE is empty or one word
"$PY" "$ROOT/tests/bench/score_rendered.py" --title "$TITLE" $VERBOSE "$CORPUS" "$W/results.jsonl"
