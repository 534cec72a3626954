#!/bin/sh
# Outlook's formats end to end, on the project's own files
# (tests/fixtures/outlook, made by gen_outlook.py): a .msg is a message
# document like an .eml (sender, recipients, subject, date, Message-ID, the
# text, HTML or compressed RTF body searchable), every attachment a document
# linked to it, an embedded message a .msg one level deeper with its own
# attachment; a winmail.dat (TNEF) inside an e-mail gives its attachments
# and body to that message, a winmail.dat alone is a message of its own,
# an embedded message in a TNEF a winmail.dat one level deeper;
# damaged files are refused with a reason and left as they were.
. "$(dirname "$0")/../e2e_lib.sh"

O="$FIX/outlook"
run init
run ingest --json "$O/pl-faktura.msg" "$O/es-html.msg" "$O/it-rtf.msg" "$O/winmail.eml"
expect_rc 0 "ingest the Outlook messages"
ING=$OUT
status() { printf '%s\n' "$ING" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .status'; }
id_of() { printf '%s\n' "$ING" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .id'; }
expect_eq "$(printf '%s\n' "$ING" | jq -s 'length')" 11 "4 messages, an embedded one, 6 attachments"
for p in "pl-faktura.msg!/Faktura_źródło.pdf" "pl-faktura.msg!/A-2024-0382.xml" \
	"pl-faktura.msg!/Fatura FT 2024-118.msg" "Fatura FT 2024-118.msg!/FT_2024_118.pdf" \
	"it-rtf.msg!/allegato.pdf" "winmail.eml!/Fattura_società.pdf" \
	"winmail.eml!/IT01234567890_FPR02.xml"; do
	s=$(status "$p")
	case $s in archived) pass ;; *) fail "$p: '$s'" ;; esac
done

# the message's fields, as an .eml's
PL=$(id_of pl-faktura.msg)
run show --json "$PL"
J=$OUT
expect_eq "$(printf '%s' "$J" | jq -r .doc_type)" letter "a .msg is correspondence"
expect_eq "$(printf '%s' "$J" | jq -r .mime)" application/vnd.ms-outlook "its type"
expect_eq "$(printf '%s' "$J" | jq -r .title)" "Faktura VAT FV/2024/03/0147 – źródło (Outlook)" \
	"the Unicode subject as the title"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_from.value)" \
	"Drukarnia Wróbel <biuro@wrobel.example>" "mail_from: the sender and its SMTP address"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_to.value)" \
	"Księgarnia Pod Świerkiem <ksiegowosc@podswierkiem.example>" "mail_to from the recipients"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_cc.value)" \
	"Zofia Wróbel <zofia@wrobel.example>" "mail_cc"
expect_eq "$(printf '%s' "$J" | jq -r .fields.mail_date.value)" 2024-03-14 \
	"mail_date from PR_CLIENT_SUBMIT_TIME"
expect_eq "$(printf '%s' "$J" | jq -r .fields.message_id.value)" \
	"<fv-2024-03-0147.outlook@wrobel.example>" "message_id"
expect_eq "$(printf '%s' "$J" | jq -c '.attachments | sort')" \
	"$(printf '%s\n' "$(id_of Faktura_źródło.pdf)" "$(id_of A-2024-0382.xml)" \
		"$(id_of 'pl-faktura.msg!/Fatura FT 2024-118.msg')" | jq -sc 'sort')" \
	"the message lists its three attachments"
run show --json "$(id_of Faktura_źródło.pdf)"
expect_eq "$(printf '%s' "$OUT" | jq .attached_to)" "$PL" "the PDF names its message"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.invoice_number.value)" FV/2024/03/0147 \
	"the PDF is read as an invoice"
run show --json "$(id_of A-2024-0382.xml)"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.gross_total.value)" 4447.96 \
	"the UBL attachment's total"
run show "$PL"
expect_out "^attachments: "

# the embedded message: a message one level deeper, with its own PDF
INNER=$(id_of 'pl-faktura.msg!/Fatura FT 2024-118.msg')
run show --json "$INNER"
expect_eq "$(printf '%s' "$OUT" | jq .attached_to)" "$PL" "the embedded message belongs to its message"
expect_eq "$(printf '%s' "$OUT" | jq -r .doc_type)" letter "the embedded message is a message"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.mail_from.value)" \
	"Papelaria Lusitana <faturas@lusitana.example>" "its sender"
expect_eq "$(printf '%s' "$OUT" | jq -c .attachments)" "[$(id_of FT_2024_118.pdf)]" \
	"its PDF"

# the bodies: Unicode text, HTML (8-bit properties), compressed RTF
run search --count "Zażółć gęślą"
expect_eq "$OUT" 1 "the text body is searchable"
run show --json "$(id_of es-html.msg)"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.mail_subject.value)" \
	"Recordatorio – factura A-2024-0382" "a windows-1252 subject"
run text "$(id_of es-html.msg)"
expect_out "^Les recordamos la factura A-2024-0382 de Cerámicas del Guadalquivir" \
	"the HTML body as text"
expect_no_out "<p>" "no tags left"
run text "$(id_of it-rtf.msg)"
expect_out "in allegato la fattura n. 2024/104 della Società Ceramiche di Torino" \
	"the compressed RTF body as text"
expect_no_out "fonttbl|rtf1" "no RTF control words left"

