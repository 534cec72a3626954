/*
 * ocr.h - read a page image with Tesseract: words with boxes and
 * confidences, and the page text in reading order.
 *
 * One engine per worker thread, created once (loading the language models
 * takes about a second; re-creating per page would dominate). The process
 * must run with OMP_THREAD_LIMIT=1 (main re-executes itself to get it):
 * Tesseract's OpenMP threads fight the workers for the cores otherwise.
 */
#ifndef FOLIO_OCR_H
#define FOLIO_OCR_H

#include "folio/config.h"
#include "folio/doc.h"
#include "folio/err.h"

struct folio_ocr;

/*
 * Create an engine for cfg->languages (e.g. "pol+eng") with the data in
 * cfg->tessdata_dir or Tesseract's default. A missing language pack fails
 * with FOLIO_FATAL and a message naming the Debian package to install.
 */
struct folio_ocr *folio_ocr_new(const struct folio_config *cfg, struct folio_err *err);
void folio_ocr_free(struct folio_ocr *ocr);

/*
 * Recognise page->pix (8-bit grey, page->dpi set). Fills page->words,
 * page->text and page->conf; sets page->source to FOLIO_SRC_OCR. The image
 * stays owned by the page. FOLIO_FAILED with FOLIO_E_OCR on engine errors.
 */
int folio_ocr_page(struct folio_ocr *ocr, struct folio_page *page, struct folio_err *err);

/* "5.3.0" */
const char *folio_ocr_version(void);

#endif
