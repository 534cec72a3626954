# tests/imap_lib.sh - a Dovecot IMAP server for the tests (sourced by
# tests/e2e/imap.sh and tests/bench/mail.sh). dovecot_start DIR starts one
# as the unprivileged user nobody, from a config of its own in DIR: a
# passwd-file user (folio / secret), a self-signed certificate made by
# openssl, Maildirs under DIR, its log in DIR/dovecot.log (one line per
# session with the bytes it sent: imap_logout_format), listening on
# 127.0.0.1 only, STARTTLS on $IMAP_PORT and implicit TLS on $IMAPS_PORT.
# Nothing here contacts any other address. dovecot_stop stops it.
# DOVECOT_EXTRA: lines added to its config (a test's own settings).
DOVECOT=/usr/sbin/dovecot
IMAP_USER=folio
IMAP_PASS=secret

free_port() { # a TCP port nothing listens on at 127.0.0.1
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

dovecot_start() { # DIR
	DOVE_DIR=$1
	mkdir -p "$DOVE_DIR/run" "$DOVE_DIR/state" "$DOVE_DIR/home"
	IMAP_PORT=${IMAP_PORT:-$(free_port)}
	IMAPS_PORT=${IMAPS_PORT:-$(free_port)}
	if [ ! -f "$DOVE_DIR/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			-keyout "$DOVE_DIR/key.pem" -out "$DOVE_DIR/cert.pem" >/dev/null 2>&1 || return 1
	fi
	printf '%s:{PLAIN}%s::::::\n' "$IMAP_USER" "$IMAP_PASS" >"$DOVE_DIR/passwd"
	cat >"$DOVE_DIR/dovecot.conf" <<CONF
base_dir = $DOVE_DIR/run
state_dir = $DOVE_DIR/state
instance_name = folio-test-$$
listen = 127.0.0.1
protocols = imap
log_path = $DOVE_DIR/dovecot.log
info_log_path = $DOVE_DIR/dovecot.log
ssl = yes
ssl_cert = <$DOVE_DIR/cert.pem
ssl_key = <$DOVE_DIR/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVE_DIR/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DOVE_DIR/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
  }
}
imap_logout_format = in=%i out=%o
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
${DOVECOT_EXTRA:-}
CONF
	chown -R nobody:nogroup "$DOVE_DIR"
	chmod 755 "$DOVE_DIR"
	runuser -u nobody -- "$DOVECOT" -c "$DOVE_DIR/dovecot.conf" || return 1
	python3 - "$IMAP_PORT" "$IMAPS_PORT" <<'PY'
import socket, sys, time
for port in sys.argv[1:]:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", int(port)), 1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(1)
PY
}

dovecot_stop() {
	[ -n "${DOVE_DIR:-}" ] && [ -f "$DOVE_DIR/dovecot.conf" ] &&
		runuser -u nobody -- "$DOVECOT" -c "$DOVE_DIR/dovecot.conf" stop 2>/dev/null
	_i=0
	while [ -f "$DOVE_DIR/run/master.pid" ] && [ $_i -lt 50 ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	return 0
}

imap_append() { # FOLDER FILE...: append messages over IMAPS (the test CA)
	_f=$1
	shift
	for _m in "$@"; do
		curl -sS --cacert "$DOVE_DIR/cert.pem" -u "$IMAP_USER:$IMAP_PASS" -T "$_m" \
			"imaps://127.0.0.1:$IMAPS_PORT/$_f" || return 1
	done
}

# bytes the server sent in sessions logged out since line N of its log
dovecot_out_bytes() { # [FROM_LINE]
	tail -n +"${1:-1}" "$DOVE_DIR/dovecot.log" | sed -n 's/.*out=\([0-9][0-9]*\).*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

imap_cmd() { # COMMAND [FOLDER]: one IMAP command (curl's custom request); prints the untagged lines
	curl -sS --cacert "$DOVE_DIR/cert.pem" -u "$IMAP_USER:$IMAP_PASS" -X "$1" \
		"imaps://127.0.0.1:$IMAPS_PORT/${2:-}"
}

imap_count() { # FOLDER: messages in it
	imap_cmd "STATUS $1 (MESSAGES)" | sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'
}

imap_flagged() { # FOLDER FLAG: messages with FLAG
	imap_cmd "UID SEARCH KEYWORD $2" "$1" | tr ' ' '\n' | grep -c '^[0-9]'
}
