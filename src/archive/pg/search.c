/*
 * search.c - folio search on PostgreSQL, the query language of the SQLite
 * backend (src/archive/sqlite/query.c): the free text through the
 * generated tsvector column (folio_fold: unaccent plus ł ø đ, the SQLite
 * tokenizer's folding; a word the folding splits is a phrase), number
 * substrings through the pg_trgm index, and every filter, with the same
 * rules and messages (tests/e2e/pg.sh compares the hits of both backends).
 *
 * Ranking is ts_rank over the title (weight A: 1.0), the field values (B:
 * 0.6) and the text (D: 0.2) - the proportions of SQLite's BM25 weights
 * 5, 3, 1, not BM25 itself: ts_rank knows no document frequencies, so
 * equal matches in a long and a short document rank closer than in
 * SQLite. OR / NOT / NEAR and parentheses fail with "not available on
 * PostgreSQL archives yet". */
#include "pg_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"
#include "folio/values.h"

#define MAX_PARAMS 48

#define HIT_COLUMNS                                                                            \
	", d.doc_type, d.added_at, coalesce((SELECT value FROM fields WHERE doc_id = d.id AND" \
	" name = 'issue_date'), substr(d.added_at, 1, 10)), (SELECT value FROM fields WHERE"   \
	" doc_id = d.id AND name = 'seller_name'), (SELECT value FROM fields WHERE doc_id ="   \
	" d.id AND name = 'gross_total') || coalesce(' ' || (SELECT value FROM fields WHERE"   \
	" doc_id = d.id AND name = 'currency'), '')"
#define DATE_EXPR                                                                           \
	"coalesce((SELECT value FROM fields WHERE doc_id = d.id AND name = 'issue_date'), " \
	"substr(d.added_at, 1, 10))"
#define TOTAL_EXPR                                                                   \
	"(SELECT CASE WHEN value ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN value::numeric END" \
	" FROM fields WHERE doc_id = d.id AND name = 'gross_total')"
#define WEIGHTS "'{0.2, 0, 0.6, 1.0}'"

struct pq {
	struct folio_strbuf where; /* " AND ..." */
	struct folio_strbuf tsq;   /* a tsquery expression, "" without words */
	char *params[MAX_PARAMS];
	int n;
};

static void pq_release(struct pq *q)
{
	int i;

	folio_strbuf_release(&q->where);
	folio_strbuf_release(&q->tsq);
	for (i = 0; i < q->n; i++)
		free(q->params[i]);
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

/* A parameter of the query: its number, 0 when out of room or memory. */
static int param(struct pq *q, const char *s, size_t n)
{
	if (q->n >= MAX_PARAMS - 4 || !(q->params[q->n] = strndup(s, n)))
		return 0;
	return ++q->n;
}

/* Append `sql` with each "$?" the number of parameter k. */
static int put(struct folio_strbuf *sb, const char *sql, int k)
{
	const char *p;
	int r = 0;

	while (!r && (p = strstr(sql, "$?"))) {
		r = folio_strbuf_add(sb, sql, (size_t)(p - sql)) || folio_strbuf_addf(sb, "$%d", k);
		sql = p + 2;
	}
	return r || folio_strbuf_adds(sb, sql);
}

/* A condition on one new parameter (each "$?" in `sql`). */
static int cond(struct pq *q, const char *sql, const char *v, size_t vn)
{
	int k = param(q, v, vn);

	return !k || put(&q->where, sql, k);
}

/*
 * A condition on n new parameters: in `sql`, "$1?" is the first value,
 * "$2?" the second... (at most 9). Nonzero when out of room.
 */
static int condv(struct pq *q, const char *sql, int n, const char *const *v, const size_t *vn)
{
	int k[9], i;

	for (i = 0; i < n && i < 9; i++)
		if (!(k[i] = param(q, v[i], vn[i])))
			return -1;
	while (*sql) {
		if (sql[0] == '$' && sql[1] >= '1' && sql[1] <= '0' + n && sql[2] == '?') {
			if (folio_strbuf_addf(&q->where, "$%d", k[sql[1] - '1']))
				return -1;
			sql += 3;
		} else if (folio_strbuf_addch(&q->where, *sql++)) {
			return -1;
		}
	}
	return 0;
}

/* clang-format off */
static const char *const keys[] = {
	"type", "tag", "status", "mime", "id", "currency", "vendor", "nip", "taxid", "asn",
	"date", "issued", "due", "added", "total", "is", "export", "from", "subject", "in",
	"account", "folder", "nif", "piva", "cf", NULL,
};
/* clang-format on */

static int is_num(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return n > 0 && n < 19;
}

/* the same date and amount rules as the SQLite backend's (query.c) */
static int date_span(const char *s, size_t n, char lo[32], char hi[32])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 0, m = 0, d = 0, len;

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

/* "1234.56", "1234,56", "1 234,56" as one canonical number in out[64] */
static int parse_num(const char *s, size_t n, char out[64])
{
	char *end;
	size_t i, j = 0;
	double v;

	if (!n || n >= 64)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '_')
			out[j++] = s[i] == ',' ? '.' : s[i];
	out[j] = '\0';
	errno = 0;
	v = strtod(out, &end);
	if (errno || *end || end == out)
		return -1;
	snprintf(out, 64, "%.17g", v);
	return 0;
}

