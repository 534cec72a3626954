/*
 * daemon.c - the scanning-station daemon's loop: watcher → pipeline →
 * inbox file removed, moved to done/, or quarantined with its reason.
 * See folio_watch_run() in include/folio/pipeline.h.
 *
 * The ingest protocol (DESIGN.md, "Crash safety"):
 *   1. a settled inbox file gets a journal row 'received';
 *   2. the pipeline hashes it, stores the original (fsync) and commits the
 *      document rows in one transaction;
 *   3. only then is the inbox file removed (or moved), and the journal row
 *      settled.
 * A crash before 2 commits leaves the inbox file: the restart takes it
 * again. A crash after 2 and before 3 leaves the file too: the restart
 * finds the same bytes archived from the same path and finishes step 3
 * (recover_same_path) without a second document.
 */
#include "folio/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "folio/imap.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "folio/watch.h"

/* A file handed to the pipeline. */
struct inflight {
	struct inflight *next;
	long long journal_id;
	char *path;
	char *inbox;
	char *subdir;
};

/* A journal update that failed (the archive's disk was full): retried at
 * each heartbeat and at the end, so no row stays 'received'. */
struct unsettled_row {
	struct unsettled_row *next;
	long long id;
	char *state;
	long long documents, pages;
	char *reason, *moved_to;
};

struct loop {
	struct unsettled_row *retry_rows;
	struct folio_archive *arc;
	struct folio_config *cfg;
	struct folio_watcher *watcher;
	struct folio_mail_sched *mail; /* IMAP accounts' polls; NULL: none */
	struct inflight *inflight;
	size_t ninflight;
	char *quarantine_dir;
	size_t quarantined;
	int use_syslog;
	int journal;  /* stderr is journald's: "<N>" prefixes, no stamps */
	int max_prio; /* log_level: LOG_DEBUG .. LOG_ERR */
	int fatal;
	struct folio_err fatal_err;
	struct folio_strbuf names[2], text; /* log lines' escaped names and reasons */
};

/* ---- logging ------------------------------------------------------------ */

static void logf_(struct loop *l, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct loop *l, int prio, const char *fmt, ...)
{
	char msg[2048], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	if (prio > l->max_prio)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->use_syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	if (l->journal) {
		/* journald reads the priority from the prefix and stamps the
		 * line itself (sd-daemon(3)) */
		fprintf(stderr, "<%d>%s\n", prio, msg);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s\n", stamp, msg);
}

/* ---- systemd's notification protocol ------------------------------------ */

/*
 * sd_notify(3) without libsystemd: one datagram of "KEY=VALUE" lines to the
 * AF_UNIX socket NOTIFY_SOCKET names ('@' first: the abstract namespace).
 * Under Type=notify the service is "started" at READY=1, `systemctl
 * status` shows STATUS=, WATCHDOG=1 pets WatchdogSec=. Nothing happens
 * when NOTIFY_SOCKET is unset (not under systemd); failures are ignored,
 * as sd_notify's callers do.
 */
static void notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[512];
	size_t plen;
	socklen_t alen;
	va_list ap;
	int fd, n;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (plen = strlen(path)) >= sizeof(sa.sun_path))
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof(msg))
		return;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen) < 0) {
		/* systemd gone or the socket full: nothing to do about it */
	}
	close(fd);
}

/* The watchdog's interval in seconds, when systemd asks for one for this
 * process (WATCHDOG_USEC, WATCHDOG_PID absent or ours); 0 otherwise. */
static double watchdog_interval(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	double u;

	if (!usec || (pid && strtol(pid, NULL, 10) != (long)getpid()))
		return 0;
	u = strtod(usec, NULL);
	return u > 0 ? u / 1e6 : 0;
}

/* LOG_* for a log_level name. */
static int level_prio(const char *level)
{
	if (!level || !strcmp(level, "info"))
		return LOG_INFO;
	if (!strcmp(level, "debug"))
		return LOG_DEBUG;
	if (!strcmp(level, "warning"))
		return LOG_WARNING;
	return LOG_ERR;
}

/* Standard error is the journal's stream: JOURNAL_STREAM ("DEV:INO", set
 * by systemd for a service whose output goes to the journal) names it. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/*
 * A file name for a log line: quoted and escaped when it holds control
 * characters, quotes, backslashes or bytes that are not UTF-8, so that a
 * name never breaks the one-line-per-event log nor reaches a terminal raw.
 * Two names at once (slot 0 and 1); valid until the slot is used again.
 */
static const char *q(struct loop *l, int slot, const char *name)
{
	struct folio_strbuf *b = &l->names[slot & 1];

	folio_strbuf_reset(b);
	if (folio_strbuf_add_quoted(b, name) || !b->buf)
		return "(out of memory)";
	return b->buf;
}

