#!/bin/sh
# Search forgives everyday strings: words with punctuation are the phrases
# they are, tax-ID filters go by the names people use, a mistyped filter or
# type gets the fix, and only a truly ambiguous query is an error.
. "$(dirname "$0")/../e2e_lib.sh"

mkdir -p "$WORK/in"
printf 'Fattura 12\nCedente: Rossi Forniture S.r.l. P.IVA 00743110157\nTotale documento 122,00\nl%sIVA esposta\n' "'" \
	>"$WORK/in/it.txt"
printf 'Factura 7\nEmisor: Ejemplo Comercial S.L. NIF B12345674\nContacto: jan.kowalski@firma.pl\nTel:600100200\n' \
	>"$WORK/in/es.txt"
printf 'Faktura VAT 3\nSprzedawca: Drukarnia Nowak Sp. z o.o.\nNIP 526-000-12-46\n' >"$WORK/in/pl.txt"
run ingest "$WORK/in"
expect_rc 0 "ingest three notes"

# count QUERY EXPECTED DESCRIPTION
count() {
	run search --count "$1"
	if [ "$RC" -eq 0 ] && [ "$OUT" = "$2" ]; then pass; else
		fail "$3: '$1' gave exit $RC, '$OUT' (expected $2) $ERR"; fi
}
count 'P.IVA' 1 "an abbreviation with dots"
count "l'IVA" 1 "an elided article"
count 'S.L.' 1 "a company form"
count 'Sp. z o.o.' 1 "a company form of several words"
count 'jan.kowalski@firma.pl' 1 "an e-mail address"
count 'Tel:600100200' 1 "a label and its value as printed"
count 'NIF:B12345678' 0 "an unknown label: searched as text, not an error"
count 'nif:B12345674' 1 "nif: is a tax-ID filter"
count 'NIF:B12345674' 1 "in any case"
count 'piva:00743110157' 1 "piva: too"
count 'nip:5260001246' 1 "and nip:"
count 'cf:IT00743110157' 1 "cf: with the country prefix"
count 'type:payslip' 0 "a type folio does not write may be a user's own"
count '"S.L."' 1 "the explicit syntax still works"

run search 'tpye:invoice'
expect_rc 2 "a filter mistyped"
expect_err "did you mean 'type:'\\?" "suggests the filter"
run search 'type:invoce'
expect_rc 2 "a type mistyped"
expect_err "no type 'invoce'; did you mean 'invoice'\\?" "suggests the type"
run search 'status:archvied'
expect_rc 2 "a status mistyped"
expect_err "did you mean 'archived'\\?" "suggests the status"
run search 'faktura AND'
expect_rc 2 "a dangling AND"
expect_err "AND needs a word on each side" "says what is wrong"
expect_err "quote it" "and how to search for the word"
finish
