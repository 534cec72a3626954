#!/bin/sh
# Records management (issue 18): the audit trail read back (folio log),
# the hash chain recomputed by folio verify on SQLite with the first
# broken link named, and one chain kept while several processes append.
. "$(dirname "$0")/../e2e_lib.sh"

INV="$FIX/invoices"
run init
run ingest --workers 1 "$INV/de-01-invoice.pdf"
expect_rc 0 "ingest the first invoice"
run ingest --workers 1 "$INV/de-02-invoice.pdf"
run ingest --workers 1 "$INV/de-03-invoice.pdf"
expect_rc 0 "ingest two more"

# ---- folio log -----------------------------------------------------------
run tag 1 +audit
run fix 1 invoice_number=FV/LOG/1
expect_rc 0 "a field fixed by hand"
(cd "$WORK" && "$FOLIO" export --to csv --out "$WORK/x.csv" id:1 >/dev/null 2>&1)
expect_eq "$(wc -l <"$WORK/x.csv")" 2 "exported in a batch"
run retype 1 receipt
run ingest --workers 1 "$INV/de-01-invoice.pdf"
expect_out "^duplicate" "the same bytes again are a duplicate"
run log 1
expect_rc 0 "log of one document"
expect_out "#1 +document 1 archived from .*de-01-invoice.pdf" "the ingest"
expect_out "document 1 tagged \+audit" "the tag"
expect_out "document 1 retyped invoice -> receipt" "the retype"
expect_out "document 1 fixed: invoice_number: .* -> FV/LOG/1 \(by [^)]+\)" "the fix, old -> new, by whom"
expect_out "de-01-invoice.pdf: the same bytes as document 1, not stored again" "the duplicate"
expect_out "ledger document 1 exported in batch 1 to csv" "the export, from the ledger"
expect_no_out "document 2" "only document 1's events"
run log --json 1
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'length')" 6 "six entries as JSON lines"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.kind == "fixed") | .detail' | grep -c 'FV/LOG/1')" 1 \
	"the fix's detail"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.kind == "exported") | "\(.id) \(.batch) \(.target) \(.chained)"')" \
	"null 1 csv false" "the export entry: no chain id, its batch and target"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.chained) | .hash' | grep -c '^[0-9a-f]\{64\}$')" 5 \
	"every chained event with its hash"
run log
expect_rc 0 "log of the archive"
expect_out "document 2 archived" "every document's events"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 8 "eight entries in all"
run log --since 2999-01-01
expect_rc 0 "nothing since a future day"
expect_eq "$OUT" "" "and prints nothing"
run log --since yesterday
expect_rc 2 "a --since that is no date"
expect_err "is not a date" "says so"
run log 999
expect_rc 1 "an id that never was"
expect_err "no document with id 999" "says so"
run log abc
expect_rc 2 "an operand that is no id"

# ---- concurrent writers keep one chain --------------------------------------
# tags and notes (each in its own transaction) and ingests of bytes already
# stored (a 'duplicate' event written alone) from separate processes at
# once, each pausing between reading the last hash and appending (FOLIO_FAULT)
export FOLIO_FAULT=event-slow
i=1
while [ "$i" -le 6 ]; do
	"$FOLIO" tag 2 "+t$i" >/dev/null 2>"$WORK/tag$i.err" &
	"$FOLIO" note 3 "note $i" >/dev/null 2>"$WORK/note$i.err" &
	"$FOLIO" ingest --workers 1 "$INV/de-02-invoice.pdf" >/dev/null 2>"$WORK/ing$i.err" &
	i=$((i + 1))
done
wait
unset FOLIO_FAULT
i=1
while [ "$i" -le 6 ]; do
	expect_eq "$(cat "$WORK/tag$i.err" "$WORK/note$i.err" "$WORK/ing$i.err")" "" "writer $i ran clean"
	i=$((i + 1))