/* Free text (a reason) on one line: controls escaped. */
static const char *esc(struct loop *l, const char *text)
{
	folio_strbuf_reset(&l->text);
	if (folio_strbuf_add_escaped(&l->text, text ? text : "") || !l->text.buf)
		return "(out of memory)";
	return l->text.buf;
}

static void on_result(void *arg, const struct folio_result *r)
{
	struct loop *l = arg;

	if (!strcmp(r->status, "quarantined") && r->stage && !strcmp(r->stage, "store"))
		logf_(l, LOG_ERR, "not stored, will retry %s: %s", q(l, 0, r->path),
		      esc(l, r->reason));
	else if (!strcmp(r->status, "quarantined"))
		logf_(l, LOG_WARNING, "quarantined %s: %s (stage %s, %.2f s)", q(l, 0, r->path),
		      esc(l, r->reason), r->stage ? r->stage : "?", r->seconds);
	else
		logf_(l, LOG_INFO,
		      "%s %lld %s (%d page%s, %s; %.2f s: read %.2f, decode+ocr %.2f,"
		      " extract %.3f, classify %.3f, store %.3f)%s%s",
		      r->status, r->id, q(l, 0, r->path), r->pages, r->pages == 1 ? "" : "s",
		      r->doc_type ? r->doc_type : "other", r->seconds, r->t_read, r->t_decode,
		      r->t_extract, r->t_classify, r->t_store, r->reason ? "; " : "",
		      r->reason ? esc(l, r->reason) : "");
}

/* ---- moving files --------------------------------------------------------- */

/*
 * Copy then remove, for a target on another file system. What is copied
 * is the inbox entry itself, never what it points to: a symbolic link
 * becomes the same link, a FIFO or socket the same kind of node.
 */
static int copy_move(const char *from, const char *to, struct folio_err *err)
{
	unsigned char *data = NULL;
	char target[PATH_MAX];
	size_t size;
	struct stat st;
	ssize_t n;
	int ret, fd;

	if (lstat(from, &st))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot move '%s': %s",
				     from, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		/* move_into() syncs the folder */
		if ((n = readlink(from, target, sizeof(target) - 1)) < 0)
			goto fail;
		target[n] = '\0';
		if (symlink(target, to))
			goto fail;
		ret = FOLIO_OK;
	} else if (!S_ISREG(st.st_mode)) {
		if (mknod(to, st.st_mode, st.st_rdev))
			goto fail;
		ret = FOLIO_OK;
	} else {
		if ((ret = folio_openat_regular(AT_FDCWD, from, &st, &fd, NULL, err)) != FOLIO_OK)
			goto out;
		ret = folio_read_fd(fd, from, UINT64_MAX, &data, &size, err);
		close(fd);
		if (ret == FOLIO_OK)
			ret = folio_write_file_atomic(to, data, size, 0640, err);
		free(data);
	}
	if (ret == FOLIO_OK && unlink(from))
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot remove '%s': %s",
				    from, strerror(errno));
	goto out;
fail:
	ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot move %s '%s' to '%s': %s",
			    folio_file_kind(st.st_mode), from, to, strerror(errno));
out:
	return ret;
}

static int write_reason(const char *moved_to, const char *original, const char *reasons,
			struct folio_err *err);

/*
 * Move `path` into folder `dir`/`subdir`, keeping its name, or NAME.1,
 * NAME.2 when taken. The new path goes to *out (caller frees). With
 * `reasons`, NAME.reason.txt is written first: a quarantined file never
 * shows up without its reason.
 */
static int move_into(const char *path, const char *dir, const char *subdir, char **out,
		     const char *reasons, struct folio_err *err)
{
	const char *base = strrchr(path, '/');
	char *folder = NULL, *target = NULL;
	struct stat st;
	int ret, i;

	base = base ? base + 1 : path;
	folder = *subdir ? folio_path_join(dir, subdir) : strdup(dir);
	if (!folder)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if ((ret = folio_mkdirs(folder, 0750, err)) != FOLIO_OK)
		goto out;
	for (i = 0; i < 10000; i++) {
		size_t n = strlen(folder) + strlen(base) + 16;

		free(target);
		if (!(target = malloc(n))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		if (i)
			snprintf(target, n, "%s/%s.%d", folder, base, i);
		else
			snprintf(target, n, "%s/%s", folder, base);
		if (lstat(target, &st) && errno == ENOENT)
			break;
	}
	if (reasons && (ret = write_reason(target, path, reasons, err)) != FOLIO_OK)
		goto out;
	if (rename(path, target)) {
		if (errno != EXDEV) {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
					    "cannot move '%s' to '%s': %s", path, target,
					    strerror(errno));
			goto unreason;
		}
		if ((ret = copy_move(path, target, err)) != FOLIO_OK)
			goto unreason;
	}
	ret = folio_fsync_dir(folder, err);
	*out = target;
	target = NULL;
	goto out;
unreason:
	/* the file stays where it was: no reason without its file */
	if (reasons) {
		char *rp = malloc(strlen(target) + 16);

		if (rp) {
			snprintf(rp, strlen(target) + 16, "%s.reason.txt", target);
			unlink(rp);
			free(rp);
		}
	}
out:
	free(folder);
	free(target);
	return ret;
}

