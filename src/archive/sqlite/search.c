/*
 * search.c - running a parsed query (query.c): FTS5 free text, bm25
 * ranked with title and field values weighted above body text, plus the
 * filters' conditions; plans that let the full-text index or a filter's
 * index drive. See folio_search_opts in include/folio/archive.h.
 */
#include "search_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"
#include "vendors.h"

#define W_TITLE "5.0"
#define W_TEXT "1.0"
#define W_FIELDS "3.0"

/* The columns of a hit, for one document: only the page of hits shown
 * pays for snippets and field lookups. */
#define HIT_COLUMNS                                                                            \
	", d.doc_type, d.added_at, coalesce((SELECT value FROM fields WHERE doc_id = d.id AND" \
	" name = 'issue_date'), substr(d.added_at, 1, 10)), (SELECT value FROM fields WHERE"   \
	" doc_id = d.id AND name = 'seller_name'), (SELECT value FROM fields WHERE doc_id ="   \
	" d.id AND name = 'gross_total') || coalesce(' ' || (SELECT value FROM fields WHERE"   \
	" doc_id = d.id AND name = 'currency'), '')"
/* bm25 with the weights; %lld: the search's key for folio_rank's cache
 * (src/archive/fts.c), so its statements count each phrase's matches once */
#define BM25 "folio_rank(doc_fts, %lld, " W_TITLE ", " W_TEXT ", " W_FIELDS ")"

/* A list by date of at most this many hits first walks the newest
 * documents, up to PROBE_ROWS of them, before asking SQLite for all. */
#define PROBE_HITS 1000
#define CHUNK 256
#define PROBE_ROWS 20000

enum plan {
	PLAN_COUNT, /* count(*) */
	PLAN_PROBE, /* by date: the newest PROBE_ROWS documents, checked one by one */
	PLAN_ALL,   /* every match, ordered */
};

struct search {
	struct query q;
	int fts;
	enum folio_sort sort;
	long long limit, offset;
	sqlite3_stmt *ids, *row;
	long long key;	     /* folio_rank's cache key (BM25) */
	char bound[32];	     /* the probe's oldest list date, "" for none */
	int chunked, nchunk; /* hits read CHUNK at a time (flush) */
	long long chunk[CHUNK];
};

static void bind_where(sqlite3_stmt *st, const struct query *q, int *k)
{
	int i;

	for (i = 0; i < q->nbinds; i++, (*k)++) {
		if (q->binds[i].is_num)
			sqlite3_bind_double(st, *k, q->binds[i].num);
		else
			sqlite3_bind_text(st, *k, q->binds[i].text, -1, SQLITE_STATIC);
	}
}

static void bind_dates(sqlite3_stmt *st, const struct query *q, int *k)
{
	if (q->date_lo[0])
		sqlite3_bind_text(st, (*k)++, q->date_lo, -1, SQLITE_STATIC);
	if (q->date_hi[0])
		sqlite3_bind_text(st, (*k)++, q->date_hi, -1, SQLITE_STATIC);
}

static void add_dates(struct folio_strbuf *sql, const struct query *q, const char *col)
{
	if (q->date_lo[0])
		folio_strbuf_addf(sql, " AND %s >= ?", col);
	if (q->date_hi[0])
		folio_strbuf_addf(sql, " AND %s < ?", col);
}

static int prepare(struct folio_store *arc, struct folio_strbuf *sql, sqlite3_stmt **st,
		   struct folio_err *err)
{
	int ret = FOLIO_OK;

	if (!sql->buf)
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	else if (sqlite3_prepare_v2(arc->db, sql->buf, -1, st, NULL) != SQLITE_OK)
		ret = folio_db_err(arc, err, "cannot search");
	folio_strbuf_release(sql);
	return ret;
}

/* Whether SQL conditions read a column of documents d other than its id
 * (d.doc_type, d.mime...): without, d can be the thin doc_dates. */