done
run verify --json
expect_rc 0 "the archive verifies after concurrent writers"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.chain | "\(.ok) \(.events) \(.broken) \(.first_broken)"')" \
	"true 25 0 null" "one chain of 7 + 18 events, no broken link"
DB="$FOLIO_ARCHIVE/folio.db"
# each event names the hash of the one before it: no two chained to one
expect_eq "$(sqlite3 "$DB" 'SELECT count(*), count(DISTINCT hash), max(id) FROM events')" "25|25|25" \
	"25 events, 25 hashes, ids dense"
run log 2
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'tagged +t')" 6 "every tag is in the log"
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'not stored again')" 6 "every duplicate is in the log"
run log --json 3
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'map(select(.kind == "fixed")) | length')" 6 \
	"every note is in the log"
run verify
expect_rc 0 "verify in text"
expect_out "archive ok: .*audit log" "says the audit log checks out"

# ---- legal hold ---------------------------------------------------------------
run hold 2 --reason "tax audit 2026"
expect_rc 0 "hold a document"
expect_out "document 2 is on legal hold" "says so"
run show 2
expect_out "^hold: +on legal hold since [0-9T:Z-]+: tax audit 2026 \(by [^)]+\)" "show says why and by whom"
run show --json 2
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.held) \(.hold.detail)"' | sed 's/ (by .*//')" "true tax audit 2026" \
	"show --json: held and the hold"
run show --json 1
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.held) \(.hold)"')" "false null" "a document not held"
run hold 2 --reason again
expect_rc 0 "holding a held document is no failure"
expect_err "already on legal hold \(since .*tax audit 2026" "but says it already is"
run search --json is:held
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" 2 "search is:held"
run hold --json --reason "litigation" "Malerbetrieb"
expect_rc 0 "hold by a query"
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'map(select(.changed)) | length')" 1 "every match held"
held_q=$(printf '%s\n' "$OUT" | jq -r 'select(.changed) | .id')
run search --count is:held
expect_eq "$OUT" 2 "two held now"
run search --count "is:held Malerbetrieb"
expect_eq "$OUT" 1 "is:held mixes with words"
run hold --release "$held_q" --reason "settled"
expect_rc 0 "release"
expect_out "document $held_q is released from legal hold" "says so"
run hold --release "$held_q" --reason "settled"
expect_err "is not on legal hold" "releasing twice says it is not held"
run search --json is:held
expect_eq "$(printf '%s\n' "$OUT" | jq -r .id)" 2 "only document 2 still held"
run log 2
expect_out "document 2 put on legal hold: tax audit 2026 \(by " "the hold is in the log"
run log "$held_q"
expect_out "released from legal hold: settled" "the release is in the log"
# bad input: nothing written
n0=$(sqlite3 "$FOLIO_ARCHIVE/folio.db" 'SELECT count(*) FROM events')
run hold 1
expect_rc 2 "no --reason"
expect_err "reason TEXT is required" "says so"
run hold 999 --reason x
expect_rc 1 "an unknown id"
expect_err "no document with id 999" "says so"
run hold "total:abc" --reason x
expect_rc 2 "a bad query"
expect_err "'abc' is not an amount" "names the bad word"
run hold "zzzznomatch" --reason x
expect_rc 1 "a query matching nothing"
expect_err "no document matches" "says so"
run hold 1 --reason "$(printf 'two\nlines')"
expect_rc 2 "a reason of two lines"
run search is:nonsense
expect_rc 2 "is: with an unknown word"
expect_err "'held'" "names is:held among the choices"
expect_eq "$(sqlite3 "$FOLIO_ARCHIVE/folio.db" 'SELECT count(*) FROM events')" "$n0" "no event written by bad input"
run verify
expect_rc 0 "the chain holds with holds and releases"

# ---- deletion -----------------------------------------------------------------
DB="$FOLIO_ARCHIVE/folio.db"
blob() { printf '%s/store/%s/%s/%s' "$FOLIO_ARCHIVE" "$(printf %s "$1" | cut -c1-2)" \
	"$(printf %s "$1" | cut -c3-4)" "$1"; }
