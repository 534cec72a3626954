/*
 * export_ledger.c - the export ledger: which document went to which target in
 * which batch, and a copy of every byte written (see archive.h).
 *
 * The commit point of an export is folio_ledger_record(): the copies are
 * fsynced under ARCHIVE/exports/ID/ first, then the rows commit in one
 * transaction. Before it nothing is recorded (a crash leaves at most a
 * stray copy folder, removed when that number is used again); after it
 * the batch is 'pending' until the pipeline has put the files in place,
 * and a pending batch is completed from the copies after a crash.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "folio/util.h"

static int prep(struct folio_store *arc, sqlite3_stmt **st, const char *sql, struct folio_err *err)
{
	if (sqlite3_prepare_v2(arc->db, sql, -1, st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "export ledger");
	return FOLIO_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : NULL;
}

int sq_ledger_exported(struct folio_store *arc, long long doc_id, const char *target,
		       struct folio_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (prep(arc, &st, "SELECT 1 FROM exports WHERE doc_id = ? AND target = ?", err))
		return -1;
	sqlite3_bind_int64(st, 1, doc_id);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	return r == SQLITE_ROW;
}

long long sq_ledger_key_owner(struct folio_store *arc, const char *target, const char *key,
			      long long not_doc, long long *batch, struct folio_err *err)
{
	sqlite3_stmt *st;
	long long id = 0;
	int r;

	if (!key)
		return 0;
	if (prep(arc, &st,
		 "SELECT doc_id, batch_id FROM exports WHERE target = ? AND "
		 "invoice_key = ? AND doc_id != ? ORDER BY at LIMIT 1",
		 err))
		return -1;
	sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, not_doc);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (batch)
			*batch = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	return id;
}

static char *batch_dir(const struct folio_store *arc, long long id)
{
	char name[64];
	char *exports, *dir;

	snprintf(name, sizeof(name), "%lld", id);
	if (!(exports = folio_path_join(arc->dir, "exports")))
		return NULL;
	dir = folio_path_join(exports, name);
	free(exports);
	return dir;
}

static char *copy_path(const char *dir, const char *name)
{
	return folio_path_join(dir, *name ? name : "output");
}

/* Remove a copy folder left by a batch that never committed. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *p;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((p = folio_path_join(dir, e->d_name))) {
			unlink(p);
			free(p);
		}
	}
	closedir(d);
	rmdir(dir);
}

static int exec(struct folio_store *arc, const char *sql, struct folio_err *err)
{
	if (sqlite3_exec(arc->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "export ledger");
	return FOLIO_OK;
}

long long sq_ledger_next(struct folio_store *arc, struct folio_err *err)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (prep(arc, &st, "SELECT coalesce(max(id), 0) + 1 FROM export_batches", err))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		folio_db_err(arc, err, "export ledger");
	sqlite3_finalize(st);
	return n;
}

/* Write the copies of a batch's files, fsynced, into `dir`. */
static int write_copies(const struct folio_store *arc, const char *dir,
			const struct folio_ledger_batch *b, struct folio_err *err)
{
	size_t i;
	char *p;
	int r;

	remove_dir(dir);
	if ((r = folio_mkdirs(dir, arc->dir_mode, err)) != FOLIO_OK)
		return r;
	/* a fresh folder no one reads before the commit: the files go in
	 * directly and one filesystem flush makes them all durable */
	for (i = 0; i < b->nfiles; i++) {
		if (!(p = copy_path(dir, b->files[i].name)))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		r = folio_write_file_new(p, b->files[i].data, b->files[i].len, (int)arc->blob_mode,
					 err);
		free(p);
		if (r != FOLIO_OK)
			return r;
	}
	if (folio_fault("ledger-sync-eio"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, EIO, "cannot sync '%s': %s",
				     dir, strerror(EIO));
	return folio_sync_dir_fs(dir, err);
}

/* The batch's row, pending until its copies are written; *id gets it. */
static int insert_batch(struct folio_store *arc, const struct folio_ledger_batch *b, const char *at,
			long long *id, struct folio_err *err)
{
	sqlite3_stmt *st = NULL;
	long long bytes = 0;
	size_t i;
	int r;

	for (i = 0; i < b->nfiles; i++)
		bytes += (long long)b->files[i].len;
	if ((r = prep(arc, &st,
		      "INSERT INTO export_batches(target, format, profile, query, "
		      "out, state, documents, bytes, created_at) VALUES (?, ?, ?, ?, ?, "
		      "'pending', ?, ?, ?)",
		      err)))
		return r;
	sqlite3_bind_text(st, 1, b->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->format, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->profile, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->query, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->out, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (long long)b->nitems);
	sqlite3_bind_int64(st, 7, bytes);
	sqlite3_bind_text(st, 8, b->now ? b->now : at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = folio_db_err(arc, err, "export ledger");
	else
		*id = sqlite3_last_insert_rowid(arc->db);
	sqlite3_finalize(st);
	return r;
}

/* The batch's files, in order, with their hashes and sizes. */
static int insert_files(struct folio_store *arc, const struct folio_ledger_batch *b, long long id,
			struct folio_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int r;

	if ((r = prep(arc, &st,
		      "INSERT INTO export_files(batch_id, seq, name, sha256, bytes) "
		      "VALUES (?, ?, ?, ?, ?)",
		      err)))
		return r;
	for (i = 0; i < b->nfiles && r == FOLIO_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (long long)i);
		sqlite3_bind_text(st, 3, b->files[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, b->files[i].sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (long long)b->files[i].len);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = folio_db_err(arc, err, "export ledger");
	}
	sqlite3_finalize(st);
	return r;
}

/* One row per exported document and target: the primary key is what
 * keeps two exports at once from both taking a document. */
static int insert_items(struct folio_store *arc, const struct folio_ledger_batch *b, long long id,
			const char *at, struct folio_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int r;

	if ((r = prep(arc, &st,
		      "INSERT INTO exports(doc_id, target, batch_id, invoice_key, "
		      "sha256, at) VALUES (?, ?, ?, ?, ?, ?)",
		      err)))
		return r;
	for (i = 0; i < b->nitems && r == FOLIO_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, b->items[i].doc_id);
		sqlite3_bind_text(st, 2, b->target, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id);
		sqlite3_bind_text(st, 4, b->items[i].invoice_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, b->items[i].sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			continue;
		if (sqlite3_extended_errcode(arc->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					  "document %lld was exported to %s by another "
					  "export meanwhile: run the export again",
					  b->items[i].doc_id, b->target);
		else
			r = folio_db_err(arc, err, "export ledger");
	}
	sqlite3_finalize(st);
	return r;
}

int sq_ledger_record(struct folio_store *arc, const struct folio_ledger_batch *b, long long *id,
		     struct folio_err *err)
{
	char at[32], *dir = NULL;
	int r;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "the archive is open read-only");
	folio_iso_now(at);
	if ((r = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return r;
	/* the files print the number they were promised: still free? (the
	 * row takes max(id) + 1, as sq_ledger_next said) */
	if (b->id > 0) {
		long long next = sq_ledger_next(arc, err);

		if (next < 0) {
			r = FOLIO_FAILED;
			goto fail;
		}
		if (next != b->id) {
			r = folio_err_set(
				err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				"another export took batch %lld meanwhile: run the export "
				"again",
				b->id);
			goto fail;
		}
	}
	if ((r = insert_batch(arc, b, at, id, err)) != FOLIO_OK ||
	    (r = insert_files(arc, b, *id, err)) != FOLIO_OK ||
	    (r = insert_items(arc, b, *id, at, err)) != FOLIO_OK)
		goto fail;
	/* the copies are durable before the rows are */
	if (!(dir = batch_dir(arc, *id))) {
		r = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = write_copies(arc, dir, b, err)) != FOLIO_OK)
		goto fail;
	if (getenv("FOLIO_FAULT") && !strcmp(getenv("FOLIO_FAULT"), "export-before-commit")) {
		fprintf(stderr, "folio: fault injected: export-before-commit\n");
		_exit(70);
	}
	if ((r = exec(arc, "COMMIT", err)) != FOLIO_OK)
		goto fail;
	free(dir);
	return FOLIO_OK;
fail:
	exec(arc, "ROLLBACK", NULL);
	if (dir)
		remove_dir(dir);
	free(dir);
	return r;
}

int sq_ledger_done(struct folio_store *arc, long long id, struct folio_err *err)
{
	sqlite3_stmt *st;
	char at[32];
	int r;

	folio_iso_now(at);
	if (prep(arc, &st, "UPDATE export_batches SET state = 'done', done_at = ? WHERE id = ?",
		 err))
		return FOLIO_FAILED;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	return FOLIO_OK;
}

static int each_batch(struct folio_store *arc, const char *where, long long id,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err)
{
	struct folio_batch_info b;
	sqlite3_stmt *st;
	char sql[512];
	int r, n = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, target, format, profile, query, out, state, created_at, done_at, "
		 "documents, bytes, (SELECT count(*) FROM export_files f WHERE f.batch_id = "
		 "b.id) FROM export_batches b %s ORDER BY id DESC",
		 where);
	if (prep(arc, &st, sql, err))
		return FOLIO_FAILED;
	if (id)
		sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		b.id = sqlite3_column_int64(st, 0);
		b.target = col(st, 1);
		b.format = col(st, 2);
		b.profile = col(st, 3);
		b.query = col(st, 4);
		b.out = col(st, 5);
		b.state = col(st, 6);
		b.created_at = col(st, 7);
		b.done_at = col(st, 8);
		b.documents = sqlite3_column_int64(st, 9);
		b.bytes = sqlite3_column_int64(st, 10);
		b.files = sqlite3_column_int64(st, 11);
		if (fn(ctx, &b)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	if (id && !n)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no export batch %lld (folio export --history lists them)",
				     id);
	return FOLIO_OK;
}

int sq_ledger_batches(struct folio_store *arc, int pending,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err)
{
	return each_batch(arc, pending ? "WHERE state = 'pending'" : "", 0, fn, ctx, err);
}

int sq_ledger_batch(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		    struct folio_err *err)
{
	return each_batch(arc, "WHERE id = ?", id, fn, ctx, err);
}

int sq_ledger_files(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
			      const char *copy),
		    void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	char *dir, *p;
	int r, stop = 0;

	if (!(dir = batch_dir(arc, id)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (prep(arc, &st,
		 "SELECT name, sha256, bytes FROM export_files WHERE batch_id = ? "
		 "ORDER BY seq",
		 err)) {
		free(dir);
		return FOLIO_FAILED;
	}
	sqlite3_bind_int64(st, 1, id);
	while (!stop && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(p = copy_path(dir, col(st, 0)))) {
			r = SQLITE_NOMEM;
			break;
		}
		stop = fn(ctx, col(st, 0), col(st, 1), sqlite3_column_int64(st, 2), p);
		free(p);
	}
	sqlite3_finalize(st);
	free(dir);
	if (!stop && r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	return FOLIO_OK;
}

/* The copy is the file folio_ledger_files named: read it as it is. */
int sq_ledger_copy(struct folio_store *arc, long long id, const char *name, const char *copy,
		   unsigned char **data, size_t *len, struct folio_err *err)
{
	(void)arc, (void)id, (void)name;
	*data = NULL;
	*len = 0;
	return folio_read_file(copy, (uint64_t)1 << 40, data, len, err);
}

int sq_ledger_items(struct folio_store *arc, long long id,
		    int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		    struct folio_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (prep(arc, &st,
		 "SELECT doc_id, sha256 FROM exports WHERE batch_id = ? ORDER BY "
		 "doc_id",
		 err))
		return FOLIO_FAILED;
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), col(st, 1))) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return folio_db_err(arc, err, "export ledger");
	return FOLIO_OK;
}

