/*
 * archive.c - the storage interface's dispatch: an archive handle is a
 * backend's table and the backend's own handle, and every folio_archive_*,
 * folio_journal_*, folio_ledger_*, folio_daemon_* and folio_store_cleanup
 * call goes through that table (see "backends" in include/folio/archive.h).
 * Nothing here knows an engine; the list of backends is the one place a
 * new one is named.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folio/archive.h"
#include "folio/util.h"

struct folio_archive {
	const struct folio_store_ops *ops;
	struct folio_store *st;
};

/* Asked in order; the last one (SQLite, a folder) accepts any path. */
static const struct folio_store_ops *const backends[] = {
	&folio_sqlite_ops,
};

struct folio_archive *folio_archive_open(const char *where, int flags, struct folio_err *err)
{
	const struct folio_store_ops *ops = NULL;
	struct folio_archive *arc;
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->version == FOLIO_STORE_OPS_VERSION &&
		    backends[i]->accepts(where)) {
			ops = backends[i];
			break;
		}
	if (!ops) {
		int n = (int)folio_url_scheme(where);

		folio_err_set(err, FOLIO_FATAL, FOLIO_E_USAGE, 0,
			      "no storage backend for '%.*s://' archives in this build"
			      " (an archive is a folder)",
			      n ? n : (int)strlen(where), where);
		return NULL;
	}
	if (!(arc = calloc(1, sizeof(*arc)))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	arc->ops = ops;
	if (!(arc->st = ops->open(where, flags, err))) {
		free(arc);
		return NULL;
	}
	return arc;
}

void folio_archive_close(struct folio_archive *arc)
{
	if (!arc)
		return;
	arc->ops->close(arc->st);
	free(arc);
}

const char *folio_archive_backend(const struct folio_archive *arc)
{
	return arc->ops->name;
}

struct folio_store *folio_archive_store(struct folio_archive *arc,
					const struct folio_store_ops *ops)
{
	return arc && arc->ops == ops ? arc->st : NULL;
}

/* ---- dispatch ------------------------------------------------------------- */

const char *folio_archive_dir(const struct folio_archive *arc)
{
	return arc->ops->dir(arc->st);
}

int folio_archive_readonly(const struct folio_archive *arc)
{
	return arc->ops->readonly(arc->st);
}

int folio_archive_schema_version(struct folio_archive *arc)
{
	return arc->ops->schema_version(arc->st);
}

int folio_archive_each_sha(struct folio_archive *arc,
			   int (*fn)(void *ctx, const char *sha256, long long id), void *ctx,
			   struct folio_err *err)
{
	return arc->ops->each_sha(arc->st, fn, ctx, err);
}

long long folio_archive_find_sha(struct folio_archive *arc, const char *sha256,
				 struct folio_err *err)
{
	return arc->ops->find_sha(arc->st, sha256, err);
}

int folio_archive_summary(struct folio_archive *arc, long long id, int *pages, char *type,
			  size_t typelen, struct folio_err *err)
{
	return arc->ops->summary(arc->st, id, pages, type, typelen, err);
}

int folio_archive_has_path(struct folio_archive *arc, long long id, const char *path)
{
	return arc->ops->has_path(arc->st, id, path);
}

int folio_archive_add(struct folio_archive *arc, struct folio_doc *doc, struct folio_err *err)
{
	return arc->ops->add(arc->st, doc, err);
}

int folio_archive_near_texts(struct folio_archive *arc, uint64_t simhash,
			     int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
			     struct folio_err *err)
{
	return arc->ops->near_texts(arc->st, simhash, fn, ctx, err);
}

long long folio_archive_find_invoice(struct folio_archive *arc, const char *seller_tax_id,
				     const char *invoice_number, struct folio_err *err)
{
	return arc->ops->find_invoice(arc->st, seller_tax_id, invoice_number, err);
}

long long folio_archive_vendor_by_tax(struct folio_archive *arc, const char *tax_id,
				      struct folio_err *err)
{
	return arc->ops->vendor_by_tax(arc->st, tax_id, err);
}

long long folio_archive_vendor_by_iban(struct folio_archive *arc, const char *iban,
				       int untaxed_only, struct folio_err *err)
{
	return arc->ops->vendor_by_iban(arc->st, iban, untaxed_only, err);
}

