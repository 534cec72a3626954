/*
 * imap.h - IMAP mailboxes: a small client (src/watch/imap.c) and the
 * poller that archives their messages exactly once (src/watch/mailbox.c).
 *
 * The client stands on libcurl: libcurl opens the connection, does TLS
 * with the server's certificate verified by OpenSSL (implicit TLS, or
 * STARTTLS required), and logs in (SASL or LOGIN; the password never
 * leaves memory); folio then speaks IMAP4rev1 on that connection itself
 * (CURLOPT_CONNECT_ONLY, curl_easy_send/recv), because a message's header
 * fields and body arrive as literals ({n} and n bytes), which libcurl's
 * custom requests drop, and a body must stream to a file. One connection
 * per account, commands one at a time; IDLE (RFC 2177) to wait for new
 * mail where the account asks for it.
 *
 * Not thread-safe: one thread uses a connection.
 */
#ifndef FOLIO_IMAP_H
#define FOLIO_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "folio/archive.h"
#include "folio/config.h"
#include "folio/err.h"

struct folio_imap;

struct folio_imap_opts {
	const char *host;
	int port;	      /* 0: 993 for tls=yes, else 143 */
	const char *tls;      /* "yes" (implicit TLS), "starttls" or "no" */
	const char *user;     /* as the server knows it */
	const char *password; /* read from the account's password_file */
	const char *ca_file;  /* NULL: the system's CA certificates */
	int timeout_seconds;  /* connecting, and each wait for the server */
};

/*
 * Connect, secure and log in. NULL with err set when the server cannot be
 * reached, its certificate is not trusted, or the login is refused; the
 * message names the host and says which.
 */
struct folio_imap *folio_imap_connect(const struct folio_imap_opts *o, struct folio_err *err);

/* LOGOUT (best effort) and free. Accepts NULL. */
void folio_imap_close(struct folio_imap *c);

/* Bytes received from the server so far (TLS payload, after login). */
uint64_t folio_imap_bytes_in(const struct folio_imap *c);

/*
 * SELECT `folder` (read-write: the after-actions change it). Its
 * UIDVALIDITY into *uidvalidity and UIDNEXT into *uidnext (0 when the
 * server gives none). FOLIO_FAILED when the folder does not exist.
 */
int folio_imap_select(struct folio_imap *c, const char *folder, uint32_t *uidvalidity,
		      uint32_t *uidnext, struct folio_err *err);

/* The number of messages in the selected folder (its last EXISTS). */
uint32_t folio_imap_exists(const struct folio_imap *c);

/* One message as the server describes it without its body. Strings are
 * valid during the callback only. */
struct folio_imap_msg {
	uint32_t uid;
	uint64_t size;	     /* RFC822.SIZE */
	const char *from;    /* "name <a@b>" list, ", "-separated; "" when none */
	const char *to;	     /* To and Cc */
	const char *subject; /* RFC 2047 words decoded (UTF-8 and Latin-1 as
			      * UTF-8, other charsets' bytes as sent) */
	/* the parts that are not the message's text: their "type/subtype"
	 * and file name ("" when none), lower case */
	const char *const *part_types;
	const char *const *part_names;
	size_t nparts;
};

/*
 * Describe every message of the selected folder with a UID from
 * `from_uid` to `to_uid` (0: the last), in UID order, one at a time
 * (nothing accumulates: a folder of 10,000 messages takes the memory of
 * one). fn returns non-zero to stop (the rest of the response is read
 * and dropped).
 */
int folio_imap_scan(struct folio_imap *c, uint32_t from_uid, uint32_t to_uid,
		    int (*fn)(void *ctx, const struct folio_imap_msg *m), void *ctx,
		    struct folio_err *err);

/*
 * Write message `uid`'s bytes (BODY.PEEK[]: its \Seen flag stays as it
 * was) to `fd` as they arrive; *bytes gets their count. FOLIO_E_NOTFOUND
 * when the message is gone.
 */
int folio_imap_fetch(struct folio_imap *c, uint32_t uid, int fd, uint64_t *bytes,
		     struct folio_err *err);

/* After-actions on message `uid` of the selected folder, each harmless to
 * repeat: add flag `flag` (e.g. "$Archived", "\\Seen"); move it to
 * `folder` (UID MOVE, else COPY + \Deleted + UID EXPUNGE); delete it
 * (\Deleted + UID EXPUNGE of that UID alone). A UID no longer there is
 * not an error. */
int folio_imap_flag(struct folio_imap *c, uint32_t uid, const char *flag, struct folio_err *err);
int folio_imap_move(struct folio_imap *c, uint32_t uid, const char *folder, struct folio_err *err);
int folio_imap_delete(struct folio_imap *c, uint32_t uid, struct folio_err *err);

/* 1 when the server offers IDLE (RFC 2177; its CAPABILITY after login). */
int folio_imap_can_idle(const struct folio_imap *c);

enum { FOLIO_IMAP_NEWS = 1, FOLIO_IMAP_STOP = 2 };

