/*
 * query.c - the query language: a query is split into words (double
 * quotes group); a word that starts with a known key and ':' or a
 * comparison is a filter, everything else goes to FTS5 unchanged. Filters
 * become bound SQL conditions: no text of the query is ever pasted into
 * SQL. The search itself is in search.c.
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

void sq_query_release(struct query *q)
{
	int i;

	folio_strbuf_release(&q->fts);
	folio_strbuf_release(&q->where);
	folio_strbuf_release(&q->drive);
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

/* A condition in both forms (drive NULL: the same text). */
static void cond(struct query *q, const char *where, const char *drive)
{
	folio_strbuf_adds(&q->where, where);
	folio_strbuf_adds(&q->drive, drive ? drive : where);
}

static void condf(struct query *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void condf(struct query *q, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cond(q, buf, NULL);
}

/* The list date of a document with an invoice date is that date: a filter
 * on it also bounds doc_dates.date, which is indexed. */
static void narrow_dates(struct query *q, const char *key, const char *lo, const char *hi)
{
	if (strcmp(key, "date") && strcmp(key, "issued"))
		return;
	if (lo && (!q->date_lo[0] || strcmp(lo, q->date_lo) > 0))
		snprintf(q->date_lo, sizeof(q->date_lo), "%s", lo);
	if (hi && (!q->date_hi[0] || strcmp(hi, q->date_hi) < 0))
		snprintf(q->date_hi, sizeof(q->date_hi), "%s", hi);
}

int sq_usage(struct folio_err *err, const char *fmt, ...)
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
const char *sq_field_expr(const char *key)
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
	const char *expr = sq_field_expr(key), *dots;
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
				return sq_usage(err,
						"'%s': a range of amounts is like total:100..200",
						word);
			condf(q, " AND %s BETWEEN ? AND ?", expr);
			return bind_num(q, a) || bind_num(q, b) ?
				       sq_usage(err, "too many filters") :
				       0;
		}
		if (parse_num(val, vn, &a))
			return sq_usage(err, "'%s': '%.*s' is not an amount", word, (int)vn, val);
		condf(q, " AND %s %s ?", expr, !strcmp(op, ":") ? "=" : op);
		return bind_num(q, a) ? sq_usage(err, "too many filters") : 0;
	}
	/* dates compare as ISO strings; a prefix covers its whole span */
	if (dots && !strcmp(op, ":")) {
		if (date_span(val, (size_t)(dots - val), lo, hi) ||
		    date_span(dots + 2, vn - (size_t)(dots - val) - 2, lo2, hi2))
			return sq_usage(err, "'%s': a date range is like %s:2024-01..2024-03", word,
					key);
		condf(q, " AND %s >= ? AND %s < ?", expr, expr);
		return bind_text(q, lo, 10) || bind_text(q, hi2, 10) ?
			       sq_usage(err, "too many filters") :
			       0;
	}
	if (date_span(val, vn, lo, hi))
		return sq_usage(err, "'%s': '%.*s' is not a date (2024, 2024-03 or 2024-03-15)",
				word, (int)vn, val);
	if (!strcmp(op, ":") || !strcmp(op, "=")) {
		condf(q, " AND %s >= ? AND %s < ?", expr, expr);
		narrow_dates(q, key, lo, hi);
		return bind_text(q, lo, 10) || bind_text(q, hi, 10) ?
			       sq_usage(err, "too many filters") :
			       0;
	}
	/* > D: after its whole span; >= D: from its start; < D: before it */
	condf(q, " AND %s %s ?", expr, op[0] == '>' ? ">=" : "<");
	if (!strcmp(op, ">"))
		narrow_dates(q, key, hi, NULL);
	else if (!strcmp(op, ">="))
		narrow_dates(q, key, lo, NULL);
	else if (!strcmp(op, "<="))
		narrow_dates(q, key, NULL, hi);
	else
		narrow_dates(q, key, NULL, lo);
	if (!strcmp(op, ">") || !strcmp(op, "<="))
		return bind_text(q, hi, 10) ? sq_usage(err, "too many filters") : 0;
	return bind_text(q, lo, 10) ? sq_usage(err, "too many filters") : 0;
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

/* A document's fields and their tax IDs, for nip: (the partial index
 * fields_taxid_tail holds the second form). */
#define TAXID_NAMES "name IN ('seller_tax_id', 'buyer_tax_id')"

/* A LIKE '%value%' the trigram index can narrow: 3 characters or more,
 * no LIKE wildcard. */
