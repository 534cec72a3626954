/* read.c - Tesseract through its C API; see include/folio/ocr.h. */
#include "folio/ocr.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "folio/strbuf.h"

struct folio_ocr {
	TessBaseAPI *api;
};

const char *folio_ocr_version(void)
{
	return TessVersion();
}

/*
 * Name the first requested language that is not loaded, so the message
 * can say what to install: Tesseract skips a missing pack in "pol+xyz"
 * with a warning on stderr and carries on. Returns 0 when all are loaded.
 */
static int missing_language(const struct folio_config *cfg, TessBaseAPI *api, int inited,
			    struct folio_err *err)
{
	char *langs = strdup(cfg->languages), *save = NULL, *l;
	char **have = inited ? TessBaseAPIGetLoadedLanguagesAsVector(api)
			     : TessBaseAPIGetAvailableLanguagesAsVector(api);
	int missing = 0;

	for (l = langs ? strtok_r(langs, "+", &save) : NULL; l; l = strtok_r(NULL, "+", &save)) {
		int found = 0, i;

		for (i = 0; have && have[i]; i++)
			if (!strcmp(have[i], l))
				found = 1;
		if (!found) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				      "Tesseract language '%s' is not installed (install the "
				      "Debian package tesseract-ocr-%s)", l, l);
			missing = 1;
			break;
		}
	}
	if (!missing && !inited) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_OCR, 0,
			      "cannot start Tesseract with languages '%s'", cfg->languages);
		missing = 1;
	}
	TessDeleteTextArray(have);
	free(langs);
	return missing;
}

struct folio_ocr *folio_ocr_new(const struct folio_config *cfg, struct folio_err *err)
{
	struct folio_ocr *ocr = calloc(1, sizeof(*ocr));

	if (!ocr) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (!(ocr->api = TessBaseAPICreate())) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_OCR, 0, "cannot create a Tesseract engine");
		goto fail;
	}
	/* Tesseract prints its own complaints (a missing traineddata file,
	 * "Invalid resolution") to stderr; folio says what went wrong itself */
	TessBaseAPISetVariable(ocr->api, "debug_file", "/dev/null");
	if (TessBaseAPIInit3(ocr->api, cfg->tessdata_dir, cfg->languages)) {
		missing_language(cfg, ocr->api, 0, err);
		goto fail;
	}
	if (missing_language(cfg, ocr->api, 1, err))
		goto fail;
	/* the C API defaults to one uniform block; invoices are columns,
	 * tables and boxes */
	TessBaseAPISetPageSegMode(ocr->api, PSM_AUTO);
	TessBaseAPISetVariable(ocr->api, "debug_file", "/dev/null");
	return ocr;
fail:
	folio_ocr_free(ocr);
	return NULL;
}

void folio_ocr_free(struct folio_ocr *ocr)
{
	if (!ocr)
		return;
	if (ocr->api) {
		TessBaseAPIEnd(ocr->api);
		TessBaseAPIDelete(ocr->api);
	}
	free(ocr);
}

int folio_ocr_page(struct folio_ocr *ocr, struct folio_page *page, struct folio_err *err)
{
	struct folio_strbuf text = FOLIO_STRBUF_INIT;
	TessResultIterator *ri = NULL;
	TessPageIterator *pi;
	PIX *pix = (PIX *)page->pix;
	double conf_sum = 0;
	int ret = FOLIO_FAILED, line = -1, first = 1, brk = 0;

	page->source = FOLIO_SRC_OCR;
	if (!pix)
		return FOLIO_OK;
	TessBaseAPISetImage2(ocr->api, pix);
	TessBaseAPISetSourceResolution(ocr->api, page->dpi > 0 ? page->dpi : 300);
	if (TessBaseAPIRecognize(ocr->api, NULL)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_OCR, 0,
				    "Tesseract could not recognise page %d", page->number);
		goto out;
	}
	ri = TessBaseAPIGetIterator(ocr->api);
	if (!ri) { /* nothing found: an empty page */
		ret = FOLIO_OK;
		goto done;
	}
	pi = TessResultIteratorGetPageIterator(ri);
	do {
		int x1, y1, x2, y2, r = 0;
		char *w;
		float c;

		/* the break before this word: the strongest boundary since the
		 * last word that had text (empty "words" of blank regions are
		 * skipped, and must not leave runs of empty lines) */
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
			brk = 2;
		else if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE) && brk < 2)
			brk = 1;
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
			line++;
		w = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
		if (!w || !w[strspn(w, " \t\r\n")]) {
			TessDeleteText(w);
			continue;
		}
		if (!first)
			r |= folio_strbuf_adds(&text, brk == 2 ? "\n\n" : brk == 1 ? "\n" : " ");
		brk = 0;
		c = TessResultIteratorConfidence(ri, RIL_WORD) / 100.0f;
		if (!TessPageIteratorBoundingBox(pi, RIL_WORD, &x1, &y1, &x2, &y2))
			x1 = y1 = x2 = y2 = 0;
		r |= folio_strbuf_adds(&text, w);
		r |= folio_page_add_word(page, w, x1, y1, x2 - x1, y2 - y1, c, line < 0 ? 0 : line);
		TessDeleteText(w);
		if (r) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			goto out;
		}
		conf_sum += c;
		first = 0;
	} while (TessResultIteratorNext(ri, RIL_WORD));
	ret = FOLIO_OK;
done:
	page->conf = page->nwords ? (float)(conf_sum / (double)page->nwords) : 0.0f;
	free(page->text);
	page->text = folio_strbuf_detach(&text);
	if (!page->text)
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
out:
	if (ri)
		TessResultIteratorDelete(ri);
	TessBaseAPIClear(ocr->api);
	folio_strbuf_release(&text);
	return ret;
}