n0=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
d0=$(sqlite3 "$DB" 'SELECT count(*) FROM documents')
run delete 1 --reason "no longer needed"
expect_rc 1 "an exported document within its retention is refused"
expect_err "document 1 is not past its retention period: --force deletes it anyway" "says why and how"
run delete 3 --reason "no longer needed"
expect_rc 1 "a document never exported is refused"
expect_err "document 3 was never exported: --force" "says why"
run delete 2 --force --reason "no longer needed"
expect_rc 1 "a held document is refused, even with --force"
expect_err "document 2 is on legal hold: release it first" "says why"
run delete 3 --force
expect_rc 2 "no --reason"
expect_err "reason TEXT is required" "says so"
run delete 999 --force --reason x
expect_rc 1 "an unknown id"
expect_err "no document with id 999" "says so"
run delete Malerbetrieb --force --reason x
expect_rc 2 "a word is no id (a query needs --query)"
run delete --query "total:abc" --dry-run
expect_rc 2 "a bad query"
expect_err "'abc' is not an amount" "names the bad word"
run delete --query "zzzznomatch" --force --reason x
expect_rc 1 "a query matching nothing"
run delete 3 --force --reason "$(printf 'two\nlines')"
expect_rc 2 "a reason of two lines"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM events') $(sqlite3 "$DB" 'SELECT count(*) FROM documents')" \
	"$n0 $d0" "bad input deleted nothing and wrote no event"
run show 2
expect_rc 0 "the held document is intact"

# the data-protection case: a scanned batch of three invoices, two of them
# a person's (tagged here), found by a query, listed, then deleted; the
# batch's own bytes stay while the third part names them
zint -b 20 -d "FOLIO-SEP" --height=60 --scale=4 -o "$WORK/sep.png" >/dev/null
mutool convert -o "$WORK/sep.pdf" "$WORK/sep.png" >/dev/null 2>&1
mutool merge -o "$WORK/batch.pdf" "$INV/pl-01-invoice.pdf" "$WORK/sep.pdf" \
	"$INV/es-01-invoice.pdf" "$WORK/sep.pdf" "$INV/it-01-invoice.pdf" >/dev/null 2>&1
run ingest --json "$WORK/batch.pdf"
expect_eq "$(printf '%s\n' "$OUT" | jq -s length)" 3 "the batch is three documents"
partid() { # invoice fixture name -> its part's id
	num=$(jq -r --arg d "$1-invoice" '.documents[$d].fields.invoice_number' "$INV/truth.json")
	for id in $(printf '%s\n' "$OUT" | jq -r .id); do
		[ "$("$FOLIO" show --json "$id" | jq -r .fields.invoice_number.value)" = "$num" ] && echo "$id"
	done
}
P1=$(partid pl-01)
P2=$(partid es-01)
P3=$(partid it-01)
"$FOLIO" tag "$P1" +subject-42 >/dev/null
"$FOLIO" tag "$P2" +subject-42 >/dev/null
sha1=$("$FOLIO" show --json "$P1" | jq -r .sha256)
sha2=$("$FOLIO" show --json "$P2" | jq -r .sha256)
sha3=$("$FOLIO" show --json "$P3" | jq -r .sha256)
src=$("$FOLIO" show --json "$P1" | jq -r .source_sha256)
num1=$(jq -r '.documents["pl-01-invoice"].fields.invoice_number' "$INV/truth.json")
run search --count "\"$num1\""
expect_eq "$OUT" 1 "the person's invoice is found by its number"
n0=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
run delete --query tag:subject-42 --dry-run
expect_rc 1 "dry run: without --force both would be refused (never exported)"
expect_err "would refuse: document $P1 was never exported" "and says so"
run delete --query tag:subject-42 --dry-run --force --json
expect_rc 0 "dry run with --force"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.id) \(.deleted) \(.dry_run) \(.original_removed) \(.source_removed)"' | sort -n | tr '\n' ' ')" \
	"$(printf '%s false true true false\n' "$P1" "$P2" | sort -n | tr '\n' ' ')" \
	"lists both, their originals would go, the batch's bytes stay"
