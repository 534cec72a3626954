/*
 * mailbox.c - IMAP accounts polled into the archive, each message once.
 * See folio_mail_run() in include/folio/imap.h.
 *
 * The protocol for one message (DESIGN.md's, with the server as inbox):
 *   1. its description (envelope, structure) is checked against the
 *      account's rules; a message they exclude is recorded 'skipped' and
 *      never downloaded;
 *   2. its bytes stream into the spool (ARCHIVE/spool/mail/ACCOUNT/FOLDER/
 *      UIDVALIDITY-UID.eml: temp file, fsync, rename) and it is recorded
 *      'downloaded' with their sha256 (the folder's highest UID handled
 *      moves in the same transaction);
 *   3. the pipeline reads the file (message and attachments become
 *      documents; the same bytes again are a duplicate) and commits;
 *      only then is it recorded 'stored' ('nodoc' when nothing of it could
 *      be archived: remembered, never downloaded again);
 *   4. the after-action (flag, move, delete; each harmless to repeat)
 *      runs, the spool file goes, and it is recorded 'done'.
 * A crash anywhere leaves a row that the next run finishes: 'downloaded'
 * goes through the pipeline again from the spool (or the server), where a
 * committed document comes back as a duplicate (never twice), 'stored'
 * runs its after-action. A new UIDVALIDITY starts the folder over; what
 * was archived comes back as duplicates.
 */
#include "folio/imap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

#define BATCH 500	 /* UIDs described per FETCH */
#define MAX_TAGS 16	 /* an account's tags */
#define MAX_RULES 32	 /* patterns per rule */
#define MAX_TAG_RULES 32 /* tag_rule lines of an account (a bit each) */
#define MAX_FOLDERS 64	 /* folders of an account */
#define IDLE_MAX 1500.0	 /* IDLE re-issued within 25 minutes (RFC 2177: 29) */

struct account {
	const char *name, *host, *tls, *user, *password_file, *ca_file, *after;
	int port, timeout;
	char *folders, *from, *to, *subject, *types, *tags; /* copies, split in place */
	const char *tagv[MAX_TAGS + 1];			    /* + the folder's name (tag_folders) */
	size_t ntags;
	int tag_folders;
	const char *tag_rules[MAX_TAG_RULES]; /* "KEY:PATTERNS -> TAGS" */
	size_t ntag_rules;
	const char *folderv[MAX_FOLDERS]; /* folders, split */
	size_t nfolders;
	double poll_seconds;
	int idle; /* idle = yes */
};

/* A message handed to the pipeline. */
struct pending {
	uint32_t uid;
	uint32_t tag_rules; /* as struct todo's */
	char *path;
	int done;
};

struct poll {
	struct folio_archive *arc;
	const struct folio_config *cfg;
	const struct folio_mail_opts *opts;
	struct account *a;
	struct folio_imap *imap;
	struct folio_pipeline *pipe;
	const char *folder;
	char *spool; /* ARCHIVE/spool/mail/ACCOUNT/FOLDER */
	uint32_t uidvalidity;
	struct folio_mail_report rep;
	int fatal;
	struct folio_err err; /* the first failure */
	/* a batch of messages in UID order: downloaded, or recorded skipped
	 * (in order: the highest UID handled never passes one not handled) */
	struct todo {
		uint32_t uid;
		const char *skip; /* the rule that excludes it, or NULL */
		long long size;
		uint32_t tag_rules; /* bit i: tag_rules[i] matched */
	} * fetch;
	size_t nfetch;
};

/* ---- accounts from the config -------------------------------------------- */

static const char *opt(const struct folio_config *cfg, const char *name, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < cfg->nmail_opts; i++)
		if (!strcmp(cfg->mail_opts[i].profile, name) && !strcmp(cfg->mail_opts[i].key, key))
			v = cfg->mail_opts[i].value;
	return v;
}

static int loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

