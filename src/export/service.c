/*
 * service.c - the export service behind `folio export`: select archived
 * invoices, let an export module write them, deliver the files and keep
 * the ledger.
 *
 * The protocol (crash safety):
 *  1. Everything is written in memory first; nothing is on disk.
 *  2. folio_ledger_record() keeps a copy of every file (fsynced under
 *     ARCHIVE/exports/ID/ on SQLite, in the database on PostgreSQL) and
 *     commits the batch as 'pending' with one row per document: this is
 *     the commit point.
 *  3. Each file is written to its place (temp name, fsync, rename, fsync
 *     of the folder); a file is never overwritten.
 *  4. The batch is marked 'done'.
 * A crash before 2 leaves no ledger rows and no output; after 2 the next
 * export (or --history) completes the pending batch from the copies, so
 * a ledger entry never stays without its file and no file appears that
 * the ledger does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio/archive.h"
#include "folio/config.h"
#include "folio/export.h"
#include "folio/pipeline.h"
#include "folio/util.h"

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

static int fault(const char *point)
{
	const char *f = getenv("FOLIO_FAULT");

	return f && !strcmp(f, point);
}

static void crash(const char *point)
{
	fprintf(stderr, "folio: fault injected: %s\n", point);
	fflush(stderr);
	_exit(70);
}

/* ---- delivering files ------------------------------------------------- */

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * --out names a stream rather than a file to create: a character device
 * (/dev/tty, /dev/null), a FIFO, or whatever this process's standard
 * output is (/dev/stdout, /proc/self/fd/1, even when that is a file the
 * shell redirected to). Such a place is written as it is, never "exists".
 */
enum { NOT_STREAM, STREAM_STDOUT, STREAM_DEVICE };

static int stream_kind(const char *path)
{
	struct stat st, so;

	if (!strcmp(path, "-"))
		return STREAM_STDOUT;
	if (stat(path, &st))
		return NOT_STREAM;
	if (!fstat(STDOUT_FILENO, &so) && so.st_dev == st.st_dev && so.st_ino == st.st_ino)
		return STREAM_STDOUT;
	return S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ? STREAM_DEVICE : NOT_STREAM;
}

static int write_stdout(const void *data, size_t len, struct folio_err *err);

/* Write everything to the stream `path` (see stream_kind()). */
static int write_stream(const char *path, const void *data, size_t len, struct folio_err *err)
{
	const char *p = data;
	int fd;

	if (stream_kind(path) == STREAM_STDOUT)
		return write_stdout(data, len, err);
	if ((fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s",
				     path, strerror(errno));
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;

			close(fd);
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e,
					     "cannot write to '%s': %s", path, strerror(e));
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) && errno != EINTR)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				     "cannot write to '%s': %s", path, strerror(errno));
	return FOLIO_OK;
}

/* 1 when `path` holds exactly the bytes with checksum `sha`. */
static int same_file(const char *path, const char *sha)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char hex[65];

	if (folio_read_file(path, (uint64_t)1 << 40, &data, &len, NULL) != FOLIO_OK)
		return 0;
	folio_sha256_hex(data, len, hex);
	free(data);
	return !strcmp(hex, sha);
}

static char *dest_path(const char *out, const char *name)
{
	return *name ? folio_path_join(out, name) : strdup(out);
}

/* Put one file in place; an existing identical file is fine (a batch
 * completed after a crash), a different one is never overwritten. */
static int put(const char *dest, const void *data, size_t len, const char *sha,
	       struct folio_err *err)
{
	if (exists(dest)) {
		if (sha && same_file(dest, sha))
			return FOLIO_OK;
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, EEXIST,
				     "'%s' exists: an export never overwrites a file", dest);
	}
	return folio_write_file_atomic_by(dest, data, len, 0644, "export", err);
}

static int write_stdout(const void *data, size_t len, struct folio_err *err)
{
	if ((len && fwrite(data, 1, len, stdout) != len) || fflush(stdout))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				     "cannot write to standard output: %s", strerror(errno));
	return FOLIO_OK;
}

/* ".NAME.folio-tmp" beside NAME in folder `out`. Caller frees. */
static char *temp_path(const char *out, const char *name)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	folio_strbuf_addf(&sb, ".%s.folio-tmp", name);
	if (!sb.buf)
		return NULL;
	{
		char *p = folio_path_join(out, sb.buf);

		folio_strbuf_release(&sb);
		return p;
	}
}