static int needs_documents(const char *conds)
{
	const char *p;

	for (p = conds; p && (p = strstr(p, "d.")); p += 2) {
		if (p > conds && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (!strncmp(p + 2, "id", 2) && !isalnum((unsigned char)p[4]) && p[4] != '_')
			continue;
		return 1;
	}
	return 0;
}

/*
 * The statement that lists the ids of the hits (or counts them):
 *  - words by score: FTS5 finds the matches, the filters check each one,
 *    bm25 orders them; only ids and scores go through the sort;
 *  - by date: PLAN_PROBE walks doc_dates from the newest, keeping what
 *    matches (the words through the full-text index, once); when that
 *    finds too few, PLAN_ALL starts from the full-text index or from an
 *    index of a filter (the drive form) and sorts what it finds;
 *  - by total: every match, sorted.
 */
static int prepare_ids(struct folio_store *arc, struct search *s, enum plan plan,
		       struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	const struct query *q = &s->q;
	int k = 1, ret;

	/* d: the documents table when a condition reads its columns, else
	 * doc_dates (one thin row per document: its seeks stay in the cache);
	 * o: the list dates, d itself when d is doc_dates */
	/* words with a narrow filter (vendor:, nip:): the filter's few
	 * documents are found once (the drive form) and each match looked up
	 * among them, not the filter checked on every match */
	int narrow = s->fts && plan != PLAN_PROBE && q->narrow;
	const char *conds = (s->fts && !narrow) || plan == PLAN_PROBE ? q->where.buf : q->drive.buf;
	int doc = needs_documents(conds);
	const char *o = doc ? "o" : "d";

	if (plan == PLAN_COUNT) {
		if (s->fts && !q->where.len)
			folio_strbuf_adds(&sql,
					  "SELECT count(*) FROM doc_fts WHERE doc_fts MATCH ?");
		else if (s->fts)
			folio_strbuf_addf(&sql,
					  "SELECT count(*) FROM doc_fts CROSS JOIN %s d ON"
					  " d.id = doc_fts.rowid WHERE doc_fts MATCH ?%s",
					  doc ? "documents" : "doc_dates", conds);
		else
			folio_strbuf_addf(&sql, "SELECT count(*) FROM %s d WHERE 1%s",
					  doc ? "documents" : "doc_dates",
					  q->drive.len ? q->drive.buf : "");
	} else if (plan == PLAN_PROBE) {
		/* the newest documents first, down to the bound, stopping at the
		 * page's last hit */
		if (doc)
			folio_strbuf_adds(&sql,
					  "SELECT d.id FROM doc_dates o CROSS JOIN documents d"
					  " WHERE d.id = o.id");
		else
			folio_strbuf_adds(&sql, "SELECT d.id FROM doc_dates d WHERE 1");
		add_dates(&sql, q, doc ? "o.date" : "d.date");
		if (s->bound[0])
			folio_strbuf_addf(&sql, " AND %s.date >= ?", o);
		if (s->fts)
			folio_strbuf_addf(&sql,
					  " AND %s.id IN (SELECT rowid FROM doc_fts WHERE"
					  " doc_fts MATCH ?)",
					  o);
		if (q->where.len)
			folio_strbuf_adds(&sql, q->where.buf);
		folio_strbuf_addf(&sql, " ORDER BY %s.date DESC, %s.id DESC LIMIT ? OFFSET ?", o,
				  o);
	} else if (s->fts && s->sort == FOLIO_SORT_SCORE && !q->where.len) {
		/* no filter: the full-text index alone (a join to documents for
		 * each match would cost more than the ranking) */
		folio_strbuf_addf(&sql,
				  "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?"
				  " ORDER BY " BM25 ", rowid LIMIT ? OFFSET ?",
				  s->key);
	} else if (s->fts) {
		folio_strbuf_adds(&sql, "SELECT d.id FROM doc_fts");
		if (doc && s->sort == FOLIO_SORT_DATE)
			folio_strbuf_adds(&sql, " CROSS JOIN doc_dates o ON o.id = doc_fts.rowid");
		/* CROSS: the full-text index drives, whatever the filters */
		folio_strbuf_addf(&sql,
				  " CROSS JOIN %s d ON d.id = doc_fts.rowid WHERE doc_fts"
				  " MATCH ?",
				  doc ? "documents" : "doc_dates");
		if (q->where.len)
			folio_strbuf_adds(&sql, conds);
		if (s->sort == FOLIO_SORT_DATE)
			add_dates(&sql, q, doc ? "o.date" : "d.date");
	} else {
		folio_strbuf_addf(&sql, "SELECT d.id FROM %s d", doc ? "documents" : "doc_dates");
		if (doc && s->sort == FOLIO_SORT_DATE)
			folio_strbuf_adds(&sql, " JOIN doc_dates o ON o.id = d.id");
		folio_strbuf_adds(&sql, " WHERE 1");
		if (q->drive.len)
			folio_strbuf_adds(&sql, q->drive.buf);
		if (s->sort == FOLIO_SORT_DATE)
			add_dates(&sql, q, doc ? "o.date" : "d.date");
	}
	if (plan == PLAN_ALL && !(s->fts && s->sort == FOLIO_SORT_SCORE && !q->where.len)) {
		switch (s->sort) {
		case FOLIO_SORT_TOTAL:
			folio_strbuf_addf(&sql, " ORDER BY %s DESC NULLS LAST, d.id DESC",
					  sq_field_expr("total"));
			break;
		case FOLIO_SORT_DATE:
			folio_strbuf_addf(&sql, " ORDER BY %s.date DESC, %s.id DESC", o, o);
			break;
		default: folio_strbuf_addf(&sql, " ORDER BY " BM25 ", d.id", s->key);
		}
		folio_strbuf_adds(&sql, " LIMIT ? OFFSET ?");
	}
	if ((ret = prepare(arc, &sql, &s->ids, err)) != FOLIO_OK)
		return ret;
	if (plan == PLAN_PROBE) {
		bind_dates(s->ids, q, &k);
		if (s->bound[0])
			sqlite3_bind_text(s->ids, k++, s->bound, -1, SQLITE_STATIC);
	}
	if (s->fts)
		sqlite3_bind_text(s->ids, k++, q->fts.buf, -1, SQLITE_STATIC);
	bind_where(s->ids, q, &k);
	if (plan == PLAN_ALL && s->sort == FOLIO_SORT_DATE)
		bind_dates(s->ids, q, &k);
	if (plan != PLAN_COUNT) {
		sqlite3_bind_int64(s->ids, k++, s->limit);
		sqlite3_bind_int64(s->ids, k++, s->offset);
	}
	return FOLIO_OK;
}

/* The statement that reads one hit's columns (bound to its id). */
static int prepare_row(struct folio_store *arc, struct search *s, const struct folio_search_opts *o,
		       struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	int ret;

	if (s->fts)
		folio_strbuf_addf(&sql,
				  "SELECT -" BM25 ", d.title, snippet(doc_fts, 1, ?, ?, '…',"
				  " 16)" HIT_COLUMNS " FROM doc_fts JOIN documents d ON d.id ="
				  " doc_fts.rowid WHERE doc_fts MATCH ? AND doc_fts.rowid = ?",
				  s->key);
	else
		/* for filter-only lists, the text's start and an ellipsis */
		folio_strbuf_adds(
			&sql, "SELECT 0.0, d.title, substr(d.text, 1, 120) || ? || ?" HIT_COLUMNS
			      " FROM documents d WHERE d.id = ?");
	if ((ret = prepare(arc, &sql, &s->row, err)) != FOLIO_OK)
		return ret;
	sqlite3_bind_text(s->row, 1, s->fts ? (o->hl_open ? o->hl_open : "[") : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s->row, 2, s->fts ? (o->hl_close ? o->hl_close : "]") : "…", -1,
			  SQLITE_STATIC);
	if (s->fts)
		sqlite3_bind_text(s->row, 3, s->q.fts.buf, -1, SQLITE_STATIC);
	return FOLIO_OK;
}

/* A prefix query past what doc_fts's prefix indexes hold (2 and 3
 * letters): each lookup of one row would merge every word that starts
 * with it, so the page is read in one pass over the matches instead. */
static int long_prefix(const char *fts)
{
	const char *p, *t;
	int n;

	for (p = fts; (p = strchr(p, '*')); p++) {
		for (t = p, n = 0;
		     t > fts && (isalnum((unsigned char)t[-1]) || (unsigned char)t[-1] >= 0x80);) {
			t--;
			if (((unsigned char)*t & 0xc0) != 0x80)
				n++;
		}
		if (n > 3)
			return 1;
	}
	return 0;
}

/* Each search its own key for folio_rank's cache. */
static _Atomic long long rank_key;

static int begin(const struct folio_search_opts *o, struct search *s, struct folio_err *err)
{
	const char *qs = o->query ? o->query : "";
	int ret;

	while (isspace((unsigned char)*qs))
		qs++;
	if (!*qs)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "empty query");
	if ((ret = sq_query_parse(qs, &s->q, err)) != FOLIO_OK)
		return ret;
	s->fts = s->q.fts.len > 0;
	s->sort = o->sort ? o->sort : s->fts ? FOLIO_SORT_SCORE : FOLIO_SORT_DATE;
	if (s->sort == FOLIO_SORT_SCORE && !s->fts)
		return sq_usage(err, "sorting by score needs words to search for");
	s->chunked = s->fts && (long_prefix(s->q.fts.buf) || !strpbrk(s->q.fts.buf, "*\""));
	s->key = ++rank_key;
	s->limit = o->limit > 0 ? o->limit : 20;
	s->offset = o->offset > 0 ? o->offset : 0;
	return FOLIO_OK;
}

