/* Unit tests: barcodes on page images (zbar). The symbols are made here
 * with qrencode and zint and pasted onto a white 300 dpi A4 page. */
#include <dirent.h>
#include <limits.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "folio/barcode.h"
#include "folio/config.h"
#include "folio/decode.h"
#include "folio/detect.h"
#include "folio/util.h"
#include "t.h"

#define PAGE_W 2480
#define PAGE_H 3508

static char dir[] = "/tmp/folio-barcode-XXXXXX";

static const char *POLISH = "Zażółć gęślą jaźń — Łódź, ul. Piotrkowska 1";
static const char *ATCUD = "A:123456789*B:999999990*C:PT*D:FT*E:N*F:20191231*"
			   "G:FT AB2019/0035*H:CSDF7T5H-0035*I1:PT*I7:80000.00*"
			   "I8:18400.00*N:18400.00*O:98400.00*Q:kLp0*R:9999";

/* Run `prog -o dir/name flag'arg'`; returns the image (8 bpp) or NULL. */
static PIX *make(const char *name, const char *prog, const char *flag, const char *arg)
{
	char path[256], cmd[1024], quoted[512];
	size_t i, j = 0;
	PIX *pix, *grey;

	/* single-quote the payload for the shell */
	quoted[j++] = '\'';
	for (i = 0; arg[i] && j < sizeof(quoted) - 6; i++) {
		if (arg[i] == '\'') {
			memcpy(quoted + j, "'\\''", 4);
			j += 4;
		} else {
			quoted[j++] = arg[i];
		}
	}
	quoted[j++] = '\'';
	quoted[j] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "%s -o %s %s%s", prog, path, flag, quoted);
	if (system(cmd) != 0) {
		T_OK(0, "'%s' failed", cmd);
		return NULL;
	}
	pix = pixRead(path);
	T_OK(pix != NULL, "cannot read %s", path);
	if (!pix)
		return NULL;
	grey = pixConvertTo8(pix, 0);
	pixDestroy(&pix);
	return grey;
}

static PIX *white_page(void)
{
	PIX *pg = pixCreate(PAGE_W, PAGE_H, 8);

	pixSetAll(pg);
	pixSetResolution(pg, 300, 300);
	return pg;
}

static void paste(PIX *page, PIX *sym, int x, int y)
{
	pixRasterop(page, x, y, pixGetWidth(sym), pixGetHeight(sym), PIX_SRC, sym, 0, 0);
}

/* Scan `pix` (ownership taken) as page 1; the caller frees the doc. */
static struct folio_doc *scan(struct folio_barcode_scanner *s, PIX *pix, int *status)
{
	struct folio_doc *d = folio_doc_new("mem", NULL, 0);
	struct folio_page *pg = folio_doc_add_page(d);
	struct folio_err err = { 0 };

	pg->pix = (struct Pix *)pix;
	pg->width = pixGetWidth(pix);
	pg->height = pixGetHeight(pix);
	pg->dpi = 300;
	*status = s ? folio_barcode_scan_page(s, pg, &err) : folio_barcode_scan(pg, &err);
	if (*status != FOLIO_OK)
		fprintf(stderr, "scan: %s\n", err.msg);
	return d;
}

static const struct folio_code *code(const struct folio_page *pg, const char *type,
				     const char *data)
{
	size_t i;

	for (i = 0; i < pg->ncodes; i++)
		if (!strcmp(pg->codes[i].type, type) && !strcmp(pg->codes[i].data, data))
			return &pg->codes[i];
	return NULL;
}

/* The box lies within `slack` pixels of the expected rectangle and covers
 * at least part of it. */
static void box_near(const struct folio_code *c, int x, int y, int w, int h, int slack,
		     const char *what)
{
	if (!c) {
		T_OK(0, "%s not found", what);
		return;
	}
	T_OK(c->x >= x - slack && c->y >= y - slack && c->x + c->w <= x + w + slack &&
		     c->y + c->h <= y + h + slack && c->w > 0 && c->h > 0,
	     "%s box %d,%d %dx%d not within %d,%d %dx%d", what, c->x, c->y, c->w, c->h, x, y, w, h);
}

