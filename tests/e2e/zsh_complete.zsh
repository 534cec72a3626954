#!/bin/zsh -f
# tests/e2e/zsh_complete.zsh COMPDIR: complete three command lines in a
# real interactive zsh (driven through a pseudo-terminal with zpty) with
# the _folio of COMPDIR, and print what each line became, one per line.
# folio must be in PATH (folio fix --fields is asked for the fields).
setopt extendedglob
zmodload zsh/zpty || exit 77
zpty z 'zsh -f -i'
# read until the line shows PATTERN or 15 s pass; the text in REPLY
until_shows() {
	local acc= chunk end=$(( SECONDS + 15 ))
	while (( SECONDS < end )); do
		while zpty -r -t z chunk 2>/dev/null; do acc+=$chunk; done
		[[ ${acc//$'\e'\[[0-9;?]#[a-zA-Z]/} == *$~1* ]] && break
		sleep 0.1
	done
	REPLY=${${acc//$'\e'\[[0-9;?]#[a-zA-Z]/}//$'\r'/}
}
zpty -w z "PS1='READY> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; unsetopt beep; print COMPINIT-DONE"
until_shows 'COMPINIT-DONE*READY> '
for line want in 'folio sea' 'folio search ' \
	'folio search status:arch' 'status:archived ' \
	'folio fix 12 seller_tax_i' 'seller_tax_id='; do
	zpty -w -n z "$line"$'\t'
	until_shows "$want"
	REPLY=${REPLY##*READY> }
	print -r -- "${REPLY%%[[:space:]]#}"
	# clear the line for the next one (^U), and what it echoes
	zpty -w -n z $'\x15'
	sleep 0.3
	while zpty -r -t z REPLY 2>/dev/null; do :; done
done
zpty -d z
