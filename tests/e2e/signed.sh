#!/bin/sh
# CMS-signed e-invoices (.p7m) end to end, on the project's own files
# (tests/fixtures/signed, made by gen_signed.sh with a test signer): DER,
# base64 and PEM forms give the signed original and its content, the
# invoice read from the content, both with the signer, the signature's
# verdict and the chain's; a changed byte makes the signature invalid; a
# detached or truncated signature is refused with the reason; a .p7m
# attached to an e-mail is read through both layers; a PEC envelope's
# certificate; S/MIME-signed messages.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/signed"
run init
run ingest --json "$S/IT01234567890_00001.xml.p7m"
expect_rc 0 "ingest a DER .p7m"
ING=$OUT
expect_eq "$(printf '%s\n' "$ING" | jq -s 'length')" 2 "the envelope and its content"
ENV=$(printf '%s\n' "$ING" | jq -r 'select(.path | endswith(".p7m")) | .id')
XML=$(printf '%s\n' "$ING" | jq -r 'select(.path | endswith("!/IT01234567890_00001.xml")) | .id')
run show --json "$ENV"
J=$OUT
expect_eq "$(printf '%s' "$J" | jq -r .mime)" application/pkcs7-mime "the envelope's type"
expect_eq "$(printf '%s' "$J" | jq -r .doc_type)" other "the envelope is no invoice itself"
expect_eq "$(printf '%s' "$J" | jq -c .attachments)" "[$XML]" "the envelope lists its content"
expect_eq "$(printf '%s' "$J" | jq -r .fields.signature.value)" valid "the signature verifies"
expect_eq "$(printf '%s' "$J" | jq -r .fields.signed_by.value)" \
	"serialNumber=TINIT-RSSMRA80A01H501U,CN=Mario Rossi,O=Ceramiche Test S.r.l.,C=IT" \
	"the signer's subject"
case $(printf '%s' "$J" | jq -r .fields.signature_chain.value) in
"not trusted: "*) pass ;;
*) fail "a self-signed test signer is not trusted: $(printf '%s' "$J" | jq -r .fields.signature_chain.value)" ;;
esac
run show --json "$XML"
J=$OUT
expect_eq "$(printf '%s' "$J" | jq .attached_to)" "$ENV" "the content names its envelope"
expect_eq "$(printf '%s' "$J" | jq -r .doc_type)" invoice "the content is an invoice"
expect_eq "$(printf '%s' "$J" | jq -r .fields.invoice_number.value)" A-2024-0382 "read from the content"
expect_eq "$(printf '%s' "$J" | jq -r .fields.gross_total.value)" 4447.96 "its gross total"
expect_eq "$(printf '%s' "$J" | jq -r .fields.signature.value)" valid "the content knows its signature"
run cat "$XML"
expect_out "<cbc:ID>A-2024-0382</cbc:ID>"

# base64 and PEM: the same content, so the same document
run ingest --json "$S/IT01234567890_00002.xml.p7m" "$S/IT01234567890_00003.xml.p7m"
expect_rc 0 "base64 and PEM forms"
expect_eq "$(printf '%s\n' "$OUT" | jq -cs '[.[] | select(.path | endswith(".p7m")) | .status] | unique')" \
	'["archived"]' "each envelope archived"
expect_eq "$(printf '%s\n' "$OUT" | jq -s '[.[] | select(.path | endswith(".xml"))] | length')" 2 \
	"each gives its content"

# a changed byte: archived, and said to be invalid
run ingest --json "$S/bad/tampered.xml.p7m"
T=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("!/tampered.xml")) | .id')
run show --json "$T"
case $(printf '%s' "$OUT" | jq -r .fields.signature.value) in
"invalid: "*) pass ;;
*) fail "tampered: $(printf '%s' "$OUT" | jq -r .fields.signature.value)" ;;
esac
# refused with the reason
run ingest --json "$S/bad/detached.xml.p7m" "$S/bad/truncated.xml.p7m"
expect_rc 1 "detached and truncated signatures"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("detached.xml.p7m")) | .reason')" \
	"a detached signature: the signed file is not inside" "detached"
case $(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("truncated.xml.p7m")) | .reason') in
"not a readable CMS signature: "*) pass ;;
*) fail "truncated: $OUT" ;;
esac

# an e-mail carrying a .p7m: message -> envelope -> invoice
run init --archive "$WORK/pec"
run --archive "$WORK/pec" ingest --json "$S/pec-fattura.eml"
expect_rc 0 "a message with a signed invoice"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.doc_type' | sort | tr '\n' ' ')" "invoice letter other " \
	"the message, the envelope, the invoice"

# an Italian PEC envelope: the certificate as fields of the message, the
# message sent (postacert.eml) and its signed invoice as documents
run init --archive "$WORK/pecenv"
run --archive "$WORK/pecenv" ingest --json "$S/pec-envelope.eml"
expect_rc 0 "a PEC envelope"
P=$OUT
expect_eq "$(printf '%s\n' "$P" | jq -r '.doc_type' | sort | tr '\n' ' ')" \
	"invoice letter letter other " "envelope, postacert.eml, the .p7m, the invoice"
expect_eq "$(printf '%s\n' "$P" | jq -s '[.[] | select(.path | test("daticert"))] | length')" 0 \
	"daticert.xml is no document"
id=$(printf '%s\n' "$P" | jq -r 'select(.path | endswith("pec-envelope.eml")) | .id')
run --archive "$WORK/pecenv" show --json "$id"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.fields.pec_type.value, .fields.pec_sender.value,
	.fields.pec_time.value, .fields.pec_id.value] | join(" ")')" \
	"posta-certificata sdi01@pec.fatturapa.it 2024-04-15T09:30:12+0200 opec210.20240415093012.00001@pec.example" \
	"the PEC certificate's type, sender, time and identifier"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.signature.value)" valid "the provider's signature"

# S/MIME-signed messages: the signature is checked on the message, and is
# no attachment; a changed word makes it invalid
run init --archive "$WORK/smime"
run --archive "$WORK/smime" ingest --json "$S/smime-signed.eml" "$S/bad/smime-tampered.eml"
expect_rc 0 "S/MIME-signed messages"
SM=$OUT
expect_eq "$(printf '%s\n' "$SM" | jq -s '[.[] | select(.path | test("[.]p7s$"))] | length')" 0 \
	"the signature part is no document"
for f in smime-signed.eml smime-tampered.eml; do
	id=$(printf '%s\n' "$SM" | jq -r --arg f "$f" 'select(.path | endswith($f)) | .id')
	run --archive "$WORK/smime" show --json "$id"
	expect_eq "$(printf '%s' "$OUT" | jq -r .doc_type)" letter "$f: a message"
	expect_eq "$(printf '%s' "$OUT" | jq -r .fields.signed_by.value | grep -c 'CN=Mario Rossi')" 1 \
		"$f: the signer"
	sig=$(printf '%s' "$OUT" | jq -r .fields.signature.value)
	case $f:$sig in
	smime-signed.eml:valid | smime-tampered.eml:invalid:*) pass ;;
	*) fail "$f: signature '$sig'" ;;
	esac
done
finish
