#!/bin/sh
# The review loop: folio review lists vendor, number, date, total and the
# reasons, with the folio fix command that answers each; running it fixes
# the document; folio review --done closes an item a person checked (a
# seller without an EU tax ID), and a later fix does not raise the
# accepted reasons again; a possible duplicate is closed the same way; a
# seller's tax ID outside folio's schemes is taken as printed, one without
# a country prefix never.
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/in"
mkdir -p "$IN"
printf 'Invoice 78\nSeller: Acme Inc, Delaware\nTotal USD 100.00\n' >"$IN/us.txt"
run ingest "$IN/us.txt"
expect_rc 0 "ingest"
id=$("$FOLIO" search --json acme | jq -r .id)

run review
expect_rc 0 "review"
expect_out "^$id +invoice +.*us.txt" "the item"
expect_out "^       Acme Inc, Delaware \\| 78 \\| \\(no date\\) \\| 100.00 USD$" "vendor, number, date, total"
expect_out "^       - no issue date$" "a reason"
expect_out "^         folio fix $id issue_date=YYYY-MM-DD$" "its fix"
expect_out "^         folio fix $id seller_tax_id=CC123456789$" "the tax ID's fix"
expect_out "^         checked and right as it is: folio review --done $id$" "the way to close it"
run review --json
expect_eq "$(printf '%s' "$OUT" | jq -c '[.vendor, .invoice_number, .issue_date, .gross_total, .currency, .reasons, .fixes]')" \
	"[\"Acme Inc, Delaware\",\"78\",null,100,\"USD\",[\"no issue date\",\"no seller tax ID\"],[\"folio fix $id issue_date=YYYY-MM-DD\",\"folio fix $id seller_tax_id=CC123456789\"]]" \
	"review --json" 2>/dev/null
# (jq prints 100.00 as 100: compare the raw text too)
expect_out '"gross_total":100.00,' "the total as an exact number"

# the advice works as printed
run fix "$id" issue_date=2024-03-14
expect_rc 0 "the printed fix"
run review --json
expect_eq "$(printf '%s' "$OUT" | jq -c .reasons)" '["no seller tax ID"]' "one reason left"

# a tax ID: never without its country; outside folio's schemes, as printed
run fix "$id" seller_tax_id=12-3456789
expect_rc 2 "a number without a country"
expect_err "has no country prefix" "why"
run fix "$id" seller_tax_id=PL123
expect_rc 2 "a Polish NIP of the wrong shape"
run fix --json "$id" seller_tax_id=US12-3456789
expect_rc 0 "a US EIN as printed"
expect_eq "$(printf '%s' "$OUT" | jq -r '.fields.seller_tax_id + " " + .status')" "US123456789 archived" \
	"taken, and nothing left to review"

# --done: a seller with no tax ID at all
printf 'Invoice 79\nSeller: Acme Inc, Delaware\nTotal USD 50.00\nDate 2024-04-02\n' >"$IN/us2.txt"
run ingest "$IN/us2.txt"
id2=$("$FOLIO" search --json 'acme 79' | jq -r .id)
run review --done "$id2" --note "US seller: no EU VAT ID"
expect_rc 0 "review --done"
expect_out "^document $id2: reviewed, archived$" "said so"
run review --json
expect_no_out "\"id\":$id2," "no longer listed"
run search --count "id:$id2 status:needs_review"
expect_eq "$OUT" 0 "status archived"
run fix "$id2" gross_total=50.00
expect_rc 0 "a later fix"
run show --json "$id2"
expect_eq "$(printf '%s' "$OUT" | jq -r '.status')" archived "the accepted reason is not raised again"
expect_eq "$(printf '%s' "$OUT" | jq -r '.fields.review_accepted.value')" "no seller tax ID" \
	"what was accepted is kept"
run review --done "$id2"
expect_rc 1 "nothing left to accept"
expect_err "document $id2 needs no review" "why"
run review --note x
expect_rc 2 "--note without --done"
run review --done abc
expect_rc 2 "a bad id"

# a possible duplicate: the same invoice twice (other bytes)
ubl FV/2025/03/009 5260250274 100.00 23.00 >"$IN/a.xml"
ubl FV/2025/03/009 5260250274 100.00 23.00 | sed 's/Druk ulotek A5/Druk ulotek A5 (kopia)/' >"$IN/a2.xml"
run ingest "$IN/a.xml"
run ingest "$IN/a2.xml"
id4=$("$FOLIO" search --json 'ulotek kopia' | jq -r .id)
run review --json
dup=$(printf '%s' "$OUT" | jq -r "select(.id == $id4) | .possible_duplicate_of")
[ -n "$dup" ] && [ "$dup" != null ] && pass || fail "the copy is a possible duplicate: $OUT"
run review
expect_out "possible duplicate of document $dup \\(folio show $dup\\)" "said in the list"
run review --done "$id4" --json
expect_rc 0 "accept: not a duplicate"
expect_eq "$(printf '%s' "$OUT" | jq -r .status)" archived "archived"
run review --json
expect_no_out "\"id\":$id4," "closed"
run search --count "id:$id4 is:duplicate"
expect_eq "$OUT" 0 "no longer a possible duplicate"

finish