char *sq_vendor_name(struct folio_store *arc, long long id)
{
	sqlite3_stmt *st;
	char *name = NULL;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT v.name FROM documents d JOIN vendors v ON "
			       "v.id = d.vendor_id WHERE d.id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && col(st, 0))
		name = strdup(col(st, 0));
	sqlite3_finalize(st);
	return name;
}

long long folio_ledger_verify(struct folio_store *arc, void (*fn)(void *arg, const char *problem),
			      void *arg)
{
	sqlite3_stmt *st;
	long long n = 0;
	char msg[1024], hex[65], *dir, *p;
	unsigned char *data;
	size_t len;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT f.batch_id, f.name, f.sha256, b.state FROM "
			       "export_files f JOIN export_batches b ON b.id = f.batch_id "
			       "ORDER BY f.batch_id, f.seq",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);

		msg[0] = '\0';
		if (!(dir = batch_dir(arc, id)) || !(p = copy_path(dir, col(st, 1)))) {
			free(dir);
			break;
		}
		data = NULL;
		if (folio_read_file(p, (uint64_t)1 << 40, &data, &len, NULL) != FOLIO_OK)
			snprintf(msg, sizeof(msg),
				 "export batch %lld: the copy of its file%s%s is "
				 "missing (%s): --again cannot re-emit it",
				 id, *col(st, 1) ? " " : "", col(st, 1), p);
		else if (folio_sha256_hex(data, len, hex), strcmp(hex, col(st, 2)))
			snprintf(msg, sizeof(msg),
				 "export batch %lld: the copy %s changed, sha256 "
				 "is %s",
				 id, p, hex);
		free(data);
		free(p);
		free(dir);
		if (msg[0]) {
			n++;
			if (fn)
				fn(arg, msg);
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, out FROM export_batches WHERE state = "
			       "'pending'",
			       -1, &st, NULL) != SQLITE_OK)
		return n;
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(msg, sizeof(msg),
			 "export batch %lld is pending delivery to %s (run folio "
			 "export to complete it)",
			 sqlite3_column_int64(st, 0), col(st, 1));
		n++;
		if (fn)
			fn(arg, msg);
	}
	sqlite3_finalize(st);
	return n;
}
