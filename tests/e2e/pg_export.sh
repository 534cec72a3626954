#!/bin/sh
# folio export on a PostgreSQL archive, against a throw-away cluster
# (tests/pg/cluster.sh): an archive of schema 1 upgraded at open; exactly
# once per target, --again byte-identical (to a file and to standard
# output), --history, a kept copy changed in the database refused and
# found by verify, is:exported, a probable duplicate held and --force,
# crashes before and after the ledger's commit, a batch in delivery left
# to its exporter, the formats (csv, jsonl,
# ledger, ubl, cii, ksef, xlsx); and two `folio export` processes at once
# on the same archive: each invoice exported once across both outputs,
# the loser told to run again (the race forced by holding the ledger's
# table until both wait on it, then without help, several rounds).
. "$(dirname "$0")/../e2e_lib.sh"

. "$ROOT/tests/pg/e2e_cluster.sh"
export FOLIO_ARCHIVE="$FOLIO_PG_URL"
IN="$WORK/in"
mkdir -p "$IN"

# ---- an archive of schema 1 (before the ledger's copies) is upgraded ----
psql_ -c 'CREATE DATABASE old' >/dev/null
OLD="postgresql:///old?host=$PGHOST&port=$PGPORT&user=folio"
"$FOLIO" --archive "$OLD" init >/dev/null 2>&1
psql_ -d old -c "DROP INDEX export_batches_pending;
	ALTER TABLE export_batches DROP CONSTRAINT export_batches_state;
	ALTER TABLE export_files DROP COLUMN data;
	DELETE FROM folio_schema WHERE version = 2" >/dev/null
expect_eq "$(psql_ -d old -c 'SELECT max(version) FROM folio_schema')" 1 "an archive of schema 1"
ubl FV/2025/01/001 5260250274 100.00 23.00 "" 2025-01-10 >"$IN/old.xml"
run --archive "$OLD" ingest "$IN/old.xml"
expect_rc 0 "schema 1: ingest"
expect_eq "$(psql_ -d old -c 'SELECT max(version) FROM folio_schema')" 2 "upgraded to 2 at open"
run --archive "$OLD" export --to csv --out "$WORK/old.csv"
expect_rc 0 "export from the upgraded archive"
expect_eq "$(grep -c FV/2025/01/001 "$WORK/old.csv")" 1 "its invoice"
rm -f "$IN/old.xml"

# ---- exactly once, history, --again ----
run init
expect_rc 0 "init"
ubl FV/2025/03/001 5260250274 100.00 23.00 >"$IN/a.xml"
ubl FV/2025/03/002 5260250274 200.00 46.00 >"$IN/b.xml"
ubl "FV/2025/03/003 &lt;&amp;&gt;" 5260001246 1000.00 230.00 >"$IN/c.xml"
run ingest "$IN"
expect_rc 0 "ingest three invoices"
cd "$WORK" || exit 1
run export --to csv --dry-run --json
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.fate) | .fate' | sort | uniq -c | tr -s ' ')" \
	" 3 would_export" "dry run: three would go"
expect_eq "$(psql_ -c 'SELECT count(*) FROM export_batches')" 0 "a dry run records nothing"
run export --to csv --out first.csv
expect_rc 0 "first export"
expect_err "exported 3 invoices to csv as batch 1" "batch 1"
expect_eq "$(wc -l <first.csv | tr -d ' ')" 4 "a header and three rows"
grep -q 'FV/2025/03/003 <&>' first.csv && pass || fail "the third number in: $(cat first.csv)"
expect_eq "$(psql_ -c "SELECT encode(sha256(data), 'hex') FROM export_files WHERE batch_id = 1")" \
	"$(sha256sum first.csv | cut -d' ' -f1)" "the kept copy in the database is the file"
