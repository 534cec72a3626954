#!/bin/sh
# folio train: types confirmed by people teach the model, the archive's
# own model is used by the next ingest, and the shipped corpus is kept.
. "$(dirname "$0")/../e2e_lib.sh"

printf 'Karta pracy serwisu nr 5\nKlient: Jan Nowak\nWymiana filtra, kontrola szczelności\nTechnik: A. Kowal\n' >"$WORK/k1.txt"
printf 'Karta pracy serwisu nr 9\nKlient: Anna Lis\nWymiana filtra, czyszczenie dysz\nTechnik: A. Kowal\n' >"$WORK/k2.txt"
printf 'Karta pracy serwisu nr 12\nKlient: Ewa Zając\nKontrola szczelności, wymiana uszczelki\nTechnik: B. Nowy\n' >"$WORK/k3.txt"
printf 'Faktura VAT nr 7/2024\nData wystawienia: 02.01.2024\nNIP: 725-180-11-26\nRazem brutto: 123,00 PLN\n' >"$WORK/inv.txt"

run train
expect_rc 1 "train without an archive"
run ingest "$WORK/k1.txt" "$WORK/k2.txt"
expect_rc 0 ingest
run show --json 1
expect_no_out '"doc_type":"delivery_note"' "not a delivery note before training"
run retype 1 delivery_note
run retype 2 delivery_note
run train
expect_rc 0 train
expect_out 'trained on [0-9]+ corpus examples and 2 confirmed documents' "train report"
[ -s "$FOLIO_ARCHIVE/doctype.model" ] && pass || fail "model written into the archive"
# one at a time: two workers number documents in the order they finish
run ingest --json "$WORK/k3.txt"
expect_rc 0 "ingest after training"
run ingest --json "$WORK/inv.txt"
expect_rc 0 "ingest after training (2)"
run show --json 3
expect_out '"doc_type":"delivery_note"' "the confirmed type is learnt"
expect_out '"type_reason":"model: [0-9.]+"' "decided by the model, with its probability"
run show --json 4
expect_out '"doc_type":"invoice"' "old knowledge kept"
# a corrupt archive model is an error, not a silent fallback
printf 'garbage' >"$FOLIO_ARCHIVE/doctype.model"
run ingest "$WORK/k1.txt"
expect_rc 1 "a corrupt model stops ingest"
expect_err "doctype.model" "the error names the model"
finish
