#!/bin/sh
# An archive on PostgreSQL, end to end against a throw-away cluster
# (tests/pg/cluster.sh: initdb as an unprivileged user in a temp folder, a
# Unix socket there and 127.0.0.1 on a free port, nothing else): init and
# its schema table, a database without folio's tables refused, ingest of
# the bundled text-layer PDFs, show, cat (the original rebuilt from its
# chunks), a batch split into papers (cat --source), a message and its
# attachment (in:), an original of three chunks, a text too long for one
# tsvector, text, search (folding, substrings, phrases, prefixes, filters),
# tag, retype, fix, note, vendors, review (a near-duplicate), status,
# verify (then a changed event found by the hash chain); the
# same file ingested by two processes at once is one document and one
# duplicate event (four rounds); the server killed mid-ingest (the
# client reconnects, a rerun completes, every file once); two inits of a
# fresh database at once;
# a password in the address refused and never echoed, the password file
# and the service file used instead, sslmode passed to libpq; what is not
# there yet says so.
. "$(dirname "$0")/../e2e_lib.sh"

. "$ROOT/tests/pg/e2e_cluster.sh"
SAMPLES="$FIX/samples"
export FOLIO_ARCHIVE="$FOLIO_PG_URL"

# ---- a database without folio's tables is no archive yet ----
run search x
expect_rc 1 "before init"
expect_err "no archive at 'postgresql://folio@/folio\?host=.*' \(run 'folio init'\)" "says to run init"
run init
expect_rc 0 "init"
expect_out "archive ready at postgresql://folio@/folio\?host=$PGHOST&port=$PGPORT \(schema 2\)" \
	"init names the address"
run init --json
expect_eq "$(printf '%s' "$OUT" | jq -r .schema)" 2 "init is idempotent"
expect_eq "$(psql_ -c 'SELECT max(version) FROM folio_schema')" 2 "the schema table"