long long folio_archive_vendor_by_key(struct folio_archive *arc, const char *key, int untaxed_only,
				      struct folio_err *err)
{
	return arc->ops->vendor_by_key(arc->st, key, untaxed_only, err);
}

int folio_archive_vendor_keys(struct folio_archive *arc, int untaxed_only,
			      int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
			      struct folio_err *err)
{
	return arc->ops->vendor_keys(arc->st, untaxed_only, fn, ctx, err);
}

long long folio_archive_sdi_invoice(struct folio_archive *arc, const char *file_name,
				    struct folio_err *err)
{
	if (!file_name || !*file_name)
		return 0;
	return arc->ops->sdi_invoice(arc->st, file_name, err);
}

struct sdi_filter {
	struct folio_archive *arc;
	long long doc_id;
	int (*fn)(void *ctx, long long id);
	void *ctx;
	struct folio_err *err;
	int failed, stop;
};

/* A candidate notice: kept when its invoice is this document. */
static int sdi_filter(void *arg, long long id)
{
	struct sdi_filter *f = arg;
	struct folio_doc *d = NULL;
	const struct folio_field *file;
	long long inv;

	if (folio_archive_get(f->arc, id, &d, f->err) != FOLIO_OK) {
		f->failed = 1;
		return 1;
	}
	file = folio_doc_field(d, "sdi_file");
	inv = file ? folio_archive_sdi_invoice(f->arc, file->value, f->err) : 0;
	folio_doc_free(d);
	if (inv < 0) {
		f->failed = 1;
		return 1;
	}
	if (inv == f->doc_id && f->fn(f->ctx, id))
		f->stop = 1;
	return f->stop;
}

int folio_archive_sdi_notices(struct folio_archive *arc, long long doc_id, const char *name,
			      int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err)
{
	struct sdi_filter f = { arc, doc_id, fn, ctx, err, 0, 0 };
	int r;

	if (!name || !*name)
		return FOLIO_OK;
	r = arc->ops->sdi_notices(arc->st, name, sdi_filter, &f, err);
	if (r != FOLIO_OK)
		return r;
	return f.failed ? FOLIO_FATAL : FOLIO_OK;
}

int folio_archive_event(struct folio_archive *arc, const char *kind, long long doc_id,
			const char *sha256, const char *path, const char *detail,
			struct folio_err *err)
{
	return arc->ops->event(arc->st, kind, doc_id, sha256, path, detail, err);
}

int folio_archive_get(struct folio_archive *arc, long long id, struct folio_doc **out,
		      struct folio_err *err)
{
	return arc->ops->get(arc->st, id, out, err);
}

int folio_archive_tag(struct folio_archive *arc, long long id, const char *const *add,
		      const char *const *remove, struct folio_err *err)
{
	return arc->ops->tag(arc->st, id, add, remove, err);
}

int folio_archive_retype(struct folio_archive *arc, long long id, const char *type,
			 struct folio_err *err)
{
	return arc->ops->retype(arc->st, id, type, err);
}

int folio_archive_update_fields(struct folio_archive *arc, const struct folio_doc *doc,
				const char *detail, struct folio_err *err)
{
	return arc->ops->update_fields(arc->st, doc, detail, err);
}

int folio_archive_template_put(struct folio_archive *arc, const struct folio_template *t,
			       struct folio_err *err)
{
	return arc->ops->template_put(arc->st, t, err);
}

int folio_archive_templates(struct folio_archive *arc,
			    int (*fn)(void *ctx, const struct folio_template *t), void *ctx,
			    struct folio_err *err)
{
	return arc->ops->templates(arc->st, fn, ctx, err);
}

long long folio_archive_find_asn(struct folio_archive *arc, const char *asn)
{
	return arc->ops->find_asn(arc->st, asn);
}

int folio_archive_each_confirmed(struct folio_archive *arc,
				 int (*fn)(void *ctx, long long id, const char *type,
					   const char *text),
				 void *ctx, struct folio_err *err)
{
	return arc->ops->each_confirmed(arc->st, fn, ctx, err);
}

int folio_archive_review(struct folio_archive *arc, int limit,
			 int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
			 struct folio_err *err)
{
	return arc->ops->review(arc->st, limit, fn, ctx, err);
}

char *folio_archive_blob_path(const struct folio_archive *arc, const char *sha256)
{
	return arc->ops->blob_path(arc->st, sha256);
}

