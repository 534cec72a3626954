#!/bin/sh
# SDI's notices (Italian e-invoicing) end to end, on the project's own
# files (tests/fixtures/signed/sdi, made by gen_signed.sh): each notice is a
# document of its own (sdi_notice, sdi_id, sdi_file, sdi_time, sdi_outcome,
# sdi_errors, sdi_message_id; its text in words, searchable; no invoice
# fields) linked to the invoice file it describes, by the file's name:
# show of a notice names the invoice, show of the invoice lists its
# notices, whichever came first; a signed notice (.xml.p7m) and one that
# came by PEC are read through their layers; a notice about a file that
# is not in the archive names none.
. "$(dirname "$0")/../e2e_lib.sh"

S="$FIX/signed"
run init
# the notices first: their invoices are not in yet
run ingest --json "$S"/sdi/*
expect_rc 0 "ingest the notices"
N=$OUT
id_of() { printf '%s\n' "$N" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .id'; }
N_RC=$(id_of IT01234567890_00001_RC_001.xml)
N_MT=$(id_of IT01234567890_00001_MT_001.xml)
N_NE=$(id_of IT01234567890_00001_NE_001.xml)
N_EC=$(id_of IT01234567890_00001_EC_001.xml)
N_NS=$(id_of '.p7m!/IT01234567890_00002_NS_001.xml')
N_MC=$(id_of IT01234567890_00004_MC_001.xml)
N_PRC=$(id_of 'pec-ricevuta.eml!/IT01234567890_00003_RC_001.xml')
for id in "$N_RC" "$N_MT" "$N_NE" "$N_EC" "$N_NS" "$N_MC" "$N_PRC"; do
	case $id in '' | null) fail "a notice is missing: $N" ;; *) pass ;; esac
done
run show --json "$N_RC"
J=$OUT
expect_eq "$(printf '%s' "$J" | jq -r '[.doc_type, .type_reason] | join(" / ")')" \
	"other / SDI notice (RC)" "a notice is no invoice"
expect_eq "$(printf '%s' "$J" | jq -r '[.fields.sdi_notice.value, .fields.sdi_id.value,
	.fields.sdi_file.value, .fields.sdi_time.value, .fields.sdi_outcome.value,
	.fields.sdi_message_id.value] | join(" ")')" \
	"RC 4711001 IT01234567890_00001.xml.p7m 2024-04-15T09:30:12.000+02:00 delivered 9876543" \
	"the RC's kind, SDI id, file, delivery time, outcome, message id"
expect_eq "$(printf '%s' "$J" | jq -r '.fields.invoice_number // .fields.gross_total // "none"')" \
	none "no invoice fields read from a notice"
expect_eq "$(printf '%s' "$J" | jq .sdi_invoice)" null "no invoice yet"
run show --json "$N_NS"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.sdi_errors.value)" \
	"00404: Fattura duplicata; 00102: File non integro (firma non valida)" "the NS's errors"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.fields.sdi_outcome.value, .fields.signature.value] | join(" / ")')" \
	"rejected by SDI / valid" "a signed notice: its outcome and its signature"
run show --json "$N_NE"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.sdi_outcome.value)" "EC01 (accepted)" \
	"the NE's outcome"
run text "$N_RC"
expect_out "^SDI notice RC \(ricevuta di consegna\)$" "the notice in words"
expect_out "^File: IT01234567890_00001.xml.p7m$"
run search --count "Fattura duplicata"
expect_eq "$OUT" 1 "a notice's errors are searchable"

# now the invoices: the links are there, whichever came first
# _00001 before the others: _00002 signs the same XML, and whichever of
# the two a worker finished first held the invoice (a parallel ingest of
# all three failed a CI run that way)
run ingest --json "$S/IT01234567890_00001.xml.p7m"
expect_rc 0 "ingest the first signed invoice"
I=$OUT
run ingest --json "$S/IT01234567890_00002.xml.p7m" "$S/IT01234567890_00003.xml.p7m"
expect_rc 0 "ingest the signed invoices"
I=$(printf '%s\n%s\n' "$I" "$OUT")
inv() { printf '%s\n' "$I" | jq -r --arg p "$1" 'select(.path | endswith($p)) | .id'; }
INV1=$(inv '!/IT01234567890_00001.xml')
ENV2=$(inv 'IT01234567890_00002.xml.p7m')
ENV3=$(inv 'IT01234567890_00003.xml.p7m')
run show --json "$N_RC"
expect_eq "$(printf '%s' "$OUT" | jq .sdi_invoice)" "$INV1" \
	"the RC names the invoice (the signed file's content)"
run show --json "$INV1"
expect_eq "$(printf '%s' "$OUT" | jq -c .sdi_notices)" \
	"$(printf '%s\n' "$N_RC" "$N_MT" "$N_NE" "$N_EC" | sort -n | jq -sc .)" "the invoice lists its four notices"
expect_eq "$(printf '%s' "$OUT" | jq -r .doc_type)" invoice "and is still the invoice"
run show "$INV1"
expect_out "^sdi notices: $(printf '%s\n' "$N_RC" "$N_MT" "$N_NE" "$N_EC" | sort -n | tr '\n' ' ' | sed 's/ $//')\$"
run show "$N_RC"
expect_out "^sdi notice: about document $INV1 "
# _00002's content is _00001's (not stored twice): its notice names its envelope
run show --json "$N_NS"
expect_eq "$(printf '%s' "$OUT" | jq .sdi_invoice)" "$ENV2" "the signed NS names _00002"
run show --json "$ENV2"
expect_eq "$(printf '%s' "$OUT" | jq -c .sdi_notices)" "[$N_NS]" "_00002 lists its NS"
run show --json "$N_PRC"
expect_eq "$(printf '%s' "$OUT" | jq .sdi_invoice)" "$ENV3" "the RC that came by PEC names _00003"
run show --json "$N_EC"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.sdi_invoice, .fields.sdi_outcome.value, .fields.sdi_file] | map(tostring) | join(" ")')" \
	"$INV1 EC02 (refused) null" "an esito committente names no file: linked by its SDI id"
run show --json "$N_MC"
expect_eq "$(printf '%s' "$OUT" | jq .sdi_invoice)" null "no _00004 in the archive"
run show --json "$(inv 'IT01234567890_00001.xml.p7m')"
expect_eq "$(printf '%s' "$OUT" | jq -c .sdi_notices)" "[]" \
	"the notices belong to the invoice, not to its signed envelope"

# a file in SDI's namespace that is no notice: read as any XML file
printf '<?xml version="1.0"?>\n<x:Altro xmlns:x="http://www.fatturapa.gov.it/sdi/messaggi/v1.0"><Nota>prova</Nota></x:Altro>\n' \
	>"$WORK/altro.xml"
run ingest --json "$WORK/altro.xml"
expect_rc 0 "an unknown SDI message"
id=$(printf '%s\n' "$OUT" | jq -r .id)
run show --json "$id"
expect_eq "$(printf '%s' "$OUT" | jq -r '.fields.sdi_notice // "none"')" none "is no notice"

# the other order: the invoice first, then its notice
run init --archive "$WORK/b"
run --archive "$WORK/b" ingest --json "$S/IT01234567890_00001.xml.p7m"
id=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("!/IT01234567890_00001.xml")) | .id')
run --archive "$WORK/b" ingest --json "$S/sdi/IT01234567890_00001_RC_001.xml"
rc=$(printf '%s\n' "$OUT" | jq -r .id)
run --archive "$WORK/b" show --json "$id"
expect_eq "$(printf '%s' "$OUT" | jq -c .sdi_notices)" "[$rc]" "a notice after its invoice"
finish
