#!/bin/sh
# The e-invoice round trip (make bench-export): every UBL, CII (also
# embedded in Factur-X/ZUGFeRD PDFs) and KSeF FA(3) sample in
# ../shared/data/einvoice is ingested, exported to ubl, cii and ksef (where
# the invoice fits), the exports are ingested into fresh archives and every
# field is compared with the first reading. Skips without the shared data.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FOLIO_SHARED_DATA:-$ROOT/../shared/data}/einvoice
FOLIO=$ROOT/folio
if [ ! -d "$DATA" ]; then
	echo "roundtrip: $DATA is absent: skipped"
	exit 0
fi
W=${BUILD:-$ROOT/build}/bench-roundtrip
rm -rf "$W"
mkdir -p "$W/in/ubl" "$W/in/cii" "$W/in/ksef" "$W/in/facturx"
# copies with unique names (some samples share a file name)
n=0
for f in "$DATA"/cen_en16931/ubl/*.[xX][mM][lL] "$DATA"/cen_en16931/testfiles/*.xml \
	"$DATA"/peppol_bis3/*.xml; do
	n=$((n + 1)); cp "$f" "$W/in/ubl/$n-$(basename "$f" | tr ' ' '_')"
done
for f in "$DATA"/cen_en16931/cii/*.xml; do
	n=$((n + 1)); cp "$f" "$W/in/cii/$n-$(basename "$f" | tr ' ' '_')"
done
find "$DATA/facturx" -name '*.pdf' | while read -r f; do
	n=$(($(ls "$W/in/facturx" | wc -l) + 1000)); cp "$f" "$W/in/facturx/$n-$(basename "$f" | tr ' ' '_')"
done
for f in "$DATA"/ksef_fa3/client-java/*.xml "$DATA"/ksef_fa3/pdf-generator/invoice.xml; do
	grep -q '13775/' "$f" || continue      # FA(3) only (not FA_RR, PEF)
	n=$((n + 1)); cp "$f" "$W/in/ksef/$n-$(basename "$f")"
done
"$FOLIO" --archive "$W/a" ingest "$W/in" >"$W/ingest-a.log" 2>&1 || true
for fmt in ubl cii ksef; do
	"$FOLIO" --archive "$W/a" export --to "$fmt" --include-review --force --json \
		--out "$W/out-$fmt" >"$W/export-$fmt.jsonl" 2>"$W/export-$fmt.err" || {
		echo "roundtrip: export to $fmt failed: $(cat "$W/export-$fmt.err")"; exit 1; }
	if [ -d "$W/out-$fmt" ]; then
		"$FOLIO" --archive "$W/b-$fmt" ingest "$W/out-$fmt" >"$W/ingest-$fmt.log" 2>&1 || true
	fi
done
echo "== the shared e-invoices (UBL, CII, Factur-X, KSeF FA(3))"
python3 "$ROOT/tests/bench/roundtrip.py" "$W"

# Polish invoices for KSeF: the shared data has one real FA(3) invoice (the
# others are templates with placeholders), so the project's own Polish
# fixture invoices (text PDFs, tests/fixtures/gen_invoices.py) go round too
P="$W/pl"
mkdir -p "$P"
"$FOLIO" --archive "$P/a" ingest $(ls "$ROOT"/tests/fixtures/invoices/pl-*.pdf | grep -v -- -scan) \
	>"$P/ingest-a.log" 2>&1 || true
for fmt in ksef ubl cii; do
	"$FOLIO" --archive "$P/a" export --to "$fmt" --include-review --force --json \
		--out "$P/out-$fmt" >"$P/export-$fmt.jsonl" 2>"$P/export-$fmt.err" || {
		echo "roundtrip: export to $fmt failed: $(cat "$P/export-$fmt.err")"; exit 1; }
	if [ -d "$P/out-$fmt" ]; then
		"$FOLIO" --archive "$P/b-$fmt" ingest "$P/out-$fmt" >"$P/ingest-$fmt.log" 2>&1 || true
	fi
done
echo
echo "== folio's Polish fixture invoices (text PDFs)"
python3 "$ROOT/tests/bench/roundtrip.py" "$P" ksef ubl cii
