#!/bin/sh
# IMAP mailboxes end to end against a real Dovecot (tests/imap_lib.sh: an
# unprivileged instance on 127.0.0.1 with its own config, passwd-file user
# and self-signed certificate; nothing else is contacted), filled by IMAP
# APPEND with the project's mail fixtures: every message and attachment
# archived and linked; a second poll downloads nothing (Dovecot's own byte
# count); rules skip without downloading; after-actions flag, move and
# delete done once; kill -9 mid-sync then a rerun: each message's
# documents once, its after-action once; the server stopped mid-sync;
# wrong password, untrusted certificate and unsafe settings refused with
# clear errors; a new UIDVALIDITY re-scans without storing twice; an
# account with idle = yes archives new mail within seconds (IMAP IDLE),
# re-issues IDLE, stops cleanly, and is polled when the server has no IDLE.
. "$(dirname "$0")/../e2e_lib.sh"
. "$ROOT/tests/imap_lib.sh"

if [ ! -x "$DOVECOT" ] || ! command -v curl >/dev/null 2>&1; then
	echo "dovecot-imapd or curl missing (make deps)"
	exit 77
fi
trap 'dovecot_stop; rm -rf "$WORK"' EXIT
chmod 711 "$WORK"
dovecot_start "$WORK/dove" || {
	echo "not ok: dovecot did not start: $(tail -5 "$WORK/dove/dovecot.log" 2>/dev/null)"
	exit 1
}
M="$FIX/mail"
printf '%s\n' "$IMAP_PASS" >"$WORK/pw"
chmod 600 "$WORK/pw"
CONF="$WORK/folio.conf"
account() { # NAME FOLDER AFTER [extra lines...]
	printf '[account %s]\nhost = 127.0.0.1\nport = %s\ntls = yes\nuser = %s\n' \
		"$1" "$IMAPS_PORT" "$IMAP_USER" >>"$CONF"
	printf 'password_file = %s\nca_file = %s\nfolders = %s\nafter = %s\n' \
		"$WORK/pw" "$DOVE_DIR/cert.pem" "$2" "$3" >>"$CONF"
	shift 3
	for l in "$@"; do printf '%s\n' "$l" >>"$CONF"; done
}
mail() { run --config "$CONF" mail --once --json "$@"; }
jget() { printf '%s\n' "$OUT" | jq -r "$1"; }
sql() { sqlite3 "$FOLIO_ARCHIVE/folio.db" "$1"; }
rows() { # ACCOUNT: its messages recorded so far
	sqlite3 "$FOLIO_ARCHIVE/folio.db" "SELECT count(*) FROM mail_messages WHERE account = '$1'" \
		2>/dev/null || echo 0
}

account box INBOX flag "tags = mailbox"
imap_append INBOX "$M/pl-faktura.eml" "$M/it-fattura-inline.eml" "$M/es-factura-xml.eml" \
	"$M/pt-reencaminhada.eml" "$M/pl-cp1250.eml" "$M/no-attachment.eml" || fail "append"
# curl appends with \Seen: make them unread, to see that folio leaves them so
imap_cmd 'UID STORE 1:* -FLAGS.SILENT (\Seen)' INBOX >/dev/null

# ---- first poll: everything, each attachment linked ----
mail --account box
expect_rc 0 "first poll"
expect_eq "$(jget .status)/$(jget .seen)/$(jget .downloaded)/$(jget .stored)/$(jget .actions)" \
	ok/6/6/6/6 "6 messages seen, downloaded, stored, flagged"
expect_err 'box/INBOX: 6 message' "progress on stderr"
expect_err 'box/INBOX: 6 message\(s\) in the folder; new ones from UID 1' \
	"progress: the folder's size and where the sync starts"
expect_eq "$(sql "SELECT count(*) FROM documents WHERE doc_type = 'letter' AND source_sha256 IS NULL")" \
	6 "6 messages are documents"