static void dump(const struct folio_page *pg)
{
	size_t i;

	for (i = 0; i < pg->ncodes; i++)
		fprintf(stderr, "  %s '%s' at %d,%d %dx%d\n", pg->codes[i].type, pg->codes[i].data,
			pg->codes[i].x, pg->codes[i].y, pg->codes[i].w, pg->codes[i].h);
}

/* Text-like clutter (NULL: free the fonts): lines of bitmap-font text in several sizes, table
 * rules, digit runs and rows of thin bars like a hatched area. */
static void clutter(PIX *page, unsigned seed)
{
	/* clang-format off */
	static const char *lines[] = {
		"FAKTURA VAT NR FV/2024/03/0117  Data wystawienia 15.03.2024",
		"Sprzedawca: ACME Sp. z o.o., NIP 526-000-12-46, 00-950 Warszawa",
		"1 | Usluga konsultingowa IIII lllll 1111 | 12,00 | 23% | 1 476,00",
		"||| |||| || ||||| | ||| || |||| ||| | || ||||| ||| ||||| ||",
		"5901234123457 4006381333931 0123456789012 9780201379624 ",
		"ILLIIlIlIIllIIlI1I1lI1l1 ||||||||| IIIIIIIII  11111111111",
		"Razem do zaplaty: 1 476,00 PLN  slownie: tysiac czterysta",
	};
	/* clang-format on */
	static const int sizes[] = { 6, 8, 10, 14, 20 };
	static L_BMF *fonts[5];
	int y = 400, i = 0;

	if (!page) {
		for (i = 0; i < 5; i++)
			bmfDestroy(&fonts[i]);
		return;
	}
	srand(seed);
	while (y < PAGE_H - 200) {
		int k = rand() % 5, ov = 0;
		L_BMF *bmf = fonts[k] ? fonts[k] : (fonts[k] = bmfCreate(NULL, sizes[k]));

		if (!bmf)
			return;
		pixSetTextblock(page, bmf, lines[i % 7], 0x00000000, 100 + rand() % 200, y, 2200, 0,
				&ov);
		y += bmf->lineheight * 2 + 8;
		if (i % 5 == 4) {
			pixRasterop(page, 100, y, 2280, 2, PIX_CLR, NULL, 0, 0);
			y += 20;
		}
		if (i % 9 == 8) {
			int x;

			for (x = 200; x < 2200; x += 3 + rand() % 9)
				pixRasterop(page, x, y, 1 + rand() % 4, 60, PIX_CLR, NULL, 0, 0);
			y += 90;
		}
		i++;
	}
}

struct symbols {
	PIX *qr_pl, *qr_pt, *c128, *c39, *ean;
};

static int make_symbols(struct symbols *sy)
{
	sy->qr_pl = make("pl.png", "qrencode -s 6", "", POLISH);
	sy->qr_pt = make("pt.png", "qrencode -s 6", "", ATCUD);
	sy->c128 = make("c128.png", "zint --scale=1.5 -b 20", "-d ", "ASN00123");
	sy->c39 = make("c39.png", "zint --scale=1.5 -b 8", "-d ", "INV-2024-77");
	sy->ean = make("ean.png", "zint --scale=1.5 -b 13", "-d ", "590123412345");
	return sy->qr_pl && sy->qr_pt && sy->c128 && sy->c39 && sy->ean;
}

static void free_symbols(struct symbols *sy)
{
	pixDestroy(&sy->qr_pl);
	pixDestroy(&sy->qr_pt);
	pixDestroy(&sy->c128);
	pixDestroy(&sy->c39);
	pixDestroy(&sy->ean);
}

