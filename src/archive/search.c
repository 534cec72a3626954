/*
 * search.c - the query language: FTS5 free text (bm25 ranked, title and
 * field values weighted above body text) plus filters on document
 * metadata, tags and extracted fields. See folio_search_opts in archive.h.
 *
 * A query is split into words (double quotes group); a word that starts
 * with a known key and ':' or a comparison is a filter, everything else
 * goes to FTS5 unchanged. Filters become bound SQL conditions: no text of
 * the query is ever pasted into SQL.
 */
#include "archive_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "vendors.h"

#define W_TITLE "5.0"
#define W_TEXT "1.0"
#define W_FIELDS "3.0"
#define MAX_BINDS 64

struct bind {
	int is_num;
	double num;
	char *text;
};

struct query {
	struct folio_strbuf fts;     /* the free text */
	struct folio_strbuf where;   /* " AND ..." conditions */
	struct bind binds[MAX_BINDS];
	int nbinds;
};

static void query_release(struct query *q)
{
	int i;

	folio_strbuf_release(&q->fts);
	folio_strbuf_release(&q->where);
	for (i = 0; i < q->nbinds; i++)
		free(q->binds[i].text);
}

static int bind_text(struct query *q, const char *s, size_t n)
{
	if (q->nbinds == MAX_BINDS || !(q->binds[q->nbinds].text = strndup(s, n)))
		return -1;
	q->binds[q->nbinds++].is_num = 0;
	return 0;
}

static int bind_num(struct query *q, double v)
{
	if (q->nbinds == MAX_BINDS)
		return -1;
	q->binds[q->nbinds].is_num = 1;
	q->binds[q->nbinds++].num = v;
	return 0;
}

static int usage(struct folio_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(struct folio_err *err, const char *fmt, ...)
{
	char msg[FOLIO_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "invalid query: %s", msg);
}

/*
 * A date or a date prefix: "2024", "2024-03", "2024-03-15" → the first day
 * it covers (lo) and the first day after it (hi), as ISO strings.
 */
static int date_span(const char *s, size_t n, char lo[32], char hi[32])
{
	int y = 0, m = 0, d = 0, len;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (n < 4 || !isdigit((unsigned char)s[0]))
		return -1;
	if (n == 4 && sscanf(s, "%4d%n", &y, &len) == 1 && len == 4) {
		snprintf(lo, 32, "%04d-01-01", y);
		snprintf(hi, 32, "%04d-01-01", y + 1);
		return 0;
	}
	if (n == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &len) == 2 && len == 7 && m >= 1 && m <= 12) {
		snprintf(lo, 32, "%04d-%02d-01", y, m);
		snprintf(hi, 32, "%04d-%02d-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
		return 0;
	}
	if (n == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &len) == 3 && len == 10 && m >= 1 &&
	    m <= 12 && d >= 1) {
		int leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
		int dm = mdays[m - 1] + (m == 2 && leap);

		if (d > dm)
			return -1;
		snprintf(lo, 32, "%04d-%02d-%02d", y, m, d);
		if (d < dm)
			snprintf(hi, 32, "%04d-%02d-%02d", y, m, d + 1);
		else
			snprintf(hi, 32, "%04d-%02d-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
		return 0;
	}
	return -1;
}

static int parse_num(const char *s, size_t n, double *v)
{
	char buf[64], *end;
	size_t i, j = 0;

	if (!n || n >= sizeof(buf))
		return -1;
	/* 1234.56, 1234,56 and 1 234,56 all mean the same here */
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '_')
			buf[j++] = s[i] == ',' ? '.' : s[i];
	buf[j] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return errno || *end || end == buf ? -1 : 0;
}

/* What a field-valued key compares against: an SQL expression over d.id. */
static const char *field_expr(const char *key)
{
	if (!strcmp(key, "date") || !strcmp(key, "issued"))
		return "(SELECT value FROM fields WHERE doc_id = d.id AND name = 'issue_date')";
	if (!strcmp(key, "due"))
		return "(SELECT value FROM fields WHERE doc_id = d.id AND name = 'due_date')";
	if (!strcmp(key, "added"))
		return "substr(d.added_at, 1, 10)";
	if (!strcmp(key, "total"))
		return "(SELECT CAST(value AS REAL) FROM fields WHERE doc_id = d.id"
		       " AND name = 'gross_total')";
	return NULL;
}

