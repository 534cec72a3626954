#!/bin/sh
# make bench-verify: how fast `folio verify` re-hashes a store of about
# 1 GB (BENCH_VERIFY_MB, default 1024): text-layer PDFs, each carrying an
# unused stream of random bytes, so the originals are large but cheap to
# ingest. Reports MB/s of originals verified, best of three runs with the
# page cache warm (the hashing, not the disk, is measured). With
# FOLIO_BEFORE=/path/to/an/older/folio the same store is verified by that
# build too (it must read the archive's schema: give it a copy made by
# itself, e.g. FOLIO_BEFORE_ARCHIVE).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FOLIO=${FOLIO:-$ROOT/folio}
MB=${BENCH_VERIFY_MB:-1024}
W=$(mktemp -d "${TMPDIR:-/tmp}/folio-bench-verify.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=$((MB / 32))
python3 - "$W/in" "$N" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
for i in range(n):
    junk = os.urandom(32 << 20)
    text = b"BT /F1 12 Tf 72 720 Td (Verify bench document %d) Tj ET" % i
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(junk) + junk + b"\nendstream"]
    pdf, offs = bytearray(b"%PDF-1.4\n"), []
    for k, o in enumerate(objs):
        offs.append(len(pdf))
        pdf += b"%d 0 obj\n" % (k + 1) + o + b"\nendobj\n"
    x = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        pdf += b"%010d 00000 n \n" % o
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    open(os.path.join(out, "v%03d.pdf" % i), "wb").write(pdf)
PY
"$FOLIO" --archive "$W/arc" ingest "$W/in" >/dev/null
bytes=$("$FOLIO" --archive "$W/arc" stats --json | jq .bytes)
best() { # folio binary, archive -> best seconds of three verifies
	b=0
	for r in 1 2 3; do
		t0=$(date +%s.%N)
		"$1" --archive "$2" verify >/dev/null
		t=$(echo "$(date +%s.%N) - $t0" | bc -l)
		if [ "$b" = 0 ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
t=$(best "$FOLIO" "$W/arc")
printf 'folio verify: %d documents, %d MB of originals in %.2f s: %.0f MB/s\n' "$N" \
	"$((bytes >> 20))" "$t" "$(echo "$bytes / 1048576 / $t" | bc -l)"
if [ -n "${FOLIO_BEFORE:-}" ]; then
	"$FOLIO_BEFORE" --archive "$W/arc-before" ingest "$W/in" >/dev/null
	tb=$(best "$FOLIO_BEFORE" "$W/arc-before")
	printf 'before:       %.2f s: %.0f MB/s; ratio %.2fx\n' "$tb" \
		"$(echo "$bytes / 1048576 / $tb" | bc -l)" "$(echo "$tb / $t" | bc -l)"
fi
