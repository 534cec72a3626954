#!/bin/sh
# tests/bench/pg.sh - per-document cost of the archive: `folio ingest` of
# distinct text-layer PDFs (the bundled samples, a trailing comment making
# each copy distinct bytes) into a SQLite archive and into an archive on a
# throw-away PostgreSQL cluster (tests/pg/cluster.sh: Unix socket, server
# defaults, so fsync and synchronous_commit on), the same binary and
# workers, one after the other. Prints ms/document for each and the
# database sizes. BENCH_PG_COPIES copies of each sample (default 100, 5
# samples: 500 documents). Run by `make bench-pg`.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO=${FOLIO:-$ROOT/folio}
COPIES=${BENCH_PG_COPIES:-100}
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench-pg.XXXXXX")
PGSET=$(sh "$ROOT/tests/pg/cluster.sh" start)
eval "$PGSET"
export PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE
trap 'sh "$ROOT/tests/pg/cluster.sh" stop "$FOLIO_PG_DIR"; rm -rf "$W"' EXIT
export HOME="$W/home"
mkdir -p "$HOME" "$W/text"

i=0
while [ $i -lt "$COPIES" ]; do
	for f in "$ROOT"/tests/fixtures/samples/*.pdf; do
		case "$f" in *-scan.pdf) continue ;; esac
		{ cat "$f"; printf '%% bench copy %d\n' $i; } >"$W/text/$i-$(basename "$f")"
	done
	i=$((i + 1))
done
N=$(ls "$W/text" | wc -l)
now() { date +%s.%N; }

run() { # ARCHIVE: seconds of one ingest of everything into a fresh archive
	"$FOLIO" --archive "$1" init >/dev/null
	t0=$(now)
	"$FOLIO" --archive "$1" ingest "$W/text" >/dev/null
	echo "$(now) - $t0" | bc -l
}

t_sq=$(run "$W/sqlite")
t_pg=$(run "$FOLIO_PG_URL")
docs_sq=$("$FOLIO" --archive "$W/sqlite" stats --json | jq .documents)
docs_pg=$("$FOLIO" --archive "$FOLIO_PG_URL" stats --json | jq .documents)
db_sq=$("$FOLIO" --archive "$W/sqlite" stats --json | jq .database_bytes)
db_pg=$("$FOLIO" --archive "$FOLIO_PG_URL" stats --json | jq .database_bytes)
store_sq=$(du -sb "$W/sqlite/store" | cut -f1)
echo "text-layer PDFs: $N files, $docs_sq documents (SQLite), $docs_pg (PostgreSQL)"
printf '  SQLite      %6.1f ms/document  (%.1f s; database %d MB + store %d MB)\n' \
	"$(echo "1000 * $t_sq / $N" | bc -l)" "$t_sq" $((db_sq / 1048576)) $((store_sq / 1048576))
printf '  PostgreSQL  %6.1f ms/document  (%.1f s; database %d MB, originals inside)\n' \
	"$(echo "1000 * $t_pg / $N" | bc -l)" "$t_pg" $((db_pg / 1048576))
