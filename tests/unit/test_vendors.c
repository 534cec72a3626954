/* Unit tests: the correspondents registry - name keys, trigram similarity,
 * matching by tax ID, IBAN and name (the pipeline's matching step, then
 * the archive's record) as documents are archived, no merge of
 * two companies, the listing, vendor: in search, and the registry an
 * archive of the previous schema gets when it is upgraded. Real SQLite
 * files in a temp folder. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/sqlite/sqlite_private.h"
#include "archive/sqlite/vendors.h"
#include "folio/archive.h"
#include "folio/pipeline.h"
#include "folio/util.h"
#include "t.h"

static char dir[] = "/tmp/folio-test-vendors-XXXXXX";

static int seq;

/* A document with the given seller fields (NULL: absent). */
static struct folio_doc *make_doc(const char *tax, const char *name, const char *iban)
{
	char content[64];
	size_t n = (size_t)snprintf(content, sizeof(content), "document %d", ++seq);
	unsigned char *data = malloc(n);
	struct folio_doc *d;
	struct folio_page *pg;

	memcpy(data, content, n);
	d = folio_doc_new(content, data, n);
	folio_sha256_hex(data, n, d->sha256);
	folio_doc_set_str(&d->mime, "text/plain");
	folio_doc_set_str(&d->doc_type, "invoice");
	pg = folio_doc_add_page(d);
	pg->source = FOLIO_SRC_TEXT;
	folio_page_set_text(pg, content);
	folio_doc_join_text(d);
	if (tax)
		folio_doc_set_field(d, "seller_tax_id", tax, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (name)
		folio_doc_set_field(d, "seller_name", name, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	if (iban)
		folio_doc_set_field(d, "iban", iban, NULL, 1, FOLIO_SRC_TEXT, 1, NULL);
	return d;
}

static long long add(struct folio_archive *arc, const char *tax, const char *name, const char *iban)
{
	struct folio_err err = { 0 };
	struct folio_doc *d = make_doc(tax, name, iban);
	long long id = 0;

	T_OK(folio_match(arc, d, &err) == FOLIO_OK, "match: %s", err.msg);
	T_OK(folio_archive_add(arc, d, &err) == FOLIO_OK, "add: %s", err.msg);
	id = d->id;
	folio_doc_free(d);
	return id;
}

/* What folio_archive_vendors reported, flattened. */
struct vrow {
	long long id, documents;
	char tax[32], name[128], first[32], last[32];
	char names[512]; /* "name=count;" ... */
	char ibans[256]; /* "iban;" ... */
};

struct vlist {
	int n;
	struct vrow v[16];
};

static int collect(void *ctx, const struct folio_vendor *v)
{
	struct vlist *l = ctx;
	struct vrow *r;
	size_t i, n;

	if (l->n == 16)
		return 1;
	r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	r->id = v->id;
	r->documents = v->documents;
	snprintf(r->tax, sizeof(r->tax), "%s", v->tax_id ? v->tax_id : "(null)");
	snprintf(r->name, sizeof(r->name), "%s", v->name ? v->name : "(null)");
	snprintf(r->first, sizeof(r->first), "%s", v->first_seen);
	snprintf(r->last, sizeof(r->last), "%s", v->last_seen);
	for (i = 0, n = 0; i < v->nnames && n < sizeof(r->names); i++)
		n += (size_t)snprintf(r->names + n, sizeof(r->names) - n, "%s=%lld;",
				      v->names[i].value, v->names[i].count);
	for (i = 0, n = 0; i < v->nibans && n < sizeof(r->ibans); i++)
		n += (size_t)snprintf(r->ibans + n, sizeof(r->ibans) - n, "%s;", v->ibans[i].value);
	return 0;
}

static const struct vrow *by_tax(const struct vlist *l, const char *tax)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].tax, tax))
			return &l->v[i];
	return NULL;
}