/* key OP value, OP one of : = > >= < <= */
static int add_compare(struct query *q, const char *word, const char *key, const char *op,
		       const char *val, size_t vn, struct folio_err *err)
{
	const char *expr = field_expr(key), *dots;
	int is_total = !strcmp(key, "total");
	char lo[32], hi[32], lo2[32], hi2[32];
	double a, b;

	dots = vn >= 2 ? strstr(val, "..") : NULL;
	if (dots && (size_t)(dots - val) >= vn)
		dots = NULL;
	if (is_total) {
		if (dots && !strcmp(op, ":")) {
			if (parse_num(val, (size_t)(dots - val), &a) ||
			    parse_num(dots + 2, vn - (size_t)(dots - val) - 2, &b))
				return usage(err, "'%s': a range of amounts is like total:100..200", word);
			folio_strbuf_addf(&q->where, " AND %s BETWEEN ? AND ?", expr);
			return bind_num(q, a) || bind_num(q, b) ? usage(err, "too many filters") : 0;
		}
		if (parse_num(val, vn, &a))
			return usage(err, "'%s': '%.*s' is not an amount", word, (int)vn, val);
		folio_strbuf_addf(&q->where, " AND %s %s ?", expr, !strcmp(op, ":") ? "=" : op);
		return bind_num(q, a) ? usage(err, "too many filters") : 0;
	}
	/* dates compare as ISO strings; a prefix covers its whole span */
	if (dots && !strcmp(op, ":")) {
		if (date_span(val, (size_t)(dots - val), lo, hi) ||
		    date_span(dots + 2, vn - (size_t)(dots - val) - 2, lo2, hi2))
			return usage(err, "'%s': a date range is like %s:2024-01..2024-03", word, key);
		folio_strbuf_addf(&q->where, " AND %s >= ? AND %s < ?", expr, expr);
		return bind_text(q, lo, 10) || bind_text(q, hi2, 10) ? usage(err, "too many filters")
								     : 0;
	}
	if (date_span(val, vn, lo, hi))
		return usage(err, "'%s': '%.*s' is not a date (2024, 2024-03 or 2024-03-15)", word,
			     (int)vn, val);
	if (!strcmp(op, ":") || !strcmp(op, "=")) {
		folio_strbuf_addf(&q->where, " AND %s >= ? AND %s < ?", expr, expr);
		return bind_text(q, lo, 10) || bind_text(q, hi, 10) ? usage(err, "too many filters") : 0;
	}
	/* > D: after its whole span; >= D: from its start; < D: before it */
	folio_strbuf_addf(&q->where, " AND %s %s ?", expr, op[0] == '>' ? ">=" : "<");
	if (!strcmp(op, ">") || !strcmp(op, "<="))
		return bind_text(q, hi, 10) ? usage(err, "too many filters") : 0;
	return bind_text(q, lo, 10) ? usage(err, "too many filters") : 0;
}

/* Upper-case letters and digits of a tax ID, country prefix kept. */
static size_t norm_taxid(const char *s, size_t n, char *out, size_t max)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < max; i++)
		if (isalnum((unsigned char)s[i]))
			out[j++] = (char)toupper((unsigned char)s[i]);
	out[j] = '\0';
	return j;
}

