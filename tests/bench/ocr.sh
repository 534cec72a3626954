#!/bin/sh
# make bench-ocr: folio's page preparation and OCR vs the plain tesseract
# CLI on the same images.
#
#   sh tests/bench/ocr.sh [DRIVER]      DRIVER: build/ocr_driver by default
#
# Images: tests/fixtures/scans/ (made by tests/fixtures/gen_scans.py, truth
# in scans/truth.json) and, when present, the pages with gold text in
# $FOLIO_SHARED_DATA/ocr (default ../shared/data/ocr). Prints, per
# degradation class, character error rate and word recall of folio and of
# `tesseract FILE - -l LANGS`, then orientation, skew, blank-page and
# language accuracy and time per page (wall and CPU; tesseract's includes
# loading its models, as every CLI run does; folio's engines start once,
# shown apart).
#
# Then split accuracy: each batch in scans/batches/ (several papers with
# separator sheets or blank pages between them, truth in scans/truth.json
# "batches") ingested by the folio binary into a fresh archive, its parts
# compared with the truth (parts, pages per part, each paper's words in
# its own part); see score_ocr.py.
#
#   FOLIO=PATH             the folio binary for the split section (default:
#                          folio beside DRIVER, else ./folio; none: skipped)
#   BENCH_OCR_ONLY=REGEX   only the files whose name matches (grep -E; the
#                          batches as batches/NAME)
#   BENCH_OCR_LANGS=L      languages for both (default folio's, pol+spa+por+ita)
#   BENCH_OCR_KEEP=DIR     keep the raw results in DIR
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DRIVER=${1:-$ROOT/build/ocr_driver}
LANGS=${BENCH_OCR_LANGS:-pol+spa+por+ita}
SHARED=${FOLIO_SHARED_DATA:-$ROOT/../shared/data}/ocr
PY=/usr/bin/python3
export OMP_THREAD_LIMIT=1     # as folio runs it; tesseract's OpenMP would use every core
export FOLIO_MODELS="$ROOT/models"

[ -x "$DRIVER" ] || { echo "bench-ocr: no driver at $DRIVER (make it first)" >&2; exit 1; }
DRIVER=$(cd "$(dirname "$DRIVER")" && pwd)/$(basename "$DRIVER")
if [ -n "${BENCH_OCR_KEEP:-}" ]; then
	W=$BENCH_OCR_KEEP
	mkdir -p "$W"
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench-ocr.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
rm -rf "$W/tess" && mkdir -p "$W/tess"
: >"$W/folio.jsonl"
: >"$W/tess.tsv"
: >"$W/driver.err"

# run_set NAME DIR LANGS FILE...: both tools on each file in turn (so a
# busy machine slows both alike); folio's engines start once, as in a worker
run_set() {
	name=$1 dir=$2 langs=$3
	shift 3
	rm -f "$W/in" "$W/out"
	mkfifo "$W/in" "$W/out"
	(cd "$dir" && exec "$DRIVER" -l "$langs" - <"$W/in" >"$W/out" 2>>"$W/driver.err") &
	exec 3>"$W/in" 4<"$W/out"
	for f in "$@"; do
		base=$(basename "$f")
		/usr/bin/time -f "%e %U %S" -o "$W/time" \
			tesseract "$dir/$f" "$W/tess/$name.$base" -l "$langs" >/dev/null 2>&1 || true
		printf '%s\t%s\t%s\n' "$name" "$base" "$(tail -n 1 "$W/time")" >>"$W/tess.tsv"
		echo "$f" >&3
		while IFS= read -r line <&4; do
			[ "$line" = "#done" ] && break
			printf '%s\n' "$line" | sed "s/^{/{\"set\":\"$name\",/" >>"$W/folio.jsonl"
		done
	done
	exec 3>&- 4<&-
	wait
}

files=$(cd "$ROOT/tests/fixtures/scans" && ls | grep -E '\.(png|jpg|tif)$' |
	grep -E "${BENCH_OCR_ONLY:-.}" || true)
# shellcheck disable=SC2086
[ -z "$files" ] || run_set scans "$ROOT/tests/fixtures/scans" "$LANGS" $files

if [ -d "$SHARED" ]; then
	shared=""
	for f in phototest.tif phototest-rotated-L.png phototest-rotated-R.png \
		phototest-rotated-180.png eurotext.tif 8071_093.3B.tif 8087_054.3B.tif; do
		[ -f "$SHARED/$f" ] && echo "$f" | grep -qE "${BENCH_OCR_ONLY:-.}" &&
			shared="$shared $f"
	done
	# shellcheck disable=SC2086
	[ -z "$shared" ] || run_set shared "$SHARED" eng $shared
else
	echo "bench-ocr: $SHARED absent, its pages skipped" >&2
fi

# split_set FILE SPLIT_BLANK: ingest one batch into its own archive, keep
# each part's text and page info for score_ocr.py --split
split_set() {
	key=$(basename "$1") key=${key%.*}
	printf 'split_blank = %s\n' "$2" >"$W/split/$key.conf"
	"$FOLIO" --config "$W/split/$key.conf" --archive "$W/split/$key.archive" ingest --json \
		"$ROOT/tests/fixtures/scans/$1" >"$W/split/$key.jsonl" 2>>"$W/split/err" ||
		echo "bench-ocr: folio ingest $1 failed" >&2
	for id in $(sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p' "$W/split/$key.jsonl"); do
		"$FOLIO" --config "$W/split/$key.conf" --archive "$W/split/$key.archive" text "$id" \
			>"$W/split/$key.$id.txt" 2>>"$W/split/err" || true
		"$FOLIO" --config "$W/split/$key.conf" --archive "$W/split/$key.archive" show --json \
			"$id" >"$W/split/$key.$id.json" 2>>"$W/split/err" || true
	done
}

batches=$("$PY" -c 'import json, sys
for n, b in sorted(json.load(open(sys.argv[1]))["batches"].items()):
	print(n, int(b["split_blank"]))' "$ROOT/tests/fixtures/scans/truth.json" |
	grep -E "${BENCH_OCR_ONLY:-.}" || true)
if [ -z "${FOLIO:-}" ]; then
	for f in "$(dirname "$DRIVER")/folio" "$ROOT/folio"; do
		[ -x "$f" ] && FOLIO=$f && break
	done
fi
rm -rf "$W/split" && mkdir -p "$W/split" && : >"$W/split/err"
if [ -z "$batches" ]; then
	:
elif [ -z "${FOLIO:-}" ] || [ ! -x "$FOLIO" ]; then
	echo "bench-ocr: no folio binary (set FOLIO), split accuracy skipped" >&2
else
	FOLIO=$(cd "$(dirname "$FOLIO")" && pwd)/$(basename "$FOLIO")
	echo "bench-ocr: split accuracy with $FOLIO" >&2
	printf '%s\n' "$batches" | while read -r b blank; do
		split_set "$b" "$blank"
	done
	grep -v '^$' "$W/split/err" >&2 || true
fi

grep -h "engines started" "$W/driver.err" | sed 's/^ocr_driver: /folio: /' >&2 || true
grep -v "engines started" "$W/driver.err" >&2 || true
[ ! -s "$W/folio.jsonl" ] ||
	"$PY" "$ROOT/tests/bench/score_ocr.py" "$ROOT/tests/fixtures/scans/truth.json" "$SHARED" "$W"
"$PY" "$ROOT/tests/bench/score_ocr.py" --split "$ROOT/tests/fixtures/scans/truth.json" "$W/split"
