#!/bin/sh
# folio backup and folio restore (issue 18): a bundle of the archive taken
# while folio watch runs, restored into a new folder that verifies and
# answers search, show and log as the original does; damaged, truncated,
# hostile and misdirected bundles refused by name, losing nothing and
# leaving no temp file.
. "$(dirname "$0")/../e2e_lib.sh"

INV="$FIX/invoices"
A="$FOLIO_ARCHIVE"
run init
run ingest --workers 1 "$INV/de-01-invoice.pdf" "$INV/de-02-invoice.pdf" "$INV/de-03-invoice.pdf"
expect_rc 0 "ingest three invoices"
run tag 1 +audit
run note 2 "checked by the auditor"
run fix 3 invoice_number=FV/BK/3
expect_rc 0 "a field fixed by hand"
(cd "$WORK" && "$FOLIO" export --to csv --out "$WORK/x.csv" id:1 >/dev/null 2>&1)
expect_eq "$(ls "$A/exports/1" 2>/dev/null)" output "an export's kept copy"
run ingest --workers 1 "$INV/de-01-invoice.pdf"
expect_out "^duplicate" "a duplicate event"

# ---- backup ---------------------------------------------------------------
run backup "$WORK/b.tar"
expect_rc 0 "backup to .tar"
expect_out "^backup .*b.tar: database \(schema [0-9]+, [0-9]+ events, head [0-9a-f]{16}\), 3 originals, 1 export copies" \
	"the summary"
run backup --json "$WORK/b.tar.zst"
expect_rc 0 "backup to .tar.zst"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.ok) \(.originals) \(.exports) \(.members) \(.error)"')" \
	"true 3 1 5 null" "the JSON summary"
CHAIN=$("$FOLIO" verify --json | jq -r '"\(.chain.events) \(.chain.head)"')
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.events) \(.head)"')" "$CHAIN" "the chain's head and length"
zstd -t -q "$WORK/b.tar.zst" 2>/dev/null && pass || fail "the .tar.zst is zstd"
run backup "$WORK/b.tar.gz"
expect_rc 0 "backup to .tar.gz"
gzip -t "$WORK/b.tar.gz" && pass || fail "the .tar.gz is gzip"
expect_eq "$(tar tf "$WORK/b.tar" | sort | tr '\n' ' ')" \
	"$( (echo MANIFEST.json; echo folio.db; echo exports/1/output; cd "$A" && find store -type f) | sort | tr '\n' ' ')" \
	"the members: database, originals, kept copy, manifest"
expect_eq "$(tar tf "$WORK/b.tar" | tail -1)" MANIFEST.json "the manifest comes last"
tar xOf "$WORK/b.tar" MANIFEST.json >"$WORK/m.json"
expect_eq "$(jq -r '.[0] | "\(.format) \(.folio) \(.schema) \(.members)"' "$WORK/m.json")" \
	"folio-backup $("$FOLIO" --version | grep -o '[0-9][0-9.]*' | head -1) $("$FOLIO" init --json | jq -r .schema) 5" \
	"the manifest's header"
(cd "$A" && find store -type f | while read -r f; do
	[ "$(jq -r --arg p "$f" '.[] | select(.path == $p) | .sha256' "$WORK/m.json")" = "$(sha256sum "$f" | cut -c1-64)" ] ||
		echo "$f"
done) >"$WORK/badsha"
expect_eq "$(cat "$WORK/badsha")" "" "every original's sha256 in the manifest"
run backup "$WORK/b.tar"
expect_rc 2 "an existing bundle is never overwritten"
expect_err "exists" "says so"
run backup "$WORK/b.zip"
expect_rc 2 "a name that is no bundle"
expect_err "end it in .tar" "says which"
run backup
expect_rc 2 "no bundle name"