static void account_free(struct account *a)
{
	if (!a)
		return;
	free(a->folders);
	free(a->from);
	free(a->to);
	free(a->subject);
	free(a->types);
	free(a->tags);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Account `name` of cfg, checked: host, user and password_file set; TLS
 * off only to a loopback address. */
static int account_load(const struct folio_config *cfg, const char *name, struct account *a,
			struct folio_err *err)
{
	const char *v;
	char *save = NULL, *t;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->host = opt(cfg, name, "host");
	a->user = opt(cfg, name, "user");
	a->password_file = opt(cfg, name, "password_file");
	a->tls = (v = opt(cfg, name, "tls")) ? v : "yes";
	a->ca_file = opt(cfg, name, "ca_file");
	a->after = (v = opt(cfg, name, "after")) ? v : "none";
	a->port = (v = opt(cfg, name, "port")) ? atoi(v) : 0;
	a->timeout = (v = opt(cfg, name, "timeout_seconds")) ? atoi(v) : 60;
	if (!a->host || !a->user || !a->password_file)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "[account %s] needs host, user and password_file", name);
	if (!strcmp(a->tls, "no") && !loopback(a->host))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "[account %s]: tls = no is only allowed for a loopback"
				     " address, not '%s' (use yes or starttls)",
				     name, a->host);
	a->folders = strdup((v = opt(cfg, name, "folders")) ? v : "INBOX");
	a->from = dup_or_null(opt(cfg, name, "from"));
	a->to = dup_or_null(opt(cfg, name, "to"));
	a->subject = dup_or_null(opt(cfg, name, "subject"));
	a->types = dup_or_null(opt(cfg, name, "attachment_types"));
	a->tags = dup_or_null(opt(cfg, name, "tags"));
	if (!a->folders)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	a->tag_folders = (v = opt(cfg, name, "tag_folders")) && !strcmp(v, "yes");
	a->idle = (v = opt(cfg, name, "idle")) && !strcmp(v, "yes");
	a->poll_seconds = (v = opt(cfg, name, "poll_seconds")) ? atof(v) : 300;
	for (t = strtok_r(a->folders, " ,", &save); t && a->nfolders < MAX_FOLDERS;
	     t = strtok_r(NULL, " ,", &save))
		a->folderv[a->nfolders++] = t;
	save = NULL;
	for (t = a->tags ? strtok_r(a->tags, " ,", &save) : NULL; t && a->ntags < MAX_TAGS;
	     t = strtok_r(NULL, " ,", &save))
		a->tagv[a->ntags++] = t;
	for (size_t i = 0; i < cfg->nmail_opts && a->ntag_rules < MAX_TAG_RULES; i++)
		if (!strcmp(cfg->mail_opts[i].profile, name) &&
		    !strcmp(cfg->mail_opts[i].key, "tag_rule"))
			a->tag_rules[a->ntag_rules++] = cfg->mail_opts[i].value;
	return FOLIO_OK;
}

/*
 * The password: the first line of the account's password_file, which
 * must be a regular file nobody but its owner may read (never in argv,
 * the config or a log).
 */
static int read_password(const struct account *a, char *pw, size_t n, struct folio_err *err)
{
	struct stat st;
	ssize_t got;
	int fd = open(a->password_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, errno,
				     "[account %s]: cannot open password_file '%s': %s", a->name,
				     a->password_file, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "[account %s]: password_file '%s' must be a regular file"
				     " only its owner can read (chmod 600)",
				     a->name, a->password_file);
	}
	got = read(fd, pw, n - 1);
	close(fd);
	if (got < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, errno,
				     "[account %s]: cannot read password_file: %s", a->name,
				     strerror(errno));
	pw[got] = '\0';
	pw[strcspn(pw, "\r\n")] = '\0';
	return FOLIO_OK;
}

/* ---- rules ------------------------------------------------------------------- */

