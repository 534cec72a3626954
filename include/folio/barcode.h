/*
 * barcode.h - find the barcodes on a page image before OCR.
 *
 * Reads page->pix with zbar and appends what it finds to page->codes
 * (folio_page_add_code). Only the symbologies invoices and archive labels
 * carry are enabled: QR-Code (ATCUD, VeriFactu, KSeF, QR-bill, EPC),
 * Code 128 and Code 39 (ASN labels, shipping numbers) and EAN-13; zbar's
 * other decoders (EAN-2/5 add-ons above all) report false hits on text.
 * Types are zbar's names: "QR-Code", "CODE-128", "CODE-39", "EAN-13".
 *
 * Boxes are in page coordinates: the image's pixels, scaled to
 * page->width x page->height when those differ from the image size.
 * A symbol found twice (same type and payload) is stored once.
 *
 * A scanner is not thread-safe: one per worker thread, reused for every
 * page (it keeps zbar's decoder state and a grey buffer the size of the
 * largest page seen).
 */
#ifndef FOLIO_BARCODE_H
#define FOLIO_BARCODE_H

#include <regex.h>

#include "folio/doc.h"
#include "folio/err.h"

struct folio_barcode_scanner;

/* A scanner with the symbologies above enabled. NULL with err set
 * (FOLIO_E_NOMEM) on allocation failure. */
struct folio_barcode_scanner *folio_barcode_new(struct folio_err *err);

/* Free a scanner. Accepts NULL. */
void folio_barcode_free(struct folio_barcode_scanner *s);

/*
 * Scan page->pix (any depth, colormapped or with alpha; the image is not
 * changed) and append the symbols found to page->codes. A page without an
 * image is left alone. Returns FOLIO_OK (zero symbols is not an error),
 * FOLIO_WARN (FOLIO_E_INPUT) when the image cannot be converted (the page
 * goes on without codes), FOLIO_FATAL (FOLIO_E_NOMEM) on allocation
 * failure. About 0.2 s for a 300 dpi A4 page on one core.
 */
int folio_barcode_scan_page(struct folio_barcode_scanner *s, struct folio_page *pg,
			    struct folio_err *err);

/* The same with a scanner made and freed for this call: for one-off use
 * (tests, tools); workers should keep a scanner. */
int folio_barcode_scan(struct folio_page *pg, struct folio_err *err);

/*
 * Whether page `pg` is a batch's separator sheet: a barcode of its codes
 * matches `re` (the split_barcode pattern; NULL: none), or it is blank and
 * `blank` (split_blank) is set.
 */
int folio_barcode_separator(const struct folio_page *pg, const regex_t *re, int blank);

#endif
