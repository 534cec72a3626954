#!/bin/sh
# The daemon under systemd: the notification protocol (READY, STATUS,
# WATCHDOG, RELOADING, STOPPING) spoken to a socket as systemd's would be,
# the unit checked by systemd-analyze (verify, and security's exposure
# score at most 4) where it is installed, `make install` writing PREFIX
# into the unit and never overwriting an edited config, and the archive's
# modes (0700 folders, 0600 database, 0400 originals; group-readable when
# the archive folder is).
. "$(dirname "$0")/../e2e_lib.sh"

IN="$WORK/inbox"
mkdir -p "$IN"
printf 'settle_ms = 100\npoll_ms = 100\n' >"$WORK/w.conf"

# ---- sd_notify: a datagram socket standing in for systemd's
SOCK="$WORK/notify.sock"
python3 - "$SOCK" "$WORK/notes" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a") as out:
    try:
        while True:
            m = s.recv(4096).decode()
            out.write(m.replace("\n", "|") + "\n")
            out.flush()
            if "STOPPING=1" in m:
                break
    except socket.timeout:
        pass
EOF
LPID=$!
wait_for 10 '[ -S "$SOCK" ]' || fail "the listener did not start"
NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=600000 \
	"$FOLIO" --config "$WORK/w.conf" watch "$IN" >"$WORK/watch.log" 2>&1 &
WPID=$!
wait_for 20 'grep -q "READY=1" "$WORK/notes" 2>/dev/null' && pass ||
	fail "no READY=1: $(cat "$WORK/notes" "$WORK/watch.log" 2>/dev/null)"
grep -q "STATUS=watching 1 inbox" "$WORK/notes" && pass || fail "STATUS with READY: $(cat "$WORK/notes")"
printf 'Faktura 1\n' >"$IN/a.txt"
wait_for 20 '[ ! -e "$IN/a.txt" ]' || fail "the file was not taken"
# WatchdogSec=0.6 s: petted every 0.3 s, with the status
wait_for 10 '[ "$(grep -c "WATCHDOG=1" "$WORK/notes")" -ge 3 ]' && pass ||
	fail "the watchdog is not petted: $(cat "$WORK/notes")"
grep -q "STATUS=0 file(s) in the pipeline, 0 settling, 0 quarantined since start|WATCHDOG=1" \
	"$WORK/notes" && pass || fail "the heartbeat's status: $(tail -n 3 "$WORK/notes")"
kill -HUP "$WPID"
wait_for 10 'grep -q "RELOADING=1" "$WORK/notes"' && pass || fail "no RELOADING=1 on SIGHUP"
kill -TERM "$WPID"
wait "$WPID"
expect_eq "$?" 0 "watch exits 0 on SIGTERM"
wait "$LPID"
grep -q "^STOPPING=1" "$WORK/notes" && pass || fail "no STOPPING=1: $(cat "$WORK/notes")"
# READY after the reload's RELOADING
awk '/RELOADING=1/ {r = 1; next} r && /^READY=1$/ {ok = 1} END {exit !ok}' "$WORK/notes" &&
	pass || fail "READY=1 after the reload: $(cat "$WORK/notes")"
# an abstract socket name (@...) is taken too; a bad NOTIFY_SOCKET is ignored
NOTIFY_SOCKET=relative/path "$FOLIO" --config "$WORK/w.conf" watch --once "$IN" >/dev/null 2>&1
expect_eq "$?" 0 "a NOTIFY_SOCKET that is no socket path is ignored"

