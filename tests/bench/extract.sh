#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# extract.sh - measure folio's field extraction against ground truth.
#
#   tests/bench/extract.sh [-v]         (FOLIO=./folio by default; builds nothing)
#
# 1. tests/fixtures/invoices/: every text PDF and scan is ingested into a
#    fresh temporary archive, one `folio ingest` per document language with
#    `--languages <lang>+eng` (set LANGS=pol+spa+... to use one list for
#    all), then `folio show --json` of every document is scored by
#    score_extract.py against invoices/truth.json: precision/recall/F1 per
#    field for text PDFs and scans, the key fields overall, and the time
#    per document.
# 2. When the shared e-invoice samples exist ($FOLIO_SHARED_DATA/einvoice,
#    default ../shared/data/einvoice) and tests/bench/einvoice_truth.py is
#    there, the files it reads as e-invoices are ingested too and scored
#    against its output.
# 3. When ../shared/data/rendered exists (invoices printed by other
#    software: KSeF, FatturaPA and XRechnung visualisations, with scans),
#    tests/bench/rendered.sh scores it per field and language; then the
#    renders of tests/bench/render_invoices.py (own layouts of e-invoice
#    samples not in that corpus, made into build/rendered) are scored:
#    "dev" and the held-out split "heldout" separately, then simulated
#    scans of the held-out renders (scan_renders.sh; SCANS=0 skips them).
#
# -v lists every mismatch (file, field, expected, got). KEEP=1 keeps the
# temporary folder (archive, ingest.jsonl, results.jsonl) and prints it.
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
[ "${1:-}" = "-v" ] && VERBOSE=--verbose
if [ ! -x "$FOLIO" ]; then
	echo "extract.sh: $FOLIO is not built (make folio, or set FOLIO)" >&2
	exit 1
fi
INV=$ROOT/tests/fixtures/invoices
SHARED=${FOLIO_SHARED_DATA:-$ROOT/../shared/data}
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-extract.XXXXXX")
if [ -n "${KEEP:-}" ]; then
	echo "extract.sh: keeping $W"
else
	trap 'rm -rf "$W"' EXIT
fi
unset FOLIO_CONFIG FOLIO_ARCHIVE
export HOME="$W/home"
mkdir -p "$HOME"

now() { date +%s.%N; }

# run_set NAME LIST: LIST has lines "languages<TAB>file"; ingests each
# language's files into $W/NAME/archive, then shows every document
run_set() {
	A=$W/$1/archive
	mkdir -p "$W/$1"
	"$FOLIO" --archive "$A" init >/dev/null
	: >"$W/$1/ingest.jsonl"
	t0=$(now)
	for langs in $(cut -f1 "$2" | sort -u); do
		# names may hold spaces (some shared samples do): NUL-separated
		awk -F '\t' -v l="$langs" '$1 == l { printf "%s%c", $2, 0 }' "$2" |
			xargs -0 "$FOLIO" --archive "$A" ingest --json --languages "$langs" \
			>>"$W/$1/ingest.jsonl" 2>>"$W/$1/ingest.err" || true
		# exit status 1 also means "some file quarantined": only a stopped
		# run is a failure of the bench
		if grep -q 'ingest stopped' "$W/$1/ingest.err"; then
			echo "extract.sh: folio ingest failed ($langs):" >&2
			tail -n 5 "$W/$1/ingest.err" >&2
			exit 1
		fi
	done
	t1=$(now)
	# one result per ingested file, named as ingested (a duplicate's id is
	# the stored copy's, whose own path show --json would print)
	"$PY" - "$FOLIO" "$A" "$W/$1/ingest.jsonl" >"$W/$1/results.jsonl" <<'EOF'
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
	n=$(wc -l <"$2")
	q=$(grep -c '"status":"quarantined"' "$W/$1/ingest.jsonl" || true)
	printf '%s: %d files ingested in %.1f s wall (%.2f s per file), %d quarantined\n\n' \
		"$1" "$n" "$(echo "$t1 - $t0" | bc -l)" "$(echo "($t1 - $t0) / $n" | bc -l)" "$q"
}