/* What an operator should do about a quarantined file. */
static const char *advice(const char *reasons)
{
	if (strstr(reasons, "symbolic link"))
		return "folio does not follow links found in an inbox (the link was moved here, "
		       "what it points to was not read): put the file itself into the inbox, or "
		       "set follow_symlinks = yes for links to files inside the inbox";
	if (strstr(reasons, "not a regular file"))
		return "only regular files are read from an inbox (a FIFO, socket or device "
		       "was moved here unopened): put the document itself into the inbox";
	if (strstr(reasons, "encrypted"))
		return "remove the password (open it and print or export it to an unprotected "
		       "PDF) and put the result into the inbox again";
	if (strstr(reasons, "unsupported file type"))
		return "convert it to PDF, TIFF, PNG or JPEG (or check that it is a document at "
		       "all) and put the result into the inbox again";
	if (strstr(reasons, "empty file"))
		return "the file has no content: scan the paper again";
	if (strstr(reasons, "zip bomb") || strstr(reasons, "traversal") ||
	    strstr(reasons, "absolute archive entry") || strstr(reasons, "link entry"))
		return "the archive is unsafe to unpack automatically: check where it came from, "
		       "unpack the documents by hand and put them into the inbox";
	if (strstr(reasons, "max_"))
		return "the file exceeds a configured limit: if it is genuine, raise that limit "
		       "in folio.conf (folio watch reloads it on SIGHUP) and put it back";
	if (strstr(reasons, "corrupt") || strstr(reasons, "damaged") ||
	    strstr(reasons, "truncated") || strstr(reasons, "malformed"))
		return "the file is damaged: scan or export it again and put the new file into "
		       "the inbox";
	return "fix or replace the file and put it into the inbox again; folio takes it as new";
}

