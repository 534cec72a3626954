/*
 * lookup.c - the PostgreSQL backend's look-ups for the matching step
 * (folio_match), the vendor registry (recording and listing, the same
 * rules as src/archive/sqlite/vendors.c) and SDI notices.
 */
#include "pg_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "folio/util.h"
#include "folio/values.h"

long long pg_find_invoice(struct folio_store *s, const char *seller_tax_id,
			  const char *invoice_number, struct folio_err *err)
{
	if (!seller_tax_id || !invoice_number || !*seller_tax_id || !*invoice_number)
		return 0;
	return pg_one(s, err, "cannot look up the invoice number",
		      "SELECT a.doc_id FROM fields a JOIN fields b ON b.doc_id = a.doc_id"
		      " AND b.name = 'invoice_number' AND b.value = $1"
		      " WHERE a.name = 'seller_tax_id' AND a.value = $2"
		      " ORDER BY a.doc_id LIMIT 1",
		      "ss", invoice_number, seller_tax_id);
}

long long pg_vendor_by_tax(struct folio_store *s, const char *tax_id, struct folio_err *err)
{
	if (!tax_id || !*tax_id)
		return 0;
	return pg_one(s, err, "cannot look up the vendor registry",
		      "SELECT id FROM vendors WHERE tax_id = $1", "s", tax_id);
}

long long pg_vendor_by_iban(struct folio_store *s, const char *iban, int untaxed_only,
			    struct folio_err *err)
{
	if (!iban || !*iban)
		return 0;
	return pg_one(s, err, "cannot look up the vendor registry",
		      "SELECT i.vendor_id FROM vendor_ibans i JOIN vendors v ON v.id = i.vendor_id"
		      " WHERE i.iban = $1 AND ($2 = 0 OR v.tax_id IS NULL)"
		      " ORDER BY i.count DESC, i.vendor_id LIMIT 1",
		      "si", iban, (long long)untaxed_only);
}

long long pg_vendor_by_key(struct folio_store *s, const char *key, int untaxed_only,
			   struct folio_err *err)
{
	if (!key || !*key)
		return 0;
	return pg_one(s, err, "cannot look up the vendor registry",
		      "SELECT n.vendor_id FROM vendor_names n JOIN vendors v ON v.id = n.vendor_id"
		      " WHERE n.key = $1 AND ($2 = 0 OR v.tax_id IS NULL)"
		      " ORDER BY v.documents DESC, v.id LIMIT 1",
		      "si", key, (long long)untaxed_only);
}

int pg_vendor_keys(struct folio_store *s, int untaxed_only,
		   int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
		   struct folio_err *err)
{
	PGresult *r = pg_run(s, err, "cannot read the vendor registry",
			     "SELECT n.vendor_id, n.key FROM vendor_names n JOIN vendors v ON"
			     " v.id = n.vendor_id WHERE ($1 = 0 OR v.tax_id IS NULL)"
			     " ORDER BY v.documents DESC, v.id",
			     "i", (long long)untaxed_only);
	int i;

	if (!r)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r); i++)
		if (fn(ctx, pg_ll(r, i, 0), pg_str(r, i, 1)))
			break;
	PQclear(r);
	return FOLIO_OK;
}

/* ---- the vendor registry ------------------------------------------------------- */

static const char *value_of(const struct folio_doc *doc, const char *name)
{
	const struct folio_field *f = folio_doc_field(doc, name);

	return f && *f->value ? f->value : NULL;
}

int pg_vendor_record(struct folio_store *s, const struct folio_doc *doc, const char *at,
		     struct folio_err *err)
{
	const char *tax = value_of(doc, "seller_tax_id"), *name = value_of(doc, "seller_name");
	const char *what = "cannot update the vendor registry";
	char key[FOLIO_VENDOR_KEY_MAX], iban[64] = "";
	long long vid = doc->vendor_id;