# --- 1. the invoice set ---------------------------------------------------
"$PY" - "$INV" "${LANGS:-}" >"$W/inv.list" <<'EOF'
import json, os, subprocess, sys
inv, fixed = sys.argv[1], sys.argv[2]
have = subprocess.run(["tesseract", "--list-langs"], capture_output=True,
                      text=True).stdout.split()
t = json.load(open(os.path.join(inv, "truth.json"), encoding="utf-8"))
for doc_id, d in sorted(t["documents"].items()):
    lang = d["tesseract_lang"]
    langs = fixed or ((lang + "+eng") if lang in have and lang != "eng" else "eng")
    for f in d["files"].values():
        print("%s\t%s" % (langs, os.path.join(inv, f)))
EOF
echo "== invoices: $(wc -l <"$W/inv.list") files from tests/fixtures/invoices =="
run_set invoices "$W/inv.list"
# shellcheck disable=SC2086 # VERBOSE is empty or one word
"$PY" "$ROOT/tests/bench/score_extract.py" --truth "$INV/truth.json" \
	--ingest "$W/invoices/ingest.jsonl" $VERBOSE "$W/invoices/results.jsonl"

# --- 2. the shared e-invoice samples ----------------------------------------
if [ -d "$SHARED/einvoice" ] && [ -f "$ROOT/tests/bench/einvoice_truth.py" ]; then
	"$PY" "$ROOT/tests/bench/einvoice_truth.py" "$SHARED/einvoice" >"$W/ei-truth.jsonl" \
		2>"$W/ei-truth.err"
	"$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("fields") is not None:
        print("%s\t%s" % (sys.argv[2] or "eng", o["file"]))' \
		"$W/ei-truth.jsonl" "${LANGS:-}" >"$W/ei.list"
	echo
	echo "== e-invoices: $(wc -l <"$W/ei.list") files from $SHARED/einvoice =="
	run_set einvoice "$W/ei.list"
	# shellcheck disable=SC2086
	"$PY" "$ROOT/tests/bench/score_extract.py" --truth-lines "$W/ei-truth.jsonl" \
		--ingest "$W/einvoice/ingest.jsonl" $VERBOSE "$W/einvoice/results.jsonl"
fi

# --- 3. invoices printed by other software ----------------------------------
if [ -d "$SHARED/rendered" ]; then
	echo
	echo "== rendered: $SHARED/rendered =="
	# shellcheck disable=SC2086
	FOLIO=$FOLIO sh "$ROOT/tests/bench/rendered.sh" $VERBOSE "$SHARED/rendered" rendered
fi

# --- 4. own renders of e-invoice samples: dev and held-out ------------------
if [ -d "$SHARED/einvoice" ] && "$PY" -c 'import reportlab' 2>/dev/null; then
	R=$ROOT/build/rendered
	rm -rf "$R"
	"$PY" "$ROOT/tests/bench/render_invoices.py" "$SHARED/einvoice" "$SHARED/rendered" "$R"
	for split in dev heldout; do
		echo
		echo "== own renders ($split): $R/$split =="
		# shellcheck disable=SC2086
		FOLIO=$FOLIO sh "$ROOT/tests/bench/rendered.sh" $VERBOSE "$R/$split" "renders-$split"
	done
	# simulated scans of the held-out renders (../shared/tools/scan_pdf.py,
	# used in place); SCANS=0 skips them
	if [ "${SCANS:-1}" != 0 ] && [ -f "$SHARED/../tools/scan_pdf.py" ] &&
		"$PY" -c 'import numpy, PIL' 2>/dev/null; then
		FOLIO_SCAN_TOOL=$SHARED/../tools/scan_pdf.py sh "$ROOT/tests/bench/scan_renders.sh" \
			"$R/heldout" "$R/heldout-scan"
		echo
		echo "== own renders (held-out, scans): $R/heldout-scan =="
		# shellcheck disable=SC2086
		FOLIO=$FOLIO sh "$ROOT/tests/bench/rendered.sh" $VERBOSE "$R/heldout-scan" \
			"renders-heldout-scans"
	fi
fi