expect_eq "$(sql 'SELECT count(*) FROM documents WHERE source_sha256 IS NOT NULL')" 7 \
	"the attachments and the forwarded message, each a document"
expect_eq "$(sql 'SELECT count(*) FROM documents d WHERE source_sha256 IS NOT NULL AND NOT EXISTS
	(SELECT 1 FROM documents p WHERE p.sha256 = d.source_sha256)')" 0 "each linked to its message"
run search --count 'tag:mailbox'
expect_eq "$OUT" 13 "the account's tag on every document"
PL=$(sql "SELECT id FROM documents WHERE title LIKE 'Faktura VAT FV/2024/03/0147%'")
run show --json "$PL"
expect_eq "$(jget '.attachments | length')" 1 "the Polish message lists its PDF"
expect_eq "$(jget '.fields.mail_source.value // .fields.mail_source')" \
	"imap://box/INBOX;UIDVALIDITY=$(sql "SELECT uidvalidity FROM mail_folders WHERE account = 'box'")/;UID=1" \
	"show --json: where the message came from (mail_source)"
run show "$PL"
expect_out 'mail_source.*imap://box/INBOX;UIDVALIDITY=' "show names the mail source"
run search --count 'account:box'
expect_eq "$OUT" 13 "account:box finds the account's messages and attachments"
run search --count 'folder:INBOX account:nobody'
expect_eq "$OUT" 0 "account: of no account finds nothing"
expect_eq "$(imap_flagged INBOX '$Archived')" 6 "after = flag: every message flagged"
expect_eq "$(imap_cmd 'UID SEARCH SEEN' INBOX | tr ' ' '\n' | grep -c '^[0-9]')" 0 \
	"BODY.PEEK: no message marked read"
expect_eq "$(sql "SELECT group_concat(DISTINCT state) FROM mail_messages")" done "every row done"
[ -z "$(ls "$FOLIO_ARCHIVE/spool/mail/box/INBOX")" ] && pass || fail "the spool is left empty"

# ---- a second poll fetches nothing: not even the message without attachments ----
L=$(($(wc -l <"$DOVE_DIR/dovecot.log") + 1))
mail --account box
expect_rc 0 "second poll"
expect_eq "$(jget .seen)/$(jget .downloaded)/$(jget .stored)" 0/0/0 "nothing new"
[ "$(jget .bytes)" -lt 2000 ] && pass || fail "second poll received $(jget .bytes) bytes"
sleep 0.3
OUTB=$(dovecot_out_bytes "$L")
[ "$OUTB" -gt 0 ] && [ "$OUTB" -lt 2000 ] && pass || fail "Dovecot sent $OUTB bytes on the second poll"
expect_eq "$(sql 'SELECT count(*) FROM documents')" 13 "nothing stored twice"

# ---- a new message: only it ----
imap_append INBOX "$M/bad/truncated.eml" "$M/bad/no-boundary.eml" || fail "append 2"
mail --account box
expect_rc 0 "third poll"
expect_eq "$(jget .seen)/$(jget .downloaded)/$(jget .nodoc)" 2/2/2 \
	"only the new messages, both refused (truncated, no boundary)"
expect_eq "$(sql "SELECT count(*) FROM mail_messages WHERE state = 'nodoc'")" \
	"$(jget .nodoc)" "a message without a document is remembered as such"
mail --account box
expect_eq "$(jget .downloaded)" 0 "and never downloaded again"

# ---- rules: skipped without downloading ----
account rules Rules none "from = *@wrobel.example" "attachment_types = pdf, xml"
imap_cmd "CREATE Rules" >/dev/null
imap_append Rules "$M/pl-faktura.eml" "$M/es-factura-xml.eml" "$M/no-attachment.eml"
mail --account rules
expect_rc 0 "rules poll"
expect_eq "$(jget .seen)/$(jget .skipped)/$(jget .downloaded)" 3/2/1 "two skipped by the rules"
expect_eq "$(sql "SELECT count(*) FROM mail_messages WHERE account = 'rules' AND state = 'skipped'")" \
	2 "skipped messages remembered"

