#!/bin/sh
# ocr_speed.sh (part of make bench): folio's OCR throughput and accuracy on
# real-looking scans against two parallel single-thread `tesseract` CLIs
# (OMP_THREAD_LIMIT=1, `xargs -P 2`) on the same pages, in the same run.
#
#   sh tests/bench/ocr_speed.sh [FOLIO]
#
# Sets (each skipped cleanly when absent):
#   rendered   $FOLIO_SHARED_DATA/rendered/{pl,it,eu}/scan/*.tif (default
#              $ROOT/../shared/data): multi-page 300 dpi office scans with
#              skew, noise, blur, JPEG artefacts, some turned 90 degrees;
#              reference text: `mutool draw -F txt` of the matching pdf/NAME.pdf;
#              true language: pl -> pol, it -> ita, eu -> deu (German labels)
#   photos     tests/fixtures/invoices/*-scan.jpg: receipts and invoices
#              photographed or scanned, one page each, in seven languages
#              (German and English outside folio's configured set);
#              reference: the matching text-layer PDF
#
# Baselines: tesseract PAGE OUT -l LANGS on each page (TIFFs split with
# tiffsplit, not timed), two at a time, with
#   cfg   folio's configured languages (pol+spa+por+ita), as bench.sh does;
#   true  each page's own language (the harder baseline: one model, and
#         the right one; a language tesseract lacks falls back to cfg).
# The contenders run one after the other within each round, so a shared,
# busy machine slows them alike. Reported: pages/min from the best wall
# time of BENCH_ROUNDS (default 3), CPU seconds per page (user+sys, the
# median; robust to load from other processes), the ratios folio/baseline
# of both, and word recall against the reference text (multiset of
# lowercased words of letters and digits; a document's pages together).
#
#   BENCH_ROUNDS=N          rounds (default 3)
#   BENCH_SPEED_SETS=LIST   sets to run (default "rendered photos")
#   BENCH_SPEED_KEEP=DIR    keep the work files in DIR
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO=${1:-$ROOT/folio}
FOLIO=$(cd "$(dirname "$FOLIO")" && pwd)/$(basename "$FOLIO")
SHARED=${FOLIO_SHARED_DATA:-$ROOT/../shared/data}
ROUNDS=${BENCH_ROUNDS:-3}
SETS=${BENCH_SPEED_SETS:-rendered photos}
LANGS=$(sed -n 's/^languages *= *//p' "$ROOT/config/folio.conf")
PY=/usr/bin/python3
export OMP_THREAD_LIMIT=1
if [ -n "${BENCH_SPEED_KEEP:-}" ]; then
	W=$BENCH_SPEED_KEEP
	rm -rf "$W" && mkdir -p "$W"
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/folio-ocr-speed.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
HAVE=$(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' ')

# has_lang L: tesseract has L installed
has_lang() { case " $HAVE " in *" $1 "*) return 0 ;; esac; return 1; }

# add_doc SET FILE DOC LANG REF.pdf: one document of a set; its pages go
# to $W/SET/pages as DOC-xxx.EXT, listed with their true language
add_doc() {
	set=$1 file=$2 doc=$3 lang=$4 ref=$5
	mkdir -p "$W/$set/in" "$W/$set/pages" "$W/$set/ref"
	cp "$file" "$W/$set/in/$doc.${file##*.}"
	case "$file" in
	*.tif | *.tiff) (cd "$W/$set/pages" && tiffsplit "$file" "$doc-" >/dev/null) ;;
	*) cp "$file" "$W/$set/pages/$doc-aaa.${file##*.}" ;;
	esac
	has_lang "$lang" || lang=$LANGS
	for p in "$W/$set/pages/$doc"-*; do printf '%s %s\n' "$p" "$lang"; done >>"$W/$set/true.lst"
	mutool draw -q -F txt -o "$W/$set/ref/$doc.txt" "$ref" 2>/dev/null
}

