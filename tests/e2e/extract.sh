#!/bin/sh
# Invoice fields end to end: the bundled text-layer invoices and one scan
# give their ground-truth values (tests/fixtures/truth.json) through
# `folio show --json`; fields are searchable; review and fix work on a
# real archive with an audit trail.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/samples"
run init
expect_rc 0 init
run ingest --json "$S/pl-invoice-001.pdf" "$S/es-invoice-002.pdf" "$S/it-invoice-004.pdf" \
	"$S/pl-invoice-001-scan.jpg" "$S/pl-form-001.pdf"
expect_rc 0 "ingest invoices"
INGEST=$OUT

id_of() { # file name -> archive id
	printf '%s\n' "$OUT" | jq -r --arg f "$1" 'select(.path | endswith($f)) | .id'
}

field() { # id name -> value as text
	"$FOLIO" show --json "$1" | jq -r --arg n "$2" '.fields[$n].value // "(missing)" |
		if type == "number" then (. * 100 | round / 100 | tostring) else tostring end'
}
truth() { # file name -> value
	jq -r --arg f "$1" --arg n "$2" '.files[$f].fields[$n] // "(missing)"' \
		"$FIX/truth.json"
}
num() { # "5022.45" and "5022.450" alike
	printf '%s\n' "$1" | awk '{ if ($1 ~ /^-?[0-9.]+$/) printf "%.2f\n", $1; else print }'
}

OUT=$INGEST
for f in pl-invoice-001.pdf es-invoice-002.pdf it-invoice-004.pdf pl-invoice-001-scan.jpg; do
	id=$(OUT=$INGEST id_of "$f")
	[ -n "$id" ] && pass || { fail "$f not archived"; continue; }
	for n in invoice_number issue_date due_date net_total vat_total gross_total currency iban \
		seller_name buyer_name; do
		expect_eq "$(num "$(field "$id" "$n")")" "$(num "$(truth "$f" "$n")")" "$f $n"
	done
	for n in seller_tax_id buyer_tax_id; do
		got=$(field "$id" "$n")
		want=$(truth "$f" "$n")
		# truth keeps the bare number; folio adds the country prefix
		expect_eq "${got#[A-Z][A-Z]}" "$want" "$f $n"
	done
	src=$("$FOLIO" show --json "$id" | jq -r '.fields.gross_total.source')
	case $f in
	*-scan.*) expect_eq "$src" ocr "$f gross_total source" ;;
	*) expect_eq "$src" text "$f gross_total source" ;;
	esac
	"$FOLIO" show --json "$id" | jq -e '.fields.gross_total.value | type == "number"' \
		>/dev/null && pass || fail "$f: amounts are JSON numbers"
	"$FOLIO" show --json "$id" | jq -e '.fields.vat_breakdown.value | type == "array"' \
		>/dev/null && pass || fail "$f: vat_breakdown is an array"
done
PL=$(OUT=$INGEST id_of pl-invoice-001.pdf)
"$FOLIO" show --json "$PL" | jq -e '.fields.vat_breakdown.value ==
	[{"rate":"23","net":"2265.00","vat":"520.95","gross":"2785.95"},
	 {"rate":"5","net":"2130.00","vat":"106.50","gross":"2236.50"}]' >/dev/null &&
	pass || fail "PL VAT breakdown"
"$FOLIO" show --json "$PL" | jq -e '.fields.gross_total | .page == 1 and (.bbox | length) == 4
	and .confidence > 0.9' >/dev/null && pass || fail "gross total: page, box, confidence"
run show "$PL"
expect_out '^  seller_tax_id +PL7251801126' "show lists fields"

# fields are searchable
run search --json 'nip:7251801126'
expect_out "\"id\":$PL[,}]" "nip: finds the invoice by its seller's NIP"
# search --json carries what the table shows: date, vendor, total (a
# number), currency
printf '%s\n' "$OUT" | jq -e --argjson id "$PL" 'select(.id == $id) | .date == "2024-03-14"
	and .vendor != null and (.total | type) == "number" and .total == 5022.45
	and .currency == "PLN" and (.added_at | test("^[0-9]{4}-"))' >/dev/null &&
	pass || fail "search --json has date, vendor, total and currency: $OUT"
