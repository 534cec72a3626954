#!/bin/sh
# Hostile inboxes and folders (a scanning-station share writable by many):
# symbolic links to a secret outside, to /etc/shadow (or /etc/passwd) and
# inside, with and without follow_symlinks; a FIFO and a UNIX socket, which
# must not hang anything; names with a newline, an escape sequence and
# bytes that are not UTF-8, which must not break the one line per document
# nor reach the terminal raw. For `folio ingest` of a folder and for
# `folio watch --once`. Every folio run is bounded by `timeout 60`.
. "$(dirname "$0")/../e2e_lib.sh"

SECRET="$WORK/outside/secret.txt"
mkdir -p "$WORK/outside"
printf 'Geheimnis zebra4711 quokka: never archive this\n' >"$SECRET"
# root runs the tests and can read /etc/shadow; anyone else gets passwd
SYS=/etc/shadow
[ -r "$SYS" ] || SYS=/etc/passwd
SYS_SHA=$(sha256sum <"$SYS" | cut -d' ' -f1)
SECRET_SHA=$(sha256sum <"$SECRET" | cut -d' ' -f1)
stamp() { stat -c '%s %Y %i' "$1"; }
SECRET_STAMP=$(stamp "$SECRET")
SYS_STAMP=$(stamp "$SYS")
cat >"$WORK/w.conf" <<CONF
settle_ms = 200
poll_ms = 200
rescan_seconds = 30
CONF
cat "$WORK/w.conf" >"$WORK/follow.conf"
printf 'follow_symlinks = yes\n' >>"$WORK/follow.conf"
HAVE_SOCK=0
command -v python3 >/dev/null 2>&1 && HAVE_SOCK=1
mksock() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1"; }

# trun ARGS...: run folio under `timeout 60` like run(); 124 means it hung
trun() {
	timeout 60 "$FOLIO" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}
# the hostile set: links out, a link in, a FIFO, a socket, one good file
populate() { # folder
	mkdir -p "$1/sub"
	ln -s "$SECRET" "$1/out.txt"
	ln -s ../outside/secret.txt "$1/rel.txt" # relative, climbing out
	ln -s "$SYS" "$1/sys.txt"
	cp "$FIX/samples/pl-invoice-001.pdf" "$1/sub/real.pdf"
	ln -s sub/real.pdf "$1/inside.pdf"
	mkfifo "$1/pipe.pdf"
	[ "$HAVE_SOCK" = 1 ] && mksock "$1/sock"
}
# nothing of a link's target went into the archive, and the targets are as they were
not_archived() { # context
	n=$("$FOLIO" search --count zebra4711)
	expect_eq "$n" 0 "$1: the outside secret is not searchable"
	n=$("$FOLIO" search --count root)
	expect_eq "$n" 0 "$1: $SYS is not searchable"
	n=$(find "$FOLIO_ARCHIVE/store" -type f \( -name "$SYS_SHA*" -o -name "$SECRET_SHA*" \) | wc -l)
	expect_eq "$n" 0 "$1: no target's bytes in the store"
	expect_eq "$(sha256sum <"$SECRET" | cut -d' ' -f1) $(stamp "$SECRET")" \
		"$SECRET_SHA $SECRET_STAMP" "$1: the secret is untouched"
	expect_eq "$(sha256sum <"$SYS" | cut -d' ' -f1) $(stamp "$SYS")" "$SYS_SHA $SYS_STAMP" \
		"$1: $SYS is untouched"
}
jreason() { # file name below the folder -> status<TAB>reason
	jq -r --arg p "$2/$1" 'select(.path == $p) | [.status, .reason // ""] | @tsv' "$WORK/out.jsonl"
}
check() { # name, folder, pattern for "status<TAB>reason"
	r=$(jreason "$1" "$2")
	if printf '%s\n' "$r" | grep -Eq -- "$3"; then pass; else fail "$1: got '$r', expected /$3/"; fi
}
TAB=$(printf '\t')

run init

