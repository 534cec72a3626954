/*
 * settle.c - the document's type once every stage has spoken; see
 * folio_classify_settle() in include/folio/classify.h.
 */
#include "folio/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"

int folio_classify_settle(struct folio_doc *doc)
{
	const struct folio_field *f = folio_doc_field(doc, "doc_type");
	char reason[64];

	if (f && (f->source == FOLIO_SRC_XML || f->source == FOLIO_SRC_QR)) {
		snprintf(reason, sizeof(reason), "%s: e-invoice type",
			 folio_source_name(f->source));
		if (folio_doc_set_str(&doc->doc_type, f->value) ||
		    folio_doc_set_str(&doc->type_reason, reason))
			return -1;
		doc->type_conf = 1.0f;
	} else if (doc->doc_type) {
		enum folio_source src = FOLIO_SRC_TEXT;
		size_t i;

		for (i = 0; i < doc->npages; i++)
			if (doc->pages[i].source == FOLIO_SRC_OCR)
				src = FOLIO_SRC_OCR;
		if (f && !strcmp(f->value, "credit_note") && folio_invoice_like(doc->doc_type) &&
		    strcmp(doc->doc_type, "credit_note")) {
			/* the page says credit note next to the invoice number */
			if (folio_doc_set_str(&doc->doc_type, "credit_note"))
				return -1;
		}
		if (folio_doc_set_field(doc, "doc_type", doc->doc_type, NULL, doc->type_conf, src,
					0, NULL))
			return -1;
	}
	if (!folio_invoice_like(doc->doc_type) && (!f || f->source != FOLIO_SRC_XML)) {
		doc->needs_review = 0;
		free(doc->review);
		doc->review = NULL;
	}
	return 0;
}
