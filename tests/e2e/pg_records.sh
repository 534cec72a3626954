#!/bin/sh
# Records management on a PostgreSQL archive (a throw-away cluster, as
# pg.sh): folio log reads the events and the chain, folio hold and
# release, show and search is:held, verify's chain; folio delete and
# folio backup are not there yet and say so, deleting and writing nothing.
. "$(dirname "$0")/../e2e_lib.sh"

. "$ROOT/tests/pg/e2e_cluster.sh"
export FOLIO_ARCHIVE="$FOLIO_PG_URL"
INV="$FIX/invoices"

run init
expect_rc 0 "init"
run ingest --workers 1 "$INV/de-01-invoice.pdf"
run ingest --workers 1 "$INV/de-02-invoice.pdf"
run ingest --workers 1 "$INV/de-01-invoice.pdf"
expect_out "^duplicate" "a duplicate"
run tag 1 +audit
run log 1
expect_rc 0 "log on PostgreSQL"
expect_out "#1 +document 1 archived from .*de-01-invoice.pdf" "the ingest"
expect_out "not stored again" "the duplicate"
expect_out "document 1 tagged \+audit" "the tag"
run log --json
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'map(select(.chained)) | length')" 4 "every event as JSON"

run hold 2 --reason "tax audit"
expect_rc 0 "hold on PostgreSQL"
run hold 2 --reason again
expect_err "already on legal hold" "twice says so"
run show --json 2
expect_eq "$(printf '%s\n' "$OUT" | jq -r .held)" true "show --json: held"
run search --json is:held
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" 2 "search is:held"
run hold 99 --reason x
expect_rc 1 "an unknown id"
run hold --release 2 --reason done
expect_rc 0 "release"
run search --count is:held
expect_eq "$OUT" 0 "none held"
run log 2
expect_out "released from legal hold: done \(by " "hold and release in the log"

run delete 1 --force --reason x
expect_rc 1 "delete is not there yet"
expect_err "folio delete is not available on postgresql archives yet" "and says so"
run show 1
expect_rc 0 "nothing deleted"
run backup "$WORK/pg.tar"
expect_rc 1 "backup is not there yet"
expect_err "folio backup is not available on postgresql archives yet \(use pg_dump, or folio migrate --to DIR" \
	"and says what to use"
[ ! -e "$WORK/pg.tar" ] && [ -z "$(ls -A "$WORK" | grep -E '\.(tmp|snap)\.')" ] && pass ||
	fail "backup on PostgreSQL left a file"
run verify --json
expect_rc 0 "verify"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.chain.ok) \(.chain.events)"')" "true 6" \
	"the chain, six events"
finish