# ---- folio ingest of a folder ---------------------------------------------
IN="$WORK/in"
populate "$IN"
trun ingest --json "$IN"
[ "$RC" -ne 124 ] && pass || fail "ingest of a folder with a FIFO hung"
expect_rc 1 "ingest with refused files exits 1"
printf '%s\n' "$OUT" >"$WORK/out.jsonl"
jq -e . "$WORK/out.jsonl" >/dev/null 2>&1 && pass || fail "ingest --json: not JSON lines"
for l in out.txt rel.txt sys.txt inside.pdf; do
	check "$l" "$IN" "^quarantined${TAB}symbolic link: not followed\$"
done
check pipe.pdf "$IN" "^quarantined${TAB}not a regular file \\(FIFO\\)\$"
[ "$HAVE_SOCK" = 1 ] && check sock "$IN" "^quarantined${TAB}not a regular file \\(socket\\)\$"
check sub/real.pdf "$IN" "^archived${TAB}"
n=$(jq -r 'select(.status == "quarantined") | .stage' "$WORK/out.jsonl" | sort -u)
expect_eq "$n" read "refusals are at the read stage"
not_archived "ingest"
# the sources are never modified: the links and the FIFO are still there
[ -L "$IN/out.txt" ] && [ -L "$IN/sys.txt" ] && [ -p "$IN/pipe.pdf" ] && pass ||
	fail "ingest changed its sources"
# plain output: the same, one line each
trun ingest "$IN"
expect_out "^quarantined  -      $IN/sys.txt: symbolic link: not followed\$" "plain refusal line"
expect_out "^quarantined  -      $IN/pipe.pdf: not a regular file \\(FIFO\\)\$" "plain FIFO line"

# follow_symlinks = yes: the link inside is followed, the links out are not
trun --config "$WORK/follow.conf" ingest --json "$IN"
[ "$RC" -ne 124 ] && pass || fail "ingest with follow_symlinks hung"
printf '%s\n' "$OUT" >"$WORK/out.jsonl"
check inside.pdf "$IN" "^(archived|duplicate)${TAB}"
check out.txt "$IN" "^quarantined${TAB}symbolic link to '$SECRET', outside '$IN': not followed\$"
check rel.txt "$IN" "^quarantined${TAB}symbolic link to '../outside/secret.txt', outside"
check sys.txt "$IN" "^quarantined${TAB}symbolic link to '$SYS', outside '$IN': not followed\$"
check pipe.pdf "$IN" "^quarantined${TAB}not a regular file \\(FIFO\\)\$"
not_archived "ingest, follow_symlinks"

# a FIFO named on the command line: refused, not waited on
trun ingest "$IN/pipe.pdf"
[ "$RC" -ne 124 ] && pass || fail "ingest of a FIFO by name hung"
expect_out "pipe.pdf: not a regular file \\(FIFO\\)" "FIFO by name"
# a bad follow_symlinks value is a config error
printf 'follow_symlinks = maybe\n' >"$WORK/bad.conf"
trun --config "$WORK/bad.conf" stats
expect_rc 2 "follow_symlinks = maybe"
expect_err "'follow_symlinks' is 'yes' or 'no', not 'maybe'"

# ---- folio watch --once ---------------------------------------------------
Q="$FOLIO_ARCHIVE/quarantine"
W="$WORK/inbox"
populate "$W"
trun --config "$WORK/w.conf" watch --once "$W"
[ "$RC" -ne 124 ] && pass || fail "watch --once hung on the FIFO: $(tail -3 "$WORK/err")"
expect_rc 1 "watch --once with refused files exits 1"
n=$(find "$W" ! -type d | wc -l)
expect_eq "$n" 0 "the inbox is empty: everything archived or quarantined"
for l in out.txt rel.txt sys.txt inside.pdf; do
	# the link itself moved, pointing where it pointed; its reason beside it
	[ -L "$Q/$l" ] && pass || fail "$l: the link itself is not in quarantine"
	grep -q '^symbolic link: not followed (stage: read)$' "$Q/$l.reason.txt" 2>/dev/null &&
		pass || fail "$l: reason: $(cat "$Q/$l.reason.txt" 2>&1)"
done
expect_eq "$(readlink "$Q/sys.txt")" "$SYS" "the quarantined link still names its target"
grep -q 'what to do: .*follow_symlinks' "$Q/sys.txt.reason.txt" && pass || fail "link advice"
[ -p "$Q/pipe.pdf" ] && pass || fail "the FIFO is not in quarantine"
grep -q '^not a regular file (FIFO) (stage: read)$' "$Q/pipe.pdf.reason.txt" && pass ||
	fail "FIFO reason: $(cat "$Q/pipe.pdf.reason.txt" 2>&1)"
