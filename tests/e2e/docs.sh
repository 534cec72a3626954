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
# every key of the shipped config is in folio.conf(5), and every key
# folio.conf(5) describes is in the shipped config
CONF5="$ROOT/src/cli/folio.conf.5"
for k in $(sed -n 's/^#\{0,1\}\([a-z_]*\) = .*/\1/p' "$ROOT/config/folio.conf"); do
	grep -q "^\.BR\{0,1\} $k\( \|\$\)" "$CONF5" && pass || fail "folio.conf(5) lacks config key $k"
done
for k in $(sed -n 's/^\.TP$//; s/^\.BR\{0,1\} \([a-z_][a-z_]*\) " (default.*/\1/p' "$CONF5"); do
	grep -q "^#\{0,1\}$k = " "$ROOT/config/folio.conf" && pass ||
		fail "config/folio.conf lacks $k, which folio.conf(5) describes"
done
grep -q 'folio.conf (5)' "$MAN" && pass || fail "folio(1) does not point at folio.conf(5)"
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -Tutf8 -ww -z "$CONF5" 2>&1)
	expect_eq "$w" "" "groff warnings in folio.conf(5)"
fi
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
	share/man/man1/folio.1 share/man/man5/folio.conf.5 share/bash-completion/completions/folio \
	share/zsh/site-functions/_folio; do
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
	# search filters, with ':' a word break as bash has it by default
	r=$(bash -c '. "$1"; COMP_WORDS=(folio search sta); COMP_CWORD=2; _folio; printf "%s " "${COMPREPLY[@]}"' \
		_ "$ROOT/src/cli/folio.bash-completion")
	expect_eq "$r" "status: " "completion of a filter"
	r=$(bash -c '. "$1"; COMP_WORDS=(folio search type : cre); COMP_CWORD=4; _folio; printf "%s " "${COMPREPLY[@]}"' \
		_ "$ROOT/src/cli/folio.bash-completion")
	expect_eq "$r" "credit_note " "completion of a type after 'type:'"
	# folio fix's fields come from folio fix --fields
	r=$(bash -c '. "$1"; COMP_WORDS=("$2" fix 12 seller_tax_i); COMP_CWORD=3; _folio; printf "%s " "${COMPREPLY[@]}"' \
		_ "$ROOT/src/cli/folio.bash-completion" "$FOLIO")
	expect_eq "$r" "seller_tax_id= " "completion of a fix field"
fi
run fix --fields
expect_out '^gross_total$' "fix --fields lists the fields"
printf 'custom_fields = cost_center\n' >"$WORK/cf.conf"
run --config "$WORK/cf.conf" fix --fields
expect_out '^cost_center$' "and the config's custom_fields"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$ROOT/src/cli/_folio" && pass || fail "the zsh completion does not parse"
	grep -q '^#compdef folio' "$ROOT/src/cli/_folio" && pass || fail "no #compdef line"
	# every command of --help is offered
	for c in $cmds; do
		grep -q "'$c:" "$ROOT/src/cli/_folio" && pass || fail "zsh completion lacks '$c'"
	done
	# and it completes in a real interactive zsh: a command, a filter's
	# value, a fix field from folio fix --fields
	out=$(PATH="$(dirname "$FOLIO"):$PATH" zsh -f "$ROOT/tests/e2e/zsh_complete.zsh" \
		"$ROOT/src/cli" 2>&1 | sed 's/.\x08//g')
	expect_eq "$out" "folio search
folio search status:archived
folio fix 12 seller_tax_id=" "zsh completes folio sea, status:arch and a fix field"
fi
finish