# ---- restore --------------------------------------------------------------
run restore "$WORK/b.tar" "$WORK/r1"
expect_rc 0 "restore"
expect_out "restored .* 3 originals, 1 export copies, .*folio verify: archive ok" "the summary"
FOLIO_ARCHIVE="$WORK/r1" run verify
expect_rc 0 "folio verify on the restored archive"
for q in "search --json --limit 100 invoice" "search --json is:tagged" "show --json 1" "show --json 2" \
	"show --json 3" "log --json" "log 3" "export --history --json"; do
	# shellcheck disable=SC2086
	a=$("$FOLIO" $q 2>&1)
	# shellcheck disable=SC2086
	b=$(FOLIO_ARCHIVE="$WORK/r1" "$FOLIO" $q 2>&1)
	expect_eq "$b" "$a" "restored: folio $q as the original's"
done
cmp -s "$A/exports/1/output" "$WORK/r1/exports/1/output" && pass || fail "the kept copy restored"
run restore --json "$WORK/b.tar.zst" "$WORK/r2"
expect_rc 0 "restore of the .tar.zst"
expect_eq "$(printf '%s\n' "$OUT" | jq -r '"\(.ok) \(.originals) \(.problems) \(.events) \(.head)"')" \
	"true 3 0 $CHAIN" "the JSON summary"
mkdir "$WORK/empty"
run restore "$WORK/b.tar.gz" "$WORK/empty"
expect_rc 0 "restore into an empty folder"

# ---- refusals ---------------------------------------------------------------
# each: the reason named, exit status non-zero, the target not left behind
refused() { # rc, stderr pattern, description, target
	expect_rc "$1" "$3"
	expect_err "$2" "$3: the reason"
	[ ! -e "$4" ] && pass || fail "$3: '$4' left behind"
}
run restore "$WORK/b.tar" "$WORK/r1"
expect_rc 2 "a non-empty target"
expect_err "is not empty" "says so"
FOLIO_ARCHIVE="$WORK/r1" run verify
expect_rc 0 "the non-empty target untouched"
run restore "$WORK/nothing.tar" "$WORK/r3"
refused 1 "cannot read bundle '.*nothing.tar'" "a missing bundle" "$WORK/r3"
run restore "$WORK/b.tar"
expect_rc 2 "no target"

SIZE=$(wc -c <"$WORK/b.tar")
head -c $((SIZE / 2)) "$WORK/b.tar" >"$WORK/cut.tar"
run restore "$WORK/cut.tar" "$WORK/r3"
refused 1 "bundle .*cut.tar.* (damaged|cut short)" "a truncated bundle" "$WORK/r3"
ZSIZE=$(wc -c <"$WORK/b.tar.zst")
head -c $((ZSIZE / 2)) "$WORK/b.tar.zst" >"$WORK/cut.tar.zst"
run restore "$WORK/cut.tar.zst" "$WORK/r3"
refused 1 "bundle .*cut.tar.zst' is damaged at member '.*': Truncated zstd input" \
	"a truncated .tar.zst" "$WORK/r3"