run export --to csv --out second.csv
expect_rc 0 "second export"
expect_err "nothing to export to csv; 3 already exported" "nothing twice"
[ ! -e second.csv ] && pass || fail "the second export wrote a file"
run export --to jsonl --out all.jsonl
expect_rc 0 "jsonl: another target"
expect_eq "$(jq -s length all.jsonl)" 3 "jsonl: three invoices"
run export --history --json
expect_rc 0 "--history"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.batch) \(.target) \(.state) \(.documents)"' | sort)" \
	"1 csv done 3
2 jsonl done 3" "history"
run export --again 1 --out again.csv
expect_rc 0 "--again"
cmp -s first.csv again.csv && pass || fail "--again is not byte-identical"
"$FOLIO" export --again 1 >stdout.csv 2>/dev/null
cmp -s first.csv stdout.csv && pass || fail "--again to stdout differs"
run export --again 1 --out again.csv
expect_rc 2 "--again never overwrites"
run export --again 99
expect_rc 1 "--again of no batch"
expect_err "no export batch 99" "says so"
# a copy changed in the database is not re-emitted, and verify finds it
psql_ -c "UPDATE export_files SET data = data || 'tampered'::bytea WHERE batch_id = 1" >/dev/null
run export --again 1 --out tampered.csv
expect_rc 1 "--again of a changed copy"
expect_err "copy 'postgresql://folio@/folio\?host=.* exports/1/output' does not match the ledger" \
	"names the copy"
[ ! -e tampered.csv ] && pass || fail "a changed copy was written"
run verify
expect_rc 1 "verify finds the changed copy"
expect_out "export batch 1: the copy output changed, sha256 is" "verify names the batch"
psql_ -c "UPDATE export_files SET data = NULL WHERE batch_id = 1" >/dev/null
run verify
expect_out "export batch 1: the copy of its file output is missing" "a missing copy"
psql_ -c "UPDATE export_files SET data = decode('$(od -An -v -tx1 first.csv | tr -d ' \n')', 'hex')
	WHERE batch_id = 1" >/dev/null
run verify
expect_rc 0 "verify clean with the copy back"

# ---- search by export ----
run search --count is:exported
expect_eq "$OUT" 3 "is:exported"
run search --count export:jsonl
expect_eq "$OUT" 3 "export:jsonl"

# ---- the same invoice from another document: held; --force ----
ubl FV/2025/03/001 5260250274 100.00 23.00 | sed 's/Druk ulotek A5/Druk ulotek A5 (kopia)/' \
	>"$IN/a-copy.xml"
ubl FV/2025/03/004 5260250274 50.00 11.50 >"$IN/d.xml"
run ingest "$IN/a-copy.xml" "$IN/d.xml"
run export --to csv --out third.csv --json
expect_rc 0 "export with a probable duplicate"
held=$(printf '%s\n' "$OUT" | jq -r 'select(.fate == "held") | .reason')
printf '%s' "$held" | grep -Eq "probable duplicate of document [0-9]+ \(seller PL5260250274, invoice FV/2025/03/001\) already exported to csv in batch 1" && pass ||
	fail "held reason: $held ($OUT)"
expect_eq "$(grep -c 'FV/2025/03/004' third.csv)" 1 "the new invoice went"
run export --to csv --out fourth.csv --force
expect_rc 0 "--force"
expect_eq "$(grep -c 'FV/2025/03/001' fourth.csv)" 1 "--force exports the copy"

# ---- crashes before and after the commit ----
ubl FV/2025/04/001 5260250274 300.00 69.00 "" 2025-04-10 >"$IN/f.xml"
ubl FV/2025/04/002 5260250274 400.00 92.00 "" 2025-04-11 >"$IN/g.xml"
run ingest "$IN/f.xml" "$IN/g.xml"
FOLIO_FAULT=export-before-commit run export --to csv --out crash1.csv 'issued:2025-04'
expect_rc 70 "crash before the commit"
[ ! -e crash1.csv ] && pass || fail "a file without its ledger entry"
run search --count 'issued:2025-04 is:unexported'
expect_eq "$OUT" 2 "still unexported after the crash before the commit"
FOLIO_FAULT=export-after-commit run export --to csv --out crash2.csv 'issued:2025-04'
expect_rc 70 "crash after the commit"
expect_eq "$(psql_ -c "SELECT state FROM export_batches WHERE out LIKE '%crash2.csv'")" pending \
	"the batch is pending"