for set in $SETS; do
	case $set in
	rendered)
		if [ ! -d "$SHARED/rendered" ]; then
			echo "ocr-speed: $SHARED/rendered absent, rendered scans skipped" >&2
			continue
		fi
		for d in pl:pol it:ita eu:deu; do
			for f in "$SHARED/rendered/${d%%:*}"/scan/*.tif; do
				[ -f "$f" ] || continue
				n=$(basename "$f" .tif)
				add_doc rendered "$f" "${d%%:*}-$n" "${d#*:}" \
					"$SHARED/rendered/${d%%:*}/pdf/$n.pdf"
			done
		done
		;;
	photos)
		for f in "$ROOT"/tests/fixtures/invoices/*-scan.jpg; do
			[ -f "$f" ] || continue
			n=$(basename "$f" -scan.jpg)
			case $n in
			de-*) l=deu ;; en-*) l=eng ;; es-*) l=spa ;; it-*) l=ita ;;
			pl-*) l=pol ;; pt-*) l=por ;; fr-*) l=fra ;; *) l=$LANGS ;;
			esac
			add_doc photos "$f" "$n" "$l" "$ROOT/tests/fixtures/invoices/$n.pdf"
		done
		;;
	*) echo "ocr-speed: unknown set '$set'" >&2 ;;
	esac
done

# timed NAME SET CMD...: run CMD (stdout to $W/out), append
# "SET NAME wall user sys" to $W/times
timed() {
	name=$1 set=$2
	shift 2
	/usr/bin/time -f '%e %U %S' -o "$W/time" "$@" >"$W/out" 2>>"$W/err" ||
		echo "ocr-speed: $name on $set failed (see $W/err)" >&2
	printf '%s %s %s\n' "$set" "$name" "$(tail -n 1 "$W/time")" >>"$W/times"
}

# tess.sh LIST OUTDIR MODE: tesseract on each page of LIST ("PATH LANG"
# lines), two at a time; MODE cfg: folio's configured languages, true: the
# page's own
cat >"$W/tess.sh" <<'TESS'
awk -v m="$3" -v cfg="$4" -v out="$2" \
	'{ print $1; print (m == "cfg" ? cfg : $2); print out }' "$1" |
	xargs -d '\n' -P 2 -n 3 sh -c \
		'tesseract "$1" "$3/$(basename "${1%.*}")" -l "$2" >/dev/null 2>&1' _
TESS

: >"$W/times"
: >"$W/err"
echo "ocr-speed: $(getconf _NPROCESSORS_ONLN) cores, load $(uptime | sed 's/.*average: //')," \
	"$ROUNDS rounds, folio languages $LANGS"
for set in $SETS; do
	[ -s "$W/$set/true.lst" ] || continue
	for r in $(seq "$ROUNDS"); do
		rm -rf "$W/$set/arc" "$W/$set/tess-cfg" "$W/$set/tess-true"
		mkdir -p "$W/$set/tess-cfg" "$W/$set/tess-true"
		timed folio "$set" "$FOLIO" --archive "$W/$set/arc" ingest --json --workers 2 \
			"$W/$set/in"
		cp "$W/out" "$W/$set/folio.jsonl"
		timed tess-cfg "$set" sh "$W/tess.sh" "$W/$set/true.lst" "$W/$set/tess-cfg" cfg "$LANGS"
		timed tess-true "$set" sh "$W/tess.sh" "$W/$set/true.lst" "$W/$set/tess-true" true "$LANGS"
	done
	# folio's text per document, named after its input file
	mkdir -p "$W/$set/folio"
	sed -n 's/.*"path":"[^"]*\/\([^"/]*\)\.[a-z]*","id":\([0-9]*\).*/\1 \2/p' \
		"$W/$set/folio.jsonl" | while read -r doc id; do
		"$FOLIO" --archive "$W/$set/arc" text "$id" >"$W/$set/folio/$doc.txt" 2>>"$W/err" ||
			true
	done
done
uptime | sed 's/.*average: /ocr-speed: load at the end /'
# shellcheck disable=SC2086
"$PY" "$ROOT/tests/bench/score_speed.py" "$W" $SETS
