/*
 * migrate.c - folio migrate: an archive copied into a new archive of
 * another backend (SQLite folder <-> PostgreSQL database), so that a user
 * is never locked in. See folio_archive_migrate() in archive.h.
 *
 * The copy goes table by table through the backends' rows() and
 * put_row(), with the columns both schemas have (the SQLite schema 13 and
 * the PostgreSQL schema 2 mean the same tables); what each engine derives
 * from them (SQLite's full-text and date indexes, PostgreSQL's tsvector
 * column and identity counters) is made by the target in moving(0).
 * Events are copied with their hashes as they are: each hash covers the
 * previous one and the row's own values, which do not change, so the
 * target's chain is the source's and folio verify recomputes it there.
 * Originals are read through the source's blob_path() and written with
 * the target's put_original(), then read back from the target and
 * re-hashed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_private.h"
#include "folio/util.h"

#define MAXCOLS 24

/* clang-format off */
static const struct table {
	const char *name;
	const char *cols[MAXCOLS];
} tables[] = {
	{ "vendors", { "id", "tax_id", "name", "first_seen", "last_seen", "documents" } },
	{ "documents", { "id", "sha256", "path", "name", "title", "mime", "size", "pages",
			 "doc_type", "type_conf", "type_reason", "status", "ocr_conf", "text",
			 "field_text", "added_at", "simhash", "dup_of", "review", "notes",
			 "vendor_id", "source_sha256" } },
	{ "pages", { "doc_id", "number", "width", "height", "dpi", "source", "conf", "rotation",
		     "skew", "blank", "nwords", "text", "words" } },
	{ "fields", { "doc_id", "name", "value", "raw", "confidence", "source", "page", "x", "y",
		      "w", "h" } },
	{ "tags", { "doc_id", "tag" } },
	{ "codes", { "doc_id", "page", "seq", "type", "data", "x", "y", "w", "h" } },
	{ "simhash_band", { "band", "value", "doc_id" } },
	{ "events", { "id", "at", "kind", "doc_id", "sha256", "path", "detail", "hash" } },
	{ "vendor_templates", { "seller_tax_id", "field", "page", "x", "y", "w", "h", "hits",
				"updated_at" } },
	{ "vendor_names", { "vendor_id", "name", "key", "count" } },
	{ "vendor_ibans", { "vendor_id", "iban", "count" } },
	{ "export_batches", { "id", "target", "format", "profile", "query", "out", "state",
			      "documents", "bytes", "created_at", "done_at" } },
	{ "export_files", { "batch_id", "seq", "name", "sha256", "bytes", "data" } },
	{ "exports", { "doc_id", "target", "batch_id", "invoice_key", "sha256", "at" } },
	{ "mail_folders", { "account", "folder", "uidvalidity", "last_uid", "updated_at" } },
	{ "mail_messages", { "account", "folder", "uidvalidity", "uid", "state", "sha256",
			     "size", "reason", "updated_at" } },
	{ "mail_polls", { "account", "polled_at", "error" } },
};
/* clang-format on */

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static int ncols(const struct table *t)
{
	int n = 0;

	while (n < MAXCOLS && t->cols[n])
		n++;
	return n;
}

struct copy {
	struct folio_archive *dst;
	const struct table *t;
	int n;
	long long rows;
	struct folio_err *err;
	int ret;
};

static int copy_row(void *ctx, const struct folio_cell *row)
{
	struct copy *c = ctx;

	c->ret = c->dst->ops->put_row(c->dst->st, c->t->name, c->t->cols, c->n, row, c->err);
	c->rows++;
	return c->ret != FOLIO_OK;
}

/* ---- originals ---------------------------------------------------------- */

struct shas {
	char (*v)[65];
	size_t n, alloc;
	struct folio_err *err;
	int ret;
};

static int add_sha(struct shas *s, const char *sha)
{
	size_t i;

	if (!sha || strlen(sha) != 64)
		return 0;
	for (i = 0; i < s->n; i++) /* a handful of batch sources repeat */
		if (!strcmp(s->v[i], sha))
			return 0;
	if (s->n == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 256;
		char(*v)[65] = realloc(s->v, na * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->alloc = na;
	}
	snprintf(s->v[s->n++], 65, "%s", sha);
	return 0;
}

/* every document's original and the batch original it was cut from */
static int collect_sha(void *ctx, const struct folio_cell *row)
{
	struct shas *s = ctx;
	char sha[65];
	int i;

	for (i = 0; i < 2; i++) {
		if (!row[i].p || row[i].len != 64)
			continue;
		memcpy(sha, row[i].p, 64);
		sha[64] = '\0';
		if (add_sha(s, sha)) {
			s->ret = folio_err_set(s->err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					       "out of memory");
			return 1;
		}
	}
	return 0;
}

/* The bytes of original `sha` of `arc`, checked against its name. */
static int read_original(struct folio_archive *arc, const char *sha, unsigned char **data,
			 size_t *len, struct folio_err *err)
{
	char *path = arc->ops->blob_path(arc->st, sha), hex[65];
	int ret;

	*data = NULL;
	if (!path)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, ENOENT,
				     "original %s cannot be read from %s", sha,
				     arc->ops->dir(arc->st));
	ret = folio_read_file(path, (uint64_t)1 << 40, data, len, err);
	free(path);
	if (ret != FOLIO_OK)
		return ret;
	folio_sha256_hex(*data, *len, hex);
	if (strcmp(hex, sha)) {
		free(*data);
		*data = NULL;
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
				     "original %s in %s has sha256 %s", sha, arc->ops->dir(arc->st),
				     hex);
	}
	return FOLIO_OK;
}