/* ---- recovery ---------------------------------------------------------- */

struct rec_ctx {
	struct folio_archive *arc;
	const char *out;
	struct folio_err *err;
	int ret;
	long long id; /* the batch being completed */
	long long *ids;
	size_t n, alloc;
};

static int collect_pending(void *ctx, const struct folio_batch_info *b)
{
	struct rec_ctx *c = ctx;
	long long *v;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 8;
		if (!(v = realloc(c->ids, c->alloc * sizeof(*v))))
			return c->ret = nomem(c->err), 1;
		c->ids = v;
	}
	c->ids[c->n++] = b->id;
	return 0;
}

static int batch_out(void *ctx, const struct folio_batch_info *b)
{
	char **out = ctx;

	*out = strdup(b->out ? b->out : "-");
	return 0;
}

static int restore_file(void *ctx, const char *name, const char *sha, long long bytes,
			const char *copy)
{
	struct rec_ctx *c = ctx;
	unsigned char *data = NULL;
	size_t len = 0;
	char *dest, hex[65];

	(void)bytes;
	if (stream_kind(c->out) != NOT_STREAM)
		return 0; /* a stream cannot be written again: --again */
	if (!(dest = dest_path(c->out, name)))
		return c->ret = nomem(c->err), 1;
	if (*name) {
		char *tmp = temp_path(c->out, name);

		if (tmp)
			unlink(tmp); /* written before the interruption */
		free(tmp);
	}
	if (exists(dest) && same_file(dest, sha)) {
		free(dest);
		return 0;
	}
	if ((c->ret = folio_ledger_copy(c->arc, c->id, name, copy, &data, &len, c->err)) ==
	    FOLIO_OK) {
		folio_sha256_hex(data, len, hex);
		if (strcmp(hex, sha))
			c->ret = folio_err_set(c->err, FOLIO_FAILED, FOLIO_E_IO, 0,
					       "the archive's copy '%s' does not match the "
					       "ledger's checksum",
					       copy);
		else if (*name)
			c->ret = folio_mkdirs(c->out, 0755, c->err);
		if (c->ret == FOLIO_OK)
			c->ret = put(dest, data, len, sha, c->err);
	}
	free(data);
	free(dest);
	return c->ret != FOLIO_OK;
}

long long folio_export_recover(struct folio_archive *arc, long long *stuck, struct folio_err *err)
{
	struct rec_ctx c = { .arc = arc, .err = err };
	long long done = 0;
	char *out = NULL;
	size_t i;

	*stuck = 0;
	if (folio_ledger_batches(arc, 1, collect_pending, &c, err) != FOLIO_OK ||
	    c.ret != FOLIO_OK) {
		free(c.ids);
		return -1;
	}
	for (i = 0; i < c.n; i++) {
		out = NULL;
		if (folio_ledger_batch(arc, c.ids[i], batch_out, &out, err) != FOLIO_OK)
			break;
		if (!out) {
			nomem(err);
			break;
		}
		c.out = out;
		c.id = c.ids[i];
		c.ret = FOLIO_OK;
		if (folio_ledger_files(arc, c.ids[i], restore_file, &c, err) != FOLIO_OK ||
		    c.ret != FOLIO_OK) {
			char msg[FOLIO_ERR_MSG_MAX];

			/* this batch stays pending (its place may come back); the
			 * others are still completed */
			snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
			folio_err_set(
				err, FOLIO_WARN, FOLIO_E_IO, 0,
				"export batch %lld is still pending: %s (folio export --again "
				"%lld --out PATH writes it elsewhere)",
				c.ids[i], msg, c.ids[i]);
			(*stuck)++;
			free(out);
			out = NULL;
			continue;
		}
		if (folio_ledger_done(arc, c.ids[i], err) != FOLIO_OK)
			break;
		free(out);
		out = NULL;
		done++;
	}
	free(out);
	free(c.ids);
	return i == c.n ? done : -1;
}

/* ---- selection --------------------------------------------------------- */

struct ids {
	long long *v;
	size_t n, alloc;
	int nomem;
};

