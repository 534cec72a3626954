#!/bin/sh
# folio migrate, against a throw-away PostgreSQL cluster (tests/pg/cluster.sh):
# a SQLite archive made by `folio ingest` of the bundled samples and of
# UBL invoices (tagged, noted, retyped, exported in two formats) copied
# into PostgreSQL: every table's rows and every original (re-hashed) the
# same, search / show / verify give the same answers, the audit log the
# same chain (verify recomputes it), --again re-emits a batch from the
# copies moved into the database, a new document takes the next id; then
# copied back into a new folder, the same again. A target holding an
# archive (folder or database) is refused, and so is a folder that holds
# anything, and an archive with a problem folio verify finds (a batch
# left pending) is not moved; --json; no --to is a usage error.
. "$(dirname "$0")/../e2e_lib.sh"

. "$ROOT/tests/pg/e2e_cluster.sh"
SQ="$WORK/sq"
BACK="$WORK/back"
PG="$FOLIO_PG_URL"
export FOLIO_ARCHIVE="$SQ"
IN="$WORK/in"
mkdir -p "$IN"
cd "$WORK" || exit 1

# ---- a SQLite archive with a little of everything ----
ubl FV/2025/03/001 5260250274 100.00 23.00 >"$IN/a.xml"
ubl FV/2025/03/002 5260250274 200.00 46.00 >"$IN/b.xml"
ubl FV/2025/03/003 5260001246 1000.00 230.00 >"$IN/c.xml"
run ingest "$FIX"/samples/*.pdf "$IN"
expect_rc 0 "ingest the samples and three invoices"
PL=$("$FOLIO" search --json 0147 | jq -r .id)
run tag "$PL" +fuel +q1
run note "$PL" "paid in cash"
run retype 2 letter
run export --to csv --out first.csv
expect_rc 0 "an export"
run export --to ubl --out ubl --include-review --force
expect_rc 0 "a folder export"
UBL=$("$FOLIO" export --history --json | jq -r 'select(.format == "ubl") | .batch')
run verify
expect_rc 0 "the SQLite archive verifies"

# ---- bad requests ----
run migrate
expect_rc 2 "no --to"
expect_err "where to" "says so"
mkdir -p "$WORK/used" && : >"$WORK/used/x"
run migrate --to "$WORK/used"
expect_rc 2 "a folder holding anything"
expect_err "'$WORK/used' is not empty" "says so"
[ ! -e "$WORK/used/folio.db" ] && pass || fail "an archive was made in a used folder"
run migrate --to "$SQ"
expect_rc 2 "the archive itself"
# an archive that folio verify finds fault with is not moved
FOLIO_FAULT=export-after-commit run export --to jsonl --out pending.jsonl
expect_rc 70 "an export interrupted after its commit"
run migrate --to "$PG"
expect_rc 1 "an archive with a batch pending"
expect_err "the archive has 1 problem \(folio verify lists them\): fix it before moving it" "says so"
expect_eq "$(psql_ -c "SELECT to_regclass('documents') IS NULL")" t "nothing written to the target"
run export --history
expect_rc 0 "the pending batch completed"

# answers QUERY...: what search, show and verify say, one line each
# (archive-independent: ids, titles, fields, tags, notes)
answers() {
	for q in lodz 0147 '"Data wystawienia"' 'fakt*' type:invoice type:letter tag:fuel \
		is:exported is:unexported export:ubl 'total>100' nosuchword; do
		printf '%s: %s\n' "$q" "$("$FOLIO" --archive "$1" search --json --limit 100 "$q" |
			jq -r '"\(.id) \(.title)"' | sort | tr '\n' '|')"
	done
	for id in $("$FOLIO" --archive "$1" search --json --limit 100 added:2000..2999 | jq -r .id | sort -n); do
		"$FOLIO" --archive "$1" show --json "$id" | jq -c -S '{id, sha256, title, doc_type,
			status, pages, tags, notes, added_at,
			fields: (.fields | map_values(.value))}'
	done
	"$FOLIO" --archive "$1" verify --json | jq -c '{ok, problems}'
}
answers "$SQ" >sq.answers
expect_eq "$(grep -c '^{"added_at"' sq.answers)" 9 "the answers show nine documents"
grep -q '^lodz: [0-9]' sq.answers && grep -q '^tag:fuel: [0-9]' sq.answers && pass ||
	fail "the answers hold hits: $(head -c 400 sq.answers)"
expect_eq "$(grep -c '"ok":true' sq.answers)" 1 "the answers end with a clean verify"

# ---- SQLite -> PostgreSQL ----
run migrate --to "$PG" --json
expect_rc 0 "migrate to PostgreSQL"
printf '%s\n' "$OUT" >to-pg.json
expect_eq "$(jq -r '.ok' to-pg.json)" true "ok"
expect_eq "$(jq -r '[.tables[] | select(.from != .to)] | length' to-pg.json)" 0 "every table's rows equal"
expect_eq "$(jq -r '.tables.documents.to' to-pg.json)" 9 "nine documents"
expect_eq "$(jq -r '.tables.events.to' to-pg.json)" "$(sqlite3 "$SQ/folio.db" 'SELECT count(*) FROM events')" \
	"every event"
expect_eq "$(jq -r '.originals' to-pg.json)" "$(find "$SQ/store" -type f | wc -l | tr -d ' ')" \
	"every original"
expect_eq "$(jq -r '.problems' to-pg.json)" 0 "no problem"
expect_eq "$(psql_ -c 'SELECT count(*) FROM original_chunks')" "$(jq -r '.originals' to-pg.json)" \
	"originals in the database"
expect_eq "$(psql_ -c 'SELECT hash FROM events ORDER BY id DESC LIMIT 1')" \
	"$(sqlite3 "$SQ/folio.db" 'SELECT hash FROM events ORDER BY id DESC LIMIT 1')" \
	"the chain's last hash is the same"
answers "$PG" >pg.answers
diff sq.answers pg.answers >answers.diff && pass || fail "search/show/verify differ on PostgreSQL: $(head -c 800 answers.diff)"
run --archive "$PG" export --again "$UBL" --out ubl-again
expect_rc 0 "--again from the copies moved into the database"
diff -r ubl ubl-again >/dev/null && pass || fail "--again after migrate differs"
run --archive "$PG" export --to csv --out second.csv
expect_err "nothing to export to csv; 1 held as probable duplicates; 6 already exported" \
	"the ledger came along"
run --archive "$PG" migrate --to "$PG"
expect_rc 2 "migrate into itself"
expect_err "the target is the archive itself" "says so"
run --archive "$SQ" migrate --to "$PG"
expect_rc 2 "the target holds an archive"
expect_err "copies into an empty one only" "says so"

# ---- PostgreSQL -> a new folder ----
run --archive "$PG" migrate --to "$BACK"
expect_rc 0 "migrate back to a folder"
expect_out "^documents +9 -> 9$" "the table of rows"
expect_out "^originals .* each read back and its sha256 checked" "the originals"
run --archive "$BACK" verify
expect_rc 0 "folio verify clean on the folder"
answers "$BACK" >back.answers
diff sq.answers back.answers >answers.diff && pass || fail "search/show/verify differ after the way back: $(head -c 800 answers.diff)"
expect_eq "$(sqlite3 "$BACK/folio.db" 'SELECT group_concat(hash) FROM (SELECT hash FROM events ORDER BY id)')" \
	"$(sqlite3 "$SQ/folio.db" 'SELECT group_concat(hash) FROM (SELECT hash FROM events ORDER BY id)')" \
	"the same chain, hash for hash"
cmp -s "$SQ/exports/1/output" "$BACK/exports/1/output" && pass || fail "the kept copy of batch 1"
run --archive "$BACK" export --again 1 --out again.csv
cmp -s first.csv again.csv && pass || fail "--again on the folder differs"

# ---- both copies go on on their own ----
ubl FV/2025/03/004 5260250274 50.00 11.50 >"$IN/d.xml"
run --archive "$PG" ingest "$IN/d.xml"
expect_rc 0 "a new document on PostgreSQL"
expect_eq "$("$FOLIO" --archive "$PG" search --json FV/2025/03/004 | jq -r .id)" 10 "takes the next id"
run --archive "$PG" export --to csv --out third.csv
expect_err "as batch 4" "and the next batch number"
run --archive "$PG" verify
expect_rc 0 "verify clean after more work"
finish