# ---- the archive's modes
A="$WORK/private"
run --archive "$A" init
expect_eq "$(stat -c %a "$A")" 700 "archive folder 0700"
expect_eq "$(stat -c %a "$A/folio.db")" 600 "database 0600"
expect_eq "$(stat -c %a "$A/store")" 700 "store 0700"
printf 'Faktura 2\n' >"$WORK/b.txt"
run --archive "$A" ingest "$WORK/b.txt"
blob=$(find "$A/store" -type f | head -n 1)
expect_eq "$(stat -c %a "$blob")" 400 "an original 0400"
expect_eq "$(stat -c %a "$(dirname "$blob")")" 700 "its folder 0700"
wal=$(find "$A" -maxdepth 1 -name 'folio.db-wal' | head -n 1)
[ -z "$wal" ] || expect_eq "$(stat -c %a "$wal")" 600 "the WAL as the database"
# a group-readable archive folder (chmod 2750): group read throughout
G="$WORK/shared-arc"
mkdir -m 750 "$G"
chmod g+s "$G"
run --archive "$G" ingest "$WORK/b.txt"
expect_eq "$(stat -c %a "$G/folio.db")" 640 "database 0640 in a group archive"
blob=$(find "$G/store" -type f | head -n 1)
expect_eq "$(stat -c %a "$blob")" 440 "an original 0440 in a group archive"
# quarantine: private
cp "$FIX/bad/random.bin" "$IN/bad.bin"
"$FOLIO" --archive "$A" --config "$WORK/w.conf" watch --once "$IN" >/dev/null 2>&1
expect_eq "$(stat -c %a "$A/quarantine")" 700 "quarantine folder 0700"
q=$(find "$A/quarantine" -name 'bad.bin*' ! -name '*.reason.txt' | head -n 1)
[ -n "$q" ] && pass || fail "bad.bin quarantined"
[ -z "$q" ] || [ "$(stat -c %a "$q.reason.txt")" = 640 ] && pass ||
	fail "the reason file: $(stat -c %a "$q.reason.txt")"

# ---- make install: PREFIX in the unit, an edited config kept
D="$WORK/dest"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/folio >"$WORK/install.log" 2>&1 &&
	pass || fail "make install: $(cat "$WORK/install.log")"
U="$D/opt/folio/lib/systemd/system/folio-watch.service"
grep -q '^ExecStart=/opt/folio/bin/folio --config /opt/folio/etc/folio/folio.conf watch$' "$U" &&
	pass || fail "PREFIX in the unit: $(grep ExecStart "$U")"
grep -q 'FOLIO_ARCHIVE' "$U" && fail "the unit overrides the config's archive" || pass
[ -f "$D/opt/folio/etc/folio/folio.conf.dist" ] && pass || fail "folio.conf.dist installed"
printf 'archive = /var/lib/folio/archive\n' >"$D/opt/folio/etc/folio/folio.conf"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/opt/folio >"$WORK/install.log" 2>&1
expect_eq "$(cat "$D/opt/folio/etc/folio/folio.conf")" "archive = /var/lib/folio/archive" \
	"an edited config survives make install"
cmp -s "$ROOT/config/folio.conf" "$D/opt/folio/etc/folio/folio.conf.dist" && pass ||
	fail "folio.conf.dist is the shipped config"

# ---- systemd-analyze, where systemd is installed
if command -v systemd-analyze >/dev/null 2>&1; then
	# the unit as installed, pointing at this build (verify checks ExecStart)
	mkdir -p "$WORK/unit"
	sed -e "s#/opt/folio/bin/folio#$FOLIO#" -e "s#/opt/folio/etc/folio/folio.conf#$WORK/w.conf#" \
		"$U" >"$WORK/unit/folio-watch.service"
	out=$(systemd-analyze verify --man=no "$WORK/unit/folio-watch.service" 2>&1)
	expect_eq "$?:$out" "0:" "systemd-analyze verify"
	out=$(systemd-analyze security --offline=true "$WORK/unit/folio-watch.service" 2>&1)
	score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for folio-watch.service: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze security: exposure $score"
	[ -n "$score" ] && awk -v s="$score" 'BEGIN {exit !(s <= 4)}' && pass ||
		fail "exposure $score > 4: $(printf '%s' "$out" | tail -n 5)"
else
	echo "# systemd-analyze absent: the unit's checks skipped"
fi

finish