run delete --query tag:subject-42 --dry-run --force
expect_out "would delete document $P1 \(batch.pdf#[0-9], invoice, 1 page, [0-9]+ fields\); original removed" \
	"in text"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM events') $([ -f "$(blob "$sha1")" ] && echo kept)" \
	"$n0 kept" "a dry run changes nothing"
cp "$(blob "$sha1")" "$WORK/kept-original"
run delete --query tag:subject-42 --force --reason "GDPR art. 17, request 42"
expect_rc 0 "delete what the query matches"
expect_out "^deleted document $P1 " "the first"
expect_out "^deleted document $P2 " "the second"
run show "$P1"
expect_rc 1 "the document is gone"
expect_err "no document with id $P1" "says so"
[ -e "$(blob "$sha1")" ] && fail "the first original is still in the store" || pass
[ -e "$(blob "$sha2")" ] && fail "the second original is still in the store" || pass
[ -f "$(blob "$src")" ] && pass || fail "the batch's bytes stay: part $P3 names them"
run search --count "\"$num1\""
expect_eq "$OUT" 0 "its text is out of the index"
expect_eq "$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM pages WHERE doc_id IN ($P1, $P2))
	+ (SELECT count(*) FROM fields WHERE doc_id IN ($P1, $P2))
	+ (SELECT count(*) FROM tags WHERE doc_id IN ($P1, $P2))
	+ (SELECT count(*) FROM simhash_band WHERE doc_id IN ($P1, $P2))
	+ (SELECT count(*) FROM doc_dates WHERE id IN ($P1, $P2))")" 0 \
	"no page, field, tag, fingerprint or date row left"
run log --json "$P1"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.kind == "deleted") | "\(.sha256) \(.detail)"' | sed 's/ (by .*//')" \
	"$sha1 GDPR art. 17, request 42" "the tombstone: sha256 and why"
expect_out '"kind":"deleted".*"detail":"GDPR art. 17, request 42 \(by [^)]+\)"' "and by whom"
run log "$P1"
expect_out "document $P1 archived from .*batch.pdf" "earlier events stay"
run verify --json
expect_rc 0 "the archive verifies after deletion: index, chain, store"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .chain.ok)" true "the chain holds, with the tombstones"
run delete "$P3" --force --json --reason "GDPR art. 17, request 42"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.deleted) \(.original_removed) \(.source_removed)"')" \
	"true true true" "the last part takes the batch's bytes with it"
[ -e "$(blob "$src")" ] && fail "the batch's bytes are still in the store" || pass
[ -e "$(blob "$sha3")" ] && fail "the third original is still in the store" || pass
run delete "$P3" --force --reason again
expect_rc 1 "deleting twice"
expect_err "no document with id $P3" "says it is gone"
run verify
expect_rc 0 "verify after the last part"
# the same bytes ingested again are a new document, with its original
run ingest --json --workers 1 "$INV/de-03-invoice.pdf"
run delete 3 --force --reason "test"
expect_rc 0 "a document never exported, with --force"
run ingest --json --workers 1 "$INV/de-03-invoice.pdf"
expect_eq "$(printf '%s\n' "$OUT" | jq -r .status)" archived "the same bytes after deletion are archived again"
new3=$(printf '%s\n' "$OUT" | jq -r .id)
[ "$new3" -gt "$P3" ] && [ "$new3" -gt 3 ] && pass ||
	fail "a new document gets an id no deleted one had (got $new3)"
run log "$new3"
expect_no_out "deleted" "its log is its own"
run verify
expect_rc 0 "with their original back in the store"
# a deletion interrupted between its commit and removing the bytes
cp "$WORK/kept-original" "$(blob "$sha1")"
run verify
expect_rc 1 "an original left behind by a deletion"
expect_out "original of deleted document $P1 still in the store \(its deletion was interrupted" \
	"is named as such"
