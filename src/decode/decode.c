/* decode.c - decoder registry and per-worker contexts; see decode.h. */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>

static const struct folio_decoder *const registry[] = {
	&folio_decoder_pdf,
	&folio_decoder_image,
	&folio_decoder_archive,
	&folio_decoder_mail,
	&folio_decoder_signed,
	&folio_decoder_text,
	NULL,
};

const struct folio_decoder *const *folio_decoders(void)
{
	return registry;
}

struct folio_decode_ctx *folio_decode_ctx_new(const struct folio_config *cfg, struct folio_err *err)
{
	struct folio_decode_ctx *ctx = calloc(1, sizeof(*ctx));
	fz_context *base = folio_decode_fz_base();

	if (!ctx) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	ctx->cfg = cfg;
	if (!base || !(ctx->fz = fz_clone_context(base))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0,
			      "cannot create a MuPDF context (decode not initialised?)");
		free(ctx);
		return NULL;
	}
	return ctx;
}

void folio_decode_ctx_free(struct folio_decode_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->fz)
		fz_drop_context(ctx->fz);
	free(ctx);
}

void folio_decode_ctx_set_page_hook(struct folio_decode_ctx *ctx, folio_page_hook fn, void *arg)
{
	ctx->page_hook = fn;
	ctx->page_arg = arg;
}

int folio_decode_page_ready(struct folio_decode_ctx *ctx, struct folio_doc *doc, size_t index,
			    struct folio_err *err)
{
	if (!ctx->page_hook)
		return FOLIO_OK;
	return ctx->page_hook(ctx->page_arg, doc, index, err);
}

int folio_decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	const struct folio_decoder *best = NULL;
	int best_bid = 0, i;

	for (i = 0; registry[i]; i++) {
		int b = registry[i]->bid(doc->mime ? doc->mime : "", doc->data, doc->size);

		if (b > best_bid) {
			best_bid = b;
			best = registry[i];
		}
	}
	if (!best)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_TYPE, 0,
				     "unsupported file type '%s'",
				     doc->mime ? doc->mime : "unknown");
	return best->decode(ctx, doc, err);
}