/* 1 when one of the comma-separated glob patterns (case ignored) matches. */
static int any_match(const char *patterns, const char *text)
{
	char pat[512];
	const char *p = patterns;

	while (*p) {
		size_t n = strcspn(p, ",");

		while (n && isspace((unsigned char)*p))
			p++, n--;
		if (n && n < sizeof(pat)) {
			size_t k = n;

			memcpy(pat, p, n);
			while (k && isspace((unsigned char)pat[k - 1]))
				k--;
			pat[k] = '\0';
			if (k && !fnmatch(pat, text, FNM_CASEFOLD))
				return 1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* An address rule: a pattern matches the whole list or one <address>. */
static int addr_match(const char *patterns, const char *list)
{
	const char *lt = list;
	char addr[320];

	if (any_match(patterns, list))
		return 1;
	while ((lt = strchr(lt, '<'))) {
		size_t n = strcspn(++lt, ">");

		if (n < sizeof(addr)) {
			memcpy(addr, lt, n);
			addr[n] = '\0';
			if (any_match(patterns, addr))
				return 1;
		}
		lt += n;
	}
	return 0;
}

/* A part's type ("application/pdf"), subtype ("pdf") or file name
 * extension ("fattura.xml.p7m": "p7m") is one of the listed types. */
static int type_match(const char *types, const char *type, const char *name)
{
	const char *sub = strchr(type, '/'), *dot = strrchr(name, '.');
	char pat[96];

	if (any_match(types, type) || (sub && any_match(types, sub + 1)))
		return 1;
	if (dot && strlen(dot + 1) < sizeof(pat) - 4) {
		snprintf(pat, sizeof(pat), "%s", dot + 1);
		return any_match(types, pat);
	}
	return 0;
}

/* NULL when the message passes the account's rules, else why not. */
static const char *rules_skip(const struct account *a, const struct folio_imap_msg *m)
{
	size_t i;

	if (a->from && !addr_match(a->from, m->from))
		return "from";
	if (a->to && !addr_match(a->to, m->to))
		return "to";
	if (a->subject && !any_match(a->subject, m->subject))
		return "subject";
	if (a->types) {
		for (i = 0; i < m->nparts; i++)
			if (type_match(a->types, m->part_types[i], m->part_names[i]))
				return NULL;
		return "attachment_types";
	}
	return NULL;
}

/* 1 when tag rule `rule` ("KEY:PATTERNS -> TAGS", checked by the config)
 * matches message m of `folder`. */
static int tag_rule_match(const char *rule, const struct folio_imap_msg *m, const char *folder)
{
	const char *colon = strchr(rule, ':'), *arrow = strstr(rule, "->");
	char pat[1024];
	size_t k, i;

	if (!colon || !arrow || arrow < colon || (size_t)(arrow - colon) >= sizeof(pat))
		return 0;
	k = (size_t)(colon - rule);
	memcpy(pat, colon + 1, (size_t)(arrow - colon - 1));
	pat[arrow - colon - 1] = '\0';
	if (!strncmp(rule, "from", k))
		return addr_match(pat, m->from);
	if (!strncmp(rule, "to", k))
		return addr_match(pat, m->to);
	if (!strncmp(rule, "subject", k))
		return any_match(pat, m->subject);
	if (!strncmp(rule, "folder", k))
		return any_match(pat, folder);
	for (i = 0; i < m->nparts; i++)
		if (type_match(pat, m->part_types[i], m->part_names[i]))
			return 1;
	return 0;
}

static uint32_t tag_rules_of(const struct account *a, const struct folio_imap_msg *m,
			     const char *folder)
{
	uint32_t bits = 0;
	size_t i;

	for (i = 0; i < a->ntag_rules; i++)
		if (tag_rule_match(a->tag_rules[i], m, folder))
			bits |= 1u << i;
	return bits;
}

/* ---- one message ---------------------------------------------------------------- */

/* 1 once asked to stop (opts->stop_fd readable): no new message is
 * taken, those in hand are finished. */
static int stopping(struct poll *p)
{
	struct pollfd pfd = { .fd = p->opts->stop_fd, .events = POLLIN };

	if (p->opts->stop_fd < 0 || !p->opts->idle)
		return 0;
	return poll(&pfd, 1, 0) > 0;
}

static void progress(struct poll *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress(struct poll *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!p->opts->on_progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->opts->on_progress(p->opts->arg, line);
}

static char *spool_path(struct poll *p, uint32_t uid, const char *suffix)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	folio_strbuf_addf(&sb, "%s/%u-%u.eml%s", p->spool, p->uidvalidity, uid, suffix);
	return folio_strbuf_detach(&sb);
}

static int record(struct poll *p, uint32_t uid, const char *state, const char *sha, long long size,
		  const char *reason)
{
	struct folio_err err = { 0 };

	if (folio_mail_message(p->arc, p->a->name, p->folder, p->uidvalidity, uid, state, sha, size,
			       reason, &err) == FOLIO_OK)
		return FOLIO_OK;
	if (!p->fatal) {
		p->err = err;
		p->fatal = 1;
	}
	return FOLIO_FATAL;
}

/* The after-action, the spool file gone, the message 'done'. */
static int after(struct poll *p, uint32_t uid)
{
	const char *act = p->a->after;
	char *path = spool_path(p, uid, "");
	int ret = FOLIO_OK;

	if (!strncmp(act, "flag", 4))
		ret = folio_imap_flag(p->imap, uid, act[4] == ':' ? act + 5 : "$Archived", &p->err);
	else if (!strncmp(act, "move:", 5))
		ret = folio_imap_move(p->imap, uid, act + 5, &p->err);
	else if (!strcmp(act, "delete"))
		ret = folio_imap_delete(p->imap, uid, &p->err);
	if (ret != FOLIO_OK) {
		free(path);
		return ret;
	}
	if (strcmp(act, "none"))
		p->rep.actions++;
	if (path)
		unlink(path);
	free(path);
	return record(p, uid, "done", NULL, -1, NULL);
}

static void on_source(void *arg, const struct folio_source_result *s)
{
	struct poll *p = arg;
	struct pending *m = s->cookie;

	m->done = 1;
	if (p->fatal)
		return;
	if (s->quarantined && strstr(s->reasons, "(stage: store)")) {
		/* the archive could not take it: stays 'downloaded', retried */
		if (!p->fatal) {
			folio_err_set(&p->err, FOLIO_FAILED, FOLIO_E_IO, 0, "%s", s->reasons);
			p->fatal = 1;
		}
		return;
	}
	if (!s->archived && !s->duplicates) {
		p->rep.nodoc++;
		if (record(p, m->uid, "nodoc", NULL, -1, s->reasons) == FOLIO_OK)
			unlink(m->path);
		return;
	}
	p->rep.stored++;
	if (record(p, m->uid, "stored", NULL, -1, *s->reasons ? s->reasons : NULL) != FOLIO_OK)
		return;
	if (after(p, m->uid) != FOLIO_OK && !p->fatal)
		p->fatal = 1;
}

/* sha256 of the file at fd (read back from the start). */
static int hash_fd(int fd, char hex[65])
{
	struct folio_sha256 h;
	char buf[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	folio_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		folio_sha256_update(&h, buf, (size_t)n);
	if (n < 0)
		return -1;
	folio_sha256_final_hex(&h, hex);
	return 0;
}

/* Step 2: the message's bytes into the spool, recorded 'downloaded'. */
static int download(struct poll *p, uint32_t uid, char **out, struct folio_err *err)
{
	char *tmp = spool_path(p, uid, ".part"), *path = spool_path(p, uid, ""), hex[65];
	uint64_t bytes = 0;
	int fd = -1, ret = FOLIO_FATAL;

	if (!tmp || !path)
		goto out;
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_IO, errno, "cannot write '%s': %s",
				    tmp, strerror(errno));
		goto out;
	}
	if ((ret = folio_imap_fetch(p->imap, uid, fd, &bytes, err)) != FOLIO_OK)
		goto out;
	if (fsync(fd) || hash_fd(fd, hex) || rename(tmp, path)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_IO, errno, "cannot write '%s': %s",
				    path, strerror(errno));
		goto out;
	}
	if ((ret = folio_fsync_dir(p->spool, err)) != FOLIO_OK)
		goto out;
	p->rep.downloaded++;
	if ((ret = record(p, uid, "downloaded", hex, (long long)bytes, NULL)) != FOLIO_OK) {
		*err = p->err;
		goto out;
	}
	*out = path;
	path = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	return ret;
}

/* Step 3: the spool file into the pipeline; waits for it when the
 * pipeline has enough in hand. */
static int submit(struct poll *p, struct pending *m, struct folio_err *err)
{
	const char *tagv[MAX_TAGS + 1 + 64];
	size_t ntags = p->a->ntags, i;
	char source[1024], rtags[2048], *save = NULL, *t;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	int ret;

	memcpy(tagv, p->a->tagv, ntags * sizeof(*tagv));
	if (p->a->tag_folders)
		tagv[ntags++] = p->folder;
	/* the tags of the tag rules it matched */
	for (i = 0; i < p->a->ntag_rules; i++)
		if (m->tag_rules & (1u << i))
			folio_strbuf_addf(&sb, "%s,", strstr(p->a->tag_rules[i], "->") + 2);
	snprintf(rtags, sizeof(rtags), "%s", sb.buf ? sb.buf : "");
	folio_strbuf_release(&sb);
	for (t = strtok_r(rtags, " ,", &save); t && ntags < sizeof(tagv) / sizeof(*tagv);
	     t = strtok_r(NULL, " ,", &save))
		tagv[ntags++] = t;
	/* where its documents came from (RFC 5092's URL, the account's name
	 * for the server) */
	snprintf(source, sizeof(source), "imap://%s/%s;UIDVALIDITY=%u/;UID=%u", p->a->name,
		 p->folder, p->uidvalidity, m->uid);
	ret = folio_pipeline_submit_field(p->pipe, m->path, p->spool, tagv, ntags, "mail_source",
					  source, m, err);
	if (ret != FOLIO_OK)
		return ret;
	while (folio_pipeline_outstanding(p->pipe) > (size_t)folio_config_workers(p->cfg) * 2)
		if ((ret = folio_pipeline_step(p->pipe, 0.2, err)) != FOLIO_OK)
			return ret;
	return FOLIO_OK;
}

/* ---- one folder ---------------------------------------------------------------- */

/* The pipeline finishes what it has; the batch's messages are freed. */
static int drain(struct poll *p, struct pending *v, size_t n, struct folio_err *err)
{
	int ret = folio_pipeline_drain(p->pipe, err);
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	if (ret == FOLIO_OK && p->fatal) {
		/* err is NULL after a failure of the batch's own (the first
		 * failure stays the one reported) */
		if (err)
			*err = p->err;
		ret = FOLIO_FAILED;
	}
	return ret;
}

/* Download and submit the batch's messages (p->fetch). */
static int run_batch(struct poll *p, struct folio_err *err)
{
	struct pending *v = calloc(p->nfetch ? p->nfetch : 1, sizeof(*v));
	size_t i, n = 0;
	int ret = FOLIO_OK;

	if (!v)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	for (i = 0; i < p->nfetch && ret == FOLIO_OK && !p->fatal && !stopping(p); i++) {
		struct todo *t = &p->fetch[i];

		if (t->skip) {
			char reason[64];

			snprintf(reason, sizeof(reason), "rule: %s", t->skip);
			p->rep.skipped++;
			ret = record(p, t->uid, "skipped", NULL, t->size, reason);
			continue;
		}
		v[n].uid = t->uid;
		v[n].tag_rules = t->tag_rules;
		if (!(v[n].path = spool_path(p, t->uid, "")))
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
		else if (t->size != -2 || access(v[n].path, R_OK)) {
			/* new, or resumed without its spool file: from the server */
			free(v[n].path);
			v[n].path = NULL;
			ret = download(p, t->uid, &v[n].path, err);
		}
		if (ret == FOLIO_FAILED && err->kind == FOLIO_E_NOTFOUND) {
			/* expunged meanwhile: nothing to archive, never asked again */
			ret = record(p, t->uid, "nodoc", NULL, -1, "gone from the server");
			continue;
		}
		if (ret == FOLIO_OK && (ret = submit(p, &v[n], err)) == FOLIO_OK)
			n++;
		else if (ret == FOLIO_OK)
			free(v[n].path);
		/* a long first sync shows where it is between batches */
		if (ret == FOLIO_OK && p->rep.downloaded && p->rep.downloaded % 100 == 0 &&
		    t->size != -2)
			progress(p, "%s/%s: %zu downloaded, %zu stored (the folder holds %u)",
				 p->a->name, p->folder, p->rep.downloaded, p->rep.stored,
				 folio_imap_exists(p->imap));
	}
	if (ret == FOLIO_OK)
		ret = drain(p, v, n, err);
	else
		drain(p, v, n, NULL);
	free(v);
	p->nfetch = 0;
	return ret;
}

static int on_msg(void *ctx, const struct folio_imap_msg *m)
{
	struct poll *p = ctx;
	struct todo *t;

	if (p->nfetch >= BATCH)
		return 1;
	p->rep.seen++;
	t = &p->fetch[p->nfetch++];
	t->uid = m->uid;
	t->skip = rules_skip(p->a, m);
	t->tag_rules = t->skip ? 0 : tag_rules_of(p->a, m, p->folder);
	t->size = (long long)m->size;
	/* a batch is full: the rest waits for the next FETCH */
	return p->nfetch >= BATCH;
}

struct unfinished {
	uint32_t uid;
	char state[16];
	char sha[65];
};

struct unfinished_list {
	struct unfinished *v;
	size_t n, cap;
};

static int collect(void *ctx, uint32_t uid, const char *state, const char *sha)
{
	struct unfinished_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct unfinished *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return 1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].uid = uid;
	snprintf(l->v[l->n].state, sizeof(l->v[l->n].state), "%s", state ? state : "");
	snprintf(l->v[l->n].sha, sizeof(l->v[l->n].sha), "%s", sha ? sha : "");
	l->n++;
	return 0;
}

