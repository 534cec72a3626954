#!/bin/sh
# Docs stay true: every command and option in --help is in the README and
# the man page; every config key is documented; `make install` lays out
# what it promises and the installed folio finds its models; completion.
. "$(dirname "$0")/../e2e_lib.sh"

MAN="$ROOT/src/cli/folio.1"
README="$ROOT/README.md"
run --help
cmds=$(printf '%s\n' "$OUT" | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -n "$cmds" ] && pass || fail "no commands parsed from --help"
for c in $cmds; do
	grep -q "^\.SS \"folio $c" "$MAN" && pass || fail "man page lacks a section for '$c'"
	sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN" | grep -q "^\.B folio $c\$" && pass ||
		fail "man page's SYNOPSIS lacks '$c'"
	[ "$c" = help ] && continue
	grep -Eq "^### .*folio $c( |$)" "$README" && pass || fail "README lacks a section for '$c'"
	run "$c" --help
	for o in $(printf '%s\n' "$OUT" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[ "$o" = --help ] && continue
		grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$MAN" && pass ||
			fail "man page lacks $c $o"
		grep -q -- "$o" "$README" && pass || fail "README lacks $c $o"
	done
done
for k in $(sed -n 's/^#\{0,1\}\([a-z_]*\) = .*/\1/p' "$ROOT/config/folio.conf"); do
	grep -q "^\.B $k\$\|^\.B \"$k\"\|$k" "$MAN" && pass || fail "man page lacks config key $k"
done
# the man page renders without warnings
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	expect_eq "$w" "" "groff warnings"
fi

# make install into a staging folder
make -s -C "$ROOT" install DESTDIR="$WORK/dest" PREFIX=/usr/local >"$WORK/install.log" 2>&1 &&
	pass || fail "make install: $(cat "$WORK/install.log")"
D="$WORK/dest/usr/local"
for f in bin/folio libexec/folio/folio-engine share/folio/models/doctype.rules etc/folio/folio.conf \
	share/man/man1/folio.1 share/bash-completion/completions/folio; do
	[ -f "$D/$f" ] && pass || fail "install lacks $f"
done
[ -x "$D/bin/folio" ] && pass || fail "installed folio not executable"
# the installed binary finds its models relative to itself
printf 'Faktura VAT nr 7\n' >"$WORK/f.txt"
"$D/bin/folio" --archive "$WORK/inst-arc" ingest "$WORK/f.txt" >"$WORK/o" 2>&1 &&
	grep -q 'invoice' "$WORK/o" && pass || fail "installed folio: $(cat "$WORK/o")"

# bash completion
if command -v bash >/dev/null 2>&1; then
	r=$(bash -c '. "$1"; COMP_WORDS=(folio in); COMP_CWORD=1; _folio; printf "%s " "${COMPREPLY[@]}"' \
		_ "$ROOT/src/cli/folio.bash-completion")
	expect_eq "$r" "ingest init " "completion of 'folio in'"
	r=$(bash -c '. "$1"; COMP_WORDS=(folio search --l); COMP_CWORD=2; _folio; printf "%s " "${COMPREPLY[@]}"' \
		_ "$ROOT/src/cli/folio.bash-completion")
	expect_eq "$r" "--limit " "completion of 'folio search --l'"
fi
finish
