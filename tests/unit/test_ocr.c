/* Unit tests: page preparation (grey, resolution, borders, blank pages,
 * orientation, deskew) and OCR with real Tesseract on fixture scans
 * (tests/fixtures/samples/ and the degraded set in tests/fixtures/scans/);
 * per-page languages; a missing language pack. */
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "folio/ocr.h"
#include "folio/prepare.h"
#include "t.h"

#define SCANS "tests/fixtures/scans/"

static int has_word(const struct folio_page *pg, const char *w)
{
	size_t i;

	for (i = 0; i < pg->nwords; i++)
		if (!strcmp(pg->words[i].text, w))
			return 1;
	return 0;
}

/* every word box inside the page, lines in order */
static int boxes_inside(const struct folio_page *pg)
{
	size_t i;

	for (i = 0; i < pg->nwords; i++) {
		const struct folio_word *w = &pg->words[i];

		if (w->x < 0 || w->y < 0 || w->x + w->w > pg->width || w->y + w->h > pg->height ||
		    (i && w->line < pg->words[i - 1].line))
			return 0;
	}
	return 1;
}

/* A page of `doc` holding `pix` (ownership taken) at `dpi`. */
static struct folio_page *add_page(struct folio_doc *doc, PIX *pix, int dpi)
{
	struct folio_page *pg = folio_doc_add_page(doc);

	pg->pix = (struct Pix *)pix;
	pg->dpi = dpi;
	pg->width = pixGetWidth(pix);
	pg->height = pixGetHeight(pix);
	return pg;
}

/* The top `part` of a fixture scan, 8-bit grey: small pages OCR fast. */
static PIX *fixture(const char *name, double part)
{
	PIX *pix = pixRead(name), *grey, *top;
	BOX *box;

	T_OK(pix != NULL, "fixture %s readable", name);
	if (!pix)
		return NULL;
	grey = pixConvertTo8(pix, 0);
	pixDestroy(&pix);
	if (part >= 1)
		return grey;
	box = boxCreate(0, 0, pixGetWidth(grey), (int)(pixGetHeight(grey) * part));
	top = pixClipRectangle(grey, box, NULL);
	boxDestroy(&box);
	pixDestroy(&grey);
	return top;
}

/* The original test: a real skewed form scan, read in Polish. */
static void test_form(struct folio_config *cfg)
{
	static const char *const words[] = { "Formularz",  "zgłoszeniowy",   "uczestnika",
					     "Wróblewska", "Bezpieczeństwo", "Gdynia" };
	struct folio_err err = { 0 };
	struct folio_ocr *ocr;
	struct folio_doc *doc;
	struct folio_page *pg;
	PIX *pix;
	size_t i;

	/* the form scan is rotated by -1.84 degrees (ground truth) */
	pix = pixRead("tests/fixtures/samples/pl-form-001-scan.png");
	T_OK(pix != NULL, "fixture readable");
	if (!pix)
		return;
	doc = folio_doc_new("pl-form-001-scan.png", NULL, 0);
	pg = add_page(doc, pix, 300);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pixGetDepth((PIX *)pg->pix), 8);
	T_OK(fabsf(fabsf(pg->skew) - 1.84f) < 0.3f, "deskew found ~1.84 deg, got %.2f",
	     (double)pg->skew);
	T_EQ_INT(pg->rotation, 0);
	T_EQ_INT(pg->blank, 0);

	cfg->languages = (free(cfg->languages), strdup("pol"));
	ocr = folio_ocr_new(cfg, &err);
	T_OK(ocr != NULL, "engine: %s", err.msg);
	if (ocr) {
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_INT(pg->source, FOLIO_SRC_OCR);
		T_EQ_STR(folio_ocr_last_languages(ocr), "pol");
		T_OK(pg->nwords > 80, "words: %zu", pg->nwords);
		T_OK(pg->conf > 0.7f && pg->conf <= 1.0f, "confidence %.2f", (double)pg->conf);
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			T_OK(has_word(pg, words[i]) || (pg->text && strstr(pg->text, words[i])),
			     "recognised '%s'", words[i]);
		T_OK(boxes_inside(pg), "boxes inside the page, lines in order");
		T_OK(strchr(pg->text, '\n') != NULL, "text has lines");
		/* an empty page not marked blank: no words, no failure */
		folio_page_drop_image(pg);
		pix = pixCreate(1000, 1000, 8);
		pixSetAll(pix);
		pg = add_page(doc, pix, 300);
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_INT(pg->nwords, 0);
		T_EQ_STR(pg->text, "");
		folio_ocr_free(ocr);
	}
	folio_doc_free(doc);
}

