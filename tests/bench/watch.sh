#!/bin/sh
# make bench-watch: the daemon under load.
#   1. sustained pages/min of `folio watch --once` on an inbox of scans
#      (3 distinct copies of every bundled scan) vs the same pages through
#      two parallel `tesseract` CLI processes (OMP_THREAD_LIMIT=1);
#   2. peak RSS of `folio watch --once` with 1,000 and 10,000 files queued
#      in the inbox at once (should be flat: files wait in the inbox).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO="$ROOT/folio"
SAMPLES="$ROOT/tests/fixtures/samples"
LANGS=$(sed -n 's/^languages *= *//p' "$ROOT/config/folio.conf")
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench-watch.XXXXXX")
trap 'rm -rf "$W"' EXIT
export OMP_THREAD_LIMIT=1
now() { date +%s.%N; }
printf 'settle_ms = 200\npoll_ms = 200\n' >"$W/conf"

# --- 1. throughput -------------------------------------------------------------
mkdir -p "$W/in" "$W/pages"
for c in 1 2 3; do
	for f in "$SAMPLES"/*-scan.*; do
		b=$(basename "$f")
		# a trailing marker makes each copy distinct bytes; decoders ignore it
		{ cat "$f"; printf 'folio bench copy %d' "$c"; } >"$W/in/$c-$b"
		case "$b" in
		*.pdf) mutool draw -q -r 300 -c gray -o "$W/pages/$c-${b%.pdf}-%d.png" "$f" ;;
		*.tif) (cd "$W/pages" && tiffsplit "$f" "$c-${b%.*}-") ;;
		*) cp "$f" "$W/pages/$c-$b" ;;
		esac
	done
done
NPAGES=$(ls "$W/pages" | wc -l)
t0=$(now)
/usr/bin/time -f '%M' -o "$W/rss" "$FOLIO" --config "$W/conf" --archive "$W/arc" \
	watch --once "$W/in" 2>"$W/log" || true
t_folio=$(echo "$(now) - $t0" | bc -l)
PAGES=$("$FOLIO" --archive "$W/arc" stats --json | jq .pages)
t0=$(now)
ls "$W"/pages/* | xargs -P 2 -I{} sh -c 'tesseract "$1" - -l "$2" >/dev/null 2>&1' _ {} "$LANGS"
t_tess=$(echo "$(now) - $t0" | bc -l)
ppm_folio=$(echo "60 * $PAGES / $t_folio" | bc -l)
ppm_tess=$(echo "60 * $NPAGES / $t_tess" | bc -l)
printf 'watch --once on %s scanned pages: %.1f pages/min (%.1f s, peak RSS %d MB)\n' \
	"$PAGES" "$ppm_folio" "$t_folio" "$(($(cat "$W/rss") / 1024))"
printf '2x tesseract CLI on %s pages:     %.1f pages/min (%.1f s)\n' "$NPAGES" "$ppm_tess" "$t_tess"
printf 'ratio folio watch / 2x tesseract: %.2fx (goal >= 0.9x)\n' "$(echo "$ppm_folio / $ppm_tess" | bc -l)"

# --- 2. memory with many queued files ------------------------------------------
for n in 1000 10000; do
	rm -rf "$W/many" "$W/arcm"
	mkdir -p "$W/many"
	i=0
	while [ $i -lt "$n" ]; do
		printf 'queued document %d\n' "$i" >"$W/many/f$i.txt"
		i=$((i + 1))
	done
	t0=$(now)
	/usr/bin/time -f '%M' -o "$W/rss" "$FOLIO" --config "$W/conf" --archive "$W/arcm" \
		watch --once "$W/many" 2>/dev/null || true
	t=$(echo "$(now) - $t0" | bc -l)
	left=$(find "$W/many" -type f | wc -l)
	printf '%6d files queued at once: peak RSS %d MB, %.1f s (%.0f files/s), %d left in the inbox\n' \
		"$n" "$(($(cat "$W/rss") / 1024))" "$t" "$(echo "$n / $t" | bc -l)" "$left"
done
