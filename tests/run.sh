#!/bin/sh
# Run every unit test binary in BUILD/tests and every e2e script in
# tests/e2e against BUILD/folio. Prints one summary line per file and a
# total "N passed, N failed" line; exits 1 if anything failed.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FOLIO="$ROOT/$BUILD/folio"
export FOLIO ROOT
# optional third-party data beside the project (skipped when absent)
if [ -z "${FOLIO_SHARED_DATA:-}" ] && [ -d "$ROOT/../shared/data" ]; then
	FOLIO_SHARED_DATA=$(cd "$ROOT/../shared/data" && pwd)
	export FOLIO_SHARED_DATA
fi
# leaks inside Tesseract/fontconfig singletons are not ours
# Tesseract reads this at load time: tests get the same setting as folio
export OMP_THREAD_LIMIT=1
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"

pass=0 fail=0 skip=0
failed=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tally() { # file, exit status, output log
	p=$(sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p' "$3" | tail -n 1)
	f=$(sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p' "$3" | tail -n 1)
	if [ "$2" -eq 77 ]; then
		skip=$((skip + 1))
		echo "skip   $1 ($(tail -n 1 "$3"))"
		return
	fi
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ "$2" -ne 0 ] || [ "${f:-0}" -ne 0 ] || [ -z "$p" ]; then
		[ "${f:-0}" -eq 0 ] && fail=$((fail + 1))
		failed="$failed $1"
		echo "FAIL   $1 (exit $2)"
		sed 's/^/       | /' "$3" | tail -n 40
	else
		echo "ok     $1: $p checks"
	fi
}

for t in "$ROOT/$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	(cd "$ROOT" && "$t") >"$log" 2>&1
	tally "unit/$(basename "$t")" $? "$log"
done
for t in "$ROOT"/tests/e2e/*.sh; do
	(cd "$ROOT" && sh "$t") >"$log" 2>&1
	tally "e2e/$(basename "$t")" $? "$log"
done

echo "$BUILD: $pass passed, $fail failed, $skip skipped"
[ -z "$failed" ]
