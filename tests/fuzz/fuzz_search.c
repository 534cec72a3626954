/*
 * fuzz_search.c - the search query language (src/archive/search.c): the
 * parser that splits a query into FTS5 text and filters and compiles the
 * filters to bound SQL, run against a small archive made at start in a
 * temp folder ($TMPDIR, removed at exit): a count, a ranked search and a
 * list by date, as `folio search` runs them.
 *
 * Checked: a query either runs or fails with FOLIO_E_USAGE and a message
 * in folio's terms ("invalid query: ..."), never a database error and
 * never SQLite's own text (archive.h's promise).
 */
#include <ctype.h>
#include <ftw.h>
#include <sqlite3.h>
#include <unistd.h>

#include "archive/sqlite/sqlite_private.h"
#include "folio/archive.h"
#include "folio/util.h"
#include "fuzz.h"

static struct folio_archive *arc;
static char dir[4096];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	folio_archive_close(arc);
	arc = NULL;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void add(int i, const char *text, const char *type, const char *const *fields,
		const char *tag)
{
	struct folio_err err = { 0 };
	char name[64];
	struct folio_doc *d;
	struct folio_page *pg;
	size_t k;

	snprintf(name, sizeof(name), "doc-%d.pdf", i);
	if (!(d = folio_doc_new(name, (unsigned char *)strdup(text), strlen(text))))
		abort();
	folio_sha256_hex(d->data, d->size, d->sha256);
	folio_doc_set_str(&d->mime, i % 2 ? "application/pdf" : "image/png");
	folio_doc_set_str(&d->doc_type, type);
	folio_doc_set_str(&d->title, name);
	pg = folio_doc_add_page(d);
	pg->source = FOLIO_SRC_TEXT;
	folio_page_set_text(pg, text);
	folio_page_words_from_text(pg);
	folio_doc_join_text(d);
	for (k = 0; fields && fields[k]; k += 2)
		folio_doc_set_field(d, fields[k], fields[k + 1], NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (tag)
		folio_doc_add_tag(d, tag);
	if (folio_archive_add(arc, d, &err) < 0) {
		fprintf(stderr, "fuzz: add %d: %s\n", i, err.msg);
		abort();
	}
	folio_doc_free(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* clang-format off */
	static const char *const f1[] = {
		"issue_date", "2024-03-15", "due_date", "2024-03-29", "gross_total", "1230.00",
		"currency", "PLN", "seller_name", "Orlen S.A.", "seller_tax_id", "PL5260250274",
		"invoice_number", "FV/2024/03/0147", "asn", "ASN00042", NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const f2[] = {
		"issue_date", "2023-11-02", "gross_total", "99.90", "currency", "EUR",
		"seller_name", "Repsol Comercial", "seller_tax_id", "ESA28047223", NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const f3[] = {
		"issue_date", "2024-01-20", "gross_total", "-45.00", "seller_name",
		"Drukarnia Wróbel", "buyer_tax_id", "5260250274", NULL,
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	const char *tmp = getenv("TMPDIR");
	char *msg = NULL;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/folio-fuzz-search.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(cleanup);
	if (!(arc = folio_archive_open(dir, FOLIO_ARCHIVE_CREATE, &err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	add(1, "Faktura VAT paliwo Łódź Orlen 0147 razem 1230,00 zł", "invoice", f1, "fuel");
	add(2, "Factura combustible Repsol Sevilla IVA 21%", "invoice", f2, NULL);
	add(3, "Faktura korygująca papier biurowy Wróbel", "credit_note", f3, "office");
	add(4, "Formularz zgłoszeniowy szkolenie BHP", "form", NULL, NULL);
	add(5, "Fattura Torino Venezia consulenza 22%", "invoice", NULL, "paid");
	if (sqlite3_exec(
		    folio_sqlite_db(arc),
		    "INSERT INTO export_batches(id, target, format, profile, out, state,"
		    " created_at) VALUES (1, 'csv', 'csv', NULL, '/x.csv', 'done', '2024-04-01');"
		    "INSERT INTO exports(doc_id, target, batch_id, invoice_key, sha256, at)"
		    " VALUES (1, 'csv', 1, 'PL5260250274|1', 'aa', '2024-04-01')",
		    NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "fuzz: %s\n", msg);
		abort();
	}
	return 0;
}

static int count_hit(void *ctx, const struct folio_hit *h)
{
	int *n = ctx;

	fuzz_assert(h->id >= 1 && h->id <= 5 && h->snippet && h->date, "a hit out of nowhere");
	return ++*n > 50;
}

/* The query's words joined by single spaces, as the message quotes them. */
static char *words(const char *q)
{
	char *w = fuzz_cstr((const uint8_t *)q, strlen(q)), *o = w;
	const char *p;

	for (p = q; *p; p++)
		if (!isspace((unsigned char)*p))
			*o++ = *p;
		else if (o > w && o[-1] != ' ')
			*o++ = ' ';
	*o = '\0';
	return w;
}

static void check(int failed, const struct folio_err *err, const char *q, const char *what)
{
	/* clang-format off */
	static const char *const raw[] = {
		"SQL logic error", "sqlite", "no such ", "syntax error near", "fts5:",
		"malformed MATCH", "database",
	};
	/* clang-format on */
	size_t i;
	char *w;

	if (!failed)
		return;
	fuzz_assert(err->kind == FOLIO_E_USAGE, "%s '%s': kind %d: %s", what, q, err->kind,
		    err->msg);
	fuzz_assert(!strncmp(err->msg, "invalid query: ", 15) || !strcmp(err->msg, "empty query"),
		    "%s '%s': message '%s'", what, q, err->msg);
	/* (the message quotes the query, which may say anything) */
	w = words(q);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		fuzz_assert(!strstr(err->msg, raw[i]) || strstr(w, raw[i]) || strstr(q, raw[i]),
			    "%s '%s': SQLite's text in '%s'", what, q, err->msg);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q;
	struct folio_err err = { 0 };
	struct folio_search_opts o = { 0 };
	long long n;
	int r, hits = 0;

	if (size > 1024)
		return 0; /* a query, not a document */
	q = fuzz_cstr(data, size);
	o.query = q;
	o.limit = 5;
	n = folio_archive_count(arc, &o, &err);
	fuzz_assert(n >= -1 && n <= 5, "count %lld", n);
	check(n < 0, &err, q, "count");

	folio_err_clear(&err);
	r = folio_archive_search(arc, &o, count_hit, &hits, &err);
	fuzz_assert(r == FOLIO_OK || r == FOLIO_FAILED, "search returned %d", r);
	check(r != FOLIO_OK, &err, q, "search");
	if (n >= 0 && r == FOLIO_OK)
		fuzz_assert(hits == (n < 5 ? n : 5), "'%s': count %lld, search %d hits", q, n,
			    hits);

	folio_err_clear(&err);
	hits = 0;
	o.sort = FOLIO_SORT_DATE;
	o.offset = 1;
	r = folio_archive_search(arc, &o, count_hit, &hits, &err);
	check(r != FOLIO_OK, &err, q, "search by date");
	free(q);
	return 0;
}