if [ "$HAVE_SOCK" = 1 ]; then
	[ -S "$Q/sock" ] && grep -q 'not a regular file (socket)' "$Q/sock.reason.txt" && pass ||
		fail "the socket is not in quarantine with its reason"
fi
expect_err "quarantined $W/sys.txt: symbolic link: not followed \\(stage read" "watch log"
not_archived "watch"

# follow_symlinks = yes: the link inside is followed, the links out are not
W2="$WORK/inbox2"
populate "$W2"
rm -rf "$Q"
trun --config "$WORK/follow.conf" watch --once "$W2"
[ "$RC" -ne 124 ] && pass || fail "watch --once with follow_symlinks hung"
expect_rc 1 "watch --once, follow_symlinks: links out refused"
[ ! -e "$W2/inside.pdf" ] && [ ! -e "$Q/inside.pdf" ] && pass || fail "inside.pdf not taken"
expect_err "(archived|duplicate) [0-9]+ $W2/inside.pdf" "the link inside is archived"
grep -q "symbolic link to '$SECRET', outside '$W2': not followed" "$Q/out.txt.reason.txt" &&
	pass || fail "out.txt with follow: $(cat "$Q/out.txt.reason.txt" 2>&1)"
grep -q "symbolic link to '$SYS', outside '$W2': not followed" "$Q/sys.txt.reason.txt" &&
	pass || fail "sys.txt with follow: $(cat "$Q/sys.txt.reason.txt" 2>&1)"
[ -L "$Q/sys.txt" ] && pass || fail "sys.txt with follow: the link is not in quarantine"
not_archived "watch, follow_symlinks"

# ---- names with a newline, an escape sequence, bytes that are not UTF-8 ----
N="$WORK/names"
mkdir -p "$N"
NL_NAME=$(printf 'a\nb.pdf')
ESC_NAME=$(printf 'esc\033[31mred\033]0;pwned\007.pdf')
BAD_NAME=$(printf 'bad\377\376.pdf')
EMPTY_NAME=$(printf 'empty\nfile\033[2J.pdf')
cp "$FIX/samples/es-invoice-002.pdf" "$N/$NL_NAME"
cp "$FIX/samples/it-invoice-004.pdf" "$N/$ESC_NAME"
cp "$FIX/samples/pl-form-001.pdf" "$N/$BAD_NAME"
: >"$N/$EMPTY_NAME"
no_controls() { # file, description: nothing but newlines below 0x20, no DEL
	if tr -d '\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'; then
		fail "$2: raw control characters: $(od -c "$1" | head -5)"
	else
		pass
	fi
}
trun ingest "$N"
expect_rc 1 "names: the empty file is refused"
expect_eq "$(wc -l <"$WORK/out")" 4 "plain ingest: one line per document"
no_controls "$WORK/out" "plain ingest"
expect_out "^archived     [0-9]+ +\"$N/a\\\\nb.pdf\" \\(1 page" "newline name quoted"
expect_out "\"$N/esc\\\\033\\[31mred\\\\033]0;pwned\\\\a.pdf\"" "escape sequence quoted"
expect_out "\"$N/bad\\\\377\\\\376.pdf\"" "bytes that are not UTF-8 quoted"
expect_out "^quarantined  -      \"$N/empty\\\\nfile\\\\033\\[2J.pdf\": empty file" "refusal quoted"
trun ingest --json "$N"
printf '%s\n' "$OUT" >"$WORK/out.jsonl"
expect_eq "$(wc -l <"$WORK/out.jsonl")" 4 "ingest --json: one object per document"
jq -e . "$WORK/out.jsonl" >/dev/null 2>&1 && pass || fail "names: not JSON lines"
# path stays as it was (U+FFFD for the bad bytes); path_bytes only for that one
n=$(jq -r 'select(.path_bytes) | .path' "$WORK/out.jsonl")
expect_eq "$n" "$N/bad��.pdf" "path keeps U+FFFD"
n=$(jq -r 'select(.path_bytes) | .path_bytes' "$WORK/out.jsonl" | wc -l)
expect_eq "$n" 1 "path_bytes only where the path is not UTF-8"
got=$(jq -r 'select(.path_bytes) | .path_bytes' "$WORK/out.jsonl" | base64 -d | od -An -tx1)
want=$(printf '%s' "$N/$BAD_NAME" | od -An -tx1)
expect_eq "$got" "$want" "path_bytes is the exact bytes"
f=$(jq -r 'select(.path_bytes) | .path_bytes' "$WORK/out.jsonl" | base64 -d)
[ -f "$f" ] && pass || fail "path_bytes does not name the file"
n=$(jq -r --arg p "$N/$NL_NAME" 'select(.path == $p) | .status' "$WORK/out.jsonl")
expect_eq "$n" duplicate "the newline name matches its file through path"
# show and review quote the stored name too
id=$(jq -r --arg p "$N/$ESC_NAME" 'select(.path == $p) | .id' "$WORK/out.jsonl")
"$FOLIO" show "$id" >"$WORK/show"
no_controls "$WORK/show" "folio show"
"$FOLIO" show --json "$id" | jq -e '.path_bytes == null' >/dev/null && pass || fail "show: path_bytes"
id=$(jq -r 'select(.path_bytes) | .id' "$WORK/out.jsonl")
"$FOLIO" show --json "$id" | jq -r .path_bytes | base64 -d >"$WORK/pb"
expect_eq "$(od -An -tx1 <"$WORK/pb")" "$want" "show --json: path_bytes"

