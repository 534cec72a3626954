/* barcode.c - zbar over a page image; see include/folio/barcode.h. */
#include "folio/barcode.h"

#include <errno.h>
#include <limits.h>
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

struct folio_barcode_scanner {
	zbar_image_scanner_t *zs;
	unsigned char *buf; /* Y800 copy of the page, reused */
	size_t cap;
};

/* The symbologies folio reads; everything else stays off. */
/* clang-format off */
static const zbar_symbol_type_t enabled[] = {
	ZBAR_QRCODE, ZBAR_CODE128, ZBAR_CODE39, ZBAR_EAN13,
};
/* clang-format on */

/* A linear symbol decoded on a single scan line is most often text or a
 * table rule that happened to fit the pattern: a real bar code is crossed
 * by many lines. */
#define LINEAR_MIN_QUALITY 2

/* The shortest Code 39 / Code 128 payload kept: one or two characters is
 * what noise decodes to; labels and numbers are longer. */
#define LINEAR_MIN_LEN 3

/* Payloads beyond this are not invoice data (a QR holds at most ~3 KB). */
#define DATA_MAX 8192

struct folio_barcode_scanner *folio_barcode_new(struct folio_err *err)
{
	struct folio_barcode_scanner *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s || !(s->zs = zbar_image_scanner_create())) {
		free(s);
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
			      "cannot create a barcode scanner: out of memory");
		return NULL;
	}
	zbar_image_scanner_set_config(s->zs, 0, ZBAR_CFG_ENABLE, 0);
	for (i = 0; i < sizeof(enabled) / sizeof(enabled[0]); i++)
		zbar_image_scanner_set_config(s->zs, enabled[i], ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config(s->zs, ZBAR_CODE39, ZBAR_CFG_MIN_LEN, LINEAR_MIN_LEN);
	zbar_image_scanner_set_config(s->zs, ZBAR_CODE128, ZBAR_CFG_MIN_LEN, LINEAR_MIN_LEN);
	zbar_image_scanner_set_config(s->zs, 0, ZBAR_CFG_POSITION, 1);
	return s;
}

void folio_barcode_free(struct folio_barcode_scanner *s)
{
	if (!s)
		return;
	zbar_image_scanner_destroy(s->zs);
	free(s->buf);
	free(s);
}

/*
 * Black and white for zbar, which looks for edges on single scan lines of
 * raw pixels: on a grey scan, sensor noise breaks the bars of linear codes
 * into spurious edges (and slows zbar down five-fold). Measured on a
 * 300 dpi A4 page with five symbols under blur, grey noise and a lighting
 * gradient (16 variants) and on the 83 scanned pages of paperless-ngx's
 * barcode samples (41 symbols): grey found 57/80 and 39; Leptonica's
 * tiled Otsu 79/80 but only 32 (a tile of paper beside a bar code gets a
 * threshold in the paper's noise and thins or drops the bars); one global
 * threshold 40/40 on even light but 17/40 under the gradient; the tiles
 * below 78/80 and 41.
 *
 * Each tile of about 1 cm gets Otsu's threshold when its grey levels are
 * two clear classes (ink and paper): enough contrast between the 2nd and
 * 98th percentile and Otsu's separability (between-class over total
 * variance) well above the 0.64 a single bell of noise reaches. Other
 * tiles (blank paper, the inside of a large dark module) take their
 * neighbours' threshold; the map is interpolated between tiles so that a
 * symbol crossing tiles sees no seam.
 */
#define TILE 128	      /* pixels; 1.1 cm at 300 dpi */
#define MIN_CONTRAST 40	      /* grey levels between the 2nd and 98th percentile */
#define MIN_SEPARABILITY 0.75 /* Otsu's eta; a Gaussian alone gives 2/pi */

/* Otsu's threshold of one tile (every other pixel of every other row), or
 * -1 when the tile is not ink on paper. */