# winmail.dat in an e-mail: its attachments are the message's, its text the body
W=$(id_of winmail.eml)
run show --json "$W"
expect_eq "$(printf '%s' "$OUT" | jq -c '.attachments | sort')" \
	"$(printf '%s\n' "$(id_of Fattura_società.pdf)" "$(id_of IT01234567890_FPR02.xml)" | jq -sc 'sort')" \
	"the TNEF's attachments belong to the message"
expect_eq "$(printf '%s\n' "$ING" | jq -s '[.[] | select(.path | test("winmail.dat"))] | length')" 0 \
	"winmail.dat itself is no document"
run show --json "$(id_of IT01234567890_FPR02.xml)"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.invoice_number.value)" FPR-2024-0002 \
	"the FatturaPA in the TNEF is read"
expect_eq "$(printf '%s' "$OUT" | jq .attached_to)" "$W" "and names the message"

# winmail.dat on its own: a message document with its attachments
run init --archive "$WORK/tnef"
run --archive "$WORK/tnef" ingest --json "$O/winmail.dat"
expect_rc 0 "a winmail.dat alone"
T=$OUT
expect_eq "$(printf '%s\n' "$T" | jq -s 'length')" 3 "the TNEF and its two attachments"
id=$(printf '%s\n' "$T" | jq -r 'select(.path | endswith("winmail.dat")) | .id')
run --archive "$WORK/tnef" show --json "$id"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.doc_type, .fields.mail_subject.value, .fields.mail_date.value] | join(" ")')" \
	"letter Fattura FPR-2024-0002 2024-04-15" "its type, subject and date"
run --archive "$WORK/tnef" search --count "formato RTF"
expect_eq "$OUT" 1 "its body is searchable"

# a TNEF with an embedded message (forwarded as an attachment): that
# message is a winmail.dat one level deeper, with its own attachments
run init --archive "$WORK/fwd"
run --archive "$WORK/fwd" ingest --json "$O/winmail-forward.dat"
expect_rc 0 "a winmail.dat with an embedded message"
F=$OUT
expect_eq "$(printf '%s
' "$F" | jq -r -s '[.[] | "\(.path | sub(".*/outlook/"; "")) \(.status)"] | sort | join(";")')" \
	"winmail-forward.dat archived;winmail-forward.dat!/Fattura FPR-2024-0002.dat archived;winmail-forward.dat!/Fattura FPR-2024-0002.dat!/Fattura_società.pdf archived;winmail-forward.dat!/Fattura FPR-2024-0002.dat!/IT01234567890_FPR02.xml archived" \
	"the forward, the embedded message and its two attachments"
inner=$(printf '%s
' "$F" | jq -r 'select(.path | endswith("FPR-2024-0002.dat")) | .id')
outer=$(printf '%s
' "$F" | jq -r 'select(.path | endswith("winmail-forward.dat")) | .id')
run --archive "$WORK/fwd" show --json "$inner"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.doc_type, .fields.mail_subject.value, (.attached_to | tostring), (.attachments | length | tostring)] | join(" ")')" \
	"letter Fattura FPR-2024-0002 $outer 2" \
	"the embedded message: its subject, attached to the forward, its two attachments"
run --archive "$WORK/fwd" search --count 'type:invoice'
expect_eq "$OUT" 2 "the embedded message's FatturaPA and PDF are read"

# damaged files: a reason each, nothing lost
B="$O/bad"
SUMS=$(cd "$B" && sha256sum ./* | sha256sum)
printf 'max_mail_parts = 5\n' >"$WORK/five.conf"
run init --archive "$WORK/bad"
run --archive "$WORK/bad" --config "$WORK/five.conf" ingest --json "$B/truncated.msg" \
	"$B/bad-chain.msg" "$B/fat-loop.msg" "$B/not-a-message.msg" "$B/many.msg" \
	"$B/truncated.dat" "$B/bad-checksum.dat"
expect_rc 1 "damaged Outlook files are quarantined"
BAD=$OUT
reason() { printf '%s\n' "$BAD" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .reason'; }
expect_eq "$(printf '%s\n' "$BAD" | jq -s '[.[] | select(.status == "quarantined")] | length')" 7 \
	"all seven refused"
expect_eq "$(reason truncated.msg)" \
	"damaged Outlook message: a stream's sector chain is broken" "truncated .msg"
case $(reason bad-chain.msg) in
"damaged Outlook message: "?*) pass ;;
*) fail "bad chain: $(reason bad-chain.msg)" ;;
esac
expect_eq "$(reason fat-loop.msg)" \
	"damaged Outlook message: a stream's sector chain is broken" "a looping chain"
expect_eq "$(reason not-a-message.msg)" "not an Outlook message: no property stream" \
	"a compound file without a message"
expect_eq "$(reason many.msg)" "message has more than max_mail_parts = 5 parts" \
	"six attachments over max_mail_parts"
case $(reason truncated.dat) in
"damaged TNEF: truncated "*) pass ;;
*) fail "truncated TNEF: $(reason truncated.dat)" ;;
esac
case $(reason bad-checksum.dat) in
"damaged TNEF: the attribute at byte "*" fails its checksum") pass ;;
*) fail "bad checksum: $(reason bad-checksum.dat)" ;;
esac
expect_eq "$(cd "$B" && sha256sum ./* | sha256sum)" "$SUMS" "the refused files untouched"
finish