# a subject rule sees the subject decoded (RFC 2047 words, split inside a word)
account subj Rules none "subject = *źródło*"
mail --account subj
expect_eq "$(jget .seen)/$(jget .skipped)/$(jget .downloaded)" 3/2/1 "subject rule on the decoded subject"

# ---- move and delete, once ----
account mover Move move:Archive "tag_folders = yes"
account deleter Del delete
imap_cmd "CREATE Move" >/dev/null
imap_cmd "CREATE Del" >/dev/null
for f in pl-cp1250 no-attachment; do
	{
		printf 'X-Folio-Move: 1\r\n'
		cat "$M/$f.eml"
	} >"$WORK/move-$f.eml"
done
imap_append Move "$WORK/move-pl-cp1250.eml" "$WORK/move-no-attachment.eml"
imap_append Del "$M/pl-cp1250.eml"
mail --account mover
expect_eq "$(jget .stored)/$(jget .actions)" 2/2 "moved"
mail --account deleter
expect_eq "$(jget .stored)/$(jget .actions)" 1/1 "deleted"
expect_eq "$(imap_count Move)/$(imap_count Archive)/$(imap_count Del)" 0/2/0 \
	"Move emptied into Archive, Del emptied"
run search --count 'tag:Move'
expect_eq "$OUT" 3 \
	"tag_folders: the folder's name on the messages and on the attachment they duplicate"
