/*
 * records.c - the SQLite backend's records management: the audit trail
 * read back (folio log), legal hold and deletion. See "the audit trail,
 * legal hold and deletion" in include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/strbuf.h"
#include "folio/util.h"

/* The events, and the export ledger's rows as "exported" ones, of one
 * document or all (?1 = 0) since ?2 (NULL: all), by time. */
static const char events_sql[] =
	"SELECT * FROM ("
	" SELECT id, at, kind, coalesce(doc_id, 0) AS doc_id, sha256, path, detail, hash,"
	"  0 AS batch, '' AS target FROM events"
	"  WHERE (?1 = 0 OR doc_id = ?1) AND (?2 IS NULL OR at >= ?2)"
	" UNION ALL"
	" SELECT 0, at, 'exported', doc_id, '', '', '', '', batch_id, target FROM exports"
	"  WHERE (?1 = 0 OR doc_id = ?1) AND (?2 IS NULL OR at >= ?2)"
	") ORDER BY at, id = 0, id";

/* The hash chain's events alone, in the order of their ids. */
static const char chain_sql[] =
	"SELECT id, at, kind, coalesce(doc_id, 0), sha256, path, detail, hash, 0, ''"
	" FROM events WHERE (?1 = 0 OR doc_id = ?1) AND (?2 IS NULL OR at >= ?2) ORDER BY id";

int sq_events(struct folio_store *arc, long long doc_id, const char *since, int chain_only,
	      int (*fn)(void *ctx, const struct folio_event *ev), void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, chain_only ? chain_sql : events_sql, -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the event log");
	sqlite3_bind_int64(st, 1, doc_id);
	if (since)
		sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* clang-format off */
		struct folio_event ev = {
			.id = sqlite3_column_int64(st, 0),
			.at = sq_col(st, 1),
			.kind = sq_col(st, 2),
			.doc_id = sqlite3_column_int64(st, 3),
			.sha256 = sq_col(st, 4),
			.path = sq_col(st, 5),
			.detail = sq_col(st, 6),
			.hash = sq_col(st, 7),
			.batch = sqlite3_column_int64(st, 8),
			.target = sq_col(st, 9),
		};
		/* clang-format on */

		if (fn(ctx, &ev))
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the event log");
	return FOLIO_OK;
}

/* ---- legal hold ------------------------------------------------------------ */

/* A document is held while its latest held/released event is "held"
 * (query.c's is:held asks the same). */
int sq_hold_state(struct folio_store *arc, long long id, struct folio_hold *h,
		  struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(h, 0, sizeof(*h));
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, kind, at, detail FROM events WHERE doc_id = ?"
			       " AND kind IN ('held', 'released') ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the legal hold");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->event = sqlite3_column_int64(st, 0);
		h->held = !strcmp(sq_col(st, 1), "held");
		snprintf(h->at, sizeof(h->at), "%s", sq_col(st, 2));
		snprintf(h->detail, sizeof(h->detail), "%s", sq_col(st, 3));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the legal hold");
	return FOLIO_OK;
}