/* a field-valued key's SQL expression over d */
static const char *field_expr(const char *key)
{
	if (!strcmp(key, "date") || !strcmp(key, "issued"))
		return "(SELECT value FROM fields WHERE doc_id = d.id AND name = 'issue_date')";
	if (!strcmp(key, "due"))
		return "(SELECT value FROM fields WHERE doc_id = d.id AND name = 'due_date')";
	if (!strcmp(key, "added"))
		return "substr(d.added_at, 1, 10)";
	if (!strcmp(key, "total"))
		return TOTAL_EXPR;
	return NULL;
}

/* key OP value, OP one of : = > >= < <= (dates and totals) */
static int add_compare(struct pq *q, const char *word, const char *key, const char *op,
		       const char *val, size_t vn, struct folio_err *err)
{
	const char *expr = field_expr(key), *dots, *v[2];
	char sql[600], lo[64], hi[64], lo2[32], hi2[32];
	size_t n[2];
	int r;

	dots = vn >= 2 ? strstr(val, "..") : NULL;
	if (dots && (size_t)(dots - val) >= vn)
		dots = NULL;
	if (!strcmp(key, "total")) {
		if (dots && !strcmp(op, ":")) {
			if (parse_num(val, (size_t)(dots - val), lo) ||
			    parse_num(dots + 2, vn - (size_t)(dots - val) - 2, hi))
				return usage(err, "'%s': a range of amounts is like total:100..200",
					     word);
			snprintf(sql, sizeof(sql), " AND %s BETWEEN $1?::float8 AND $2?::float8",
				 expr);
			v[0] = lo, v[1] = hi, n[0] = strlen(lo), n[1] = strlen(hi);
			r = condv(q, sql, 2, v, n);
		} else {
			if (parse_num(val, vn, lo))
				return usage(err, "'%s': '%.*s' is not an amount", word, (int)vn,
					     val);
			snprintf(sql, sizeof(sql), " AND %s %s $1?::float8", expr,
				 !strcmp(op, ":") ? "=" : op);
			v[0] = lo, n[0] = strlen(lo);
			r = condv(q, sql, 1, v, n);
		}
		return r ? usage(err, "too many filters") : FOLIO_OK;
	}
	/* dates compare as ISO strings; a prefix covers its whole span */
	if (dots && !strcmp(op, ":")) {
		if (date_span(val, (size_t)(dots - val), lo, hi) ||
		    date_span(dots + 2, vn - (size_t)(dots - val) - 2, lo2, hi2))
			return usage(err, "'%s': a date range is like %s:2024-01..2024-03", word,
				     key);
		snprintf(hi, sizeof(hi), "%s", hi2);
	} else if (date_span(val, vn, lo, hi)) {
		return usage(err, "'%s': '%.*s' is not a date (2024, 2024-03 or 2024-03-15)", word,
			     (int)vn, val);
	}
	v[0] = lo, v[1] = hi, n[0] = n[1] = 10;
	if (dots || !strcmp(op, ":") || !strcmp(op, "=")) {
		snprintf(sql, sizeof(sql), " AND %s >= $1? AND %s < $2?", expr, expr);
		r = condv(q, sql, 2, v, n);
	} else {
		/* > D: after its whole span; >= D: from its start; < D: before it */
		snprintf(sql, sizeof(sql), " AND %s %s $1?", expr, op[0] == '>' ? ">=" : "<");
		if (!strcmp(op, ">") || !strcmp(op, "<="))
			v[0] = hi;
		r = condv(q, sql, 1, v, n);
	}
	return r ? usage(err, "too many filters") : FOLIO_OK;
}

