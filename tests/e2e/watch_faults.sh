#!/bin/sh
# folio watch against faults: a full disk under the archive (the file stays
# in the inbox and goes in once there is room), a file the daemon may not
# read (quarantined with the reason), a file deleted while queued.
# Needs root (tmpfs mount, a second user); skips otherwise.
. "$(dirname "$0")/../e2e_lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "skip: needs root and setpriv"
	exit 77
fi
MNT="$WORK/small"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=3M tmpfs "$MNT" 2>/dev/null; then
	echo "skip: cannot mount a tmpfs here"
	exit 77
fi
trap 'umount "$MNT" 2>/dev/null; rm -rf "$WORK"' EXIT

# --- a full disk -----------------------------------------------------------
export FOLIO_ARCHIVE="$MNT/archive"
IN="$WORK/inbox"
mkdir -p "$IN"
printf 'settle_ms = 200\nrescan_seconds = 1\n' >"$WORK/w.conf"
"$FOLIO" init >/dev/null
# fill the disk but a little
dd if=/dev/zero of="$MNT/filler" bs=64K count=40 2>/dev/null
head -c 1500000 /dev/urandom >"$WORK/big.bin"
printf 'Faktura big\n' >"$WORK/big.txt"
cat "$WORK/big.bin" >>"$WORK/big.txt" 2>/dev/null
# a text file of 1.5 MB: larger than the room left
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "line %d of a large text document\n", i }' >"$IN/large.txt"
"$FOLIO" --config "$WORK/w.conf" watch "$IN" >"$WORK/log" 2>&1 &
WPID=$!
wait_for 30 'grep -q "stays in the inbox, to be retried" "$WORK/log"' && pass ||
	fail "disk full not reported: $(tail -5 "$WORK/log")"
[ -e "$IN/large.txt" ] && pass || fail "file lost on a full disk"
kill -0 "$WPID" && pass || fail "daemon died on a full disk"
# room again: the rescan takes it
rm -f "$MNT/filler"
mount -o remount,size=20M "$MNT"
wait_for 30 '[ ! -e "$IN/large.txt" ]' && pass || fail "not retried after space came back"
"$FOLIO" search --json '"line 59999"' | grep -q large.txt && pass || fail "large file archived"
kill -TERM "$WPID"
wait "$WPID"
expect_eq "$?" 0 "daemon exit after the disk-full episode"
run verify
expect_rc 0 "verify after the disk-full episode"
[ "$RC" = 0 ] || { printf '%s\n' "$OUT"; cat "$WORK/log"; } >&2

# --- a file the daemon may not read; running as nobody ----------------------
export FOLIO_ARCHIVE="$WORK/arc2"
IN2="$WORK/inbox2"
mkdir -p "$IN2" "$FOLIO_ARCHIVE"
chown 65534:65534 "$IN2" "$FOLIO_ARCHIVE" "$WORK"
printf 'secret\n' >"$IN2/locked.txt"
chmod 600 "$IN2/locked.txt"     # root's, unreadable for nobody
printf 'open\n' >"$IN2/open.txt"
chown 65534:65534 "$IN2/open.txt"
HOME="$WORK" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$FOLIO" --config "$WORK/w.conf" watch --once "$IN2" >"$WORK/log2" 2>&1
expect_eq "$?" 1 "--once exits 1 with an unreadable file"
[ -e "$FOLIO_ARCHIVE/quarantine/locked.txt" ] && pass || fail "unreadable file not quarantined: $(cat "$WORK/log2")"
grep -q "Permission denied" "$FOLIO_ARCHIVE/quarantine/locked.txt.reason.txt" && pass ||
	fail "reason names the permission problem"
[ ! -e "$IN2/open.txt" ] && pass || fail "the readable file was not archived"
finish