CP=$(sql "SELECT d.id FROM documents d JOIN fields f ON f.doc_id = d.id AND f.name = 'mail_source'
	WHERE f.value LIKE 'imap://box/%' AND d.source_sha256 IS NOT NULL AND d.id IN
	(SELECT doc_id FROM tags WHERE tag = 'Move')")
[ -n "$CP" ] && pass || fail "the duplicate attachment (first from box) tagged Move"
expect_eq "$(sql "SELECT count(*) FROM events WHERE kind = 'duplicate' AND doc_id = '$CP'
	AND detail LIKE 'mail_source: imap://mover/Move;UIDVALIDITY=%'")" 1 \
	"the duplicate event names the message it came in"

# ---- an attachment already archived from a file: linked to the message ----
printf 'Nota di credito 4711 per collegamento\n' >"$WORK/nota.txt"
run ingest "$WORK/nota.txt"
NOTA=$(sql "SELECT id FROM documents WHERE path LIKE '%/nota.txt'")
{
	printf 'From: Fornitore <fatture@fornitore.example>\r\nTo: <box@example.com>\r\n'
	printf 'Subject: Nota 4711\r\nDate: Mon, 7 Dec 2026 10:00:00 +0100\r\n'
	printf 'Message-ID: <nota-4711@fornitore.example>\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
	printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nIn allegato la nota.\r\n--b1\r\n'
	printf 'Content-Type: text/plain; name="nota.txt"\r\n'
	printf 'Content-Disposition: attachment; filename="nota.txt"\r\n'
	printf 'Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n' \
		"$(base64 -w0 "$WORK/nota.txt")"
} >"$WORK/nota.eml"
account linker Link none "tags = linked" "tag_rule = subject:*nota* -> note"
imap_cmd "CREATE Link" >/dev/null
imap_append Link "$WORK/nota.eml"
mail --account linker
expect_eq "$(jget .status)/$(jget .stored)" ok/1 "the message with the known attachment stored"
run show --json "$NOTA"
expect_eq "$(jget '[.tags[] | select(. == "linked" or . == "note")] | sort | join(",")')" \
	linked,note "the archived file gets the account's and the rule's tags"
expect_eq "$(jget '.fields.mail_source.value // .fields.mail_source')" \
	"imap://linker/Link;UIDVALIDITY=$(sql "SELECT uidvalidity FROM mail_folders WHERE account = 'linker'")/;UID=1" \
	"the archived file, which had no mail source, gets the message's"
run search --count 'account:linker'
expect_eq "$OUT" 2 "account:linker finds the message and the attachment it duplicated"

# ---- tag rules: tags on the messages a rule matches ----
account tagger Tagged none "tag_rule = subject:*faktura* -> faktury, pl" \
	"tag_rule = attachment_types:xml -> xml" "tag_rule = from:*@nobody.example -> never"
imap_cmd "CREATE Tagged" >/dev/null
for f in pl-faktura es-factura-xml no-attachment; do
	{
		printf 'X-Folio-Tag: 1\r\n'
		cat "$M/$f.eml"
	} >"$WORK/tag-$f.eml"
done
imap_append Tagged "$WORK/tag-pl-faktura.eml" "$WORK/tag-es-factura-xml.eml" \
	"$WORK/tag-no-attachment.eml"
mail --account tagger
expect_eq "$(jget .stored)" 3 "tag rules: the three messages stored"
run search --count 'tag:faktury tag:pl'
expect_eq "$OUT" 2 \
	"tag_rule subject: both its tags on the Polish message and the PDF it carries (a duplicate)"
run search --count 'tag:faktury tag:pl type:letter'
expect_eq "$OUT" 1 "of them one message"
run search --count 'tag:xml'
expect_eq "$OUT" 3 \
	"tag_rule attachment_types: the message with an XML, and its XML and PDF (duplicates)"
run search --count 'tag:xml type:letter'
expect_eq "$OUT" 1 "of them one message"
run search --count 'tag:never'
expect_eq "$OUT" 0 "a tag rule that matches nothing tags nothing"

# ---- folder names beyond ASCII: modified UTF-7 on the wire ----
account unicode "Società" "move:Già"
imap_cmd 'CREATE "Societ&AOA-"' >/dev/null
imap_cmd 'CREATE "Gi&AOA-"' >/dev/null
{
	printf 'X-Folio-Utf7: 1\r\n'
	cat "$M/pl-cp1250.eml"
} >"$WORK/utf7.eml"
imap_append "Societ&AOA-" "$WORK/utf7.eml" || fail "append to Societ&AOA-"
mail --account unicode
expect_eq "$(jget .status)/$(jget .stored)/$(jget .actions)" ok/1/1 \
	"a folder named Società polled, its message moved to Già"
expect_eq "$(imap_count '"Societ&AOA-"')/$(imap_count '"Gi&AOA-"')" 0/1 \
	"the server's Societ&AOA- emptied into Gi&AOA-"
run search --count 'folder:Società'
expect_eq "$OUT" 1 "mail_source names the folder in UTF-8"

# ---- kill -9 mid-sync, then a rerun ----
N=25
i=1
mkdir "$WORK/big"
while [ $i -le $N ]; do
	for f in pl-faktura es-factura-xml; do
		{
			printf 'X-Folio-Seq: %s-%s\r\n' "$i" "$f"
			cat "$M/$f.eml"
		} >"$WORK/big/$i-$f.eml"
	done
	i=$((i + 1))
done
account big Big move:Done
imap_cmd "CREATE Big" >/dev/null
imap_cmd "CREATE Done" >/dev/null
imap_append Big "$WORK"/big/*.eml
TOTAL=$((N * 2))
"$FOLIO" --config "$CONF" mail --once --account big >"$WORK/kill.out" 2>&1 &
PID=$!
wait_for 60 '[ "$(rows big)" -ge 10 ]' ||
	fail "the sync did not start"
kill -9 $PID
wait $PID 2>/dev/null
DONE1=$(sql "SELECT count(*) FROM mail_messages WHERE account = 'big' AND state = 'done'")
[ "$DONE1" -lt "$TOTAL" ] && pass || fail "killed too late ($DONE1 done)"
mail --account big
expect_rc 0 "the rerun finishes"
expect_eq "$(sql "SELECT count(*) FROM mail_messages WHERE account = 'big' AND state = 'done'")" \
	"$TOTAL" "every message done"
expect_eq "$(sql "SELECT count(*) FROM documents WHERE doc_type = 'letter' AND path LIKE '%/spool/mail/big/%'")" \
	"$TOTAL" "each message's document once"
expect_eq "$(imap_count Big)/$(imap_count Done)" "0/$TOTAL" "each message moved once"

# ---- the server stops mid-sync, starts again ----
account again Again flag
imap_cmd "CREATE Again" >/dev/null
i=1
mkdir "$WORK/again"
while [ $i -le 100 ]; do
	{
		printf 'X-Folio-Again: %s\r\n' "$i"
		cat "$M/pl-faktura.eml"
	} >"$WORK/again/$i.eml"
	i=$((i + 1))
done
imap_append Again "$WORK"/again/*.eml
# the server goes as soon as the first message is in the spool: the
# process serving folio's session is killed (Dovecot's own stop lets a
# session run to its end), then the server stops
(
	wait_for 60 '[ "$(rows again)" -ge 1 ]'
	kill -9 "$(sed -n 's/.*Login: user=<folio>.*mpid=\([0-9]*\).*/\1/p' "$DOVE_DIR/dovecot.log" |
		tail -n 1)"
	dovecot_stop
) &
STOPPER=$!
"$FOLIO" --config "$CONF" mail --once --account again --json >"$WORK/again.out" 2>"$WORK/again.err" &
PID=$!
wait $STOPPER
wait $PID
RC=$?
expect_eq "$RC" 1 "a server gone mid-sync fails the run"
grep -q "account again (127.0.0.1)" "$WORK/again.err" && pass ||
	fail "the error names account and host: $(cat "$WORK/again.err")"