/* ---- the checks ---------------------------------------------------------- */

/* a folder that exists and holds anything is not a new archive's place */
static int folder_in_use(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int used = 0;

	if (!d)
		return 0;
	while (!used && (e = readdir(d)))
		used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return used;
}

static void count_problem(void *arg, const char *problem)
{
	(void)problem;
	(*(long long *)arg)++;
}

int folio_archive_migrate(struct folio_archive *src, const char *to,
			  struct folio_migrate_report *rep, struct folio_err *err)
{
	static const struct table docs = { "documents", { "sha256", "source_sha256" } };
	struct shas shas = { .err = err };
	struct folio_archive *dst = NULL;
	struct copy c = { .err = err };
	unsigned char *data = NULL, *back = NULL;
	size_t len, blen, i;
	long long before = 0, n;
	int ret, empty, moving = 0;

	memset(rep, 0, sizeof(*rep));
	if (!folio_pg_ops.accepts(to) && folder_in_use(to))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, EEXIST,
				     "'%s' is not empty: folio migrate copies into a new archive "
				     "only",
				     to);
	/* a copy is checked by folio verify: the archive must pass it first
	 * (a batch left pending, a changed original...) */
	if ((n = folio_archive_verify(src, count_problem, &before, 0, err)) < 0)
		return FOLIO_FAILED;
	if (before)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
				     "the archive has %lld problem%s (folio verify lists them): "
				     "fix %s before moving it",
				     before, before == 1 ? "" : "s", before == 1 ? "it" : "them");
	if (!(dst = folio_archive_open(to, FOLIO_ARCHIVE_CREATE, err)))
		return FOLIO_FAILED;
	snprintf(rep->to, sizeof(rep->to), "%s", folio_archive_dir(dst));
	if (!strcmp(folio_archive_dir(dst), folio_archive_dir(src))) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				    "the target is the archive itself");
		goto out;
	}
	if ((empty = dst->ops->empty(dst->st, err)) <= 0) {
		ret = empty < 0 ? FOLIO_FAILED :
				  folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
						"%s already holds an archive with documents, "
						"events or export batches: folio migrate copies "
						"into an empty one only",
						folio_archive_dir(dst));
		goto out;
	}
	if ((ret = dst->ops->moving(dst->st, 1, err)) != FOLIO_OK)
		goto out;
	moving = 1;
	c.dst = dst;
	for (i = 0; i < NTABLES; i++) {
		c.t = &tables[i];
		c.n = ncols(c.t);
		c.rows = 0;
		c.ret = FOLIO_OK;
		if ((ret = src->ops->rows(src->st, c.t->name, c.t->cols, c.n, copy_row, &c, err)) !=
		    FOLIO_OK)
			goto out;
		if ((ret = c.ret) != FOLIO_OK)
			goto out;
	}
	/* the originals, into the same transaction where there is one */
	if ((ret = src->ops->rows(src->st, docs.name, docs.cols, 2, collect_sha, &shas, err)) !=
	    FOLIO_OK)
		goto out;
	if ((ret = shas.ret) != FOLIO_OK)
		goto out;
	for (i = 0; i < shas.n; i++) {
		if ((ret = read_original(src, shas.v[i], &data, &len, err)) != FOLIO_OK ||
		    (ret = dst->ops->put_original(dst->st, shas.v[i], data, len, err)) != FOLIO_OK)
			goto out;
		free(data);
		data = NULL;
	}
	moving = 0;
	if ((ret = dst->ops->moving(dst->st, 0, err)) != FOLIO_OK)
		goto out;

	/* the checks: rows per table, every original read back, verify */
	for (i = 0; i < NTABLES && i < sizeof(rep->tables) / sizeof(rep->tables[0]); i++) {
		struct folio_migrate_table *t = &rep->tables[rep->ntables++];

		snprintf(t->name, sizeof(t->name), "%s", tables[i].name);
		if ((t->from = src->ops->table_rows(src->st, tables[i].name, err)) < 0 ||
		    (t->to = dst->ops->table_rows(dst->st, tables[i].name, err)) < 0) {
			ret = FOLIO_FAILED;
			goto out;
		}
		if (t->from != t->to)
			rep->problems++;
	}
	for (i = 0; i < shas.n; i++) {
		if ((ret = read_original(dst, shas.v[i], &back, &blen, err)) != FOLIO_OK)
			goto out;
		rep->originals++;
		rep->bytes += (long long)blen;
		free(back);
		back = NULL;
	}
	if (folio_archive_verify(dst, count_problem, &rep->problems, 0, err) < 0) {
		ret = FOLIO_FAILED;
		goto out;
	}
	if (rep->problems)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
				    "the copy at %s differs from the archive: %lld problem%s "
				    "(folio verify names them)",
				    rep->to, rep->problems, rep->problems == 1 ? "" : "s");
out:
	if (moving)
		dst->ops->moving(dst->st, -1, NULL); /* roll back */
	/* a database rolls back to an empty archive; a folder keeps what was
	 * written (made here: it did not exist or was empty) */
	if (ret != FOLIO_OK && err && !folio_pg_ops.accepts(to) && rep->to[0] &&
	    strcmp(rep->to, folio_archive_dir(src))) {
		char msg[FOLIO_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		folio_err_set(err, ret, err->kind, err->sys_errno,
			      "%s (the partial copy in '%s' is left as it is: remove it before "
			      "trying again)",
			      msg, rep->to);
	}
	free(data);
	free(back);
	free(shas.v);
	folio_archive_close(dst);
	return ret;
}