/* Turned pages come out upright, with the words in the right place. */
static void test_orientation(struct folio_ocr *ocr)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("rotated", NULL, 0);
	PIX *top = fixture(SCANS "clean-pol-invoice.png", 0.35);
	int q;

	if (!top)
		goto out;
	for (q = 1; q <= 3; q++) {
		/* turned q quarters clockwise: needs (4 - q) more to be upright */
		struct folio_page *pg = add_page(doc, pixRotateOrth(top, q), 300);
		int w = pg->width, h = pg->height;

		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, (4 - q) * 90);
		T_EQ_INT(pg->width, q % 2 ? h : w);
		T_EQ_INT(pg->width, pixGetWidth((PIX *)pg->pix));
		T_EQ_INT(pg->height, pixGetHeight((PIX *)pg->pix));
		T_EQ_INT(folio_ocr_page_lang(ocr, pg, "pol", &err), FOLIO_OK);
		T_OK(has_word(pg, "Sprzedawca:") || has_word(pg, "Sprzedawca"),
		     "turned %d: 'Sprzedawca' read", q * 90);
		T_OK(pg->text && strstr(pg->text, "Przedsiębiorstwo Handlowe"),
		     "turned %d: text upright: %.60s", q * 90, pg->text);
		T_OK(boxes_inside(pg), "turned %d: boxes inside the upright page", q * 90);
		/* the title is the first line, at the top of the upright page */
		T_OK(pg->nwords && pg->words[0].y < pg->height / 3,
		     "turned %d: first word at y %d of %d", q * 90,
		     pg->nwords ? pg->words[0].y : -1, pg->height);
		folio_page_drop_image(pg);
	}
	/* an orientation left undecided is settled by OSD in folio_ocr_page */
	{
		struct folio_page *pg = add_page(doc, pixRotateOrth(top, 1), 300);

		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, 270);
		T_EQ_INT(folio_prepare_rotate(pg, 180, &err), FOLIO_OK); /* now upside down */
		T_EQ_INT(pg->rotation, 90);
		pg->rotation = FOLIO_ROTATION_UNKNOWN;
		T_EQ_INT(folio_ocr_page_lang(ocr, pg, "pol", &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, 180);
		T_OK(pg->text && strstr(pg->text, "Przedsiębiorstwo Handlowe"),
		     "OSD: text upright: %.60s", pg->text);
		folio_page_drop_image(pg);
	}
	pixDestroy(&top);
out:
	folio_doc_free(doc);
}

/* Skew within +-5 degrees is measured and straightened. */
static void test_skew(void)
{
	static const float angles[] = { 3.0f, -3.0f, 5.0f, -4.5f };
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("skewed", NULL, 0);
	PIX *top = fixture(SCANS "clean-spa-letter.png", 0.5);
	size_t i;

	if (!top)
		goto out;
	for (i = 0; i < sizeof(angles) / sizeof(angles[0]); i++) {
		/* pixRotate turns clockwise for a positive angle; deskew must
		 * turn it back: counter-clockwise, a negative correction */
		PIX *rot = pixRotate(top, angles[i] * (float)M_PI / 180.0f, L_ROTATE_AREA_MAP,
				     L_BRING_IN_WHITE, 0, 0);
		struct folio_page *pg = add_page(doc, rot, 300);

		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_OK(fabsf(pg->skew + angles[i]) < 0.5f, "skew %.1f: corrected %.2f",
		     (double)angles[i], (double)pg->skew);
		T_EQ_INT(pg->rotation, 0);
		folio_page_drop_image(pg);
	}
	pixDestroy(&top);
out:
	folio_doc_free(doc);
}

/* 600 dpi is read at 300, 150 dpi at 300, 300 stays; the file's DPI is
 * used, a nonsense one replaced by a guess from the width. */