run verify
expect_out "is pending delivery to $WORK/crash2.csv" "verify names the pending batch"
run export --to csv --out crash3.csv 'issued:2025-04'
expect_rc 0 "the next export completes the pending batch from the database's copy"
expect_err "completed 1 export batch" "completed"
expect_eq "$(grep -c 'FV/2025/04/00' crash2.csv)" 2 "the delivered file has both invoices"
[ ! -e crash3.csv ] && pass || fail "the invoices were exported twice"
FOLIO_FAULT=export-mid-delivery run export --to ksef --out crash4 'issued:2025-04'
expect_rc 70 "crash in the middle of a folder's delivery"
run export --history
expect_rc 0 "--history completes it"
expect_eq "$(ls crash4 | wc -l | tr -d ' ')" 2 "both files after recovery"
run verify
expect_rc 0 "verify clean: nothing pending"

# a batch in delivery is its exporter's: another export does not complete
# it (the exporter blocked writing to a FIFO nobody reads yet)
ubl FV/2025/05/001 5260250274 10.00 2.30 "" 2025-05-12 >"$IN/h.xml"
run ingest "$IN/h.xml"
mkfifo fifo
"$FOLIO" export --to csv --out fifo 'issued:2025-05' >fifo.out 2>fifo.err &
xp=$!
wait_for 30 '[ "$(psql_ -c "SELECT count(*) FROM export_batches WHERE out LIKE '"'%fifo'"'")" = 1 ]' ||
	fail "the export to a FIFO recorded no batch"
run export --history --json
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.out | endswith("fifo")) | .state')" pending \
	"a batch in delivery is not completed by another export"
cat fifo >fifo.csv
wait $xp
expect_eq "$?" 0 "the exporter delivers it"
expect_eq "$(grep -c FV/2025/05/001 fifo.csv)" 1 "its invoice"
expect_eq "$(psql_ -c "SELECT state FROM export_batches WHERE out LIKE '%fifo'")" done "and marks it done"

# ---- the formats ----
run export --to ledger --out books.journal --include-review --json
expect_rc 0 "ledger"
b=$(printf '%s\n' "$OUT" | jq -r 'select(.summary) | .batch')
head -n 1 books.journal | grep -q "^; folio export, batch $b, [0-9T:-]*Z$" && pass ||
	fail "the journal's header names its batch: $(head -n 1 books.journal), batch $b"
run export --to ubl --out ubl --include-review --force
expect_rc 0 "ubl"
run export --to cii --out cii --include-review --force
expect_rc 0 "cii"
expect_eq "$(ls ubl | wc -l | tr -d ' ')" 8 "ubl: a file per invoice"
expect_eq "$(ls cii | wc -l | tr -d ' ')" 8 "cii: a file per invoice"
run export --to xlsx --out book.xlsx --include-review
expect_rc 0 "xlsx"
expect_eq "$(head -c 2 book.xlsx)" "PK" "xlsx: a zip"
b=$(psql_ -c "SELECT id FROM export_batches WHERE format = 'ubl'")
run export --again "$b" --out ubl-again
expect_rc 0 "--again of a folder batch"
diff -r ubl ubl-again >/dev/null && pass || fail "--again of a folder batch differs"

