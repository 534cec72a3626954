/* export_private.h - the modules registry.c lists (one line per format). */
#ifndef FOLIO_EXPORT_PRIVATE_H
#define FOLIO_EXPORT_PRIVATE_H

#include "folio/export.h"

extern const struct folio_export_module folio_export_csv;
extern const struct folio_export_module folio_export_jsonl;
extern const struct folio_export_module folio_export_ledger;
extern const struct folio_export_module folio_export_ubl;
extern const struct folio_export_module folio_export_cii;
extern const struct folio_export_module folio_export_ksef;

#endif