dovecot_start "$WORK/dove" || fail "dovecot did not start again"
mail --account again
expect_rc 0 "the rerun after the restart"
expect_eq "$(sql "SELECT count(*) FROM mail_messages WHERE account = 'again' AND state = 'done'")" \
	100 "all 100 done"
expect_eq "$(sql "SELECT count(*) FROM documents WHERE doc_type = 'letter' AND path LIKE '%/spool/mail/again/%'")" \
	100 "each once"
expect_eq "$(imap_flagged Again '$Archived')" 100 "each flagged"

# ---- a new UIDVALIDITY: scanned again, nothing stored twice ----
BEFORE=$(sql 'SELECT count(*) FROM documents')
imap_cmd "DELETE Rules" >/dev/null
imap_cmd "CREATE Rules" >/dev/null
imap_append Rules "$M/pl-faktura.eml" "$M/es-factura-xml.eml" "$M/no-attachment.eml"
mail --account rules
expect_rc 0 "poll after the folder was recreated"
expect_err 'UIDVALIDITY changed' "the change is reported"
expect_eq "$(jget .skipped)/$(jget .downloaded)" 2/1 "scanned again"
expect_eq "$(sql 'SELECT count(*) FROM documents')" "$BEFORE" "nothing stored twice"

# status --json: every account of the config, written by the JSON writer
run --config "$CONF" status --json
expect_eq "$(jget '[.accounts[] | .account] | length')" "$(grep -c '^\[account ' "$CONF")" \
	"status --json: one object per account"
expect_eq "$(jget '.accounts[] | select(.account == "unicode") | .folders[0] | "\(.folder)/\(.last_uid)"')" \
	"Società/1" "status --json: a folder name beyond ASCII"
expect_eq "$(jget '.accounts[0] | keys_unsorted | join(",")')" \
	account,polled_at,result,error,handled,folders "status --json: the account keys, in order"

