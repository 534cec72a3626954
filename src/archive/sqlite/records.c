/*
 * records.c - the SQLite backend's records management: the audit trail
 * read back (folio log), legal hold and deletion. See "the audit trail,
 * legal hold and deletion" in include/folio/archive.h.
 */
#include "sqlite_private.h"

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