static int add_filter(struct query *q, const char *word, const char *key, const char *op,
		      const char *val, size_t vn, struct folio_err *err)
{
	char tax[64];
	int r = 0;

	if (!vn)
		return usage(err, "'%s' needs a value", word);
	if (field_expr(key))
		return add_compare(q, word, key, op, val, vn, err);
	if (strcmp(op, ":"))
		return usage(err, "'%s': only dates and totals compare with %s", word, op);
	if (!strcmp(key, "type")) {
		folio_strbuf_adds(&q->where, " AND d.doc_type = ?");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "status")) {
		folio_strbuf_adds(&q->where, " AND d.status = ?");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "tag")) {
		folio_strbuf_adds(&q->where,
				  " AND EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = d.id AND t.tag = ?)");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "mime")) {
		/* mime:image matches image/png and image/jpeg */
		folio_strbuf_adds(&q->where, " AND (d.mime = ? OR d.mime LIKE ? || '/%')");
		r = bind_text(q, val, vn) || bind_text(q, val, vn);
	} else if (!strcmp(key, "id")) {
		double v;

		if (parse_num(val, vn, &v))
			return usage(err, "'%s': '%.*s' is not a document id", word, (int)vn, val);
		folio_strbuf_adds(&q->where, " AND d.id = ?");
		r = bind_num(q, v);
	} else if (!strcmp(key, "currency")) {
		char cur[8];
		size_t i;

		if (vn != 3)
			return usage(err, "'%s': a currency is a 3-letter ISO code like EUR", word);
		for (i = 0; i < 3; i++)
			cur[i] = (char)toupper((unsigned char)val[i]);
		folio_strbuf_adds(&q->where, " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id ="
				  " d.id AND f.name = 'currency' AND f.value = ?)");
		r = bind_text(q, cur, 3);
	} else if (!strcmp(key, "vendor")) {
		char vk[FOLIO_VENDOR_KEY_MAX] = "", *v = strndup(val, vn);
		size_t kn = v ? folio_vendor_key(v, vk, sizeof(vk)) : 0;

		free(v);
		/* the seller's name on the document, or any spelling the registry
		 * saw for its vendor: "wrobel" finds what "Drukarnia Wróbel" sent,
		 * even its documents whose name OCR lost */
		folio_strbuf_adds(&q->where, " AND (EXISTS (SELECT 1 FROM fields f WHERE f.doc_id ="
				  " d.id AND f.name = 'seller_name' AND f.value LIKE '%' || ? || '%')"
				  " OR d.vendor_id IN (SELECT vendor_id FROM vendor_names WHERE"
				  " name LIKE '%' || ? || '%' OR key LIKE '%' || nullif(?, '') || '%'))");
		r = bind_text(q, val, vn) || bind_text(q, val, vn) || bind_text(q, vk, kn);
	} else if (!strcmp(key, "nip") || !strcmp(key, "taxid")) {
		size_t tn = norm_taxid(val, vn, tax, sizeof(tax));

		if (!tn)
			return usage(err, "'%s': no tax ID in it", word);
		/* with or without the country prefix */
		folio_strbuf_adds(&q->where, " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id ="
				  " d.id AND f.name IN ('seller_tax_id', 'buyer_tax_id') AND (f.value ="
				  " ? OR substr(f.value, 3) = ?))");
		r = bind_text(q, tax, tn) || bind_text(q, tax, tn);
	} else if (!strcmp(key, "is")) {
		if (vn == 9 && !strncmp(val, "duplicate", 9))
			folio_strbuf_adds(&q->where, " AND d.dup_of IS NOT NULL");
		else
			return usage(err, "'%s': is: takes 'duplicate'", word);
	} else if (!strcmp(key, "asn")) {
		folio_strbuf_adds(&q->where, " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id ="
				  " d.id AND f.name = 'asn' AND (f.value = ? OR ltrim(f.value, 'ASN0')"
				  " = ltrim(?, 'ASN0')))");
		r = bind_text(q, val, vn) || bind_text(q, val, vn);
	}
	return r ? usage(err, "too many filters") : 0;
}

static const char *const keys[] = {
	"type", "tag", "status", "mime", "id", "currency", "vendor", "nip", "taxid", "asn",
	"date", "issued", "due", "added", "total", "is", NULL,
};

/* Split the query into filters and free text. */
/* A word to look up as a substring: plain (no quotes, operators, prefix
 * star), 3+ bytes, with a digit. */
static int substring_word(const char *w, size_t n)
{
	size_t i;
	int digit = 0;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++) {
		if (strchr("\"*()^:", w[i]))
			return 0;
		if (isdigit((unsigned char)w[i]))
			digit = 1;
	}
	return digit;
}

/* The query combines words with OR, NOT, NEAR or parentheses: its words
 * must all stay in one FTS5 expression. */
static int boolean_query(const char *q)
{
	return strstr(q, " OR ") || strstr(q, "NOT ") || strstr(q, "NEAR") || strchr(q, '(');
}