static int on_hit(void *ctx, const struct folio_hit *hit)
{
	struct ids *ids = ctx;
	long long *v;

	if (ids->n == ids->alloc) {
		size_t na = ids->alloc ? ids->alloc * 2 : 256;

		if (!(v = realloc(ids->v, na * sizeof(*v)))) {
			ids->nomem = 1;
			return 1;
		}
		ids->v = v;
		ids->alloc = na;
	}
	ids->v[ids->n++] = hit->id;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* A `type:` filter in the query turns the default (invoices and credit
 * notes) off. */
static int names_type(const char *q)
{
	const char *p = q;

	while (p && (p = strstr(p, "type:"))) {
		if (p == q || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '(')
			return 1;
		p += 5;
	}
	return 0;
}

static int select_docs(struct folio_archive *arc, const char *query, struct ids *ids,
		       struct folio_err *err)
{
	static const char *const types[] = { "type:invoice", "type:credit_note" };
	struct folio_search_opts so = { 0 };
	struct folio_strbuf q = FOLIO_STRBUF_INIT;
	size_t i, j;
	int r = FOLIO_OK;

	so.limit = INT_MAX;
	if (query && *query && names_type(query)) {
		so.query = query;
		r = folio_archive_search(arc, &so, on_hit, ids, err);
	} else {
		for (i = 0; i < 2 && r == FOLIO_OK; i++) {
			folio_strbuf_reset(&q);
			if (folio_strbuf_addf(&q, "%s %s", types[i], query ? query : ""))
				r = nomem(err);
			so.query = q.buf;
			if (r == FOLIO_OK)
				r = folio_archive_search(arc, &so, on_hit, ids, err);
		}
	}
	folio_strbuf_release(&q);
	if (ids->nomem)
		return nomem(err);
	if (r != FOLIO_OK)
		return r;
	folio_sort(ids->v, ids->n, sizeof(*ids->v), cmp_id);
	for (i = j = 0; i < ids->n; i++)
		if (!j || ids->v[j - 1] != ids->v[i])
			ids->v[j++] = ids->v[i];
	ids->n = j;
	return FOLIO_OK;
}

/* "SELLER_TAX_ID|NUMBER" (number upper-cased, spaces dropped), or NULL. */
static char *invoice_key(const struct folio_invoice *inv)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *s;

	if (!inv->seller.tax_id || !inv->number)
		return NULL;
	folio_strbuf_addf(&sb, "%s|", inv->seller.tax_id);
	for (s = inv->number; *s; s++)
		if (*s != ' ')
			folio_strbuf_addch(&sb, *s >= 'a' && *s <= 'z' ? *s - 32 : *s);
	return folio_strbuf_detach(&sb);
}

/* ---- the run ------------------------------------------------------------ */

struct out_file {
	char *name;
	struct folio_strbuf data;
};

struct run {
	struct folio_export x;
	struct folio_export_opt *opts;
	size_t nopts;
	struct out_file *files;
	size_t nfiles, files_alloc;
	struct folio_ledger_item *items;
	char **keys; /* the items' invoice keys (owned) */
	size_t nitems, items_alloc;
};

static void run_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].name);
		folio_strbuf_release(&r->files[i].data);
	}
	free(r->files);
	for (i = 0; i < r->nitems; i++)
		free(r->keys[i]);
	free(r->keys);
	free(r->items);
	free(r->opts);
}

static struct out_file *new_file(struct run *r, char *name)
{
	struct out_file *f;

	if (r->nfiles == r->files_alloc) {
		size_t na = r->files_alloc ? r->files_alloc * 2 : 16;

		if (!(f = realloc(r->files, na * sizeof(*f))))
			return NULL;
		r->files = f;
		r->files_alloc = na;
	}
	f = &r->files[r->nfiles++];
	f->name = name;
	memset(&f->data, 0, sizeof(f->data));
	return f;
}

static int add_item(struct run *r, long long id, char *key, const void *data, size_t len)
{
	if (r->nitems == r->items_alloc) {
		size_t na = r->items_alloc ? r->items_alloc * 2 : 64;
		struct folio_ledger_item *it = realloc(r->items, na * sizeof(*it));
		char **k;

		if (!it)
			return -1;
		r->items = it;
		if (!(k = realloc(r->keys, na * sizeof(*k))))
			return -1;
		r->keys = k;
		r->items_alloc = na;
	}
	r->keys[r->nitems] = key;
	r->items[r->nitems].doc_id = id;
	r->items[r->nitems].invoice_key = key;
	folio_sha256_hex(data, len, r->items[r->nitems].sha256);
	r->nitems++;
	return 0;
}

