/*
 * vendors.h - the correspondents registry inside the archive (vendors.c):
 * who sent each document, keyed by tax ID, with the spellings of the
 * name and the IBANs seen. Private to src/archive/.
 */
#ifndef FOLIO_ARCHIVE_VENDORS_H
#define FOLIO_ARCHIVE_VENDORS_H

#include <sqlite3.h>
#include <stddef.h>

#include "folio/archive.h"

#define FOLIO_VENDOR_KEY_MAX 256

/* Two name keys at least this similar (trigram Jaccard) are one vendor. */
#define FOLIO_VENDOR_SIMILAR 0.9

/*
 * The name a vendor is matched by: folded (lowercase, no diacritics),
 * trailing legal forms gone ("sp. z o.o.", "S.L.", "Lda", "GmbH & Co.
 * KG"...), then only letters and digits, without spaces:
 * "Drukarnia Wróbel Sp. z o.o." -> "drukarniawrobel". Written into
 * key[size] (truncated on a character boundary); returns its length, 0
 * when nothing is left (or out of memory).
 */
size_t folio_vendor_key(const char *name, char *key, size_t size);

/* Similarity of two keys in 0..1: the Jaccard index of their sets of
 * byte trigrams (keys shorter than 3 bytes: 1 when equal, else 0). */
double folio_vendor_similarity(const char *a, const char *b);

/* Register the SQL function folio_vendor_key(name) on a connection (the
 * migration that builds the registry of an older archive uses it). */
int folio_vendor_register(sqlite3 *db);

/*
 * Attribute the document just stored (doc->id set, its fields in the
 * fields table) to a vendor: by seller tax ID, else by an IBAN seen for
 * a vendor, else by the name's key (equal, or FOLIO_VENDOR_SIMILAR);
 * a vendor is created when nothing matches. A document with neither a
 * seller name nor a seller tax ID is left alone. A vendor with another
 * tax ID never matches a document that has one. Updates the counts,
 * name spellings, IBANs and dates, and documents.vendor_id. Runs inside
 * the caller's transaction.
 */
int folio_vendor_attach(struct folio_store *arc, const struct folio_doc *doc, const char *at,
			struct folio_err *err);

#endif
