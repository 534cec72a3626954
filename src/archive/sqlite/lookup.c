/*
 * lookup.c - the SQLite backend's look-ups for the matching step of the
 * pipeline (folio_match): documents whose text fingerprint shares a band,
 * the documents of one seller's invoice number, and the vendor registry's
 * keys. They only read; what a match is, the pipeline decides.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sqlite_private.h"

long long sq_band_value(uint64_t h, int band)
{
	int shift = band * 9, bits = band == SQ_SIMHASH_BANDS - 1 ? 10 : 9;

	return (long long)((h >> shift) & ((1ULL << bits) - 1));
}

int sq_near_texts(struct folio_store *arc, uint64_t h,
		  int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
		  struct folio_err *err)
{
	sqlite3_stmt *st;
	int b, rc = SQLITE_DONE, stop = 0;

	if (!h)
		return FOLIO_OK;
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT d.id, d.simhash FROM simhash_band s JOIN documents d"
			       " ON d.id = s.doc_id WHERE s.band = ? AND s.value = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot look up similar texts");
	for (b = 0; b < SQ_SIMHASH_BANDS && !stop; b++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, b);
		sqlite3_bind_int64(st, 2, sq_band_value(h, b));
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
			stop = fn(ctx, sqlite3_column_int64(st, 0),
				  (uint64_t)sqlite3_column_int64(st, 1));
		if (!stop && rc != SQLITE_DONE)
			break;
	}
	if (!stop && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot look up similar texts");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

/* Prepare `sql`, bind the arguments named by `types` ('s' a text, 'i' an
 * int), and return the first column of the first row: 0 without a row,
 * -1 on error (err says `what`). */
static long long one_id(struct folio_store *arc, struct folio_err *err, const char *what,
			const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	long long id = 0;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK) {
		folio_db_err(arc, err, what);
		return -1;
	}
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 's')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
		else
			sqlite3_bind_int(st, i + 1, va_arg(ap, int));
	}
	va_end(ap);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_finalize(st);
	if (id < 0)
		folio_db_err(arc, err, what);
	return id;
}

long long sq_find_invoice(struct folio_store *arc, const char *seller_tax_id,
			  const char *invoice_number, struct folio_err *err)
{
	if (!seller_tax_id || !invoice_number || !*seller_tax_id || !*invoice_number)
		return 0;
	return one_id(arc, err, "cannot look up the invoice number",
		      "SELECT a.doc_id FROM fields a JOIN fields b ON b.doc_id = a.doc_id"
		      " AND b.name = 'invoice_number' AND b.value = ?1"
		      " WHERE a.name = 'seller_tax_id' AND a.value = ?2"
		      " ORDER BY a.doc_id LIMIT 1",
		      "ss", invoice_number, seller_tax_id);
}

long long sq_vendor_by_tax(struct folio_store *arc, const char *tax_id, struct folio_err *err)
{
	if (!tax_id || !*tax_id)
		return 0;
	return one_id(arc, err, "cannot look up the vendor registry",
		      "SELECT id FROM vendors WHERE tax_id = ?1", "s", tax_id);
}

long long sq_vendor_by_iban(struct folio_store *arc, const char *iban, int untaxed_only,
			    struct folio_err *err)
{
	if (!iban || !*iban)
		return 0;
	return one_id(arc, err, "cannot look up the vendor registry",
		      "SELECT i.vendor_id FROM vendor_ibans i JOIN vendors v ON v.id = i.vendor_id"
		      " WHERE i.iban = ?1 AND (?2 = 0 OR v.tax_id IS NULL)"
		      " ORDER BY i.count DESC, i.vendor_id LIMIT 1",
		      "si", iban, untaxed_only);
}

long long sq_vendor_by_key(struct folio_store *arc, const char *key, int untaxed_only,
			   struct folio_err *err)
{
	if (!key || !*key)
		return 0;
	return one_id(arc, err, "cannot look up the vendor registry",
		      "SELECT n.vendor_id FROM vendor_names n JOIN vendors v ON v.id = n.vendor_id"
		      " WHERE n.key = ?1 AND (?2 = 0 OR v.tax_id IS NULL)"
		      " ORDER BY v.documents DESC, v.id LIMIT 1",
		      "si", key, untaxed_only);
}

int sq_vendor_keys(struct folio_store *arc, int untaxed_only,
		   int (*fn)(void *ctx, long long vendor_id, const char *key), void *ctx,
		   struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT n.vendor_id, n.key FROM vendor_names n JOIN vendors v ON"
			       " v.id = n.vendor_id WHERE (?1 = 0 OR v.tax_id IS NULL)"
			       " ORDER BY v.documents DESC, v.id",
			       -1, &st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot read the vendor registry");
	sqlite3_bind_int(st, 1, untaxed_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);

		if (fn(ctx, sqlite3_column_int64(st, 0), key ? key : "")) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the vendor registry");
	return FOLIO_OK;
}

/* ---- SDI notices ----------------------------------------------------------- */

long long sq_sdi_invoice(struct folio_store *arc, const char *file_name, struct folio_err *err)
{
	size_t n = strlen(file_name), k = n;
	char bare[512];

	/* the content of a signed file is named without ".p7m" */
	if (n > 4 && !strcasecmp(file_name + n - 4, ".p7m"))
		k = n - 4;
	if (k >= sizeof(bare))
		k = sizeof(bare) - 1;
	memcpy(bare, file_name, k);
	bare[k] = '\0';
	return one_id(arc, err, "cannot look up the invoice of an SDI notice",
		      "SELECT d.id FROM documents d WHERE d.name IN (?1, ?2)"
		      " AND NOT EXISTS (SELECT 1 FROM fields f WHERE f.doc_id = d.id"
		      " AND f.name = 'sdi_notice')"
		      " ORDER BY d.doc_type IN ('invoice', 'credit_note') DESC, d.id DESC LIMIT 1",
		      "ss", file_name, bare);
}

/* The ids `sql` (one text parameter) gives, at most 256, then fn on each
 * (fn may read the archive again). */
static int sdi_ids(struct folio_store *arc, const char *sql, const char *value,
		   int (*fn)(void *ctx, long long id), void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	long long ids[256];
	size_t n = 0, i;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot look up SDI notices");
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	while (n < sizeof(ids) / sizeof(ids[0]) && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	if (n == sizeof(ids) / sizeof(ids[0]))
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot look up SDI notices");
	for (i = 0; i < n; i++)
		if (fn(ctx, ids[i]))
			break;
	return FOLIO_OK;
}

int sq_sdi_notices(struct folio_store *arc, const char *file, int (*fn)(void *ctx, long long id),
		   void *ctx, struct folio_err *err)
{
	return sdi_ids(arc,
		       "SELECT doc_id FROM fields WHERE name = 'sdi_file'"
		       " AND value IN (?1, ?1 || '.p7m') ORDER BY doc_id",
		       file, fn, ctx, err);
}

int sq_sdi_by_id(struct folio_store *arc, const char *sdi_id, int (*fn)(void *ctx, long long id),
		 void *ctx, struct folio_err *err)
{
	return sdi_ids(arc,
		       "SELECT doc_id FROM fields WHERE name = 'sdi_id' AND value = ?1"
		       " ORDER BY doc_id",
		       sdi_id, fn, ctx, err);
}