	if (name && !folio_vendor_key(name, key, sizeof(key)))
		name = NULL; /* punctuation only */
	if (!tax && !name)
		return FOLIO_OK;
	folio_vendor_iban(value_of(doc, "iban"), iban, sizeof(iban));
	/* a new vendor of a tax ID: the UNIQUE tax_id decides between
	 * stations registering it at once; the loser takes the winner's */
	if (!vid && tax) {
		vid = pg_one(
			s, err, what,
			"INSERT INTO vendors(tax_id, name, first_seen, last_seen, documents)"
			" VALUES ($1, $2, $3, $3, 0) ON CONFLICT (tax_id) DO NOTHING RETURNING id",
			"sss", tax, name, at);
		if (vid == 0)
			vid = pg_vendor_by_tax(s, tax, err);
	} else if (!vid) {
		vid = pg_one(s, err, what,
			     "INSERT INTO vendors(tax_id, name, first_seen, last_seen, documents)"
			     " VALUES (NULL, $1, $2, $2, 0) RETURNING id",
			     "ss", name, at);
	} else if (tax) {
		/* a vendor known by name or IBAN learns its tax ID, unless
		 * another vendor has it (then it stays without) */
		if (pg_do(s, err, what,
			  "UPDATE vendors SET tax_id = $1 WHERE id = $2 AND tax_id IS NULL"
			  " AND NOT EXISTS (SELECT 1 FROM vendors WHERE tax_id = $1)",
			  "si", tax, vid) != FOLIO_OK)
			return FOLIO_FAILED;
	}
	if (vid <= 0)
		return vid < 0 ? FOLIO_FAILED :
				 folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
					       "%s: the vendor vanished", what);
	if (pg_do(s, err, what,
		  "UPDATE vendors SET documents = documents + 1, first_seen = least(first_seen, $1),"
		  " last_seen = greatest(last_seen, $1) WHERE id = $2",
		  "si", at, vid) != FOLIO_OK)
		return FOLIO_FAILED;
	if (name &&
	    (pg_do(s, err, what,
		   "INSERT INTO vendor_names(vendor_id, name, key, count) VALUES ($1, $2, $3, 1)"
		   " ON CONFLICT (vendor_id, name) DO UPDATE SET count = vendor_names.count + 1",
		   "iss", vid, name, key) != FOLIO_OK ||
	     /* the name shown is the most frequent spelling; a tie keeps the old one */
	     pg_do(s, err, what,
		   "UPDATE vendors SET name = (SELECT n.name FROM vendor_names n WHERE"
		   " n.vendor_id = $1 ORDER BY n.count DESC, n.name IS NOT DISTINCT FROM"
		   " (SELECT name FROM vendors WHERE id = $1) DESC, n.name LIMIT 1) WHERE id = $1",
		   "i", vid) != FOLIO_OK))
		return FOLIO_FAILED;
	if (*iban && pg_do(s, err, what,
			   "INSERT INTO vendor_ibans(vendor_id, iban, count) VALUES ($1, $2, 1)"
			   " ON CONFLICT (vendor_id, iban) DO UPDATE SET"
			   " count = vendor_ibans.count + 1",
			   "is", vid, iban) != FOLIO_OK)
		return FOLIO_FAILED;
	return pg_do(s, err, what, "UPDATE documents SET vendor_id = $1 WHERE id = $2", "ii", vid,
		     doc->id);
}

/* rows (value, count) of one vendor into a list valid until `r` is cleared */
static struct folio_vendor_seen *seen(PGresult *r, size_t *n)
{
	struct folio_vendor_seen *l;
	int i;

	*n = (size_t)PQntuples(r);
	if (!(l = calloc(*n ? *n : 1, sizeof(*l))))
		return NULL;
	for (i = 0; i < PQntuples(r); i++) {
		l[i].value = pg_str(r, i, 0);
		l[i].count = pg_ll(r, i, 1);
	}
	return l;
}