/* The key already taken in this batch by another document, or 0. */
static long long key_in_batch(const struct run *r, const char *key)
{
	size_t i;

	for (i = 0; key && i < r->nitems; i++)
		if (r->keys[i] && !strcmp(r->keys[i], key))
			return r->items[i].doc_id;
	return 0;
}

/* The module called `name` declares `key`. */
static int module_has_key(const char *name, const char *key)
{
	const struct folio_export_module *m = folio_export_module_find(name);
	const char *const *k;
	size_t n = strlen(key);

	for (k = m ? m->keys : NULL; k && *k; k++)
		if (!strncmp(*k, key, n) && ((*k)[n] == '\t' || !(*k)[n]))
			return 1;
	return 0;
}

/* Profile settings then --set ones; `format` and `target` are folio's. */
static int resolve(struct run *r, const struct folio_config *cfg,
		   const struct folio_export_req *req, const char **format, const char **target,
		   struct folio_err *err)
{
	size_t i, n = 0, found = 0;

	*format = req->format;
	*target = NULL;
	if (!(r->opts = calloc(cfg->nexport_opts + req->nsets + 2, sizeof(*r->opts))))
		return nomem(err);
	/* the config's locale first: a profile or --set says otherwise */
	if (cfg->locale && *cfg->locale) {
		r->opts[n].key = "locale";
		r->opts[n++].value = cfg->locale;
	}
	for (i = 0; req->profile && i < cfg->nexport_opts; i++) {
		const struct folio_profile_opt *o = &cfg->export_opts[i];

		if (strcmp(o->profile, req->profile))
			continue;
		found = 1;
		if (!strcmp(o->key, "format")) {
			if (!*format)
				*format = o->value;
		} else if (!strcmp(o->key, "target")) {
			*target = o->value;
		} else {
			r->opts[n].key = o->key;
			r->opts[n++].value = o->value;
		}
	}
	if (req->profile && !found)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "no export profile '%s' (define it in the config file as "
				     "'[export %s]')",
				     req->profile, req->profile);
	for (i = 0; i < req->nsets; i++) {
		if (!strcmp(req->sets[i].key, "target")) {
			*target = req->sets[i].value;
			continue;
		}
		r->opts[n++] = req->sets[i];
	}
	r->nopts = n;
	if (!*format)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "which format? --to FORMAT (folio export --list)");
	/* a format without the setting does not get it from the config */
	if (cfg->locale && *cfg->locale && !module_has_key(*format, "locale")) {
		memmove(r->opts, r->opts + 1, (n - 1) * sizeof(*r->opts));
		r->nopts = --n;
	}
	return FOLIO_OK;
}

static void note(struct folio_export_report *rep, long long id, const char *number,
		 const char *file, enum folio_export_fate fate, const char *reason)
{
	struct folio_export_note n = { id, number, file, fate, reason };

	if (rep->note)
		rep->note(rep->ctx, &n);
}

/* Write one document through the module: 1 exported, 0 not, <0 error. */
static int one(struct run *r, struct folio_archive *arc, const struct folio_export_req *req,
	       const char *target, long long id, struct folio_export_report *rep,
	       struct folio_err *err)
{
	const struct folio_export_module *m = r->x.mod;
	struct folio_invoice inv;
	struct folio_doc *doc = NULL;
	struct folio_strbuf why = FOLIO_STRBUF_INIT;
	struct folio_err werr = { 0 };
	struct out_file *f = NULL;
	char *vendor, *key = NULL, *name = NULL;
	long long owner, batch = 0;
	size_t before;
	int ret;