/* What an earlier run left: 'stored' gets its after-action, 'downloaded'
 * goes through the pipeline again (a committed document comes back as a
 * duplicate). */
static int resume(struct poll *p, struct folio_err *err)
{
	struct unfinished_list l = { 0 };
	size_t i;
	int ret;

	if ((ret = folio_mail_unfinished(p->arc, p->a->name, p->folder, p->uidvalidity, collect, &l,
					 err)) != FOLIO_OK)
		goto out;
	if (l.n)
		progress(p, "%s/%s: finishing %zu message(s) an earlier run left", p->a->name,
			 p->folder, l.n);
	for (i = 0; i < l.n && ret == FOLIO_OK; i++) {
		if (!strcmp(l.v[i].state, "stored")) {
			if ((ret = after(p, l.v[i].uid)) != FOLIO_OK && !p->fatal)
				*err = p->err;
			continue;
		}
		p->fetch[p->nfetch].uid = l.v[i].uid;
		p->fetch[p->nfetch].skip = NULL;
		p->fetch[p->nfetch].tag_rules = 0;
		p->fetch[p->nfetch++].size = -2; /* from the spool when there */
		if (p->nfetch == BATCH)
			ret = run_batch(p, err);
	}
	if (ret == FOLIO_OK && p->nfetch)
		ret = run_batch(p, err);
out:
	free(l.v);
	return ret;
}

