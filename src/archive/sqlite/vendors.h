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
#include "folio/values.h"

/* Register the SQL function folio_vendor_key(name) on a connection (the
 * migration that builds the registry of an older archive uses it). */
int folio_vendor_register(sqlite3 *db);

/*
 * Record the document just stored (doc->id set) under its vendor:
 * doc->vendor_id as the matching step (folio_match) found it, or a new
 * vendor when 0 - unless the seller's tax ID is registered by now, when
 * that vendor is taken. A document with neither a seller name nor a
 * seller tax ID is left alone. A vendor known without a tax ID learns the
 * document's. Updates the counts, name spellings, IBANs and dates, and
 * documents.vendor_id. Runs inside the caller's transaction.
 */
int folio_vendor_record(struct folio_store *arc, const struct folio_doc *doc, const char *at,
			struct folio_err *err);

#endif