static int write_reason(const char *moved_to, const char *original, const char *reasons,
			struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char stamp[32], *path;
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	folio_strbuf_adds(&sb, "file:        ");
	folio_strbuf_add_quoted(&sb, original);
	folio_strbuf_addf(&sb, "\nquarantined: %s\n\nwhat failed:\n", stamp);
	folio_strbuf_adds(&sb, reasons);
	folio_strbuf_addf(&sb, "\nwhat to do:  %s.\n", advice(reasons));
	path = malloc(strlen(moved_to) + 16);
	if (!sb.buf || !path) {
		folio_strbuf_release(&sb);
		free(path);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	snprintf(path, strlen(moved_to) + 16, "%s.reason.txt", moved_to);
	ret = folio_write_file_atomic(path, sb.buf, sb.len, 0640, err);
	free(path);
	folio_strbuf_release(&sb);
	return ret;
}

/* ---- a file is settled: step 3 of the protocol ----------------------------- */

static void inflight_drop(struct loop *l, struct inflight *f)
{
	struct inflight **pp;

	for (pp = &l->inflight; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			l->ninflight--;
			break;
		}
	free(f->path);
	free(f->inbox);
	free(f->subdir);
	free(f);
}

static void settle_row(struct loop *l, long long id, const char *state, long long documents,
		       long long pages, const char *reason, const char *moved_to)
{
	struct folio_err err = { 0 };
	struct unsettled_row *u;

	if (folio_journal_settle(l->arc, id, state, documents, pages, reason, moved_to, &err) ==
	    FOLIO_OK)
		return;
	logf_(l, LOG_ERR, "journal: %s (will retry)", err.msg);
	if (!(u = calloc(1, sizeof(*u))))
		return;
	u->id = id;
	u->documents = documents;
	u->pages = pages;
	u->state = strdup(state);
	u->reason = reason ? strdup(reason) : NULL;
	u->moved_to = moved_to ? strdup(moved_to) : NULL;
	u->next = l->retry_rows;
	l->retry_rows = u;
}

static void retry_rows(struct loop *l, int final)
{
	struct unsettled_row **pp = &l->retry_rows;

	while (*pp) {
		struct unsettled_row *u = *pp;

		struct folio_err err = { 0 };

		if (folio_journal_settle(l->arc, u->id, u->state, u->documents, u->pages, u->reason,
					 u->moved_to, &err) != FOLIO_OK) {
			if (!final) {
				pp = &u->next;
				continue;
			}
			logf_(l, LOG_ERR, "journal entry %lld left unsettled: %s", u->id, err.msg);
		}
		*pp = u->next;
		free(u->state);
		free(u->reason);
		free(u->moved_to);
		free(u);
	}
}

static void on_source(void *arg, const struct folio_source_result *s)
{
	struct loop *l = arg;
	struct inflight *f = s->cookie;
	struct folio_err err = { 0 };
	const char *state;
	char *moved = NULL;
	struct stat st;
	int r = FOLIO_OK;

	if (lstat(f->path, &st) && errno == ENOENT) {
		/* deleted while queued: nothing to move, nothing lost by us */
		logf_(l, LOG_WARNING, "%s disappeared before it could be archived",
		      q(l, 0, f->path));
		state = "vanished";
	} else if (s->quarantined && strstr(s->reasons, "(stage: store)")) {
		/* the archive could not take it (disk full?): leave it, retry later */
		logf_(l, LOG_ERR, "%s stays in the inbox, to be retried: %s", q(l, 0, f->path),
		      esc(l, s->reasons));
		settle_row(l, f->journal_id, "retry", 0, 0, s->reasons, NULL);
		folio_watcher_forget(l->watcher, f->path);
		inflight_drop(l, f);
		return;
	} else if (s->quarantined) {
		state = "quarantined";
		r = move_into(f->path, l->quarantine_dir, f->subdir, &moved, s->reasons, &err);
		if (r != FOLIO_OK)
			logf_(l, LOG_ERR, "%s: cannot quarantine, left in the inbox: %s",
			      q(l, 0, f->path), esc(l, err.msg));
		else
			logf_(l, LOG_WARNING, "%s moved to %s", q(l, 0, f->path), q(l, 1, moved));
		l->quarantined++;
	} else {
		state = s->archived ? "archived" : "duplicate";
		if (l->cfg->done_dir)
			r = move_into(f->path, l->cfg->done_dir, f->subdir, &moved, NULL, &err);
		else if (unlink(f->path))
			r = folio_err_set(&err, FOLIO_FAILED, FOLIO_E_IO, errno,
					  "cannot remove '%s': %s", f->path, strerror(errno));
		if (r != FOLIO_OK)
			logf_(l, LOG_ERR, "%s is archived but stays in the inbox: %s",
			      q(l, 0, f->path), esc(l, err.msg));
	}
	settle_row(l, f->journal_id, state, (long long)(s->archived + s->duplicates),
		   (long long)s->pages, s->reasons, moved);
	folio_watcher_forget(l->watcher, f->path);
	free(moved);
	inflight_drop(l, f);
}

/* ---- the loop ----------------------------------------------------------------- */

static int is_inflight(struct loop *l, const char *path)
{
	struct inflight *f;

	for (f = l->inflight; f; f = f->next)
		if (!strcmp(f->path, path))
			return 1;
	return 0;
}

/* Tags from the folder below the inbox: "a/b" -> "a", "b". */
static size_t split_tags(char *subdir, const char **tags, size_t max)
{
	size_t n = 0;
	char *p = subdir, *slash;

	while (*p && n < max) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (*p)
			tags[n++] = p;
		if (!slash)
			break;
		p = slash + 1;
	}
	return n;
}

static int submit(struct loop *l, struct folio_pipeline *p, const struct folio_watch_file *wf,
		  struct folio_err *err)
{
	struct inflight *f = calloc(1, sizeof(*f));
	const char *tags[16];
	char *tagbuf = NULL;
	size_t ntags = 0;
	int ret;

