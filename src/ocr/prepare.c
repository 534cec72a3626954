/* prepare.c - page clean-up before OCR; see include/folio/prepare.h. */
#include "folio/prepare.h"

#include <leptonica/allheaders.h>
#include <math.h>

void folio_prepare_global_init(void)
{
	/* folio reports failures itself; Leptonica's stderr lines would only
	 * confuse an operator reading the ingest output */
	setMsgSeverity(L_SEVERITY_NONE);
}

/* Below this a rotation is not worth its blur (Leptonica's own floor is
 * 0.1 deg); beyond +-7 deg the page is sideways, orientation's job. */
#define SKEW_MIN_DEG 0.15f

static PIX *deskew(PIX *gray, float *angle_out)
{
	l_float32 angle = 0, conf = 0;
	PIX *rot;

	*angle_out = 0;
	/* reduction 4 to sweep, 2 to search: ~0.05 deg on a 300 dpi page */
	rot = pixDeskewGeneral(gray, 4, 7.0f, 1.0f, 2, 0, &angle, &conf);
	if (!rot)
		return NULL;
	if (fabsf(angle) < SKEW_MIN_DEG || rot == gray) {
		pixDestroy(&rot);
		return NULL;
	}
	*angle_out = angle;
	return rot;
}

int folio_prepare_page(struct folio_page *page, struct folio_err *err)
{
	PIX *pix = (PIX *)page->pix, *gray, *rot;
	float angle;

	if (!pix)
		return FOLIO_OK;
	gray = pixGetDepth(pix) == 8 ? pixClone(pix) : pixConvertTo8(pix, 0);
	if (!gray)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "cannot convert page %d (depth %d) to grey", page->number,
				     pixGetDepth(pix));
	rot = deskew(gray, &angle);
	if (rot) {
		pixDestroy(&gray);
		gray = rot;
		page->skew = angle;
	}
	pixSetResolution(gray, page->dpi, page->dpi);
	pixDestroy(&pix);
	page->pix = (struct Pix *)gray;
	page->width = pixGetWidth(gray);
	page->height = pixGetHeight(gray);
	return FOLIO_OK;
}