	ret = folio_ledger_exported(arc, id, target, err);
	if (ret < 0)
		return ret;
	if (ret) {
		rep->already++;
		return 0;
	}
	if ((ret = folio_archive_get(arc, id, &doc, err)) != FOLIO_OK)
		return ret;
	vendor = folio_archive_vendor_name(arc, id);
	ret = folio_invoice_from_doc(&inv, doc, 1, vendor, err);
	free(vendor);
	if (ret != FOLIO_OK) {
		if (ret == FOLIO_FATAL)
			return ret;
		/* a damaged field is this document's problem, not the batch's */
		rep->refused++;
		note(rep, id, NULL, NULL, FOLIO_XF_REFUSED, err->msg);
		folio_err_clear(err);
		return 0;
	}
	if (inv.needs_review && !req->include_review) {
		rep->review++;
		note(rep, id, inv.number, NULL, FOLIO_XF_REVIEW,
		     inv.review ? inv.review : "needs review");
		goto skip;
	}
	key = invoice_key(&inv);
	owner = folio_ledger_key_owner(arc, target, key, id, &batch, err);
	if (owner < 0) {
		ret = FOLIO_FAILED;
		goto out;
	}
	if (!owner)
		owner = key_in_batch(r, key);
	if (owner && !req->force) {
		rep->held++;
		folio_strbuf_addf(&why,
				  "probable duplicate of document %lld (seller %s, invoice "
				  "%s) already exported to %s",
				  owner, inv.seller.tax_id, inv.number, target);
		if (batch)
			folio_strbuf_addf(&why, " in batch %lld", batch);
		folio_strbuf_adds(&why, "; --force exports it anyway");
		note(rep, id, inv.number, NULL, FOLIO_XF_HELD, why.buf);
		goto skip;
	}
	if (m->file_per_invoice) {
		if (!(name = folio_export_file_name(&r->x, &inv)) || !(f = new_file(r, name))) {
			free(name);
			ret = nomem(err);
			goto out;
		}
		before = 0;
		ret = m->write(&r->x, &inv, &f->data, &werr);
	} else {
		f = &r->files[0];
		before = f->data.len;
		ret = m->write(&r->x, &inv, &f->data, &werr);
	}
	if (ret != FOLIO_OK) {
		if (werr.kind != FOLIO_E_REFUSED) {
			*err = werr;
			goto out;
		}
		rep->refused++;
		note(rep, id, inv.number, NULL, FOLIO_XF_REFUSED, werr.msg);
		if (m->file_per_invoice) {
			folio_strbuf_release(&f->data);
			free(f->name);
			r->nfiles--;
		} else {
			f->data.len = before;
		}
		ret = FOLIO_OK;
		goto skip;
	}
	if (add_item(r, id, key, f->data.buf + before, f->data.len - before)) {
		ret = nomem(err);
		goto out;
	}
	key = NULL;
	rep->exported++;
	note(rep, id, inv.number, m->file_per_invoice ? f->name : NULL, FOLIO_XF_EXPORTED, NULL);
	folio_invoice_release(&inv);
	folio_strbuf_release(&why);
	return 1;
skip:
	ret = 0;
out:
	free(key);
	folio_strbuf_release(&why);
	folio_invoice_release(&inv);
	return ret;
}

static char *default_out(const struct folio_export_module *m, const char *now)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *p;

	folio_strbuf_addf(&sb, "folio-%s-", m->name);
	for (p = now; *p && *p != 'Z'; p++)
		if (*p != '-' && *p != ':')
			folio_strbuf_addch(&sb, *p == 'T' ? '-' : *p);
	if (!m->file_per_invoice)
		folio_strbuf_addf(&sb, ".%s", m->ext);
	return folio_strbuf_detach(&sb);
}

/* An absolute form of `path` (which need not exist). Caller frees. */
static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	return folio_path_join(cwd, path);
}

/*
 * A folder batch: every file under a temp name, one filesystem flush,
 * then each renamed to its name (never over an existing file) and the
 * folder flushed. One file: temp, fsync, rename.
 */
