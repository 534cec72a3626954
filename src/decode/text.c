/*
 * text.c - plain text and XML files, stored and indexed as text.
 *
 * Text that is not valid UTF-8 is taken as Windows-1252 (what older
 * European office tools write) and converted. XML is parsed with libxml2
 * with the network and entity substitution off, and its character data is
 * indexed; a malformed XML file fails with the parser's line and reason.
 */
#include "decode_private.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

static int is_xml(const char *mime)
{
	return !strcmp(mime, "text/xml") || !strcmp(mime, "application/xml") ||
	       (strlen(mime) > 4 && !strcmp(mime + strlen(mime) - 4, "+xml"));
}

static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, len = c < 0x80		 ? 1 :
				(c >= 0xc2 && c <= 0xdf) ? 2 :
				(c >= 0xe0 && c <= 0xef) ? 3 :
				(c >= 0xf0 && c <= 0xf4) ? 4 :
							   0;

		if (!len || i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static int text_mime(const char *mime)
{
	return !strncmp(mime, "text/", 5) || !strcmp(mime, "application/json") ||
	       !strcmp(mime, "application/csv");
}

/*
 * Bytes a person would call text: no NUL, hardly any control characters
 * (tab, line and page breaks aside; at most one in 256 bytes, for the
 * odd ESC or ^Z of old printers' transcripts), and, when not UTF-8, a
 * legacy 8-bit text with mostly ASCII letters in it.
 */
static int text_plausible(const unsigned char *s, size_t n)
{
	size_t i, ctl = 0, high = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!c)
			return 0;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
		    c == 0x7f)
			ctl++;
		else if (c >= 0x80)
			high++;
	}
	if (ctl * 256 > n)
		return 0;
	return high * 4 <= n || valid_utf8(s, n);
}

/*
 * libmagic names a type by the first bytes it recognises, and plain text
 * can begin like something else: "PAYMENT MODE" is HP-GL to it (PA is a
 * plotter command). A file no other decoder reads that is plausibly text
 * is read as text (a low bid: any decoder of its named type wins).
 */
static int bid(const char *mime, const unsigned char *data, size_t size)
{
	if (is_xml(mime))
		return 60;
	if (text_mime(mime))
		return 50;
	return text_plausible(data, size) ? 1 : 0;
}

/* Windows-1252 to UTF-8 (0x80-0x9f per the code page, others Latin-1). */
static int cp1252_to_utf8(const unsigned char *s, size_t n, struct folio_strbuf *out)
{
	/* clang-format off */
	static const unsigned short hi[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned cp = s[i] >= 0x80 && s[i] < 0xa0 ? hi[s[i] - 0x80] : s[i];
		char b[3];

		if (cp < 0x80) {
			if (folio_strbuf_addch(out, (int)cp))
				return -1;
		} else if (cp < 0x800) {
			b[0] = (char)(0xc0 | cp >> 6);
			b[1] = (char)(0x80 | (cp & 0x3f));
			if (folio_strbuf_add(out, b, 2))
				return -1;
		} else {
			b[0] = (char)(0xe0 | cp >> 12);
			b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			b[2] = (char)(0x80 | (cp & 0x3f));
			if (folio_strbuf_add(out, b, 3))
				return -1;
		}
	}
	return 0;
}

/* Character data of the tree, one text node per line. Entity references
 * are not followed: their expansion is what billion-laughs files abuse. */
static int collect(xmlNode *n, struct folio_strbuf *out, size_t max)
{
	for (; n; n = n->next) {
		if (out->len > max)
			return 0;
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
			const char *t = (const char *)n->content;

			while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
				t++;
			if (*t && (folio_strbuf_adds(out, t) || folio_strbuf_addch(out, '\n')))
				return -1;
		} else if (n->type == XML_ELEMENT_NODE && collect(n->children, out, max)) {
			return -1;
		}
	}
	return 0;
}

/* libxml2 reports every error through this; keep the first, which names
 * the real fault (later ones are consequences). */
struct first_error {
	int line;
	char msg[256];
};

static void keep_first(void *arg, xmlErrorPtr e)
{
	struct first_error *fe = arg;
	size_t n;

	if (fe->line || !e)
		return;
	fe->line = e->line > 0 ? e->line : 1;
	snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "parse error");
	n = strlen(fe->msg);
	while (n && (fe->msg[n - 1] == '\n' || fe->msg[n - 1] == ' '))
		fe->msg[--n] = '\0';
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct folio_strbuf text = FOLIO_STRBUF_INIT;
	struct folio_page *pg;
	int ret = FOLIO_FAILED;

	if (is_xml(doc->mime)) {
		struct first_error fe = { 0, "" };
		xmlDoc *x;

		if (doc->size > INT_MAX) {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					    "XML file too large (%zu bytes)", doc->size);
			goto out;
		}
		if ((ret = folio_xml_guard(doc->data, doc->size, err)) != FOLIO_OK)
			goto out;
		/* the handler is per thread in libxml2 */
		xmlSetStructuredErrorFunc(&fe, keep_first);
		x = xmlReadMemory((const char *)doc->data, (int)doc->size, doc->name, NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		xmlSetStructuredErrorFunc(NULL, NULL);
		if (!x && !folio_xml_declared(doc->data, doc->size) &&
		    text_plausible(doc->data, doc->size)) {
			/* "<GST> 23%" on a receipt is no XML: it is XML when it
			 * parses or says it is one, otherwise text */
			if (folio_doc_set_str(&doc->mime, "text/plain"))
				goto nomem;
			return decode(ctx, doc, err);
		}
		if (!x) {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "malformed XML: line %d: %s", fe.line,
					    fe.line ? fe.msg : "parse error");
			goto out;
		}
		if (collect(xmlDocGetRootElement(x), &text, doc->size + 1)) {
			xmlFreeDoc(x);
			goto nomem;
		}
		xmlFreeDoc(x);
	} else if (!text_mime(doc->mime) && folio_doc_set_str(&doc->mime, "text/plain")) {
		goto nomem; /* read as text whatever libmagic called it */
	} else if (valid_utf8(doc->data, doc->size)) {
		if (folio_strbuf_add(&text, doc->data, doc->size))
			goto nomem;
	} else if (cp1252_to_utf8(doc->data, doc->size, &text)) {
		goto nomem;
	}
	if (memchr(text.buf ? text.buf : "", '\0', text.len)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "text file contains NUL bytes (binary data?)");
		goto out;
	}
	if (!(pg = folio_doc_add_page(doc)))
		goto nomem;
	pg->source = FOLIO_SRC_TEXT;
	pg->conf = 1.0f;
	pg->text = folio_strbuf_detach(&text);
	if (!pg->text || folio_page_words_from_text(pg))
		goto nomem;
	ret = folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
	goto out;
nomem:
	ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
out:
	folio_strbuf_release(&text);
	return ret;
}

const struct folio_decoder folio_decoder_text = {
	.name = "text",
	.bid = bid,
	.decode = decode,
};