/* upper-case letters and digits of a tax ID, country prefix kept */
static size_t norm_taxid(const char *s, size_t n, char *out, size_t max)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < max; i++)
		if (isalnum((unsigned char)s[i]))
			out[j++] = (char)toupper((unsigned char)s[i]);
	out[j] = '\0';
	return j;
}

static int add_filter(struct pq *q, const char *word, const char *key, const char *op,
		      const char *v, size_t vn, struct folio_err *err)
{
	int r;

	if (!vn)
		return usage(err, "'%s' needs a value", word);
	if (field_expr(key))
		return add_compare(q, word, key, op, v, vn, err);
	if (strcmp(op, ":"))
		return usage(err, "'%s': only dates and totals compare with %s", word, op);
	if (!strcmp(key, "type"))
		r = cond(q, " AND d.doc_type = $?", v, vn);
	else if (!strcmp(key, "status"))
		r = cond(q, " AND d.status = $?", v, vn);
	else if (!strcmp(key, "tag"))
		r = cond(q,
			 " AND EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = d.id AND t.tag = $?)",
			 v, vn);
	else if (!strcmp(key, "mime"))
		r = cond(q, " AND (d.mime = $? OR d.mime LIKE $? || '/%')", v, vn);
	else if (!strcmp(key, "currency")) {
		char cur[4];
		size_t i;

		if (vn != 3)
			return usage(err, "'%s': a currency is a 3-letter ISO code like EUR", word);
		for (i = 0; i < 3; i++)
			cur[i] = (char)toupper((unsigned char)v[i]);
		r = cond(q,
			 " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
			 " f.name = 'currency' AND f.value = $?)",
			 cur, 3);
	} else if (!strcmp(key, "id") || !strcmp(key, "in")) {
		if (!is_num(v, vn))
			return usage(err, "'%s': '%.*s' is not a document id", word, (int)vn, v);
		r = cond(q,
			 key[1] == 'd' ? " AND d.id = $?::bigint" :
					 " AND d.source_sha256 = (SELECT x.sha256 FROM documents x"
					 " WHERE x.id = $?::bigint)",
			 v, vn);
	} else if (!strcmp(key, "asn")) {
		r = cond(
			q,
			" AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND f.name = 'asn'"
			" AND (f.value = $? OR ltrim(f.value, 'ASN0') = ltrim($?, 'ASN0')))",
			v, vn);
	} else if (!strcmp(key, "from") || !strcmp(key, "subject")) {
		r = cond(q,
			 key[0] == 'f' ?
				 " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
				 " f.name = 'mail_from' AND strpos(f.value, $?) > 0)" :
				 " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
				 " f.name = 'mail_subject' AND strpos(f.value, $?) > 0)",
			 v, vn);
	} else if (!strcmp(key, "account") || !strcmp(key, "folder")) {
		/* documents from an IMAP account or folder: their mail_source,
		 * imap://ACCOUNT/FOLDER;UIDVALIDITY=V/;UID=N */
		r = cond(
			q,
			key[0] == 'a' ?
				" AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
				" f.name = 'mail_source' AND f.value LIKE 'imap://' || $? || '/%')" :
				" AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
				" f.name = 'mail_source' AND f.value LIKE 'imap://%/' || $? || ';%')",
			v, vn);
	} else if (!strcmp(key, "taxid")) {
		char tax[64];
		size_t tn = norm_taxid(v, vn, tax, sizeof(tax));

		if (!tn)
			return usage(err, "'%s': no tax ID in it", word);
		/* with or without the country prefix */
		r = cond(q,
			 " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND f.name IN"
			 " ('seller_tax_id', 'buyer_tax_id') AND (f.value = $? OR"
			 " substr(f.value, 3) = $?))",
			 tax, tn);
	} else if (!strcmp(key, "vendor")) {
		/* the seller's name on the document, or any spelling the
		 * registry saw for its vendor, or its name key ("wrobel") */
		char vk[FOLIO_VENDOR_KEY_MAX] = "", *val = strndup(v, vn);
		size_t kn = val ? folio_vendor_key(val, vk, sizeof(vk)) : 0;
		const char *vals[2] = { v, vk };
		size_t lens[2] = { vn, kn };

		free(val);
		r = condv(
			q,
			" AND (EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
			" f.name = 'seller_name' AND f.value ILIKE '%' || $1? || '%')"
			" OR d.vendor_id IN (SELECT vendor_id FROM vendor_names WHERE"
			" name ILIKE '%' || $1? || '%' OR key LIKE '%' || nullif($2?, '') || '%'))",
			2, vals, lens);
	} else if (!strcmp(key, "is")) {
		/* the export ledger is empty on PostgreSQL yet: is:exported is
		 * nothing, is:unexported everything, as they should be */
		if (vn == 9 && !strncmp(v, "duplicate", 9))
			r = folio_strbuf_adds(&q->where, " AND d.dup_of IS NOT NULL");
		else if (vn == 4 && !strncmp(v, "held", 4))
			r = folio_strbuf_adds(&q->where, " AND d.id IN (" PG_HELD_SQL ")");
		else if (vn == 8 && !strncmp(v, "exported", 8))
			r = folio_strbuf_adds(&q->where, " AND EXISTS (SELECT 1 FROM exports e"
							 " WHERE e.doc_id = d.id)");
		else if (vn == 10 && !strncmp(v, "unexported", 10))
			r = folio_strbuf_adds(&q->where, " AND NOT EXISTS (SELECT 1 FROM exports e"
							 " WHERE e.doc_id = d.id)");
		else
			return usage(
				err,
				"'%s': is: takes 'duplicate', 'held', 'exported' or 'unexported'",
				word);
	} else if (!strcmp(key, "export")) {
		r = cond(q,
			 " AND EXISTS (SELECT 1 FROM exports e WHERE e.doc_id = d.id AND"
			 " e.target = $?)",
			 v, vn);
	} else {
		return usage(err, "unknown filter '%s'", key);
	}
	return r ? usage(err, "too many filters") : FOLIO_OK;
}