/* Positions of the pasted symbols on the reference page. */
#define PL_X 200
#define PL_Y 150
#define PT_X 1900
#define PT_Y 150
#define C128_X 250
#define C128_Y 3150
#define C39_X 900
#define C39_Y 3150
#define EAN_X 1700
#define EAN_Y 3150

static PIX *reference_page(const struct symbols *sy, int with_clutter)
{
	PIX *pg = white_page();

	if (with_clutter)
		clutter(pg, 7);
	paste(pg, sy->qr_pl, PL_X, PL_Y);
	paste(pg, sy->qr_pt, PT_X, PT_Y);
	paste(pg, sy->c128, C128_X, C128_Y);
	paste(pg, sy->c39, C39_X, C39_Y);
	paste(pg, sy->ean, EAN_X, EAN_Y);
	return pg;
}

static void expect_all(const struct folio_page *pg, const struct symbols *sy, const char *what)
{
	const struct folio_code *c;

	T_EQ_INT(pg->ncodes, 5);
	if (pg->ncodes != 5) {
		fprintf(stderr, "%s:\n", what);
		dump(pg);
	}
	c = code(pg, "QR-Code", POLISH);
	box_near(c, PL_X, PL_Y, pixGetWidth(sy->qr_pl), pixGetHeight(sy->qr_pl), 8, "polish qr");
	c = code(pg, "QR-Code", ATCUD);
	box_near(c, PT_X, PT_Y, pixGetWidth(sy->qr_pt), pixGetHeight(sy->qr_pt), 8, "atcud qr");
	c = code(pg, "CODE-128", "ASN00123");
	box_near(c, C128_X, C128_Y, pixGetWidth(sy->c128), pixGetHeight(sy->c128), 8, "code 128");
	c = code(pg, "CODE-39", "INV-2024-77");
	box_near(c, C39_X, C39_Y, pixGetWidth(sy->c39), pixGetHeight(sy->c39), 8, "code 39");
	c = code(pg, "EAN-13", "5901234123457");
	box_near(c, EAN_X, EAN_Y, pixGetWidth(sy->ean), pixGetHeight(sy->ean), 8, "ean-13");
}

static void test_page(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	struct folio_doc *d;
	int st;

	/* clean page */
	d = scan(s, reference_page(sy, 0), &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "clean");
	folio_doc_free(d);

	/* the same among text, rules and hatching */
	d = scan(s, reference_page(sy, 1), &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "clutter");
	folio_doc_free(d);

	/* the one-off entry point gives the same */
	d = scan(NULL, reference_page(sy, 1), &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "one-off");
	folio_doc_free(d);
}

/* Clutter alone: nothing, above all no EAN-2/5 or short Code 39 hits;
 * nor on blank paper with grey noise. */
static void test_no_false_hits(struct folio_barcode_scanner *s)
{
	unsigned seed;
	PIX *blank = white_page(), *noisy = pixAddGaussianNoise(blank, 12.0f);
	struct folio_doc *d;
	int st;

	d = scan(s, noisy, &st);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 0);
	folio_doc_free(d);
	pixDestroy(&blank);

	for (seed = 1; seed <= 4; seed++) {
		PIX *pg = white_page();

		clutter(pg, seed);
		noisy = pixAddGaussianNoise(pg, 20.0f);
		pixDestroy(&pg);
		d = scan(s, noisy, &st);
		T_EQ_INT(st, FOLIO_OK);
		T_EQ_INT(d->pages[0].ncodes, 0);
		dump(&d->pages[0]);
		folio_doc_free(d);
	}
}