	if (!f || !(f->path = strdup(wf->path)) || !(f->inbox = strdup(wf->inbox)) ||
	    !(f->subdir = strdup(wf->subdir)) || !(tagbuf = strdup(wf->subdir))) {
		if (f) {
			free(f->path);
			free(f->inbox);
			free(f->subdir);
		}
		free(f);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	if ((ret = folio_journal_received(l->arc, f->path, (long long)wf->size, &f->journal_id,
					  err)) != FOLIO_OK)
		goto fail;
	if (l->cfg->tag_subfolders)
		ntags = split_tags(tagbuf, tags, sizeof(tags) / sizeof(tags[0]));
	logf_(l, LOG_DEBUG, "taking %s (%lld bytes, settled; journal entry %lld)", q(l, 0, f->path),
	      (long long)wf->size, f->journal_id);
	/* found in the inbox: the symlink rule applies below it */
	if ((ret = folio_pipeline_submit(p, f->path, wf->inbox, tags, ntags, f, err)) != FOLIO_OK)
		goto fail;
	f->next = l->inflight;
	l->inflight = f;
	l->ninflight++;
	free(tagbuf);
	return FOLIO_OK;
fail:
	free(tagbuf);
	free(f->path);
	free(f->inbox);
	free(f->subdir);
	free(f);
	return ret;
}

static int start_watcher(struct loop *l, char **inboxes, size_t n, struct folio_err *err)
{
	struct folio_watch_opts wo = { 0 };
	const char *exclude[2];
	size_t nex = 0;

	exclude[nex++] = l->quarantine_dir;
	if (l->cfg->done_dir)
		exclude[nex++] = l->cfg->done_dir;
	wo.inboxes = (const char *const *)inboxes;
	wo.ninboxes = n;
	wo.backend = !strcmp(l->cfg->watch_backend, "poll")    ? FOLIO_WATCH_POLL :
		     !strcmp(l->cfg->watch_backend, "inotify") ? FOLIO_WATCH_INOTIFY :
								 FOLIO_WATCH_AUTO;
	wo.settle_seconds = l->cfg->settle_ms / 1000.0;
	wo.rescan_seconds = l->cfg->rescan_seconds;
	wo.poll_seconds = l->cfg->poll_ms / 1000.0;
	wo.exclude = exclude;
	wo.nexclude = nex;
	wo.follow_symlinks = l->cfg->follow_symlinks;
	folio_watcher_free(l->watcher);
	l->watcher = folio_watcher_new(&wo, err);
	return l->watcher ? FOLIO_OK : FOLIO_FAILED;
}

/* Only one daemon per archive: two would race for the same inbox files. */
static int take_lock(struct folio_archive *arc, int *fd, struct folio_err *err)
{
	char *path = folio_path_join(folio_archive_dir(arc), "watch.lock"), buf[32];
	ssize_t n;

	if (!path)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s", path,
			      strerror(errno));
		free(path);
		return FOLIO_FAILED;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		n = read(*fd, buf, sizeof(buf) - 1);
		/* the pid as written, on the message's one line */
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
			n--;
		buf[n > 0 ? n : 0] = '\0';
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
			      "another folio watch (pid %s) is running on this archive",
			      n > 0 ? buf : "?");
		close(*fd);
		*fd = -1;
		free(path);
		return FOLIO_FAILED;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) || write(*fd, buf, (size_t)n) != n) {
		/* the pid is informational */
	}
	free(path);
	return FOLIO_OK;
}

static char *join_inboxes(char **inboxes, size_t n)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			folio_strbuf_addch(&sb, ':');
		folio_strbuf_adds(&sb, inboxes[i]);
	}
	return folio_strbuf_detach(&sb);
}

/*
 * The inboxes to watch: the arguments, else the config's ':'-separated
 * list, as malloc'ed strings in *out (*n of them; *list holds the split
 * copy of the config's). FOLIO_FATAL when out of memory.
 */