static int deliver(struct run *r, const char *out, struct folio_err *err)
{
	char *dest = NULL, *tmp = NULL, sha[65];
	size_t i;
	int ret = FOLIO_OK;

	if (!r->x.mod->file_per_invoice && stream_kind(out) != NOT_STREAM)
		return write_stream(out, r->files[0].data.buf, r->files[0].data.len, err);
	if (!r->x.mod->file_per_invoice) {
		folio_sha256_hex(r->files[0].data.buf ? r->files[0].data.buf : "",
				 r->files[0].data.len, sha);
		return put(out, r->files[0].data.buf ? r->files[0].data.buf : "",
			   r->files[0].data.len, sha, err);
	}
	if ((ret = folio_mkdirs(out, 0755, err)) != FOLIO_OK)
		return ret;
	for (i = 0; i < r->nfiles && ret == FOLIO_OK; i++) {
		if (!(tmp = temp_path(out, r->files[i].name)))
			return nomem(err);
		unlink(tmp); /* left by an interrupted run */
		ret = folio_write_file_new(tmp, r->files[i].data.buf ? r->files[i].data.buf : "",
					   r->files[i].data.len, 0644, err);
		free(tmp);
	}
	if (ret == FOLIO_OK && folio_fault("export-fsync-eio"))
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, EIO, "cannot sync '%s': %s", out,
				    strerror(EIO));
	if (ret == FOLIO_OK)
		ret = folio_sync_dir_fs(out, err);
	for (i = 0; i < r->nfiles && ret == FOLIO_OK; i++) {
		if (!(tmp = temp_path(out, r->files[i].name)) ||
		    !(dest = folio_path_join(out, r->files[i].name))) {
			free(tmp);
			return nomem(err);
		}
		if (exists(dest)) {
			folio_sha256_hex(r->files[i].data.buf ? r->files[i].data.buf : "",
					 r->files[i].data.len, sha);
			if (same_file(dest, sha))
				unlink(tmp);
			else
				ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, EEXIST,
						    "'%s' exists: an export never overwrites a "
						    "file",
						    dest);
		} else {
			ret = folio_rename_new(tmp, dest, err);
		}
		free(tmp);
		free(dest);
		if (i == 0 && ret == FOLIO_OK && fault("export-mid-delivery"))
			crash("export-mid-delivery");
	}
	if (ret == FOLIO_OK)
		ret = folio_fsync_dir(out, err);
	return ret;
}

/* A folder export: the folder (made now); a file: its folder, writable. */
static int check_place(const struct folio_export_module *m, const char *out, struct folio_err *err)
{
	char *dir, *slash;
	int ret = FOLIO_OK;

	if (m->file_per_invoice)
		return folio_mkdirs(out, 0755, err);
	if (stream_kind(out) != NOT_STREAM)
		return FOLIO_OK;
	if (!(dir = strdup(out)))
		return nomem(err);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (access(dir, W_OK | X_OK))
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				    "cannot write to '%s': %s", dir, strerror(errno));
	free(dir);
	return ret;
}

/* The request's format, settings and target; the module set up to write at `now`. */
static int setup(struct run *r, const struct folio_config *cfg, const struct folio_export_req *req,
		 struct folio_export_report *rep, char now[32], struct folio_err *err)
{
	const char *format, *target_opt;
	int ret;

	if ((ret = resolve(r, cfg, req, &format, &target_opt, err)) != FOLIO_OK)
		return ret;
	if (!(r->x.mod = folio_export_module_find(format)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "no export format '%s' (folio export --list)", format);
	if (target_opt)
		snprintf(rep->target, sizeof(rep->target), "%s", target_opt);
	else if (req->profile)
		snprintf(rep->target, sizeof(rep->target), "%s:%s", format, req->profile);
	else
		snprintf(rep->target, sizeof(rep->target), "%s", format);
	folio_iso_now(now);
	r->x.profile = req->profile;
	r->x.opts = r->opts;
	r->x.custom_fields = cfg->custom_fields;
	r->x.nopts = r->nopts;
	r->x.now = now;
	return folio_export_check_keys(&r->x, err);
}

/*
 * Where the batch goes (*place, absolute; *name as asked or made up): never
 * over an existing file. The caller frees both, also on failure.
 */
static int choose_place(const struct run *r, const struct folio_export_req *req,
			struct folio_export_report *rep, const char *now, char **name, char **place,
			struct folio_err *err)
{
	if (req->out && !strcmp(req->out, "-") && r->x.mod->file_per_invoice)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "%s writes a file per invoice: --out names a folder",
				     r->x.mod->name);
	if (!(*name = req->out ? strdup(req->out) : default_out(r->x.mod, now)) ||
	    !(*place = strcmp(*name, "-") ? absolute(*name) : strdup("-")))
		return nomem(err);
	snprintf(rep->out, sizeof(rep->out), "%s", *place);
	if (!req->dry_run && !r->x.mod->file_per_invoice && stream_kind(*place) == NOT_STREAM &&
	    exists(*place))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, EEXIST,
				     "'%s' exists: an export never overwrites a file; choose "
				     "another --out",
				     *place);
	return FOLIO_OK;
}

/* Before a real run: complete the batches a crash left pending, check the place. */
static int recover_first(struct folio_archive *arc, const struct run *r, const char *place,
			 struct folio_export_report *rep, struct folio_err *err)
{
	struct folio_err rerr = { 0 };

