/*
 * prepare.h - make a decoded page image fit for OCR (Leptonica): convert
 * to 8-bit grey and correct small skew. Records what it did in the page
 * (page->skew). Pages without an image (text layers) are left alone.
 */
#ifndef FOLIO_PREPARE_H
#define FOLIO_PREPARE_H

#include "folio/doc.h"
#include "folio/err.h"

/* Process-wide Leptonica set-up (silence its stderr chatter). Call once. */
void folio_prepare_global_init(void);

/* FOLIO_OK, or FOLIO_FAILED when the image cannot be converted. */
int folio_prepare_page(struct folio_page *page, struct folio_err *err);

#endif
