/*
 * ledger.c - the export ledger on PostgreSQL: which document went to which
 * target in which batch, and a copy of every byte written (see archive.h).
 *
 * A database archive has no folder of its own, so the kept copy of each
 * file of a batch is a bytea column of its export_files row (schema 2):
 * the copy commits with the rows that name it, in one transaction, and
 * any station holding a connection can complete a pending batch or
 * re-emit one (--again), not only the one that exported it.
 *
 * Two stations exporting at once are kept apart by the ledger's keys,
 * not by a check before the insert:
 *  - a batch's number is promised before its files are written (a ledger
 *    journal prints it: folio_ledger_next) and the batch row is inserted
 *    with that number; the primary key of export_batches lets one
 *    transaction have it and fails the other ("another export took batch
 *    N meanwhile"), after waiting for the first to commit or roll back;
 *  - the primary key (doc_id, target) of exports lets one batch take a
 *    document for a target;
 *  - a promise is only kept while no later batch exists: a batch that
 *    committed after the promise was made may hold the same invoice under
 *    another document (a probable duplicate this export did not see).
 * Numbers come from max(id) + 1, as on SQLite, never from a sequence, so
 * that the number promised is the number the row gets.
 *
 * A pending batch is one whose files are still being delivered, or whose
 * exporter died before it was done. Only the second kind may be completed
 * by another export: the exporter holds a session advisory lock on its
 * batch's number from before the commit until folio_ledger_done (the
 * server releases it when the connection ends, with the process or the
 * host), and folio_ledger_batches(pending) lists only the pending batches
 * whose lock it can take - keeping it, so that two exports do not both
 * complete one batch either. (A connection the server dropped and libpq
 * opened again has lost its locks: a rare window in which a batch in
 * delivery may be completed by another export too, each file still
 * written once: a file is never overwritten.)
 */
#include "pg_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/util.h"

#define WHAT "export ledger"
#define UNIQUE_VIOLATION "23505"
/* the first key of the batches' advisory locks ("fole"), the batch the second */
#define BATCH_LOCK "1718578277"

int pg_ledger_exported(struct folio_store *s, long long doc_id, const char *target,
		       struct folio_err *err)
{
	long long r =
		pg_one(s, err, WHAT, "SELECT 1 FROM exports WHERE doc_id = $1 AND target = $2",
		       "is", doc_id, target);

	return r < 0 ? -1 : r == 1;
}

long long pg_ledger_key_owner(struct folio_store *s, const char *target, const char *key,
			      long long not_doc, long long *batch, struct folio_err *err)
{
	PGresult *res;
	long long id = 0;

	if (!key)
		return 0;
	if (!(res = pg_run(s, err, WHAT,
			   "SELECT doc_id, batch_id FROM exports WHERE target = $1 AND"
			   " invoice_key = $2 AND doc_id <> $3 ORDER BY at, batch_id LIMIT 1",
			   "ssi", target, key, not_doc)))
		return -1;
	if (PQntuples(res) == 1) {
		id = pg_ll(res, 0, 0);
		if (batch)
			*batch = pg_ll(res, 0, 1);
	}
	PQclear(res);
	return id;
}

long long pg_ledger_next(struct folio_store *s, struct folio_err *err)
{
	return pg_one(s, err, WHAT, "SELECT coalesce(max(id), 0) + 1 FROM export_batches", "");
}

static int taken(struct folio_err *err, long long id)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
			     "another export took batch %lld meanwhile: run the export again", id);
}

/* The batch's row with its promised number (or the next free one). */
static int insert_batch(struct folio_store *s, const struct folio_ledger_batch *b, const char *at,
			long long *id, struct folio_err *err)
{
	long long bytes = 0, got;
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		bytes += (long long)b->files[i].len;
	got = pg_one(s, err, WHAT,
		     "INSERT INTO export_batches(id, target, format, profile, query, out, state,"
		     " documents, bytes, created_at) VALUES (CASE WHEN $1 > 0 THEN $1 ELSE"
		     " (SELECT coalesce(max(id), 0) + 1 FROM export_batches) END, $2, $3, $4, $5,"
		     " $6, 'pending', $7, $8, $9) RETURNING id",
		     "isssssiis", b->id, b->target, b->format, b->profile, b->query, b->out,
		     (long long)b->nitems, bytes, b->now ? b->now : at);
	if (got < 0)
		return !strcmp(s->sqlstate, UNIQUE_VIOLATION) ? taken(err, b->id) : FOLIO_FAILED;
	*id = got;
	/* the promise was made before a batch that committed since: that
	 * batch's invoices were not seen by this export's checks */
	got = pg_one(s, err, WHAT, "SELECT count(*) FROM export_batches WHERE id > $1", "i", *id);
	if (got < 0)
		return FOLIO_FAILED;
	return got ? taken(err, *id) : FOLIO_OK;
}