static const struct vrow *by_name(const struct vlist *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static long long count(struct folio_archive *arc, const char *q)
{
	struct folio_err err = { 0 };
	struct folio_search_opts o = { .query = q };
	long long n = folio_archive_count(arc, &o, &err);

	T_OK(n >= 0, "count '%s': %s", q, err.msg);
	return n;
}

static long long sql_int(const char *db_dir, const char *sql)
{
	char *path = folio_path_join(db_dir, "folio.db");
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	free(path);
	return v;
}

static void test_keys(void)
{
	char k[FOLIO_VENDOR_KEY_MAX], k2[FOLIO_VENDOR_KEY_MAX], small[8];
	char long_name[600];
	size_t n;

	T_EQ_INT(folio_vendor_key("Drukarnia Wróbel Sp. z o.o.", k, sizeof(k)), 15);
	T_EQ_STR(k, "drukarniawrobel");
	folio_vendor_key("DRUKARNIA WROBEL SP Z O O", k2, sizeof(k2));
	T_EQ_STR(k2, k);
	folio_vendor_key("Drukarnia Wróbel Sp.zo.o", k2, sizeof(k2));
	T_EQ_STR(k2, k);
	folio_vendor_key("Drukarnia Wróbel spółka z ograniczoną odpowiedzialnością", k2,
			 sizeof(k2));
	T_EQ_STR(k2, k);
	folio_vendor_key("Conservas Maré Alta, Lda.", k, sizeof(k));
	T_EQ_STR(k, "conservasmarealta");
	folio_vendor_key("Cerámicas del Guadalquivir S.L.", k, sizeof(k));
	T_EQ_STR(k, "ceramicasdelguadalquivir");
	folio_vendor_key("Torrefazione Aurora S.r.l.", k, sizeof(k));
	T_EQ_STR(k, "torrefazioneaurora");
	folio_vendor_key("Müller Druck GmbH & Co. KG", k, sizeof(k));
	T_EQ_STR(k, "mullerdruck");
	folio_vendor_key("ACME Ltd", k, sizeof(k));
	T_EQ_STR(k, "acme");
	folio_vendor_key("Librairie Dupont SAS", k, sizeof(k));
	T_EQ_STR(k, "librairiedupont");
	/* a legal form is whole words ("Sal" is not "S.A."); a name that is
	 * nothing but one keeps it */
	folio_vendor_key("Sklep Sal", k, sizeof(k));
	T_EQ_STR(k, "sklepsal");
	folio_vendor_key("S.A.", k, sizeof(k));
	T_EQ_STR(k, "sa");
	T_EQ_INT(folio_vendor_key(" -- ... ", k, sizeof(k)), 0);
	T_EQ_STR(k, "");
	/* truncation stays on a character boundary and within the buffer */
	n = folio_vendor_key("Żółć Żółć", small, sizeof(small));
	T_OK(n < sizeof(small), "truncated key length %zu", n);
	T_EQ_STR(small, "zolczol");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	T_EQ_INT(folio_vendor_key(long_name, k, sizeof(k)), sizeof(k) - 1);
	/* other scripts survive as bytes */
	folio_vendor_key("ООО Ромашка", k, sizeof(k));
	T_EQ_STR(k, "ОООРомашка");
}

static void test_similarity(void)
{
	char a[FOLIO_VENDOR_KEY_MAX], b[FOLIO_VENDOR_KEY_MAX];
	double s;

	T_OK(folio_vendor_similarity("drukarniawrobel", "drukarniawrobel") == 1.0, "equal");
	T_OK(folio_vendor_similarity("ab", "ab") == 1.0, "short equal");
	T_OK(folio_vendor_similarity("ab", "ac") == 0.0, "short different");
	T_OK(folio_vendor_similarity("", "") == 0.0, "empty");
	s = folio_vendor_similarity("drukarniawrobel", "drukarniawroblewski");
	T_OK(s < FOLIO_VENDOR_SIMILAR, "Wróbel vs Wróblewski: %.3f", s);
	s = folio_vendor_similarity("autoserwiskowalski", "autoserwiskowalska");
	T_OK(s < FOLIO_VENDOR_SIMILAR, "Kowalski vs Kowalska: %.3f", s);
	/* a long name whose last letter OCR cut off */
	folio_vendor_key("Przedsiębiorstwo Produkcyjno-Handlowo-Usługowe Kowalczyk", a, sizeof(a));
	folio_vendor_key("PRZEDSIEBIORSTWO PRODUKCYJNO HANDLOWO USLUGOWE KOWALCZY", b, sizeof(b));
	s = folio_vendor_similarity(a, b);
	T_OK(s >= FOLIO_VENDOR_SIMILAR && s < 1.0, "clipped long name: %.3f", s);
}

static void test_matching(void)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct vlist l = { 0 };
	const struct vrow *v;
	long long a, g;
	char sub[64];

	snprintf(sub, sizeof(sub), "%s/a", dir);
	arc = folio_archive_open(sub, FOLIO_ARCHIVE_CREATE, &err);
	T_OK(arc != NULL, "create: %s", err.msg);
	if (!arc)
		return;
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 0);

	a = add(arc, "PL7251801126", "Drukarnia Wróbel Sp. z o.o.", "PL29102034530000960201234567");
	/* the same tax ID, another spelling */
	add(arc, "PL7251801126", "DRUKARNIA WROBEL SP Z O O", NULL);
	/* no tax ID: the name without its legal form */
	add(arc, NULL, "Drukarnia Wróbel", NULL);
	/* no tax ID, another name: the IBAN (printed with spaces) */
	add(arc, NULL, "Wróbel Print", "PL29 1020 3453 0000 9602 0123 4567");
	/* another tax ID with the very same name: another company */
	add(arc, "PL5260250274", "Drukarnia Wróbel Sp. z o.o.", "PL61109010140000071219812874");
	/* a similar name without a tax ID: not merged */
	add(arc, NULL, "Drukarnia Wróblewski Sp. z o.o.", NULL);
	/* neither a seller name nor a tax ID: no vendor, even with a known IBAN */
	g = add(arc, NULL, NULL, "PL29102034530000960201234567");
	/* a long name, then the same with its last letter clipped by OCR,
	 * then with a tax ID the registry has not seen: one vendor that
	 * learns its tax ID */
	add(arc, NULL, "Przedsiębiorstwo Produkcyjno-Handlowo-Usługowe Kowalczyk", NULL);
	add(arc, NULL, "PRZEDSIEBIORSTWO PRODUKCYJNO HANDLOWO USLUGOWE KOWALCZY", NULL);
	add(arc, "PL1234563218", "Przedsiębiorstwo Produkcyjno-Handlowo-Usługowe Kowalczyk", NULL);
	/* a name-only vendor's document with a tax ID of another vendor
	 * stays with the tax ID */
	add(arc, "PL5260250274", "Drukarnia Wróblewski Sp. z o.o.", NULL);

	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 4);
	v = by_tax(&l, "PL7251801126");
	T_OK(v != NULL, "vendor by tax ID");
	if (v) {
		T_EQ_INT(v->documents, 4);
		T_EQ_STR(v->name, "Drukarnia Wróbel Sp. z o.o.");
		T_CONTAINS(v->names, "Drukarnia Wróbel Sp. z o.o.=1;");
		T_CONTAINS(v->names, "DRUKARNIA WROBEL SP Z O O=1;");
		T_CONTAINS(v->names, "Drukarnia Wróbel=1;");
		T_CONTAINS(v->names, "Wróbel Print=1;");
		T_EQ_STR(v->ibans, "PL29102034530000960201234567;");
		T_OK(strcmp(v->first, v->last) <= 0, "first %s <= last %s", v->first, v->last);
		/* listed first: most documents */
		T_EQ_INT(l.v[0].id, v->id);
	}
	v = by_tax(&l, "PL5260250274");
	T_OK(v != NULL, "the other company");
	if (v) {
		T_EQ_INT(v->documents, 2);
		T_EQ_STR(v->name, "Drukarnia Wróbel Sp. z o.o.");
		T_EQ_STR(v->ibans, "PL61109010140000071219812874;");
	}
	v = by_name(&l, "Drukarnia Wróblewski Sp. z o.o.");
	T_OK(v != NULL, "Wróblewski is a vendor of its own");
	if (v) {
		T_EQ_INT(v->documents, 1);
		T_EQ_STR(v->tax, "(null)");
	}
	v = by_tax(&l, "PL1234563218");
	T_OK(v != NULL, "the name-only vendor learnt its tax ID");
	if (v) {
		T_EQ_INT(v->documents, 3);
		T_EQ_STR(v->name, "Przedsiębiorstwo Produkcyjno-Handlowo-Usługowe Kowalczyk");
		T_CONTAINS(v->names, "KOWALCZY=1;");
	}
	/* the most frequent spelling becomes the name */
	add(arc, "PL7251801126", "DRUKARNIA WROBEL SP Z O O", NULL);
	l.n = 0;
	T_EQ_INT(folio_archive_vendors(arc, 1, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 1);
	T_EQ_STR(l.v[0].tax, "PL7251801126");
	T_EQ_STR(l.v[0].name, "DRUKARNIA WROBEL SP Z O O");
	T_EQ_INT(l.v[0].documents, 5);
	T_CONTAINS(l.v[0].names, "DRUKARNIA WROBEL SP Z O O=2;");

	/* vendor: finds every document of a vendor with a matching spelling */
	T_EQ_INT(count(arc, "vendor:\"Wróbel Print\""), 5);
	T_EQ_INT(count(arc, "vendor:wrobel"), 7); /* both Wróbel companies */
	/* Wróblewski's own document, and both of the company whose tax ID
	 * came with that name once */
	T_EQ_INT(count(arc, "vendor:Wróblewski"), 3);
	T_EQ_INT(count(arc, "vendor:\"drukarnia wroblewski sp z o o\""), 3);
	T_EQ_INT(count(arc, "vendor:kowalczyk"), 3);
	T_EQ_INT(count(arc, "vendor:nobody"), 0);
	T_EQ_INT(count(arc, "vendor:..."), 0);
	T_EQ_INT(count(arc, "vendor:Wróbel nip:5260250274"), 2);
	folio_archive_close(arc);

	T_EQ_INT(sql_int(sub, "SELECT count(*) FROM documents WHERE vendor_id IS NULL"), 1);
	{
		char q[128];

		snprintf(q, sizeof(q),
			 "SELECT count(*) FROM documents WHERE id = %lld AND"
			 " vendor_id IS NULL",
			 g);
		T_EQ_INT(sql_int(sub, q), 1);
		snprintf(q, sizeof(q), "SELECT vendor_id FROM documents WHERE id = %lld", a);
		T_OK(sql_int(sub, q) > 0, "document %lld has a vendor", a);
	}
	/* the counts agree with the documents */
	T_EQ_INT(sql_int(sub, "SELECT count(*) FROM vendors v WHERE documents != (SELECT count(*)"
			      " FROM documents d WHERE d.vendor_id = v.id)"),
		 0);

	/* read-only handles list too */
	arc = folio_archive_open(sub, FOLIO_ARCHIVE_RDONLY, &err);
	T_OK(arc != NULL, "read-only open: %s", err.msg);
	l.n = 0;
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 4);
	folio_archive_close(arc);
}