static int tile_threshold(const l_uint32 *data, l_int32 wpl, l_int32 x0, l_int32 y0, l_int32 x1,
			  l_int32 y1)
{
	unsigned hist[256] = { 0 };
	double sum = 0, sumsq = 0, wb = 0, sb = 0, best = -1, var, tot, acc = 0;
	int i, lo = -1, hi = -1, t = -1;
	l_int32 x, y;

	for (y = y0; y < y1; y += 2) {
		const l_uint32 *line = data + (size_t)y * (size_t)wpl;

		for (x = x0; x < x1; x += 2)
			hist[GET_DATA_BYTE(line, x)]++;
	}
	tot = (double)((x1 - x0 + 1) / 2) * (double)((y1 - y0 + 1) / 2);
	if (tot < 16)
		return -1;
	for (i = 0; i < 256; i++) {
		sum += (double)i * hist[i];
		sumsq += (double)i * i * hist[i];
		acc += hist[i];
		if (lo < 0 && acc >= tot * 0.02)
			lo = i;
		if (hi < 0 && acc >= tot * 0.98)
			hi = i;
	}
	var = sumsq / tot - (sum / tot) * (sum / tot);
	if (hi - lo < MIN_CONTRAST || var <= 0)
		return -1;
	for (i = 0; i < 255; i++) {
		double wf, mb, mf, bv;

		wb += hist[i];
		sb += (double)i * hist[i];
		wf = tot - wb;
		if (wb == 0 || wf == 0)
			continue;
		mb = sb / wb;
		mf = (sum - sb) / wf;
		bv = wb * wf * (mb - mf) * (mb - mf) / (tot * tot);
		if (bv > best) {
			best = bv;
			t = i + 1;
		}
	}
	return best / var >= MIN_SEPARABILITY ? t : -1;
}

/* The tile thresholds as a small 8 bpp map, holes filled from their
 * neighbours; NULL with *blank set when no tile holds ink on paper. */
static PIX *threshold_map(PIX *grey, int *blank)
{
	l_int32 w = pixGetWidth(grey), h = pixGetHeight(grey), wpl = pixGetWpl(grey);
	const l_uint32 *data = pixGetData(grey);
	int nx = (w + TILE - 1) / TILE, ny = (h + TILE - 1) / TILE, tx, ty, any = 0, holes;
	int *th = malloc(sizeof(*th) * (size_t)nx * (size_t)ny * 2), *nt;
	PIX *map = NULL;

	*blank = 0;
	if (!th)
		return NULL;
	nt = th + (size_t)nx * (size_t)ny;
	for (ty = 0; ty < ny; ty++)
		for (tx = 0; tx < nx; tx++) {
			int t = tile_threshold(data, wpl, tx * TILE, ty * TILE,
					       tx * TILE + TILE < w ? tx * TILE + TILE : w,
					       ty * TILE + TILE < h ? ty * TILE + TILE : h);

			th[ty * nx + tx] = t;
			any |= t >= 0;
		}
	if (!any) {
		*blank = 1;
		goto out;
	}
	/* each pass fills the holes next to a known tile with their mean */
	do {
		holes = 0;
		memcpy(nt, th, sizeof(*th) * (size_t)nx * (size_t)ny);
		for (ty = 0; ty < ny; ty++)
			for (tx = 0; tx < nx; tx++) {
				int s = 0, c = 0, dx, dy;

				if (th[ty * nx + tx] >= 0)
					continue;
				for (dy = -1; dy <= 1; dy++)
					for (dx = -1; dx <= 1; dx++) {
						int X = tx + dx, Y = ty + dy;

						if (X >= 0 && Y >= 0 && X < nx && Y < ny &&
						    th[Y * nx + X] >= 0) {
							s += th[Y * nx + X];
							c++;
						}
					}
				if (c)
					nt[ty * nx + tx] = s / c;
				else
					holes++;
			}
		memcpy(th, nt, sizeof(*th) * (size_t)nx * (size_t)ny);
	} while (holes);
	map = pixCreate(nx, ny, 8);
	if (map)
		for (ty = 0; ty < ny; ty++)
			for (tx = 0; tx < nx; tx++)
				pixSetPixel(map, tx, ty, (l_uint32)th[ty * nx + tx]);
out:
	free(th);
	return map;
}

/* Room for a w x h Y800 image in s->buf. Returns 0 or -1 on ENOMEM. */
static int reserve(struct folio_barcode_scanner *s, size_t need)
{
	unsigned char *nb;

	if (need <= s->cap)
		return 0;
	if (!(nb = malloc(need)))
		return -1;
	free(s->buf);
	s->buf = nb;
	s->cap = need;
	return 0;
}

/*
 * Y800 into s->buf from 8 bpp with the tile thresholds, interpolated
 * bilinearly between tile centres as the row is written (a full-size
 * threshold image and a 1 bpp page in between cost as much as zbar).
 * Returns 0, 1 for a blank page (*blank), -1 when the map cannot be
 * made, -2 on ENOMEM for the buffers.
 */
