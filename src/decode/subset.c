/* subset.c - some pages of a PDF or TIFF as a file of their own (batch
 * splitting). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "decode_private.h"
#include "folio/decode.h"

/* A multi-page TIFF: the chosen pages re-encoded losslessly (Leptonica
 * picks G4 for 1 bpp pages, else LZW/zip). */
static int tiff_subset(const struct folio_doc *doc, const size_t *pages, size_t n,
		       unsigned char **out, size_t *size, struct folio_err *err)
{
	PIXA *all = pixaReadMemMultipageTiff(doc->data, doc->size), *sel;
	l_uint8 *data = NULL;
	size_t len = 0, i;
	int ret = FOLIO_OK;

	if (!all)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "cannot read the TIFF's pages to split it");
	if (!(sel = pixaCreate((l_int32)n))) {
		pixaDestroy(&all);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	for (i = 0; i < n && ret == FOLIO_OK; i++) {
		PIX *p = (int)pages[i] < pixaGetCount(all) ?
				 pixaGetPix(all, (l_int32)pages[i], L_CLONE) :
				 NULL;

		if (!p || pixaAddPix(sel, p, L_INSERT))
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "TIFF page %zu is missing", pages[i] + 1);
	}
	if (ret == FOLIO_OK && (pixaWriteMemMultipageTiff(&data, &len, sel) || !data))
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "cannot write the split TIFF");
	pixaDestroy(&sel);
	pixaDestroy(&all);
	if (ret != FOLIO_OK) {
		lept_free(data);
		return ret;
	}
	if (!(*out = malloc(len))) {
		lept_free(data);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	memcpy(*out, data, len);
	*size = len;
	lept_free(data);
	return FOLIO_OK;
}

int folio_decode_subset(struct folio_decode_ctx *ctx, const struct folio_doc *doc,
			const size_t *pages, size_t n, unsigned char **out, size_t *size,
			struct folio_err *err)
{
	*out = NULL;
	*size = 0;
	if (!n)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "no pages to keep");
	if (doc->mime && !strcmp(doc->mime, "application/pdf"))
		return folio_pdf_subset(ctx, doc, pages, n, out, size, err);
	if (doc->mime && !strcmp(doc->mime, "image/tiff"))
		return tiff_subset(doc, pages, n, out, size, err);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_TYPE, 0, "cannot split %s files",
			     doc->mime ? doc->mime : "these");
}