static int trigram_ok(const char *v, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == '%' || v[i] == '_' || !v[i])
			return 0;
		if (((unsigned char)v[i] & 0xc0) != 0x80)
			chars++;
	}
	return chars >= 3;
}

/* add_vendor() for a value the trigram index can narrow. Nonzero when the
 * binds are too many (or the quoted value ran out of memory). */
static int vendor_trigram(struct query *q, const char *val, size_t vn, const char *vk, size_t kn)
{
	struct folio_strbuf t = FOLIO_STRBUF_INIT;
	size_t i;
	int r;

	/* the same condition, the seller names searched among the documents
	 * whose field values hold the text (the trigram index: a superset,
	 * LIKE folding only ASCII case) rather than all */
	folio_strbuf_addch(&t, '"');
	for (i = 0; i < vn; i++) {
		if (val[i] == '"')
			folio_strbuf_addch(&t, '"');
		folio_strbuf_addch(&t, val[i]);
	}
	folio_strbuf_addch(&t, '"');
	cond(q,
	     " AND (EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
	     " f.name = 'seller_name' AND ? IS NOT NULL AND f.value LIKE '%' || ? ||"
	     " '%') OR EXISTS (SELECT 1 FROM documents x INDEXED BY documents_vendor"
	     " WHERE x.id = d.id AND x.vendor_id IN (SELECT vendor_id FROM"
	     " vendor_names WHERE name LIKE '%' || ? || '%' OR key LIKE '%' ||"
	     " nullif(?, '') || '%')))",
	     " AND d.id IN (SELECT f.doc_id FROM doc_tri t CROSS JOIN fields f ON"
	     " f.doc_id = t.rowid AND f.name = 'seller_name' WHERE doc_tri MATCH ? AND"
	     " f.value LIKE '%' || ? || '%' UNION SELECT id FROM documents WHERE"
	     " vendor_id IN (SELECT vendor_id FROM vendor_names WHERE name LIKE '%' ||"
	     " ? || '%' OR key LIKE '%' || nullif(?, '') || '%'))");
	r = !t.buf || bind_text(q, t.buf, t.len) || bind_text(q, val, vn) ||
	    bind_text(q, val, vn) || bind_text(q, vk, kn);
	folio_strbuf_release(&t);
	return r;
}

/* vendor:VALUE, matched against the seller's name and the vendor registry. */
static int add_vendor(struct query *q, const char *val, size_t vn, struct folio_err *err)
{
	char vk[FOLIO_VENDOR_KEY_MAX] = "", *v = strndup(val, vn);
	size_t kn = v ? folio_vendor_key(v, vk, sizeof(vk)) : 0;
	int r;

	free(v);
	q->narrow = 1;
	if (trigram_ok(val, vn))
		return vendor_trigram(q, val, vn, vk, kn) ? sq_usage(err, "too many filters") : 0;
	/* the seller's name on the document, or any spelling the registry
	 * saw for its vendor: "wrobel" finds what "Drukarnia Wróbel" sent,
	 * even its documents whose name OCR lost */
	cond(q,
	     " AND (EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
	     " f.name = 'seller_name' AND f.value LIKE '%' || ? || '%')"
	     " OR EXISTS (SELECT 1 FROM documents x INDEXED BY documents_vendor WHERE"
	     " x.id = d.id AND x.vendor_id IN (SELECT vendor_id FROM vendor_names WHERE"
	     " name LIKE '%' || ? || '%' OR key LIKE '%' || nullif(?, '') || '%')))",
	     " AND d.id IN (SELECT doc_id FROM fields WHERE name = 'seller_name' AND"
	     " value LIKE '%' || ? || '%' UNION SELECT id FROM documents WHERE vendor_id IN"
	     " (SELECT vendor_id FROM vendor_names WHERE name LIKE '%' || ? || '%' OR"
	     " key LIKE '%' || nullif(?, '') || '%'))");
	r = bind_text(q, val, vn) || bind_text(q, val, vn) || bind_text(q, vk, kn);
	return r ? sq_usage(err, "too many filters") : 0;
}

/* nip:/taxid:VALUE, the seller's or the buyer's tax ID. */
static int add_taxid(struct query *q, const char *word, const char *val, size_t vn,
		     struct folio_err *err)
{
	char tax[64];
	size_t tn = norm_taxid(val, vn, tax, sizeof(tax));
	int r;