static void test_resolution(void)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("dpi", NULL, 0);
	struct folio_page *pg;
	PIX *pix = pixRead(SCANS "dpi600-pol-letter.tif");
	int w;

	T_OK(pix != NULL, "600 dpi fixture");
	if (!pix)
		goto out;
	w = pixGetWidth(pix);
	pg = add_page(doc, pix, pixGetXRes(pix));
	T_EQ_INT(pg->dpi, 600);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pg->dpi, 300);
	T_EQ_INT(pixGetXRes((PIX *)pg->pix), 300);
	T_OK(abs(pg->width - w / 2) <= 2, "width %d, half of %d", pg->width, w);
	T_EQ_INT(pixGetDepth((PIX *)pg->pix), 8);
	folio_page_drop_image(pg);

	pg = add_page(doc, fixture(SCANS "dpi150-pol-letter.png", 0.3), 150);
	w = pg->width;
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pg->dpi, 300);
	T_EQ_INT(pg->width, 2 * w);
	folio_page_drop_image(pg);

	/* an A4 scan at 300 dpi that claims 72 */
	pg = add_page(doc, fixture(SCANS "clean-ita-letter.png", 1), 72);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pg->dpi, 300);
	T_EQ_INT(pg->width, 2481);
	folio_page_drop_image(pg);
out:
	folio_doc_free(doc);
}

/* Dark scanner borders are painted white; the text stays. */
static void test_border(void)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("border", NULL, 0);
	struct folio_page *pg = add_page(doc, fixture(SCANS "clean-pol-invoice.png", 1), 300);
	l_uint32 v = 0;
	l_int32 clean = 0, dark_after = 0;
	PIX *bin;

	/* the same page without a border: its ink */
	bin = pixThresholdToBinary((PIX *)pg->pix, 128);
	pixCountPixels(bin, &clean, NULL);
	pixDestroy(&bin);
	folio_page_drop_image(pg);
	pg = add_page(doc, fixture(SCANS "border-pol-invoice.png", 1), 300);
	pixGetPixel((PIX *)pg->pix, 3, 3, &v);
	T_OK(v < 60, "fixture has a dark corner (%u)", v);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	pixGetPixel((PIX *)pg->pix, 3, 3, &v);
	T_OK(v > 200, "corner white after prepare (%u)", v);
	pixGetPixel((PIX *)pg->pix, pg->width - 3, pg->height / 2, &v);
	T_OK(v > 200, "right edge white after prepare (%u)", v);
	bin = pixThresholdToBinary((PIX *)pg->pix, 128);
	pixCountPixels(bin, &dark_after, NULL);
	pixDestroy(&bin);
	/* the text's ink is all that is left */
	T_OK(dark_after > clean * 0.9 && dark_after < clean * 1.1, "ink %d, clean page's %d",
	     dark_after, clean);
	T_EQ_INT(pg->blank, 0);
	folio_doc_free(doc);
}

/*
 * A phone photo of a sheet: the top of the clean scan as grey paper lit
 * from one side (200 down to 110 grey), lying on a dark, grainy table
 * that fills the frame around it, at a camera's 72 dpi. Preparation cuts
 * the paper out (the table gone, the image not much wider than the
 * sheet), evens its light (the dim side's paper white too) and leaves
 * the words readable.
 */
static void test_photo(struct folio_ocr *ocr)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("photo", NULL, 0);
	PIX *top = fixture(SCANS "clean-pol-invoice.png", 0.35), *canvas;
	struct folio_page *pg;
	int x, y, w, h, cw, ch, ox, oy;
	unsigned seed = 7;
	l_uint32 v = 0;

	if (!top)
		goto out;
	w = pixGetWidth(top);
	h = pixGetHeight(top);
	cw = w * 3 / 2;
	ch = h * 2;
	ox = w / 5;
	oy = h / 3;
	canvas = pixCreate(cw, ch, 8);
	for (y = 0; y < ch; y++)
		for (x = 0; x < cw; x++) {
			seed = seed * 1103515245u + 12345u;
			pixSetPixel(canvas, x, y, 40 + (seed >> 16) % 40);
		}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			l_uint32 p = 0;

			pixGetPixel(top, x, y, &p);
			/* the light: 200 at the left edge, 110 at the right */
			pixSetPixel(canvas, ox + x, oy + y, p * (200 - 90 * x / w) / 255);
		}
	pixDestroy(&top);
	pg = add_page(doc, canvas, 72);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pg->blank, 0);
	T_OK(pixGetWidth((PIX *)pg->pix) * 300 / pg->dpi < w * 11 / 10,
	     "cut to the sheet: %d px at %d dpi (sheet %d px at 300)", pixGetWidth((PIX *)pg->pix),
	     pg->dpi, w);
	/* the dim side's paper (right, between the header's lines) evened */
	pixGetPixel((PIX *)pg->pix, pg->width * 19 / 20, pg->height / 2, &v);
	T_OK(v > 200, "dim side's paper white after prepare (%u)", v);
	T_EQ_INT(folio_ocr_page_lang(ocr, pg, "pol", &err), FOLIO_OK);
	T_OK(has_word(pg, "Sprzedawca:") || has_word(pg, "Sprzedawca"), "photo read: %.80s",
	     pg->text ? pg->text : "");