static void end(struct search *s)
{
	sqlite3_finalize(s->ids);
	sqlite3_finalize(s->row);
	s->ids = s->row = NULL;
	sq_query_release(&s->q);
}

/* A failed step: the person's query (FTS5 syntax) or the database. */
static int step_err(struct folio_store *arc, struct search *s, struct folio_err *err)
{
	return sqlite3_extended_errcode(arc->db) == SQLITE_ERROR ?
		       sq_fts_error(arc, s->q.fts.buf ? s->q.fts.buf : "", err) :
		       folio_db_err(arc, err, "cannot search");
}

/* Hand the hit in st's current row (columns as HIT_COLUMNS) to fn. */
static int call(sqlite3_stmt *st, long long id, int (*fn)(void *ctx, const struct folio_hit *hit),
		void *ctx)
{
	/* clang-format off */
	struct folio_hit hit = {
		.id = id,
		.score = sqlite3_column_double(st, 0),
		.title = (const char *)sqlite3_column_text(st, 1),
		.snippet = (const char *)sqlite3_column_text(st, 2),
		.doc_type = (const char *)sqlite3_column_text(st, 3),
		.added_at = (const char *)sqlite3_column_text(st, 4),
		.date = (const char *)sqlite3_column_text(st, 5),
		.vendor = (const char *)sqlite3_column_text(st, 6),
		.total = (const char *)sqlite3_column_text(st, 7),
	};
	/* clang-format on */

	if (!hit.title)
		hit.title = "";
	if (!hit.snippet)
		hit.snippet = "";
	if (!hit.date)
		hit.date = "";
	if (!hit.vendor)
		hit.vendor = "";
	if (!hit.total)
		hit.total = "";
	return fn(ctx, &hit) ? 1 : 0;
}

