#!/bin/sh
# tests/fuzz/smoke.sh BUILD SECONDS TARGET... - the fuzzers' part of make
# check: per target, every committed seed and every input that once made
# it fail (tests/fuzz/regress/TARGET) run once, then SECONDS of fuzzing
# from the seeds into a throw-away corpus. Any finding fails the check.
# Ends with "fuzz: N passed, N failed" for the tally.
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
# a busy machine (make check on two shared cores) must not turn a slow
# input into a failure: hangs are what the smoke run looks for
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-30}
. "$(dirname "$0")/lib.sh"
B="$ROOT/$BUILD"
pass=0
fail=0
for t in "$@"; do
	bin="$B/fuzz_$t"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/folio-fuzz-$t.XXXXXX")
	mkdir -p "$tmp/work" "$tmp/art" "$tmp/tmp"
	dirs="$FUZZ/corpus/$t"
	[ -d "$FUZZ/regress/$t" ] && dirs="$FUZZ/regress/$t $dirs"
	# shellcheck disable=SC2046,SC2086
	(cd "$tmp/tmp" && TMPDIR="$tmp/tmp" "$bin" $(fuzz_args "$t") -runs=0 \
		-artifact_prefix="$tmp/art/" "$tmp/work" $dirs) >"$tmp/replay.log" 2>&1
	rc1=$?
	# shellcheck disable=SC2046
	(cd "$tmp/tmp" && TMPDIR="$tmp/tmp" nice -n 10 "$bin" $(fuzz_args "$t") \
		-max_len=$(max_len "$t") -max_total_time="$SECONDS_EACH" \
		-artifact_prefix="$tmp/art/" "$tmp/work" "$FUZZ/corpus/$t") >"$tmp/fuzz.log" 2>&1
	rc2=$?
	n=$(findings "$tmp/art")
	if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$n" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok     fuzz_$t: $(stat_of "$tmp/fuzz.log" number_of_executed_units) execs," \
		     "cov $(status_of "$tmp/fuzz.log" cov), seeds and regressions replayed"
	else
		fail=$((fail + 1))
		echo "FAIL   fuzz_$t (replay exit $rc1, fuzz exit $rc2, $n finding(s))"
		cat "$tmp/replay.log" "$tmp/fuzz.log" |
			grep -E 'ERROR|runtime error|fuzz: |SUMMARY|Test unit written|#[0-9]+ +in ' |
			head -n 20 | sed 's/^/       | /'
		mkdir -p "$B/findings/$t"
		cp "$tmp/art/"* "$B/findings/$t/" 2>/dev/null &&
			echo "       | kept in $BUILD/findings/$t/"
	fi
	rm -rf "$tmp"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