static int inbox_list(const struct folio_config *cfg, char *const *args, size_t nargs, char ***out,
		      size_t *n, char **list, struct folio_err *err)
{
	char **inboxes, *save = NULL, *tok;
	size_t i;

	*n = 0;
	if (nargs) {
		if (!(inboxes = *out = calloc(nargs, sizeof(*inboxes))))
			goto nomem;
		for (i = 0; i < nargs; i++)
			if (!(inboxes[(*n)++] = strdup(args[i])))
				goto nomem;
	} else if (cfg->inboxes && *cfg->inboxes) {
		if (!(*list = strdup(cfg->inboxes)) ||
		    !(inboxes = *out = calloc(strlen(cfg->inboxes) / 2 + 2, sizeof(*inboxes))))
			goto nomem;
		for (tok = strtok_r(*list, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			if (*tok && !(inboxes[(*n)++] = strdup(tok)))
				goto nomem;
	}
	return FOLIO_OK;
nomem:
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

/* Files an earlier run had in hand are taken again; temp files it left in
 * the store go. FOLIO_FATAL when the journal cannot be read. */
static int recover(struct loop *l, struct folio_archive *arc, struct folio_err *err)
{
	long long n = folio_journal_recover(arc, err);

	if (n < 0)
		return FOLIO_FATAL;
	if (n)
		logf_(l, LOG_WARNING,
		      "an earlier run stopped with %lld file(s) in hand;"
		      " taking them again",
		      n);
	if ((n = folio_store_cleanup(arc)))
		logf_(l, LOG_WARNING, "removed %lld unfinished temp file(s) from the store", n);
	return FOLIO_OK;
}

/* SIGHUP: the watch settings of config_path apply now (OCR languages and
 * limits need a restart: the engines are loaded); a config that does not
 * load keeps the old settings. */
static void reload(struct loop *l, struct folio_config *cfg, const char *config_path,
		   char **inboxes, size_t ninboxes)
{
	struct folio_config ncfg;
	struct folio_err cerr = { 0 };

	if (!config_path) {
		logf_(l, LOG_INFO, "SIGHUP: no config file to reload");
		return;
	}
	notify("RELOADING=1");
	folio_config_defaults(&ncfg, &cerr);
	if (folio_config_load(&ncfg, config_path, &cerr) != FOLIO_OK) {
		logf_(l, LOG_ERR, "SIGHUP: %s; keeping the old settings", cerr.msg);
		folio_config_release(&ncfg);
		notify("READY=1");
		return;
	}
	cfg->settle_ms = ncfg.settle_ms;
	cfg->rescan_seconds = ncfg.rescan_seconds;
	cfg->poll_ms = ncfg.poll_ms;
	cfg->tag_subfolders = ncfg.tag_subfolders;
	cfg->max_queue = ncfg.max_queue;
	free(cfg->done_dir);
	cfg->done_dir = ncfg.done_dir;
	ncfg.done_dir = NULL;
	folio_config_release(&ncfg);
	if (start_watcher(l, inboxes, ninboxes, &cerr) != FOLIO_OK)
		logf_(l, LOG_ERR, "SIGHUP: %s", cerr.msg);
	else
		logf_(l, LOG_INFO, "SIGHUP: settings reloaded from %s", config_path);
	notify("READY=1");
}

/* The signals waiting on sfd: SIGHUP reloads, SIGTERM and SIGINT set
 * *stopping (the files in hand are finished, no more are taken). */
static void read_signals(struct loop *l, int sfd, struct folio_config *cfg, const char *config_path,
			 char **inboxes, size_t ninboxes, int *stopping)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(l, cfg, config_path, inboxes, ninboxes);
		} else if (!*stopping) {
			*stopping = 1;
			logf_(l, LOG_INFO, "%s: finishing %zu file(s) in hand, taking no more",
			      strsignal((int)si.ssi_signo), l->ninflight);
			notify("STOPPING=1\nSTATUS=finishing %zu file(s) in hand", l->ninflight);
		}
	}
}

/* Where the log goes: syslog, the journal (stderr under systemd, with
 * priorities), or plain stderr; and from which level. */
static void open_log(struct loop *l, const struct folio_config *cfg)
{
	l->use_syslog = !strcmp(cfg->log, "syslog");
	l->journal = !l->use_syslog && stderr_is_journal();
	l->max_prio = level_prio(cfg->log_level);
	if (l->use_syslog)
		openlog("folio", LOG_PID, LOG_DAEMON);
}

/* The pipeline with the loop's callbacks (opts must outlive it) and its
 * inboxes, each logged with its backend; into *pp. */
static int start_pipeline(struct loop *l, struct folio_ingest_opts *opts, char **inboxes,
			  size_t ninboxes, int once, struct folio_pipeline **pp,
			  struct folio_err *err)
{
	size_t i;

	opts->cfg = l->cfg;
	opts->on_result = on_result;
	opts->on_source = on_source;
	opts->arg = l;
	opts->recover_same_path = 1;
	if (!(*pp = folio_pipeline_new(l->arc, opts, err)))
		return FOLIO_FATAL;
	for (i = 0; i < ninboxes; i++) {
		int ir = folio_pipeline_add_inbox(*pp, inboxes[i], err);

		if (ir != FOLIO_OK && ir != FOLIO_WARN)
			return ir;
		logf_(l, LOG_INFO, "watching %s (%s)%s%s", inboxes[i],
		      folio_watcher_backend(l->watcher, i), once ? ", once" : "",
		      ir == FOLIO_OK ? ", with its own .folio.conf" : "");
	}
	return FOLIO_OK;
}

/* The heartbeat: rows that failed to write are retried, the daemon's row
 * in the archive (for `folio status`) and systemd's status (and watchdog)
 * are refreshed. */
static void beat(struct loop *l, struct folio_pipeline *p, double started, const char *joined,
		 int stopping, int watchdog)
{
	retry_rows(l, 0);
	folio_daemon_beat(l->arc, (long)getpid(), started, (long long)folio_pipeline_outstanding(p),
			  (long long)folio_watcher_unsettled(l->watcher), joined, NULL);
	notify("STATUS=%s%zu file(s) in the pipeline, %zu settling, %zu quarantined since start%s",
	       stopping ? "stopping: " : "", folio_pipeline_outstanding(p),
	       folio_watcher_unsettled(l->watcher), l->quarantined, watchdog ? "\nWATCHDOG=1" : "");
}

