/*
 * decode.h - turn a document's bytes into pages.
 *
 * Decoders are plug-ins in the style of libarchive's format readers: each
 * has a static const vtable that *bids* on a document (its mime type from
 * detect, and the first bytes) and the highest bid decodes it. A decoder
 * fills doc->pages: either page->pix (an image for the OCR stage) or
 * page->text and page->words (a PDF text layer, a plain-text file). An
 * archive decoder instead adds child documents with folio_doc_add_child()
 * and sets doc->is_container.
 *
 * Decoding is bounded by the limits in struct folio_config: a file that
 * exceeds one fails with FOLIO_E_LIMIT instead of allocating without end.
 */
#ifndef FOLIO_DECODE_H
#define FOLIO_DECODE_H

#include <stddef.h>

#include "folio/config.h"
#include "folio/doc.h"
#include "folio/err.h"

/* Per-worker decoding state (MuPDF context, limits). Not thread-safe: one
 * per worker thread. */
struct folio_decode_ctx;

struct folio_decoder {
	const char *name;
	/* 0: cannot decode; higher bids win. Must not allocate. */
	int (*bid)(const char *mime, const unsigned char *data, size_t size);
	/* FOLIO_OK, FOLIO_WARN or FOLIO_FAILED with err set. */
	int (*decode)(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err);
};

/*
 * Create the shared process-wide state (MuPDF locks, base context). Call
 * once before any worker starts; `cfg` must outlive it.
 */
int folio_decode_global_init(const struct folio_config *cfg, struct folio_err *err);
void folio_decode_global_release(void);

/* One context per worker. Returns NULL with err set on failure. */
struct folio_decode_ctx *folio_decode_ctx_new(const struct folio_config *cfg,
					      struct folio_err *err);
void folio_decode_ctx_free(struct folio_decode_ctx *ctx);

/*
 * Ask to be called as soon as each page is decoded, so the caller can OCR
 * the page and free its image before the next one is decoded: memory then
 * stays at one page image per worker, whatever the page count. `fn`
 * returns FOLIO_OK to go on; anything else stops decoding with that status.
 */
typedef int (*folio_page_hook)(void *arg, struct folio_doc *doc, size_t page_index,
			       struct folio_err *err);
void folio_decode_ctx_set_page_hook(struct folio_decode_ctx *ctx, folio_page_hook fn, void *arg);

/*
 * Pick the best decoder for doc (doc->mime must be set) and run it.
 * FOLIO_FAILED with FOLIO_E_TYPE when nobody bids.
 */
int folio_decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err);

/*
 * The pages `pages[0..n-1]` (0-based, in order) of a PDF or multi-page TIFF
 * as a new file of the same format (batch splitting: each part is archived
 * with its own original). *out is malloc'ed. Other formats fail with
 * FOLIO_E_TYPE.
 */
int folio_decode_subset(struct folio_decode_ctx *ctx, const struct folio_doc *doc,
			const size_t *pages, size_t n, unsigned char **out, size_t *size,
			struct folio_err *err);

/* The registered decoders, NULL-terminated (for `folio --version`). */
const struct folio_decoder *const *folio_decoders(void);

/* Their names in that order, for the lean front's `folio --version`,
 * which loads no decoder (test_decode checks that the two agree). */
#define FOLIO_DECODER_NAMES "pdf image archive mail signed outlook tnef sdi text"

#endif
