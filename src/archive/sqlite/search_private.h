/* search_private.h - what the query parser (query.c) hands the search
 * (search.c): a query as bound SQL conditions plus FTS5 text. */
#ifndef FOLIO_SEARCH_PRIVATE_H
#define FOLIO_SEARCH_PRIVATE_H

#include "sqlite_private.h"
#include "folio/strbuf.h"

#define MAX_BINDS 64

struct bind {
	int is_num;
	double num;
	char *text;
};

/*
 * Each filter is written twice with the same binds in the same order:
 * `where` checks a document already found (by the full-text index, or by
 * walking the list dates), `drive` lets SQLite start from an index of the
 * filter (tag, tax ID, type...) when a query has no words.
 */
struct query {
	struct folio_strbuf fts;   /* the free text */
	struct folio_strbuf where; /* " AND ..." conditions */
	struct folio_strbuf drive; /* the same, written to be searched from */
	struct bind binds[MAX_BINDS];
	int nbinds;
	char date_lo[32], date_hi[32]; /* the invoice dates asked for, "" when open */
	int narrow;		       /* a filter that few documents pass (nip:, a number) */
};

/* Parse `query` into q (initialised by the caller to zeros); a query a
 * person mistyped fails with FOLIO_E_USAGE and a sentence. */
int sq_query_parse(const char *query, struct query *q, struct folio_err *err);
void sq_query_release(struct query *q);
/* The SQL expression of field `key` of a document d (a filter's column). */
const char *sq_field_expr(const char *key);
/* Fail with FOLIO_E_USAGE and the message. */
int sq_usage(struct folio_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* SQLite's FTS5 complaint about `query` as a sentence for the person who
 * typed it (never SQLite's own text). */
int sq_fts_error(struct folio_store *arc, const char *query, struct folio_err *err);

#endif
