#!/bin/sh
# The correspondents registry end to end: the bundled sample invoices
# (each a text-layer PDF and a scan of the same paper) give one vendor per
# seller with two documents, IBAN and name; `vendor:` finds a vendor's
# documents by any spelling; the options and their errors.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/samples"
run vendors
expect_rc 1 "vendors without an archive"
expect_err "folio init" "vendors without an archive: the hint"
run init
run vendors --json
expect_rc 0 "vendors of an empty archive"
expect_eq "$OUT" "" "an empty archive has no vendors"

run ingest --json "$S/pl-invoice-001.pdf" "$S/pl-invoice-001-scan.jpg" "$S/es-invoice-002.pdf" \
	"$S/es-invoice-002-scan.pdf" "$S/it-invoice-004.pdf" "$S/it-invoice-004-scan.png"
expect_rc 0 "ingest the samples"

run vendors --json
expect_rc 0 "vendors --json"
JSON=$OUT
vendor() { # tax ID -> its JSON object
	printf '%s\n' "$JSON" | jq -c --arg t "$1" 'select(.tax_id == $t)'
}
for t in PL7251801126 ESB41275389 IT09876543217; do
	v=$(vendor "$t")
	[ -n "$v" ] && pass || { fail "no vendor $t in: $JSON"; continue; }
	expect_eq "$(printf '%s' "$v" | jq .documents)" 2 "$t: the PDF and its scan"
	expect_eq "$(printf '%s' "$v" | jq '[.names[].count] | add')" 2 "$t: name counts"
	printf '%s' "$v" | jq -e '(.id | type == "number") and (.first_seen <= .last_seen)
		and (.ibans | length) == 1' >/dev/null && pass || fail "$t: fields of $v"
done
expect_eq "$(vendor PL7251801126 | jq -r .name)" "Drukarnia Wróbel Sp. z o.o." "PL vendor name"
expect_eq "$(vendor PL7251801126 | jq -r '.ibans[0]')" PL29102034530000960201234567 "PL IBAN"
expect_eq "$(vendor ESB41275389 | jq -r .name)" "Cerámicas del Guadalquivir S.L." "ES vendor name"
expect_eq "$(vendor IT09876543217 | jq -r .name)" "Torrefazione Aurora S.r.l." "IT vendor name"
# every vendor appears once, most documents first
expect_eq "$(printf '%s\n' "$JSON" | jq -s '[.[].tax_id] | length == (unique | length)')" true \
	"one object per vendor"
expect_eq "$(printf '%s\n' "$JSON" | jq -s '[.[].documents] == ([.[].documents] | sort | reverse)')" \
	true "sorted by documents"

run vendors --json --limit 1
expect_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 "--limit 1"
run vendors
expect_rc 0 "vendors table"
expect_out '^PL7251801126 +2 +[0-9]{4}-[0-9]{2}-[0-9]{2} +Drukarnia Wróbel Sp\. z o\.o\.$' \
	"table row"
expect_out '^ +IBAN PL29102034530000960201234567$' "table IBAN"

# vendor: without diacritics or legal form finds both documents
run search --count 'vendor:wrobel'
expect_eq "$OUT" 2 "vendor:wrobel"
run search --count 'vendor:"CERAMICAS DEL GUADALQUIVIR SL"'
expect_eq "$OUT" 2 "vendor: in capitals without accents"
run search --count 'vendor:aurora type:invoice'
expect_eq "$OUT" 2 "vendor: with another filter"

# a text invoice from the same seller without a NIP: matched by IBAN
printf 'Faktura VAT nr 77/2024\nSprzedawca: Wrobel Druk\nData wystawienia: 02.04.2024\nNr rachunku: PL29 1020 3453 0000 9602 0123 4567\nRazem brutto: 123,00 PLN\n' \
	>"$WORK/more.txt"
run ingest --json "$WORK/more.txt"
expect_rc 0 "ingest a text invoice"
run show --json "$(printf '%s' "$OUT" | jq -r .id)"
if printf '%s' "$OUT" | jq -e '.fields.iban and (.fields.seller_tax_id | not)' >/dev/null; then
	run vendors --json
	expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.tax_id == "PL7251801126") | .documents')" \
		3 "matched by IBAN"
else
	fail "the text invoice's fields: $OUT"
fi

# options
run vendors --limit 0
expect_rc 2 "--limit 0"
expect_err "positive number" "--limit 0: message"
run vendors extra
expect_rc 2 "an operand"
run vendors --help
expect_rc 0 "--help"
expect_out "--limit N" "--help lists --limit"
finish
