/*
 * asn.c - the archive serial number from a document's barcodes; see
 * folio_extract_asn() in include/folio/extract.h.
 */
#include <regex.h>
#include <stddef.h>

#include "folio/extract.h"

int folio_extract_asn(const regex_t *re, struct folio_doc *doc)
{
	size_t p, k;

	for (p = 0; p < doc->npages; p++)
		for (k = 0; k < doc->pages[p].ncodes; k++) {
			const struct folio_code *c = &doc->pages[p].codes[k];
			regmatch_t m;
			char digits[24];
			size_t n = 0;
			regoff_t i;
			int bbox[4] = { c->x, c->y, c->w, c->h };

			if (regexec(re, c->data, 1, &m, 0))
				continue;
			for (i = m.rm_so; i < m.rm_eo && n + 1 < sizeof(digits); i++)
				if (c->data[i] >= '0' && c->data[i] <= '9' &&
				    (n || c->data[i] != '0'))
					digits[n++] = c->data[i];
			if (!n)
				digits[n++] = '0';
			digits[n] = '\0';
			return folio_doc_set_field(doc, "asn", digits, c->data, 1.0f, FOLIO_SRC_QR,
						   doc->pages[p].number, bbox);
		}
	return 0;
}