# ---- folio watch polls the accounts beside the folders ----
CONF_ALL=$CONF
CONF="$WORK/watch.conf"
printf 'settle_ms = 100\n' >"$CONF"
account watcher Watch flag "poll_seconds = 1"
printf '[account wrongpw]\nhost = 127.0.0.1\nport = %s\nuser = %s\npassword_file = %s\nca_file = %s\n' \
	"$IMAPS_PORT" "$IMAP_USER" "$WORK/badpw" "$DOVE_DIR/cert.pem" >>"$CONF"
printf 'wrong\n' >"$WORK/badpw"
chmod 600 "$WORK/badpw"
imap_cmd "CREATE Watch" >/dev/null
imap_append Watch "$M/pl-faktura.eml" "$M/es-factura-xml.eml"
mkdir -p "$WORK/inbox"
printf 'Faktura 77\n' >"$WORK/inbox/a.txt"
run --config "$CONF" watch --once "$WORK/inbox"
expect_rc 1 "watch --once: an account that could not be polled fails the run"
expect_err "mail: polling account watcher" "the account polled"
expect_err "account wrongpw \(127.0.0.1\): .*login refused" "the failing account named"
expect_err "poll of account wrongpw failed .*retrying in 30 s" "and retried later"
expect_err "mail: 1 account\(s\) could not be polled: wrongpw" "watch --once names it at the end"
expect_eq "$(imap_flagged Watch '$Archived')" 2 "the daemon's poll archived and flagged both"
[ ! -e "$WORK/inbox/a.txt" ] && pass || fail "the inbox file was taken too"
run --config "$CONF" status --json
expect_eq "$(jget '.accounts[0] | "\(.account)/\(.result)/\(.handled)/\(.error)"')" \
	watcher/ok/2/null "status --json: the account's last poll, ok, 2 messages handled"
expect_eq "$(jget '.accounts[0].folders[0] | "\(.folder)/\(.last_uid)"')" Watch/2 \
	"status --json: the folder's highest UID handled"
expect_eq "$(jget '.accounts[1] | "\(.account)/\(.result)/\(.folders | length)"')" \
	wrongpw/failed/0 "status --json: the failing account"
jget '.accounts[1].error' | grep -q 'login refused' && pass || fail "status --json: its error"
[ -n "$(jget '.accounts[0].polled_at | select(test("^20[0-9-]+T"))')" ] && pass ||
	fail "status --json: polled_at"
run --config "$CONF" status
expect_out '^  watcher: polled 20.*, ok, 2 message\(s\) handled' "status: the account's line"
expect_out '^    Watch: highest UID 2 ' "status: its folder"
expect_out '^    error: .*login refused' "status: the failing account's error"
imap_append Watch "$M/pl-cp1250.eml"
"$FOLIO" --config "$CONF" watch "$WORK/inbox" >"$WORK/watch.log" 2>&1 &
WPID=$!
wait_for 30 '[ "$(imap_flagged Watch "\$Archived")" -eq 3 ]' && pass ||
	fail "the daemon did not poll again: $(cat "$WORK/watch.log")"
kill -TERM $WPID
wait $WPID
expect_eq "$?" 0 "watch stops on SIGTERM"

# ---- idle = yes: folio watch waits on IMAP IDLE, new mail archived at once ----
# poll_seconds = 30: what comes in within a few seconds came by IDLE
CONF="$WORK/idle.conf"
printf 'settle_ms = 100\n' >"$CONF"
account idler Idle flag "idle = yes" "poll_seconds = 30"
imap_cmd "CREATE Idle" >/dev/null
imap_cmd "CREATE Idle2" >/dev/null
imap_append Idle "$M/pl-faktura.eml"
run --config "$CONF" watch --once "$WORK/inbox"
expect_rc 0 "watch --once: every account polled (an idle one once)"
expect_err "mail: polling account idler \(pid" "the idle account polled once"
done_rows() { # ACCOUNT: its messages done
	sqlite3 "$FOLIO_ARCHIVE/folio.db" \
		"SELECT count(*) FROM mail_messages WHERE account = '$1' AND state = 'done'" \
		2>/dev/null || echo 0
}
polled_at() { # CONFIG: its first account's last poll
	"$FOLIO" --config "$1" status --json | jq -r '.accounts[0].polled_at'
}
expect_eq "$(done_rows idler)" 1 "the idle account's first message"
sleep 1 # polled_at has seconds: the daemon's first poll must differ
P0=$(polled_at "$CONF")
"$FOLIO" --config "$CONF" watch "$WORK/inbox" >"$WORK/idle.log" 2>&1 &
WPID=$!
wait_for 10 "grep -q 'mail: polling account idler, then waiting on IMAP IDLE' '$WORK/idle.log'" &&
	pass || fail "the daemon runs the account's IDLE child: $(cat "$WORK/idle.log")"