# the same names through folio watch: log lines, reason files, status
W3="$WORK/inbox3"
rm -rf "$Q"
mkdir -p "$W3"
cp -p "$N/$NL_NAME" "$N/$ESC_NAME" "$N/$BAD_NAME" "$N/$EMPTY_NAME" "$W3/"
cp "$FIX/samples/pt-invoice-003.pdf" "$W3/$(printf 'new\nline\033[1m.pdf')"
ln -s "$SYS" "$W3/$(printf 'link\n\033[5m\377')"
mkfifo "$W3/$(printf 'fifo\n.pdf')"
trun --config "$WORK/w.conf" watch --once "$W3"
[ "$RC" -ne 124 ] && pass || fail "watch --once hung on names"
expect_rc 1 "watch with refused names exits 1"
printf '%s\n' "$ERR" >"$WORK/log"
no_controls "$WORK/log" "watch log"
n=$(grep -Ec '^[0-9TZ:-]+ (archived|duplicate|quarantined) ' "$WORK/log")
expect_eq "$n" 7 "watch log: one line per document"
expect_err "archived [0-9]+ \"$W3/new\\\\nline\\\\033\\[1m.pdf\" \\(" "watch log: name quoted"
expect_err "quarantined \"$W3/link\\\\n\\\\033\\[5m\\\\377\": symbolic link: not followed" \
	"watch log: link name quoted"
n=$(find "$W3" ! -type d | wc -l)
expect_eq "$n" 0 "names: the inbox is empty"
# each reason file: its file: line is one line, the name quoted
for r in "$Q"/*.reason.txt; do
	head -n 1 "$r" | grep -q '^file:        "' && pass || fail "reason file head: $(head -n 2 "$r")"
	no_controls "$r" "reason file $r"
done
"$FOLIO" status >"$WORK/status"
no_controls "$WORK/status" "folio status"
grep -q "^      symbolic link: not followed (stage: read)\$" "$WORK/status" && pass ||
	fail "status: reason lines: $(cat "$WORK/status")"
"$FOLIO" status --json >"$WORK/status.json"
jq -e . "$WORK/status.json" >/dev/null && pass || fail "status --json: not JSON"
f=$(jq -r '.errors[] | select(.path_bytes) | .path_bytes' "$WORK/status.json" | head -n 1 | base64 -d)
expect_eq "$(printf '%s' "$f" | od -An -tx1)" "$(printf '%s' "$W3/$(printf 'link\n\033[5m\377')" | od -An -tx1)" \
	"status --json: path_bytes of the link"
not_archived "names"

# a link the user names on the command line is followed (the user chose it)
export FOLIO_ARCHIVE="$WORK/archive2"
trun ingest "$IN/out.txt"
expect_rc 0 "a link named on the command line is followed"
n=$("$FOLIO" search --count zebra4711)
expect_eq "$n" 1 "the named link's target is archived"

finish
