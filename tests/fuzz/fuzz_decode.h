/*
 * fuzz_decode.h - what the decode targets (fuzz_pdf, fuzz_image,
 * fuzz_text, fuzz_archive) share: one decoding context with folio's
 * default limits, and the stages that follow decoding in the pipeline
 * short of OCR: barcodes on each page image (zbar) and field extraction
 * (e-invoice attachment, QR payloads, layout of the words with the
 * project's models/labels.tsv).
 *
 * Differences from `folio ingest`, for speed: pages are rendered at 50 dpi
 * (the smallest render_dpi allowed) instead of 300 and barcodes are read
 * on the first two pages only; the bounds (max_pages, max_page_pixels,
 * max_file_bytes, the archive limits) keep their defaults.
 */
#ifndef FOLIO_FUZZ_DECODE_H
#define FOLIO_FUZZ_DECODE_H

#include "decode/decode_private.h"
#include "folio/barcode.h"
#include "folio/decode.h"
#include "folio/extract.h"
#include "folio/util.h"
#include "fuzz.h"

static struct folio_config fd_cfg;
static struct folio_decode_ctx *fd_ctx;
static struct folio_extractor *fd_ex;
static struct folio_barcode_scanner *fd_bar;
static int fd_scan_codes;

/* The page hook: barcodes, then the image goes, as in the pipeline. */
static inline int fd_page(void *arg, struct folio_doc *doc, size_t index, struct folio_err *err)
{
	struct folio_page *pg = &doc->pages[index];
	int r = FOLIO_OK;

	(void)arg;
	if (pg->pix) {
		/* (the first two pages: the same code for every page, and a
		 * scan costs more than the rest of a page under the sanitizers) */
		if (fd_scan_codes && index < 2) {
			r = folio_barcode_scan_page(fd_bar, pg, err);
			fuzz_check_err(r, err, "folio_barcode_scan_page");
			fuzz_assert(r != FOLIO_FATAL, "barcodes: %s", err->msg);
		}
		folio_page_drop_image(pg);
	}
	return FOLIO_OK;
}

static inline void fd_decode_init(int scan_codes)
{
	struct folio_extract_opts o = { NULL, 0.6f };
	struct folio_err err = { 0 };
	char *models, *lexicon;

	fuzz_config(&fd_cfg);
	fd_cfg.render_dpi = 50;
	fd_scan_codes = scan_codes;
	if (folio_decode_global_init(&fd_cfg, &err) != FOLIO_OK ||
	    !(fd_ctx = folio_decode_ctx_new(&fd_cfg, &err)) ||
	    !(fd_bar = folio_barcode_new(&err))) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort();
	}
	folio_decode_ctx_set_page_hook(fd_ctx, fd_page, NULL);
	if (!(models = folio_config_models_dir(&fd_cfg)) ||
	    !(lexicon = folio_path_join(models, "labels.tsv")))
		abort();
	o.lexicon = lexicon;
	if (!(fd_ex = folio_extractor_new(&o, &err))) {
		fprintf(stderr, "fuzz: %s (FOLIO_MODELS names the models folder)\n", err.msg);
		abort();
	}
	free(lexicon);
	free(models);
}

/* A document of the input's bytes, as the pipeline makes one. */
static inline struct folio_doc *fd_doc(const char *path, const uint8_t *data, size_t size,
				       const char *mime)
{
	struct folio_doc *d = folio_doc_new(path, fuzz_bytes(data, size), size);

	if (!d || folio_doc_set_str(&d->mime, mime))
		abort();
	folio_sha256_hex(d->data, d->size, d->sha256);
	return d;
}

/* Decode and, when pages came out, extract; checks the statuses. Returns
 * the decoder's status. */
static inline int fd_run(struct folio_doc *d)
{
	struct folio_err err = { 0 };
	size_t i;
	int r, x;

	r = folio_decode(fd_ctx, d, &err);
	fuzz_check_err(r, &err, "folio_decode");
	fuzz_assert(r != FOLIO_FATAL, "decode: fatal: %s", err.msg);
	if (r < 0)
		return r;
	fuzz_assert(d->npages <= (size_t)fd_cfg.max_pages, "%zu pages > max_pages", d->npages);
	for (i = 0; i < d->npages; i++) {
		fuzz_assert(!d->pages[i].pix, "page %zu kept its image", i + 1);
		fuzz_assert(d->pages[i].number == (int)i + 1, "page %zu numbered %d", i + 1,
			    d->pages[i].number);
	}
	if (d->npages && folio_doc_join_text(d))
		abort();
	folio_err_clear(&err);
	x = folio_extract_doc(fd_ex, d, &err);
	fuzz_check_err(x, &err, "folio_extract_doc");
	fuzz_assert(x != FOLIO_FATAL, "extract: fatal: %s", err.msg);
	return r;
}

/* After each input: MuPDF's store (fonts, images, kept across documents
 * on purpose) emptied, so that what is still allocated is a leak - else
 * libFuzzer runs every input twice and scans the heap to find out. */
static inline void fd_done(void)
{
	fz_empty_store(fd_ctx->fz);
	fz_purge_glyph_cache(fd_ctx->fz);
}

#endif