rm -f "$(blob "$sha1")"

# ---- retention --------------------------------------------------------------
run retention
expect_rc 1 "no rules"
expect_err "no rules: set 'retention' or 'retention_country'" "says where to set them"
# document 1: exported, a receipt now (retyped), dated 2024
cat >"$WORK/ret.conf" <<'CONF'
retention = type:receipt=1, tag:nothing-here=3
retention_country = pl
CONF
d1=$("$FOLIO" show --json 1 | jq -r '.fields.issue_date.value')
y1=$(printf %s "$d1" | cut -c1-4)
today=$(date -u +%Y-%m-%d)
run --config "$WORK/ret.conf" retention --json --all
expect_rc 0 "retention --all"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.id == 1) | "\(.rule) \(.date) \(.until)"')" \
	"type:receipt=1 $d1 $((y1 + 2))-01-01" "a rule: from the end of the invoice's year"
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.id == 2) | "\(.rule) \(.until) \(.held)"')" \
	"country pl=5 $(($("$FOLIO" show --json 2 | jq -r .fields.issue_date.value | cut -c1-4) + 6))-01-01 true" \
	"the country's default for an invoice, and its hold"
exp1=$([ "$today" \> "$((y1 + 2))-01-00" ] && echo true || echo false)
expect_eq "$(printf '%s\n' "$OUT" | jq -r 'select(.id == 1) | .expired')" "$exp1" "expired as of today"
run --config "$WORK/ret.conf" retention
expect_rc 0 "retention"
[ "$exp1" = true ] && expect_out "^1 +receipt +$d1 expired on $((y1 + 2))-01-01 \(type:receipt=1\)" \
	"the expired document, in text"
expect_no_out "^2 " "a document still kept is not listed without --all"
printf 'retention = type:receipt\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" retention
expect_rc 2 "a malformed rule"
expect_err "'retention' rules are type:T=YEARS" "says what a rule is"
printf 'retention_country = fr\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" retention
expect_rc 2 "a country without a default"
# delete without --force: exported and expired goes; the rest is refused
if [ "$exp1" = true ]; then
	run --config "$WORK/ret.conf" delete 1 "$new3" --reason "retention over"
	expect_rc 1 "one refused"
	expect_out "^deleted document 1 " "the exported, expired document is deleted without --force"
	expect_err "document $new3 was never exported" "the other is refused"
	run verify
	expect_rc 0 "verify after"
fi

# ---- a changed event is named ----------------------------------------------
cp -R "$FOLIO_ARCHIVE" "$WORK/copy"
# what a person with sqlite3 could do: drop the append-only guard, edit a row
tid=$(sqlite3 "$DB" "SELECT id FROM events WHERE kind = 'tagged' AND detail = '+audit'")
sqlite3 "$DB" "DROP TRIGGER events_append_only_u;
	UPDATE events SET detail = '+forged' WHERE id = $tid;"
run verify
expect_rc 1 "a changed event fails verify"
expect_out "^problem: audit log: event $tid \(tagged\): its hash does not follow from its columns" \
	"names the changed event"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^problem: audit log')" 1 "one change, one broken link"
expect_err "1 problem found" "counts it"
run verify --json
expect_rc 1 "and in JSON"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.chain | "\(.ok) \(.broken) \(.first_broken)"')" \
	"false 1 $tid" "the chain's first broken link"
expect_out "\"problem\":\"event $tid \(tagged\)" "with what is wrong"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.messages[0]' | grep -c "event $tid")" 1 "among the problems"

# a removed event: the one after it no longer follows, and the gap says why
sqlite3 "$WORK/copy/folio.db" "DROP TRIGGER events_append_only_d; DELETE FROM events WHERE id = 4;"
FOLIO_ARCHIVE="$WORK/copy" run verify --json
expect_rc 1 "a removed event fails verify"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '.chain.first_broken')" 5 "the link after it is broken"
expect_out "event 4 is missing" "and the missing event is named"
finish
