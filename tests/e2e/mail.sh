#!/bin/sh
# E-mail messages (.eml) end to end, on the project's own messages
# (tests/fixtures/mail, made by gen_mail.py): a message is a document (its
# headers as fields, its text searchable) and every attachment one more,
# linked to it, whatever its disposition; RFC 2047 subjects, RFC 2231
# names with diacritics, windows-1250 and -1252 bodies; a forward's inner
# message and its attachment; small inline logos are no documents; bad
# mail is refused with a reason and loses nothing; from:, subject: and
# in: in search; show lists the links.
. "$(dirname "$0")/../e2e_lib.sh"

M="$FIX/mail"
run init
run ingest --json "$M/pl-faktura.eml" "$M/it-fattura-inline.eml" "$M/es-factura-xml.eml" \
	"$M/pt-reencaminhada.eml" "$M/pl-cp1250.eml" "$M/no-attachment.eml"
expect_rc 0 "ingest the messages"
ING=$OUT
status() { # path suffix -> its status
	printf '%s\n' "$ING" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .status'
}
id_of() { # path suffix -> its id
	printf '%s\n' "$ING" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .id'
}
expect_eq "$(printf '%s\n' "$ING" | jq -s 'length')" 13 "6 messages, 7 attachments"
expect_eq "$(printf '%s\n' "$ING" | jq -s '[.[] | select(.status == "quarantined")] | length')" 0 \
	"nothing quarantined"
for p in "pl-faktura.eml!/Faktura_źródło.pdf" "it-fattura-inline.eml!/Fattura_società.pdf" \
	"es-factura-xml.eml!/Factura_A-2024-0382.pdf" "es-factura-xml.eml!/A-2024-0382.xml" \
	"pl-cp1250.eml!/skan-FV-2024-03-0147.jpg" "FT_2024_118.pdf"; do
	s=$(status "$p")
	case $s in archived) pass ;; *) fail "$p: '$s'" ;; esac
done
# the inline PDF is a document, the 145-byte inline logo is not
expect_eq "$(printf '%s\n' "$ING" | jq -s '[.[] | select(.path | test("it-fattura-inline.eml!/"))] | length')" \
	1 "inline PDF in, logo out"

PL=$(id_of pl-faktura.eml)
run show --json "$PL"
expect_rc 0 "show the message"
J=$OUT
expect_eq "$(printf '%s' "$J" | jq -r .doc_type)" letter "a message is correspondence"
expect_eq "$(printf '%s' "$J" | jq -r .title)" "Faktura VAT FV/2024/03/0147 – źródło" \
	"RFC 2047 subject, split inside a word, as the title"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_from.value)" \
	"Drukarnia Wróbel <biuro@wrobel.example>" "mail_from"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_date.value)" 2024-03-14 "mail_date"
expect_eq "$(printf '%s' "$J" | jq -r '.fields.message_id.value | length > 5')" true "message_id"
expect_eq "$(printf '%s' "$J" | jq -r '.fields.invoice_number')" null \
	"no invoice fields read from the covering note"
expect_eq "$(printf '%s' "$J" | jq -c .attachments)" "[$(id_of Faktura_źródło.pdf)]" \
	"the message lists its attachment"
run show --json "$(id_of Faktura_źródło.pdf)"
expect_eq "$(printf '%s' "$OUT" | jq .attached_to)" "$PL" "the attachment names its message"
expect_eq "$(printf '%s' "$OUT" | jq -r .doc_type)" invoice "the attachment is read as an invoice"
run show "$PL"
expect_out "^attachments: $(id_of Faktura_źródło.pdf)\$"

# the forward: outer message -> inner message -> its PDF
FW=$(id_of pt-reencaminhada.eml)
INNER=$(printf '%s\n' "$ING" | jq -r 'select(.path | test("pt-reencaminhada.eml!/[^!]*[.]eml$")) | .id')
run show --json "$INNER"
expect_eq "$(printf '%s' "$OUT" | jq .attached_to)" "$FW" "the inner message belongs to the forward"
expect_eq "$(printf '%s' "$OUT" | jq -c .attachments)" "[$(id_of FT_2024_118.pdf)]" \
	"the inner message's PDF"

# legacy charsets come out as UTF-8 and are searchable
run search --count "zażółć"
expect_eq "$OUT" 1 "windows-1250 body found by its Polish words"
run show --json "$(id_of es-factura-xml.eml)"
expect_eq "$(printf '%s' "$OUT" | jq -r '.fields.mail_subject.value | test("Cerámicas")')" true \
	"windows-1252 RFC 2047 subject"

# search filters
run search --json from:wrobel
expect_rc 0 "from:"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "from: finds the sender's message"
run search --count subject:Fattura
expect_eq "$OUT" 1 "subject:"
run search --json "in:$(id_of es-factura-xml.eml)"
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'length')" 2 "in: lists a message's attachments"
run search in:abc
expect_rc 2 "in: needs a document id"
expect_err "'abc' is not a document id"

# bad mail: a reason each, and nothing lost
SUMS=$(cd "$M/bad" && sha256sum truncated.eml no-boundary.eml many-parts.eml | sha256sum)
run ingest --json "$M/bad/truncated.eml" "$M/bad/no-boundary.eml" "$M/bad/many-parts.eml" \
	"$M/bad/empty.eml"
expect_rc 1 "bad messages are quarantined"
BAD=$OUT
reason() { printf '%s\n' "$BAD" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .reason'; }
expect_eq "$(reason truncated.eml)" "malformed e-mail: the message is truncated" "truncated"
case $(reason no-boundary.eml) in
"malformed e-mail: a multipart part has no boundary"*) pass ;;
*) fail "no boundary: $(reason no-boundary.eml)" ;;
esac
expect_eq "$(reason many-parts.eml)" "message has more than max_mail_parts = 1000 parts" "10,000 parts"
expect_eq "$(reason empty.eml)" "empty file (0 bytes)" "empty"
# ingest leaves its sources as they were (folio watch moves them to quarantine)
expect_eq "$(cd "$M/bad" && sha256sum truncated.eml no-boundary.eml many-parts.eml | sha256sum)" "$SUMS" \
	"the refused messages untouched"
# path traversal in attachment names: the last component only
run ingest --json "$M/bad/traversal.eml"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.path | test("!/")) | .path' | sed 's#.*!/##' | sort | tr '\n' ' ')" \
	"evil.pdf win.pdf " "attachment names cut to their last component"
# a nesting bomb: three levels read, the next refused with the limit
run ingest --json "$M/bad/nesting-bomb.eml"
expect_rc 1 "nesting bomb"
expect_eq "$(printf '%s\n' "$OUT" | jq -s '[.[] | select(.status == "archived")] | length')" 3 \
	"levels within max_archive_depth archived"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.status == "quarantined") | .reason')" \
	"message with attachments nested deeper than max_archive_depth = 3" "the level past it refused"
finish