static int binarize(struct folio_barcode_scanner *s, PIX *grey, int *blank)
{
	l_int32 w = pixGetWidth(grey), h = pixGetHeight(grey), wpl = pixGetWpl(grey);
	const l_uint32 *data = pixGetData(grey);
	PIX *map = threshold_map(grey, blank);
	int nx, ny, *xi = NULL, *xf = NULL, *row = NULL, ret = -2;
	l_int32 x, y;

	if (!map)
		return *blank ? 1 : -1;
	nx = pixGetWidth(map);
	ny = pixGetHeight(map);
	xi = malloc(sizeof(*xi) * (size_t)w);
	xf = malloc(sizeof(*xf) * (size_t)w);
	row = malloc(sizeof(*row) * (size_t)(nx + 1));
	if (!xi || !xf || !row || reserve(s, (size_t)w * (size_t)h))
		goto out;
	/* x's left tile centre and weight of the right one, in 1/256 */
	for (x = 0; x < w; x++) {
		int c = (int)(((2 * x + 1) * 256L) / (2 * TILE)) - 128;

		if (c < 0)
			c = 0;
		xi[x] = c >> 8 < nx - 1 ? c >> 8 : nx - 1;
		xf[x] = xi[x] < nx - 1 ? c & 255 : 0;
	}
	for (y = 0; y < h; y++) {
		const l_uint32 *line = data + (size_t)y * (size_t)wpl;
		unsigned char *out = s->buf + (size_t)y * (size_t)w;
		int c = (int)(((2 * y + 1) * 256L) / (2 * TILE)) - 128, t0, f, t;

		if (c < 0)
			c = 0;
		t0 = c >> 8 < ny - 1 ? c >> 8 : ny - 1;
		f = t0 < ny - 1 ? c & 255 : 0;
		for (t = 0; t < nx; t++) {
			l_uint32 a = 0, b = 0;

			pixGetPixel(map, t, t0, &a);
			if (f)
				pixGetPixel(map, t, t0 + 1, &b);
			row[t] = (int)a * (256 - f) + (int)b * f;
		}
		row[nx] = row[nx - 1];
		for (x = 0; x < w; x++) {
			int thr = (row[xi[x]] * (256 - xf[x]) + row[xi[x] + 1] * xf[x]) >> 16;

			out[x] = GET_DATA_BYTE(line, x) < thr ? 0 : 255;
		}
	}
	ret = 0;
out:
	free(row);
	free(xf);
	free(xi);
	pixDestroy(&map);
	return ret;
}

/* The page as Y800 in s->buf (0 = black): a 1 bpp page as it is, others
 * through grey (alpha laid on white) and the tile thresholds. Returns 0,
 * 1 for a page without ink (*blank), -1 when the image cannot be
 * converted, -2 when the buffer cannot be had (ENOMEM). */
static int to_y800(struct folio_barcode_scanner *s, PIX *pix, int *blank)
{
	PIX *flat = NULL, *grey;
	int r;

	*blank = 0;
	if (pixGetDepth(pix) == 1 && !pixGetColormap(pix)) {
		l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix), x, y;
		const l_uint32 *data = pixGetData(pix);

		if (reserve(s, (size_t)w * (size_t)h))
			return -2;
		for (y = 0; y < h; y++) {
			const l_uint32 *line = data + (size_t)y * (size_t)wpl;
			unsigned char *out = s->buf + (size_t)y * (size_t)w;

			for (x = 0; x < w; x++)
				out[x] = GET_DATA_BIT(line, x) ? 0 : 255;
		}
		return 0;
	}
	if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4) {
		flat = pixAlphaBlendUniform(pix, 0xffffff00);
		if (!flat)
			return -1;
		pix = flat;
	}
	if (pixGetDepth(pix) == 8 && !pixGetColormap(pix))
		grey = pixClone(pix);
	else
		grey = pixConvertTo8(pix, 0);
	pixDestroy(&flat);
	if (!grey)
		return -1;
	r = binarize(s, grey, blank);
	pixDestroy(&grey);
	return r;
}

static int already(const struct folio_page *pg, const char *type, const char *data)
{
	size_t i;

	for (i = 0; i < pg->ncodes; i++)
		if (!strcmp(pg->codes[i].type, type) && !strcmp(pg->codes[i].data, data))
			return 1;
	return 0;
}

static int is_linear(zbar_symbol_type_t t)
{
	return t == ZBAR_CODE128 || t == ZBAR_CODE39 || t == ZBAR_EAN13;
}