/* Another process registered the seller between the matching step's
 * look-ups and the store: the tax ID's uniqueness decides, no error. */
static void test_stale_match(void)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *d;
	struct vlist l = { 0 };
	long long untaxed;
	char sub[64];

	snprintf(sub, sizeof(sub), "%s/stale", dir);
	arc = folio_archive_open(sub, FOLIO_ARCHIVE_CREATE, &err);
	T_OK(arc != NULL, "create: %s", err.msg);
	if (!arc)
		return;
	add(arc, "PL7251801126", "Drukarnia Wróbel Sp. z o.o.", NULL);
	/* matched before that vendor existed: vendor_id 0 */
	d = make_doc("PL7251801126", "Wróbel Druk", NULL);
	T_EQ_INT(folio_archive_add(arc, d, &err), FOLIO_OK);
	folio_doc_free(d);
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 1);
	T_EQ_INT(l.v[0].documents, 2);
	T_CONTAINS(l.v[0].names, "Wróbel Druk=1;");

	/* matched by name to a vendor without a tax ID, whose tax ID another
	 * vendor registered meanwhile: the document goes to the vendor
	 * matched, which does not take the tax ID */
	untaxed = add(arc, NULL, "Serwis Kowalski", NULL);
	T_OK(untaxed > 0, "untaxed document");
	add(arc, "PL5260250274", "Kowalski Holding", NULL);
	d = make_doc("PL5260250274", "Serwis Kowalski", NULL);
	d->vendor_id = sql_int(sub, "SELECT id FROM vendors WHERE tax_id IS NULL");
	T_EQ_INT(folio_archive_add(arc, d, &err), FOLIO_OK);
	folio_doc_free(d);
	l.n = 0;
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 3);
	T_EQ_INT(sql_int(sub, "SELECT documents FROM vendors WHERE tax_id IS NULL"), 2);
	folio_archive_close(arc);
}

