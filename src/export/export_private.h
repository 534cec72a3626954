/* export_private.h - the modules registry.c lists (one line per format). */
#ifndef FOLIO_EXPORT_PRIVATE_H
#define FOLIO_EXPORT_PRIVATE_H

#include "folio/export.h"

extern const struct folio_export_module folio_export_csv;
extern const struct folio_export_module folio_export_xlsx;
extern const struct folio_export_module folio_export_jsonl;
extern const struct folio_export_module folio_export_ledger;
extern const struct folio_export_module folio_export_ubl;
extern const struct folio_export_module folio_export_cii;
extern const struct folio_export_module folio_export_ksef;

/* ---- tables: the columns of csv and xlsx (src/export/csv.c) -------- */

enum folio_tab_kind { FOLIO_TAB_TEXT, FOLIO_TAB_AMOUNT, FOLIO_TAB_RATE, FOLIO_TAB_DATE };

#define FOLIO_TAB_MAX 128

/* The columns a profile asks for (`columns`, `rows`), each with the kind
 * of value it holds. */
struct folio_tab {
	struct folio_tab_col {
		int id; /* csv.c's column ids */
		enum folio_tab_kind kind;
		char *name;
	} cols[FOLIO_TAB_MAX];
	size_t ncols;
	int per_rate; /* rows = rate: a row per VAT rate */
};

/* Read `rows` and `columns` (every record member, any document field,
 * the config's custom_fields; the defaults when unset) into t. */
int folio_tab_init(const struct folio_export *x, struct folio_tab *t, struct folio_err *err);

/* A column's value for the invoice (and its rate row, with per_rate), as
 * the record has it (amounts "1234.50", dates "YYYY-MM-DD"); NULL when
 * none. `tmp` holds what is made for it (numbers, joined tags). */
const char *folio_tab_value(const struct folio_invoice *inv, const struct folio_inv_rate *rt,
			    const struct folio_tab_col *col, struct folio_strbuf *tmp);

void folio_tab_release(struct folio_tab *t);

#endif