	if ((rep->recovered = folio_export_recover(arc, &rep->stuck, &rerr)) < 0) {
		*err = rerr;
		return FOLIO_FAILED;
	}
	if (rep->stuck)
		snprintf(rep->stuck_msg, sizeof(rep->stuck_msg), "%s", rerr.msg);
	/* the place must take the files before anything is recorded */
	return check_place(r->x.mod, place, err);
}

/* 1: select the documents and write each through the module, all in memory. */
static int write_docs(struct run *r, struct folio_archive *arc, const struct folio_export_req *req,
		      struct folio_export_report *rep, struct ids *ids, struct folio_err *err)
{
	size_t i;
	int ret;

	if ((ret = select_docs(arc, req->query, ids, err)) != FOLIO_OK)
		return ret;
	if (!r->x.mod->file_per_invoice && !new_file(r, NULL))
		return nomem(err);
	/* the number this batch will have, for formats that print it (a
	 * dry run has none) */
	if (!req->dry_run && (r->x.batch = folio_ledger_next(arc, err)) < 0)
		return FOLIO_FAILED;
	if (r->x.mod->begin &&
	    (ret = r->x.mod->begin(&r->x, r->x.mod->file_per_invoice ? NULL : &r->files[0].data,
				   err)) != FOLIO_OK)
		return ret;
	for (i = 0; i < ids->n; i++)
		if ((ret = one(r, arc, req, rep->target, ids->v[i], rep, err)) < 0)
			return ret;
	if (r->x.mod->end &&
	    (ret = r->x.mod->end(&r->x, r->x.mod->file_per_invoice ? NULL : &r->files[0].data,
				 err)) != FOLIO_OK)
		return ret;
	return FOLIO_OK;
}

/* 2: the commit point: the batch, its items and a copy of its files in the ledger. */
static int record_batch(const struct run *r, struct folio_archive *arc,
			const struct folio_export_req *req, struct folio_export_report *rep,
			const char *place, const char *now, struct folio_err *err)
{
	struct folio_ledger_file *lf;
	struct folio_ledger_batch b = { 0 };
	size_t i;
	int ret;

	if (!(lf = calloc(r->nfiles, sizeof(*lf))))
		return nomem(err);
	for (i = 0; i < r->nfiles; i++) {
		lf[i].name = r->x.mod->file_per_invoice ? r->files[i].name : "";
		lf[i].data = r->files[i].data.buf ? r->files[i].data.buf : "";
		lf[i].len = r->files[i].data.len;
		/* a file per invoice: the same bytes as its ledger item */
		if (r->x.mod->file_per_invoice && r->nfiles == r->nitems)
			memcpy(lf[i].sha256, r->items[i].sha256, sizeof(lf[i].sha256));
		else
			folio_sha256_hex(lf[i].data, lf[i].len, lf[i].sha256);
		rep->bytes += (long long)lf[i].len;
	}
	rep->files = r->nfiles;
	b.target = rep->target;
	b.format = r->x.mod->name;
	b.profile = req->profile;
	b.query = req->query;
	b.out = place;
	b.now = now;
	b.id = r->x.batch;
	b.files = lf;
	b.nfiles = r->nfiles;
	b.items = r->items;
	b.nitems = r->nitems;
	ret = folio_ledger_record(arc, &b, &rep->batch, err);
	free(lf);
	return ret;
}

int folio_export_run(struct folio_archive *arc, const struct folio_config *cfg,
		     const struct folio_export_req *req, struct folio_export_report *rep,
		     struct folio_err *err)
{
	struct run r;
	struct ids ids = { 0 };
	char now[32], *place = NULL, *name = NULL;
	int ret;

