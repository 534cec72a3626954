#!/bin/sh
# The operator's contract: exit codes a script can use (search with no hit,
# export with a refusal, status without a daemon, a missing name given to
# ingest), -q/-v and --color on every command, NO_COLOR and TERM=dumb,
# --json on the commands that report something, and the daemon's log lines
# under journald (priorities, no second time stamp) and at each log_level.
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/in"
mkdir -p "$IN"
printf 'Faktura VAT nr FV/2024/03/0147\nSprzedawca: Drukarnia Nowak Sp. z o.o.\nNIP 526-000-12-46\nData wystawienia: 2024-03-14\nRazem do zaplaty: 123,00 PLN\n' \
	>"$IN/fv.txt"
printf 'Notatka o spotkaniu z dostawca\n' >"$IN/note.txt"

# ---- ingest: a missing name is a usage error, -q and -v
run ingest "$IN/nope.pdf"
expect_rc 2 "ingest of a missing name"
expect_err "ingest: .*nope.pdf: no such file or folder" "the name is given"
run ingest -q "$IN/fv.txt"
expect_rc 0 "ingest -q"
expect_eq "$OUT" "" "ingest -q prints no archived line"
expect_eq "$ERR" "" "ingest -q prints no summary"
run --verbose ingest "$IN/note.txt"
expect_rc 0 "ingest --verbose (global)"
expect_out '^archived .*note.txt .*\[[0-9]+\.[0-9]+ s\]$' "-v adds the time"
expect_err "1 archived, 0 duplicate, 0 quarantined" "-v prints the summary off a terminal"
cp "$FIX/bad/random.bin" "$IN/bad.pdf"
run ingest -q "$IN/bad.pdf" "$IN/fv.txt"
expect_rc 1 "ingest -q with a quarantined file"
expect_out '^quarantined .*bad.pdf' "-q keeps the quarantined line"
expect_no_out '^duplicate' "-q drops the duplicate line"
run ingest -v "$IN/bad.pdf"
expect_out '^quarantined .*bad.pdf: .*\[[0-9.]+ s, stage [a-z]+\]$' "-v names the stage"

# ---- search: exit 1 for no hit (grep's contract), 0 for --count
run search zzzznothing
expect_rc 1 "search with no hit"
expect_eq "$OUT" "" "nothing printed"
run search --json zzzznothing
expect_rc 1 "search --json with no hit"
run search --csv zzzznothing
expect_rc 1 "search --csv with no hit"
run search --count zzzznothing
expect_rc 0 "search --count with no hit"
expect_eq "$OUT" 0 "count 0"
run search drukarnia
expect_rc 0 "search with a hit"
run search --offset 5 drukarnia
expect_rc 1 "nothing past the offset: no hit printed"
run search 'type:invoce'
expect_rc 2 "a usage error stays 2"

# ---- colour: never by default off a terminal; --color=always forces it,
# NO_COLOR and TERM=dumb do not override an explicit always
run search drukarnia
expect_out '\[Drukarnia\]' "off a terminal, hits in brackets"
run search --color=always drukarnia
expect_out "$(printf '\033')\\[1;33mDrukarnia" "--color=always highlights"
NO_COLOR=1 run --color=always search drukarnia
expect_out "$(printf '\033')\\[1;33m" "an explicit always wins over NO_COLOR"
run search --color=never drukarnia
expect_out '\[Drukarnia\]' "--color=never"
run search --color=sometimes drukarnia
expect_rc 2 "a bad --color"
expect_err "auto, always or never" "the choices"
# a terminal, when script(1) is there: NO_COLOR and TERM=dumb turn it off
if command -v script >/dev/null 2>&1; then
	tty_out() { # ENV... -- runs folio search drukarnia on a pseudo-terminal
		env "$@" script -qec "\"$FOLIO\" search drukarnia" /dev/null 2>/dev/null | tr -d '\r'
	}
	# (the table's header is bold; the hit may be past the snippet's cut)
	o=$(tty_out TERM=xterm)
	printf '%s' "$o" | grep -q "$(printf '\033')\\[1m" && pass || fail "a terminal gets colour: $o"
	o=$(tty_out TERM=xterm NO_COLOR=1)
	printf '%s' "$o" | grep -q "$(printf '\033')" && fail "NO_COLOR: $o" || pass
	o=$(tty_out TERM=dumb)
	printf '%s' "$o" | grep -q "$(printf '\033')" && fail "TERM=dumb: $o" || pass
	o=$(tty_out TERM=xterm NO_COLOR=)
	printf '%s' "$o" | grep -q "$(printf '\033')\\[1m" && pass || fail "an empty NO_COLOR is unset: $o"
fi

# ---- --json on the commands that report something
id=$("$FOLIO" search --json drukarnia | jq -r '.id')
run tag --json "$id" +pilne +q1
expect_rc 0 "tag --json"
expect_eq "$(printf '%s' "$OUT" | jq -c .)" "{\"id\":$id,\"tags\":[\"pilne\",\"q1\"]}" "tag's object"
run tag "$id" -q1
expect_eq "$OUT" "pilne" "-q1 is a tag to remove in folio tag, not --quiet"
run tag --quiet "$id" +x
expect_eq "$OUT" "" "tag --quiet"
run tag "$id" --frobnicate
expect_rc 2 "an unknown long option of tag"
run retype --json "$id" invoice
expect_eq "$(printf '%s' "$OUT" | jq -c .)" "{\"id\":$id,\"doc_type\":\"invoice\"}" "retype's object"
run fix --json "$id" gross_total=123.00 due_date=2024-04-14
expect_rc 0 "fix --json"
expect_eq "$(printf '%s' "$OUT" | jq -r '.fields.gross_total + " " + .fields.due_date + " " + (.id|tostring)')" \
	"123.00 2024-04-14 $id" "fix's fields as stored"
