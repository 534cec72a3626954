#!/bin/sh
# A back office's own fields and notes: fields declared in the config's
# custom_fields set with folio fix, notes added with folio note; both
# searchable and exported (CSV columns, JSONL, UBL cbc:Note, CII
# IncludedNote); bad names and values refused with the reason.
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/in"
mkdir -p "$IN"
ubl FV/2025/03/021 5260250274 100.00 23.00 >"$IN/a.xml"
printf 'custom_fields = cost_center, project\n' >"$WORK/f.conf"
C="--config $WORK/f.conf"
run $C ingest "$IN/a.xml"
expect_rc 0 "ingest"
id=$("$FOLIO" search --json 'ulotek' | jq -r .id)

# ---- custom fields
run $C fix "$id" cost_center=4711 "project=Biuro Łódź"
expect_rc 0 "fix of declared fields"
expect_out "cost_center +4711" "shown"
run fix "$id" cost_center=4711
expect_rc 2 "not declared in this config"
expect_err "unknown field 'cost_center' .*custom_fields" "where to declare it"
run $C fix "$id" "cost_center=$(printf 'a\tb')"
expect_rc 2 "a control character"
run $C fix "$id" "project=  "
expect_rc 2 "an empty value"
printf 'custom_fields = Cost-Center\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" stats
expect_rc 2 "a bad custom field name"
expect_err "'custom_fields' are names of lowercase letters" "the rule"
run search --count 4711
expect_eq "$OUT" 1 "a custom value is searchable"

# ---- notes
run $C note "$id" zapłacono gotówką
expect_rc 0 "folio note"
expect_out "^zapłacono gotówką \\(.*, [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$" "the note with who and when"
run note "$id" "druga notatka"
run note --json "$id"
expect_eq "$(printf '%s' "$OUT" | jq -r '.notes | length')" 2 "two notes"
expect_eq "$(printf '%s' "$OUT" | jq -r '.notes[1]' | sed 's/ (.*//')" "druga notatka" "in order"
run note "$id"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2 "listed a line each"
run note "$id" "$(printf 'two\nlines')"
expect_rc 2 "a note is one line"
run note "$id" "   "
expect_rc 2 "an empty note"
run note 999 "x"
expect_rc 1 "no such document"
run search --count gotowka
expect_eq "$OUT" 1 "a note is searchable (folded)"

# ---- exports
run $C export --to csv --set columns=invoice_number,cost_center,project,note --out "$WORK/x.csv"
expect_rc 0 "csv with the custom columns and note"
r=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding="utf-8"))); print(r[0]); print(r[1][:3]); print(len(r[1][3].splitlines()))' "$WORK/x.csv")
expect_eq "$r" "['invoice_number', 'cost_center', 'project', 'note']
['FV/2025/03/021', '4711', 'Biuro Łódź']
2" "the cells"
run export --to csv --set columns=invoice_number,cost_center --set target=c2 --out "$WORK/y.csv"
expect_rc 1 "a column that is no field here"
run export --to jsonl --out "$WORK/x.jsonl"
expect_eq "$(jq -r '.fields.cost_center.value + "|" + .fields.project.value' "$WORK/x.jsonl")" \
	"4711|Biuro Łódź" "jsonl carries the custom fields"
expect_eq "$(jq -r '.fields.note.value' "$WORK/x.jsonl" | wc -l)" 2 "and the notes"
run export --to ubl --out "$WORK/ubl"
expect_rc 0 "ubl"
f=$(ls "$WORK"/ubl/*.xml | head -n 1)
expect_eq "$(grep -o '<cbc:Note>[^<]*</cbc:Note>' "$f" | wc -l)" 2 "a cbc:Note per note"
xmllint --noout "$f" 2>/dev/null && pass || fail "the UBL is well-formed"
# BT-22 sits after InvoiceTypeCode and before DocumentCurrencyCode
tr -d '\n' <"$f" | grep -q '</cbc:InvoiceTypeCode><cbc:Note>zapłacono gotówką (.*</cbc:Note><cbc:Note>druga notatka (.*</cbc:Note><cbc:DocumentCurrencyCode>' &&
	pass || fail "cbc:Note in its place: $(grep -o '<cbc:InvoiceTypeCode.*DocumentCurrencyCode>' "$f" | head -c 400)"
run export --to cii --out "$WORK/cii"
f=$(ls "$WORK"/cii/*.xml | head -n 1)
expect_eq "$(grep -o '<ram:IncludedNote><ram:Content>[^<]*</ram:Content></ram:IncludedNote>' "$f" | wc -l)" 2 \
	"an IncludedNote per note"

finish
