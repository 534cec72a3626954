#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# receipts.sh - folio's date, total, currency and seller on photographed and
# scanned till receipts.
#
#   tests/bench/receipts.sh [-v]     (FOLIO=./folio by default; builds nothing)
#
# 1. tests/bench/make_receipts.py makes the corpus into build/receipts
#    (RECEIPTS=N receipts, default 96; SEED=S, default 13; an existing
#    corpus made with the same arguments is reused): a "dev" split and a
#    "heldout" split (a fixed rule on the name's hash, with a layout family
#    and fonts dev never uses).
# 2. Each split is ingested into a fresh temporary archive with folio's own
#    OCR settings (the default languages; LANGS=pol+eng etc. to override),
#    then `folio show --json` of every receipt is scored by
#    score_receipts.py: precision/recall/F1 of issue_date, gross_total,
#    currency, doc_type and seller_name, confidence calibration, and date /
#    total per language, capture, layout family and font.
#
# -v lists every mismatch; KEEP=1 keeps the temporary folder (archive,
# ingest.jsonl, results.jsonl) and prints it; SPLITS="dev" scores one split.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/bench/lib.sh"
bench_setup receipts.sh "${1:-}"
R=${RECEIPTS_DIR:-$ROOT/build/receipts}
ARGS="--count ${RECEIPTS:-96} --seed ${SEED:-13}"
if [ "$(cat "$R/.args" 2>/dev/null || true)" != "$ARGS" ]; then
	rm -rf "$R"
	# shellcheck disable=SC2086 # ARGS is a list of words
	"$PY" "$ROOT/tests/bench/make_receipts.py" "$R" $ARGS
	echo "$ARGS" >"$R/.args"
fi
for split in ${SPLITS:-dev heldout}; do
	A=$W/$split/archive
	mkdir -p "$W/$split"
	"$FOLIO" --archive "$A" init >/dev/null
	set -- "$R/$split"/*.jpg "$R/$split"/*.png
	n=0
	for f in "$@"; do [ -e "$f" ] && n=$((n + 1)); done
	t0=$(now)
	# shellcheck disable=SC2046 # languages are one word or none
	"$FOLIO" --archive "$A" ingest --json $([ -n "${LANGS:-}" ] && echo "--languages $LANGS") \
		$(for f in "$@"; do [ -e "$f" ] && echo "$f"; done) \
		>"$W/$split/ingest.jsonl" 2>"$W/$split/ingest.err" || true
	t1=$(now)
	bench_check_ingest receipts.sh "$W/$split/ingest.err" "$split"
	bench_show "$A" "$W/$split/ingest.jsonl" >"$W/$split/results.jsonl"
	echo
	printf 'receipts (%s): %d files ingested in %.1f s wall (%.2f s per receipt)\n' \
		"$split" "$n" "$(echo "$t1 - $t0" | bc -l)" "$(echo "($t1 - $t0) / $n" | bc -l)"
	# shellcheck disable=SC2086 # VERBOSE is empty or one word
	"$PY" "$ROOT/tests/bench/score_receipts.py" --title "receipts-$split" $VERBOSE \
		--json "$W/$split/score.json" "$R/$split" "$W/$split/results.jsonl"
done