/*
 * Plain words, and words with a prefix longer than the prefix indexes'
 * (fakt*): one FTS5 lookup of a row seeks every segment of the index (and
 * expands such a prefix over the whole index again), so the hits of a page
 * are read in one pass over the matches instead, CHUNK at a time. Phrases
 * and short prefixes cost more to walk than to look up.
 */
static int flush(struct folio_store *arc, struct search *s, const struct folio_search_opts *o,
		 const long long *ids, int n, int (*fn)(void *ctx, const struct folio_hit *hit),
		 void *ctx, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	long long lo, hi;
	int i, rc, r = 0;

	if (!n)
		return 0;
	for (i = 0, lo = hi = ids[0]; i < n; i++) {
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	/* the matches between the page's first and last id, each looked up
	 * among the page's ids (+: not one FTS5 lookup per id) */
	folio_strbuf_adds(&sql, "WITH page(pos, id) AS (VALUES ");
	for (i = 0; i < n; i++)
		folio_strbuf_addf(&sql, "%s(%d, ?%d)", i ? ", " : "", i, i + 4);
	folio_strbuf_addf(
		&sql,
		") SELECT -" BM25 ", d.title, snippet(doc_fts, 1, ?1, ?2, '…', 16)" HIT_COLUMNS
		", d.id FROM doc_fts CROSS JOIN page p CROSS JOIN documents d"
		" WHERE doc_fts MATCH ?3 AND doc_fts.rowid >= %lld AND doc_fts.rowid <= %lld"
		" AND +doc_fts.rowid IN (SELECT id FROM page) AND p.id = doc_fts.rowid AND"
		" d.id = p.id ORDER BY p.pos",
		s->key, lo, hi);
	if (prepare(arc, &sql, &st, err) != FOLIO_OK)
		return -1;
	sqlite3_bind_text(st, 1, o->hl_open ? o->hl_open : "[", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->hl_close ? o->hl_close : "]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->q.fts.buf, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 4, ids[i]);
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = call(st, sqlite3_column_int64(st, 8), fn, ctx);
	if (!r && rc != SQLITE_DONE) {
		step_err(arc, s, err);
		r = -1;
	}
	sqlite3_finalize(st);
	return r;
}

/* Read hit `id`'s columns and hand them to fn (or keep it for flush);
 * returns 1 when fn says stop, or -1 with err set. */
static int emit(struct folio_store *arc, struct search *s, const struct folio_search_opts *o,
		long long id, int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
		struct folio_err *err)
{
	int rc, stop;

	if (s->chunked) {
		s->chunk[s->nchunk++] = id;
		if (s->nchunk < CHUNK)
			return 0;
		s->nchunk = 0;
		return flush(arc, s, o, s->chunk, CHUNK, fn, ctx, err);
	}
	sqlite3_reset(s->row);
	sqlite3_bind_int64(s->row, s->fts ? 4 : 3, id);
	rc = sqlite3_step(s->row);
	if (rc == SQLITE_DONE) /* gone since the list was made */
		return 0;
	if (rc != SQLITE_ROW) {
		step_err(arc, s, err);
		return -1;
	}
	stop = call(s->row, id, fn, ctx);
	sqlite3_reset(s->row);
	return stop;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The probe for words without a narrow filter: every match's id read
 * once into memory (in id order, as FTS5 gives them), then the newest
 * PROBE_ROWS documents walked in C, each looked up among them and, when
 * there, checked against the filters; SQLite's IN (subquery) built a
 * b-tree of the matches, several times slower for a common word.
 */
static long long probe_words(struct folio_store *arc, struct search *s, long long *ids,
			     struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	sqlite3_stmt *st = NULL, *check = NULL, *walk = NULL;
	long long *m = NULL, nm = 0, cap = 0, n = 0, passed = 0;
	int rc, k = 1, ret = 0;

	folio_strbuf_adds(&sql, "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?");
	if (prepare(arc, &sql, &st, err) != FOLIO_OK)
		return -1;
	sqlite3_bind_text(st, 1, s->q.fts.buf, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nm == cap) {
			long long *t =
				realloc(m, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof(*m));

			if (!t) {
				rc = SQLITE_NOMEM;
				break;
			}
			m = t;
		}
		m[nm++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_NOMEM)
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		else
			step_err(arc, s, err);
		ret = -1;
		goto out;
	}
	/* no match: nothing to walk (and qsort, bsearch take no NULL array) */
	if (!nm)
		goto out;
	folio_sort(m, (size_t)nm, sizeof(*m), cmp_ll); /* in order already, unless OR */
	if (s->q.where.len) {
		folio_strbuf_addf(&sql, "SELECT 1 FROM %s d WHERE d.id = ?%s",
				  needs_documents(s->q.where.buf) ? "documents" : "doc_dates",
				  s->q.where.buf);
		if (prepare(arc, &sql, &check, err) != FOLIO_OK) {
			ret = -1;
			goto out;
		}
		k = 2;
		bind_where(check, &s->q, &k);
	}
	folio_strbuf_adds(&sql, "SELECT id FROM doc_dates WHERE 1");
	add_dates(&sql, &s->q, "date");
	folio_strbuf_addf(&sql, " ORDER BY date DESC, id DESC LIMIT %d", PROBE_ROWS);
	if (prepare(arc, &sql, &walk, err) != FOLIO_OK) {
		ret = -1;
		goto out;
	}
	k = 1;
	bind_dates(walk, &s->q, &k);
	while (n < s->limit && (rc = sqlite3_step(walk)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(walk, 0);

		if (!bsearch(&id, m, (size_t)nm, sizeof(*m), cmp_ll))
			continue;
		if (check) {
			sqlite3_reset(check);
			sqlite3_bind_int64(check, 1, id);
			if ((rc = sqlite3_step(check)) == SQLITE_DONE)
				continue;
			if (rc != SQLITE_ROW)
				break;
		}
		if (++passed > s->offset)
			ids[n++] = id;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		step_err(arc, s, err);
		ret = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(check);
	sqlite3_finalize(walk);
	free(m);
	return ret < 0 ? -1 : n;
}

/*
 * The probe of a list by date: the ids found among the newest PROBE_ROWS
 * documents, into ids[] (at most s->limit). Returns how many, or -1 with
 * err set. When it returns s->limit the page is complete: nothing older
 * than the probe's last row can come before it.
 */
static long long probe(struct folio_store *arc, struct search *s, long long *ids,
		       struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	long long n = 0;
	int rc, k = 1;

	if (s->fts && !s->q.narrow)
		return probe_words(arc, s, ids, err);
	/* the list date of the PROBE_ROWS-th newest document in the dates
	 * asked for: where the walk stops */
	folio_strbuf_adds(&sql, "SELECT date FROM doc_dates WHERE 1");
	add_dates(&sql, &s->q, "date");
	folio_strbuf_addf(&sql, " ORDER BY date DESC, id DESC LIMIT 1 OFFSET %d", PROBE_ROWS - 1);
	if (prepare(arc, &sql, &st, err) != FOLIO_OK)
		return -1;
	bind_dates(st, &s->q, &k);
	s->bound[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(s->bound, sizeof(s->bound), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		folio_db_err(arc, err, "cannot search");
		return -1;
	}
	if (prepare_ids(arc, s, PLAN_PROBE, err) != FOLIO_OK)
		return -1;
	while ((rc = sqlite3_step(s->ids)) == SQLITE_ROW && n < s->limit)
		ids[n++] = sqlite3_column_int64(s->ids, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		step_err(arc, s, err);
		n = -1;
	}
	sqlite3_finalize(s->ids);
	s->ids = NULL;
	return n;
}

/*
 * Words with filters, by score: the RANKED best matches by the full-text
 * index alone, then the filters on each in that order until the page is
 * full (a filter on every match cost more than ranking them all). Returns
 * how many ids are in ids[] (at most s->limit) and sets *complete when
 * they are the whole page: s->limit of them, or every match seen; -1 with
 * err set. Anything past the RANKED best: the filters in SQL after all.
 */
#define RANKED 400

static long long ranked(struct folio_store *arc, struct search *s, long long *ids, int *complete,
			struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	sqlite3_stmt *check = NULL;
	long long n = 0, seen = 0, passed = 0, want = s->limit + s->offset;
	int rc = SQLITE_DONE, rc2, k = 2;

	*complete = 0;
	folio_strbuf_addf(&sql,
			  "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ? ORDER BY " BM25
			  ", rowid LIMIT %d",
			  s->key, RANKED);
	if (prepare(arc, &sql, &s->ids, err) != FOLIO_OK)
		return -1;
	folio_strbuf_addf(&sql, "SELECT 1 FROM %s d WHERE d.id = ?%s",
			  needs_documents(s->q.where.buf) ? "documents" : "doc_dates",
			  s->q.where.buf);
	if (prepare(arc, &sql, &check, err) != FOLIO_OK)
		return -1;
	sqlite3_bind_text(s->ids, 1, s->q.fts.buf, -1, SQLITE_STATIC);
	bind_where(check, &s->q, &k);
	while (n < s->limit && (rc = sqlite3_step(s->ids)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(s->ids, 0);

		seen++;
		sqlite3_reset(check);
		sqlite3_bind_int64(check, 1, id);
		if ((rc2 = sqlite3_step(check)) == SQLITE_ROW && ++passed > s->offset)
			ids[n++] = id;
		else if (rc2 != SQLITE_ROW && rc2 != SQLITE_DONE) {
			rc = rc2;
			break;
		}
	}
	sqlite3_finalize(check);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		step_err(arc, s, err);
		n = -1;
	} else {
		*complete = passed >= want || (rc == SQLITE_DONE && seen < RANKED);
	}
	sqlite3_finalize(s->ids);
	s->ids = NULL;
	return n;
}

int sq_search(struct folio_store *arc, const struct folio_search_opts *opts,
	      int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx, struct folio_err *err)
{
	struct search s = { 0 };
	long long *ids = NULL, n = -1, i;
	int rc = SQLITE_DONE, ret, r = 0, complete = 0;

	if ((ret = begin(opts, &s, err)) != FOLIO_OK ||
	    (ret = prepare_row(arc, &s, opts, err)) != FOLIO_OK)
		goto out;
	/* (a narrow filter - vendor:, nip:, a number - has a subquery that
	 * each check would run again: SQL starts from it instead) */
	if (s.fts && s.sort == FOLIO_SORT_SCORE && s.q.where.len && !s.q.narrow &&
	    s.limit + s.offset <= RANKED) {
		if (!(ids = calloc((size_t)s.limit, sizeof(*ids)))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		if ((n = ranked(arc, &s, ids, &complete, err)) < 0) {
			ret = FOLIO_FAILED;
			goto out;
		}
		if (complete)
			goto page;
	}
	/* a narrow filter without words: its index finds the few at once */
	if (s.sort == FOLIO_SORT_DATE && s.limit + s.offset <= PROBE_HITS &&
	    (s.fts || !s.q.narrow)) {
		if (!(ids = calloc((size_t)s.limit, sizeof(*ids)))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		if ((n = probe(arc, &s, ids, err)) < 0) {
			ret = FOLIO_FAILED;
			goto out;
		}
	}
	if (n == s.limit) {
page:
		for (i = 0; i < n && !r; i++)
			r = emit(arc, &s, opts, ids[i], fn, ctx, err);
		if (!r)
			r = flush(arc, &s, opts, s.chunk, s.nchunk, fn, ctx, err);
		ret = r < 0 ? FOLIO_FAILED : FOLIO_OK;
		goto out;
	}
	if ((ret = prepare_ids(arc, &s, PLAN_ALL, err)) != FOLIO_OK)
		goto out;
	while (!r && (rc = sqlite3_step(s.ids)) == SQLITE_ROW)
		r = emit(arc, &s, opts, sqlite3_column_int64(s.ids, 0), fn, ctx, err);
	if (!r && rc == SQLITE_DONE)
		r = flush(arc, &s, opts, s.chunk, s.nchunk, fn, ctx, err);
	if (r < 0)
		ret = FOLIO_FAILED;
	else if (!r && rc != SQLITE_DONE)
		ret = step_err(arc, &s, err);
	else
		ret = FOLIO_OK;
out:
	free(ids);
	end(&s);
	return ret;
}

long long sq_count(struct folio_store *arc, const struct folio_search_opts *opts,
		   struct folio_err *err)
{
	struct search s = { 0 };
	long long n = -1;
	int rc;

	if (begin(opts, &s, err) == FOLIO_OK && prepare_ids(arc, &s, PLAN_COUNT, err) == FOLIO_OK) {
		rc = sqlite3_step(s.ids);
		if (rc == SQLITE_ROW)
			n = sqlite3_column_int64(s.ids, 0);
		else if (sqlite3_extended_errcode(arc->db) == SQLITE_ERROR)
			sq_fts_error(arc, s.q.fts.buf ? s.q.fts.buf : "", err);
		else
			folio_db_err(arc, err, "cannot count");
	}
	end(&s);
	return n;
}
