/*
 * detect.h - content type detection with libmagic, on bytes, never on the
 * file name. One detector per worker thread (libmagic handles are not
 * thread-safe).
 */
#ifndef FOLIO_DETECT_H
#define FOLIO_DETECT_H

#include "folio/doc.h"
#include "folio/err.h"

struct folio_detect;

/* Load the magic database. NULL with err set on failure. */
struct folio_detect *folio_detect_new(struct folio_err *err);
void folio_detect_free(struct folio_detect *d);

/*
 * Set doc->mime from doc->data. An empty document fails with
 * FOLIO_E_INPUT ("empty file"); libmagic failures with FOLIO_E_TYPE.
 */
int folio_detect_doc(struct folio_detect *d, struct folio_doc *doc, struct folio_err *err);

#endif