/*
 * IDLE on the selected folder: wait until the server reports a change in
 * its message count (*woke = FOLIO_IMAP_NEWS), `stop_fd` (-1: none) is
 * readable (FOLIO_IMAP_STOP: a signalfd, say) or `seconds` pass (*woke =
 * 0; RFC 2177 asks a client to re-issue IDLE within 29 minutes), then
 * DONE and its tagged OK, so the connection is ready for the next
 * command. FOLIO_FAILED when the server lacks IDLE, refuses it or the
 * connection fails.
 */
int folio_imap_idle(struct folio_imap *c, int stop_fd, double seconds, int *woke,
		    struct folio_err *err);

/*
 * Folder names in IMAP's modified UTF-7 (RFC 3501 section 5.1.3): UTF-8
 * "Fatture/Società" is "Fatture/Societ&AOA-" on the wire. Each appends to
 * `out`; 0, or -1 when the input is not valid UTF-8 (encode) or not valid
 * modified UTF-7 (decode) or memory ran out.
 */
struct folio_strbuf;
int folio_imap_utf7_encode(const char *utf8, struct folio_strbuf *out);
int folio_imap_utf7_decode(const char *mutf7, struct folio_strbuf *out);

/* ---- the poller (src/watch/mailbox.c) -------------------------------- */

/* What one poll of one account did. */
struct folio_mail_report {
	const char *account, *host;
	size_t folders;
	size_t seen;	   /* new messages described by the server */
	size_t skipped;	   /* by the account's rules (never downloaded) */
	size_t downloaded; /* bodies fetched */
	size_t stored;	   /* messages whose documents committed */
	size_t nodoc;	   /* messages that gave no document (quarantined) */
	size_t actions;	   /* after-actions done */
	uint64_t bytes;	   /* received from the server */
	double seconds;
	int status; /* FOLIO_OK, or the failure below */
	const char *error;
};

struct folio_mail_opts {
	const char *only_account; /* NULL: every account */
	/* progress lines ("account: 120/10000 messages") */
	void (*on_progress)(void *arg, const char *line);
	/* once per account polled (with idle, once per poll) */
	void (*on_report)(void *arg, const struct folio_mail_report *r);
	void *arg;
	/* folio mail --idle: `only_account` is polled, then its first folder
	 * waited on by IMAP IDLE and polled again on news (every folder
	 * every poll_seconds), until stop_fd (a signalfd for SIGTERM, say) is
	 * readable: no new message is taken then, those in hand are
	 * finished, and the run returns FOLIO_OK. */
	int idle;
	int stop_fd; /* -1: none */
};

/*
 * `folio mail --once`: poll every account of cfg (or `only_account`)
 * once: for each folder, the messages above the highest UID handled
 * (headers and structure first; bodies only of messages that pass the
 * rules) go through the spool (ARCHIVE/spool/mail) and the pipeline; a
 * message is recorded stored once its documents committed, its
 * after-action runs then, and it is recorded done. Resumes what an
 * interrupted run left. FOLIO_OK when every account was polled,
 * FOLIO_FAILED when one could not be (each report says which and why),
 * FOLIO_FATAL when the archive failed. FOLIO_E_USAGE when there is no
 * such account.
 */
int folio_mail_run(struct folio_archive *arc, const struct folio_config *cfg,
		   const struct folio_mail_opts *opts, struct folio_err *err);

/* ---- polling from the daemon (src/watch/mailsched.c) ----------------- */

/*
 * `folio watch` polls the accounts beside the folders: each account
 * every `poll_seconds` (default 300) in a child process (`folio mail
 * --once --account NAME`, the running binary, the same archive and
 * config), one at a time, so that a slow or hung server never holds up
 * the inboxes and a poll's memory goes with its process. A failed poll
 * (server down, wrong password, untrusted certificate: the child says
 * which on stderr) is retried after 30 s, doubling up to poll_seconds.
 */
struct folio_mail_sched;

/* NULL when the config has no account (nothing to do; err untouched) or
 * on failure (err set). */
struct folio_mail_sched *folio_mail_sched_new(const struct folio_config *cfg,
					      const char *archive_dir, const char *config_path,
					      struct folio_err *err);

/*
 * Reap a finished poll, start a due one. `log` gets one line per start,
 * failure and back-off. With `once`, each account is polled once. Returns
 * seconds until the next call is useful.
 */
double folio_mail_sched_step(struct folio_mail_sched *s, int once,
			     void (*log)(void *arg, int failed, const char *line), void *arg);

/* 1 while a poll runs, or (once) an account has not been polled yet. */
int folio_mail_sched_busy(const struct folio_mail_sched *s, int once);

/* How many accounts' last poll failed (with once: could not be polled);
 * their names, ", "-separated, into `names` (truncated to `size`). */
size_t folio_mail_sched_failed(const struct folio_mail_sched *s, char *names, size_t size);

/* Stop a running poll (SIGTERM: it is crash-safe), wait for it, free. */
void folio_mail_sched_free(struct folio_mail_sched *s);

#endif
