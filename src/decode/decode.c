/* decode.c - decoder registry and per-worker contexts; see decode.h. */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"

/* clang-format off */
static const struct folio_decoder *const registry[] = {
	&folio_decoder_pdf,
	&folio_decoder_image,
	&folio_decoder_archive,
	&folio_decoder_mail,
	&folio_decoder_signed,
	&folio_decoder_outlook,
	&folio_decoder_tnef,
	&folio_decoder_sdi,
	&folio_decoder_text,
	NULL,
};
/* clang-format on */

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

struct folio_doc *folio_decode_part(struct folio_doc *doc, const char *name, unsigned char *data,
				    size_t n, const char *mime)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT;
	struct folio_doc *child;

	if (folio_strbuf_adds(&path, doc->path) || folio_strbuf_adds(&path, "!/") ||
	    folio_strbuf_adds(&path, name)) {
		free(data);
		folio_strbuf_release(&path);
		return NULL;
	}
	child = folio_doc_new(path.buf, data, n);
	folio_strbuf_release(&path);
	if (!child)
		return NULL;
	child->depth = doc->depth + 1;
	memcpy(child->source_sha256, doc->sha256, sizeof(child->source_sha256));
	if ((mime && folio_doc_set_str(&child->mime, mime)) || folio_doc_add_child(doc, child)) {
		folio_doc_free(child);
		return NULL;
	}
	doc->is_container = 1;
	return child;
}

void folio_decode_drop_parts(struct folio_doc *doc)
{
	size_t i;

	for (i = 0; i < doc->nchildren; i++)
		folio_doc_free(doc->children[i]);
	doc->nchildren = 0;
	doc->is_container = 0;
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
