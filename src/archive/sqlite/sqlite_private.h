/* sqlite_private.h - what the SQLite backend's files share. */
#ifndef FOLIO_SQLITE_PRIVATE_H
#define FOLIO_SQLITE_PRIVATE_H

#include <sqlite3.h>
#include <stdint.h>
#include <sys/types.h>

#include "folio/archive.h"

struct folio_store {
	char *dir;
	char *store_dir;
	sqlite3 *db;
	int rdonly;
	/* an archive holds invoices and personal data: its folders are 0700
	 * and its files 0600 (originals 0400), or with group read (0750,
	 * 0640, 0440) when the archive folder itself was made group-readable
	 * (chgrp GROUP DIR; chmod 2750 DIR): modes for what it creates */
	mode_t dir_mode, file_mode, blob_mode;
	int busy_ms; /* how long a statement waits for another writer */
};

/* Create an archive at schema `version` (older than the current one),
 * for tests of the upgrade path. Not thread-safe. */
int folio_archive_create_version(const char *dir, int version, struct folio_err *err);

/* Register the "folio" FTS5 tokenizer on a connection. */
int folio_fts_register(sqlite3 *db);

/* Run `sql` (no rows wanted); FOLIO_OK, or the connection's error in err. */
int folio_db_exec(struct folio_store *arc, const char *sql, struct folio_err *err);

/* Fill err from the connection's last error; returns FOLIO_FAILED. */
int folio_db_err(struct folio_store *arc, struct folio_err *err, const char *what);

/* Write the original bytes to the store unless already there. */
int folio_store_put(struct folio_store *arc, const char *sha256, const void *data, size_t len,
		    struct folio_err *err);

/*
 * Visit every entry of the store's two folder levels: fn gets the two
 * folder names ("ab", "cd"; NULL for an entry that should have been a
 * folder), the entry's name and its full path. Returns -1 when the store
 * folder itself cannot be read.
 */
int folio_store_walk(struct folio_store *arc,
		     void (*fn)(void *ctx, const char *d1, const char *d2, const char *name,
				const char *path),
		     void *ctx);

/* `folio verify`'s export part: every batch's kept copies present and
 * unchanged, no batch left pending. Calls fn per problem; returns the
 * number of problems. */
long long folio_ledger_verify(struct folio_store *arc, void (*fn)(void *arg, const char *problem),
			      void *arg);

/* ---- the SQLite backend's side of struct folio_store_ops ------------------ */

/* Open (or create) the archive in folder `dir`; see folio_archive_open(). */
/*
 * SimHash bands (lookup.c): the 64 bits cut into 7 bands; two fingerprints
 * within FOLIO_SIMHASH_NEAR (6) bits agree on at least one band
 * (pigeonhole), so looking up the 7 bands finds every near-duplicate
 * candidate. sq_band_value() is band `band`'s bits of `h`.
 */
#define SQ_SIMHASH_BANDS 7
long long sq_band_value(uint64_t h, int band);

int sq_near_texts(struct folio_store *arc, uint64_t h,
		  int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
		  struct folio_err *err);
long long sq_find_invoice(struct folio_store *arc, const char *seller_tax_id,
			  const char *invoice_number, struct folio_err *err);
long long sq_vendor_by_tax(struct folio_store *arc, const char *tax_id, struct folio_err *err);
long long sq_vendor_by_iban(struct folio_store *arc, const char *iban, int untaxed_only,
			    struct folio_err *err);
long long sq_vendor_by_key(struct folio_store *arc, const char *key, int untaxed_only,
			   struct folio_err *err);
int sq_vendor_keys(struct folio_store *arc, int untaxed_only,
		   int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
		   struct folio_err *err);

long long sq_sdi_invoice(struct folio_store *arc, const char *file_name, struct folio_err *err);
int sq_sdi_notices(struct folio_store *arc, const char *file, int (*fn)(void *ctx, long long id),
		   void *ctx, struct folio_err *err);