out:
	folio_doc_free(doc);
}

/*
 * The share of a page's letters no recognised word covers: none of a
 * page read whole; about half when the reading of its lower half is
 * taken away (what Tesseract's layout did to a shaded receipt scan,
 * which is then read again); -1 for a page too small to judge.
 */
static void test_unread(struct folio_ocr *ocr)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("unread", NULL, 0);
	struct folio_page *pg = add_page(doc, fixture(SCANS "clean-pol-invoice.png", 0.35), 300);
	size_t i, k = 0;
	double u;

	if (!pg->pix)
		goto out;
	T_EQ_INT(folio_ocr_page_lang(ocr, pg, "pol", &err), FOLIO_OK);
	u = folio_ocr_unread_share(pg);
	T_OK(u >= 0 && u < 0.1, "a page read whole leaves nothing out: %.3f", u);
	for (i = 0; i < pg->nwords; i++) {
		if (pg->words[i].y > pg->height / 2)
			free(pg->words[i].text);
		else
			pg->words[k++] = pg->words[i];
	}
	pg->nwords = k;
	u = folio_ocr_unread_share(pg);
	T_OK(u > 0.3 && u < 0.8, "its lower half's words taken away: %.3f unread", u);
	folio_doc_free(doc);
	doc = folio_doc_new("unread", NULL, 0);
	pg = add_page(doc, pixCreate(400, 300, 8), 300);
	pixSetAll((PIX *)pg->pix);
	T_OK(folio_ocr_unread_share(pg) < 0, "a white page: too little to judge");
out:
	folio_doc_free(doc);
}

/*
 * A back page with two lines: too little for Leptonica's orientation test
 * alone, so a first page decides. Turned like the prior it is turned back
 * without OSD; a prior its own weak signal contradicts is not followed.
 */
static void test_orientation_prior(struct folio_ocr *ocr)
{
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("back", NULL, 0);
	struct folio_ocr_doc *od = folio_ocr_doc_new();
	PIX *full = fixture(SCANS "clean-pol-invoice.png", 1), *back = NULL, *strip = NULL;
	BOX *box = NULL;
	int q, w, h;

	T_OK(od != NULL, "document state");
	if (!full || !od)
		goto out;
	w = pixGetWidth(full);
	h = pixGetHeight(full);
	/* rows 46-50% of the invoice (two lines of notes) on a white sheet:
	 * Leptonica's confidences along the lines 2.8-3.8, turned either way */
	box = boxCreate(0, h * 46 / 100, w, h * 4 / 100);
	strip = pixClipRectangle(full, box, NULL);
	back = pixCreate(w, h, 8);
	T_OK(strip && back, "back page made");
	if (!strip || !back)
		goto out;
	pixSetAll(back);
	pixRasterop(back, 0, h / 10, w, pixGetHeight(strip), PIX_SRC, strip, 0, 0);
	T_EQ_INT(folio_ocr_doc_rotation(od), FOLIO_ROTATION_UNKNOWN);
	T_EQ_INT(folio_ocr_doc_rotation(NULL), FOLIO_ROTATION_UNKNOWN);
	for (q = 1; q <= 3; q++) {
		int need = (4 - q) * 90, other = (need + 180) % 360;
		struct folio_page *pg;

		/* alone, the weak signal is not trusted */
		pg = add_page(doc, pixRotateOrth(back, q), 300);
		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, FOLIO_ROTATION_UNKNOWN);
		folio_page_drop_image(pg);
		/* the opposite prior is contradicted by the page itself */
		pg = add_page(doc, pixRotateOrth(back, q), 300);
		T_EQ_INT(folio_prepare_page_prior(pg, other, &err), FOLIO_OK);
		T_OK(pg->rotation != other, "turned %d: prior %d not followed", q * 90, other);
		folio_page_drop_image(pg);
		/* the document's first page, clearly turned the same way */
		pg = add_page(doc, pixRotateOrth(full, q), 300);
		T_EQ_INT(folio_prepare_page_prior(pg, folio_ocr_doc_rotation(od), &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, need);
		T_EQ_INT(folio_ocr_page_in(ocr, pg, "pol", od, &err), FOLIO_OK);
		T_EQ_INT(folio_ocr_doc_rotation(od), need);
		folio_page_drop_image(pg);
		/* then its back: turned by the prior, read upright */
		pg = add_page(doc, pixRotateOrth(back, q), 300);
		T_EQ_INT(folio_prepare_page_prior(pg, folio_ocr_doc_rotation(od), &err), FOLIO_OK);
		T_EQ_INT(pg->rotation, need);
		T_EQ_INT(folio_ocr_page_in(ocr, pg, "pol", od, &err), FOLIO_OK);
		T_OK(pg->text && strstr(pg->text, "Osoba upoważniona"),
		     "turned %d: back read: %.60s", q * 90, pg->text);
		folio_page_drop_image(pg);
	}
out:
	boxDestroy(&box);
	pixDestroy(&strip);
	pixDestroy(&back);
	pixDestroy(&full);
	folio_ocr_doc_free(od);
	folio_doc_free(doc);
}

