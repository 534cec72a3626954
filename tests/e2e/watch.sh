#!/bin/sh
# folio watch with a real watcher process: complete files only, temp names
# ignored, subfolder tags, duplicates, bad input to quarantine with reasons,
# 500 files at once, SIGTERM drain, kill -9 and restart (exactly once,
# nothing lost), --once exit codes, status and verify. Waits are on
# conditions with deadlines, never blind.
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/inbox"
Q="$FOLIO_ARCHIVE/quarantine"
mkdir -p "$IN"
cat >"$WORK/w.conf" <<CONF
settle_ms = 300
poll_ms = 200
rescan_seconds = 30
CONF
CONF_ARGS="--config $WORK/w.conf"

docs() { "$FOLIO" stats --json 2>/dev/null | jq -r '.documents // 0'; }
inbox_count() { find "$IN" -type f | wc -l; }
start() {
	"$FOLIO" $CONF_ARGS watch "$@" "$IN" >>"$WORK/watch.log" 2>&1 &
	WPID=$!
	wait_for 20 '"$FOLIO" status --json 2>/dev/null | jq -e .alive >/dev/null' && pass ||
		fail "watch did not come up: $(tail -5 "$WORK/watch.log")"
}

run init
start

# a plain file is archived and leaves the inbox
printf 'Faktura VAT nr 1/2024 Łódź\n' >"$IN/first.txt"
wait_for 20 '[ "$(docs)" = 1 ] && [ ! -e "$IN/first.txt" ]' && pass || fail "first file"

# a file written in slow chunks is not taken early
( for i in 1 2 3 4 5 6 7 8; do printf 'chunk %d of a slow scan\n' "$i"; sleep 0.15; done ) \
	>"$IN/slow.txt" &
CHUNKS=$!
wait "$CHUNKS"
wait_for 20 '[ ! -e "$IN/slow.txt" ]' && pass || fail "slow file never taken"
"$FOLIO" search --json '"chunk 8"' >"$WORK/slow.json"
expect_eq "$(wc -l <"$WORK/slow.json")" 1 "the slow file is archived once, complete"
"$FOLIO" text "$(jq -r .id "$WORK/slow.json")" | grep -q 'chunk 1 of' && pass || fail "slow file complete"

# rename into place; temporary and hidden names are left alone
cp "$FIX/samples/pl-invoice-001.pdf" "$IN/inv.pdf.part"
for n in .hidden.pdf '~$lock.pdf' x.tmp y.crdownload; do cp "$FIX/samples/es-invoice-002.pdf" "$IN/$n"; done
wait_for 3 '[ ! -e "$IN/inv.pdf.part" ]' && fail ".part was taken" || pass
mv "$IN/inv.pdf.part" "$IN/inv.pdf"
wait_for 20 '[ ! -e "$IN/inv.pdf" ]' && pass || fail "renamed file not taken"
for n in .hidden.pdf '~$lock.pdf' x.tmp y.crdownload; do
	[ -e "$IN/$n" ] && pass || fail "temporary file '$n' was taken"
done
rm -f "$IN/.hidden.pdf" "$IN/~\$lock.pdf" "$IN/x.tmp" "$IN/y.crdownload"

# a new subfolder: picked up, its name becomes a tag
mkdir -p "$IN/supplier-invoices"
cp "$FIX/samples/it-invoice-004.pdf" "$IN/supplier-invoices/"
wait_for 20 '[ ! -e "$IN/supplier-invoices/it-invoice-004.pdf" ]' && pass || fail "subfolder"
id=$("$FOLIO" search --json Torrefazione | jq -r .id | head -n 1)
"$FOLIO" show --json "$id" | jq -e '.tags | index("supplier-invoices")' >/dev/null && pass ||
	fail "subfolder tag"

