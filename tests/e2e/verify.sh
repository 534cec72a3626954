#!/bin/sh
# folio verify re-hashes every original, in threads and in chunks of rows:
# damage to some of 600 originals (more than one chunk) is reported once
# each, in document order, whatever thread hashed it; a healthy archive
# passes.
. "$(dirname "$0")/../e2e_lib.sh"

mkdir -p "$WORK/in"
i=1
while [ "$i" -le 600 ]; do
	printf 'Verify test note %d\nThe quick brown fox %d jumps over the lazy dog.\n' "$i" "$i" \
		>"$WORK/in/note-$i.txt"
	i=$((i + 1))
done
run ingest --json "$WORK/in"
expect_rc 0 "ingest 600 notes"
expect_eq "$(printf '%s\n' "$OUT" | jq -s 'map(select(.status == "archived")) | length')" 600 \
	"600 documents"
run verify
expect_rc 0 "a healthy archive verifies"
expect_out "archive ok" "and says so"

# path of the original of the document made from note-N.txt
orig() {
	id=$("$FOLIO" search --json "\"Verify test note $1\"" | jq -r .id | head -n 1)
	sha=$("$FOLIO" show --json "$id" | jq -r .sha256)
	printf '%s %s\n' "$id" "$FOLIO_ARCHIVE/store/$(printf %s "$sha" | cut -c1-2)/$(printf %s "$sha" | cut -c3-4)/$sha"
}
set -- $(orig 7)
id_changed=$1 f_changed=$2
set -- $(orig 333)
id_size=$1 f_size=$2
set -- $(orig 599)
id_missing=$1 f_missing=$2
chmod u+w "$f_changed" "$f_size"
# same length, other bytes
sed -i 's/quick/QUICK/' "$f_changed"
printf 'more\n' >>"$f_size"
rm -f "$f_missing"

run verify
expect_rc 1 "damaged originals fail verify"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^problem:')" 3 "three problems, each once"
expect_out "document $id_changed: original changed, sha256 is [0-9a-f]{64}" "a changed original"
expect_out "document $id_size: original is [0-9]+ bytes, expected [0-9]+" "a grown original"
expect_out "document $id_missing: original missing" "a missing original"
got=$(printf '%s\n' "$OUT" | sed -n 's/^problem: document \([0-9]*\):.*/\1/p' | tr '\n' ' ')
want=$(printf '%s\n' "$id_changed" "$id_size" "$id_missing" | sort -n | tr '\n' ' ')
expect_eq "$got" "$want" "in document order"
expect_err "3 problems found" "and counts them"
finish
