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

#include "archive_private.h"
#include "chain.h"
#include "folio/util.h"

/* Asked in order; the last one (SQLite, a folder) accepts any path. */
static const struct folio_store_ops *const backends[] = {
	&folio_pg_ops,
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

/* Ids a store look-up gives, at most 64 (a notice has a handful). */
struct ids {
	long long id[64];
	size_t n;
};

static int keep_id(void *ctx, long long id)
{
	struct ids *l = ctx;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->id[i] == id)
			return 0;
	if (l->n < sizeof(l->id) / sizeof(l->id[0]))
		l->id[l->n++] = id;
	return 0;
}

/* The invoice of the document with id `id` when it is a notice; 0 else. */
static long long invoice_of_id(struct folio_archive *arc, long long id, int by_sdi_id,
			       struct folio_err *err)
{
	struct folio_doc *d = NULL;
	const struct folio_field *f;
	long long inv = 0;

	if (folio_archive_get(arc, id, &d, err) != FOLIO_OK)
		return -1;
	if (by_sdi_id)
		inv = folio_archive_sdi_invoice_of(arc, d, err);
	else if ((f = folio_doc_field(d, "sdi_file")))
		inv = folio_archive_sdi_invoice(arc, f->value, err);
	folio_doc_free(d);
	return inv;
}

long long folio_archive_sdi_invoice_of(struct folio_archive *arc, const struct folio_doc *notice,
				       struct folio_err *err)
{
	const struct folio_field *file = folio_doc_field(notice, "sdi_file"),
				 *sid = folio_doc_field(notice, "sdi_id");
	struct ids same = { .n = 0 };
	long long inv = 0;
	size_t i;

	if (!folio_doc_field(notice, "sdi_notice"))
		return 0;
	if (file && (inv = folio_archive_sdi_invoice(arc, file->value, err)) != 0)
		return inv;
	if (!sid || !*sid->value)
		return 0;
	/* by its SDI id: the file another notice of that id names */
	if (arc->ops->sdi_by_id(arc->st, sid->value, keep_id, &same, err) != FOLIO_OK)
		return -1;
	for (i = 0; i < same.n && !inv; i++)
		if (same.id[i] != notice->id)
			inv = invoice_of_id(arc, same.id[i], 0, err);
	return inv;
}

int folio_archive_sdi_notices(struct folio_archive *arc, long long doc_id, const char *name,
			      int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err)
{
	struct ids cand = { .n = 0 }, ids = { .n = 0 };
	size_t i, k, n;
	long long inv;
	int r;

	if (!name || !*name)
		return FOLIO_OK;
	/* the notices naming the file, then those sharing their SDI ids */
	if (arc->ops->sdi_notices(arc->st, name, keep_id, &cand, err) != FOLIO_OK)
		return FOLIO_FATAL;
	for (i = 0, n = cand.n; i < n; i++) {
		struct folio_doc *d = NULL;
		const struct folio_field *sid;

		if (folio_archive_get(arc, cand.id[i], &d, err) != FOLIO_OK)
			return FOLIO_FATAL;
		sid = folio_doc_field(d, "sdi_id");
		r = sid ? arc->ops->sdi_by_id(arc->st, sid->value, keep_id, &cand, err) : FOLIO_OK;
		folio_doc_free(d);
		if (r != FOLIO_OK)
			return FOLIO_FATAL;
	}
	for (i = 0; i < cand.n; i++) {
		if ((inv = invoice_of_id(arc, cand.id[i], 1, err)) < 0)
			return FOLIO_FATAL;
		if (inv == doc_id)
			keep_id(&ids, cand.id[i]);
	}
	/* oldest first */
	for (i = 1; i < ids.n; i++)
		for (k = i; k > 0 && ids.id[k - 1] > ids.id[k]; k--) {
			long long t = ids.id[k];

			ids.id[k] = ids.id[k - 1];
			ids.id[k - 1] = t;
		}
	for (i = 0; i < ids.n; i++)
		if (fn(ctx, ids.id[i]))
			break;
	return FOLIO_OK;
}

int folio_archive_event(struct folio_archive *arc, const char *kind, long long doc_id,
			const char *sha256, const char *path, const char *detail,
			struct folio_err *err)
{
	return arc->ops->event(arc->st, kind, doc_id, sha256, path, detail, err);
}