/* The batch's files in order, each with its hash, size and bytes. */
static int insert_files(struct folio_store *s, const struct folio_ledger_batch *b, long long id,
			struct folio_err *err)
{
	size_t i;

	for (i = 0; i < b->nfiles; i++)
		if (pg_do(s, err, WHAT,
			  "INSERT INTO export_files(batch_id, seq, name, sha256, bytes, data)"
			  " VALUES ($1, $2, $3, $4, $5, $6)",
			  "iissib", id, (long long)i, b->files[i].name, b->files[i].sha256,
			  (long long)b->files[i].len, (const char *)b->files[i].data,
			  b->files[i].len) != FOLIO_OK)
			return FOLIO_FAILED;
	return FOLIO_OK;
}

/* One row per exported document and target: the primary key is what
 * keeps two exports at once from both taking a document. */
static int insert_items(struct folio_store *s, const struct folio_ledger_batch *b, long long id,
			const char *at, struct folio_err *err)
{
	size_t i;

	for (i = 0; i < b->nitems; i++) {
		if (pg_do(s, err, WHAT,
			  "INSERT INTO exports(doc_id, target, batch_id, invoice_key, sha256, at)"
			  " VALUES ($1, $2, $3, $4, $5, $6)",
			  "isisss", b->items[i].doc_id, b->target, id, b->items[i].invoice_key,
			  b->items[i].sha256, at) == FOLIO_OK)
			continue;
		if (!strcmp(s->sqlstate, UNIQUE_VIOLATION))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "document %lld was exported to %s by another export "
					     "meanwhile: run the export again",
					     b->items[i].doc_id, b->target);
		return FOLIO_FAILED;
	}
	return FOLIO_OK;
}

int pg_ledger_record(struct folio_store *s, const struct folio_ledger_batch *b, long long *id,
		     struct folio_err *err)
{
	char at[32];
	int r;

	*id = 0;
	if (s->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "the archive is open read-only");
	folio_iso_now(at);
	if ((r = pg_begin(s, err)) != FOLIO_OK)
		return r;
	if ((r = insert_batch(s, b, at, id, err)) != FOLIO_OK)
		goto fail;
	/* this batch is ours to deliver until folio_ledger_done */
	if ((r = pg_do(s, err, WHAT, "SELECT pg_advisory_lock(" BATCH_LOCK ", $1::integer)", "i",
		       *id)) != FOLIO_OK) {
		*id = 0;
		goto fail;
	}
	if ((r = insert_files(s, b, *id, err)) != FOLIO_OK ||
	    (r = insert_items(s, b, *id, at, err)) != FOLIO_OK)
		goto fail;
	if (getenv("FOLIO_FAULT") && !strcmp(getenv("FOLIO_FAULT"), "export-before-commit")) {
		fprintf(stderr, "folio: fault injected: export-before-commit\n");
		_exit(70);
	}
	if ((r = pg_commit(s, err)) != FOLIO_OK)
		goto fail;
	return FOLIO_OK;
fail:
	pg_rollback(s);
	/* a session lock outlives the transaction that took it */
	if (*id)
		pg_do(s, NULL, WHAT, "SELECT pg_advisory_unlock(" BATCH_LOCK ", $1::integer)", "i",
		      *id);
	*id = 0;
	return r;
}

int pg_ledger_done(struct folio_store *s, long long id, struct folio_err *err)
{
	char at[32];

	folio_iso_now(at);
	if (pg_do(s, err, WHAT,
		  "UPDATE export_batches SET state = 'done', done_at = $1 WHERE id = $2", "si", at,
		  id) != FOLIO_OK)
		return FOLIO_FAILED;
	/* held since pg_ledger_record or pg_ledger_batches; --again of a
	 * pending batch does not hold it */
	pg_do(s, NULL, WHAT,
	      "SELECT pg_advisory_unlock(" BATCH_LOCK ", $1::integer) WHERE"
	      " EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid ="
	      " pg_backend_pid() AND classid = " BATCH_LOCK " AND objid = $1 AND objsubid = 2)",
	      "i", id);
	return FOLIO_OK;
}

