# tests/e2e_lib.sh - helpers for the CLI transcript tests (sourced).
# Each test script runs folio ($FOLIO) in a fresh temp folder, checks with
# the helpers below and ends with `finish`.
set -u
: "${FOLIO:?FOLIO must point at the folio binary}"
: "${ROOT:?ROOT must point at the source tree}"
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/folio-e2e-$T_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export FOLIO_ARCHIVE="$WORK/archive"
unset FOLIO_CONFIG
export HOME="$WORK/home"
mkdir -p "$HOME"
FIX="$ROOT/tests/fixtures"

pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok: $*"; }

# run CMD...: runs folio, keeps stdout in $OUT, stderr in $ERR, status in $RC
run() {
	"$FOLIO" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

expect_rc() { # expected, description
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1 (stderr: $ERR)"; fi
}
expect_out() { # grep -E pattern in stdout
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then pass; else fail "${2:-stdout}: no match for /$1/ in: $(printf '%s' "$OUT" | head -c 600)"; fi
}
expect_no_out() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then fail "${2:-stdout}: unexpected /$1/"; else pass; fi
}
expect_err() { # grep -E pattern in stderr
	if printf '%s\n' "$ERR" | grep -Eq -- "$1"; then pass; else fail "${2:-stderr}: no match for /$1/ in: $ERR"; fi
}
expect_eq() { # actual, expected, description
	if [ "$1" = "$2" ]; then pass; else fail "$3: got '$1', expected '$2'"; fi
}
# wait_for SECONDS CONDITION...: poll a shell condition until it holds or
# the deadline passes (1 then): waits on conditions, never blindly
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	while ! eval "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# ubl NUMBER SELLER_NIP NET VAT [BUYER_NIP] [DATE] [CURRENCY]: a minimal
# EN 16931 invoice (Polish seller, one 23 % rate, one line)
ubl() {
	_gross=$(echo "$3 + $4" | bc)
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
<cbc:ID>$1</cbc:ID>
<cbc:IssueDate>${6:-2025-03-14}</cbc:IssueDate>
<cbc:DueDate>2025-04-14</cbc:DueDate>
<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>${7:-PLN}</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party>
<cac:PostalAddress><cbc:StreetName>ul. Piotrkowska 12</cbc:StreetName><cbc:CityName>Łódź</cbc:CityName><cbc:PostalZone>90-001</cbc:PostalZone><cac:Country><cbc:IdentificationCode>PL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyTaxScheme><cbc:CompanyID>PL$2</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>Drukarnia Wróbel Sp. z o.o.</cbc:RegistrationName></cac:PartyLegalEntity>
</cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party>
<cac:PostalAddress><cbc:StreetName>ul. Długa 3</cbc:StreetName><cbc:CityName>Gdańsk</cbc:CityName><cbc:PostalZone>80-827</cbc:PostalZone><cac:Country><cbc:IdentificationCode>PL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyTaxScheme><cbc:CompanyID>PL${5:-7251801126}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>Biuro Rachunkowe Żagiel</cbc:RegistrationName></cac:PartyLegalEntity>
</cac:Party></cac:AccountingCustomerParty>
<cac:TaxTotal><cbc:TaxAmount currencyID="${7:-PLN}">$4</cbc:TaxAmount>
<cac:TaxSubtotal><cbc:TaxableAmount currencyID="${7:-PLN}">$3</cbc:TaxableAmount><cbc:TaxAmount currencyID="${7:-PLN}">$4</cbc:TaxAmount>
<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>23</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>
</cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="${7:-PLN}">$3</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="${7:-PLN}">$3</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="${7:-PLN}">$_gross</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="${7:-PLN}">$_gross</cbc:PayableAmount></cac:LegalMonetaryTotal>
<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
<cbc:LineExtensionAmount currencyID="${7:-PLN}">$3</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>Druk ulotek A5</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>23</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="${7:-PLN}">$3</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>
EOF
}

finish() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