int folio_archive_events(struct folio_archive *arc, long long doc_id, const char *since,
			 int (*fn)(void *ctx, const struct folio_event *ev), void *ctx,
			 struct folio_err *err)
{
	return arc->ops->events(arc->st, doc_id, since, 0, fn, ctx, err);
}

struct chain_walk {
	struct folio_chain *c;
	int oom;
};

static int chain_event(void *ctx, const struct folio_event *ev)
{
	struct chain_walk *w = ctx;
	char msg[320];

	if (folio_chain_step(w->c, ev, msg, sizeof(msg)) < 0) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

int folio_archive_chain(struct folio_archive *arc, struct folio_chain *c, struct folio_err *err)
{
	struct chain_walk w = { c, 0 };

	folio_chain_init(c);
	if (arc->ops->events(arc->st, 0, NULL, 1, chain_event, &w, err) != FOLIO_OK)
		return FOLIO_FAILED;
	if (w.oom)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

int folio_archive_hold_state(struct folio_archive *arc, long long id, struct folio_hold *h,
			     struct folio_err *err)
{
	memset(h, 0, sizeof(*h));
	return arc->ops->hold_state(arc->st, id, h, err);
}

/* A reason kept in the audit log: one line of 1 to 1000 bytes. */
static int check_reason(const char *detail, const char *what, struct folio_err *err)
{
	size_t n = detail ? strlen(detail) : 0, i;

	if (!n || n > 1000)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "%s needs a reason of 1 to 1000 bytes", what);
	for (i = 0; i < n; i++)
		if ((unsigned char)detail[i] < ' ' || detail[i] == 0x7f)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "%s's reason is one line of text", what);
	return FOLIO_OK;
}

int folio_archive_hold(struct folio_archive *arc, long long id, int on, const char *detail,
		       struct folio_err *err)
{
	if (check_reason(detail, "a legal hold", err) != FOLIO_OK)
		return FOLIO_FAILED;
	return arc->ops->hold(arc->st, id, on, detail, err);
}

int folio_archive_delete(struct folio_archive *arc, long long id, const char *detail, int flags,
			 struct folio_deletion *d, struct folio_err *err)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	if (check_reason(detail, "a deletion", err) != FOLIO_OK)
		return FOLIO_FAILED;
	if (!arc->ops->delete_doc)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, ENOSYS,
				     "folio delete is not available on %s archives yet",
				     arc->ops->name);
	return arc->ops->delete_doc(arc->st, id, detail, flags, d, err);
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

int folio_ledger_copy(struct folio_archive *arc, long long id, const char *name, const char *copy,
		      unsigned char **data, size_t *len, struct folio_err *err)
{
	return arc->ops->ledger_copy(arc->st, id, name, copy, data, len, err);
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

int folio_mail_folder(struct folio_archive *arc, const char *account, const char *folder,
		      uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err)
{
	return arc->ops->mail_folder(arc->st, account, folder, uidvalidity, last_uid, err);
}

int folio_mail_folder_reset(struct folio_archive *arc, const char *account, const char *folder,
			    uint32_t uidvalidity, struct folio_err *err)
{
	return arc->ops->mail_folder_reset(arc->st, account, folder, uidvalidity, err);
}

int folio_mail_message(struct folio_archive *arc, const char *account, const char *folder,
		       uint32_t uidvalidity, uint32_t uid, const char *state, const char *sha256,
		       long long size, const char *reason, struct folio_err *err)
{
	return arc->ops->mail_message(arc->st, account, folder, uidvalidity, uid, state, sha256,
				      size, reason, err);
}

int folio_mail_unfinished(struct folio_archive *arc, const char *account, const char *folder,
			  uint32_t uidvalidity,
			  int (*fn)(void *ctx, uint32_t uid, const char *state, const char *sha256),
			  void *ctx, struct folio_err *err)
{
	return arc->ops->mail_unfinished(arc->st, account, folder, uidvalidity, fn, ctx, err);
}

int folio_mail_poll_record(struct folio_archive *arc, const char *account, const char *error,
			   struct folio_err *err)
{
	return arc->ops->mail_poll_record(arc->st, account, error, err);
}

int folio_mail_state(struct folio_archive *arc, const char *account, struct folio_mail_state *st,
		     int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity,
			       uint32_t last_uid),
		     void *ctx, struct folio_err *err)
{
	return arc->ops->mail_state(arc->st, account, st, fn, ctx, err);
}
