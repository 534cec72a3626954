#!/bin/sh
# make bench-mail: IMAP intake against a local Dovecot (tests/imap_lib.sh).
#   1. a first sync of BENCH_MAILS (default 1,000) messages with attachments
#      (the project's mail fixtures, each copy made distinct by a header):
#      messages/s, bytes received, peak RSS of `folio mail --once`;
#   2. a re-poll with no new mail: bytes received (folio's count and
#      Dovecot's out=), milliseconds.
# The messages are written into the Maildir directly (as a delivery agent
# would): appending 1,000 messages over IMAP would time curl, not folio.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO=${FOLIO:-$ROOT/folio}
N=${BENCH_MAILS:-1000}
. "$ROOT/tests/imap_lib.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench-mail.XXXXXX")
trap 'dovecot_stop; rm -rf "$W"' EXIT
chmod 711 "$W"
export OMP_THREAD_LIMIT=1
dovecot_start "$W/dove"
M="$ROOT/tests/fixtures/mail"
# one login makes the Maildir
imap_count INBOX >/dev/null
NEW="$W/dove/home/$IMAP_USER/Maildir/new"
mkdir -p "$NEW"
i=1
while [ "$i" -le "$N" ]; do
	case $((i % 4)) in
	0) f=pl-faktura ;;
	1) f=es-factura-xml ;;
	2) f=it-fattura-inline ;;
	*) f=pl-cp1250 ;;
	esac
	{
		printf 'X-Folio-Bench: %s\r\n' "$i"
		cat "$M/$f.eml"
	} >"$NEW/$i.bench.eml"
	i=$((i + 1))
done
chown -R nobody:nogroup "$W/dove/home"
MB=$(du -sm "$NEW" | cut -f1)
printf 'secret\n' >"$W/pw"
chmod 600 "$W/pw"
cat >"$W/conf" <<CONF
[account bench]
host = 127.0.0.1
port = $IMAPS_PORT
user = $IMAP_USER
password_file = $W/pw
ca_file = $W/dove/cert.pem
after = flag
CONF
echo "first sync: $N messages ($MB MB) from Dovecot on 127.0.0.1, 2 workers"
/usr/bin/time -v "$FOLIO" --archive "$W/archive" --config "$W/conf" -q mail --once --json \
	>"$W/first.json" 2>"$W/first.time"
jq -r '"  \(.stored) stored, \(.downloaded) downloaded, \(.bytes) bytes received in \(.seconds) s: \(((.stored / .seconds) * 10 | floor) / 10) messages/s"' \
	"$W/first.json"
sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\)/  peak RSS \1 kB/p' "$W/first.time"
L=$(($(wc -l <"$W/dove/dovecot.log") + 1))
echo "re-poll, no new mail:"
"$FOLIO" --archive "$W/archive" --config "$W/conf" -q mail --once --json >"$W/again.json"
sleep 0.3
jq -r '"  \(.bytes) bytes received (folio), \(.seconds * 1000 | floor) ms"' "$W/again.json"
echo "  $(dovecot_out_bytes "$L") bytes sent (Dovecot's out=)"
