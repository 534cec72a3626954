/*
 * image.c - raster images through Leptonica: PNG, JPEG, TIFF (multi-page,
 * G4), BMP, GIF, WebP, PNM, JPEG 2000.
 *
 * The header is read first so that a file claiming 100000x100000 pixels is
 * refused before anything is allocated for it.
 */
#include "decode_private.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <string.h>
#include <tiffio.h>

/* Smaller than this on either side cannot hold a readable document. */
#define MIN_SIDE 16

static int is_image_mime(const char *mime)
{
	/* clang-format off */
	static const char *const types[] = {
		"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/x-ms-bmp",
		"image/gif", "image/webp", "image/x-portable-bitmap",
		"image/x-portable-greymap", "image/x-portable-pixmap",
		"image/x-portable-anymap", "image/jp2", "image/jpx", NULL,
	};
	/* clang-format on */
	int i;

	for (i = 0; types[i]; i++)
		if (!strcmp(mime, types[i]))
			return 1;
	return 0;
}

static void quiet(const char *msg)
{
	(void)msg;
}

/* Leptonica and libtiff print warnings and errors for damaged files to
 * stderr themselves; folio reports the failure with its own message. */
void folio_image_global_init(void)
{
	setMsgSeverity(L_SEVERITY_NONE);
	leptSetStderrHandler(quiet);
	TIFFSetWarningHandler(NULL);
	TIFFSetErrorHandler(NULL);
}

static int bid(const char *mime, const unsigned char *data, size_t size)
{
	(void)data;
	(void)size;
	return is_image_mime(mime) ? 100 : 0;
}

/* The resolution to tell OCR: the image's own when plausible, else a guess
 * from the width assuming an A4/Letter page (Tesseract's 70 dpi fallback
 * would wreck recognition of a 300 dpi scan); `*guessed` says which. */
static int page_dpi(PIX *pix, int *guessed)
{
	l_int32 xres = 0, yres = 0;
	int w = pixGetWidth(pix), dpi;

	pixGetResolution(pix, &xres, &yres);
	*guessed = !(xres >= 50 && xres <= 2400);
	if (!*guessed)
		return xres;
	dpi = (int)(w / 8.27 + 0.5);
	if (dpi < 70)
		dpi = 70;
	if (dpi > 600)
		dpi = 600;
	return dpi;
}

static int check_size(const struct folio_config *cfg, int w, int h, int pageno,
		      struct folio_err *err)
{
	if (w < MIN_SIDE || h < MIN_SIDE)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "image page %d is %dx%d pixels, too small to hold a "
				     "document (minimum %dx%d)",
				     pageno, w, h, MIN_SIDE, MIN_SIDE);
	if ((uint64_t)w * (uint64_t)h > cfg->max_page_pixels)
		return folio_err_set(
			err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
			"image page %d is %dx%d pixels, more than max_page_pixels = %llu", pageno,
			w, h, (unsigned long long)cfg->max_page_pixels);
	return FOLIO_OK;
}

static int add_pix(struct folio_decode_ctx *ctx, struct folio_doc *doc, PIX *pix,
		   struct folio_err *err)
{
	struct folio_page *pg;

	if (pixGetColormap(pix)) {
		PIX *p = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);

		pixDestroy(&pix);
		if (!(pix = p))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "cannot convert the image's colour map");
	}
	if (!(pg = folio_doc_add_page(doc))) {
		pixDestroy(&pix);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	pg->dpi = page_dpi(pix, &pg->dpi_guessed);
	pixSetResolution(pix, pg->dpi, pg->dpi);
	pg->width = pixGetWidth(pix);
	pg->height = pixGetHeight(pix);
	pg->source = FOLIO_SRC_OCR;
	pg->pix = (struct Pix *)pix;
	return folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
}

static int decode_tiff(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	const struct folio_config *cfg = ctx->cfg;
	size_t offset = 0;
	int n = 0, ret;

	do {
		l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt = 0;
		PIX *pix;

		if (n >= cfg->max_pages)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					     "TIFF has more than max_pages = %d pages",
					     cfg->max_pages);
		/* header of page n, before its pixels are allocated */
		if (readHeaderMemTiff(doc->data, doc->size, n, &w, &h, &bps, &spp, &res, &cmap,
				      &fmt))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "corrupt TIFF: cannot read the header of page %d",
					     n + 1);
		if ((ret = check_size(cfg, w, h, n + 1, err)) != FOLIO_OK)
			return ret;
		pix = pixReadMemFromMultipageTiff(doc->data, doc->size, &offset);
		if (!pix)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "corrupt TIFF: cannot decode page %d", n + 1);
		if ((ret = add_pix(ctx, doc, pix, err)) != FOLIO_OK)
			return ret;
		n++;
	} while (offset != 0);
	return FOLIO_OK;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
	PIX *pix;
	int ret;

	if (pixReadHeaderMem(doc->data, doc->size, &format, &w, &h, &bps, &spp, &cmap))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "corrupt or truncated %s image: cannot read its header",
				     doc->mime);
	if (L_FORMAT_IS_TIFF(format))
		return decode_tiff(ctx, doc, err);
	if ((ret = check_size(ctx->cfg, w, h, 1, err)) != FOLIO_OK)
		return ret;
	pix = pixReadMem(doc->data, doc->size);
	if (!pix)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "corrupt or truncated %s image: cannot decode its pixels",
				     doc->mime);
	return add_pix(ctx, doc, pix, err);
}

const struct folio_decoder folio_decoder_image = {
	.name = "image",
	.bid = bid,
	.decode = decode,
};
