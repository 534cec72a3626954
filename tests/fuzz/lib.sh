# tests/fuzz/lib.sh - what run.sh (make fuzz) and smoke.sh (make check)
# share (sourced). Every target runs niced on one core, with its own temp
# folder as TMPDIR (removed after), libFuzzer's artifacts (crash-, leak-,
# timeout-, oom-, slow-unit-) in BUILD/findings/TARGET/.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ="$ROOT/tests/fuzz"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1"
export OMP_THREAD_LIMIT=1
# a finding: an input that crashes, leaks, trips UBSan, runs longer than
# this or grows past this memory
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}

# max_len TARGET: the largest input worth mutating
max_len() {
	case $1 in
	date|amount|taxid) echo 256 ;;
	qr) echo 2048 ;;
	search) echo 512 ;;
	config|json) echo 8192 ;;
	text) echo 16384 ;;
	einvoice|image|archive|mail|outlook) echo 65536 ;;
	pdf) echo 131072 ;;
	*) echo 4096 ;;
	esac
}

# fuzz_args TARGET: the options every run of TARGET takes
fuzz_args() {
	printf '%s' "-timeout=$FUZZ_TIMEOUT -rss_limit_mb=$FUZZ_RSS_MB -print_final_stats=1"
	[ -f "$FUZZ/$1.dict" ] && printf ' %s' "-dict=$FUZZ/$1.dict"
	return 0
}

# findings DIR: how many artifacts libFuzzer left there
findings() {
	find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' -o -name 'slow-unit-*' \) 2>/dev/null | wc -l | tr -d ' '
}

# stat LOG NAME: a "stat::NAME: N" line of -print_final_stats
stat_of() {
	sed -n "s/^stat::$2: *\([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1
}

# status LOG FIELD: cov, ft or corp from libFuzzer's last status line
status_of() {
	grep -E '^#[0-9]+' "$1" | tail -n 1 | sed -n "s/.* $2: \([0-9/a-zA-Z]*\).*/\1/p"
}