	if (!tn)
		return sq_usage(err, "'%s': no tax ID in it", word);
	/* with or without the country prefix */
	cond(q,
	     " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND f." TAXID_NAMES
	     " AND (f.value = ? OR substr(f.value, 3) = ?))",
	     " AND d.id IN (SELECT doc_id FROM fields WHERE " TAXID_NAMES " AND value = ?"
	     " UNION SELECT doc_id FROM fields WHERE " TAXID_NAMES " AND substr(value, 3) = ?)");
	q->narrow = 1;
	r = bind_text(q, tax, tn) || bind_text(q, tax, tn);
	return r ? sq_usage(err, "too many filters") : 0;
}

/* is:duplicate, is:held, is:exported, is:unexported: conditions without a
 * bind. */
static int add_is(struct query *q, const char *word, const char *val, size_t vn,
		  struct folio_err *err)
{
	if (vn == 9 && !strncmp(val, "duplicate", 9))
		cond(q, " AND d.dup_of IS NOT NULL", NULL);
	else if (vn == 4 && !strncmp(val, "held", 4))
		cond(q, " AND d.id IN (" SQ_HELD_SQL ")", NULL);
	else if (vn == 8 && !strncmp(val, "exported", 8))
		cond(q, " AND EXISTS (SELECT 1 FROM exports e WHERE e.doc_id = d.id)",
		     " AND d.id IN (SELECT doc_id FROM exports)");
	else if (vn == 10 && !strncmp(val, "unexported", 10))
		cond(q, " AND NOT EXISTS (SELECT 1 FROM exports e WHERE e.doc_id = d.id)", NULL);
	else
		return sq_usage(err,
				"'%s': is: takes 'duplicate', 'held', 'exported' or 'unexported'",
				word);
	return 0;
}

static int add_filter(struct query *q, const char *word, const char *key, const char *op,
		      const char *val, size_t vn, struct folio_err *err)
{
	int r = 0;

	if (!vn)
		return sq_usage(err, "'%s' needs a value", word);
	if (sq_field_expr(key))
		return add_compare(q, word, key, op, val, vn, err);
	if (strcmp(op, ":"))
		return sq_usage(err, "'%s': only dates and totals compare with %s", word, op);
	if (!strcmp(key, "type")) {
		/* a document found otherwise checks its type in the index
		 * (thin) rather than in its row (fat); a query without words
		 * can start from that index */
		cond(q,
		     " AND EXISTS (SELECT 1 FROM documents x INDEXED BY documents_type WHERE"
		     " x.doc_type = ? AND x.id = d.id)",
		     " AND d.doc_type = ?");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "status")) {
		cond(q,
		     " AND EXISTS (SELECT 1 FROM documents x INDEXED BY documents_status WHERE"
		     " x.status = ? AND x.id = d.id)",
		     " AND d.status = ?");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "tag")) {
		cond(q, " AND EXISTS (SELECT 1 FROM tags t WHERE t.doc_id = d.id AND t.tag = ?)",
		     " AND d.id IN (SELECT doc_id FROM tags WHERE tag = ?)");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "mime")) {
		/* mime:image matches image/png and image/jpeg */
		cond(q, " AND (d.mime = ? OR d.mime LIKE ? || '/%')", NULL);
		r = bind_text(q, val, vn) || bind_text(q, val, vn);
	} else if (!strcmp(key, "id")) {
		double v;

		if (parse_num(val, vn, &v))
			return sq_usage(err, "'%s': '%.*s' is not a document id", word, (int)vn,
					val);
		cond(q, " AND d.id = ?", NULL);
		q->narrow = 1;
		r = bind_num(q, v);
	} else if (!strcmp(key, "currency")) {
		char cur[8];
		size_t i;

		if (vn != 3)
			return sq_usage(err, "'%s': a currency is a 3-letter ISO code like EUR",
					word);
		for (i = 0; i < 3; i++)
			cur[i] = (char)toupper((unsigned char)val[i]);
		cond(q,
		     " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
		     " f.name = 'currency' AND f.value = ?)",
		     NULL);
		r = bind_text(q, cur, 3);
	} else if (!strcmp(key, "vendor")) {
		return add_vendor(q, val, vn, err);
	} else if (!strcmp(key, "nip") || !strcmp(key, "taxid")) {
		return add_taxid(q, word, val, vn, err);
	} else if (!strcmp(key, "is")) {
		return add_is(q, word, val, vn, err);
	} else if (!strcmp(key, "export")) {
		/* a format, or format:profile, exactly as the ledger writes it */
		cond(q,
		     " AND EXISTS (SELECT 1 FROM exports e WHERE e.doc_id = d.id AND"
		     " e.target = ?)",
		     " AND d.id IN (SELECT doc_id FROM exports WHERE target = ?)");
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "from") || !strcmp(key, "subject")) {
		/* e-mail messages: the sender's name or address, the subject */
		const char *field = key[0] == 'f' ? "mail_from" : "mail_subject";

		cond(q,
		     " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND f.name = ? AND"
		     " f.value LIKE '%' || ? || '%')",
		     " AND d.id IN (SELECT doc_id FROM fields WHERE name = ? AND"
		     " value LIKE '%' || ? || '%')");
		q->narrow = 1;
		r = bind_text(q, field, strlen(field)) || bind_text(q, val, vn);
	} else if (!strcmp(key, "account") || !strcmp(key, "folder")) {
		/* documents from an IMAP account or folder: their mail_source,
		 * imap://ACCOUNT/FOLDER;UIDVALIDITY=V/;UID=N */
		const char *like =
			key[0] == 'a' ? "'imap://' || ? || '/%'" : "'imap://%/' || ? || ';%'";

		condf(q,
		      " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
		      " f.name = 'mail_source' AND f.value LIKE %s)",
		      like);
		q->narrow = 1;
		r = bind_text(q, val, vn);
	} else if (!strcmp(key, "in")) {
		double v;

		/* the attachments of message ID (what was cut from document ID) */
		if (parse_num(val, vn, &v))
			return sq_usage(err, "'%s': '%.*s' is not a document id", word, (int)vn,
					val);
		cond(q, " AND d.source_sha256 = (SELECT x.sha256 FROM documents x WHERE x.id = ?)",
		     NULL);
		q->narrow = 1;
		r = bind_num(q, v);
	} else if (!strcmp(key, "asn")) {
		cond(q,
		     " AND EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id AND"
		     " f.name = 'asn' AND (f.value = ? OR ltrim(f.value, 'ASN0') = ltrim(?, 'ASN0')))",
		     NULL);
		r = bind_text(q, val, vn) || bind_text(q, val, vn);
	}
	return r ? sq_usage(err, "too many filters") : 0;
}

