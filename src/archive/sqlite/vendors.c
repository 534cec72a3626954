/*
 * vendors.c - the correspondents registry: one row per vendor (keyed by
 * seller tax ID when there is one), the spellings of its name and the
 * IBANs seen on its documents, and each document's vendor_id.
 *
 * Which vendor a new document belongs to is the pipeline's matching step
 * (src/pipeline/match.c), through the look-ups of lookup.c; this file
 * records what it decided, keeps the registry's counts, spellings, IBANs
 * and dates, and lists the registry.
 */
#include "vendors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_private.h"
#include "folio/util.h"

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

int folio_vendor_record(struct folio_store *arc, const struct folio_doc *doc, const char *at,
			struct folio_err *err)
{
	const char *tax = value_of(doc, "seller_tax_id"), *name = value_of(doc, "seller_name");
	char key[FOLIO_VENDOR_KEY_MAX], iban[64] = "";
	sqlite3 *db = arc->db;
	long long vid = doc->vendor_id;
	int rc = SQLITE_OK;

	if (name && !folio_vendor_key(name, key, sizeof(key)))
		name = NULL; /* punctuation only */
	if (!tax && !name)
		return FOLIO_OK;
	folio_vendor_iban(value_of(doc, "iban"), iban, sizeof(iban));
	/* a vendor of this tax ID registered since the matching step looked
	 * (another process): the tax ID's uniqueness decides */
	if (!vid && tax)
		rc = q(db, &vid, "SELECT id FROM vendors WHERE tax_id = ?", "s", tax);
	if (rc == SQLITE_OK && !vid) {
		rc = q(db, NULL,
		       "INSERT INTO vendors(tax_id, name, first_seen, last_seen, documents)"
		       " VALUES (?, ?, ?, ?, 0)",
		       "ssss", tax, name, at, at);
		vid = sqlite3_last_insert_rowid(db);
	} else if (rc == SQLITE_OK && tax) {
		/* a vendor known by name or IBAN learns its tax ID (unless
		 * another vendor took it meanwhile) */
		rc = q(db, NULL,
		       "UPDATE OR IGNORE vendors SET tax_id = ? WHERE id = ? AND tax_id IS NULL",
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
