/*
 * pg_private.h - what the PostgreSQL backend's files share (src/archive/pg/).
 *
 * An archive on PostgreSQL is one database: the same tables as the SQLite
 * backend's (documents, pages, fields, tags, codes, events, journal,
 * vendors...), the originals in it too (content-addressed, in 1 MiB
 * chunks), so a station needs nothing but a connection. The handle is one
 * libpq connection, used by one thread at a time like every archive
 * handle.
 */
#ifndef FOLIO_PG_PRIVATE_H
#define FOLIO_PG_PRIVATE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "folio/archive.h"

/* an original is stored as rows of at most this many bytes */
#define PG_CHUNK (1024 * 1024)

/* The folio version named in "not available yet" messages. */
#ifndef FOLIO_VERSION
#define FOLIO_VERSION "dev"
#endif

struct folio_store {
	PGconn *conn;
	char *display; /* the address without any secret: messages and dir() */
	int rdonly;
	char sqlstate[6]; /* of the last failed statement, "" when none */
};

/* Apply the pending migrations (schema.c); a database without folio's
 * tables is FOLIO_E_NOTFOUND unless `create`. */
int pg_migrate(struct folio_store *s, int create, struct folio_err *err);

/*
 * Run `sql` with the parameters described by `types`, one letter each:
 * 's' text (NULL: SQL NULL), 'i' long long, 'd' double, 'b' binary (a
 * pointer and a size_t). Returns the result (caller PQclear()s) or NULL
 * with err set ("WHAT: reason") and store->sqlstate the failure's code.
 */
PGresult *pg_run(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
		 const char *types, ...);

/* The same without a result wanted: FOLIO_OK or FOLIO_FAILED (err set). */
int pg_do(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
	  const char *types, ...);

/* Fill err from a failed result (res may be NULL: the connection's
 * error); returns FOLIO_FAILED. */
int pg_err(struct folio_store *s, const PGresult *res, struct folio_err *err, const char *what);

/* Connect again when the server dropped the connection (called before
 * each statement; a dropped connection has no transaction to lose). */
void pg_alive(struct folio_store *s);

/* BEGIN, COMMIT (FOLIO_OK or err set) and ROLLBACK (ignores errors). */
int pg_begin(struct folio_store *s, struct folio_err *err);
int pg_commit(struct folio_store *s, struct folio_err *err);
void pg_rollback(struct folio_store *s);

/* BEGIN, then document `id`'s row locked FOR UPDATE (a deletion, a hold
 * or a change of the same document waits); rolled back and
 * FOLIO_E_NOTFOUND "no document with id N" when there is none. */
int pg_begin_on_doc(struct folio_store *s, long long id, const char *what, struct folio_err *err);

/* Row i, column j as text ("" for NULL), as a number, NULL-ness. */
const char *pg_str(const PGresult *r, int i, int j);
long long pg_ll(const PGresult *r, int i, int j);
double pg_dbl(const PGresult *r, int i, int j);
int pg_null(const PGresult *r, int i, int j);

/* The first column of the first row of `sql` as a number: 0 without a
 * row, -1 on error (err set). */
long long pg_one(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
		 const char *types, ...);

/* "<what> is not available on PostgreSQL archives yet (folio X.Y)":
 * FOLIO_FAILED with FOLIO_E_USAGE. */
int pg_unavailable(struct folio_err *err, const char *what);

/* Store the original bytes (content-addressed, chunked) unless present;
 * inside the caller's transaction. */
int pg_put_original(struct folio_store *s, const char *sha256, const void *data, size_t len,
		    struct folio_err *err);

/*
 * Call fn with each chunk of original `sha256`, in order, one chunk in
 * memory at a time (libpq's single-row mode); fn returns non-zero to stop
 * calling it (the rows are still read to the end). Returns the number of
 * chunks read, or -1 with err set.
 */
long long pg_each_chunk(struct folio_store *s, const char *sha256,
			int (*fn)(void *ctx, const void *data, size_t len), void *ctx,
			struct folio_err *err);

/* Append to the hash-chained audit log, serialised against every other
 * writer of the database (a table lock held to the end of the caller's
 * transaction, or of its own when none is open). */
int pg_event(struct folio_store *s, const char *kind, long long doc_id, const char *sha256,
	     const char *path, const char *detail, struct folio_err *err);

/* The vendor registry's record of a stored document (see vendors.h of the
 * SQLite backend, same rules), inside the caller's transaction. */
int pg_vendor_record(struct folio_store *s, const struct folio_doc *doc, const char *at,
		     struct folio_err *err);

/* ---- the backend's side of struct folio_store_ops --------------------------- */

int pg_accepts(const char *where);
struct folio_store *pg_open(const char *where, int flags, struct folio_err *err);
void pg_close(struct folio_store *s);
const char *pg_dir(const struct folio_store *s);
int pg_readonly(const struct folio_store *s);
int pg_schema_version(struct folio_store *s);

int pg_each_sha(struct folio_store *s, int (*fn)(void *ctx, const char *sha256, long long id),
		void *ctx, struct folio_err *err);
long long pg_find_sha(struct folio_store *s, const char *sha256, struct folio_err *err);
int pg_summary(struct folio_store *s, long long id, int *pages, char *type, size_t typelen,
	       struct folio_err *err);
int pg_has_path(struct folio_store *s, long long id, const char *path);
int pg_add(struct folio_store *s, struct folio_doc *doc, struct folio_err *err);
int pg_get(struct folio_store *s, long long id, struct folio_doc **out, struct folio_err *err);
int pg_tag(struct folio_store *s, long long id, const char *const *add, const char *const *remove,
	   struct folio_err *err);