static int each_batch(struct folio_store *s, const char *where, long long id,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err)
{
	struct folio_batch_info b;
	PGresult *res;
	char sql[512];
	int i, n;

	snprintf(sql, sizeof(sql),
		 "SELECT id, target, format, profile, query, out, state, created_at, done_at,"
		 " documents, bytes, (SELECT count(*) FROM export_files f WHERE f.batch_id ="
		 " b.id) FROM export_batches b %s ORDER BY id DESC",
		 where);
	res = id ? pg_run(s, err, WHAT, sql, "i", id) : pg_run(s, err, WHAT, sql, "");
	if (!res)
		return FOLIO_FAILED;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		/* NULL stays NULL, as SQLite's backend gives it */
		b.id = pg_ll(res, i, 0);
		b.target = pg_str(res, i, 1);
		b.format = pg_str(res, i, 2);
		b.profile = pg_null(res, i, 3) ? NULL : pg_str(res, i, 3);
		b.query = pg_null(res, i, 4) ? NULL : pg_str(res, i, 4);
		b.out = pg_str(res, i, 5);
		b.state = pg_str(res, i, 6);
		b.created_at = pg_str(res, i, 7);
		b.done_at = pg_null(res, i, 8) ? NULL : pg_str(res, i, 8);
		b.documents = pg_ll(res, i, 9);
		b.bytes = pg_ll(res, i, 10);
		b.files = pg_ll(res, i, 11);
		if (fn(ctx, &b))
			break;
	}
	PQclear(res);
	if (id && !n)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no export batch %lld (folio export --history lists them)",
				     id);
	return FOLIO_OK;
}

int pg_ledger_batches(struct folio_store *s, int pending,
		      int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		      struct folio_err *err)
{
	/* pending: those whose exporter is gone (its lock free), taken; the
	 * CASE keeps the lock function from ever seeing a done batch */
	return each_batch(s,
			  pending ? "WHERE state = 'pending' AND CASE WHEN state = 'pending' THEN"
				    " pg_try_advisory_lock(" BATCH_LOCK
				    ", id::integer) ELSE false END" :
				    "",
			  0, fn, ctx, err);
}

int pg_ledger_batch(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, const struct folio_batch_info *b), void *ctx,
		    struct folio_err *err)
{
	return each_batch(s, "WHERE id = $1", id, fn, ctx, err);
}

/* What messages call the copy of a batch's file: where it is kept. */
static void copy_name(const struct folio_store *s, long long id, const char *name, char *out,
		      size_t n)
{
	snprintf(out, n, "%s exports/%lld/%s", s->display, id, *name ? name : "output");
}

int pg_ledger_files(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, const char *name, const char *sha256, long long bytes,
			      const char *copy),
		    void *ctx, struct folio_err *err)
{
	PGresult *res = pg_run(s, err, WHAT,
			       "SELECT name, sha256, bytes FROM export_files WHERE batch_id = $1"
			       " ORDER BY seq",
			       "i", id);
	char copy[1024];
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++) {
		copy_name(s, id, pg_str(res, i, 0), copy, sizeof(copy));
		if (fn(ctx, pg_str(res, i, 0), pg_str(res, i, 1), pg_ll(res, i, 2), copy))
			break;
	}
	PQclear(res);
	return FOLIO_OK;
}

int pg_ledger_copy(struct folio_store *s, long long id, const char *name, const char *copy,
		   unsigned char **data, size_t *len, struct folio_err *err)
{
	char num[32];
	const char *vals[2] = { num, name };
	PGresult *res;
	int ret = FOLIO_OK;

	*data = NULL;
	*len = 0;
	snprintf(num, sizeof(num), "%lld", id);
	pg_alive(s);
	/* the bytes as they are (a binary result), not hex text twice their size */
	res = PQexecParams(s->conn,
			   "SELECT data FROM export_files WHERE batch_id = $1 AND name = $2"
			   " ORDER BY seq LIMIT 1",
			   2, NULL, vals, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ret = pg_err(s, res, err, WHAT);
	} else if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, ENOENT,
				    "the copy %s is missing", copy);
	} else {
		*len = (size_t)PQgetlength(res, 0, 0);
		/* one byte more: an empty file is still a buffer to free */
		if (!(*data = malloc(*len + 1)))
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
		else
			memcpy(*data, PQgetvalue(res, 0, 0), *len);
	}
	PQclear(res);
	if (ret != FOLIO_OK)
		*len = 0;
	return ret;
}

int pg_ledger_items(struct folio_store *s, long long id,
		    int (*fn)(void *ctx, long long doc_id, const char *sha256), void *ctx,
		    struct folio_err *err)
{
	PGresult *res = pg_run(
		s, err, WHAT,
		"SELECT doc_id, sha256 FROM exports WHERE batch_id = $1 ORDER BY doc_id", "i", id);
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++)
		if (fn(ctx, pg_ll(res, i, 0), pg_str(res, i, 1)))
			break;
	PQclear(res);
	return FOLIO_OK;
}