/* ARCHIVE/spool/mail/ACCOUNT/FOLDER ('/' and odd bytes in FOLDER as %XX). */
static int make_spool(struct poll *p, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *f;

	folio_strbuf_addf(&sb, "%s/spool/mail/%s/", folio_archive_dir(p->arc), p->a->name);
	for (f = p->folder; *f; f++)
		if (isalnum((unsigned char)*f) || *f == '-' || *f == '_' ||
		    (*f == '.' && f != p->folder))
			folio_strbuf_addch(&sb, *f);
		else
			folio_strbuf_addf(&sb, "%%%02X", (unsigned char)*f);
	free(p->spool);
	if (!(p->spool = folio_strbuf_detach(&sb)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return folio_mkdirs(p->spool, 0700, err);
}

static int poll_folder(struct poll *p, const char *folder, struct folio_err *err)
{
	uint32_t v, next, known, last, from;
	int ret;

	p->folder = folder;
	if ((ret = folio_imap_select(p->imap, folder, &v, &next, err)) != FOLIO_OK ||
	    (ret = folio_mail_folder(p->arc, p->a->name, folder, &known, &last, err)) != FOLIO_OK)
		return ret;
	if (known != v) {
		if (known)
			progress(p, "%s/%s: UIDVALIDITY changed (%u -> %u): scanning again",
				 p->a->name, folder, known, v);
		if ((ret = folio_mail_folder_reset(p->arc, p->a->name, folder, v, err)) != FOLIO_OK)
			return ret;
		last = 0;
	}
	p->uidvalidity = v;
	p->rep.folders++;
	if (!next || next > last + 1)
		progress(p, "%s/%s: %u message(s) in the folder; new ones from UID %u", p->a->name,
			 folder, folio_imap_exists(p->imap), last + 1);
	if ((ret = make_spool(p, err)) != FOLIO_OK || (ret = resume(p, err)) != FOLIO_OK)
		return ret;
	for (from = last + 1; !next || from < next;) {
		uint32_t to = next && next - from <= BATCH ? next - 1 : next ? from + BATCH - 1 : 0;

		uint32_t last_seen = 0;
		int full;

		if ((ret = folio_imap_scan(p->imap, from, to, on_msg, p, err)) != FOLIO_OK)
			return ret;
		full = p->nfetch >= BATCH;
		if (p->nfetch)
			last_seen = p->fetch[p->nfetch - 1].uid;
		if ((ret = run_batch(p, err)) != FOLIO_OK)
			return ret;
		progress(p, "%s/%s: %zu message(s) seen, %zu downloaded, %zu skipped", p->a->name,
			 folder, p->rep.seen, p->rep.downloaded, p->rep.skipped);
		if ((!to && !full) || stopping(p))
			break;
		from = to ? to + 1 : last_seen + 1;
	}
	return FOLIO_OK;
}

/* ---- accounts ---------------------------------------------------------------------- */

static int connect_account(struct poll *p, struct folio_err *err)
{
	struct folio_imap_opts o = { 0 };
	char pw[1024];
	int ret;

	if ((ret = read_password(p->a, pw, sizeof(pw), err)) != FOLIO_OK)
		return ret;
	o.host = p->a->host;
	o.port = p->a->port;
	o.tls = p->a->tls;
	o.user = p->a->user;
	o.password = pw;
	o.ca_file = p->a->ca_file;
	o.timeout_seconds = p->a->timeout;
	p->imap = folio_imap_connect(&o, err);
	memset(pw, 0, sizeof(pw));
	return p->imap ? FOLIO_OK : FOLIO_FAILED;
}

/* Every folder of the account, on the open connection. */
static int poll_folders(struct poll *p, struct folio_err *err)
{
	size_t i;
	int ret = FOLIO_OK;

	for (i = 0; i < p->a->nfolders && ret == FOLIO_OK && !stopping(p); i++)
		ret = poll_folder(p, p->a->folderv[i], err);
	return ret;
}

/* A poll's end: recorded for folio status, reported. */
static int poll_done(struct poll *p, int ret, double t0, struct folio_err *err)
{
	p->rep.seconds = folio_now() - t0;
	p->rep.status = ret;
	p->rep.error = ret == FOLIO_OK ? NULL : err->msg;
	if (ret != FOLIO_FATAL) { /* for folio status */
		struct folio_err e = { 0 };

		if (folio_mail_poll_record(p->arc, p->a->name, p->rep.error, &e) != FOLIO_OK) {
			*err = e;
			ret = p->rep.status = FOLIO_FATAL;
		}
	}
	if (p->opts->on_report)
		p->opts->on_report(p->opts->arg, &p->rep);
	return ret;
}

static void rep_reset(struct poll *p)
{
	memset(&p->rep, 0, sizeof(p->rep));
	p->fatal = 0;
	folio_err_clear(&p->err);
	p->rep.account = p->a->name;
	p->rep.host = p->a->host ? p->a->host : "";
}

/*
 * folio mail --idle: poll, then IDLE on the first folder until the server
 * reports news (poll again at once), poll_seconds pass (at most IDLE_MAX:
 * every folder polled again, IDLE re-issued) or stop_fd is readable
 * (DONE, LOGOUT, return). A server without IDLE is polled every
 * poll_seconds on the same connection.
 */
static int idle_loop(struct poll *p, double t0, struct folio_err *err)
{
	double period = p->a->poll_seconds < IDLE_MAX ? p->a->poll_seconds : IDLE_MAX;
	int ret, woke = 0, said = 0;

	for (;;) {
		uint32_t v, next;

		ret = poll_folders(p, err);
		p->rep.bytes = folio_imap_bytes_in(p->imap);
		if ((ret = poll_done(p, ret, t0, err)) != FOLIO_OK || stopping(p))
			return ret;
		rep_reset(p);
		t0 = folio_now();
		if (!folio_imap_can_idle(p->imap)) {
			struct pollfd pfd = { .fd = p->opts->stop_fd, .events = POLLIN };

			if (!said++)
				progress(p,
					 "%s: the server does not offer IDLE: polling every %.0f s",
					 p->a->name, p->a->poll_seconds);
			if (poll(&pfd, p->opts->stop_fd >= 0, (int)(p->a->poll_seconds * 1000)) > 0)
				return FOLIO_OK;
			continue;
		}
		/* IDLE watches the selected folder: the first one */
		if ((ret = folio_imap_select(p->imap, p->a->folderv[0], &v, &next, err)) !=
			    FOLIO_OK ||
		    (ret = folio_imap_idle(p->imap, p->opts->stop_fd, period, &woke, err)) !=
			    FOLIO_OK)
			return poll_done(p, ret, t0, err);
		if (woke == FOLIO_IMAP_STOP)
			return FOLIO_OK;
		if (woke == FOLIO_IMAP_NEWS)
			progress(p, "%s/%s: new mail", p->a->name, p->a->folderv[0]);
	}
}

static int one_account(struct poll *p, const char *name, struct folio_err *err)
{
	struct account a;
	double t0 = folio_now();
	int ret;

	ret = account_load(p->cfg, name, &a, err);
	p->a = &a;
	rep_reset(p);
	if (ret == FOLIO_OK && !a.nfolders)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "[account %s]: no folder",
				    name);
	if (ret == FOLIO_OK)
		ret = connect_account(p, err);
	if (ret == FOLIO_OK && p->opts->idle) {
		ret = idle_loop(p, t0, err);
	} else {
		if (ret == FOLIO_OK)
			ret = poll_folders(p, err);
		p->rep.bytes = folio_imap_bytes_in(p->imap);
		ret = poll_done(p, ret, t0, err);
	}
	folio_imap_close(p->imap);
	p->imap = NULL;
	account_free(&a);
	p->a = NULL;
	return ret;
}

int folio_mail_run(struct folio_archive *arc, const struct folio_config *cfg,
		   const struct folio_mail_opts *opts, struct folio_err *err)
{
	const char *names[256];
	size_t n = folio_config_account_names(cfg, names, 256), i, polled = 0;
	struct folio_ingest_opts io = { 0 };
	struct poll p = { .arc = arc, .cfg = cfg, .opts = opts };
	struct folio_err aerr = { 0 };
	int ret = FOLIO_OK, r;

	if (!n)
		return folio_err_set(
			err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
			"no IMAP account: add an [account NAME] section to the config");
	for (i = 0; opts->only_account && i < n && strcmp(names[i], opts->only_account); i++)
		;
	if (opts->only_account && i == n)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "no account '%s' in the config", opts->only_account);
	if (opts->idle && !opts->only_account)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "waiting on IDLE needs one account");
	io.cfg = cfg;
	io.on_source = on_source;
	io.arg = &p;
	io.recover_same_path = 1;
	if (!(p.fetch = calloc(BATCH, sizeof(*p.fetch))) ||
	    !(p.pipe = folio_pipeline_new(arc, &io, err))) {
		free(p.fetch);
		return p.fetch ? FOLIO_FATAL :
				 folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					       "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (opts->only_account && strcmp(names[i], opts->only_account))
			continue;
		polled++;
		r = one_account(&p, names[i], &aerr);
		if (r == FOLIO_FATAL) {
			*err = aerr;
			ret = FOLIO_FATAL;
			break;
		}
		if (r != FOLIO_OK && ret == FOLIO_OK) {
			*err = aerr;
			ret = FOLIO_FAILED;
		}
	}
	folio_pipeline_free(p.pipe);
	free(p.fetch);
	free(p.spool);
	return ret;
}
