#!/bin/sh
# Vendor templates: a correction records where the seller prints the
# field; `folio templates` exports them in the models/ format, which
# ingest reads back from the models folder.
. "$(dirname "$0")/../e2e_lib.sh"

INV="$FIX/invoices"
run ingest --json "$INV/pl-01-invoice.pdf"
expect_rc 0 ingest
ID=$(printf '%s\n' "$OUT" | jq -r .id)
DUE=$("$FOLIO" show --json "$ID" | jq -r .fields.due_date.value)
SELLER=$("$FOLIO" show --json "$ID" | jq -r .fields.seller_tax_id.value)
[ -n "$DUE" ] && [ "$DUE" != null ] && pass || fail "the invoice has a due date"
run templates
expect_rc 0 "templates on an archive without corrections"
expect_eq "$(printf '%s\n' "$OUT" | grep -vc '^#')" 0 "no templates yet"
run fix "$ID" due_date="$DUE"
expect_rc 0 "confirm the due date"
run templates
expect_out "^$SELLER	due_date	1	0\.[0-9]+	0\.[0-9]+	0\.[0-9]+	0\.[0-9]+	1$" \
	"the template: seller, field, page, box, hits"
# exported into a models folder, read back by ingest
mkdir -p "$WORK/models"
cp -R "$ROOT/models/." "$WORK/models/"
"$FOLIO" templates >"$WORK/models/vendor-templates.tsv"
FOLIO_MODELS="$WORK/models" run --archive "$WORK/arc2" ingest --json "$INV/pl-01-invoice-scan.jpg"
expect_rc 0 "ingest with exported templates"
expect_eq "$("$FOLIO" --archive "$WORK/arc2" show --json 1 | jq -r .fields.due_date.value)" "$DUE" \
	"the due date of the vendor's scan"
printf '%s\tdue_date\tone\n' "$SELLER" >"$WORK/models/vendor-templates.tsv"
FOLIO_MODELS="$WORK/models" run --archive "$WORK/arc3" ingest "$INV/pl-01-invoice.pdf"
expect_rc 1 "a malformed template file"
expect_err "vendor-templates.tsv:1: expected" "names file and line"
finish