/* Rows as an archive of schema 5 held them (no registry yet). */
static const char old_rows[] =
	"INSERT INTO documents(id, sha256, path, name, mime, size, pages, doc_type, type_conf,"
	" status, text, added_at) VALUES"
	" (1, 's1', 'a', 'a', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-01-01T10:00:00Z'),"
	" (2, 's2', 'b', 'b', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-02-01T10:00:00Z'),"
	" (3, 's3', 'c', 'c', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-03-01T10:00:00Z'),"
	" (4, 's4', 'd', 'd', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-04-01T10:00:00Z'),"
	" (5, 's5', 'e', 'e', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-05-01T10:00:00Z'),"
	" (6, 's6', 'f', 'f', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-06-01T10:00:00Z'),"
	" (7, 's7', 'g', 'g', 'text/plain', 1, 1, 'letter', 1, 'archived', '', '2024-07-01T10:00:00Z'),"
	" (8, 's8', 'h', 'h', 'text/plain', 1, 1, 'invoice', 1, 'archived', '', '2024-08-01T10:00:00Z');"
	"INSERT INTO fields(doc_id, name, value, confidence, source) VALUES"
	" (1, 'seller_tax_id', 'PL7251801126', 1, 'text'),"
	" (1, 'seller_name', 'Drukarnia Wróbel Sp. z o.o.', 1, 'text'),"
	" (1, 'iban', 'PL29 1020 3453 0000 9602 0123 4567', 1, 'text'),"
	" (2, 'seller_tax_id', 'PL7251801126', 1, 'text'),"
	" (2, 'seller_name', 'DRUKARNIA WROBEL SP Z O O', 1, 'text'),"
	" (3, 'seller_name', 'Wróbel Print', 1, 'text'),"
	" (3, 'iban', 'PL29102034530000960201234567', 1, 'text'),"
	" (4, 'seller_name', 'Drukarnia Wróbel', 1, 'text'),"
	" (5, 'seller_name', 'Cerámicas del Guadalquivir S.L.', 1, 'text'),"
	" (6, 'seller_name', 'CERAMICAS DEL GUADALQUIVIR SL', 1, 'text'),"
	" (7, 'iban', 'PL29102034530000960201234567', 1, 'text'),"
	" (8, 'seller_tax_id', 'PL5260250274', 1, 'text'),"
	" (8, 'seller_name', 'Drukarnia Wróbel Sp. z o.o.', 1, 'text');";