/* a plain word (no quotes, operators, prefix star), 3+ bytes, a digit */
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

/* One word, phrase or prefix into the tsquery (ANDed). */
static int add_text(struct pq *q, const char *w, size_t n)
{
	/* a word the folding splits ("S.L.", "l'IVA") is its parts side by
	 * side, as SQLite's query makes it a phrase */
	const char *fn = "phraseto_tsquery('simple', folio_fold($?))";
	int k;

	if (n >= 2 && w[0] == '"' && w[n - 1] == '"') {
		w++;
		n -= 2;
		fn = "phraseto_tsquery('simple', folio_fold($?))";
	} else if (n >= 2 && w[n - 1] == '*') {
		n--;
		/* every word the folded prefix splits into, the last one a prefix */
		fn = "to_tsquery('simple', quote_literal(folio_fold($?)) || ':*')";
	}
	if (!n)
		return 0;
	if (!(k = param(q, w, n)))
		return -1;
	return (q->tsq.len && folio_strbuf_adds(&q->tsq, " && ")) || put(&q->tsq, fn, k);
}

static int parse(const char *query, struct pq *q, struct folio_err *err)
{
	const char *p = query;

	if (strstr(query, " OR ") || strstr(query, "NOT ") || strstr(query, "NEAR") ||
	    strchr(query, '('))
		return pg_unavailable(err, "OR, NOT, NEAR and parentheses in search");
	while (*p) {
		const char *start, *vs, *ve;
		char word[512], key[16], op[3] = "";
		size_t kn = 0, n;
		int i, inq = 0, r;

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
		while (kn < n && kn < sizeof(key) - 1 && isalpha((unsigned char)start[kn]))
			kn++;
		if (kn && kn < n && strchr(":<>=", start[kn])) {
			const char *meant;

			for (i = 0; i < (int)kn; i++)
				key[i] = (char)tolower((unsigned char)start[i]);
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
				if (!strcmp(key, "nip") || !strcmp(key, "nif") ||
				    !strcmp(key, "piva") || !strcmp(key, "cf"))
					snprintf(key, sizeof(key), "taxid");
				if (add_filter(q, word, key, op, vs, (size_t)(ve - vs), err))
					return FOLIO_FAILED;
				continue;
			}
			if ((meant = folio_suggest(key, keys)))
				return usage(err,
					     "unknown filter '%s%s' in '%s'; did you mean '%s%s'?",
					     key, op, word, meant, op);
			/* "Tel:600100200": text, as printed */
			r = add_text(q, start, n);
		} else if (substring_word(start, n)) {
			/* LIKE's own characters taken literally */
			struct folio_strbuf lit = FOLIO_STRBUF_INIT;
			size_t j;

			for (j = 0, r = 0; j < n && !r; j++)
				r = (strchr("%_\\", start[j]) && folio_strbuf_addch(&lit, '\\')) ||
				    folio_strbuf_addch(&lit, start[j]);
			r = r || cond(q,
				      " AND lower(d.text || ' ' || d.field_text) LIKE"
				      " '%' || lower($?) || '%'",
				      lit.buf, lit.len);
			folio_strbuf_release(&lit);
		} else {
			r = add_text(q, start, n);
		}
		if (r)
			return usage(err, "too many words or filters");
	}
	return FOLIO_OK;
}

