/* Unit tests: search filters on the export ledger (is:exported,
 * is:unexported, export:TARGET, rows crafted with SQL into a real
 * archive), the list by date kept in doc_dates, nip: without the country
 * prefix, prefix queries read in one pass, and the probe of a list by
 * date falling back to every match, the ranking function. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/sqlite/sqlite_private.h"
#include "folio/archive.h"
#include "folio/util.h"
#include "t.h"

static char dir[] = "/tmp/folio-test-search-XXXXXX";

static long long add(struct folio_archive *arc, int i, const char *text, const char *date,
		     const char *tax)
{
	struct folio_err err = { 0 };
	char data[64];
	struct folio_doc *d;
	struct folio_page *pg;
	long long id;

	snprintf(data, sizeof(data), "document %d", i);
	d = folio_doc_new(data, (unsigned char *)strdup(data), strlen(data));
	folio_sha256_hex(d->data, d->size, d->sha256);
	folio_doc_set_str(&d->mime, "application/pdf");
	folio_doc_set_str(&d->doc_type, "invoice");
	pg = folio_doc_add_page(d);
	pg->source = FOLIO_SRC_TEXT;
	folio_page_set_text(pg, text);
	folio_doc_join_text(d);
	if (date)
		folio_doc_set_field(d, "issue_date", date, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (tax)
		folio_doc_set_field(d, "seller_tax_id", tax, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (folio_archive_add(arc, d, &err) != FOLIO_OK)
		fprintf(stderr, "add %d: %s\n", i, err.msg);
	id = d->id;
	folio_doc_free(d);
	return id;
}

struct hits {
	int n;
	long long ids[64];
	char snippet[256];
};

static int collect(void *arg, const struct folio_hit *h)
{
	struct hits *hs = arg;

	if (!hs->n)
		snprintf(hs->snippet, sizeof(hs->snippet), "%s", h->snippet);
	if (hs->n < 64)
		hs->ids[hs->n] = h->id;
	hs->n++;
	return 0;
}

static int search(struct folio_archive *arc, const char *q, enum folio_sort sort, int limit,
		  struct hits *hs, struct folio_err *err)
{
	struct folio_search_opts o = { .query = q, .limit = limit, .sort = sort };

	memset(hs, 0, sizeof(*hs));
	return folio_archive_search(arc, &o, collect, hs, err);
}

static long long count(struct folio_archive *arc, const char *q)
{
	struct folio_search_opts o = { .query = q };
	struct folio_err err = { 0 };

	return folio_archive_count(arc, &o, &err);
}

static void sql(struct folio_archive *arc, const char *s)
{
	char *msg = NULL;

	T_OK(sqlite3_exec(folio_sqlite_db(arc), s, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", s,
	     msg ? msg : "");
	sqlite3_free(msg);
}

/* The ids in order, as "1 2 3". */
static const char *ids(const struct hits *hs)
{
	static char buf[512];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < hs->n && i < 64 && len < sizeof(buf) - 24; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld", i ? " " : "",
					hs->ids[i]);
	return buf;
}

/* folio_rank (src/archive/fts.c) gives bm25's value on every row, with
 * its per-query part computed for the row or kept for a key. */
static void rank_is_bm25(struct folio_archive *arc, const char *q, long long key)
{
	char sqlbuf[256];
	sqlite3_stmt *st = NULL;
	int n = 0, same = 0;

	snprintf(sqlbuf, sizeof(sqlbuf),
		 "SELECT bm25(doc_fts, 5.0, 1.0, 3.0), folio_rank(doc_fts,"
		 " 0, 5.0, 1.0, 3.0), folio_rank(doc_fts, %lld, 5.0, 1.0, 3.0) FROM doc_fts WHERE"
		 " doc_fts MATCH ?",
		 key);
	T_OK(sqlite3_prepare_v2(folio_sqlite_db(arc), sqlbuf, -1, &st, NULL) == SQLITE_OK, "%s",
	     sqlite3_errmsg(folio_sqlite_db(arc)));
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n++;
		same += sqlite3_column_double(st, 0) == sqlite3_column_double(st, 1) &&
			sqlite3_column_double(st, 0) == sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	T_OK(n > 0 && same == n, "%s: folio_rank is bm25 on %d of %d rows", q, same, n);
}

