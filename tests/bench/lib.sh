# tests/bench/lib.sh - what the extraction benchmarks share (sourced by
# receipts.sh and rendered.sh): folio and Python found, -v read, a private
# work folder and HOME, and each ingested document's `folio show --json`.

# bench_setup NAME [-v]: sets FOLIO (absolute), PY, VERBOSE (--verbose or
# empty) and W (a temp folder, removed at exit unless KEEP is set); the
# caller shifts -v away itself (bench_verbose says whether it was there)
bench_setup() {
	_name=$1
	FOLIO=${FOLIO:-./folio}
	case $FOLIO in
	/*) ;;
	*) FOLIO=$(cd "$(dirname "$FOLIO")" && pwd)/$(basename "$FOLIO") ;;
	esac
	PY=/usr/bin/python3
	[ -x "$PY" ] || PY=python3
	VERBOSE=
	case ${2:-} in
	-v | --verbose) VERBOSE=--verbose ;;
	esac
	if [ ! -x "$FOLIO" ]; then
		echo "$_name: $FOLIO is not built (make folio, or set FOLIO)" >&2
		exit 1
	fi
	W=$(mktemp -d "${TMPDIR:-/tmp}/folio-$_name.XXXXXX")
	if [ -n "${KEEP:-}" ]; then
		echo "$_name: keeping $W"
	else
		# shellcheck disable=SC2064 # W is fixed now
		trap "rm -rf '$W'" EXIT
	fi
	unset FOLIO_CONFIG FOLIO_ARCHIVE
	HOME="$W/home"
	export HOME
	mkdir -p "$HOME"
}

now() { date +%s.%N; }

# bench_check_ingest NAME ERRFILE WHAT: stop when folio ingest stopped
bench_check_ingest() {
	if grep -q 'ingest stopped' "$2"; then
		echo "$1: folio ingest failed ($3):" >&2
		tail -n 5 "$2" >&2
		exit 1
	fi
}

# bench_show ARCHIVE INGEST_JSONL: each archived document's show --json,
# with its path and without its text, a line per ingested file
bench_show() {
	"$PY" - "$FOLIO" "$1" "$2" <<'PYEOF'
import json, subprocess, sys
folio, archive, ingest = sys.argv[1:4]
shown = {}
for line in open(ingest, encoding="utf-8"):
    o = json.loads(line)
    if o.get("id") is None:
        continue
    if o["id"] not in shown:
        r = subprocess.run([folio, "--archive", archive, "show", "--json", str(o["id"])],
                           capture_output=True, text=True)
        shown[o["id"]] = json.loads(r.stdout) if r.returncode == 0 else None
    res = shown[o["id"]]
    if res is not None:
        print(json.dumps(dict(res, path=o["path"], text=None), ensure_ascii=False))
PYEOF
}
