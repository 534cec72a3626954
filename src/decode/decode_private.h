/*
 * decode_private.h - what decoders share and the CLI never sees.
 */
#ifndef FOLIO_DECODE_PRIVATE_H
#define FOLIO_DECODE_PRIVATE_H

#include <mupdf/fitz.h>

#include "folio/decode.h"

struct folio_decode_ctx {
	const struct folio_config *cfg;
	fz_context *fz; /* cloned from the global base context */
	folio_page_hook page_hook;
	void *page_arg;
};

/* The PDF half of folio_decode_subset() (pdf.c). */
int folio_pdf_subset(struct folio_decode_ctx *ctx, const struct folio_doc *doc, const size_t *pages,
		     size_t n, unsigned char **out, size_t *size, struct folio_err *err);

/* A decoder calls this after filling doc->pages[index] (pix or text);
 * returns the hook's status (FOLIO_OK when there is no hook). */
int folio_decode_page_ready(struct folio_decode_ctx *ctx, struct folio_doc *doc, size_t index,
			    struct folio_err *err);

extern const struct folio_decoder folio_decoder_pdf;
extern const struct folio_decoder folio_decoder_image;
extern const struct folio_decoder folio_decoder_text;
extern const struct folio_decoder folio_decoder_archive;
extern const struct folio_decoder folio_decoder_mail;
extern const struct folio_decoder folio_decoder_signed;

/* What an S/MIME signature says (signed.c): the signer's subject, the
 * signature's verdict, the chain's, as the .p7m decoder words them. */
struct folio_signature {
	char who[512], sig[256], chain[256];
};

/* The S/MIME (multipart/signed, PKCS #7) signature of the whole message
 * `msg`: 0 with `s` filled, -1 when it holds none OpenSSL can read. */
int folio_smime_verdict(const unsigned char *msg, size_t n, struct folio_signature *s);

/*
 * A part of a document that is a document too (an e-mail attachment, the
 * content of a signed file): a child named "DOC!/name" of `data` (taken,
 * freed on failure), one level deeper, linked to its source by
 * source_sha256, of type `mime` when not NULL (else detected later);
 * marks doc a container. NULL when out of memory.
 */
struct folio_doc *folio_decode_part(struct folio_doc *doc, const char *name, unsigned char *data,
				    size_t n, const char *mime);

/* Free a document's children again (its decoding failed after adding them). */
void folio_decode_drop_parts(struct folio_doc *doc);

/* Process-wide set-up of GMime (called by global init). */
void folio_mail_global_init(void);

/* Process-wide set-up of the image libraries (called by global init). */
void folio_image_global_init(void);

/* The process-wide MuPDF base context (NULL before global init). */
fz_context *folio_decode_fz_base(void);

#endif
