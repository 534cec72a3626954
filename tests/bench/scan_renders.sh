#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# scan_renders.sh - simulated scans of folio's own renders, as a corpus of
# their own for rendered.sh.
#
#   tests/bench/scan_renders.sh SPLIT_DIR OUT_DIR
#
# SPLIT_DIR is a render split (build/rendered/dev or .../heldout: LANG/pdf,
# LANG/truth, LANG/xml). OUT_DIR gets LANG/scan/NAME.tif made by the shared
# ../shared/tools/scan_pdf.py (used in place, never copied; the seed is a
# hash of the name, so a rerun makes the same scans) and LANG/truth and
# LANG/xml as links to the split's, so that rendered.sh scores the scans
# alone. Exits 0 without doing anything when the tool is absent.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL=${FOLIO_SCAN_TOOL:-$ROOT/../shared/tools/scan_pdf.py}
SRC=${1:?usage: scan_renders.sh SPLIT_DIR OUT_DIR}
OUT=${2:?usage: scan_renders.sh SPLIT_DIR OUT_DIR}
if [ ! -f "$TOOL" ]; then
	echo "scan_renders.sh: no $TOOL, no scans made" >&2
	exit 0
fi
SRC=$(cd "$SRC" && pwd)
for dir in "$SRC"/*/; do
	lang=$(basename "$dir")
	[ -d "$dir/pdf" ] || continue
	mkdir -p "$OUT/$lang/scan"
	for sub in truth xml; do
		[ -d "$dir/$sub" ] && ln -sfn "$dir/$sub" "$OUT/$lang/$sub"
	done
	for pdf in "$dir"pdf/*.pdf; do
		[ -e "$pdf" ] || continue
		name=$(basename "$pdf" .pdf)
		tif=$OUT/$lang/scan/$name.tif
		[ -s "$tif" ] && continue
		seed=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
		/usr/bin/python3 "$TOOL" "$pdf" "$tif" --seed "$seed" >/dev/null
	done
done
