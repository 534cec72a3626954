/*
 * search.c - ranked full-text search over the archive (FTS5, bm25).
 *
 * Column weights: a hit in the title or in an extracted field value
 * ranks above one in the body text.
 */
#include "archive_private.h"

#include <stdio.h>
#include <string.h>

#define W_TITLE "5.0"
#define W_TEXT "1.0"
#define W_FIELDS "3.0"

/* Turn SQLite's FTS5 complaint into a sentence for the person who typed
 * the query; the raw SQLite text is never shown. */
static int query_error(struct folio_archive *arc, const char *query, struct folio_err *err)
{
	const char *msg = sqlite3_errmsg(arc->db);
	const char *near = strstr(msg, "syntax error near \"");

	if (near) {
		char tok[64];
		const char *s = near + strlen("syntax error near \"");
		size_t n = strcspn(s, "\"");

		if (n >= sizeof(tok))
			n = sizeof(tok) - 1;
		memcpy(tok, s, n);
		tok[n] = '\0';
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "invalid query '%s': unexpected '%s' (quote words with "
				     "special characters, e.g. '\"%s\"')", query, n ? tok : "end of query",
				     query);
	}
	if (strstr(msg, "unterminated string"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "invalid query '%s': a phrase is missing its closing '\"'", query);
	if (strstr(msg, "no such column"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "invalid query '%s': unknown field before ':' (searchable "
				     "columns: title, text, field_text)", query);
	if (strstr(msg, "unknown special query"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "invalid query '%s': a query must contain words", query);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "invalid query '%s': %s",
			     query, strstr(msg, "fts5: ") == msg ? msg + 6 : "not understood");
}

int folio_archive_search(struct folio_archive *arc, const struct folio_search_opts *opts,
			 int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
			 struct folio_err *err)
{
	static const char sql[] =
		"SELECT d.id, -bm25(doc_fts, " W_TITLE ", " W_TEXT ", " W_FIELDS "),"
		" d.title, snippet(doc_fts, 1, ?2, ?3, '…', 16), d.doc_type, d.added_at"
		" FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid"
		" WHERE doc_fts MATCH ?1"
		" ORDER BY bm25(doc_fts, " W_TITLE ", " W_TEXT ", " W_FIELDS "), d.id"
		" LIMIT ?4";
	const char *q = opts->query;
	sqlite3_stmt *st;
	int rc;

	while (*q == ' ' || *q == '\t')
		q++;
	if (!*q)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "empty query");
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot search");
	sqlite3_bind_text(st, 1, opts->query, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, opts->hl_open ? opts->hl_open : "[", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, opts->hl_close ? opts->hl_close : "]", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, opts->limit > 0 ? opts->limit : 20);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_hit hit = {
			.id = sqlite3_column_int64(st, 0),
			.score = sqlite3_column_double(st, 1),
			.title = (const char *)sqlite3_column_text(st, 2),
			.snippet = (const char *)sqlite3_column_text(st, 3),
			.doc_type = (const char *)sqlite3_column_text(st, 4),
			.added_at = (const char *)sqlite3_column_text(st, 5),
		};

		if (!hit.title)
			hit.title = "";
		if (!hit.snippet)
			hit.snippet = "";
		if (fn(ctx, &hit))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		int r = sqlite3_extended_errcode(arc->db) == SQLITE_ERROR
				? query_error(arc, opts->query, err)
				: folio_db_err(arc, err, "cannot search");
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}