/* The quarantine (in the archive by default) is private to folio; a done
 * folder the operator's group may read. */
static int make_dirs(struct loop *l, struct folio_err *err)
{
	int ret = folio_mkdirs(l->quarantine_dir, 0700, err);

	if (ret == FOLIO_OK && l->cfg->done_dir)
		ret = folio_mkdirs(l->cfg->done_dir, 0750, err);
	return ret;
}

/* Signals arrive through a descriptor (*sfd) read in the loop, never
 * mid-write; they are blocked before the workers start so that these
 * inherit the mask (*old gets the mask to restore). */
static int signal_fd(sigset_t *old, int *sfd, struct folio_err *err)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, old);
	if ((*sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "signalfd: %s",
				     strerror(errno));
	return FOLIO_OK;
}

/* Files the watcher has ready go into the pipeline up to max_queue:
 * back-pressure, the rest waits in the inbox, not in memory. */
static int take_files(struct loop *l, struct folio_pipeline *p, struct folio_err *err)
{
	struct folio_watch_file wf;
	int ret;

	while (folio_pipeline_queued(p) < (size_t)l->cfg->max_queue &&
	       folio_watcher_take(l->watcher, &wf)) {
		if (is_inflight(l, wf.path))
			continue;
		if ((ret = submit(l, p, &wf, err)) != FOLIO_OK)
			return ret;
	}
	return FOLIO_OK;
}

/* What the loop waits on: the pipeline's results, the signals (always
 * pfd[1]) and, unless stopping, the watcher's events. Returns the count. */
static int poll_fds(struct loop *l, struct folio_pipeline *p, int sfd, int stopping,
		    struct pollfd *pfd)
{
	int nfd = 0;

	pfd[nfd].fd = folio_pipeline_fd(p);
	pfd[nfd++].events = POLLIN;
	pfd[nfd].fd = sfd;
	pfd[nfd++].events = POLLIN;
	if (!stopping && folio_watcher_fd(l->watcher) >= 0) {
		pfd[nfd].fd = folio_watcher_fd(l->watcher);
		pfd[nfd++].events = POLLIN;
	}
	return nfd;
}

static void mail_log(void *arg, int failed, const char *line)
{
	logf_(arg, failed ? LOG_WARNING : LOG_INFO, "%s", line);
}

/* The accounts' polls: started when due; the loop's wait is cut to the
 * next one. */
static double mail_step(struct loop *l, int once, int stopping, double timeout)
{
	double next;

	if (!l->mail || stopping)
		return timeout;
	next = folio_mail_sched_step(l->mail, once, mail_log, l);
	return next < timeout ? next : timeout;
}

/* The accounts' polls, when the config has accounts. */
static int start_mail(struct loop *l, const char *config_path, struct folio_err *err)
{
	l->mail = folio_mail_sched_new(l->cfg, folio_archive_dir(l->arc), config_path, err);
	return l->mail || !l->cfg->nmail_opts ? FOLIO_OK : FOLIO_FAILED;
}

/* Nothing in hand, and stopping, or (once) nothing left to do. */
static int all_done(struct loop *l, struct folio_pipeline *p, int once, int stopping)
{
	if (folio_pipeline_outstanding(p) || l->ninflight)
		return 0;
	return stopping || (once && !folio_watcher_unsettled(l->watcher) &&
			    !folio_mail_sched_busy(l->mail, once));
}

/* What the loop holds besides the watcher: files in flight, names. */
static void loop_release(struct loop *l)
{
	while (l->inflight)
		inflight_drop(l, l->inflight);
	free(l->quarantine_dir);
	folio_strbuf_release(&l->names[0]);
	folio_strbuf_release(&l->names[1]);
	folio_strbuf_release(&l->text);
}

