/*
 * rows.h - a document's row values, computed alike by every storage
 * backend (src/archive/sqlite, src/archive/pg); private to src/archive.
 */
#ifndef FOLIO_ARCHIVE_ROWS_H
#define FOLIO_ARCHIVE_ROWS_H

#include "folio/doc.h"
#include "folio/strbuf.h"

/* A page's words as 'x y w h conf line text' lines into *sb (reset first);
 * empty when no word has a box. -1 on ENOMEM. */
int folio_store_words_blob(const struct folio_page *pg, struct folio_strbuf *sb);

/* The document's scalar field values and barcode payloads, a line each,
 * into *sb (reset first), for the full-text index. -1 on ENOMEM. */
int folio_store_field_text(const struct folio_doc *doc, struct folio_strbuf *sb);

/* The mean confidence of the OCR-read, non-blank pages; -1 when none. */
double folio_store_mean_conf(const struct folio_doc *doc);

#endif