# ---- two exports at once: each invoice once ----
# numbers PATH...: the invoice numbers (FV/2025/06..09) each output holds,
# one a line: once per line of a file (a row per invoice), once per file
# of a folder (a file per invoice)
numbers() {
	for p in "$@"; do
		if [ -d "$p" ]; then
			for f in "$p"/*; do
				[ -f "$f" ] && grep -o 'FV/2025/0[6-9]/[0-9]*' "$f" | sort -u
			done
		elif [ -f "$p" ]; then
			grep -n -o 'FV/2025/0[6-9]/[0-9]*' "$p" | sort -u | cut -d: -f2
		fi
	done | sort
}
round=0
# race TARGET QUERY N FORCED: two exports of the query at once into
# $WORK/rR-1 and rR-2; N invoices each once across both
race() {
	round=$((round + 1))
	o1="$WORK/r$round-1" o2="$WORK/r$round-2"
	if [ "$4" = forced ]; then
		# the ledger's table held: both exports select, write and then
		# wait to record; released, both insert the same batch number
		PGAPPNAME=holder psql_ -c "BEGIN; LOCK TABLE export_batches IN SHARE MODE;
			SELECT pg_sleep(60)" >/dev/null 2>&1 &
		hp=$!
		wait_for 10 '[ "$(psql_ -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = '"'holder'"' AND l.granted AND l.relation = '"'export_batches'"'::regclass")" = 1 ]' ||
			fail "round $round: the holder did not lock"
	fi
	"$FOLIO" export --to "$1" --out "$o1" "$2" >"$o1.out" 2>"$o1.err" &
	p1=$!
	"$FOLIO" export --to "$1" --out "$o2" "$2" >"$o2.out" 2>"$o2.err" &
	p2=$!
	if [ "$4" = forced ]; then
		wait_for 30 '[ "$(psql_ -c "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '"'export_batches'"'::regclass")" = 2 ]' &&
			pass || fail "round $round: the two exports did not both wait"
		psql_ -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
			WHERE application_name = 'holder'" >/dev/null
		wait $hp
	fi
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	# each process: exported (0), found everything exported (0), or
	# lost the race and was told to run again (2)
	for r in "$r1:$o1" "$r2:$o2"; do
		case ${r%%:*} in
		0) pass ;;
		2) grep -Eq "another export took batch [0-9]+ meanwhile: run the export again|exported to $1 by another export meanwhile" "${r#*:}.err" &&
			pass || fail "round $round: $(cat "${r#*:}.err")" ;;
		*) fail "round $round: exit ${r%%:*}: $(cat "${r#*:}.err")" ;;
		esac
	done
	if [ "$4" = forced ]; then
		case "$r1$r2" in
		02 | 20) pass ;;
		*) fail "round $round: one should win and one lose the forced race: $r1 $r2" ;;
		esac
	fi
	got=$(numbers "$o1" "$o2" | uniq -c | awk '$1 != 1' | wc -l | tr -d ' ')
	expect_eq "$got" 0 "round $round: no invoice twice"
	expect_eq "$(numbers "$o1" "$o2" | uniq | wc -l | tr -d ' ')" "$3" \
		"round $round: every invoice once across both outputs"
	run search --count "$2 export:$1"
	expect_eq "$OUT" "$3" "round $round: the ledger has each once"
	# the loser, run again, finds nothing left
	run export --to "$1" --out "$WORK/r$round-3" "$2"
	expect_rc 0 "round $round: a third export"
	expect_err "nothing to export to $1; $3 already exported" "round $round: nothing left"
}
n=0
for m in 06 07 08 09; do
	for i in 01 02 03 04 05 06 07 08 09 10; do
		n=$((n + 1))
		ubl "FV/2025/$m/$i" 5260250274 "$((n * 100)).00" "$((n * 23)).00" "" "2025-$m-$i" \
			>"$IN/r$m$i.xml"
	done
done
run ingest "$IN"
expect_rc 0 "ingest forty more invoices"
race csv issued:2025-06 10 forced
race ubl issued:2025-07 10 forced
race csv issued:2025-08 10 free
race jsonl issued:2025-08 10 free
race csv issued:2025-09 10 free
race ksef issued:2025-09 10 free
run verify
expect_rc 0 "verify clean after the races"
expect_eq "$(psql_ -c "SELECT count(*) FROM export_batches WHERE state <> 'done'")" 0 \
	"no batch left pending"
finish
