#!/bin/sh
# make demo: ingest the bundled sample documents into a fresh archive,
# then show a search and an invoice. Uses ./folio from the build.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FOLIO="$ROOT/folio"
ARCHIVE="$ROOT/build/demo-archive"
export FOLIO_ARCHIVE="$ARCHIVE"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

rm -rf "$ARCHIVE"
step folio init
"$FOLIO" init
step folio ingest tests/fixtures/samples
cd "$ROOT"
"$FOLIO" ingest tests/fixtures/samples
step folio search lodz "   # diacritics-insensitive: finds Łódź"
"$FOLIO" search --limit 3 lodz
step folio search '"base imponible"'
"$FOLIO" search --limit 3 '"base imponible"'
id=$("$FOLIO" search --json --limit 1 'faktura' | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
step folio show "$id"
"$FOLIO" show "$id"
step folio text "$id"
"$FOLIO" text "$id" | head -n 25
step folio stats
"$FOLIO" stats
printf '\nThe demo archive is in %s; try: FOLIO_ARCHIVE=%s ./folio search ...\n' \
	"$ARCHIVE" "$ARCHIVE"
