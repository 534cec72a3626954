#!/bin/sh
# folio against I/O faults it cannot prevent: EIO from fsync and ENOSPC
# from rename while storing an original (ingest, watch) and while
# delivering an export, EIO flushing the export's kept copies, and the
# archive's database held by another program past the busy timeout.
# Each must end with a clear error, nothing half-written, nothing lost:
# the source stays, a retry stores it, a pending export is completed.
# Faults are injected with FOLIO_FAULT (see folio_fault() in util.h);
# FOLIO_BUSY_TIMEOUT_MS shortens the 10 s busy timeout.
. "$(dirname "$0")/../e2e_lib.sh"

PDF="$FIX/samples/pl-invoice-001.pdf"
IN="$WORK/inbox"
mkdir -p "$IN"
cp "$PDF" "$IN/fv.pdf"
run init
expect_rc 0 "init"

# nothing of a failed store is left: no original, no temp file, no row
store_empty() {
	n=$(find "$FOLIO_ARCHIVE/store" -type f | wc -l | tr -d ' ')
	expect_eq "$n" 0 "$1: files left in the store"
	run search --count 'type:invoice'
	expect_eq "$OUT" 0 "$1: a row without its original"
}

# ---- storing an original -------------------------------------------------
for fault in store-fsync-eio store-rename-enospc; do
	case $fault in
	*eio) why="cannot sync '.*': Input/output error" ;;
	*) why="cannot rename '.*': No space left on device" ;;
	esac
	FOLIO_FAULT=$fault run ingest "$IN/fv.pdf"
	expect_rc 1 "$fault: ingest fails"
	expect_out "quarantined .*fv.pdf" "$fault: the document is reported"
	expect_out "$why" "$fault: the reason"
	[ -f "$IN/fv.pdf" ] && pass || fail "$fault: the source is gone"
	store_empty "$fault"
done
run verify
expect_rc 0 "verify after the failed stores"
run ingest "$IN/fv.pdf"
expect_rc 0 "stored once the disk behaves"
expect_out "^archived " "archived, not a duplicate of a half-stored one"
run verify
expect_rc 0 "verify after the retry"

# the watcher: the file stays in the inbox and goes in at the next pass
mkdir -p "$WORK/done"
printf 'settle_ms = 0\ndone_dir = %s\n' "$WORK/done" >"$WORK/w.conf"
export FOLIO_ARCHIVE="$WORK/arc2"
run init
cp "$PDF" "$IN/fv.pdf"
FOLIO_FAULT=store-fsync-eio:1 run --config "$WORK/w.conf" watch --once "$IN"
expect_err "stays in the inbox, to be retried" "watch: the file is kept for a retry"
[ -f "$IN/fv.pdf" ] && pass || fail "watch: the inbox file is gone after a failed store"
[ -z "$(ls "$WORK/done")" ] && pass || fail "watch: moved to done without being stored"
run --config "$WORK/w.conf" watch --once "$IN"
expect_rc 0 "watch: the retry"
[ ! -e "$IN/fv.pdf" ] && [ -f "$WORK/done/fv.pdf" ] && pass || fail "watch: not stored on the retry"
run search --count 'type:invoice'
expect_eq "$OUT" 1 "watch: archived once"
run verify
expect_rc 0 "watch: verify"

# ---- delivering an export --------------------------------------------------
# (each fault on a target of its own: the invoice is still to export there)
for case in export-fsync-eio:csv export-rename-enospc:jsonl; do
	fault=${case%:*}
	fmt=${case#*:}
	out="$WORK/$fault.$fmt"
	FOLIO_FAULT=$fault run export --to "$fmt" --out "$out"
	expect_rc 1 "$fault: the export fails"
	expect_err "batch [0-9]+ is recorded and kept in the archive" "$fault: what became of it"
	[ ! -e "$out" ] && pass || fail "$fault: a file delivered after a failed write"
	[ -z "$(ls -a "$WORK" | grep '\.tmp\.')" ] && pass || fail "$fault: temp files left"
	run export --history --json
	expect_no_out '"state":"pending"' "$fault: the pending batch completed by the next run"
	[ -f "$out" ] && pass || fail "$fault: the pending batch was not delivered"
	expect_eq "$(grep -c 'FV/2024/03/0147' "$out")" 1 "$fault: the invoice in the delivered file"
	run search --count "export:$fmt"
	expect_eq "$OUT" 1 "$fault: exported exactly once"
done
# a folder of XML files: the flush before the renames
FOLIO_FAULT=export-fsync-eio run export --to ubl --out "$WORK/ubl"
expect_rc 1 "a folder export whose flush fails"
expect_err "Input/output error"
run export --history
expect_rc 0 "the folder batch completed"
expect_eq "$(ls -a "$WORK/ubl" | grep -vc '^\.\.*$')" 1 "one invoice file, no temp files"
# the kept copies, before the commit: nothing recorded, nothing written
FOLIO_FAULT=ledger-sync-eio run export --to cii --out "$WORK/cii"
expect_rc 1 "the kept copies cannot be flushed"
expect_err "cannot sync '.*exports.*': Input/output error"
[ -z "$(ls "$WORK/cii" 2>/dev/null)" ] && pass || fail "a file without its ledger entry"
run export --history --json
expect_no_out '"format":"cii"' "no batch recorded"
run search --count 'export:cii'
expect_eq "$OUT" 0 "not exported to cii"
run export --to cii --out "$WORK/cii"
expect_rc 0 "the export once the disk behaves"
run verify
expect_rc 0 "verify after the export faults"

# ---- the database held by another program ---------------------------------
export FOLIO_ARCHIVE="$WORK/arc3"
run init
cp "$PDF" "$IN/busy.pdf"
mkfifo "$WORK/hold"
# sqlite3 takes the write lock and keeps it until the fifo is written
{ printf 'BEGIN IMMEDIATE;\n'; cat "$WORK/hold"; printf 'COMMIT;\n'; } |
	sqlite3 "$FOLIO_ARCHIVE/folio.db" >"$WORK/sqlite.out" 2>&1 &
HOLD=$!
# (sqlite3's own busy timeout is 0: it fails at once while the lock is held)
wait_for 10 '! sqlite3 "$FOLIO_ARCHIVE/folio.db" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null' &&
	pass || fail "sqlite3 did not take the lock"
FOLIO_BUSY_TIMEOUT_MS=300 run ingest "$IN/busy.pdf"
expect_rc 1 "ingest against a locked database"
expect_err "the archive is busy: another program has kept its database locked for more than 0.3 s"
if printf '%s\n%s\n' "$OUT" "$ERR" | grep -Eiq 'database is locked|sqlite|SQL'; then
	fail "SQLite's own text shown: $ERR"
else
	pass
fi
[ -f "$IN/busy.pdf" ] && pass || fail "the source is gone"
echo done >"$WORK/hold"
wait "$HOLD"
run ingest "$IN/busy.pdf"
expect_rc 0 "stored once the lock is gone"
expect_out "^archived " "archived on the retry"
run verify
expect_rc 0 "verify after the busy episode"

finish
