/*
 * mapi.c - what Outlook's two formats (.msg in outlook.c, TNEF in tnef.c)
 * share: a message made of MAPI properties becomes a document as an
 * e-mail does (the same fields as mail.c, a page with the header lines
 * and the body a reader sees); the body is PR_BODY, else PR_HTML as text,
 * else PR_RTF_COMPRESSED (MS-OXRTFCP's LZFu, decompressed here) as text.
 */
#include "decode_private.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "folio/strbuf.h"

void folio_mapi_msg_release(struct folio_mapi_msg *m)
{
	g_free(m->from);
	g_free(m->to);
	g_free(m->cc);
	g_free(m->subject);
	g_free(m->mid);
	g_free(m->body);
	g_free(m->html);
	g_free(m->rtf);
	memset(m, 0, sizeof(*m));
}

void folio_mapi_filetime_date(uint64_t ft, char out[16])
{
	/* 100 ns ticks since 1601-01-01; 11644473600 s to 1970 */
	int64_t secs = (int64_t)(ft / 10000000u) - 11644473600LL;
	GDateTime *t;
	char *s;

	out[0] = '\0';
	if (!ft || secs < 0 || secs > 253402300799LL) /* up to 9999-12-31 */
		return;
	t = g_date_time_new_from_unix_utc(secs);
	s = t ? g_date_time_format(t, "%Y-%m-%d") : NULL;
	if (s)
		snprintf(out, 16, "%s", s);
	g_free(s);
	if (t)
		g_date_time_unref(t);
}

char *folio_mapi_text8(const unsigned char *d, size_t n, int codepage)
{
	char cs[16], *u;

	while (n && !d[n - 1])
		n--;
	if (codepage == 65001 || g_utf8_validate((const char *)d, (gssize)n, NULL))
		return g_utf8_make_valid((const char *)d, (gssize)n);
	snprintf(cs, sizeof(cs), "CP%d", codepage > 0 && codepage < 65536 ? codepage : 1252);
	u = g_convert((const char *)d, (gssize)n, "UTF-8", cs, NULL, NULL, NULL);
	if (!u)
		u = g_convert((const char *)d, (gssize)n, "UTF-8", "WINDOWS-1252", NULL, NULL,
			      NULL);
	return u ? u : g_utf8_make_valid((const char *)d, (gssize)n);
}

char *folio_mapi_text16(const unsigned char *d, size_t n)
{
	gunichar2 *w;
	char *u;
	size_t k = n / 2, i;

	w = g_new(gunichar2, k + 1);
	for (i = 0; i < k; i++)
		w[i] = (gunichar2)(d[2 * i] | d[2 * i + 1] << 8);
	while (k && !w[k - 1])
		k--;
	/* unpaired surrogates become U+FFFD rather than failing the text */
	for (i = 0; i < k; i++) {
		int hi = w[i] >= 0xd800 && w[i] < 0xdc00, lo = w[i] >= 0xdc00 && w[i] < 0xe000;

		if (hi && i + 1 < k && w[i + 1] >= 0xdc00 && w[i + 1] < 0xe000)
			i++;
		else if (hi || lo)
			w[i] = 0xfffd;
	}
	u = g_utf16_to_utf8(w, (glong)k, NULL, NULL, NULL);
	g_free(w);
	return u ? u : g_strdup("");
}

/* ---- compressed RTF (MS-OXRTFCP) ----------------------------------------- */

static const char rtf_dict[] =
	"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
	"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
	"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int folio_mapi_lzfu(const unsigned char *d, size_t n, size_t max, unsigned char **out,
		    size_t *outlen)
{
	unsigned char ring[4096];
	uint32_t comp, raw, type;
	size_t w = sizeof(rtf_dict) - 1, i = 16, k = 0;
	unsigned char *o;

	*out = NULL;
	*outlen = 0;
	if (n < 16)
		return -1;
	comp = le32(d);
	raw = le32(d + 4);
	type = le32(d + 8);
	if (raw > max || comp < 12 || comp - 12 > n - 16)
		return -1;
	n = 16 + (comp - 12);
	if (!(o = malloc(raw ? raw : 1)))
		return -2;
	if (type == 0x414c454d) { /* "MELA": stored as it is */
		if (raw > n - 16) {
			free(o);
			return -1;
		}
		memcpy(o, d + 16, raw);
		*out = o;
		*outlen = raw;
		return 0;
	}
	if (type != 0x75465a4c) { /* "LZFu" */
		free(o);
		return -1;
	}
	memset(ring, 0, sizeof(ring));
	memcpy(ring, rtf_dict, sizeof(rtf_dict) - 1);
	while (i < n) {
		unsigned flags = d[i++], bit;

		for (bit = 0; bit < 8 && i < n; bit++) {
			if (flags & (1u << bit)) {
				unsigned ref, off, len, j;

				if (i + 2 > n)
					goto done;
				ref = (unsigned)d[i] << 8 | d[i + 1];
				i += 2;
				off = ref >> 4;
				len = (ref & 15) + 2;
				if (off == w)
					goto done; /* the end */
				for (j = 0; j < len && k < raw; j++) {
					unsigned char c = ring[(off + j) & 4095];

					ring[w] = c;
					w = (w + 1) & 4095;
					o[k++] = c;
				}
			} else {
				if (k < raw)
					o[k++] = d[i];
				ring[w] = d[i++];
				w = (w + 1) & 4095;
			}
		}
	}
done:
	*out = o;
	*outlen = k;
	return 0;
}