/* folio's 3x3 median gives Leptonica's pixels, edges included. */
static void test_median(void)
{
	static const char *const files[] = { SCANS "noise-pol-letter.jpg",
					     SCANS "scanner-ita-letter.jpg" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		PIX *grey = fixture(files[i], 0.2), *odd = NULL, *ours = NULL, *lept = NULL;
		BOX *box = boxCreate(3, 5, 301, 97); /* odd sizes, off the word grid */
		l_int32 same = 0;

		odd = grey ? pixClipRectangle(grey, box, NULL) : NULL;
		T_OK(odd != NULL, "%s cut", files[i]);
		if (odd) {
			ours = folio_prepare_median3(odd);
			lept = pixRankFilterGray(odd, 3, 3, 0.5f);
			T_OK(ours && lept && !pixEqual(ours, lept, &same) && same,
			     "%s: median as Leptonica's", files[i]);
			pixDestroy(&ours);
			pixDestroy(&lept);
			ours = folio_prepare_median3(grey);
			lept = pixRankFilterGray(grey, 3, 3, 0.5f);
			same = 0;
			T_OK(ours && lept && !pixEqual(ours, lept, &same) && same,
			     "%s: median of the whole strip as Leptonica's", files[i]);
		}
		pixDestroy(&ours);
		pixDestroy(&lept);
		pixDestroy(&odd);
		pixDestroy(&grey);
		boxDestroy(&box);
	}
}

/* Blank backs with speckle and bleed-through are blank and not read; a
 * page with one short line is content. */
static void test_blank(struct folio_ocr *ocr)
{
	static const char *const blanks[] = { "blank-speckle.png", "blank-bleed.png",
					      "blank-bleed-speckle.png", "blank-border.png",
					      "blank-grey.jpg" };
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("blank", NULL, 0);
	struct folio_page *pg;
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		snprintf(path, sizeof(path), SCANS "%s", blanks[i]);
		pg = add_page(doc, fixture(path, 1), 300);
		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_OK(pg->blank == 1, "%s is blank", blanks[i]);
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_INT(pg->nwords, 0);
		T_EQ_STR(pg->text, "");
		T_EQ_STR(folio_ocr_last_languages(ocr), ""); /* no engine ran */
		T_EQ_INT(pg->source, FOLIO_SRC_OCR);
		folio_page_drop_image(pg);
	}
	pg = add_page(doc, fixture(SCANS "nearblank-pol.png", 1), 300);
	T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
	T_EQ_INT(pg->blank, 0);
	T_EQ_INT(folio_ocr_page_lang(ocr, pg, "pol", &err), FOLIO_OK);
	T_OK(has_word(pg, "Uwagi:") || has_word(pg, "Uwagi"), "short line read: %s", pg->text);
	folio_page_drop_image(pg);
	folio_doc_free(doc);
}