/* The query's FROM and WHERE: "FROM documents d[, q] WHERE ..." */
static int from_where(struct folio_strbuf *sql, const struct pq *q)
{
	if (q->tsq.len)
		return folio_strbuf_addf(
			sql, " FROM documents d, (SELECT %s AS tq) q WHERE d.fts @@ q.tq%s",
			q->tsq.buf, q->where.len ? q->where.buf : "");
	return folio_strbuf_addf(sql, " FROM documents d WHERE true%s",
				 q->where.len ? q->where.buf : "");
}

static int begin(const struct folio_search_opts *o, struct pq *q, struct folio_err *err)
{
	const char *qs = o->query ? o->query : "";

	while (isspace((unsigned char)*qs))
		qs++;
	if (!*qs)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0, "empty query");
	return parse(qs, q, err);
}

static PGresult *exec(struct folio_store *s, const struct folio_strbuf *sql, struct pq *q,
		      struct folio_err *err, const char *what)
{
	PGresult *r = PQexecParams(s->conn, sql->buf, q->n, NULL, (const char *const *)q->params,
				   NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_err(s, r, err, what);
		PQclear(r);
		return NULL;
	}
	return r;
}

int pg_search(struct folio_store *s, const struct folio_search_opts *o,
	      int (*fn)(void *ctx, const struct folio_hit *hit), void *ctx, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT, hl = FOLIO_STRBUF_INIT;
	struct pq q = { 0 };
	enum folio_sort sort;
	char num[32];
	PGresult *r = NULL;
	int ret = FOLIO_FAILED, i, k;

	if (begin(o, &q, err) != FOLIO_OK)
		goto out;
	sort = o->sort ? o->sort : q.tsq.len ? FOLIO_SORT_SCORE : FOLIO_SORT_DATE;
	if (sort == FOLIO_SORT_SCORE && !q.tsq.len) {
		usage(err, "sorting by score needs words to search for");
		goto out;
	}
	if (q.tsq.len) {
		/* ts_headline's options: the highlight marks quoted */
		if (folio_strbuf_addf(&hl,
				      "StartSel=\"%s\", StopSel=\"%s\", MaxWords=16, MinWords=6,"
				      " ShortWord=0, MaxFragments=1, FragmentDelimiter=\"…\"",
				      o->hl_open ? o->hl_open : "[",
				      o->hl_close ? o->hl_close : "]") ||
		    !(k = param(&q, hl.buf, hl.len)))
			goto nomem;
		folio_strbuf_addf(&sql,
				  "SELECT d.id, ts_rank(" WEIGHTS ", d.fts, q.tq), d.title,"
				  " ts_headline('simple', d.text, q.tq, $%d)" HIT_COLUMNS,
				  k);
	} else {
		/* for filter-only lists, the text's start and an ellipsis */
		folio_strbuf_adds(
			&sql,
			"SELECT d.id, 0.0, d.title, substr(d.text, 1, 120) || '…'" HIT_COLUMNS);
	}
	from_where(&sql, &q);
	switch (sort) {
	case FOLIO_SORT_TOTAL:
		folio_strbuf_adds(&sql, " ORDER BY " TOTAL_EXPR " DESC NULLS LAST, d.id DESC");
		break;
	case FOLIO_SORT_SCORE: folio_strbuf_adds(&sql, " ORDER BY 2 DESC, d.id"); break;
	default: folio_strbuf_adds(&sql, " ORDER BY " DATE_EXPR " DESC, d.id DESC"); break;
	}
	snprintf(num, sizeof(num), "%d", o->limit > 0 ? o->limit : 20);
	if (!(k = param(&q, num, strlen(num))) || folio_strbuf_addf(&sql, " LIMIT $%d", k))
		goto nomem;
	snprintf(num, sizeof(num), "%d", o->offset > 0 ? o->offset : 0);
	if (!(k = param(&q, num, strlen(num))) || folio_strbuf_addf(&sql, "::bigint OFFSET $%d", k))
		goto nomem;
	if (folio_strbuf_adds(&sql, "::bigint"))
		goto nomem;
	if (!(r = exec(s, &sql, &q, err, "cannot search")))
		goto out;
	for (i = 0; i < PQntuples(r); i++) {
		/* clang-format off */
		struct folio_hit hit = {
			.id = pg_ll(r, i, 0),
			.score = pg_dbl(r, i, 1),
			.title = pg_str(r, i, 2),
			.snippet = pg_str(r, i, 3),
			.doc_type = pg_str(r, i, 4),
			.added_at = pg_str(r, i, 5),
			.date = pg_str(r, i, 6),
			.vendor = pg_str(r, i, 7),
			.total = pg_str(r, i, 8),
		};
		/* clang-format on */

		if (fn(ctx, &hit))
			break;
	}
	ret = FOLIO_OK;
	goto out;
nomem:
	folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
out:
	PQclear(r);
	pq_release(&q);
	folio_strbuf_release(&sql);
	folio_strbuf_release(&hl);
	return ret;
}

long long pg_count(struct folio_store *s, const struct folio_search_opts *o, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	struct pq q = { 0 };
	PGresult *r = NULL;
	long long n = -1;

	if (begin(o, &q, err) == FOLIO_OK && !folio_strbuf_adds(&sql, "SELECT count(*)") &&
	    !from_where(&sql, &q) && (r = exec(s, &sql, &q, err, "cannot count")))
		n = pg_ll(r, 0, 0);
	PQclear(r);
	pq_release(&q);
	folio_strbuf_release(&sql);
	return n;
}