static void test_backfill(void)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct vlist l = { 0 };
	const struct vrow *v;
	char sub[64], *path;
	sqlite3 *db;
	int rc;

	snprintf(sub, sizeof(sub), "%s/old", dir);
	T_EQ_INT(folio_archive_create_version(sub, 5, &err), FOLIO_OK);
	path = folio_path_join(sub, "folio.db");
	T_OK(sqlite3_open(path, &db) == SQLITE_OK, "open the old database");
	rc = sqlite3_exec(db, old_rows, NULL, NULL, NULL);
	T_OK(rc == SQLITE_OK, "old rows: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	free(path);
	T_EQ_INT(sql_int(sub, "PRAGMA user_version"), 5); /* before vendors */

	/* a read-only open upgrades it first */
	arc = folio_archive_open(sub, FOLIO_ARCHIVE_RDONLY, &err);
	T_OK(arc != NULL, "upgrade: %s", err.msg);
	if (!arc)
		return;
	T_EQ_INT(folio_archive_schema_version(arc), FOLIO_SCHEMA_VERSION);
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	folio_archive_close(arc);
	T_EQ_INT(l.n, 3);
	v = by_tax(&l, "PL7251801126");
	T_OK(v != NULL, "backfilled by tax ID");
	if (v) {
		T_EQ_INT(v->documents, 4); /* 1, 2 by tax ID; 3 by IBAN; 4 by name */
		T_EQ_STR(v->first, "2024-01-01T10:00:00Z");
		T_EQ_STR(v->last, "2024-04-01T10:00:00Z");
		T_CONTAINS(v->names, "Wróbel Print=1;");
		T_CONTAINS(v->names, "Drukarnia Wróbel=1;");
		T_EQ_STR(v->ibans, "PL29102034530000960201234567;");
	}
	v = by_tax(&l, "PL5260250274");
	T_OK(v != NULL && v->documents == 1, "the other company stays apart");
	v = by_tax(&l, "(null)");
	T_OK(v != NULL, "a name-only vendor");
	if (v) {
		T_EQ_INT(v->documents, 2);
		T_CONTAINS(v->names, "Cerámicas del Guadalquivir S.L.=1;");
		T_CONTAINS(v->names, "CERAMICAS DEL GUADALQUIVIR SL=1;");
		T_EQ_STR(v->first, "2024-05-01T10:00:00Z");
		T_EQ_STR(v->last, "2024-06-01T10:00:00Z");
	}
	T_EQ_INT(sql_int(sub, "SELECT count(*) FROM documents WHERE vendor_id IS NULL"), 1);
	T_EQ_INT(sql_int(sub, "SELECT vendor_id IS NULL FROM documents WHERE id = 7"), 1);

	/* new documents match the backfilled registry */
	arc = folio_archive_open(sub, 0, &err);
	T_OK(arc != NULL, "reopen: %s", err.msg);
	if (!arc)
		return;
	add(arc, NULL, "Ceramicas del Guadalquivir", NULL);
	add(arc, "PL7251801126", "Drukarnia Wróbel Sp. z o.o.", NULL);
	l.n = 0;
	T_EQ_INT(folio_archive_vendors(arc, 0, collect, &l, &err), FOLIO_OK);
	T_EQ_INT(l.n, 3);
	v = by_tax(&l, "PL7251801126");
	T_OK(v != NULL && v->documents == 5, "tax ID after the upgrade");
	v = by_tax(&l, "(null)");
	T_OK(v != NULL && v->documents == 3, "name after the upgrade");
	T_EQ_INT(count(arc, "vendor:\"Wróbel Print\""), 5);
	folio_archive_close(arc);
}

int main(void)
{
	char cmd[128];

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	test_keys();
	test_similarity();
	test_matching();
	test_stale_match();
	test_backfill();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	T_OK(system(cmd) == 0, "cleanup");
	return t_done();
}