/* Per page, the language is picked without configuration. */
static void test_languages(struct folio_ocr *ocr)
{
	/* clang-format off */
	static const struct {
		const char *file, *lang, *word;
	} pages[] = {
		{ SCANS "clean-por-invoice.png", "por", "Construções" },
		{ SCANS "clean-pol-letter.png", "pol", "nawiązaniu" },
		{ SCANS "clean-spa-letter.png", "spa", "señor" },
		{ SCANS "clean-ita-letter.png", "ita", "documentazione" },
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("langs", NULL, 0);
	size_t i;

	T_EQ_STR(folio_ocr_guess_language(ocr, "Data de emissão: fatura n.º 12, valor a pagar "
					       "por transferência bancária, obrigado"),
		 "por");
	T_EQ_STR(folio_ocr_guess_language(ocr, "Faktura VAT, data wystawienia, sprzedawca i "
					       "nabywca, razem do zapłaty"),
		 "pol");
	T_OK(folio_ocr_guess_language(ocr, "12 34,50 EUR 2024") == NULL, "numbers: unsure");
	/* installed languages outside the configured set have profiles too */
	T_EQ_STR(folio_ocr_guess_language(ocr, "Rechnung Nr. 17, der Betrag ist zahlbar "
					       "innerhalb von 14 Tagen"),
		 "deu");
	/* letters inside codes are no words ("e", "a" would vote) */
	T_OK(folio_ocr_guess_language(ocr, "66465935-48e0-b7d9-ea88-d9d7ff4c6023 "
					   "8647a6b5-f12a-3817-869e-010e4353686a 2a 3e") == NULL,
	     "codes: unsure");
	T_OK(folio_ocr_guess_language(ocr, "") == NULL, "nothing: unsure");
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct folio_page *pg = add_page(doc, fixture(pages[i].file, 0.45), 300);

		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		T_EQ_INT(folio_ocr_page(ocr, pg, &err), FOLIO_OK);
		T_EQ_STR(folio_ocr_last_languages(ocr), pages[i].lang);
		T_OK(pg->text && strstr(pg->text, pages[i].word), "%s: '%s' read", pages[i].lang,
		     pages[i].word);
		if (i == 0) {
			/* an override naming a pack that is not installed */
			T_EQ_INT(folio_ocr_page_lang(ocr, pg, "por+xyz", &err), FOLIO_FATAL);
			T_CONTAINS(err.msg, "tesseract-ocr-xyz");
		}
		folio_page_drop_image(pg);
	}
	folio_doc_free(doc);
}

/* A German page is read with deu, installed but not configured; the
 * pages of one document share its language, and a page that is in
 * another is still read in its own. */
static void test_document_languages(struct folio_ocr *ocr)
{
	/* clang-format off */
	static const struct {
		const char *file, *lang, *word;
	} pages[] = {
		{ "tests/fixtures/invoices/de-02-invoice-scan.jpg", "deu", "Rechnung" },
		{ SCANS "clean-pol-letter.png", "pol", "nawiązaniu" },
		{ SCANS "clean-pol-invoice.png", "pol", "Faktura" },
		{ SCANS "clean-ita-letter.png", "ita", "documentazione" },
	};
	/* clang-format on */
	struct folio_err err = { 0 };
	struct folio_doc *doc = folio_doc_new("doc", NULL, 0);
	struct folio_ocr_doc *od = folio_ocr_doc_new();
	size_t i;

	T_OK(od != NULL, "document state");
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct folio_page *pg = add_page(doc, fixture(pages[i].file, i ? 0.45 : 1.0), 300);

		T_EQ_INT(folio_prepare_page(pg, &err), FOLIO_OK);
		/* the first page alone, the others as one document */
		T_EQ_INT(folio_ocr_page_in(ocr, pg, NULL, i ? od : NULL, &err), FOLIO_OK);
		T_EQ_STR(folio_ocr_last_languages(ocr), pages[i].lang);
		T_OK(pg->text && strstr(pg->text, pages[i].word), "%s: '%s' read", pages[i].lang,
		     pages[i].word);
		folio_page_drop_image(pg);
	}
	folio_ocr_doc_free(od);
	folio_ocr_doc_free(NULL);
	folio_doc_free(doc);
}

int main(void)
{
	struct folio_config cfg;
	struct folio_err err = { 0 };
	struct folio_ocr *ocr;

	if (!getenv("OMP_THREAD_LIMIT"))
		setenv("OMP_THREAD_LIMIT", "1", 1); /* too late for speed, fine for a test */
	folio_config_defaults(&cfg, &err);
	folio_prepare_global_init();
	cfg.models_dir = strdup("models"); /* tests run from the source root */

	test_form(&cfg);
	test_skew();
	test_resolution();
	test_border();
	test_median();

	cfg.languages = (free(cfg.languages), strdup(FOLIO_DEFAULT_LANGUAGES));
	ocr = folio_ocr_new(&cfg, &err);
	T_OK(ocr != NULL, "engine: %s", err.msg);
	if (ocr) {
		test_orientation(ocr);
		test_orientation_prior(ocr);
		test_blank(ocr);
		test_photo(ocr);
		test_unread(ocr);
		test_languages(ocr);
		test_document_languages(ocr);
		folio_ocr_free(ocr);
	}

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
