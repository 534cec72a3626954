/*
 * vendors.c - the correspondents registry: one row per vendor (keyed by
 * seller tax ID when there is one), the spellings of its name and the
 * IBANs seen on its documents, and each document's vendor_id.
 *
 * A new document is matched by tax ID, then by IBAN, then by name. Names
 * are compared by key (see folio_vendor_key): equal keys match, and so do
 * keys whose byte-trigram sets have a Jaccard index of 0.9 or more - cheap,
 * and strict enough that "Wróbel" and "Wróblewski" stay apart while an
 * OCR slip in a long name does not make a new vendor. A vendor that has a
 * tax ID only matches a document with another tax ID by that tax ID: two
 * companies with one name are two vendors.
 */
#include "vendors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_private.h"
#include "folio/util.h"

/* Legal forms, as their letters run together: the trailing words of a
 * name whose letters make one of these are dropped ("S.p.A.", "SpA" and
 * "S. p. A." alike). */
/* clang-format off */
static const char *const legal_forms[] = {
	"spzoo", "spolkazograniczonaodpowiedzialnoscia", "spk", "spj", "sc", "ska",
	"spolkaakcyjna", "spolkajawna", "spolkakomandytowa", "sa", "sl", "slu", "sau",
	"scp", "lda", "limitada", "unipessoal", "srl", "srls", "spa", "sas", "snc", "sapa",
	"sarl", "eurl", "sprl", "gmbh", "ag", "kg", "ohg", "gbr", "ug", "ek", "co", "ltd",
	"limited", "plc", "llc", "inc", "corp", "bv", "nv", "bvba", "sro", "as", "oy", "ab",
	"aps", "kft", "zrt", "doo",
};
/* clang-format on */

#define MAX_TOKENS 64

static int is_form(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(legal_forms) / sizeof(legal_forms[0]); i++)
		if (strlen(legal_forms[i]) == n && !memcmp(legal_forms[i], s, n))
			return 1;
	return 0;
}

