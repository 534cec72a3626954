/*
 * records.c - the PostgreSQL backend's records management: the audit
 * trail read back (folio log) and legal hold. See "the audit trail, legal hold and
 * deletion" in include/folio/archive.h.
 */
#include "pg_private.h"

#include <stdio.h>
#include <string.h>

#define PAGE 2000 /* rows read at a time (the LIMIT below) */
#define PAGE_SQL "2000"

static int call(const PGresult *r, int i, int (*fn)(void *ctx, const struct folio_event *ev),
		void *ctx)
{
	/* clang-format off */
	struct folio_event ev = {
		.id = pg_ll(r, i, 0),
		.at = pg_str(r, i, 1),
		.kind = pg_str(r, i, 2),
		.doc_id = pg_ll(r, i, 3),
		.sha256 = pg_str(r, i, 4),
		.path = pg_str(r, i, 5),
		.detail = pg_str(r, i, 6),
		.hash = pg_str(r, i, 7),
		.batch = pg_ll(r, i, 8),
		.target = pg_str(r, i, 9),
	};
	/* clang-format on */

	return fn(ctx, &ev);
}

int pg_events(struct folio_store *s, long long doc_id, const char *since, int chain_only,
	      int (*fn)(void *ctx, const struct folio_event *ev), void *ctx, struct folio_err *err)
{
	long long last = 0;
	PGresult *r;
	int i, n, stop = 0;

	/* the chain in pages of ids; the log by time with the export
	 * ledger's rows (a person's reading: not paged) */
	do {
		if (chain_only)
			r = pg_run(
				s, err, "cannot read the event log",
				"SELECT id, at, kind, coalesce(doc_id, 0), sha256, path, detail,"
				" hash, 0, '' FROM events WHERE id > $1 AND ($2::bigint = 0 OR doc_id = $2)"
				" AND ($3::text IS NULL OR at >= $3) ORDER BY id LIMIT " PAGE_SQL,
				"iis", last, doc_id, since);
		else
			r = pg_run(
				s, err, "cannot read the event log",
				"SELECT * FROM (SELECT id, at, kind, coalesce(doc_id, 0) AS doc_id,"
				" sha256, path, detail, hash, 0::bigint AS batch, ''::text AS target"
				" FROM events WHERE ($1::bigint = 0 OR doc_id = $1) AND ($2::text IS NULL"
				" OR at >= $2) UNION ALL SELECT 0, at, 'exported', doc_id, '', '',"
				" '', '', batch_id, target FROM exports WHERE ($1 = 0 OR doc_id = $1)"
				" AND ($2::text IS NULL OR at >= $2)) e ORDER BY at, id = 0, id",
				"is", doc_id, since);
		if (!r)
			return FOLIO_FAILED;
		n = PQntuples(r);
		for (i = 0; i < n && !stop; i++) {
			last = pg_ll(r, i, 0);
			stop = call(r, i, fn, ctx);
		}
		PQclear(r);
	} while (chain_only && !stop && n == PAGE);
	return FOLIO_OK;
}

/* ---- legal hold ------------------------------------------------------------ */

int pg_hold_state(struct folio_store *s, long long id, struct folio_hold *h, struct folio_err *err)
{
	PGresult *r;

	memset(h, 0, sizeof(*h));
	if (!(r = pg_run(s, err, "cannot read the legal hold",
			 "SELECT id, kind, at, detail FROM events WHERE doc_id = $1"
			 " AND kind IN ('held', 'released') ORDER BY id DESC LIMIT 1",
			 "i", id)))
		return FOLIO_FAILED;
	if (PQntuples(r) == 1) {
		h->event = pg_ll(r, 0, 0);
		h->held = !strcmp(pg_str(r, 0, 1), "held");
		snprintf(h->at, sizeof(h->at), "%s", pg_str(r, 0, 2));
		snprintf(h->detail, sizeof(h->detail), "%s", pg_str(r, 0, 3));
	}
	PQclear(r);
	return FOLIO_OK;
}

int pg_hold(struct folio_store *s, long long id, int on, const char *detail, struct folio_err *err)
{
	struct folio_hold h;
	int ret;

	if (pg_begin_on_doc(s, id, "cannot look up a document", err) != FOLIO_OK)
		return FOLIO_FAILED;
	if (pg_hold_state(s, id, &h, err) != FOLIO_OK) {
		pg_rollback(s);
		return FOLIO_FAILED;
	}
	if (h.held == !!on) {
		pg_rollback(s);
		if (on)
			return folio_err_set(
				err, FOLIO_WARN, FOLIO_E_USAGE, 0,
				"document %lld is already on legal hold (since %s: %s)", id, h.at,
				h.detail);
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_USAGE, 0,
				     "document %lld is not on legal hold", id);
	}
	if ((ret = pg_event(s, on ? "held" : "released", id, NULL, NULL, detail, err)) !=
		    FOLIO_OK ||
	    (ret = pg_commit(s, err)) != FOLIO_OK)
		pg_rollback(s);
	return ret;
}
