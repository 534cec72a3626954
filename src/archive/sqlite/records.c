/*
 * records.c - the SQLite backend's records management: the audit trail
 * read back (folio log), legal hold and deletion. See "the audit trail,
 * legal hold and deletion" in include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <stdio.h>
#include <string.h>

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