run verify --json
expect_rc 0 "verify --json"
expect_eq "$(printf '%s' "$OUT" | jq -c '[.ok, .problems, .messages, .fts_checked]')" \
	'[true,0,[],true]' "verify's object"
run verify -q
expect_eq "$OUT$ERR" "" "verify -q on a sound archive says nothing"
run templates --json
expect_rc 0 "templates --json"
expect_no_out '^#' "no TSV header in JSON"
printf '%s' "$OUT" | jq -e 'select(.field == "gross_total") | .hits >= 1' >/dev/null && pass ||
	fail "templates: the learnt box: $OUT"
# a broken original: verify --json lists it and exits 1
f=$(find "$FOLIO_ARCHIVE/store" -type f | head -n 1)
chmod u+w "$f" "$(dirname "$f")" 2>/dev/null
printf 'x' >>"$f"
run verify --json
expect_rc 1 "verify --json with a problem"
expect_eq "$(printf '%s' "$OUT" | jq -r '.ok, .problems')" "$(printf 'false\n1')" "one problem"
printf '%s' "$OUT" | jq -e '.messages[0] | test("original is [0-9]+ bytes, expected")' >/dev/null && pass ||
	fail "the problem's text: $OUT"

# ---- init --json
run --archive "$WORK/a4" init --json
expect_eq "$(printf '%s' "$OUT" | jq -r '(.archive | endswith("/a4")), (.schema | type)')" \
	"$(printf 'true\nnumber')" "init --json"

# ---- status: exit 3 without a daemon
run status
expect_rc 3 "status without a daemon"
expect_out "not running" "says so"
run status --json
expect_rc 3 "status --json without a daemon"
expect_eq "$(printf '%s' "$OUT" | jq -r .alive)" false "alive false"

# ---- export: exit 1 when an invoice is refused, the rest written
A2="$WORK/a2"
cat >"$WORK/de.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>RE-77</cbc:ID><cbc:IssueDate>2025-03-01</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Muster GmbH</cbc:Name></cac:PartyName><cac:PartyTaxScheme><cbc:CompanyID>DE136695976</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Kunde AG</cbc:Name></cac:PartyName><cac:PartyTaxScheme><cbc:CompanyID>DE129273398</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingCustomerParty>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Wartung</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>
EOF
run --archive "$A2" ingest "$WORK/de.xml"
expect_rc 0 "ingest a German e-invoice"
run --archive "$A2" export --to ksef --out "$WORK/ksef" -q
expect_rc 1 "export with a refused invoice exits 1"
expect_err "refused .*RE-77" "-q still reports the refusal"
expect_no_out . "nothing on stdout"
run --archive "$A2" export --to csv --out "$WORK/x.csv" -q
expect_rc 0 "export with nothing refused exits 0"
expect_eq "$ERR" "" "export -q on success says nothing"
[ -s "$WORK/x.csv" ] && pass || fail "the csv was written"

# ---- one name per field across --json, JSONL and CSV (old keys kept)
run search --json drukarnia
expect_eq "$(printf '%s' "$OUT" | jq -c '[.total, .gross_total, (.gross_total | type)]')" '[123,123,"number"]' \
	"search: gross_total beside total, a number"
run --archive "$A2" export --to jsonl --out - --set target=keys
expect_eq "$(printf '%s' "$OUT" | jq -r '.invoice | .number + " " + .invoice_number + " " + (.gross_total|type)')" \
	"RE-77 RE-77 number" "jsonl: invoice_number beside number, amounts as numbers"

# ---- watch: log_level and journald priorities
W="$WORK/inbox"
mkdir -p "$W"
printf 'settle_ms = 100\npoll_ms = 100\n' >"$WORK/w.conf"
cp "$IN/bad.pdf" "$W/bad.pdf"
printf 'Rachunek 5\n' >"$W/r.txt"
: >"$WORK/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal") \
	"$FOLIO" --archive "$WORK/a3" --config "$WORK/w.conf" watch --once "$W" 2>>"$WORK/journal"
expect_eq "$?" 1 "watch --once with a quarantined file"
grep -q '^<4>quarantined .*bad.pdf' "$WORK/journal" && pass ||
	fail "a quarantine is a warning (<4>): $(cat "$WORK/journal")"
grep -q '^<6>archived .*r.txt' "$WORK/journal" && pass ||
	fail "an archived file is info (<6>): $(cat "$WORK/journal")"
grep -q '^<[0-7]>[0-9]\{4\}-' "$WORK/journal" && fail "a second time stamp under journald" || pass
grep -qv '^<[0-7]>' "$WORK/journal" && fail "a line without priority: $(cat "$WORK/journal")" || pass
# off the journal: time-stamped lines; -q keeps warnings, -v adds debug
cp "$IN/bad.pdf" "$W/bad2.pdf"
printf 'Rachunek 6\n' >"$W/r6.txt"
run --archive "$WORK/a3" --config "$WORK/w.conf" watch --once -q "$W"
expect_rc 1 "watch -q"
expect_err '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z quarantined .*bad2.pdf' "-q keeps the warning"
if printf '%s\n' "$ERR" | grep -q 'archived\|watching'; then fail "-q logs info: $ERR"; else pass; fi
printf 'Rachunek 7\n' >"$W/r7.txt"
run --archive "$WORK/a3" --config "$WORK/w.conf" watch --once -v "$W"
expect_rc 0 "watch -v"
expect_err 'taking .*r7.txt' "-v logs each file as it is taken"
printf 'log_level = loud\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" status
expect_rc 2 "a bad log_level"
expect_err "'log_level' is 'debug', 'info', 'warning' or 'error'" "the choices"

finish
