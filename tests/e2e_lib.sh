# tests/e2e_lib.sh - helpers for the CLI transcript tests (sourced).
# Each test script runs folio ($FOLIO) in a fresh temp folder, checks with
# the helpers below and ends with `finish`.
set -u
: "${FOLIO:?FOLIO must point at the folio binary}"
: "${ROOT:?ROOT must point at the source tree}"
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/folio-e2e-$T_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export FOLIO_ARCHIVE="$WORK/archive"
unset FOLIO_CONFIG
export HOME="$WORK/home"
mkdir -p "$HOME"
FIX="$ROOT/tests/fixtures"

pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok: $*"; }

# run CMD...: runs folio, keeps stdout in $OUT, stderr in $ERR, status in $RC
run() {
	"$FOLIO" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

expect_rc() { # expected, description
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1 (stderr: $ERR)"; fi
}
expect_out() { # grep -E pattern in stdout
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then pass; else fail "${2:-stdout}: no match for /$1/ in: $(printf '%s' "$OUT" | head -c 600)"; fi
}
expect_no_out() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then fail "${2:-stdout}: unexpected /$1/"; else pass; fi
}
expect_err() { # grep -E pattern in stderr
	if printf '%s\n' "$ERR" | grep -Eq -- "$1"; then pass; else fail "${2:-stderr}: no match for /$1/ in: $ERR"; fi
}
expect_eq() { # actual, expected, description
	if [ "$1" = "$2" ]; then pass; else fail "$3: got '$1', expected '$2'"; fi
}
# wait_for SECONDS CONDITION...: poll a shell condition until it holds or
# the deadline passes (1 then): waits on conditions, never blindly
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	while ! eval "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

finish() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