wait_for 10 '[ "$(polled_at "$CONF")" != "$P0" ]' && pass || fail "the IDLE child's first poll"
sleep 0.5
{
	printf 'X-Folio-Idle: 1\r\n'
	cat "$M/es-factura-xml.eml"
} >"$WORK/idle-2.eml"
imap_append Idle "$WORK/idle-2.eml"
T0=$(date +%s%N)
wait_for 20 '[ "$(done_rows idler)" -eq 2 ]'
MS=$((($(date +%s%N) - T0) / 1000000))
[ "$(done_rows idler)" -eq 2 ] && [ "$MS" -lt 10000 ] && pass ||
	fail "new mail archived $MS ms after its APPEND (IDLE; the next poll is 30 s away)"
echo "# IDLE: the new message archived and flagged $MS ms after its APPEND"
expect_eq "$(imap_flagged Idle '$Archived')" 2 "both flagged"
L=$(($(wc -l <"$DOVE_DIR/dovecot.log") + 1))
T0=$(date +%s%N)
kill -TERM $WPID
wait $WPID
RC=$?
MS=$((($(date +%s%N) - T0) / 1000000))
expect_eq "$RC" 0 "watch with an IDLE account stops on SIGTERM"
[ "$MS" -lt 5000 ] && pass || fail "SIGTERM to exit took $MS ms"
sleep 0.3
tail -n +"$L" "$DOVE_DIR/dovecot.log" | grep -q 'Disconnected: Logged out' && pass ||
	fail "the IDLE session ended by DONE and LOGOUT: $(tail -n +"$L" "$DOVE_DIR/dovecot.log")"
run --config "$CONF" mail --idle
expect_rc 2 "--idle needs --account"
expect_err "--idle needs --account NAME"
run --config "$CONF" mail --idle --once --account idler
expect_rc 2 "--idle and --once together"

# folio mail --idle itself, poll_seconds = 2: IDLE ended and issued anew
# every 2 s (at most 25 minutes, RFC 2177's limit being 29), every folder
# polled again each time
CONF="$WORK/idle2.conf"
: >"$CONF"
account idler2 Idle2 flag "idle = yes" "poll_seconds = 2"
"$FOLIO" --config "$CONF" mail --idle --account idler2 >"$WORK/idle2.out" 2>"$WORK/idle2.err" &
MPID=$!
wait_for 10 '[ "$(polled_at "$CONF")" != null ]' && pass || fail "mail --idle: the first poll"
P1=$(polled_at "$CONF")
wait_for 6 '[ "$(polled_at "$CONF")" != "$P1" ]' && pass || fail "IDLE not re-issued after 2 s"
P2=$(polled_at "$CONF")
wait_for 6 '[ "$(polled_at "$CONF")" != "$P2" ]' && pass || fail "IDLE not re-issued a second time"
imap_append Idle2 "$M/pl-faktura.eml"
wait_for 10 '[ "$(done_rows idler2)" -eq 1 ]' && pass ||
	fail "mail --idle: the new message: $(cat "$WORK/idle2.err")"
kill -TERM $MPID
wait $MPID
expect_eq "$?" 0 "folio mail --idle stops on SIGTERM"
CONF=$CONF_ALL