# a duplicate leaves the inbox; nothing is stored twice
n=$(docs)
cp "$FIX/samples/pl-invoice-001.pdf" "$IN/again.pdf"
wait_for 20 '[ ! -e "$IN/again.pdf" ]' && pass || fail "duplicate not taken"
expect_eq "$(docs)" "$n" "duplicate stored once"

# bad input: each in quarantine/ with a reason; the good zip entry archived
cp "$FIX"/bad/* "$IN/"
wait_for 60 '[ "$(inbox_count)" = 0 ]' && pass || fail "bad files still in the inbox: $(ls "$IN")"
for f in empty.pdf random.bin truncated.pdf encrypted.pdf one-pixel.png huge-header.png \
	unsupported.wav bomb.zip traversal.zip; do
	[ -e "$Q/$f" ] && [ -s "$Q/$f.reason.txt" ] && pass || fail "$f not quarantined with a reason"
done
grep -q 'encrypted PDF' "$Q/encrypted.pdf.reason.txt" && grep -q 'what to do' "$Q/encrypted.pdf.reason.txt" &&
	pass || fail "reason file content: $(cat "$Q/encrypted.pdf.reason.txt")"
grep -q "path traversal" "$Q/traversal.zip.reason.txt" && pass || fail "traversal reason"

cmp -s "$Q/truncated.pdf" "$FIX/bad/truncated.pdf" && pass || fail "quarantined bytes unchanged"

# 500 small files at once (renamed into place together)
mkdir -p "$WORK/batch"
i=0
while [ $i -lt 500 ]; do printf 'batch document %d unique-%d\n' $i $i >"$WORK/batch/b$i.txt"; i=$((i + 1)); done
n=$(docs)
mv "$WORK/batch" "$IN/batch"
wait_for 120 '[ "$(docs)" = $((n + 500)) ] && [ "$(inbox_count)" = 0 ]' && pass ||
	fail "500 files: $(($(docs) - n)) archived, $(inbox_count) left"
"$FOLIO" search --json --limit 1000 'batch' | jq -r .id | sort -u | wc -l >"$WORK/n"
expect_eq "$(cat "$WORK/n")" 500 "500 distinct documents"

# status from another shell
run status --json
expect_out '"alive":true' "status alive"
expect_out '"quarantined":9' "status quarantine count"
expect_out '"errors":\[\{' "status last errors"
run status
expect_out '^daemon: +running' "status text"

# a second daemon on the same archive is refused
"$FOLIO" $CONF_ARGS watch "$IN" >"$WORK/second.log" 2>&1
expect_eq "$?" 2 "second daemon refused"
grep -q "another folio watch" "$WORK/second.log" && pass || fail "second daemon message"
# on one line, with the pid
expect_eq "$(wc -l <"$WORK/second.log")" 1 "the refusal is one line: $(cat "$WORK/second.log")"
grep -q "^folio: another folio watch (pid [0-9][0-9]*) is running on this archive$" \
	"$WORK/second.log" && pass || fail "the pid inside the line: $(cat "$WORK/second.log")"

# SIGHUP re-reads the config: archived files now go to done_dir
printf 'settle_ms = 300\npoll_ms = 200\nrescan_seconds = 30\ndone_dir = %s\n' "$WORK/done" >"$WORK/w.conf"
kill -HUP "$WPID"
wait_for 20 'grep -q "settings reloaded" "$WORK/watch.log"' && pass || fail "SIGHUP reload"
mkdir -p "$IN/sub"
printf 'kept after archiving\n' >"$IN/sub/keep.txt"
wait_for 20 '[ -e "$WORK/done/sub/keep.txt" ]' && pass || fail "done_dir after SIGHUP"
[ ! -e "$IN/sub/keep.txt" ] && pass || fail "moved, not copied"
printf 'wrokers = 2\n' >"$WORK/bad.conf"
cp "$WORK/w.conf" "$WORK/good.conf"
cp "$WORK/bad.conf" "$WORK/w.conf"
kill -HUP "$WPID"
wait_for 20 'grep -q "keeping the old settings" "$WORK/watch.log"' && pass || fail "bad config on SIGHUP"
cp "$WORK/good.conf" "$WORK/w.conf"
kill -0 "$WPID" && pass || fail "daemon died on a bad config"

# SIGTERM: files in hand are finished, exit 0
cp "$FIX/samples/pl-form-001-scan.png" "$IN/scan1.png"
wait_for 20 '"$FOLIO" status --json | jq -e ".queue > 0" >/dev/null' || true
kill -TERM "$WPID"
wait "$WPID"
expect_eq "$?" 0 "SIGTERM exit status"
grep -q "finishing" "$WORK/watch.log" && pass || fail "drain message"
if [ -e "$IN/scan1.png" ]; then
	pass # not yet taken: left for the next run
	rm -f "$IN/scan1.png"
else
	"$FOLIO" search --json Formularz | grep -q scan1.png && pass || fail "in-flight file lost"
fi
run status --json
expect_out '"alive":false' "status after stop"
run verify
expect_rc 0 "verify after a clean stop"

# kill -9 in the middle, restart: every file archived exactly once
mkdir -p "$WORK/crash"
for f in "$FIX"/samples/*-scan.*; do
	case "$f" in *pl-form-001-scan.png) continue ;; esac
	cp "$f" "$WORK/crash/"
done
i=0
while [ $i -lt 40 ]; do printf 'crash text %d\n' $i >"$WORK/crash/c$i.txt"; i=$((i + 1)); done
total=$(ls "$WORK/crash" | wc -l)
before=$(docs)
mv "$WORK/crash" "$IN/crash"
start
wait_for 60 '[ "$(docs)" -gt "$before" ]' || true
kill -9 "$WPID"
wait "$WPID" 2>/dev/null
# as if the kill had landed in the middle of writing an original
mkdir -p "$FOLIO_ARCHIVE/store/00/00"
printf 'half' >"$FOLIO_ARCHIVE/store/00/00/0000$(printf '%060d' 0).tmp.999999"
"$FOLIO" $CONF_ARGS watch --once "$IN" >>"$WORK/watch.log" 2>&1
expect_eq "$?" 0 "restart --once"
expect_eq "$(inbox_count)" 0 "inbox empty after restart"
expect_eq "$(($(docs) - before))" "$total" "each crash file archived exactly once"
run verify
expect_rc 0 "verify after kill -9 and restart"
[ "$RC" = 0 ] || printf '%s\n' "$OUT" | head -5

# --once exit codes
cp "$FIX/bad/empty.pdf" "$IN/empty2.pdf"
run $CONF_ARGS watch --once "$IN"
expect_rc 1 "--once with a quarantine"
printf 'once ok\n' >"$IN/once.txt"
run $CONF_ARGS watch --once "$IN"
expect_rc 0 "--once clean"

# --once with far more files than the workers take at once (back-pressure)
printf 'settle_ms = 200\nmax_queue = 4\n' >"$WORK/bp.conf"
mkdir -p "$WORK/bp"
i=0
while [ $i -lt 200 ]; do printf 'back-pressure %d\n' $i >"$WORK/bp/p$i.txt"; i=$((i + 1)); done
n=$(docs)
mv "$WORK/bp" "$IN/bp"
run --config "$WORK/bp.conf" watch --once "$IN"
expect_rc 0 "--once with 200 files and max_queue 4"
expect_eq "$(inbox_count)" 0 "--once left nothing behind"
expect_eq "$(($(docs) - n))" 200 "--once archived all 200"

# verify finds a changed original
blob=$(find "$FOLIO_ARCHIVE/store" -type f | head -n 1)
chmod u+w "$blob"
printf 'tampered' >>"$blob"
run verify
expect_rc 1 "verify detects a changed original"
expect_out "original (changed|is [0-9]+ bytes)" "verify names the problem"
finish