# ---- ingest, show, cat ----
run ingest --json "$SAMPLES"/*.pdf
expect_rc 0 "ingest the text-layer PDFs"
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'map(select(.status == "archived")) | length')" 6 \
	"six documents"
printf '%s\n' "$OUT" >"$WORK/ingest.json"
PL=$(jq -r 'select(.path | endswith("pl-invoice-001.pdf")) | .id' "$WORK/ingest.json")
run show --json "$PL"
expect_rc 0 "show"
expect_eq "$(printf '%s' "$OUT" | jq -r .fields.invoice_number.value)" "FV/2024/03/0147" \
	"its invoice number"
expect_eq "$(printf '%s' "$OUT" | jq -r .sha256)" \
	"$(sha256sum "$SAMPLES/pl-invoice-001.pdf" | cut -d' ' -f1)" "its checksum"
expect_eq "$("$FOLIO" cat "$PL" | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum "$SAMPLES/pl-invoice-001.pdf" | cut -d' ' -f1)" "cat: the original, byte for byte"
expect_eq "$(psql_ -c 'SELECT count(*) FROM original_chunks')" 6 "originals in the database"

# ---- search ----

run search --json lodz
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "lodz finds Łódź (unaccent and ł)"
run search --json 0147
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "a number's substring"
run search --json '"Data wystawienia"'
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "a phrase"
run search --json 'fakt*'
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id | head -n 1)" "$PL" "a prefix, ranked"
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r '.[0].snippet' | grep -q '\[Faktura\]' && echo y)" y \
	"the snippet marks the match"
run search --count type:invoice
expect_eq "$OUT" 5 "type: filter counted"
run search --json 'Zaragoza type:invoice'
expect_eq "$(printf '%s\n' "$OUT" | jq -s length)" 2 "words and a filter"
run search nosuchwordanywhere
expect_rc 1 "no hit: exit 1"
run search 'a OR b'
expect_rc 2 "OR: not there yet"
expect_err "OR, NOT, NEAR and parentheses in search is not available on PostgreSQL" \
	"OR says so"

# ---- parity: the same queries on SQLite and PostgreSQL, the same hits ----
# (the bundled samples and the text-layer invoices in seven languages, in
# a database of their own and in a SQLite archive)
psql_ -d folio -c 'CREATE DATABASE parity' >/dev/null
PAR="postgresql:///parity?host=$PGHOST&port=$PGPORT&user=folio"
set -- "$SAMPLES"/*.pdf
for f in "$FIX"/invoices/*.pdf; do
	case "$f" in *-scan.pdf) ;; *) set -- "$@" "$f" ;; esac
done
"$FOLIO" --archive "$PAR" init >/dev/null
"$FOLIO" --archive "$PAR" ingest -q "$@" >/dev/null 2>&1
"$FOLIO" --archive "$WORK/sq" ingest -q "$@" >/dev/null 2>&1
expect_eq "$("$FOLIO" --archive "$PAR" stats --json | jq .documents)" \
	"$("$FOLIO" --archive "$WORK/sq" stats --json | jq .documents)" "parity: the same documents"
hits() { # ARCHIVE QUERY: the titles of its hits, sorted, on one line; an error says so
	"$FOLIO" --archive "$1" search --json --limit 1000 "$2" >"$WORK/hits" 2>"$WORK/hits.err"
	case $? in
	0) jq -r .title "$WORK/hits" | sort | tr '\n' '|' ;;
	1) [ -s "$WORK/hits.err" ] && echo "error: $(cat "$WORK/hits.err")" || echo "(none)" ;;
	*) echo "error: $(cat "$WORK/hits.err")" ;;
	esac
}
# and per document of the SQLite archive: its invoice number, seller tax
# ID, the last word of its title and its seller (not under ASan+UBSan,
# whose run of the same code paths by the 65 above takes minutes already)
: >"$WORK/queries"
[ -n "${FOLIO_TEST_ASAN:-}" ] || for id in $("$FOLIO" --archive "$WORK/sq" search --json --limit 1000 added:2000..2999 | jq -r .id); do
	"$FOLIO" --archive "$WORK/sq" show --json "$id" | jq -r '
		(.fields.invoice_number.value // empty),
		("nip:" + (.fields.seller_tax_id.value // empty)),
		(.title | split(" ") | last),
		("vendor:\"" + (.fields.seller_name.value // empty) + "\"")'
done >"$WORK/queries"
same=0
queries=0
found=0
while IFS= read -r q; do
	[ -n "$q" ] || continue
	queries=$((queries + 1))
	a=$(hits "$PAR" "$q")
	b=$(hits "$WORK/sq" "$q")
	case "$a" in error:*) fail "parity: '$q': $a" ;; "(none)") ;; *) found=$((found + 1)) ;; esac
	if [ "$a" = "$b" ]; then
		same=$((same + 1))
	else
		fail "parity: '$q': PostgreSQL $a, SQLite $b"
	fi
done <<QUERIES
faktura
lodz
Łódź
zaragoza
fakt*
rech*
"Data wystawienia"
0147
2024
A-2024
iva
mwst
rechnung
fattura
fatura
invoice
total
gmbh
s.r.l.
S.L.
sp z o o
l'IVA
type:invoice
type:form
type:credit_note
type:receipt
tag:none
status:archived
status:needs_review
mime:application/pdf
mime:application
currency:EUR
currency:pln
currency:GBP
vendor:wrobel
vendor:Cerámicas
vendor:gmbh
nip:7251801126
nif:B41275389
PL7251801126
DE136695976
issued:2024-03
issued:2024
issued:2024-01..2024-06
issued>=2024-04
issued<2024-04
issued<=2024-04
due>2024-05
due:2024
added:2026..2099
total:4000..5000
total>5000
total<100
total<=1438.39
total:5022,45
is:duplicate
is:unexported
is:exported
export:csv
date:2024
faktura type:invoice
factura total>1000
fattura currency:EUR
rechnung issued:2024
invoice vendor:ltd
$(cat "$WORK/queries")
QUERIES
expect_eq "$same" "$queries" "parity: $queries queries, the same hits on both backends"
# every document read back the same: fields (values with quotes, JSON
# tables, NULL raws), pages, type, vendor
diffs=0
for id in $("$FOLIO" --archive "$WORK/sq" search --json --limit 1000 added:2000..2999 | jq -r .id); do
	"$FOLIO" --archive "$WORK/sq" show --json "$id" >"$WORK/s1"
	sha=$(jq -r .sha256 "$WORK/s1")
	pid=$(psql_ -d parity -c "SELECT id FROM documents WHERE sha256 = '$sha'")
	"$FOLIO" --archive "$PAR" show --json "$pid" >"$WORK/s2"
	norm='del(.id, .added_at, .possible_duplicate_of, .attached_to, .attachments) | .fields'
	if [ "$(jq -S "$norm" "$WORK/s1")" != "$(jq -S "$norm" "$WORK/s2")" ] ||
		[ "$(jq -c '[.title, .doc_type, .pages, .status, .text]' "$WORK/s1")" != \
			"$(jq -c '[.title, .doc_type, .pages, .status, .text]' "$WORK/s2")" ]; then
		diffs=$((diffs + 1))
		fail "parity: document $id ($(jq -r .path "$WORK/s1")) reads back differently"
	fi
done
expect_eq "$diffs" 0 "parity: every document's fields and text read back the same"
[ "$found" -ge $((queries * 3 / 4)) ] && pass || fail "parity: only $found of $queries queries hit"
echo "parity: $same of $queries queries the same, $found with hits"

# ---- changes by hand ----
run tag "$PL" +paid
expect_rc 0 "tag"
run search --json tag:paid
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "found by its tag"
run retype "$PL" receipt
expect_rc 0 "retype"
run show --json "$PL"
expect_eq "$(printf '%s' "$OUT" | jq -r .doc_type)" receipt "the new type"
run text "$PL"
expect_out "Faktura VAT nr FV/2024/03/0147" "text"
run fix "$PL" invoice_number=FV/2024/03/0999
expect_rc 0 "fix"
run search --json 0999
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$PL" "the fixed value searchable"
run note "$PL" checked by hand
expect_rc 0 "note"
run vendors --json
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.tax_id == "PL7251801126") | .name')" \
	"Drukarnia Wróbel Sp. z o.o." "the vendor registry"
ES=$(jq -r 'select(.path | endswith("es-invoice-002.pdf")) | .id' "$WORK/ingest.json")
run review --json
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.possible_duplicate_of // empty')" "$ES" \
	"the scan of a PDF: a near-duplicate (SimHash bands)"
run status --json
expect_rc 3 "status: no daemon"
expect_eq "$(printf '%s' "$OUT" | jq -r .alive)" false "status --json"
run verify
expect_rc 0 "verify"
expect_out "archive ok" "a healthy archive"

# ---- a batch split into papers, a message and its attachments ----
zint -b 20 -d "FOLIO-SEP" --height=60 --scale=4 -o "$WORK/sep.png" >/dev/null
mutool convert -o "$WORK/sep.pdf" "$WORK/sep.png" >/dev/null 2>&1
mutool merge -o "$WORK/batch.pdf" "$FIX/invoices/pl-01-invoice.pdf" "$WORK/sep.pdf" \
	"$FIX/invoices/es-01-invoice.pdf" >/dev/null 2>&1
run ingest --json "$WORK/batch.pdf"
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r 'map(.status) | join(" ")')" "archived archived" \
	"a batch: two papers"
PART=$(printf '%s\n' "$OUT" | jq -r .id | head -n 1)
expect_eq "$("$FOLIO" cat --source "$PART" | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum "$WORK/batch.pdf" | cut -d' ' -f1)" "cat --source: the batch, stored once"
run ingest --json "$FIX/mail/es-factura-xml.eml"
MSG=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith(".eml")) | .id')
XML=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith(".xml")) | .id')
run search --json "in:$MSG"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" "$XML" "in: the attachment of a message"
run show "$MSG"
expect_out "attachments: $XML" "show lists it"

# ---- large originals and texts ----
python3 -c "
import sys
sys.stdout.write('Big note for chunks\\n' + 'The quick brown fox jumps over the lazy dog.\\n' * 60000)
" >"$WORK/big.txt"
python3 -c "
import random, sys
random.seed(1)
sys.stdout.write('Many words note\\n' + ' '.join(''.join(random.choice('abcdefghijklmnopqrstuvwxyz')
    for _ in range(8)) for _ in range(200000)) + '\\n')
" >"$WORK/many.txt"
run ingest --json "$WORK/big.txt" "$WORK/many.txt"
expect_eq "$(printf '%s\n' "$OUT" | jq -s -r 'map(.status) | join(" ")')" "archived archived" \
	"a 2.7 MB original and a text of 200,000 distinct words"
BIG=$(printf '%s\n' "$OUT" | jq -r 'select(.path | endswith("big.txt")) | .id')
BIGSHA=$(sha256sum "$WORK/big.txt" | cut -d' ' -f1)
expect_eq "$(psql_ -c "SELECT count(*) FROM original_chunks WHERE sha256 = '$BIGSHA'")" 3 \
	"stored in three 1 MiB chunks"
expect_eq "$("$FOLIO" cat "$BIG" | sha256sum | cut -d' ' -f1)" "$BIGSHA" "and rebuilt"
run search --count '"Many words note"'
expect_eq "$OUT" 1 "a text past one tsvector's size: its start is indexed"

# ---- the same file at two stations at once ----
mkdir -p "$WORK/a" "$WORK/b"
for round in 1 2 3 4; do
	printf 'Race note %s\nThe same bytes dropped at two stations, round %s.\n' "$round" "$round" \
		>"$WORK/a/race-$round.txt"
	cp "$WORK/a/race-$round.txt" "$WORK/b/race-$round.txt"
	"$FOLIO" ingest --json "$WORK/a/race-$round.txt" >"$WORK/ra" 2>&1 &
	pa=$!
	"$FOLIO" ingest --json "$WORK/b/race-$round.txt" >"$WORK/rb" 2>&1 &
	pb=$!
	wait $pa
	ra=$?
	wait $pb
	rb=$?
	expect_eq "$ra/$rb" 0/0 "round $round: both ingests succeed"
	sha=$(sha256sum "$WORK/a/race-$round.txt" | cut -d' ' -f1)
	expect_eq "$(cat "$WORK/ra" "$WORK/rb" | jq -r .status | sort | tr '\n' ' ')" \
		"archived duplicate " "round $round: one archived, one duplicate"
	expect_eq "$(psql_ -c "SELECT count(*) FROM documents WHERE sha256 = '$sha'")" 1 \
		"round $round: one document"
	expect_eq "$(psql_ -c "SELECT count(*) FROM events WHERE sha256 = '$sha' AND kind = 'duplicate'")" \
		1 "round $round: one duplicate event"
done
run verify
expect_rc 0 "the event chain is one chain after the races"

# ---- the server killed mid-ingest ----
# (pg_ctl restart -m immediate once 50 of 600 notes are in: the ingest
# reconnects and goes on; what was in flight fails with a clear reason
# and a second run archives it; every note once)
psql_ -d folio -c 'CREATE DATABASE crash' >/dev/null
CRASH="postgresql:///crash?host=$PGHOST&port=$PGPORT&user=folio"
mkdir -p "$WORK/crash"
i=1
while [ $i -le 600 ]; do
	printf 'Crash note %d\nwritten while the server restarts, %d.\n' $i $i >"$WORK/crash/n$i.txt"
	i=$((i + 1))
done
"$FOLIO" --archive "$CRASH" init >/dev/null
"$FOLIO" --archive "$CRASH" ingest --json "$WORK/crash" >"$WORK/c1" 2>"$WORK/c1.err" &
pc=$!
wait_for 120 '[ "$(psql_ -d crash -c "SELECT count(*) FROM documents" 2>/dev/null || echo 0)" -ge 50 ]' ||
	fail "the ingest did not start"
sh "$CLUSTER" restart "$FOLIO_PG_DIR" || fail "restart"
wait $pc
rc=$?
[ $rc -le 1 ] && ! grep -q "ingest stopped" "$WORK/c1.err" && pass ||
	fail "the ingest stopped (exit $rc): $(tail -n 2 "$WORK/c1.err")"
expect_eq "$(jq -s length "$WORK/c1")" 600 "the first run went through every note"
expect_eq "$(jq -r 'select(.status != "archived" and .status != "quarantined") | .status' "$WORK/c1")" \
	"" "first run: archived or quarantined"
expect_eq "$(jq -r 'select(.status == "quarantined") | .reason' "$WORK/c1" |
	grep -vc "lost the connection to the archive's database")" 0 \
	"what failed says the connection was lost"
echo "server restart: $(jq -s 'map(select(.status == "archived")) | length' "$WORK/c1") archived," \
	"$(jq -s 'map(select(.status == "quarantined")) | length' "$WORK/c1") in flight"
run --archive "$CRASH" ingest --json "$WORK/crash"
expect_rc 0 "the second run"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.status != "archived" and .status != "duplicate")')" \
	"" "what was in flight archived, the others duplicates"
expect_eq "$(psql_ -d crash -c 'SELECT count(*) FROM documents')" 600 "every note once"
run --archive "$CRASH" verify
expect_rc 0 "the archive verifies after the crash"

# ---- two stations open a fresh database at once ----
psql_ -d folio -c 'CREATE DATABASE fresh' >/dev/null
FRESH="postgresql:///fresh?host=$PGHOST&port=$PGPORT&user=folio"
"$FOLIO" --archive "$FRESH" init >"$WORK/i1" 2>&1 &
p1=$!
"$FOLIO" --archive "$FRESH" init >"$WORK/i2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
expect_eq "$r1/$r2" 0/0 "two inits at once"
expect_eq "$(psql_ -d fresh -c "SELECT count(*) || ' ' || max(version) FROM folio_schema")" "2 2" \
	"each migration ran once"

# ---- credentials: never in the address ----
run --archive "postgresql://folio:hunter2@127.0.0.1:$PGPORT/folio" search lodz
expect_rc 1 "a password in the address"
expect_err "holds a password: refused" "refused"
expect_err "PGPASSFILE" "points at the password file"
expect_eq "$(printf '%s' "$ERR$OUT" | grep -c hunter2)" 0 "the password is not echoed"
run --archive "$FOLIO_PG_TCP_URL" stats
expect_rc 0 "127.0.0.1 with the password from PGPASSFILE"
expect_out "archive: +postgresql://folio@127.0.0.1:$PGPORT/folio$" "stats names the address"
printf '[folio-test]\nhost=127.0.0.1\nport=%s\ndbname=folio\nuser=folio\n' "$PGPORT" \
	>"$WORK/pg_service.conf"
PGSERVICEFILE="$WORK/pg_service.conf" run --archive service=folio-test search --count "id:$PL"
expect_eq "$RC/$OUT" "0/1" "a service name"
run --archive "$FOLIO_PG_TCP_URL?sslmode=require" search lodz
expect_rc 1 "sslmode passed to libpq (this server has no TLS)"
expect_err "server does not support SSL" "libpq's reason"
printf 'archive = %s\n' "$FOLIO_PG_TCP_URL" >"$WORK/folio.conf"
FOLIO_ARCHIVE='' run --config "$WORK/folio.conf" search --count "id:$PL"
expect_eq "$RC/$OUT" "0/1" "the config's archive ="

# ---- what is not there yet says so (folio export is: tests/e2e/pg_export.sh) ----
run watch "$WORK/a"
expect_err "folio watch is not available on postgresql archives yet" "watch says so"

# ---- the audit log cannot be changed unseen ----
if psql_ -c "DELETE FROM events" >/dev/null 2>"$WORK/perr"; then
	fail "events deleted"
else
	expect_eq "$(grep -c 'events are append-only' "$WORK/perr")" 1 "events are append-only"
fi
psql_ -c "ALTER TABLE events DISABLE TRIGGER events_append_only;
	UPDATE events SET detail = 'forged' WHERE id = 2;
	ALTER TABLE events ENABLE TRIGGER events_append_only" >/dev/null
psql_ -c "UPDATE original_chunks SET data = overlay(data placing '\\x00'::bytea from 1000)
	WHERE sha256 = '$BIGSHA' AND seq = 1" >/dev/null
run verify
expect_rc 1 "a changed event"
expect_out "problem: event 2: its hash does not follow" "found by the hash chain"
expect_out "problem: document $BIG: original changed, sha256 is" "a changed chunk found"
finish