# ---- errors: wrong password, untrusted certificate, unsafe settings ----
cat >"$WORK/bad.conf" <<EOF
[account badpw]
host = 127.0.0.1
port = $IMAPS_PORT
user = $IMAP_USER
password_file = $WORK/badpw
ca_file = $DOVE_DIR/cert.pem
[account untrusted]
host = 127.0.0.1
port = $IMAPS_PORT
user = $IMAP_USER
password_file = $WORK/pw
[account starttls]
host = 127.0.0.1
port = $IMAP_PORT
tls = starttls
user = $IMAP_USER
password_file = $WORK/pw
ca_file = $DOVE_DIR/cert.pem
EOF
run --config "$WORK/bad.conf" mail --once --account badpw
expect_rc 1 "wrong password"
expect_err "account badpw \(127.0.0.1\): imap 127.0.0.1:$IMAPS_PORT: login refused \(wrong user or password\)"
run --config "$WORK/bad.conf" mail --once --account untrusted
expect_rc 1 "untrusted certificate"
expect_err "account untrusted \(127.0.0.1\): .*certificate is not trusted"
run --config "$WORK/bad.conf" mail --once --account starttls --json
expect_rc 0 "STARTTLS with the test CA"
expect_eq "$(jget .status)" ok "STARTTLS account polled"
grep -q "$IMAP_PASS" "$WORK/err" "$WORK/out" && fail "the password was printed" || pass
run --config "$WORK/bad.conf" mail --once --account nosuch
expect_rc 2 "an unknown account is a usage error"
chmod 644 "$WORK/pw"
run --config "$CONF" mail --once --account box
expect_rc 1 "a password file others can read"
expect_err "password_file .* only its owner can read"
chmod 600 "$WORK/pw"
printf '[account far]\nhost = imap.example.com\ntls = no\nuser = u\npassword_file = %s\n' \
	"$WORK/pw" >"$WORK/far.conf"
run --config "$WORK/far.conf" mail --once
expect_rc 1 "tls = no to a remote host"
expect_err "tls = no is only allowed for a loopback address"
printf '[account x]\nhost = h\ntls = maybe\n' >"$WORK/typo.conf"
run --config "$WORK/typo.conf" mail --once
expect_rc 2 "a bad tls value"
expect_err "typo.conf:3: tls: 'maybe': tls is yes, starttls or no"
run mail
expect_rc 2 "--once is required"
printf '[account x]\nhost = h\nidle = maybe\n' >"$WORK/idle-typo.conf"
run --config "$WORK/idle-typo.conf" mail --once
expect_rc 2 "a bad idle value"
expect_err "idle: 'maybe': idle is yes or no"

# ---- a server without IDLE: the account is polled every poll_seconds ----
dovecot_stop
DOVECOT_EXTRA='imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ MOVE UIDPLUS'
dovecot_start "$WORK/dove" || fail "dovecot without IDLE did not start"
DOVECOT_EXTRA=
CONF="$WORK/idle2.conf"
"$FOLIO" --config "$CONF" mail --idle --account idler2 >"$WORK/noidle.out" 2>"$WORK/noidle.err" &
MPID=$!
wait_for 10 'grep -q "does not offer IDLE: polling every 2 s" "$WORK/noidle.err"' && pass ||
	fail "no IDLE: the fallback said: $(cat "$WORK/noidle.err")"
{
	printf 'X-Folio-Idle: 2\r\n'
	cat "$M/pl-cp1250.eml"
} >"$WORK/idle-3.eml"
imap_append Idle2 "$WORK/idle-3.eml"
wait_for 15 '[ "$(done_rows idler2)" -eq 2 ]' && pass ||
	fail "no IDLE: the new message not polled: $(cat "$WORK/noidle.err")"
kill -TERM $MPID
wait $MPID
expect_eq "$?" 0 "folio mail --idle stops on SIGTERM"

finish
