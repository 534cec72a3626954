#!/bin/sh
# make bench-langs: the measurement behind the default OCR languages.
# Ingests the bundled scans with several language sets and prints time,
# word recall, recall of words with diacritics, and CER against the
# fixtures' ground truth.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO="$ROOT/folio"
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-langs.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/scans"
cp "$ROOT"/tests/fixtures/samples/*-scan.* "$ROOT"/tests/fixtures/samples/scans.zip "$W/scans/"
printf '%-26s %8s %8s %8s %8s\n' languages seconds recall diacr. CER
for langs in ${BENCH_LANGS:-eng pol pol+spa+por+ita pol+spa+por+ita+eng spa+por+ita+pol}; do
	rm -rf "$W/arc"
	t0=$(date +%s.%N)
	"$FOLIO" --archive "$W/arc" ingest --languages "$langs" "$W/scans" >/dev/null
	t=$(echo "$(date +%s.%N) - $t0" | bc -l)
	s=$(python3 "$ROOT/tests/bench/score.py" "$ROOT/tests/fixtures/truth.json" \
		"$W/arc" "$FOLIO")
	set -- $s
	printf '%-26s %8.1f %8s %8s %8s\n' "$langs" "$t" "$2" "$4" "$6"
done