int folio_archive_search(struct folio_archive *arc, const struct folio_search_opts *opts,
			 int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
			 struct folio_err *err)
{
	return arc->ops->search(arc->st, opts, fn, ctx, err);
}

long long folio_archive_count(struct folio_archive *arc, const struct folio_search_opts *opts,
			      struct folio_err *err)
{
	return arc->ops->count(arc->st, opts, err);
}

int folio_archive_stats(struct folio_archive *arc, struct folio_stats *st, struct folio_err *err)
{
	return arc->ops->stats(arc->st, st, err);
}

int folio_journal_received(struct folio_archive *arc, const char *path, long long size,
			   long long *id, struct folio_err *err)
{
	return arc->ops->journal_received(arc->st, path, size, id, err);
}

int folio_journal_settle(struct folio_archive *arc, long long id, const char *state,
			 long long documents, long long pages, const char *reason,
			 const char *moved_to, struct folio_err *err)
{
	return arc->ops->journal_settle(arc->st, id, state, documents, pages, reason, moved_to,
					err);
}

long long folio_store_cleanup(struct folio_archive *arc)
{
	return arc->ops->store_cleanup(arc->st);
}

long long folio_journal_recover(struct folio_archive *arc, struct folio_err *err)
{
	return arc->ops->journal_recover(arc->st, err);
}

int folio_daemon_beat(struct folio_archive *arc, long pid, double started_at, long long queue,
		      long long unsettled, const char *inboxes, struct folio_err *err)
{
	return arc->ops->daemon_beat(arc->st, pid, started_at, queue, unsettled, inboxes, err);
}

int folio_daemon_gone(struct folio_archive *arc, long pid)
{
	return arc->ops->daemon_gone(arc->st, pid);
}

int folio_archive_status(struct folio_archive *arc, struct folio_status *st, struct folio_err *err)
{
	return arc->ops->status(arc->st, st, err);
}

long long folio_archive_verify(struct folio_archive *arc,
			       void (*fn)(void *arg, const char *problem), void *arg,
			       int daemon_alive, struct folio_err *err)
{
	return arc->ops->verify(arc->st, fn, arg, daemon_alive, err);
}

int folio_archive_vendors(struct folio_archive *arc, int limit,
			  int (*fn)(void *ctx, const struct folio_vendor *v), void *ctx,
			  struct folio_err *err)
{
	return arc->ops->vendors(arc->st, limit, fn, ctx, err);
}

int folio_ledger_exported(struct folio_archive *arc, long long doc_id, const char *target,
			  struct folio_err *err)
{
	return arc->ops->ledger_exported(arc->st, doc_id, target, err);
}

long long folio_ledger_key_owner(struct folio_archive *arc, const char *target, const char *key,
				 long long not_doc, long long *batch, struct folio_err *err)
{
	return arc->ops->ledger_key_owner(arc->st, target, key, not_doc, batch, err);
}

int folio_ledger_record(struct folio_archive *arc, const struct folio_ledger_batch *b,
			long long *id, struct folio_err *err)
{
	return arc->ops->ledger_record(arc->st, b, id, err);
}

long long folio_ledger_next(struct folio_archive *arc, struct folio_err *err)
{
	return arc->ops->ledger_next ? arc->ops->ledger_next(arc->st, err) : 0;
}

int folio_ledger_done(struct folio_archive *arc, long long id, struct folio_err *err)
{
	return arc->ops->ledger_done(arc->st, id, err);
}

int folio_ledger_batches(struct folio_archive *arc, int pending,
			 int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
			 struct folio_err *err)
{
	return arc->ops->ledger_batches(arc->st, pending, fn, ctx, err);
}

int folio_ledger_batch(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		       struct folio_err *err)
{
	return arc->ops->ledger_batch(arc->st, id, fn, ctx, err);
}

int folio_ledger_files(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
				 const char *copy),
		       void *ctx, struct folio_err *err)
{
	return arc->ops->ledger_files(arc->st, id, fn, ctx, err);
}

int folio_ledger_items(struct folio_archive *arc, long long id,
		       int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		       struct folio_err *err)
{
	return arc->ops->ledger_items(arc->st, id, fn, ctx, err);
}

char *folio_archive_vendor_name(struct folio_archive *arc, long long id)
{
	return arc->ops->vendor_name(arc->st, id);
}
