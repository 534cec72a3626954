# e2e_cluster.sh - sourced by the PostgreSQL e2e transcripts after
# e2e_lib.sh: skips (77) when PostgreSQL is not installed, starts a
# throw-away cluster (cluster.sh), exports libpq's PG* variables for it
# and stops it on exit. Defines psql_ (psql on that cluster, unaligned,
# stopping at the first error) and sets FOLIO_PG_URL, FOLIO_PG_DIR,
# FOLIO_PG_BIN.
CLUSTER="$ROOT/tests/pg/cluster.sh"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v pg_config >/dev/null; then
	echo "postgresql missing (make deps)"
	exit 77
fi
PGSET=$(sh "$CLUSTER" start) || {
	echo "not ok: the PostgreSQL cluster did not start"
	exit 1
}
eval "$PGSET"
export PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE
trap 'sh "$CLUSTER" stop "$FOLIO_PG_DIR"; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
psql_() { "$FOLIO_PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
