#!/bin/sh
# Archive serial numbers from barcodes: set from a Code 128 or QR label
# matching asn_pattern, found by search and cat --asn, unique per archive.
. "$(dirname "$0")/../e2e_lib.sh"

zint -b 20 -d "ASN000123" --height=40 --scale=3 -o "$WORK/a1.png" >/dev/null
zint -b 20 -d "ASN000123" --height=60 --scale=3 -o "$WORK/a2.png" >/dev/null
zint -b 58 -d "ASN77" --scale=4 -o "$WORK/a3.png" >/dev/null
zint -b 20 -d "INV-2024-1" --height=40 --scale=3 -o "$WORK/plain.png" >/dev/null

run ingest --json "$WORK/a1.png"
expect_rc 0 "ingest a page with an ASN label"
A1=$(printf '%s\n' "$OUT" | jq -r .id)
run show --json "$A1"
printf '%s' "$OUT" | jq -e '.fields.asn.value == "123" and .fields.asn.source == "qr" and
	.fields.asn.raw == "ASN000123" and (.codes[0].type == "CODE-128")' >/dev/null &&
	pass || fail "the ASN field: $(printf '%s' "$OUT" | jq -c '.fields.asn, .codes')"
run search --json 'asn:123'
expect_out "\"id\":$A1[,}]" "search asn:123"
run search --count 'asn:ASN000123'
expect_eq "$OUT" 1 "search asn: with the printed form"
"$FOLIO" cat --asn 123 >"$WORK/out.png" && cmp -s "$WORK/out.png" "$WORK/a1.png" &&
	pass || fail "cat --asn 123 gives the original"
"$FOLIO" cat --asn ASN000123 >"$WORK/out.png" && cmp -s "$WORK/out.png" "$WORK/a1.png" &&
	pass || fail "cat --asn ASN000123"
run cat --asn 999
expect_rc 1 "cat --asn of an unknown ASN"
expect_err "no document with archive serial number 999" "its message"
run cat --asn 12x
expect_rc 2 "cat --asn with garbage"
run cat --asn 123 "$A1"
expect_rc 2 "cat with an id and --asn"

# a second paper with the same label: quarantined with the reason
run ingest --json "$WORK/a2.png"
expect_rc 1 "a duplicate ASN fails that document"
expect_out '"status":"quarantined"' "quarantined"
expect_out "archive serial number 123 is already document $A1" "the reason names the first"
run ingest --json "$WORK/a3.png" "$WORK/plain.png"
expect_rc 0 "a QR ASN and a page without one"
A3=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("a3.png")) | .id')
P=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("plain.png")) | .id')
run show --json "$A3"
expect_out '"asn":\{"value":"77"' "ASN from a QR code"
run show --json "$P"
expect_no_out '"asn":' "a barcode that is not an ASN sets none"
expect_out '"data":"INV-2024-1"' "but is kept with the page"

# the pattern is configurable; a bad one is a config error
printf 'asn_pattern = INV-[0-9]+-[0-9]+\n' >"$WORK/c.conf"
run --config "$WORK/c.conf" --archive "$WORK/arc2" ingest --json "$WORK/plain.png"
expect_rc 0 "custom asn_pattern"
expect_eq "$("$FOLIO" --archive "$WORK/arc2" show --json 1 | jq -r .fields.asn.value)" 20241 \
	"its digits"
printf 'asn_pattern = ASN[0-9\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" --archive "$WORK/arc3" ingest "$WORK/a1.png"
expect_rc 1 "a bad asn_pattern"
expect_err "asn_pattern" "names the key"
finish