int pg_vendors(struct folio_store *s, int limit, int (*fn)(void *ctx, const struct folio_vendor *v),
	       void *ctx, struct folio_err *err)
{
	PGresult *r =
		pg_run(s, err, "cannot list the vendors",
		       "SELECT id, tax_id, name, documents, first_seen, last_seen FROM vendors"
		       " ORDER BY documents DESC, last_seen DESC, id LIMIT NULLIF($1::bigint, 0)",
		       "i", (long long)(limit > 0 ? limit : 0));
	int i, stop = 0, ret = FOLIO_OK;

	if (!r)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && !stop && ret == FOLIO_OK; i++) {
		struct folio_vendor v = { .id = pg_ll(r, i, 0), .documents = pg_ll(r, i, 3) };
		PGresult *names, *ibans = NULL;
		struct folio_vendor_seen *nl = NULL, *il = NULL;

		v.tax_id = pg_null(r, i, 1) ? NULL : pg_str(r, i, 1);
		v.name = pg_null(r, i, 2) ? NULL : pg_str(r, i, 2);
		v.first_seen = pg_str(r, i, 4);
		v.last_seen = pg_str(r, i, 5);
		if (!(names = pg_run(s, err, "cannot list the vendors",
				     "SELECT name, count FROM vendor_names WHERE vendor_id = $1"
				     " ORDER BY count DESC, name",
				     "i", v.id)) ||
		    !(ibans = pg_run(s, err, "cannot list the vendors",
				     "SELECT iban, count FROM vendor_ibans WHERE vendor_id = $1"
				     " ORDER BY count DESC, iban",
				     "i", v.id))) {
			ret = FOLIO_FAILED;
		} else if (!(nl = seen(names, &v.nnames)) || !(il = seen(ibans, &v.nibans))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
		} else {
			v.names = nl;
			v.ibans = il;
			stop = fn(ctx, &v);
		}
		free(nl);
		free(il);
		PQclear(names);
		PQclear(ibans);
	}
	PQclear(r);
	return ret;
}

char *pg_vendor_name(struct folio_store *s, long long id)
{
	PGresult *r = pg_run(s, NULL, "",
			     "SELECT v.name FROM documents d JOIN vendors v ON v.id = d.vendor_id"
			     " WHERE d.id = $1 AND v.name IS NOT NULL",
			     "i", id);
	char *name = NULL;

	if (r && PQntuples(r) == 1)
		name = strdup(pg_str(r, 0, 0));
	PQclear(r);
	return name;
}

/* ---- SDI notices ---------------------------------------------------------------- */

long long pg_sdi_invoice(struct folio_store *s, const char *file_name, struct folio_err *err)
{
	size_t n = strlen(file_name), k = n;
	char bare[512];

	if (n > 4 && !strcasecmp(file_name + n - 4, ".p7m"))
		k = n - 4;
	if (k >= sizeof(bare))
		k = sizeof(bare) - 1;
	memcpy(bare, file_name, k);
	bare[k] = '\0';
	return pg_one(s, err, "cannot look up the invoice of an SDI notice",
		      "SELECT d.id FROM documents d WHERE d.name IN ($1, $2)"
		      " AND NOT EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id"
		      " AND f.name = 'sdi_notice')"
		      " ORDER BY d.doc_type IN ('invoice', 'credit_note') DESC, d.id DESC LIMIT 1",
		      "ss", file_name, bare);
}

/* the ids `sql` gives (at most 256), then fn on each (fn may query again) */
static int sdi_ids(struct folio_store *s, const char *sql, const char *value,
		   int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err)
{
	PGresult *r = pg_run(s, err, "cannot look up SDI notices", sql, "s", value);
	long long ids[256];
	int n = 0, i;

	if (!r)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && n < 256; i++)
		ids[n++] = pg_ll(r, i, 0);
	PQclear(r);
	for (i = 0; i < n; i++)
		if (fn(ctx, ids[i]))
			break;
	return FOLIO_OK;
}

int pg_sdi_notices(struct folio_store *s, const char *file, int (*fn)(void *ctx, long long id),
		   void *ctx, struct folio_err *err)
{
	return sdi_ids(s,
		       "SELECT doc_id FROM fields WHERE name = 'sdi_file'"
		       " AND value IN ($1, $1 || '.p7m') ORDER BY doc_id",
		       file, fn, ctx, err);
}

int pg_sdi_by_id(struct folio_store *s, const char *sdi_id, int (*fn)(void *ctx, long long id),
		 void *ctx, struct folio_err *err)
{
	return sdi_ids(s,
		       "SELECT doc_id FROM fields WHERE name = 'sdi_id' AND value = $1"
		       " ORDER BY doc_id",
		       sdi_id, fn, ctx, err);
}