static int parse(const char *query, struct query *q, struct folio_err *err)
{
	const char *p = query;
	int boolean = boolean_query(query);

	while (*p) {
		const char *start, *vs, *ve;
		char word[512], key[16], op[3] = "";
		size_t kn = 0, n;
		int i, inq = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (inq || !isspace((unsigned char)*p))) {
			if (*p == '"')
				inq = !inq;
			p++;
		}
		n = (size_t)(p - start);
		snprintf(word, sizeof(word), "%.*s", (int)n, start);
		/* a key: letters, then ':' or a comparison */
		while (kn < n && kn < sizeof(key) - 1 && islower((unsigned char)start[kn]))
			kn++;
		if (kn && kn < n && strchr(":<>=", start[kn])) {
			memcpy(key, start, kn);
			key[kn] = '\0';
			op[0] = start[kn];
			if ((op[0] == '<' || op[0] == '>') && kn + 1 < n && start[kn + 1] == '=')
				op[1] = '=';
			for (i = 0; keys[i] && strcmp(keys[i], key); i++)
				;
			if (keys[i]) {
				vs = start + kn + strlen(op);
				ve = p;
				if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
					vs++;
					ve--;
				}
				if (add_filter(q, word, key, op, vs, (size_t)(ve - vs), err))
					return FOLIO_FAILED;
				continue;
			}
			if (op[0] == ':' && strcmp(key, "title") && strcmp(key, "text") &&
			    strcmp(key, "field_text"))
				return usage(err, "unknown filter '%s:' in '%s' (filters: type tag status"
					     " mime id currency vendor nip taxid asn date issued due added"
					     " total is)", key, word);
		}
		if (!boolean && substring_word(start, n)) {
			struct folio_strbuf t = FOLIO_STRBUF_INIT;
			int r;

			folio_strbuf_addch(&t, '"');
			folio_strbuf_add(&t, start, n);
			folio_strbuf_addch(&t, '"');
			folio_strbuf_adds(&q->where, " AND d.id IN (SELECT rowid FROM doc_tri WHERE"
					  " doc_tri MATCH ?)");
			r = !t.buf || bind_text(q, t.buf, t.len);
			folio_strbuf_release(&t);
			if (r)
				return usage(err, "too many filters");
			continue;
		}
		if (q->fts.len)
			folio_strbuf_addch(&q->fts, ' ');
		folio_strbuf_add(&q->fts, start, n);
	}
	return FOLIO_OK;
}

/* Turn SQLite's FTS5 complaint into a sentence for the person who typed
 * the query; the raw SQLite text is never shown. */
static int fts_error(struct folio_archive *arc, const char *query, struct folio_err *err)
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
		return usage(err, "'%s': unexpected '%s' (quote words with special characters,"
			     " e.g. '\"%s\"')", query, n ? tok : "end of query", query);
	}
	if (strstr(msg, "unterminated string"))
		return usage(err, "'%s': a phrase is missing its closing '\"'", query);
	if (strstr(msg, "no such column"))
		return usage(err, "'%s': unknown field before ':'", query);
	if (strstr(msg, "unknown special query"))
		return usage(err, "'%s': a query must contain words", query);
	return usage(err, "'%s': %s", query, strstr(msg, "fts5: ") == msg ? msg + 6 : "not understood");
}