/* ---- RTF as text --------------------------------------------------------- */

struct rtf_out {
	GString *text;
	GByteArray *run; /* 8-bit text in the document's code page */
	int cp;
};

static void rtf_flush(struct rtf_out *r)
{
	char *u;

	if (!r->run->len)
		return;
	u = folio_mapi_text8(r->run->data, r->run->len, r->cp);
	g_string_append(r->text, u);
	g_free(u);
	g_byte_array_set_size(r->run, 0);
}

static void rtf_char(struct rtf_out *r, unsigned char c)
{
	g_byte_array_append(r->run, &c, 1);
}

/* A control word at p (after the backslash): its effect on r; returns
 * the end of the word and its parameter's space. */
static const char *rtf_word(struct rtf_out *r, const char *p, const char *end, int emit, int *skip,
			    int *uc, int *dest)
{
	char word[32];
	size_t k = 0;
	long param = 0;
	int has = 0, neg = 0;

	while (p < end && g_ascii_isalpha(*p)) {
		if (k + 1 < sizeof(word))
			word[k++] = *p;
		p++;
	}
	word[k] = '\0';
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	while (p < end && g_ascii_isdigit(*p)) {
		if (param < 1000000)
			param = param * 10 + (*p - '0');
		has = 1;
		p++;
	}
	if (neg)
		param = -param;
	if (p < end && *p == ' ')
		p++;
	if (!emit)
		return p;
	if (!strcmp(word, "par") || !strcmp(word, "line") || !strcmp(word, "row")) {
		rtf_char(r, '\n');
	} else if (!strcmp(word, "tab") || !strcmp(word, "cell")) {
		rtf_char(r, ' ');
	} else if (!strcmp(word, "ansicpg") && has) {
		r->cp = (int)param;
	} else if (!strcmp(word, "uc") && has) {
		*uc = param < 0 || param > 8 ? 1 : (int)param;
	} else if (!strcmp(word, "u") && has) {
		gunichar c = (gunichar)(param < 0 ? param + 65536 : param);
		char utf8[8];
		int len;

		rtf_flush(r);
		if (!g_unichar_validate(c))
			c = 0xfffd;
		len = g_unichar_to_utf8(c, utf8);
		g_string_append_len(r->text, utf8, len);
		*skip = *uc;
	} else if (!strcmp(word, "fonttbl") || !strcmp(word, "colortbl") ||
		   !strcmp(word, "stylesheet") || !strcmp(word, "info") || !strcmp(word, "pict") ||
		   !strcmp(word, "header") || !strcmp(word, "footer")) {
		*dest = 1;
	}
	return p;
}