int sq_mail_poll_record(struct folio_store *arc, const char *account, const char *error,
			struct folio_err *err);
int sq_mail_state(struct folio_store *arc, const char *account, struct folio_mail_state *st,
		  int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity, uint32_t last_uid),
		  void *ctx, struct folio_err *err);
int sq_sdi_by_id(struct folio_store *arc, const char *sdi_id, int (*fn)(void *ctx, long long id),
		 void *ctx, struct folio_err *err);

struct folio_store *sq_open(const char *dir, int flags, struct folio_err *err);
void sq_close(struct folio_store *arc);
const char *sq_dir(const struct folio_store *arc);
int sq_readonly(const struct folio_store *arc);
int sq_schema_version(struct folio_store *arc);
int sq_each_sha(struct folio_store *arc, int (*fn)(void *ctx, const char *sha256, long long id),
		void *ctx, struct folio_err *err);
long long sq_find_sha(struct folio_store *arc, const char *sha256, struct folio_err *err);
int sq_summary(struct folio_store *arc, long long id, int *pages, char *type, size_t typelen,
	       struct folio_err *err);
int sq_has_path(struct folio_store *arc, long long id, const char *path);
int sq_add(struct folio_store *arc, struct folio_doc *doc, struct folio_err *err);
int sq_event(struct folio_store *arc, const char *kind, long long doc_id, const char *sha256,
	     const char *path, const char *detail, struct folio_err *err);
int sq_get(struct folio_store *arc, long long id, struct folio_doc **out, struct folio_err *err);

/* Column i of the row at st as text, "" for NULL (db.c). */
const char *sq_col(sqlite3_stmt *st, int i);
int sq_tag(struct folio_store *arc, long long id, const char *const *add, const char *const *remove,
	   struct folio_err *err);
int sq_retype(struct folio_store *arc, long long id, const char *type, struct folio_err *err);
int sq_update_fields(struct folio_store *arc, const struct folio_doc *doc, const char *detail,
		     struct folio_err *err);
int sq_template_put(struct folio_store *arc, const struct folio_template *t, struct folio_err *err);
int sq_templates(struct folio_store *arc, int (*fn)(void *ctx, const struct folio_template *t),
		 void *ctx, struct folio_err *err);
long long sq_find_asn(struct folio_store *arc, const char *asn);
int sq_each_confirmed(struct folio_store *arc,
		      int (*fn)(void *ctx, long long id, const char *type, const char *text),
		      void *ctx, struct folio_err *err);
int sq_review(struct folio_store *arc, int limit,
	      int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
	      struct folio_err *err);
char *sq_blob_path(const struct folio_store *arc, const char *sha256);
int sq_search(struct folio_store *arc, const struct folio_search_opts *opts,
	      int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx, struct folio_err *err);
long long sq_count(struct folio_store *arc, const struct folio_search_opts *opts,
		   struct folio_err *err);
int sq_stats(struct folio_store *arc, struct folio_stats *st, struct folio_err *err);
int sq_journal_received(struct folio_store *arc, const char *path, long long size, long long *id,
			struct folio_err *err);
int sq_journal_settle(struct folio_store *arc, long long id, const char *state, long long documents,
		      long long pages, const char *reason, const char *moved_to,
		      struct folio_err *err);
long long sq_store_cleanup(struct folio_store *arc);
long long sq_journal_recover(struct folio_store *arc, struct folio_err *err);
int sq_mail_folder(struct folio_store *arc, const char *account, const char *folder,
		   uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err);
int sq_mail_folder_reset(struct folio_store *arc, const char *account, const char *folder,
			 uint32_t uidvalidity, struct folio_err *err);
int sq_mail_message(struct folio_store *arc, const char *account, const char *folder,
		    uint32_t uidvalidity, uint32_t uid, const char *state, const char *sha256,
		    long long size, const char *reason, struct folio_err *err);
