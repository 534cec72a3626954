#!/bin/sh
# tests/layering.sh [ROOT] - fail on an #include that runs against the data
# flow (part of make check).
#
# Layers, lowest first; a file may include headers of its own layer and of
# the layers below, with two exceptions: stages, export formats, doc and
# util never include the storage interface (archive.h) or the services'
# headers, and the storage interface includes no stage header.
#
#   util     src/util        util.h strbuf.h err.h config.h simhash.h
#   doc      src/doc         doc.h values.h
#   stage    src/decode src/ocr src/extract src/classify
#            decode.h detect.h prepare.h ocr.h barcode.h extract.h classify.h
#   format   src/export (but service.c)              export.h
#   storage  src/archive                              archive.h
#   service  src/pipeline src/watch src/export/service.c
#            pipeline.h watch.h imap.h
#   cli      src/cli
#
# Stages and formats sit side by side: a format may not include a stage
# header (what both need lives in doc), a stage may not include export.h.
# With BUILD (a build folder holding the objects, e.g. build), calls are
# checked too: a function a file calls must be defined in a layer it may
# include (nm over BUILD/src/**.o; a stale object of a moved file is
# ignored). Prints each offending include or call and the count; exits 1
# when any.
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${2:-}
cd "$ROOT" || exit 2

# layer of a folio header
hlayer() {
	case $1 in
	util.h | strbuf.h | err.h | config.h | simhash.h) echo util ;;
	doc.h | values.h) echo doc ;;
	decode.h | detect.h | prepare.h | ocr.h | barcode.h | extract.h | classify.h) echo stage ;;
	export.h) echo format ;;
	archive.h) echo storage ;;
	pipeline.h | watch.h | imap.h) echo service ;;
	*) echo unknown ;;
	esac
}

# layer of a source file (or of a public header, by its own name)
flayer() {
	case $1 in
	include/folio/*) hlayer "${1#include/folio/}" ;;
	src/util/*) echo util ;;
	src/doc/*) echo doc ;;
	src/decode/* | src/ocr/* | src/extract/* | src/classify/*) echo stage ;;
	src/export/service.c | src/export/service_*.c) echo service ;;
	src/export/*) echo format ;;
	src/archive/*) echo storage ;;
	src/pipeline/* | src/watch/*) echo service ;;
	src/cli/*) echo cli ;;
	*) echo unknown ;;
	esac
}

# allowed FROM TO: 0 when a file of layer FROM may include a header of TO
allowed() {
	[ "$1" = "$2" ] && return 0
	case $1:$2 in
	*:util) return 0 ;;
	doc:*) return 1 ;;
	stage:doc | format:doc | storage:doc) return 0 ;;
	stage:* | format:* | storage:*) return 1 ;;
	service:cli | service:unknown) return 1 ;;
	service:*) return 0 ;;
	cli:*) return 0 ;;
	esac
	return 1
}

bad=0
files=0
for f in $(find include/folio src -name '*.[ch]' | sort); do
	files=$((files + 1))
	from=$(flayer "$f")
	if [ "$from" = unknown ]; then
		echo "layering: $f: not in any layer (add its folder to tests/layering.sh)"
		bad=$((bad + 1))
		continue
	fi
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"folio\/\([^"]*\)".*/\1/p' "$f"); do
		to=$(hlayer "$h")
		if ! allowed "$from" "$to"; then
			echo "layering: $f ($from) includes folio/$h ($to)"
			bad=$((bad + 1))
		fi
	done
done
echo "layering: $files files, $bad include(s) against the data flow"

calls=0
if [ -n "$BUILD" ] && [ -d "$BUILD/src" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/folio-layering.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	for f in $(find src -name '*.c' | sort); do
		o="$BUILD/${f%.c}.o"
		[ -f "$o" ] || continue
		l=$(flayer "$f")
		nm -g --defined-only "$o" | awk -v f="$f" -v l="$l" '$3 ~ /^folio_/ { print $3, f, l }' >>"$tmp/defs"
		nm -u "$o" | awk -v f="$f" -v l="$l" '$2 ~ /^folio_/ { print $2, f, l }' >>"$tmp/uses"
	done
	sort -k1,1 "$tmp/defs" >"$tmp/d"
	sort -k1,1 "$tmp/uses" >"$tmp/u"
	# symbol caller caller-layer definer definer-layer
	join "$tmp/u" "$tmp/d" >"$tmp/j"
	while read -r sym file from def to; do
		if ! allowed "$from" "$to"; then
			echo "layering: $file ($from) calls $sym of $def ($to)"
			calls=$((calls + 1))
		fi
	done <"$tmp/j"
	echo "layering: $calls call(s) against the data flow"
fi
[ "$bad" -eq 0 ] && [ "$calls" -eq 0 ]