int pg_retype(struct folio_store *s, long long id, const char *type, struct folio_err *err);
int pg_update_fields(struct folio_store *s, const struct folio_doc *doc, const char *detail,
		     struct folio_err *err);
int pg_template_put(struct folio_store *s, const struct folio_template *t, struct folio_err *err);
int pg_templates(struct folio_store *s, int (*fn)(void *ctx, const struct folio_template *t),
		 void *ctx, struct folio_err *err);
long long pg_find_asn(struct folio_store *s, const char *asn);
int pg_each_confirmed(struct folio_store *s,
		      int (*fn)(void *ctx, long long id, const char *type, const char *text),
		      void *ctx, struct folio_err *err);
int pg_review(struct folio_store *s, int limit,
	      int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
	      struct folio_err *err);
char *pg_blob_path(const struct folio_store *s, const char *sha256);
int pg_stats(struct folio_store *s, struct folio_stats *st, struct folio_err *err);
char *pg_vendor_name(struct folio_store *s, long long id);

int pg_search(struct folio_store *s, const struct folio_search_opts *opts,
	      int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx, struct folio_err *err);
long long pg_count(struct folio_store *s, const struct folio_search_opts *opts,
		   struct folio_err *err);

int pg_journal_received(struct folio_store *s, const char *path, long long size, long long *id,
			struct folio_err *err);
int pg_journal_settle(struct folio_store *s, long long id, const char *state, long long documents,
		      long long pages, const char *reason, const char *moved_to,
		      struct folio_err *err);
long long pg_store_cleanup(struct folio_store *s);
long long pg_journal_recover(struct folio_store *s, struct folio_err *err);
int pg_daemon_beat(struct folio_store *s, long pid, double started_at, long long queue,
		   long long unsettled, const char *inboxes, struct folio_err *err);
int pg_daemon_gone(struct folio_store *s, long pid);
int pg_status(struct folio_store *s, struct folio_status *st, struct folio_err *err);
long long pg_verify(struct folio_store *s, void (*fn)(void *arg, const char *problem), void *arg,
		    int daemon_alive, struct folio_err *err);

int pg_near_texts(struct folio_store *s, uint64_t h,
		  int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
		  struct folio_err *err);
long long pg_find_invoice(struct folio_store *s, const char *seller_tax_id,
			  const char *invoice_number, struct folio_err *err);
long long pg_vendor_by_tax(struct folio_store *s, const char *tax_id, struct folio_err *err);
long long pg_vendor_by_iban(struct folio_store *s, const char *iban, int untaxed_only,
			    struct folio_err *err);
long long pg_vendor_by_key(struct folio_store *s, const char *key, int untaxed_only,
			   struct folio_err *err);
int pg_vendor_keys(struct folio_store *s, int untaxed_only,
		   int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
		   struct folio_err *err);
int pg_vendors(struct folio_store *s, int limit, int (*fn)(void *ctx, const struct folio_vendor *v),
	       void *ctx, struct folio_err *err);
long long pg_sdi_invoice(struct folio_store *s, const char *file_name, struct folio_err *err);
int pg_sdi_notices(struct folio_store *s, const char *file, int (*fn)(void *ctx, long long id),
		   void *ctx, struct folio_err *err);
int pg_ledger_exported(struct folio_store *s, long long doc_id, const char *target,
		       struct folio_err *err);
long long pg_ledger_key_owner(struct folio_store *s, const char *target, const char *key,
			      long long not_doc, long long *batch, struct folio_err *err);
long long pg_ledger_next(struct folio_store *s, struct folio_err *err);
int pg_ledger_record(struct folio_store *s, const struct folio_ledger_batch *b, long long *id,
		     struct folio_err *err);
int pg_ledger_done(struct folio_store *s, long long id, struct folio_err *err);
int pg_ledger_batches(struct folio_store *s, int pending,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err);
int pg_ledger_batch(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		    struct folio_err *err);
int pg_ledger_files(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
			      const char *copy),
		    void *ctx, struct folio_err *err);
int pg_ledger_copy(struct folio_store *s, long long id, const char *name, const char *copy,
		   unsigned char **data, size_t *len, struct folio_err *err);
int pg_ledger_items(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		    struct folio_err *err);

/* folio migrate (move.c) */
int pg_rows(struct folio_store *s, const char *table, const char *const *cols, int ncols,
	    int (*fn)(void *ctx, const struct folio_cell *row), void *ctx, struct folio_err *err);
int pg_put_row(struct folio_store *s, const char *table, const char *const *cols, int ncols,
	       const struct folio_cell *row, struct folio_err *err);
int pg_move_original(struct folio_store *s, const char *sha256, const void *data, size_t len,
		     struct folio_err *err);
int pg_moving(struct folio_store *s, int start, struct folio_err *err);
long long pg_table_rows(struct folio_store *s, const char *table, struct folio_err *err);
int pg_empty(struct folio_store *s, struct folio_err *err);

int pg_sdi_by_id(struct folio_store *s, const char *sdi_id, int (*fn)(void *ctx, long long id),
		 void *ctx, struct folio_err *err);

/* records.c: the audit trail read back (folio_archive_events), legal hold */
#define PG_HELD_SQL                                                                        \
	"SELECT e.doc_id FROM events e WHERE e.kind = 'held' AND e.id = (SELECT max(x.id)" \
	" FROM events x WHERE x.doc_id = e.doc_id AND x.kind IN ('held', 'released'))"
int pg_hold(struct folio_store *s, long long id, int on, const char *detail, struct folio_err *err);
int pg_hold_state(struct folio_store *s, long long id, struct folio_hold *h, struct folio_err *err);
int pg_events(struct folio_store *s, long long doc_id, const char *since, int chain_only,
	      int (*fn)(void *ctx, const struct folio_event *ev), void *ctx, struct folio_err *err);

#endif