int sq_mail_unfinished(struct folio_store *arc, const char *account, const char *folder,
		       uint32_t uidvalidity,
		       int (*fn)(void *ctx, uint32_t uid, const char *state, const char *sha256),
		       void *ctx, struct folio_err *err);
int sq_daemon_beat(struct folio_store *arc, long pid, double started_at, long long queue,
		   long long unsettled, const char *inboxes, struct folio_err *err);
int sq_daemon_gone(struct folio_store *arc, long pid);
int sq_status(struct folio_store *arc, struct folio_status *st, struct folio_err *err);
long long sq_verify(struct folio_store *arc, void (*fn)(void *arg, const char *problem), void *arg,
		    int daemon_alive, struct folio_err *err);
int sq_vendors(struct folio_store *arc, int limit,
	       int (*fn)(void *ctx, const struct folio_vendor *v), void *ctx,
	       struct folio_err *err);
int sq_ledger_exported(struct folio_store *arc, long long doc_id, const char *target,
		       struct folio_err *err);
long long sq_ledger_key_owner(struct folio_store *arc, const char *target, const char *key,
			      long long not_doc, long long *batch, struct folio_err *err);
int sq_ledger_record(struct folio_store *arc, const struct folio_ledger_batch *b, long long *id,
		     struct folio_err *err);
int sq_ledger_done(struct folio_store *arc, long long id, struct folio_err *err);
long long sq_ledger_next(struct folio_store *arc, struct folio_err *err);
int sq_ledger_batches(struct folio_store *arc, int pending,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err);
int sq_ledger_batch(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		    struct folio_err *err);
int sq_ledger_files(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
			      const char *copy),
		    void *ctx, struct folio_err *err);
int sq_ledger_items(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		    struct folio_err *err);
int sq_ledger_copy(struct folio_store *arc, long long id, const char *name, const char *copy,
		   unsigned char **data, size_t *len, struct folio_err *err);
char *sq_vendor_name(struct folio_store *arc, long long id);
/* The ids of the documents on legal hold: those whose latest held or
 * released event is "held" (records.c, query.c's is:held). */
#define SQ_HELD_SQL                                                                        \
	"SELECT e.doc_id FROM events e WHERE e.kind = 'held' AND e.id = (SELECT max(x.id)" \
	" FROM events x WHERE x.doc_id = e.doc_id AND x.kind IN ('held', 'released'))"
int sq_events(struct folio_store *arc, long long doc_id, const char *since, int chain_only,
	      int (*fn)(void *ctx, const struct folio_event *ev), void *ctx, struct folio_err *err);
int sq_delete_doc(struct folio_store *arc, long long id, const char *detail, int flags,
		  struct folio_deletion *d, struct folio_err *err);
int sq_hold(struct folio_store *arc, long long id, int on, const char *detail,
	    struct folio_err *err);
int sq_hold_state(struct folio_store *arc, long long id, struct folio_hold *h,
		  struct folio_err *err);

/* folio migrate (move.c) */
int sq_rows(struct folio_store *arc, const char *table, const char *const *cols, int ncols,
	    int (*fn)(void *ctx, const struct folio_cell *row), void *ctx, struct folio_err *err);
int sq_put_row(struct folio_store *arc, const char *table, const char *const *cols, int ncols,
	       const struct folio_cell *row, struct folio_err *err);
int sq_put_original(struct folio_store *arc, const char *sha256, const void *data, size_t len,
		    struct folio_err *err);
int sq_moving(struct folio_store *arc, int start, struct folio_err *err);
long long sq_table_rows(struct folio_store *arc, const char *table, struct folio_err *err);
int sq_empty(struct folio_store *arc, struct folio_err *err);

/* The SQLite connection of an archive the SQLite backend opened (tests
 * read the database behind the interface); NULL for another backend. */
sqlite3 *folio_sqlite_db(struct folio_archive *arc);
/* The SQLite backend's handle of such an archive, NULL for another. */
struct folio_store *folio_sqlite_store(struct folio_archive *arc);

#endif