/* clang-format off */
static const char *const keys[] = {
	"type", "tag", "status", "mime", "id", "currency", "vendor", "nip", "taxid", "asn",
	"date", "issued", "due", "added", "total", "is", "export", "from", "subject", "in",
	"account", "folder",
	/* tax IDs under the names people use: Spain and Portugal (NIF),
	 * Italy (partita IVA, codice fiscale) */
	"nif", "piva", "cf", NULL,
};
/* clang-format on */

/* The names a filter key may go by: what it means (the key above). */
static const char *key_meaning(const char *key)
{
	/* clang-format off */
	static const char *const alias[][2] = {
		{ "nif", "taxid" }, { "piva", "taxid" }, { "cf", "taxid" },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(alias[i][0], key))
			return alias[i][1];
	return key;
}

/* The values of the closed filters folio itself writes (a type may also
 * be one a user chose with retype, so only a near miss is an error). */
/* clang-format off */
static const char *const doc_types[] = {
	"invoice", "credit_note", "proforma", "receipt", "order", "delivery_note", "contract",
	"form", "letter", "other", NULL,
};
/* clang-format on */
static const char *const statuses[] = { "archived", "needs_review", NULL };

/* A value of type: or status: that is not one folio writes but is close
 * to one: fail with the suggestion. 0 when the value is fine. */
static int check_closed(const char *key, const char *val, size_t vn, struct folio_err *err)
{
	const char *const *set = !strcmp(key, "type")	? doc_types :
				 !strcmp(key, "status") ? statuses :
							  NULL;
	const char *s;
	char v[64];
	size_t i;

	if (!set || vn >= sizeof(v))
		return 0;
	memcpy(v, val, vn);
	v[vn] = '\0';
	for (i = 0; set[i]; i++)
		if (!strcmp(set[i], v))
			return 0;
	if ((s = folio_suggest(v, set)))
		return sq_usage(err, "no %s '%s'; did you mean '%s'?", key, v, s);
	return 0;
}

/* A word FTS5 would not take as it is (a bare word holds letters, digits,
 * '_' and non-ASCII; a trailing '*' asks for a prefix): "P.IVA", "S.L.",
 * "l'IVA", an e-mail address. Words with the query syntax's own quotes
 * and parentheses are left to it. */
static int needs_quotes(const char *w, size_t n)
{
	size_t i;

	if (n == 3 && !strncmp(w, "AND", 3))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c == '"' || c == '(' || c == ')')
			return 0;
		if (c == '*' && i == n - 1 && i > 0)
			continue;
		if (!(isalnum(c) || c == '_' || c >= 0x80))
			return 1;
	}
	return 0;
}