static void test_rotated(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *pg = reference_page(sy, 1), *rot = pixRotateOrth(pg, 1);
	struct folio_doc *d;
	const struct folio_code *c;
	int st;

	pixDestroy(&pg);
	/* clockwise: (x, y) -> (H - 1 - y, x) */
	d = scan(s, rot, &st);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 5);
	c = code(&d->pages[0], "QR-Code", POLISH);
	box_near(c, PAGE_H - PL_Y - pixGetHeight(sy->qr_pl), PL_X, pixGetHeight(sy->qr_pl),
		 pixGetWidth(sy->qr_pl), 8, "rotated polish qr");
	c = code(&d->pages[0], "CODE-128", "ASN00123");
	box_near(c, PAGE_H - C128_Y - pixGetHeight(sy->c128), C128_X, pixGetHeight(sy->c128),
		 pixGetWidth(sy->c128), 8, "rotated code 128");
	T_OK(code(&d->pages[0], "CODE-39", "INV-2024-77") != NULL, "rotated code 39");
	T_OK(code(&d->pages[0], "EAN-13", "5901234123457") != NULL, "rotated ean-13");
	T_OK(code(&d->pages[0], "QR-Code", ATCUD) != NULL, "rotated atcud");
	folio_doc_free(d);
}

/* A scanned look: blurred (3x3 mean), grey noise, a little skew. */
static void test_degraded(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *pg = reference_page(sy, 1), *blur, *noisy, *skew;
	struct folio_doc *d;
	int st;

	blur = pixBlockconv(pg, 1, 1);
	noisy = pixAddGaussianNoise(blur, 18.0f);
	d = scan(s, noisy, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "blurred and noisy");
	folio_doc_free(d);

	skew = pixRotate(blur, 0.02f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
	d = scan(s, skew, &st);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 5);
	T_OK(code(&d->pages[0], "QR-Code", POLISH) != NULL, "skewed polish qr");
	T_OK(code(&d->pages[0], "CODE-128", "ASN00123") != NULL, "skewed code 128");
	folio_doc_free(d);
	pixDestroy(&blur);
	pixDestroy(&pg);
}

/* A dark, flat scan (ink 60, paper 121: below any fixed mid-grey
 * threshold) and light falling off across the page to 45 %. */
static void test_lighting(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *pg = reference_page(sy, 1), *dark = pixCopy(NULL, pg), *ramp = pixCopy(NULL, pg);
	l_int32 x, y, wpl = pixGetWpl(ramp);
	l_uint32 *data = pixGetData(ramp);
	struct folio_doc *d;
	int st;

	pixMultConstantGray(dark, 0.24f);
	pixAddConstantGray(dark, 60);
	d = scan(s, dark, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "dark");
	folio_doc_free(d);

	for (y = 0; y < PAGE_H; y++) {
		l_uint32 *line = data + (size_t)y * (size_t)wpl;

		for (x = 0; x < PAGE_W; x++) {
			int v = (int)GET_DATA_BYTE(line, x);

			SET_DATA_BYTE(line, x, (v * (100 - 55 * x / PAGE_W)) / 100);
		}
	}
	d = scan(s, ramp, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "ramp");
	folio_doc_free(d);
	pixDestroy(&pg);
}

/* Other depths and formats: RGB, colormapped, 1 bpp, RGBA with the
 * symbols on a transparent background; page units other than pixels. */
static void test_depths(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *pg = reference_page(sy, 0), *v;
	struct folio_doc *d;
	const struct folio_code *c;
	int st;

	v = pixConvertTo32(pg);
	d = scan(s, v, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "rgb");
	folio_doc_free(d);

	v = pixConvertGrayToColormap8(pg, 2);
	T_OK(v && pixGetColormap(v), "colormapped");
	d = scan(s, v, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "colormap");
	folio_doc_free(d);

	v = pixConvertTo1(pg, 128);
	d = scan(s, v, &st);
	T_EQ_INT(st, FOLIO_OK);
	expect_all(&d->pages[0], sy, "1 bpp");
	folio_doc_free(d);

	/* RGBA: colour black everywhere, opaque only where the symbols are */
	{
		PIX *rgba = pixCreate(PAGE_W, PAGE_H, 32), *alpha = pixInvert(NULL, pg);

		pixSetRGBComponent(rgba, alpha, L_ALPHA_CHANNEL);
		pixSetSpp(rgba, 4);
		d = scan(s, rgba, &st);
		T_EQ_INT(st, FOLIO_OK);
		expect_all(&d->pages[0], sy, "rgba");
		folio_doc_free(d);
		pixDestroy(&alpha);
	}

	/* page units half the pixels (a 150 dpi page rendered at 300) */
	{
		struct folio_doc *dd = folio_doc_new("mem", NULL, 0);
		struct folio_page *p = folio_doc_add_page(dd);

		p->pix = (struct Pix *)pixClone(pg);
		p->width = PAGE_W / 2;
		p->height = PAGE_H / 2;
		T_EQ_INT(folio_barcode_scan_page(s, p, NULL), FOLIO_OK);
		c = code(p, "QR-Code", ATCUD);
		box_near(c, PT_X / 2, PT_Y / 2, pixGetWidth(sy->qr_pt) / 2,
			 pixGetHeight(sy->qr_pt) / 2, 4, "half-scale atcud");
		folio_doc_free(dd);
	}
	pixDestroy(&pg);
}