size_t folio_vendor_key(const char *name, char *key, size_t size)
{
	char *f = folio_fold_key(name), joined[64];
	size_t start[MAX_TOKENS], len[MAX_TOKENS], ntok = 0, i, j, n;
	int k;

	if (!size)
		return 0;
	*key = '\0';
	if (!f)
		return 0;
	/* words: runs of ASCII letters and digits, and of what folding left
	 * beyond ASCII (other scripts) */
	for (i = 0; f[i] && ntok < MAX_TOKENS;) {
		unsigned char c = (unsigned char)f[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			start[ntok] = i;
			while ((c = (unsigned char)f[i]) &&
			       ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80))
				i++;
			len[ntok] = i - start[ntok];
			ntok++;
		} else {
			i++;
		}
	}
	/* drop trailing legal forms (up to 5 words each), keeping one word */
	for (;;) {
		int cut = 0;

		for (k = 5; k >= 1 && !cut; k--) {
			if ((size_t)k >= ntok)
				continue;
			for (n = 0, j = ntok - (size_t)k; j < ntok; j++) {
				if (n + len[j] >= sizeof(joined))
					break;
				memcpy(joined + n, f + start[j], len[j]);
				n += len[j];
			}
			if (j == ntok && is_form(joined, n)) {
				ntok -= (size_t)k;
				cut = 1;
			}
		}
		if (!cut)
			break;
	}
	for (n = 0, j = 0; j < ntok; j++) {
		size_t take = len[j];

		if (n + take >= size) {
			take = size - 1 - n;
			/* not in the middle of a UTF-8 sequence */
			while (take && ((unsigned char)f[start[j] + take] & 0xc0) == 0x80)
				take--;
		}
		memcpy(key + n, f + start[j], take);
		n += take;
		if (take < len[j])
			break;
	}
	key[n] = '\0';
	free(f);
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sorted set of byte trigrams of s into t[]; returns its size. */
static size_t trigrams(const char *s, uint32_t *t, size_t max)
{
	size_t n = strlen(s), i, k = 0, u;

	for (i = 0; i + 2 < n && k < max; i++)
		t[k++] = (uint32_t)(unsigned char)s[i] << 16 |
			 (uint32_t)(unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
	if (!k)
		return 0;
	folio_sort(t, k, sizeof(*t), cmp_u32);
	for (u = 1, i = 1; i < k; i++)
		if (t[i] != t[u - 1])
			t[u++] = t[i];
	return u;
}

double folio_vendor_similarity(const char *a, const char *b)
{
	uint32_t ta[FOLIO_VENDOR_KEY_MAX], tb[FOLIO_VENDOR_KEY_MAX];
	size_t na = trigrams(a, ta, FOLIO_VENDOR_KEY_MAX),
	       nb = trigrams(b, tb, FOLIO_VENDOR_KEY_MAX);
	size_t i = 0, j = 0, both = 0;

	if (!na || !nb)
		return *a && !strcmp(a, b) ? 1.0 : 0.0;
	while (i < na && j < nb) {
		if (ta[i] == tb[j]) {
			both++;
			i++;
			j++;
		} else if (ta[i] < tb[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(na + nb - both);
}

static void key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char key[FOLIO_VENDOR_KEY_MAX];

	(void)argc;
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	folio_vendor_key(s, key, sizeof(key));
	sqlite3_result_text(ctx, key, -1, SQLITE_TRANSIENT);
}

int folio_vendor_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "folio_vendor_key", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, key_fn, NULL,
				       NULL);
}

/* Prepare, bind by the letters of `types` ('s' text or NULL, 'i' integer)
 * and step once; *id gets the first column of a row (when id is set).
 * Returns SQLITE_OK (row or not) or the error code. */
static int q(sqlite3 *db, long long *id, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(db);
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 's') {
			const char *s = va_arg(ap, const char *);

			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && id)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char *value_of(const struct folio_doc *doc, const char *name)
{
	const struct folio_field *f = folio_doc_field(doc, name);

	return f && *f->value ? f->value : NULL;
}

/* The most similar name key of a vendor that may take this document (no
 * tax ID of its own when the document has one); 0 when none is similar
 * enough. */
static int fuzzy(sqlite3 *db, const char *key, int has_tax, long long *vid)
{
	sqlite3_stmt *st;
	size_t kn = strlen(key);
	double best = 0;
	int rc;

	*vid = 0;
	if (kn < 3)
		return SQLITE_OK;
	if (sqlite3_prepare_v2(db,
			       "SELECT n.vendor_id, n.key FROM vendor_names n JOIN vendors v ON"
			       " v.id = n.vendor_id WHERE (?1 = 0 OR v.tax_id IS NULL)"
			       " ORDER BY v.documents DESC, v.id",
			       -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(db);
	sqlite3_bind_int(st, 1, has_tax);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *other = (const char *)sqlite3_column_text(st, 1);
		size_t on = other ? strlen(other) : 0;
		double sim;

		/* a Jaccard index of 0.9 needs trigram sets within 10 % in size */
		if (on < 3 || 10 * (on < kn ? on : kn) < 8 * (on < kn ? kn : on))
			continue;
		sim = folio_vendor_similarity(key, other);
		if (sim >= FOLIO_VENDOR_SIMILAR && sim > best) {
			best = sim;
			*vid = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int folio_vendor_attach(struct folio_store *arc, const struct folio_doc *doc, const char *at,
			struct folio_err *err)
{
	const char *tax = value_of(doc, "seller_tax_id"), *name = value_of(doc, "seller_name");
	const char *iban_raw = value_of(doc, "iban");
	char key[FOLIO_VENDOR_KEY_MAX], iban[64] = "";
	sqlite3 *db = arc->db;
	long long vid = 0, has_tax = 0;
	int rc = SQLITE_OK;
	size_t i, n;

	if (name && !folio_vendor_key(name, key, sizeof(key)))
		name = NULL; /* punctuation only */
	if (!tax && !name)
		return FOLIO_OK;
	if (iban_raw) {
		for (i = n = 0; iban_raw[i] && n + 1 < sizeof(iban); i++)
			if (iban_raw[i] != ' ')
				iban[n++] = (char)(iban_raw[i] >= 'a' && iban_raw[i] <= 'z' ?
							   iban_raw[i] - 32 :
							   iban_raw[i]);
		iban[n] = '\0';
	}
	if (tax) {
		rc = q(db, &vid, "SELECT id FROM vendors WHERE tax_id = ?", "s", tax);
		has_tax = 1;
	}
	if (rc == SQLITE_OK && !vid && *iban)
		rc = q(db, &vid,
		       "SELECT i.vendor_id FROM vendor_ibans i JOIN vendors v ON v.id = i.vendor_id"
		       " WHERE i.iban = ? AND (? = 0 OR v.tax_id IS NULL)"
		       " ORDER BY i.count DESC, i.vendor_id LIMIT 1",
		       "si", iban, has_tax);
	if (rc == SQLITE_OK && !vid && name)
		rc = q(db, &vid,
		       "SELECT n.vendor_id FROM vendor_names n JOIN vendors v ON v.id = n.vendor_id"
		       " WHERE n.key = ? AND (? = 0 OR v.tax_id IS NULL)"
		       " ORDER BY v.documents DESC, v.id LIMIT 1",
		       "si", key, has_tax);
	if (rc == SQLITE_OK && !vid && name)
		rc = fuzzy(db, key, (int)has_tax, &vid);
	if (rc == SQLITE_OK && !vid) {
		rc = q(db, NULL,
		       "INSERT INTO vendors(tax_id, name, first_seen, last_seen, documents)"
		       " VALUES (?, ?, ?, ?, 0)",
		       "ssss", tax, name, at, at);
		vid = sqlite3_last_insert_rowid(db);
	} else if (rc == SQLITE_OK && tax) {
		/* a vendor known by name or IBAN learns its tax ID */
		rc = q(db, NULL, "UPDATE vendors SET tax_id = ? WHERE id = ? AND tax_id IS NULL",
		       "si", tax, vid);
	}
	if (rc == SQLITE_OK)
		rc = q(db, NULL,
		       "UPDATE vendors SET documents = documents + 1, first_seen = min(first_seen, ?1),"
		       " last_seen = max(last_seen, ?1) WHERE id = ?2",
		       "si", at, vid);
	if (rc == SQLITE_OK && name)
		rc = q(db, NULL,
		       "INSERT INTO vendor_names(vendor_id, name, key, count) VALUES (?, ?, ?, 1)"
		       " ON CONFLICT(vendor_id, name) DO UPDATE SET count = count + 1",
		       "iss", vid, name, key);
	/* the name shown is the most frequent spelling; a tie keeps the old one */
	if (rc == SQLITE_OK && name)
		rc = q(db, NULL,
		       "UPDATE vendors SET name = (SELECT n.name FROM vendor_names n WHERE"
		       " n.vendor_id = ?1 ORDER BY n.count DESC, n.name IS (SELECT name FROM"
		       " vendors WHERE id = ?1) DESC, n.name LIMIT 1) WHERE id = ?1",
		       "i", vid);
	if (rc == SQLITE_OK && *iban)
		rc = q(db, NULL,
		       "INSERT INTO vendor_ibans(vendor_id, iban, count) VALUES (?, ?, 1)"
		       " ON CONFLICT(vendor_id, iban) DO UPDATE SET count = count + 1",
		       "is", vid, iban);
	if (rc == SQLITE_OK)
		rc = q(db, NULL, "UPDATE documents SET vendor_id = ? WHERE id = ?", "ii", vid,
		       doc->id);
	if (rc != SQLITE_OK)
		return folio_db_err(arc, err, "cannot update the vendor registry");
	return FOLIO_OK;
}

/* ---- listing -------------------------------------------------------- */

/* Fill list[] (strings copied) from a statement of (value, count) rows. */
static int collect(sqlite3_stmt *st, long long vid, struct folio_vendor_seen **list, size_t *n)
{
	size_t cap = 0;
	int rc;

	*list = NULL;
	*n = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, vid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (*n == cap) {
			struct folio_vendor_seen *g;

			cap = cap ? cap * 2 : 8;
			if (!(g = realloc(*list, cap * sizeof(*g))))
				return SQLITE_NOMEM;
			*list = g;
		}
		if (!((*list)[*n].value = strdup(v ? v : "")))
			return SQLITE_NOMEM;
		(*list)[(*n)++].count = sqlite3_column_int64(st, 1);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void release(struct folio_vendor_seen *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)list[i].value);
	free(list);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

int sq_vendors(struct folio_store *arc, int limit,
	       int (*fn)(void *ctx, const struct folio_vendor *v), void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st = NULL, *names = NULL, *ibans = NULL;
	int rc, ret = FOLIO_OK;

	if (sqlite3_prepare_v2(
		    arc->db,
		    "SELECT id, tax_id, name, documents, first_seen, last_seen FROM vendors"
		    " ORDER BY documents DESC, last_seen DESC, id LIMIT ?",
		    -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(arc->db,
			       "SELECT name, count FROM vendor_names WHERE vendor_id = ?"
			       " ORDER BY count DESC, name",
			       -1, &names, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(arc->db,
			       "SELECT iban, count FROM vendor_ibans WHERE vendor_id = ?"
			       " ORDER BY count DESC, iban",
			       -1, &ibans, NULL) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot list the vendors");
		goto out;
	}
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* clang-format off */
		struct folio_vendor v = {
			.id = sqlite3_column_int64(st, 0),
			.documents = sqlite3_column_int64(st, 3),
		};
		/* clang-format on */
		char *tax = dup_col(st, 1), *name = dup_col(st, 2);
		char *first = dup_col(st, 4), *last = dup_col(st, 5);
		struct folio_vendor_seen *nl = NULL, *il = NULL;
		int stop = 0;

		v.tax_id = tax;
		v.name = name;
		v.first_seen = first ? first : "";
		v.last_seen = last ? last : "";
		rc = collect(names, v.id, &nl, &v.nnames);
		if (rc == SQLITE_OK)
			rc = collect(ibans, v.id, &il, &v.nibans);
		v.names = nl;
		v.ibans = il;
		if (rc == SQLITE_OK)
			stop = fn(ctx, &v);
		release(nl, v.nnames);
		release(il, v.nibans);
		free(tax);
		free(name);
		free(first);
		free(last);
		if (rc == SQLITE_NOMEM) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		if (rc != SQLITE_OK || stop)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != SQLITE_OK)
		ret = folio_db_err(arc, err, "cannot list the vendors");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(names);
	sqlite3_finalize(ibans);
	return ret;
}
