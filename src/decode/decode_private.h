/*
 * decode_private.h - what decoders share and the CLI never sees.
 */
#ifndef FOLIO_DECODE_PRIVATE_H
#define FOLIO_DECODE_PRIVATE_H

#include <mupdf/fitz.h>

#include <stdint.h>

#include "folio/decode.h"
#include "folio/strbuf.h"

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
extern const struct folio_decoder folio_decoder_outlook;
extern const struct folio_decoder folio_decoder_tnef;
extern const struct folio_decoder folio_decoder_sdi;

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

/* HTML as the text a reader sees (mail.c): tags dropped, block ends as
 * line breaks, script and style skipped, common entities decoded; -1
 * when out of memory. */
int folio_mail_html_text(const char *html, struct folio_strbuf *out);

/* An attachment's name (mail.c): its last path component of valid UTF-8,
 * without leading dots and control characters, cut to fit `size`;
 * "attachment-N" + ext when nothing is left. */
void folio_mail_clean_name(const char *raw, int n, const char *ext, char *out, size_t size);

/* ---- Outlook: .msg (outlook.c), TNEF (tnef.c), what they share (mapi.c) -- */

/* A message read from MAPI properties; strings UTF-8, g_free'd by
 * folio_mapi_msg_release (which zeroes it). */
struct folio_mapi_msg {
	char *from, *to, *cc, *subject, *mid;
	char date[16];	    /* YYYY-MM-DD, "" when unknown */
	char *body, *html;  /* PR_BODY, PR_HTML as text */
	unsigned char *rtf; /* PR_RTF_COMPRESSED as stored */
	size_t rtf_n;
};

void folio_mapi_msg_release(struct folio_mapi_msg *m);

/* A FILETIME (100 ns since 1601, UTC) as YYYY-MM-DD; "" when out of range. */
void folio_mapi_filetime_date(uint64_t ft, char out[16]);

/* 8-bit text in Windows code page `codepage` (1252 when unknown), UTF-16LE
 * text, as UTF-8 (g_free); trailing NULs dropped; never NULL. */
char *folio_mapi_text8(const unsigned char *d, size_t n, int codepage);
char *folio_mapi_text16(const unsigned char *d, size_t n);

/* PR_RTF_COMPRESSED (MS-OXRTFCP: LZFu, or MELA stored) into *out (malloc,
 * at most `max` bytes): 0, -1 when it is no compressed RTF, -2 out of memory. */
int folio_mapi_lzfu(const unsigned char *d, size_t n, size_t max, unsigned char **out,
		    size_t *outlen);

/* RTF's text (groups such as the font table skipped, \par as line breaks,
 * \'hh in the document's code page, \uN) appended to out; -1 out of memory. */
int folio_mapi_rtf_text(const unsigned char *rtf, size_t n, struct folio_strbuf *out);

/* The body a reader sees appended to out: PR_BODY, else PR_HTML as text,
 * else the compressed RTF as text (nothing when it is damaged); -1 when
 * out of memory. */
int folio_mapi_body(const struct folio_mapi_msg *m, struct folio_strbuf *out);

/* The message as a document (a container too when it has attachments):
 * the mail_* fields and message_id, a page with the header lines and the
 * body, the title, type `mime`; reports the page to the page hook. */
int folio_mapi_message_doc(struct folio_decode_ctx *ctx, struct folio_doc *doc,
			   const struct folio_mapi_msg *m, const char *mime, struct folio_err *err);

/*
 * A TNEF stream (winmail.dat) carried by the e-mail `doc`: its attachments
 * become children of doc (as the message's own attachments, one level
 * deeper, at most `max_parts` of them counted from *parts), and its body,
 * when it has one, goes to *body (g_free). 0 when read; -1 when it is no
 * readable TNEF (why says what; nothing added); -2 out of memory; -3 the
 * part limit (why says so).
 */
int folio_tnef_expand(struct folio_decode_ctx *ctx, struct folio_doc *doc, const unsigned char *d,
		      size_t n, int *parts, char **body, char *why, size_t whysize);

/* Whether bytes start as TNEF does (its signature). */
int folio_tnef_magic(const unsigned char *d, size_t n);

/* Process-wide set-up of libgsf (called by global init). */
void folio_outlook_global_init(void);

/* Process-wide set-up of GMime (called by global init). */
void folio_mail_global_init(void);

/* Process-wide set-up of the image libraries (called by global init). */
void folio_image_global_init(void);

/* The process-wide MuPDF base context (NULL before global init). */
fz_context *folio_decode_fz_base(void);

#endif