/* Append the word as one FTS5 phrase: "P.IVA" finds the words P and IVA
 * next to each other, as the tokenizer split them when indexing. */
static void add_phrase(struct folio_strbuf *fts, const char *w, size_t n)
{
	size_t i;

	folio_strbuf_addch(fts, '"');
	for (i = 0; i < n; i++) {
		if (w[i] == '"')
			folio_strbuf_addch(fts, '"');
		folio_strbuf_addch(fts, w[i]);
	}
	folio_strbuf_addch(fts, '"');
}

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

/* AND, OR or NOT with no word on one side is the one thing left that
 * cannot be read as words: say how to write either meaning. */
static int dangling_operator(const char *query, const struct query *q, struct folio_err *err)
{
	static const char *const ops[] = { "AND", "OR", "NOT", NULL };
	const char *f = q->fts.buf ? q->fts.buf : "";
	size_t n = q->fts.len, k, i;

	for (i = 0; ops[i]; i++) {
		k = strlen(ops[i]);
		if ((n >= k && !strcmp(f + n - k, ops[i]) && (n == k || f[n - k - 1] == ' ')) ||
		    (!strncmp(f, ops[i], k) && (f[k] == ' ' || !f[k])))
			return sq_usage(err,
					"'%s': %s needs a word on each side (to search for the"
					" word itself, quote it: '\"%s\"')",
					query, ops[i], ops[i]);
	}
	return FOLIO_OK;
}

int sq_query_parse(const char *query, struct query *q, struct folio_err *err)
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
		/* a key: letters (any case: NIF:B12345678), then ':' or a comparison */
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
				meant = key_meaning(key);
				vs = start + kn + strlen(op);
				ve = p;
				if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
					vs++;
					ve--;
				}
				if (check_closed(meant, vs, (size_t)(ve - vs), err) ||
				    add_filter(q, word, meant, op, vs, (size_t)(ve - vs), err))
					return FOLIO_FAILED;
				continue;
			}
			/* FTS5's own column filters stay; a word close to a filter
			 * is a typo; any other "word:..." is text (a label and its
			 * value as printed: "Tel:600100200") */
			if (op[0] == ':' &&
			    (!strcmp(key, "title") || !strcmp(key, "text") ||
			     !strcmp(key, "field_text")) &&
			    islower((unsigned char)*start))
				goto text;
			if ((meant = folio_suggest(key, keys)))
				return sq_usage(
					err, "unknown filter '%s%s' in '%s'; did you mean '%s%s'?",
					key, op, word, meant, op);
			if (q->fts.len)
				folio_strbuf_addch(&q->fts, ' ');
			add_phrase(&q->fts, start, n);
			continue;
		}
		if (!boolean && substring_word(start, n)) {
			struct folio_strbuf t = FOLIO_STRBUF_INIT;
			int r;

			folio_strbuf_addch(&t, '"');
			folio_strbuf_add(&t, start, n);
			folio_strbuf_addch(&t, '"');
			cond(q, " AND d.id IN (SELECT rowid FROM doc_tri WHERE doc_tri MATCH ?)",
			     NULL);
			q->narrow = 1;
			r = !t.buf || bind_text(q, t.buf, t.len);
			folio_strbuf_release(&t);
			if (r)
				return sq_usage(err, "too many filters");
			continue;
		}
text:
		if (q->fts.len)
			folio_strbuf_addch(&q->fts, ' ');
		if (needs_quotes(start, n))
			add_phrase(&q->fts, start, n);
		else
			folio_strbuf_add(&q->fts, start, n);
	}
	return dangling_operator(query, q, err);
}

/* Turn SQLite's FTS5 complaint into a sentence for the person who typed
 * the query; the raw SQLite text is never shown. */
int sq_fts_error(struct folio_store *arc, const char *query, struct folio_err *err)
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
		return sq_usage(err,
				"'%s': unexpected '%s' (quote words with special characters,"
				" e.g. '\"%s\"')",
				query, n ? tok : "end of query", query);
	}
	if (strstr(msg, "unterminated string"))
		return sq_usage(err, "'%s': a phrase is missing its closing '\"'", query);
	if (strstr(msg, "no such column"))
		return sq_usage(err, "'%s': unknown field before ':'", query);
	if (strstr(msg, "unknown special query"))
		return sq_usage(err, "'%s': a query must contain words", query);
	return sq_usage(err, "'%s': %s", query,
			strstr(msg, "fts5: ") == msg ? msg + 6 : "not understood");
}