int folio_watch_run(struct folio_archive *arc, struct folio_config *cfg, const char *config_path,
		    char *const *inbox_args, size_t ninbox_args, int once, size_t *quarantined,
		    size_t *mail_failed, struct folio_err *err)
{
	struct loop l = { .max_prio = LOG_INFO };
	struct folio_ingest_opts opts = { 0 };
	struct folio_pipeline *p = NULL;
	char **inboxes = NULL, *list = NULL, *joined = NULL;
	size_t ninboxes = 0, i;
	int sfd = -1, lockfd = -1, stopping = 0, ret = FOLIO_OK;
	double started = folio_now(), last_beat = 0, beat_every = 2.0, wd = watchdog_interval();
	sigset_t old;

	*quarantined = 0;
	*mail_failed = 0;
	l.arc = arc;
	l.cfg = cfg;
	/* the inboxes: arguments, else the config's list */
	if ((ret = inbox_list(cfg, inbox_args, ninbox_args, &inboxes, &ninboxes, &list, err)) !=
	    FOLIO_OK)
		goto out;
	if (!ninboxes) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				    "no inbox: name one (folio watch DIR) or set 'inboxes' in the"
				    " config");
		goto out;
	}
	l.quarantine_dir = cfg->quarantine_dir ?
				   strdup(cfg->quarantine_dir) :
				   folio_path_join(folio_archive_dir(arc), "quarantine");
	if (!l.quarantine_dir || !(joined = join_inboxes(inboxes, ninboxes)))
		goto nomem;
	if ((ret = make_dirs(&l, err)) != FOLIO_OK ||
	    (ret = take_lock(arc, &lockfd, err)) != FOLIO_OK)
		goto out;
	open_log(&l, cfg);
	if ((ret = recover(&l, arc, err)) != FOLIO_OK)
		goto out;

	if ((ret = signal_fd(&old, &sfd, err)) != FOLIO_OK)
		goto out;
	if ((ret = start_watcher(&l, inboxes, ninboxes, err)) != FOLIO_OK)
		goto out;
	if ((ret = start_pipeline(&l, &opts, inboxes, ninboxes, once, &p, err)) != FOLIO_OK ||
	    (ret = start_mail(&l, config_path, err)) != FOLIO_OK)
		goto out;
	/* systemd (Type=notify): started once the journal is recovered and
	 * the inboxes are watched; the watchdog is petted at half its time */
	if (wd > 0 && wd / 2 < beat_every)
		beat_every = wd / 2;
	notify("READY=1\nSTATUS=watching %zu inbox%s", ninboxes, ninboxes == 1 ? "" : "es");

	for (;;) {
		struct folio_watch_file wf;
		struct pollfd pfd[3];
		double timeout;
		int nfd;

		if (!stopping && folio_watcher_update(l.watcher, err) == FOLIO_WARN)
			logf_(&l, LOG_WARNING, "%s", err->msg);
		if (!stopping && (ret = take_files(&l, p, err)) != FOLIO_OK)
			goto out;
		if ((ret = folio_pipeline_step(p, 0, err)) != FOLIO_OK)
			goto out;
		if (folio_now() - last_beat >= beat_every) {
			last_beat = folio_now();
			beat(&l, p, started, joined, stopping, wd > 0);
		}
		timeout = mail_step(&l, once, stopping, beat_every);
		if (all_done(&l, p, once, stopping)) {
			/* complete files may still wait behind the back-pressure */
			if (!stopping && folio_watcher_take(l.watcher, &wf)) {
				if (!is_inflight(&l, wf.path) &&
				    (ret = submit(&l, p, &wf, err)) != FOLIO_OK)
					goto out;
				continue;
			}
			break;
		}

		nfd = poll_fds(&l, p, sfd, stopping, pfd);
		/* at most beat_every: the heartbeat (and the watchdog) */
		timeout = stopping ? 1.0 : fmin(timeout, folio_watcher_timeout(l.watcher));
		if (folio_pipeline_queued(p) < (size_t)cfg->max_queue && !stopping &&
		    folio_watcher_take(l.watcher, &wf)) {
			/* a file became ready during the step: take it now */
			if (!is_inflight(&l, wf.path) &&
			    (ret = submit(&l, p, &wf, err)) != FOLIO_OK)
				goto out;
			continue;
		}
		poll(pfd, (nfds_t)nfd, (int)(timeout * 1000) + 1);
		if (pfd[1].revents & POLLIN)
			read_signals(&l, sfd, cfg, config_path, inboxes, ninboxes, &stopping);
	}
	logf_(&l, LOG_INFO, "stopped; %zu file(s) quarantined", l.quarantined);
	if (once && l.mail) {
		char names[512];

		if ((*mail_failed = folio_mail_sched_failed(l.mail, names, sizeof(names))))
			logf_(&l, LOG_ERR, "mail: %zu account(s) could not be polled: %s",
			      *mail_failed, names);
	}
	goto out;
nomem:
	ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
out:
	folio_mail_sched_free(l.mail);
	folio_pipeline_free(p);
	retry_rows(&l, 1);
	folio_daemon_gone(arc, (long)getpid());
	folio_watcher_free(l.watcher);
	if (sfd >= 0) {
		close(sfd);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (lockfd >= 0)
		close(lockfd);
	if (l.use_syslog)
		closelog();
	for (i = 0; i < ninboxes; i++)
		free(inboxes[i]);
	free(inboxes);
	free(list);
	free(joined);
	loop_release(&l);
	*quarantined = l.quarantined;
	return ret;
}