/* 1 when document `id` exists, 0 when not, -1 on error. */
static int doc_exists(struct folio_store *arc, long long id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE id = ?", -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int sq_hold(struct folio_store *arc, long long id, int on, const char *detail,
	    struct folio_err *err)
{
	struct folio_hold h;
	int ret, found;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	/* the check and the event under one write lock: a deletion waits */
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	if ((found = doc_exists(arc, id)) <= 0) {
		ret = found < 0 ? folio_db_err(arc, err, "cannot look up a document") :
				  folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
						"no document with id %lld", id);
		goto fail;
	}
	if ((ret = sq_hold_state(arc, id, &h, err)) != FOLIO_OK)
		goto fail;
	if (h.held == !!on) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		if (on)
			return folio_err_set(
				err, FOLIO_WARN, FOLIO_E_USAGE, 0,
				"document %lld is already on legal hold (since %s: %s)", id, h.at,
				h.detail);
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_USAGE, 0,
				     "document %lld is not on legal hold", id);
	}
	if ((ret = sq_event(arc, on ? "held" : "released", id, NULL, NULL, detail, err)) !=
		    FOLIO_OK ||
	    (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
		goto fail;
	return FOLIO_OK;
fail:
	folio_db_exec(arc, "ROLLBACK", NULL);
	return ret;
}

/* ---- deletion -------------------------------------------------------------- */

/* Prepare, bind (i: long long, s: text) and step once; the first column
 * of the row as a number into *v (when not NULL). SQLite result. */
static int one(struct folio_store *arc, const char *sql, long long *v, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if ((rc = sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
	}
	va_end(ap);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && v)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* 1 when a document other than `not_id` names `sha` as its original or
 * its batch, 0 when none, -1 on error. */
static int named(struct folio_store *arc, const char *sha, long long not_id)
{
	long long n = 0;

	if (one(arc,
		"SELECT count(*) FROM (SELECT 1 FROM documents WHERE sha256 = ?1 AND id != ?2"
		" UNION ALL SELECT 1 FROM documents WHERE source_sha256 = ?1 AND id != ?2)",
		&n, "si", sha, not_id) != SQLITE_OK)
		return -1;
	return n > 0;
}

/* The row and what goes with it, into *d; FOLIO_E_NOTFOUND without one. */
static int plan(struct folio_store *arc, long long id, struct folio_deletion *d,
		struct folio_strbuf *batches, struct folio_err *err)
{
	struct folio_hold h;
	sqlite3_stmt *st;
	int rc, r;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT sha256, name, doc_type, coalesce(source_sha256, ''),"
			       " (SELECT count(*) FROM pages WHERE doc_id = ?1),"
			       " (SELECT count(*) FROM fields WHERE doc_id = ?1)"
			       " FROM documents WHERE id = ?1",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot look up a document");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(d->sha256, sizeof(d->sha256), "%s", sq_col(st, 0));
		snprintf(d->name, sizeof(d->name), "%s", sq_col(st, 1));
		snprintf(d->doc_type, sizeof(d->doc_type), "%s", sq_col(st, 2));
		snprintf(d->source_sha256, sizeof(d->source_sha256), "%s", sq_col(st, 3));
		d->pages = sqlite3_column_int64(st, 4);
		d->fields = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	if (rc != SQLITE_ROW)
		return folio_db_err(arc, err, "cannot look up a document");
	if (sq_hold_state(arc, id, &h, err) != FOLIO_OK)
		return FOLIO_FAILED;
	d->held = h.held;
	/* the batches it went out in, for the tombstone */
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT target, batch_id FROM exports WHERE doc_id = ? ORDER BY"
			       " batch_id",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the export ledger");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->exported = 1;
		folio_strbuf_addf(batches, "%s%s batch %lld", batches->len ? ", " : "",
				  sq_col(st, 0), (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the export ledger");
	if ((r = named(arc, d->sha256, id)) < 0)
		return folio_db_err(arc, err, "cannot look up a document");
	d->original_goes = !r;
	if (d->source_sha256[0]) {
		if ((r = named(arc, d->source_sha256, id)) < 0)
			return folio_db_err(arc, err, "cannot look up a document");
		d->source_goes = !r;
	}
	return FOLIO_OK;
}

/* The rows: index entries first (an external-content index deletes with
 * the old values), references to it, then the row; its dependants go by
 * ON DELETE CASCADE (pages, fields, tags, codes, simhash_band, exports)
 * and doc_dates by its trigger. SQLite result. */
static int delete_rows(struct folio_store *arc, long long id)
{
	static const char *const sql[] = {
		"INSERT INTO doc_fts(doc_fts, rowid, title, text, field_text) SELECT 'delete', id,"
		" title, text, field_text FROM documents WHERE id = ?",
		"INSERT INTO doc_tri(doc_tri, rowid, text, field_text) SELECT 'delete', id, text,"
		" field_text FROM documents WHERE id = ?",
		"UPDATE documents SET dup_of = NULL WHERE dup_of = ?",
		"UPDATE vendors SET documents = max(documents - 1, 0) WHERE id ="
		" (SELECT vendor_id FROM documents WHERE id = ?)",
		"DELETE FROM documents WHERE id = ?",
	};
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < sizeof(sql) / sizeof(sql[0]); i++)
		rc = one(arc, sql[i], NULL, "i", id);
	return rc;
}

/* Remove the bytes of `sha` unless a document names them again; under
 * the write lock, so that an ingest of the same bytes (which checks the
 * file inside its own transaction) either sees them or puts them back. */
static int drop_blob(struct folio_store *arc, const char *sha, struct folio_err *err)
{
	char *path = sq_blob_path(arc, sha), *slash;
	int ret, r;

	if (!path)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		goto out;
	if ((r = named(arc, sha, 0)) != 0) {
		ret = r < 0 ? folio_db_err(arc, err, "cannot look up a document") : FOLIO_OK;
		folio_db_exec(arc, "ROLLBACK", NULL);
		goto out;
	}
	if (unlink(path) && errno != ENOENT) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				    "cannot remove the original '%s': %s", path, strerror(errno));
		folio_db_exec(arc, "ROLLBACK", NULL);
		goto out;
	}
	folio_db_exec(arc, "COMMIT", NULL);
	slash = strrchr(path, '/');
	*slash = '\0';
	ret = folio_fsync_dir(path, err);
out:
	free(path);
	return ret;
}

int sq_delete_doc(struct folio_store *arc, long long id, const char *detail, int flags,
		  struct folio_deletion *d, struct folio_err *err)
{
	struct folio_strbuf batches = FOLIO_STRBUF_INIT, tomb = FOLIO_STRBUF_INIT;
	int ret;

	int dry = !!(flags & FOLIO_DELETE_DRY_RUN);

	if (arc->rdonly && !dry)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	/* the checks and the deletion under one write lock: a hold given
	 * meanwhile waits, and is refused after (no such document); a dry
	 * run reads one snapshot */
	if ((ret = folio_db_exec(arc, dry ? "BEGIN" : "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	if ((ret = plan(arc, id, d, &batches, err)) != FOLIO_OK)
		goto fail;
	if (d->held) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0,
				    "document %lld is on legal hold: release it first"
				    " (folio hold --release %lld --reason ...)",
				    id, id);
		goto fail;
	}
	if (!(flags & FOLIO_DELETE_FORCE) && (!d->exported || !(flags & FOLIO_DELETE_EXPIRED))) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0,
				    "document %lld %s: --force deletes it anyway", id,
				    !d->exported ? "was never exported" :
						   "is not past its retention period");
		goto fail;
	}
	if (dry) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		ret = FOLIO_OK;
		goto out;
	}
	folio_strbuf_adds(&tomb, detail);
	if (batches.len)
		folio_strbuf_addf(&tomb, "; exported: %s", batches.buf);
	if (!tomb.buf) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	if (delete_rows(arc, id) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot delete the document");
		goto fail;
	}
	if ((ret = sq_event(arc, "deleted", id, d->sha256, NULL, tomb.buf, err)) != FOLIO_OK ||
	    (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
		goto fail;
	/* the rows are gone for good; the bytes follow (a crash here leaves
	 * an orphan original that folio verify names) */
	if (d->original_goes && (ret = drop_blob(arc, d->sha256, err)) != FOLIO_OK)
		goto out;
	if (d->source_goes && (ret = drop_blob(arc, d->source_sha256, err)) != FOLIO_OK)
		goto out;
	ret = FOLIO_OK;
	goto out;
fail:
	folio_db_exec(arc, "ROLLBACK", NULL);
out:
	folio_strbuf_release(&batches);
	folio_strbuf_release(&tomb);
	return ret;
}
