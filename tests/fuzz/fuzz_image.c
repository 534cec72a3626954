/*
 * fuzz_image.c - the image decoder (src/decode/image.c, Leptonica and
 * libtiff): the header read and judged against max_page_pixels before
 * the pixels, multi-page TIFF page by page; each page's barcodes (zbar,
 * src/ocr/barcode.c) and the fields their payloads carry. Leptonica finds
 * the format from the bytes; the mime type is libmagic's (src/decode/
 * detect.c), as in the pipeline, and a non-image is decoded as image/png
 * anyway. A TIFF of two pages or more is split (its second page alone)
 * and the split must decode again.
 */
#include "folio/detect.h"
#include "fuzz_decode.h"

static struct folio_detect *det;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct folio_err err = { 0 };

	(void)argc;
	(void)argv;
	fd_decode_init(1);
	if (!(det = folio_detect_new(&err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folio_doc *d = fd_doc("fuzz.img", data, size, "image/png"), *part;
	struct folio_err err = { 0 };
	unsigned char *out = NULL;
	size_t outlen = 0, page = 1;
	int r;

	if (size && folio_detect_doc(det, d, &err) == FOLIO_OK && strncmp(d->mime, "image/", 6) &&
	    folio_doc_set_str(&d->mime, "image/png"))
		abort();
	r = fd_run(d);
	if (r >= 0 && d->npages >= 2 && !strcmp(d->mime, "image/tiff")) {
		r = folio_decode_subset(fd_ctx, d, &page, 1, &out, &outlen, &err);
		fuzz_check_err(r, &err, "folio_decode_subset");
		fuzz_assert(r != FOLIO_FATAL, "subset: %s", err.msg);
		if (r == FOLIO_OK) {
			if (!(part = folio_doc_new("part.tif", out, outlen)) ||
			    folio_doc_set_str(&part->mime, "image/tiff"))
				abort();
			r = folio_decode(fd_ctx, part, &err);
			fuzz_assert(r >= 0 && part->npages == 1,
				    "the split of 1 page decodes to %zu pages (%d: %s)",
				    part->npages, r, r < 0 ? err.msg : "");
			folio_doc_free(part);
		}
	}
	folio_doc_free(d);
	fd_done();
	return 0;
}