/*
 * Scan s->buf (w x h) and append the symbols to pg; coordinates are
 * multiplied by sx, sy (image to page units). Returns the number of symbols
 * added or -1 on ENOMEM.
 */
static int scan_buf(struct folio_barcode_scanner *s, unsigned w, unsigned h, double sx, double sy,
		    struct folio_page *pg)
{
	zbar_image_t *img = zbar_image_create();
	const zbar_symbol_t *sym;
	int added = 0;

	if (!img)
		return -1;
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, s->buf, (unsigned long)w * h, NULL);
	if (zbar_scan_image(s->zs, img) < 0) {
		zbar_image_destroy(img);
		return 0;
	}
	for (sym = zbar_image_first_symbol(img); sym; sym = zbar_symbol_next(sym)) {
		zbar_symbol_type_t t = zbar_symbol_get_type(sym);
		const char *data = zbar_symbol_get_data(sym);
		unsigned len = zbar_symbol_get_data_length(sym), n, i;
		int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;

		if (t <= ZBAR_PARTIAL || !data || !*data || len > DATA_MAX)
			continue;
		/* a payload with NUL bytes is binary, not text we can use */
		if (strlen(data) != len)
			continue;
		if (is_linear(t) && zbar_symbol_get_quality(sym) < LINEAR_MIN_QUALITY)
			continue;
		n = zbar_symbol_get_loc_size(sym);
		for (i = 0; i < n; i++) {
			int px = zbar_symbol_get_loc_x(sym, i), py = zbar_symbol_get_loc_y(sym, i);

			if (px < 0 || py < 0)
				continue;
			x0 = px < x0 ? px : x0;
			y0 = py < y0 ? py : y0;
			x1 = px > x1 ? px : x1;
			y1 = py > y1 ? py : y1;
		}
		if (x1 < 0)
			x0 = y0 = x1 = y1 = 0;
		if (already(pg, zbar_get_symbol_name(t), data))
			continue;
		if (folio_page_add_code(pg, zbar_get_symbol_name(t), data, (int)(x0 * sx),
					(int)(y0 * sy), (int)((x1 - x0 + 1) * sx),
					(int)((y1 - y0 + 1) * sy))) {
			zbar_image_destroy(img);
			return -1;
		}
		added++;
	}
	zbar_image_destroy(img);
	return added;
}

/*
 * One pass at full resolution. A second pass on a 2x reduction when
 * nothing was found was measured and dropped: QR codes with modules of
 * 12 to 72 pixels (up to a code filling the page), clean, blurred or
 * noisy, were all found at full resolution already, so the reduction only
 * adds a third to the time of every page without a code (most pages), and
 * scanning the reduction alone loses codes with modules under 3 pixels.
 */
int folio_barcode_scan_page(struct folio_barcode_scanner *s, struct folio_page *pg,
			    struct folio_err *err)
{
	PIX *pix = (PIX *)pg->pix;
	unsigned w, h;
	double sx, sy;
	int n, blank, r;

	if (!pix)
		return FOLIO_OK;
	r = to_y800(s, pix, &blank);
	if (r > 0)
		return FOLIO_OK;
	if (r == -2)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
				     "cannot scan page %d for barcodes: out of memory", pg->number);
	if (r < 0)
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_INPUT, 0,
				     "cannot read page %d (depth %d) for barcodes", pg->number,
				     pixGetDepth(pix));
	w = (unsigned)pixGetWidth(pix);
	h = (unsigned)pixGetHeight(pix);
	sx = pg->width > 0 ? (double)pg->width / w : 1.0;
	sy = pg->height > 0 ? (double)pg->height / h : 1.0;
	n = scan_buf(s, w, h, sx, sy, pg);
	if (n < 0)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
				     "cannot scan page %d for barcodes: out of memory", pg->number);
	return FOLIO_OK;
}

int folio_barcode_scan(struct folio_page *pg, struct folio_err *err)
{
	struct folio_barcode_scanner *s;
	int r;

	if (!pg->pix)
		return FOLIO_OK;
	s = folio_barcode_new(err);
	if (!s)
		return FOLIO_FATAL;
	r = folio_barcode_scan_page(s, pg, err);
	folio_barcode_free(s);
	return r;
}

int folio_barcode_separator(const struct folio_page *pg, const regex_t *re, int blank)
{
	size_t k;

	if (blank && pg->blank)
		return 1;
	for (k = 0; re && k < pg->ncodes; k++)
		if (!regexec(re, pg->codes[k].data, 0, NULL, 0))
			return 1;
	return 0;
}
