#!/bin/sh
# The CLI contract: global options, usage errors, exit codes, --help for
# every command, init idempotence, a missing archive.
. "$(dirname "$0")/../e2e_lib.sh"

run --version
expect_rc 0 "--version"
expect_out '^folio [0-9]+\.[0-9]+' "--version names folio"
expect_out 'tesseract 5' "--version names tesseract"

run --help
expect_rc 0 "--help"
for c in init ingest search show cat text stats; do
	expect_out "^  $c " "--help lists $c"
	run "$c" --help
	expect_rc 0 "$c --help"
	expect_out "^usage: folio .* $c" "$c --help shows usage"
	run --help
done

run
expect_rc 2 "no command"
expect_err '^usage:' "no command prints usage"
run frobnicate
expect_rc 2 "unknown command"
expect_err "'frobnicate' is not a folio command" "unknown command message"
run --bogus init
expect_rc 2 "unknown global option"
run search --limit
expect_rc 2 "option without its value"
expect_err "needs a value"
run search --limit=zero x
expect_rc 2 "bad --limit"
run show abc
expect_rc 2 "non-numeric id"
expect_err "is not a document id"
run show
expect_rc 2 "show without id"
run ingest
expect_rc 2 "ingest without paths"
run ingest --json=yes x
expect_rc 2 "flag given a value"

# commands on a missing archive fail clearly, and do not create one
run search foo
expect_rc 1 "search without archive"
expect_err "no archive at .*folio init" "missing archive message"
[ ! -e "$FOLIO_ARCHIVE" ] && pass || fail "search created an archive"
run stats
expect_rc 1 "stats without archive"

run init
expect_rc 0 "init"
expect_out "archive ready at $FOLIO_ARCHIVE" "init reports the folder"
[ -f "$FOLIO_ARCHIVE/folio.db" ] && [ -d "$FOLIO_ARCHIVE/store" ] && pass || fail "init layout"
run init
expect_rc 0 "init is idempotent"
run --archive "$WORK/other" init
expect_rc 0 "--archive"
[ -f "$WORK/other/folio.db" ] && pass || fail "--archive honoured"
run --archive="$WORK/third" init
[ -f "$WORK/third/folio.db" ] && pass || fail "--archive=DIR honoured"
FOLIO_ARCHIVE= HOME="$WORK/h2" XDG_DATA_HOME= "$FOLIO" init >/dev/null 2>&1
[ -f "$WORK/h2/.local/share/folio/folio.db" ] && pass || fail "default archive under HOME"

run show 42
expect_rc 1 "show unknown id"
expect_err "no document with id 42"
run cat 42
expect_rc 1 "cat unknown id"
run text 42
expect_rc 1 "text unknown id"
run stats --json
expect_rc 0 "stats on an empty archive"
expect_out '"documents":0'
run search '"unterminated'
expect_rc 2 "bad query is a usage error"
expect_err "invalid query"
expect_no_out "fts5|sqlite" "no SQLite text in query errors"
run search 'AND'
expect_rc 2 "bad query 2"
expect_err "invalid query"

# config: a typo is an error, values are honoured
printf 'workers = 1\nrender_dpi = 200\n' >"$WORK/good.conf"
run --config "$WORK/good.conf" stats
expect_rc 0 "good config"
printf 'wrokers = 1\n' >"$WORK/bad.conf"
run --config "$WORK/bad.conf" stats
expect_rc 2 "unknown config key"
expect_err "bad.conf:1: unknown key 'wrokers'"
printf 'max_pages = lots\n' >"$WORK/bad2.conf"
run --config "$WORK/bad2.conf" stats
expect_rc 2 "bad config value"
expect_err "not a valid number"
run --config "$WORK/none.conf" stats
expect_rc 2 "missing config file"
# the shipped config is valid and states the built-in defaults
run --config "$ROOT/config/folio.conf" stats
expect_rc 0 "shipped config loads"

# an archive named by a URL needs a backend this build has: a clear
# refusal, and no folder called "mysql:" (postgresql:// is a backend:
# tests/e2e/pg.sh)
(cd "$WORK" && "$FOLIO" --archive "mysql://db.example/folio" init) >"$WORK/out" 2>"$WORK/err"
RC=$?
ERR=$(cat "$WORK/err")
expect_rc 1 "an unknown storage backend"
expect_err "no storage backend for .mysql://. archives" "named in the message"
[ -e "$WORK/mysql:" ] && fail "a folder was made for the URL" || pass
# "did you mean", git's manner: commands, options, global options, config keys
run serch x
expect_rc 2 "a mistyped command"
expect_err "'serch' is not a folio command; did you mean 'search'\?" "suggests the command"
run frobnicate
expect_err "'frobnicate' is not a folio command \(see 'folio --help'\)" "no guess when nothing is close"
run search --limt 5 x
expect_rc 2 "a mistyped option"
expect_err "unknown option '--limt'; did you mean '--limit'\?" "suggests the option"
run --achive "$WORK/a" stats
expect_rc 2 "a mistyped global option"
expect_err "did you mean '--archive'\?" "suggests the global option"
printf 'languges = pol\n' >"$WORK/typo.conf"
run --config "$WORK/typo.conf" stats
expect_rc 2 "a mistyped config key"
expect_err "unknown key 'languges'; did you mean 'languages'\?" "suggests the key"
run -V
expect_rc 0 "-V"
expect_out "^folio [0-9]" "-V is --version"
finish