int main(void)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct hits hs;
	char cmd[128];

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	arc = folio_archive_open(dir, FOLIO_ARCHIVE_CREATE, &err);
	T_OK(arc != NULL, "create: %s", err.msg);
	T_EQ_INT(folio_archive_schema_version(arc), FOLIO_SCHEMA_VERSION);

	/* 1..4: invoices from two sellers; 4 has no invoice date */
	T_EQ_INT(add(arc, 1, "Faktura VAT paliwo Orlen", "2024-03-15", "PL5260250274"), 1);
	T_EQ_INT(add(arc, 2, "Factura combustible Repsol", "2023-11-02", "ESA28047223"), 2);
	T_EQ_INT(add(arc, 3, "Faktura VAT papier biurowy", "2024-01-20", "5260250274"), 3);
	T_EQ_INT(add(arc, 4, "Faktura korekta paliwo", NULL, NULL), 4);

	/* the ledger: 1 to csv and to jpk:firma, 2 to csv; 3 and 4 never */
	sql(arc, "INSERT INTO export_batches(id, target, format, profile, out, state,"
		 " created_at) VALUES (1, 'csv', 'csv', NULL, '/tmp/x.csv', 'done', '2024-04-01'),"
		 " (2, 'jpk:firma', 'jpk', 'firma', '/tmp/x.xml', 'done', '2024-04-02')");
	sql(arc, "INSERT INTO exports(doc_id, target, batch_id, invoice_key, sha256, at) VALUES"
		 " (1, 'csv', 1, 'PL5260250274|1', 'aa', '2024-04-01'),"
		 " (2, 'csv', 1, 'ESA28047223|2', 'bb', '2024-04-01'),"
		 " (1, 'jpk:firma', 2, 'PL5260250274|1', 'cc', '2024-04-02')");

	T_EQ_INT(search(arc, "is:exported", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1 2"); /* by invoice date, newest first */
	T_EQ_INT(search(arc, "is:unexported", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 2);
	T_OK(hs.ids[0] == 4 || hs.ids[1] == 4, "4 was never exported");
	T_OK(hs.ids[0] == 3 || hs.ids[1] == 3, "3 was never exported");
	T_EQ_INT(search(arc, "export:csv", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1 2");
	T_EQ_INT(search(arc, "export:jpk:firma", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1");
	T_EQ_INT(search(arc, "export:jpk", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 0); /* a target is matched whole */
	T_EQ_INT(search(arc, "faktura is:unexported", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 2);
	T_EQ_INT(search(arc, "paliwo is:exported", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1");
	T_EQ_INT(search(arc, "paliwo is:unexported", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "4");
	T_EQ_INT(count(arc, "is:exported"), 2);
	T_EQ_INT(count(arc, "is:unexported"), 2);
	T_EQ_INT(count(arc, "export:csv paliwo"), 1);
	T_EQ_INT(search(arc, "is:sent", 0, 0, &hs, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_USAGE);
	T_CONTAINS(err.msg, "unexported");
	T_EQ_INT(search(arc, "export:", 0, 0, &hs, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "needs a value");
	/* words that match nothing, listed by date: the probe has no matches
	 * to look the newest documents up in (qsort and bsearch of a NULL
	 * array, UBSan; found by tests/fuzz/fuzz_search) */
	T_EQ_INT(search(arc, "nosuchword", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 0);
	T_EQ_INT(search(arc, "nosuchword type:invoice", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 0);
	/* the ledger's rows go with their document */
	sql(arc, "DELETE FROM exports WHERE doc_id = 2");
	T_EQ_INT(count(arc, "is:exported"), 1);
	T_EQ_INT(count(arc, "is:unexported"), 3);

	/* doc_dates follows the invoice date through fields and fixes */
	T_EQ_INT(search(arc, "type:invoice", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.ids[hs.n - 1], 2); /* 2023: the oldest */
	sql(arc, "UPDATE fields SET value = '2025-01-01' WHERE doc_id = 2 AND name = 'issue_date'");
	T_EQ_INT(search(arc, "type:invoice", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.ids[0], 4); /* added today: newer than 2025-01-01 */
	T_EQ_INT(hs.ids[1], 2);
	sql(arc, "DELETE FROM fields WHERE doc_id = 2 AND name = 'issue_date'");
	T_EQ_INT(search(arc, "type:invoice", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "4 2 1 3"); /* 2 and 4 by the day added, higher id first */
	sql(arc, "INSERT INTO fields(doc_id, name, value, confidence, source) VALUES"
		 " (2, 'issue_date', '2023-11-02', 1, 'text')");
	T_EQ_INT(search(arc, "type:invoice", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "4 1 3 2");
	T_EQ_INT(search(arc, "date:2024", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1 3");
	T_EQ_INT(search(arc, "issued<2024-02", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "3 2");
	T_EQ_INT(search(arc, "issued>2024-01", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1");
	T_EQ_INT(search(arc, "faktura date:2024-01..2024-03", FOLIO_SORT_DATE, 0, &hs, &err),
		 FOLIO_OK);
	T_EQ_STR(ids(&hs), "1 3");

	/* nip: with or without the country prefix, either way round */
	T_EQ_INT(search(arc, "nip:5260250274", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1 3");
	T_EQ_INT(search(arc, "nip:PL5260250274", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "1");
	T_EQ_INT(search(arc, "nip:A28047223", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "2");

	/* more documents than the probe of a list by date walks: a rare
	 * filter must still find the oldest ones */
	/* rows written with SQL: the archive's API would store 20,000 originals */
	sql(arc,
	    "WITH RECURSIVE n(i) AS (SELECT 5 UNION ALL SELECT i + 1 FROM n WHERE i < 20199)"
	    " INSERT INTO documents(id, sha256, path, name, title, mime, size, pages, doc_type,"
	    " type_conf, status, text, added_at) SELECT i, 'sha' || i, 'in/' || i, 'd' || i,"
	    " 'd' || i, 'application/pdf', 1, 1, 'invoice', 1, 'archived',"
	    " 'Rechnung Nummer ' || i || ' Kraftstoff', '2024-07-01T10:00:00Z' FROM n");
	sql(arc, "INSERT INTO fields(doc_id, name, value, confidence, source) SELECT id,"
		 " 'issue_date', CASE id WHEN 5 THEN '2001-01-01' ELSE '2024-06-01' END, 1, 'text'"
		 " FROM documents WHERE id >= 5");
	sql(arc, "INSERT INTO fields(doc_id, name, value, confidence, source) VALUES"
		 " (6, 'seller_tax_id', 'DE811569869', 1, 'text')");
	sql(arc, "INSERT INTO doc_fts(doc_fts) VALUES ('rebuild')");
	sql(arc, "INSERT INTO doc_tri(doc_tri) VALUES ('rebuild')");
	T_EQ_INT(search(arc, "date:2001", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "5");
	T_EQ_INT(search(arc, "rechnung date:2001", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "5");
	T_EQ_INT(search(arc, "nip:811569869", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "6");
	T_EQ_INT(search(arc, "faktura", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 3);
	T_EQ_INT(search(arc, "paliwo", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "4 1");
	T_EQ_INT(search(arc, "rechnung", FOLIO_SORT_DATE, 3, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "20199 20198 20197");
	T_EQ_INT(count(arc, "rechnung"), 20195);

	/* a prefix query reads its page in one pass: same hits, order and
	 * snippets as the words themselves */
	T_EQ_INT(search(arc, "kraft*", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 20);
	T_CONTAINS(hs.snippet, "[Kraftstoff]");
	{
		struct hits whole;

		T_EQ_INT(search(arc, "kraftstoff", 0, 0, &whole, &err), FOLIO_OK);
		T_EQ_STR(ids(&whole), ids(&hs));
	}
	T_EQ_INT(search(arc, "kraft* rechnung", 0, 300, &hs, &err), FOLIO_OK);
	T_EQ_INT(hs.n, 300); /* more than one chunk */
	T_EQ_INT(search(arc, "fakt*", FOLIO_SORT_DATE, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "4 1 3");
	T_EQ_INT(search(arc, "fakt* AND", 0, 0, &hs, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_USAGE);

	/* words and filters by score: the best matches by the index, then
	 * the filters; past them (date:2001 is the last), SQL's way */
	T_EQ_INT(search(arc, "rechnung date:2001", 0, 0, &hs, &err), FOLIO_OK);
	T_EQ_STR(ids(&hs), "5");
	T_EQ_INT(search(arc, "rechnung date:2024-06 kraftstoff", 0, 7, &hs, &err), FOLIO_OK);
	{
		sqlite3_stmt *st = NULL;
		char want[512] = "";
		size_t len = 0;

		T_OK(sqlite3_prepare_v2(
			     folio_sqlite_db(arc),
			     "SELECT doc_fts.rowid FROM doc_fts JOIN doc_dates d ON"
			     " d.id = doc_fts.rowid WHERE doc_fts MATCH 'rechnung kraftstoff'"
			     " AND d.date LIKE '2024-06%' ORDER BY bm25(doc_fts, 5.0,"
			     " 1.0, 3.0), doc_fts.rowid LIMIT 7",
			     -1, &st, NULL) == SQLITE_OK,
		     "%s", sqlite3_errmsg(folio_sqlite_db(arc)));
		while (sqlite3_step(st) == SQLITE_ROW)
			len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%lld",
						len ? " " : "", sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
		T_EQ_STR(ids(&hs), want);
		T_EQ_INT(hs.n, 7);
	}

	/* the ranking function: bm25's value, whatever the query */
	rank_is_bm25(arc, "rechnung", 1000001);
	rank_is_bm25(arc, "rechnung", 1000001); /* from the connection's cache */
	rank_is_bm25(arc, "kraftstoff", 1000002);
	rank_is_bm25(arc, "faktura paliwo", 1000003);
	rank_is_bm25(arc, "faktura OR rechnung OR orlen", 1000004);
	rank_is_bm25(arc, "kraft*", 1000005);
	rank_is_bm25(arc, "\"Rechnung Nummer\"", 1000006);
	rank_is_bm25(arc, "title:d5*", 1000007);
	/* a document indexed again with another length: the lengths kept in
	 * memory for a common word are read again */
	sql(arc, "INSERT INTO doc_fts(doc_fts, rowid, title, text, field_text) SELECT 'delete',"
		 " id, title, text, field_text FROM documents WHERE id = 7");
	sql(arc, "UPDATE documents SET text = text || ' Rechnung und noch viel mehr Worte hier'"
		 " WHERE id = 7");
	sql(arc, "INSERT INTO doc_fts(rowid, title, text, field_text) SELECT id, title, text,"
		 " field_text FROM documents WHERE id = 7");
	rank_is_bm25(arc, "rechnung", 1000008);

	folio_archive_close(arc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	T_OK(system(cmd) == 0, "cleanup");
	return t_done();
}
