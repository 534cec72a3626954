#!/bin/sh
# tests/pg/cluster.sh - a throw-away PostgreSQL cluster for the tests and
# benchmarks: nothing of the machine's own PostgreSQL is used or touched.
#
#   sh tests/pg/cluster.sh start     make a temp folder (${TMPDIR:-/tmp}/folio-pg.XXXXXX),
#                                    initdb there, start postgres, create the
#                                    database "folio" with the unaccent and
#                                    pg_trgm extensions; print the settings
#                                    as shell assignments (eval them)
#   sh tests/pg/cluster.sh stop DIR  pg_ctl stop -m fast, then remove DIR
#   sh tests/pg/cluster.sh restart DIR   the server killed (-m immediate) and
#                                    started again, same port
#
# The server runs as an unprivileged account: as the caller when it is not
# root, else as "nobody" (through runuser, or setpriv), which owns the temp
# folder; PostgreSQL refuses to run as root anyway. It listens on a Unix
# socket in DIR/sock (mode 0700: its owner and root only) and on 127.0.0.1
# at a free port, never on another address. Its superuser is "folio":
# trusted on the socket, by password (SCRAM) over TCP, the password in
# DIR/pgpass for libpq's PGPASSFILE - so a test can check that folio
# connects with a password it never sees on a command line.
#
# Printed: FOLIO_PG_DIR, PGHOST (the socket folder), PGPORT, PGUSER,
# PGDATABASE, PGPASSFILE, FOLIO_PG_URL (by socket) and FOLIO_PG_TCP_URL
# (127.0.0.1, no password in it). A test runs `stop` from a trap, so the
# cluster goes even when the test fails.
set -eu

pg_bindir() {
	for d in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	return 1
}

# as_owner CMD...: run as the cluster's owner (nobody when we are root)
as_owner() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u nobody -- "$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
	BIN=$(pg_bindir) || { echo "cluster.sh: no PostgreSQL server (make deps installs postgresql)" >&2; exit 77; }
	D=$(mktemp -d "${TMPDIR:-/tmp}/folio-pg.XXXXXX")
	chmod 755 "$D"
	mkdir -m 700 "$D/sock"
	PW=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$PW" >"$D/pw"
	chmod 600 "$D/pw"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R nobody:nogroup "$D"
	fi
	if ! as_owner "$BIN/initdb" -D "$D/data" -U folio -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 --pwfile="$D/pw" >"$D/initdb.log" 2>&1; then
		cat "$D/initdb.log" >&2
		rm -rf "$D"
		exit 1
	fi
	# loopback only: the host lines initdb wrote for ::1 stay unused
	tries=0
	while :; do
		PORT=$(free_port)
		if as_owner "$BIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$D/sock" \
			start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 3 ]; then
			tail -n 20 "$D/server.log" >&2 || true
			rm -rf "$D"
			exit 1
		fi
	done
	if ! as_owner "$BIN/psql" -q -X -h "$D/sock" -p "$PORT" -U folio -d postgres \
		-v ON_ERROR_STOP=1 -c 'CREATE DATABASE folio' >/dev/null ||
		! as_owner "$BIN/psql" -q -X -h "$D/sock" -p "$PORT" -U folio -d folio \
			-v ON_ERROR_STOP=1 -c 'CREATE EXTENSION unaccent' \
			-c 'CREATE EXTENSION pg_trgm' >/dev/null; then
		stop "$D"
		exit 1
	fi
	# the password file libpq reads (PGPASSFILE): owned by the caller, 0600
	printf '127.0.0.1:%s:*:folio:%s\n' "$PORT" "$PW" >"$D/pgpass.tmp"
	rm -f "$D/pw"
	if [ "$(id -u)" -eq 0 ]; then chown root:root "$D/pgpass.tmp"; fi
	chmod 600 "$D/pgpass.tmp"
	mv "$D/pgpass.tmp" "$D/pgpass"
	cat <<OUT
FOLIO_PG_DIR=$D
FOLIO_PG_BIN=$BIN
PGHOST=$D/sock
PGPORT=$PORT
PGUSER=folio
PGDATABASE=folio
PGPASSFILE=$D/pgpass
FOLIO_PG_URL='postgresql:///folio?host=$D/sock&port=$PORT&user=folio'
FOLIO_PG_TCP_URL='postgresql://folio@127.0.0.1:$PORT/folio'
OUT
}

stop() {
	D=${1:?usage: cluster.sh stop DIR}
	case "$D" in
	*/folio-pg.*) ;;
	*) echo "cluster.sh: '$D' is not a cluster this script made" >&2; exit 2 ;;
	esac
	[ -d "$D" ] || return 0
	if [ -f "$D/data/postmaster.pid" ]; then
		BIN=$(pg_bindir) || true
		as_owner "$BIN/pg_ctl" -D "$D/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
	fi
	rm -rf "$D"
}

# restart DIR: kill the server as a crash would (-m immediate) and start it
# again with the same options and port
restart() {
	D=${1:?usage: cluster.sh restart DIR}
	BIN=$(pg_bindir)
	as_owner "$BIN/pg_ctl" -D "$D/data" -m immediate -w -t 60 restart >/dev/null 2>&1
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
restart) restart "${2:-}" ;;
*) echo "usage: cluster.sh start | stop DIR | restart DIR" >&2; exit 2 ;;
esac