/* The same symbol twice on a page is stored once; a page without an
 * image is left alone. */
static void test_dedup(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *pg = white_page();
	struct folio_doc *d;
	int st;

	paste(pg, sy->qr_pt, 200, 200);
	paste(pg, sy->qr_pt, 1200, 2000);
	paste(pg, sy->c128, 200, 3000);
	paste(pg, sy->c128, 1200, 3000);
	d = scan(s, pg, &st);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 2);
	T_OK(code(&d->pages[0], "QR-Code", ATCUD) != NULL, "atcud once");
	T_OK(code(&d->pages[0], "CODE-128", "ASN00123") != NULL, "code 128 once");
	/* a second scan of the same page adds nothing new */
	T_EQ_INT(folio_barcode_scan_page(s, &d->pages[0], NULL), FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 2);
	folio_page_drop_image(&d->pages[0]);
	T_EQ_INT(folio_barcode_scan_page(s, &d->pages[0], NULL), FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 2);
	folio_doc_free(d);
	T_EQ_INT(folio_barcode_scan(&(struct folio_page){ .number = 1 }, NULL), FOLIO_OK);
}

/* Large QR codes (module 24 px, as a label printed big) and a tiny one
 * (module 2 px, 0.17 mm at 300 dpi). */
static void test_sizes(struct folio_barcode_scanner *s)
{
	PIX *big = make("big.png", "qrencode -s 24", "",
			"https://qr.ksef.mf.gov.pl/invoice/5265877635/26-08-2025/"
			"UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE");
	PIX *tiny = make("tiny.png", "qrencode -s 2", "", "ASN000042");
	PIX *pg = white_page();
	struct folio_doc *d;
	int st;

	if (!big || !tiny)
		goto out;
	paste(pg, big, 600, 800);
	paste(pg, tiny, 2000, 3200);
	d = scan(s, pixClone(pg), &st);
	T_EQ_INT(st, FOLIO_OK);
	T_EQ_INT(d->pages[0].ncodes, 2);
	box_near(code(&d->pages[0], "QR-Code", "ASN000042"), 2000, 3200, pixGetWidth(tiny),
		 pixGetHeight(tiny), 4, "tiny qr");
	T_OK(code(&d->pages[0], "QR-Code",
		  "https://qr.ksef.mf.gov.pl/invoice/5265877635/26-08-2025/"
		  "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE") != NULL,
	     "big qr");
	folio_doc_free(d);
out:
	pixDestroy(&pg);
	pixDestroy(&big);
	pixDestroy(&tiny);
}

