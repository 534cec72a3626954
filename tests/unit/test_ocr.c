/* Unit tests: prepare (grey, deskew) and OCR with real Tesseract on a
 * fixture scan; a missing language pack. */
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folio/ocr.h"
#include "folio/prepare.h"
#include "t.h"

static int has_word(const struct folio_page *pg, const char *w)
{
	size_t i;

	for (i = 0; i < pg->nwords; i++)
		if (!strcmp(pg->words[i].text, w))
			return 1;
	return 0;
}

int main(void)
{
	static const char *const words[] = { "Formularz", "zgłoszeniowy", "uczestnika",
					     "Wróblewska", "Bezpieczeństwo", "Gdynia" };
	struct folio_config cfg;
	struct folio_err err = { 0 };
	struct folio_ocr *ocr;
	struct folio_doc *doc;
	struct folio_page *pg;
	PIX *pix;
	size_t i;

	if (!getenv("OMP_THREAD_LIMIT"))
		setenv("OMP_THREAD_LIMIT", "1", 1); /* too late for speed, fine for a test */
	folio_config_defaults(&cfg, &err);
	folio_prepare_global_init();

	/* the form scan is rotated by -1.84 degrees (ground truth) */
	pix = pixRead("tests/fixtures/samples/pl-form-001-scan.png");
	T_OK(pix != NULL, "fixture readable");
	if (!pix)
		return t_done();
	doc = folio_doc_new("pl-form-001-scan.png", NULL, 0);
	pg = folio_doc_add_page(doc);
	pg->pix = (struct Pix *)pix;
	pg->dpi = 300;
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pixGetDepth((PIX *)pg->pix), 8);
	T_OK(fabsf(fabsf(pg->skew) - 1.84f) < 0.3f, "deskew found ~1.84 deg, got %.2f",
	     (double)pg->skew);

	cfg.languages = (free(cfg.languages), strdup("pol"));
	ocr = folio_ocr_new(&cfg, &err);
	T_OK(ocr != NULL, "engine: %s", err.msg);
	if (ocr) {
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_INT(pg->source, FOLIO_SRC_OCR);
		T_OK(pg->nwords > 80, "words: %zu", pg->nwords);
		T_OK(pg->conf > 0.7f && pg->conf <= 1.0f, "confidence %.2f", (double)pg->conf);
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			T_OK(has_word(pg, words[i]) || (pg->text && strstr(pg->text, words[i])),
			     "recognised '%s'", words[i]);
		/* boxes inside the page, lines increasing */
		for (i = 0; i < pg->nwords; i++) {
			const struct folio_word *w = &pg->words[i];

			if (w->x < 0 || w->y < 0 || w->x + w->w > pg->width ||
			    w->y + w->h > pg->height || (i && w->line < pg->words[i - 1].line)) {
				T_OK(0, "word %zu '%s' box/line out of order", i, w->text);
				break;
			}
		}
		T_OK(strchr(pg->text, '\n') != NULL, "text has lines");
		/* an empty page: no words, no failure */
		folio_page_drop_image(pg);
		pix = pixCreate(1000, 1000, 8);
		pixSetAll(pix);
		pixSetResolution(pix, 300, 300);
		pg = folio_doc_add_page(doc);
		pg->pix = (struct Pix *)pix;
		pg->dpi = 300;
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_INT(pg->nwords, 0);
		T_EQ_STR(pg->text, "");
		folio_ocr_free(ocr);
	}
	folio_doc_free(doc);

	/* a language pack that is not installed: a clear, fatal message */
	free(cfg.languages);
	cfg.languages = strdup("pol+xyz");
	ocr = folio_ocr_new(&cfg, &err);
	T_OK(ocr == NULL, "missing language refused");
	T_EQ_INT(err.kind, FOLIO_E_CONFIG);
	T_CONTAINS(err.msg, "Tesseract language 'xyz' is not installed");
	T_CONTAINS(err.msg, "tesseract-ocr-xyz");
	folio_config_release(&cfg);
	return t_done();
}
