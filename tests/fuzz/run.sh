#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS TARGET... - the fuzzing campaign (make
# fuzz): each target in turn for SECONDS on one core (niced), starting
# from the committed seeds (tests/fuzz/corpus/TARGET) and what earlier
# runs kept (BUILD/corpus/TARGET, where new inputs go), plus, when
# FUZZ_EXTRA_SEEDS names a folder (default: ../shared/data beside the
# project, if present; "none" for no extra), its files of the target's
# kinds, read in place. Prints per target the executions, the coverage
# (edges of folio's own code: cov, features: ft), the corpus and the
# findings, and keeps the table in BUILD/results.md. Exits 1 on a finding.
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
. "$(dirname "$0")/lib.sh"
B="$ROOT/$BUILD"

EXTRA=${FUZZ_EXTRA_SEEDS:-}
if [ -z "$EXTRA" ] && [ -d "$ROOT/../shared/data" ]; then
	EXTRA=$(cd "$ROOT/../shared/data" && pwd)
fi
[ "$EXTRA" = none ] && EXTRA=

# extra_seeds TARGET DIR: link the extra files of TARGET's kinds (256 KiB
# at most each) into DIR; prints DIR when any
extra_seeds() {
	[ -n "$EXTRA" ] && [ -d "$EXTRA" ] || return 0
	case $1 in
	einvoice) pat='-name *.xml' ;;
	pdf) pat='-name *.pdf' ;;
	image) pat='-name *.png -o -name *.jpg -o -name *.tif -o -name *.tiff -o -name *.gif -o -name *.bmp -o -name *.webp' ;;
	archive) pat='-name *.zip -o -name *.gz -o -name *.tgz -o -name *.tar -o -name *.7z -o -name *.xz -o -name *.bz2 -o -name *.zst' ;;
	text) pat='-name *.txt -o -name *.eml -o -name *.csv -o -name *.xml' ;;
	mail) pat='-name *.eml' ;;
	*) return 0 ;;
	esac
	rm -rf "$2"
	mkdir -p "$2"
	n=0
	set -f   # the patterns are find's, not the shell's
	# shellcheck disable=SC2086
	find "$EXTRA" -type f \( $pat \) -size -257k 2>/dev/null | while read -r f; do
		n=$((n + 1))
		if [ "$1" = text ]; then
			# fuzz_text's first byte picks the mime type: 0 text/plain, 1 text/xml
			case $f in *.xml) printf '\001' ;; *) printf '\000' ;; esac >"$2/$n"
			cat "$f" >>"$2/$n"
		else
			ln -s "$f" "$2/$n"
		fi
	done
	set +f
	[ -n "$(ls "$2" 2>/dev/null)" ] && echo "$2"
	return 0
}

cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
echo "fuzz: $(date -u +%Y-%m-%dT%H:%M:%SZ), ${SECONDS_EACH}s per target${FUZZ_CPU_SECONDS:+ (or ${FUZZ_CPU_SECONDS} CPU s)}, one core of $(getconf _NPROCESSORS_ONLN) ($cpu)"
[ -n "$EXTRA" ] && echo "fuzz: extra seeds from $EXTRA"
mkdir -p "$B"
res=${FUZZ_RESULTS:-$B/results.md}
CPU_BUDGET=${FUZZ_CPU_SECONDS:-0}
NICE=${FUZZ_NICE:-10}
TICKS=$(getconf CLK_TCK)

# cpu_of PID: CPU seconds (user + system) PID has used so far
cpu_of() {
	# fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends
	# the command name (which may hold spaces)
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk -v t="$TICKS" '{ print int(($12 + $13) / t) }'
}
{
	echo "$(date -u +%Y-%m-%d), ${SECONDS_EACH} s per target, 1 core of $(getconf _NPROCESSORS_ONLN) ($cpu)${EXTRA:+, extra seeds: $EXTRA}"
	echo
	echo "| target | wall s | CPU s | executions | exec/s | cov | ft | corpus | findings |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$res"
total=0
for t in "$@"; do
	bin="$B/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "fuzz: no $bin (make fuzz-build)" >&2
		exit 2
	fi
	work="$B/corpus/$t"
	art="$B/findings/$t"
	tmp="$B/tmp/$t"
	log="$B/logs/$t.log"
	mkdir -p "$work" "$art" "$B/logs"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	before=$(findings "$art")
	extra=$(extra_seeds "$t" "$B/extra/$t")
	start=$(date +%s)
	# shellcheck disable=SC2046,SC2086
	(cd "$tmp" && TMPDIR="$tmp" exec nice -n "$NICE" "$bin" $(fuzz_args "$t") -max_len=$(max_len "$t") \
		-max_total_time="$SECONDS_EACH" -artifact_prefix="$art/" \
		"$work" "$FUZZ/corpus/$t" $extra) >"$log" 2>&1 &
	pid=$!
	cpu=0
	while kill -0 "$pid" 2>/dev/null; do
		c=$(cpu_of "$pid")
		[ -n "$c" ] && cpu=$c
		if [ "$CPU_BUDGET" -gt 0 ] && [ "$cpu" -ge "$CPU_BUDGET" ]; then
			kill -INT "$pid" 2>/dev/null
			break
		fi
		sleep 5
	done
	wait "$pid"
	rc=$?
	# a run stopped at its CPU budget ends by SIGINT: libFuzzer exits 72
	# (its -interrupted_exitcode) or 130, which is no finding
	if [ "$CPU_BUDGET" -gt 0 ] && [ "$cpu" -ge "$CPU_BUDGET" ] && { [ "$rc" -eq 72 ] || [ "$rc" -eq 130 ]; }; then
		rc=0
	fi
	secs=$(($(date +%s) - start))
	rm -rf "$tmp"
	execs=$(stat_of "$log" number_of_executed_units)
	cov=$(status_of "$log" cov)
	ft=$(status_of "$log" ft)
	corp=$(status_of "$log" corp)
	found=$(($(findings "$art") - before))
	[ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1   # died without an artifact
	total=$((total + found))
	rate=$(( ${execs:-0} / (secs > 0 ? secs : 1) ))
	printf 'fuzz_%-9s %5ss wall %5ss CPU %10s execs %7s/s  cov %-5s ft %-6s corpus %-12s findings %s\n' \
		"$t" "$secs" "$cpu" "${execs:-?}" "$rate" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found"
	echo "| $t | $secs | $cpu | ${execs:-?} | $rate | ${cov:-?} | ${ft:-?} | ${corp:-?} | $found |" >>"$res"
	if [ "$found" -ne 0 ]; then
		grep -E 'ERROR|runtime error|fuzz: |SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    | /'
	fi
done
echo "fuzz: $total finding(s); table in $res, logs in $BUILD/logs/"
[ "$total" -eq 0 ]