static int build(struct folio_archive *arc, const struct folio_search_opts *o, struct query *q,
		 int count, sqlite3_stmt **st, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	const char *qs = o->query ? o->query : "";
	int fts, i, k, ret = FOLIO_OK;
	enum folio_sort sort;

	while (isspace((unsigned char)*qs))
		qs++;
	if (!*qs)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "empty query");
	if ((ret = parse(qs, q, err)) != FOLIO_OK)
		return ret;
	fts = q->fts.len > 0;
	sort = o->sort ? o->sort : fts ? FOLIO_SORT_SCORE : FOLIO_SORT_DATE;
	if (sort == FOLIO_SORT_SCORE && !fts)
		return usage(err, "sorting by score needs words to search for");
	if (count)
		folio_strbuf_adds(&sql, "SELECT count(*)");
	else if (fts)
		folio_strbuf_adds(&sql, "SELECT d.id, -bm25(doc_fts, " W_TITLE ", " W_TEXT ", " W_FIELDS
				  "), d.title, snippet(doc_fts, 1, ?, ?, '…', 16), d.doc_type,"
				  " d.added_at");
	else
		folio_strbuf_adds(&sql, "SELECT d.id, 0.0, d.title, substr(d.text, 1, 120) || ?"
				  " || ?, d.doc_type, d.added_at");
	/* the table columns: date, vendor, total with currency */
	if (!count)
		folio_strbuf_addf(&sql, ", coalesce(%s, substr(d.added_at, 1, 10)),"
				  " (SELECT value FROM fields WHERE doc_id = d.id AND name = 'seller_name'),"
				  " (SELECT value FROM fields WHERE doc_id = d.id AND name = 'gross_total')"
				  " || coalesce(' ' || (SELECT value FROM fields WHERE doc_id = d.id AND"
				  " name = 'currency'), '')", field_expr("date"));
	if (fts)
		folio_strbuf_adds(&sql, " FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid"
				  " WHERE doc_fts MATCH ?");
	else
		folio_strbuf_adds(&sql, " FROM documents d WHERE 1");
	if (q->where.len)
		folio_strbuf_adds(&sql, q->where.buf);
	if (!count) {
		switch (sort) {
		case FOLIO_SORT_TOTAL:
			folio_strbuf_addf(&sql, " ORDER BY %s DESC NULLS LAST, d.id DESC",
					  field_expr("total"));
			break;
		case FOLIO_SORT_DATE:
			folio_strbuf_addf(&sql, " ORDER BY coalesce(%s, substr(d.added_at, 1, 10)) DESC,"
					  " d.id DESC", field_expr("date"));
			break;
		default:
			folio_strbuf_adds(&sql, " ORDER BY bm25(doc_fts, " W_TITLE ", " W_TEXT ", "
					  W_FIELDS "), d.id");
		}
		folio_strbuf_adds(&sql, " LIMIT ? OFFSET ?");
	}
	if (!sql.buf) {
		folio_strbuf_release(&sql);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(arc->db, sql.buf, -1, st, NULL) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot search");
		folio_strbuf_release(&sql);
		return ret;
	}
	folio_strbuf_release(&sql);
	k = 1;
	if (!count) {
		/* snippet markers; for filter-only lists, a trailing ellipsis */
		sqlite3_bind_text(*st, k++, fts ? (o->hl_open ? o->hl_open : "[") : "", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(*st, k++, fts ? (o->hl_close ? o->hl_close : "]") : "…", -1,
				  SQLITE_STATIC);
	}
	if (fts)
		sqlite3_bind_text(*st, k++, q->fts.buf, -1, SQLITE_STATIC);
	for (i = 0; i < q->nbinds; i++, k++) {
		if (q->binds[i].is_num)
			sqlite3_bind_double(*st, k, q->binds[i].num);
		else
			sqlite3_bind_text(*st, k, q->binds[i].text, -1, SQLITE_STATIC);
	}
	if (!count) {
		sqlite3_bind_int(*st, k++, o->limit > 0 ? o->limit : 20);
		sqlite3_bind_int(*st, k++, o->offset > 0 ? o->offset : 0);
	}
	return FOLIO_OK;
}

int folio_archive_search(struct folio_archive *arc, const struct folio_search_opts *opts,
			 int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx,
			 struct folio_err *err)
{
	struct query q = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if ((ret = build(arc, opts, &q, 0, &st, err)) != FOLIO_OK) {
		query_release(&q);
		return ret;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_hit hit = {
			.id = sqlite3_column_int64(st, 0),
			.score = sqlite3_column_double(st, 1),
			.title = (const char *)sqlite3_column_text(st, 2),
			.snippet = (const char *)sqlite3_column_text(st, 3),
			.doc_type = (const char *)sqlite3_column_text(st, 4),
			.added_at = (const char *)sqlite3_column_text(st, 5),
			.date = (const char *)sqlite3_column_text(st, 6),
			.vendor = (const char *)sqlite3_column_text(st, 7),
			.total = (const char *)sqlite3_column_text(st, 8),
		};

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
		if (fn(ctx, &hit))
			break;
	}
	ret = FOLIO_OK;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = sqlite3_extended_errcode(arc->db) == SQLITE_ERROR
			      ? fts_error(arc, q.fts.buf ? q.fts.buf : "", err)
			      : folio_db_err(arc, err, "cannot search");
	sqlite3_finalize(st);
	query_release(&q);
	return ret;
}

long long folio_archive_count(struct folio_archive *arc, const struct folio_search_opts *opts,
			      struct folio_err *err)
{
	struct query q = { 0 };
	sqlite3_stmt *st = NULL;
	long long n = -1;
	int rc;

	if (build(arc, opts, &q, 1, &st, err) == FOLIO_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		else if (sqlite3_extended_errcode(arc->db) == SQLITE_ERROR)
			fts_error(arc, q.fts.buf ? q.fts.buf : "", err);
		else
			folio_db_err(arc, err, "cannot count");
		sqlite3_finalize(st);
	}
	query_release(&q);
	return n;
}