run search --count 'total:5022.45'
expect_eq "$OUT" 2 "total: finds the PDF and its scan"
run search --json 'FV/2024/03/0147'
expect_out "\"id\":$PL[,}]" "the invoice number is found"

# a QR code printed on a text-layer PDF (Portuguese ATCUD): exact values
run ingest --json "$FIX/invoices/pt-05-receipt.pdf"
expect_rc 0 "ingest a receipt with an ATCUD QR code"
QR=$(printf '%s\n' "$OUT" | jq -r .id)
run show --json "$QR"
printf '%s' "$OUT" | jq -e '.codes | length == 1 and (.[0].type == "QR-Code") and
	(.[0].data | startswith("A:512349878*B:999999990*C:PT*D:FS"))' >/dev/null &&
	pass || fail "the QR payload is stored with the page: $(printf '%s' "$OUT" | jq -c .codes)"
printf '%s' "$OUT" | jq -e '.fields.invoice_number == {"value":"FS 2024/1203","confidence":0.99,
	"source":"qr","page":1,"bbox":.fields.invoice_number.bbox} and
	.fields.seller_tax_id.value == "PT512349878" and .fields.gross_total.value == 15.3 and
	.fields.issue_date.value == "2024-03-19" and .fields.atcud.value == "HB4K9TQW-1203"' \
	>/dev/null && pass || fail "fields from the QR code: $(printf '%s' "$OUT" | jq -c .fields)"
run search --count 'HB4K9TQW'
expect_eq "$OUT" 1 "the payload is searchable"

# a form is not held for review for lacking an invoice number
FORM=$(OUT=$INGEST id_of pl-form-001.pdf)
run show --json "$FORM"
expect_out '"needs_review":false' "a form needs no review"

# review and fix
printf 'Faktura VAT nr 12/2024\nData wystawienia: 02.01.2024\nNIP: 725-180-11-26\nRazem netto: 100,00\nKwota VAT: 23,00\nRazem brutto: 128,00\n' >"$WORK/bad.txt"
run ingest --json "$WORK/bad.txt"
expect_rc 0 "ingest an invoice whose totals do not add up"
BAD=$(printf '%s\n' "$OUT" | jq -r .id)
run show --json "$BAD"
expect_out '"status":"needs_review"' "unreconciled invoice needs review"
expect_out 'totals do not reconcile' "the reason is shown"
run review --json
expect_rc 0 "review"
printf '%s\n' "$OUT" | jq -e --argjson id "$BAD" 'select(.id == $id) | .reasons |
	any(test("totals do not reconcile"))' >/dev/null && pass || fail "review lists it: $OUT"
run review
expect_out "^$BAD +invoice" "review as text"
run fix "$BAD" seller_tax_id=PL7251801127
expect_rc 2 "a NIP with a bad check digit is refused"
expect_err 'fails its check digits' "the reason"
run fix "$BAD" issue_date=31.02.2024
expect_rc 2 "an impossible date is refused"
run fix "$BAD" colour=red
expect_rc 2 "an unknown field is refused"
run fix "$BAD" gross_totl=1
expect_rc 2 "a mistyped field is refused"
expect_err "unknown field 'gross_totl'; did you mean 'gross_total'\?" "with the field meant"
run fix "$BAD" gross_total
expect_rc 2 "FIELD without =VALUE"
run fix 99999 gross_total=1
expect_rc 1 "no such document"
run show --json "$BAD"
expect_out '"gross_total":\{"value":128(\.0+)?,' "refused fixes change nothing"
run fix "$BAD" gross_total=123,00 issue_date="3 stycznia 2024"
expect_rc 0 "fix"
expect_out "document $BAD: archived" "fixed invoice leaves review"
run show --json "$BAD"
expect_out '"gross_total":\{"value":123(\.0+)?,"confidence":1(\.0+)?,"source":"user"' \
	"the user's value"
expect_out '"issue_date":\{"value":"2024-01-03"' "the date normalised"
expect_out '"needs_review":false' "no longer needs review"
run review --json
printf '%s\n' "$OUT" | jq -e --argjson id "$BAD" 'select(.id == $id)' >/dev/null &&
	fail "fixed document still listed" || pass
run verify
expect_rc 0 "verify after fix (event chain intact)"
run search --count 'status:needs_review'
expect_rc 0 "status filter"
finish