int folio_mapi_rtf_text(const unsigned char *rtf, size_t n, struct folio_strbuf *out)
{
	const char *p = (const char *)rtf, *end = p + n;
	struct rtf_out r = { g_string_new(NULL), g_byte_array_new(), 1252 };
	int depth = 0, skip_depth = -1, skip = 0, uc = 1, ret;

	while (p < end) {
		int dest = 0;

		if (*p == '{' || *p == '}') {
			depth += *p == '{' ? 1 : -1;
			if (skip_depth >= 0 && depth < skip_depth)
				skip_depth = -1;
			p++;
			continue;
		}
		if (*p == '\\' && p + 1 < end) {
			char c = p[1];

			if (c == '*') { /* an ignorable destination */
				if (skip_depth < 0)
					skip_depth = depth;
				p += 2;
			} else if (c == '\'' && p + 3 < end && g_ascii_isxdigit(p[2]) &&
				   g_ascii_isxdigit(p[3])) {
				if (skip_depth < 0 && !skip)
					rtf_char(&r,
						 (unsigned char)(g_ascii_xdigit_value(p[2]) * 16 +
								 g_ascii_xdigit_value(p[3])));
				else if (skip)
					skip--;
				p += 4;
			} else if (g_ascii_isalpha(c)) {
				int s = 0;

				p = rtf_word(&r, p + 1, end, skip_depth < 0, &s, &uc, &dest);
				if (skip_depth < 0) {
					skip = s;
					if (dest)
						skip_depth = depth;
				}
			} else {
				if (skip_depth < 0 && (c == '\\' || c == '{' || c == '}'))
					rtf_char(&r, (unsigned char)c);
				p += 2;
			}
			continue;
		}
		if (skip_depth < 0 && *p != '\r' && *p != '\n') {
			if (skip)
				skip--;
			else
				rtf_char(&r, (unsigned char)*p);
		}
		p++;
	}
	rtf_flush(&r);
	ret = folio_strbuf_adds(out, r.text->str);
	g_string_free(r.text, TRUE);
	g_byte_array_unref(r.run);
	return ret;
}

/* ---- the message as a document ------------------------------------------- */

static int header(struct folio_doc *doc, struct folio_strbuf *page, const char *field,
		  const char *label, const char *value)
{
	if (!value || !*value)
		return 0;
	if (folio_strbuf_addf(page, "%s: %s\n", label, value))
		return -1;
	return folio_doc_set_field(doc, field, value, NULL, 1.0f, FOLIO_SRC_TEXT, 1, NULL);
}

int folio_mapi_body(const struct folio_mapi_msg *m, struct folio_strbuf *page)
{
	unsigned char *rtf;
	size_t n;
	int r;

	if (m->body && *m->body)
		return folio_strbuf_adds(page, m->body);
	if (m->html && *m->html)
		return folio_mail_html_text(m->html, page);
	if (!m->rtf)
		return 0;
	r = folio_mapi_lzfu(m->rtf, m->rtf_n, 64u << 20, &rtf, &n);
	if (r == -2)
		return -1;
	if (r < 0)
		return 0; /* a damaged RTF body: the message still has its headers */
	r = folio_mapi_rtf_text(rtf, n, page);
	free(rtf);
	return r;
}

int folio_mapi_message_doc(struct folio_decode_ctx *ctx, struct folio_doc *doc,
			   const struct folio_mapi_msg *m, const char *mime, struct folio_err *err)
{
	struct folio_strbuf page = FOLIO_STRBUF_INIT;
	struct folio_page *pg;
	size_t i, j;
	int r;

	r = header(doc, &page, "mail_from", "From", m->from) ||
	    header(doc, &page, "mail_to", "To", m->to) ||
	    header(doc, &page, "mail_cc", "Cc", m->cc) ||
	    header(doc, &page, "mail_date", "Date", m->date[0] ? m->date : NULL) ||
	    header(doc, &page, "mail_subject", "Subject", m->subject) ||
	    (m->mid && *m->mid &&
	     folio_doc_set_field(doc, "message_id", m->mid, NULL, 1.0f, FOLIO_SRC_TEXT, 1, NULL)) ||
	    folio_strbuf_addch(&page, '\n') || folio_mapi_body(m, &page);
	if (!r && !doc->title && m->subject && *m->subject &&
	    folio_doc_set_str(&doc->title, m->subject))
		r = -1;
	if (!r && (!doc->mime || strcmp(doc->mime, mime)) && folio_doc_set_str(&doc->mime, mime))
		r = -1;
	/* CR LF line ends as LF; other control characters as spaces */
	for (i = j = 0; !r && i < page.len; i++) {
		char c = page.buf[i];

		if (c == '\r' && page.buf[i + 1] == '\n')
			continue;
		page.buf[j++] = (unsigned char)c < 0x20 && c != '\n' ? ' ' : c;
	}
	if (!r && page.buf) {
		page.len = j;
		page.buf[j] = '\0';
	}
	if (r || !(pg = folio_doc_add_page(doc))) {
		folio_strbuf_release(&page);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	pg->source = FOLIO_SRC_TEXT;
	pg->conf = 1.0f;
	pg->text = folio_strbuf_detach(&page);
	if (!pg->text || folio_page_words_from_text(pg))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	doc->also_document = 1;
	return folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
}