	memset(&r, 0, sizeof(r));
	if ((ret = setup(&r, cfg, req, rep, now, err)) != FOLIO_OK ||
	    (ret = choose_place(&r, req, rep, now, &name, &place, err)) != FOLIO_OK ||
	    (!req->dry_run && (ret = recover_first(arc, &r, place, rep, err)) != FOLIO_OK) ||
	    (ret = write_docs(&r, arc, req, rep, &ids, err)) != FOLIO_OK)
		goto out;
	if (!r.nitems || req->dry_run)
		goto out;
	if ((ret = record_batch(&r, arc, req, rep, place, now, err)) != FOLIO_OK)
		goto out;
	if (fault("export-after-commit"))
		crash("export-after-commit");
	/* 3 and 4; a failure here leaves the batch pending, completed later */
	if ((ret = deliver(&r, place, err)) != FOLIO_OK) {
		char msg[FOLIO_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		ret = folio_err_set(err, FOLIO_FAILED, err->kind, err->sys_errno,
				    "%s (batch %lld is recorded and kept in the archive: "
				    "fix this and run folio export again to deliver it)",
				    msg, rep->batch);
		goto out;
	}
	ret = folio_ledger_done(arc, rep->batch, err);
out:
	if (r.x.mod && r.x.mod->release)
		r.x.mod->release(&r.x);
	free(ids.v);
	free(name);
	free(place);
	run_release(&r);
	return ret;
}

/* ---- --again ------------------------------------------------------------ */

struct again {
	struct folio_archive *arc;
	long long id;
	const char *out;
	int folder;
	struct folio_export_report *rep;
	struct folio_err *err;
	int ret;
};

static int again_info(void *ctx, const struct folio_batch_info *b)
{
	struct again *a = ctx;

	a->folder = folio_export_module_find(b->format) &&
		    folio_export_module_find(b->format)->file_per_invoice;
	snprintf(a->rep->target, sizeof(a->rep->target), "%s", b->target);
	return 0;
}

static int again_file(void *ctx, const char *name, const char *sha, long long bytes,
		      const char *copy)
{
	struct again *a = ctx;
	unsigned char *data = NULL;
	size_t len = 0;
	char hex[65], *dest = NULL;

	(void)bytes;
	if ((a->ret = folio_ledger_copy(a->arc, a->id, name, copy, &data, &len, a->err)) !=
	    FOLIO_OK)
		return 1;
	folio_sha256_hex(data, len, hex);
	if (strcmp(hex, sha)) {
		a->ret = folio_err_set(a->err, FOLIO_FAILED, FOLIO_E_IO, 0,
				       "the archive's copy '%s' does not match the ledger's "
				       "checksum: not re-emitted",
				       copy);
	} else if (!a->folder && stream_kind(a->out) != NOT_STREAM) {
		a->ret = write_stream(a->out, data, len, a->err);
	} else if (!(dest = dest_path(a->out, name))) {
		a->ret = nomem(a->err);
	} else {
		a->ret = put(dest, data, len, NULL, a->err);
	}
	if (a->ret == FOLIO_OK) {
		a->rep->files++;
		a->rep->bytes += (long long)len;
	}
	free(dest);
	free(data);
	return a->ret != FOLIO_OK;
}

static int count_item(void *ctx, long long doc_id, const char *sha256)
{
	struct folio_export_report *rep = ctx;

	(void)sha256;
	rep->exported++;
	if (rep->note) {
		struct folio_export_note n = { doc_id, NULL, NULL, FOLIO_XF_EXPORTED, NULL };

		rep->note(rep->ctx, &n);
	}
	return 0;
}

int folio_export_again(struct folio_archive *arc, long long id, const char *out,
		       struct folio_export_report *rep, struct folio_err *err)
{
	struct again a = { .arc = arc, .id = id, .rep = rep, .err = err };
	char *abs = NULL;
	int ret;

	if ((ret = folio_ledger_batch(arc, id, again_info, &a, err)) != FOLIO_OK)
		return ret;
	if (a.ret != FOLIO_OK)
		return a.ret;
	if (!out || !strcmp(out, "-")) {
		if (a.folder)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "batch %lld is a folder of files: --again needs "
					     "--out FOLDER",
					     id);
		out = "-";
	} else if (!(abs = absolute(out))) {
		return nomem(err);
	} else if (a.folder && (ret = folio_mkdirs(abs, 0755, err)) != FOLIO_OK) {
		free(abs);
		return ret;
	} else if (!a.folder && stream_kind(abs) == NOT_STREAM && exists(abs)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, EEXIST,
				    "'%s' exists: an export never overwrites a file", abs);
		free(abs);
		return ret;
	}
	a.out = abs ? abs : out;
	snprintf(rep->out, sizeof(rep->out), "%s", a.out);
	rep->batch = id;
	ret = folio_ledger_files(arc, id, again_file, &a, err);
	if (ret == FOLIO_OK && a.ret == FOLIO_OK)
		ret = folio_ledger_items(arc, id, count_item, rep, err);
	else if (ret == FOLIO_OK)
		ret = a.ret;
	if (ret == FOLIO_OK && a.folder)
		ret = folio_fsync_dir(a.out, err);
	free(abs);
	return ret;
}