static double cpu_now(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/* CPU time per 300 dpi A4 page (wall time means little on a shared
 * machine): printed, and bounded loosely so a regression to whole seconds
 * shows. */
static void test_speed(struct folio_barcode_scanner *s, const struct symbols *sy)
{
	PIX *full = reference_page(sy, 1), *empty = white_page();
	double t0, t_full, t_empty, t_new;
	int i, st, n = 3;

	clutter(empty, 3);
	t0 = cpu_now();
	for (i = 0; i < n; i++)
		folio_doc_free(scan(s, pixClone(full), &st));
	t_full = (cpu_now() - t0) / n;
	t0 = cpu_now();
	for (i = 0; i < n; i++)
		folio_doc_free(scan(s, pixClone(empty), &st));
	t_empty = (cpu_now() - t0) / n;
	t0 = cpu_now();
	for (i = 0; i < n; i++)
		folio_doc_free(scan(NULL, pixClone(empty), &st));
	t_new = (cpu_now() - t0) / n;
	printf("barcode scan, 2480x3508 grey, cpu: %.0f ms with 5 symbols, %.0f ms with none, "
	       "%.0f ms with a new scanner per page\n",
	       t_full * 1000, t_empty * 1000, t_new * 1000);
	if (!getenv("FOLIO_TEST_ASAN"))
		T_OK(t_full < 2.0 && t_empty < 2.0, "%.2f s, %.2f s per page", t_full, t_empty);
	pixDestroy(&full);
	pixDestroy(&empty);
}

static void rmdir_all(void)
{
	DIR *dd = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!dd)
		return;
	while ((e = readdir(dd))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(dd);
	rmdir(dir);
}

/* What a sample must give: its file, a 1-based page, type and payload
 * (payload NULL: no symbol anywhere in the file). */
/* clang-format off */
static const struct sample {
	const char *file;
	int page;
	const char *type, *data;
} samples[] = {
	{ "barcode-39-asn-123.pdf", 1, "CODE-39", "ASN00123" },
	{ "barcode-39-asn-invalid.pdf", 1, "CODE-39", "ASNXYZXYZ" },
	{ "barcode-39-asn-custom-prefix.pdf", 1, "CODE-39", "CUSTOM-PREFIX-00123" },
	{ "barcode-128-asn-too-large.pdf", 1, "CODE-128", "ASN4294967296" },
	{ "barcode-128-custom.pdf", 1, "CODE-128", "CUSTOM BARCODE" },
	{ "barcode-qr-custom.pdf", 1, "QR-Code", "CUSTOM BARCODE" },
	{ "barcode-qr-asn-000123-upscale-dpi.pdf", 1, "QR-Code", "ASN 000123" },
	{ "patch-code-t.pdf", 1, "CODE-39", "PATCHT" },
	{ "patch-code-t-qr.pdf", 1, "QR-Code", "PATCHT" },
	{ "patch-code-t-middle.pdf", 2, "CODE-39", "PATCHT" },
	{ "patch-code-t-middle.tiff", 2, "CODE-39", "PATCHT" },
	{ "patch-code-t-middle-fuzzy.pdf", 2, "CODE-39", "PATCHT" },
	{ "barcode-fax-image.pdf", 2, "CODE-39", "PATCHT" },
	{ "many-qr-codes.pdf", 2, "QR-Code", "ADAR-NEXTDOC" },
	{ "split-by-asn-1.pdf", 9, "CODE-39", "ASN00127" },
	{ "split-by-tag-multiple-per-page.pdf", 2, "QR-Code", "TAG:expense" },
	{ "split-by-tag-multiple-per-page.pdf", 2, "QR-Code", "TAG:invoice" },
	{ "patch-code-t-middle-unreadable.pdf", 0, NULL, NULL },
};
/* clang-format on */

/*
 * Optional: the scanned barcode samples of paperless-ngx in the shared
 * data folder, decoded the way the pipeline decodes them (PDF pages
 * rendered at the configured dpi). Prints what every page holds.
 */
static void test_samples(struct folio_barcode_scanner *s)
{
	const char *root = t_shared_data();
	struct folio_config cfg;
	struct folio_err err = { 0 };
	struct folio_detect *det = NULL;
	struct folio_decode_ctx *ctx = NULL;
	char dirpath[512];
	DIR *dd;
	struct dirent *e;
	size_t i, k, p, symbols = 0, pages = 0;

	if (!root) {
		printf("skip the shared barcode samples: FOLIO_SHARED_DATA is not set\n");
		return;
	}
	snprintf(dirpath, sizeof(dirpath), "%s/odd/documents/barcodes", root);
	if (!(dd = opendir(dirpath))) {
		printf("skip the shared barcode samples: no %s\n", dirpath);
		return;
	}
	folio_config_defaults(&cfg, &err);
	/* most of these PDFs carry a text layer (paperless OCRed them), and the
	 * decoder renders only pages without one: render them all here */
	cfg.min_text_chars = INT_MAX;
	T_EQ_INT(folio_decode_global_init(&cfg, &err), FOLIO_OK);
	det = folio_detect_new(&err);
	ctx = folio_decode_ctx_new(&cfg, &err);
	T_OK(det && ctx, "decoder: %s", err.msg);
	while (det && ctx && (e = readdir(dd))) {
		char path[1024];
		unsigned char *data;
		size_t size;
		struct folio_doc *d;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
		if (folio_read_file(path, 1 << 26, &data, &size, &err) != FOLIO_OK)
			continue;
		d = folio_doc_new(e->d_name, data, size);
		if (folio_detect_doc(det, d, &err) != FOLIO_OK ||
		    folio_decode(ctx, d, &err) < FOLIO_OK) {
			printf("  %s: not decoded: %s\n", e->d_name, err.msg);
			folio_doc_free(d);
			continue;
		}
		for (p = 0; p < d->npages; p++) {
			struct folio_page *pg = &d->pages[p];

			pages++;
			if (!pg->pix)
				printf("  %s p%zu: no image (text layer)\n", e->d_name, p + 1);
			T_EQ_INT(folio_barcode_scan_page(s, pg, &err), FOLIO_OK);
			for (k = 0; k < pg->ncodes; k++, symbols++)
				printf("  %s p%zu: %s '%s' at %d,%d %dx%d\n", e->d_name, p + 1,
				       pg->codes[k].type, pg->codes[k].data, pg->codes[k].x,
				       pg->codes[k].y, pg->codes[k].w, pg->codes[k].h);
		}
		for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
			const struct sample *x = &samples[i];
			int found = 0;

			if (strcmp(x->file, e->d_name))
				continue;
			if (!x->data) {
				for (p = 0; p < d->npages; p++)
					found += (int)d->pages[p].ncodes;
				T_OK(found == 0, "%s: %d symbols, expected none", x->file, found);
				continue;
			}
			T_OK((size_t)x->page <= d->npages &&
				     code(&d->pages[x->page - 1], x->type, x->data),
			     "%s page %d: no %s '%s'", x->file, x->page, x->type, x->data);
		}
		folio_doc_free(d);
	}
	closedir(dd);
	printf("shared barcode samples: %zu symbols on %zu pages\n", symbols, pages);
	folio_decode_ctx_free(ctx);
	folio_detect_free(det);
	folio_decode_global_release();
	folio_config_release(&cfg);
}

int main(void)
{
	struct folio_barcode_scanner *s;
	struct symbols sy = { 0 };

	setMsgSeverity(L_SEVERITY_NONE);
	if (system("command -v qrencode >/dev/null && command -v zint >/dev/null") != 0)
		T_SKIP("qrencode or zint missing (tests/deps.sh installs them)");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	s = folio_barcode_new(NULL);
	T_OK(s != NULL, "scanner");
	if (s && make_symbols(&sy)) {
		test_page(s, &sy);
		test_no_false_hits(s);
		test_rotated(s, &sy);
		test_degraded(s, &sy);
		test_lighting(s, &sy);
		test_depths(s, &sy);
		test_dedup(s, &sy);
		test_sizes(s);
		test_speed(s, &sy);
	}
	if (s)
		test_samples(s);
	free_symbols(&sy);
	clutter(NULL, 0);
	folio_barcode_free(s);
	rmdir_all();
	return t_done();
}