# bundles rewritten member by member (python3's tarfile): FLIP flips a byte
# of that member, DROP leaves it out, ADD=NAME adds a member, LINK=NAME adds
# a symbolic link
rewrite() { # out, then FLIP=... DROP=... ADD=... LINK=... in the environment
	python3 - "$WORK/b.tar" "$1" <<'PY'
import io, os, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
flip, drop = os.environ.get("FLIP", ""), os.environ.get("DROP", "")
add, link = os.environ.get("ADD", ""), os.environ.get("LINK", "")
with tarfile.open(src) as t, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name == drop:
            continue
        if m.name == flip:
            data = bytearray(data)
            data[len(data) // 2] ^= 0x20
            data = bytes(data)
        if m.name == "MANIFEST.json":
            if add:
                i = tarfile.TarInfo(add)
                i.size = 5
                o.addfile(i, io.BytesIO(b"evil\n"))
            if link:
                i = tarfile.TarInfo(link)
                i.type = tarfile.SYMTYPE
                i.linkname = "/etc/passwd"
                o.addfile(i)
        m.size = len(data)
        o.addfile(m, io.BytesIO(data))
PY
}
SHA=$(cd "$A" && find store -type f | sort | head -1)
FLIP="$SHA" rewrite "$WORK/flip.tar"
run restore "$WORK/flip.tar" "$WORK/r3"
refused 1 "bundle member '$SHA' is damaged: sha256 [0-9a-f]{64}, [0-9]+ bytes; the manifest says" \
	"an original's bytes flipped" "$WORK/r3"
FLIP=folio.db rewrite "$WORK/flipdb.tar"
run restore "$WORK/flipdb.tar" "$WORK/r3"
refused 1 "bundle member 'folio.db' is damaged" "the database's bytes flipped" "$WORK/r3"
FLIP=MANIFEST.json rewrite "$WORK/flipm.tar"
run restore "$WORK/flipm.tar" "$WORK/r3"
refused 1 "MANIFEST.json|is damaged|not in the manifest|missing" "the manifest's bytes flipped" "$WORK/r3"
DROP="$SHA" rewrite "$WORK/drop.tar"
run restore "$WORK/drop.tar" "$WORK/r3"
refused 1 "bundle member '$SHA' is missing" "a member left out" "$WORK/r3"
DROP=MANIFEST.json rewrite "$WORK/nomanifest.tar"
run restore "$WORK/nomanifest.tar" "$WORK/r3"
refused 1 "has no member 'MANIFEST.json'" "no manifest" "$WORK/r3"
ADD=exports/9/extra rewrite "$WORK/extra.tar"
run restore "$WORK/extra.tar" "$WORK/r3"
refused 1 "bundle member 'exports/9/extra' is not in the manifest" "an extra member" "$WORK/r3"
ADD="$SHA" rewrite "$WORK/twice.tar"
run restore "$WORK/twice.tar" "$WORK/r3"
refused 1 "bundle member '$SHA' is refused: it appears twice" "a member twice" "$WORK/r3"
ADD=../evil rewrite "$WORK/evil.tar"
run restore "$WORK/evil.tar" "$WORK/r3"
refused 1 "bundle member '../evil' is refused" "a ../ member" "$WORK/r3"
[ ! -e "$WORK/evil" ] && pass || fail "../evil written outside the target"
ADD=exports/../../evil rewrite "$WORK/evil2.tar"
run restore "$WORK/evil2.tar" "$WORK/r3"
refused 1 "bundle member 'exports/../../evil' is refused" "a .. inside a path" "$WORK/r3"
ADD=/tmp/folio-backup-evil rewrite "$WORK/abs.tar"
run restore "$WORK/abs.tar" "$WORK/r3"
refused 1 "bundle member '/tmp/folio-backup-evil' is refused" "an absolute path" "$WORK/r3"
[ ! -e /tmp/folio-backup-evil ] && pass || fail "an absolute member written"
LINK=exports/9/link rewrite "$WORK/link.tar"
run restore "$WORK/link.tar" "$WORK/r3"
refused 1 "bundle member 'exports/9/link' is refused: not a regular file" "a symbolic link" "$WORK/r3"
mkdir "$WORK/given"
run restore "$WORK/evil.tar" "$WORK/given"
expect_rc 1 "a refused bundle into an empty folder given"
expect_eq "$(ls -A "$WORK/given")" "" "that folder left empty"

# ---- backup failures --------------------------------------------------------
run backup "$WORK/no/such/folder/b.tar"
expect_rc 1 "a target folder that does not exist"
expect_err "cannot write in '.*no/such/folder'" "says so"
: >"$WORK/afile"
run backup "$WORK/afile/b.tar"
expect_rc 1 "a target under a file"
expect_err "cannot write" "says so"
if [ "$(id -u)" != 0 ]; then
	mkdir "$WORK/ro" && chmod 555 "$WORK/ro"
	run backup "$WORK/ro/b.tar"
	expect_rc 1 "an unwritable folder"
	expect_err "cannot write in" "says so"
fi
# a full disk: a small tmpfs where this user may mount one (root), too
# small for the snapshot, then for the bundle after it
mkdir "$WORK/full"
DBK=$(($(wc -c <"$A/folio.db") / 1024))
if mount -t tmpfs -o size=64k tmpfs "$WORK/full" 2>/dev/null; then
	trap 'umount "$WORK/full" 2>/dev/null; rm -rf "$WORK"' EXIT
	run backup "$WORK/full/b.tar"
	expect_rc 1 "a disk too full for the snapshot"
	expect_err "cannot take a snapshot of the database: .*disk is full" "says so"
	expect_eq "$(ls -A "$WORK/full")" "" "nothing left on the full disk"
	umount "$WORK/full"
	mount -t tmpfs -o size=$((DBK + 96))k tmpfs "$WORK/full"
	run backup "$WORK/full/b.tar"
	expect_rc 1 "a disk full while the bundle is written"
	expect_err "cannot write '.*full/b.tar': No space left on device" "says so"
	expect_eq "$(ls -A "$WORK/full")" "" "no temp file left on the full disk"
	umount "$WORK/full"
else
	echo "backup: note: no tmpfs mount for this user, the full disk case is not run"
fi
expect_eq "$(ls -A "$WORK" | grep -E '\.(tmp|snap)\.' || true)" "" "no temp file or snapshot left"
run verify
expect_rc 0 "the archive itself untouched by it all"

# ---- backup while folio watch runs --------------------------------------------
IN="$WORK/inbox"
mkdir -p "$IN"
printf 'settle_ms = 200\npoll_ms = 100\n' >"$WORK/w.conf"
"$FOLIO" --config "$WORK/w.conf" watch "$IN" >"$WORK/watch.log" 2>&1 &
WPID=$!
wait_for 20 '"$FOLIO" status --json 2>/dev/null | jq -e .alive >/dev/null' && pass ||
	fail "watch did not come up: $(tail -5 "$WORK/watch.log")"
i=0
while [ $i -lt 30 ]; do
	printf 'Faktura VAT nr %d/2025 backup while watching\n' "$i" >"$WORK/t$i.txt"
	mv "$WORK/t$i.txt" "$IN/"
	i=$((i + 1))
done
run backup "$WORK/live.tar"
expect_rc 0 "backup while folio watch archives"
wait_for 60 '[ "$(find "$IN" -type f | wc -l)" = 0 ]' && pass || fail "watch took the inbox"
kill -TERM "$WPID"
wait "$WPID"
run restore "$WORK/live.tar" "$WORK/r4"
expect_rc 0 "the live bundle restores and verifies"
expect_out "journal: [0-9]+ files in hand at the snapshot marked interrupted|folio verify: archive ok" \
	"the summary"
FOLIO_ARCHIVE="$WORK/r4" run status --json
expect_eq "$(printf '%s\n' "$OUT" | jq -r .alive)" false "the original's daemon does not watch the copy"
N=$(tar xOf "$WORK/live.tar" MANIFEST.json | jq -r '.[0].members')
expect_eq "$(tar tf "$WORK/live.tar" | grep -c '^store/')" "$(FOLIO_ARCHIVE="$WORK/r4" "$FOLIO" stats --json | jq -r .documents)" \
	"every document of the snapshot has its original"
[ "$N" -ge 4 ] && pass || fail "the live bundle's members: $N"
run backup "$WORK/after.tar"
run restore "$WORK/after.tar" "$WORK/r5"
expect_rc 0 "after the daemon: the whole archive"
expect_eq "$(FOLIO_ARCHIVE="$WORK/r5" "$FOLIO" search --json --limit 1000 watching | jq -s length)" 30 \
	"the 30 files in the later bundle"
finish
