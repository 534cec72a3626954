/*
 * mail.c - e-mail messages (RFC 5322/MIME, .eml) read with GMime 3.
 *
 * A message is a document and a container at once: its page is the text
 * a person reads (the From, To, Cc, Date and Subject lines, then the text
 * body, or the HTML body turned into text), its fields are those headers
 * (mail_from, mail_to, mail_cc, mail_date, mail_subject, message_id), and
 * each attachment becomes a child document linked to it (source_sha256 is
 * the message's checksum): a PDF, an image, an XML e-invoice, an archive
 * or a forwarded message (message/rfc822, read again by this decoder, one
 * level deeper: max_archive_depth bounds the nesting as for archives).
 *
 * Any part with a file name, or whose type is not text, is an attachment,
 * whatever its Content-Disposition says (mailers mark PDFs inline); only
 * images smaller than mail_inline_image_bytes sent inline or with a
 * Content-ID (logos, signatures) are not documents - they stay in the
 * archived message. An attachment's name keeps only its last component
 * ("../../etc/x.pdf" is "x.pdf"). GMime decodes base64, quoted-printable,
 * RFC 2047 headers, RFC 2231 file names and legacy charsets into UTF-8.
 *
 * Refused with a reason (the message goes to quarantine whole, nothing is
 * archived from it): what is not a message, a truncated message, a
 * multipart without its boundary, nesting beyond GMime's limit, and more
 * parts than max_mail_parts.
 */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "folio/strbuf.h"
#include "folio/util.h"

void folio_mail_global_init(void)
{
	g_mime_init();
}

/*
 * Whether text starts with a message's header block, whatever libmagic
 * called it (it names a message only by some first lines: "To:" first is
 * text to it): header lines (a name of printable ASCII and a colon, or a
 * folded continuation) up to a blank line within the first 16 KiB, among
 * them From: and one of Date:, Subject:, Message-ID:, MIME-Version:.
 */
static int looks_like_mail(const unsigned char *d, size_t n)
{
	size_t i = 0, lines = 0;
	int from = 0, other = 0;

	if (n > 16384)
		n = 16384;
	while (i < n) {
		size_t e = i, k;

		while (e < n && d[e] != '\n')
			e++;
		if (e == n)
			return 0; /* no end of the header block */
		k = e > i && d[e - 1] == '\r' ? e - 1 : e;
		if (k == i)
			return lines >= 3 && from && other;
		if (d[i] != ' ' && d[i] != '\t') {
			size_t c = i;

			while (c < k && d[c] > 32 && d[c] < 127 && d[c] != ':')
				c++;
			if (c == i || c == k || d[c] != ':')
				return 0;
			if (c - i == 4 && !g_ascii_strncasecmp((const char *)d + i, "From", 4))
				from = 1;
			else if ((c - i == 4 &&
				  !g_ascii_strncasecmp((const char *)d + i, "Date", 4)) ||
				 (c - i == 7 &&
				  !g_ascii_strncasecmp((const char *)d + i, "Subject", 7)) ||
				 (c - i == 10 &&
				  !g_ascii_strncasecmp((const char *)d + i, "Message-ID", 10)) ||
				 (c - i == 12 &&
				  !g_ascii_strncasecmp((const char *)d + i, "MIME-Version", 12)))
				other = 1;
		} else if (!lines) {
			return 0;
		}
		lines++;
		i = e + 1;
	}
	return 0;
}

static int bid(const char *mime, const unsigned char *data, size_t size)
{
	if (mime && !strcmp(mime, "message/rfc822"))
		return 90;
	if ((!mime || !strncmp(mime, "text/", 5) || !strcmp(mime, "application/octet-stream")) &&
	    looks_like_mail(data, size))
		return 80;
	return 0;
}

/* What GMime's parser reported that makes the message unreadable. */
struct parse_warn {
	int bad;
	char why[160];
};

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer arg)
{
	struct parse_warn *w = arg;
	const char *what = NULL;

	(void)item;
	switch (code) {
	case GMIME_WARN_TRUNCATED_MESSAGE: what = "the message is truncated"; break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		what = "a multipart part has no boundary";
		break;
	case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME parts nested too deeply"; break;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		what = "a MIME part has neither headers nor content";
		break;
	default: break;
	}
	if (what && !w->bad) {
		w->bad = 1;
		if (offset >= 0)
			snprintf(w->why, sizeof(w->why), "%s (at byte %lld)", what,
				 (long long)offset);
		else
			snprintf(w->why, sizeof(w->why), "%s", what);
	}
}

/* Text as UTF-8 (g_free): as it is when valid, else read as Windows-1252
 * (a charset that lies), else with the invalid bytes replaced. */
static char *utf8_of(const char *s)
{
	char *u;

	if (g_utf8_validate(s, -1, NULL))
		return g_strdup(s);
	u = g_convert(s, -1, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	return u ? u : g_utf8_make_valid(s, -1);
}

/* ---- headers: RFC 2047 words decoded one by one ------------------------- */

/*
 * GMime 3.2 joins the base64 of adjacent encoded words before decoding
 * them, so a padded word ("...cg==?= =?utf-8?B?w7Nk...") ends the text
 * there: "Faktura ... źródło" came out as "Faktura ... źr". Outlook pads
 * every word. So headers are decoded here: each word's bytes on their
 * own (base64 with its padding, or Q), the bytes of adjacent words in one
 * charset joined before conversion (a character split across two words
 * survives), the white space between adjacent words dropped.
 */
struct ew {
	const char *charset, *text; /* into a copy of the header */
	int b64;
};

/* The encoded word at p ("=?cs?B?text?="): fills e and returns its end,
 * or NULL when p starts none. Terminates its parts in place. */
static char *encoded_word(char *p, struct ew *e)
{
	char *q1, *q2, *end;

	if (p[0] != '=' || p[1] != '?' || !(q1 = strchr(p + 2, '?')) || !q1[1] || q1[2] != '?' ||
	    !strchr("BbQq", q1[1]) || !(end = strstr(q1 + 3, "?=")))
		return NULL;
	for (q2 = p + 2; q2 < end; q2++)
		if (*q2 == ' ' || *q2 == '\t')
			return NULL;
	*q1 = '\0';
	*end = '\0';
	e->charset = p + 2;
	e->b64 = q1[1] == 'B' || q1[1] == 'b';
	e->text = q1 + 3;
	return end + 2;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

static void word_bytes(const struct ew *e, GByteArray *run)
{
	const char *t = e->text;

	if (e->b64) {
		gsize n = 0;
		guchar *b = g_base64_decode(t, &n);

		if (b)
			g_byte_array_append(run, b, (guint)n);
		g_free(b);
		return;
	}
	for (; *t; t++) {
		guint8 c = (guint8)(*t == '_' ? ' ' : *t);

		if (*t == '=' && hexval(t[1]) >= 0 && hexval(t[2]) >= 0) {
			c = (guint8)(hexval(t[1]) * 16 + hexval(t[2]));
			t += 2;
		}
		g_byte_array_append(run, &c, 1);
	}
}

/* Append `run` (bytes in `charset`) to out as UTF-8; empties run. */
static void flush_run(GString *out, GByteArray *run, const char *charset)
{
	char *u;
	const char *cs = charset;
	char *star = charset ? strchr(charset, '*') : NULL; /* RFC 2231 language */
	char csbuf[64];

	if (!run->len)
		return;
	if (star) {
		snprintf(csbuf, sizeof(csbuf), "%.*s", (int)(star - charset), charset);
		cs = csbuf;
	}
	u = g_convert((const char *)run->data, run->len, "UTF-8", cs ? cs : "UTF-8", NULL, NULL,
		      NULL);
	if (!u) /* an unknown or lying charset: as Windows-1252 */
		u = g_convert((const char *)run->data, run->len, "UTF-8", "WINDOWS-1252", NULL,
			      NULL, NULL);
	if (u)
		g_string_append(out, u);
	g_free(u);
	g_byte_array_set_size(run, 0);
}

/* A header's value decoded into UTF-8 (g_free), unfolded; NULL when the
 * message has no such header. */
static char *header_text(GMimeObject *obj, const char *name)
{
	GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	GString *out;
	GByteArray *run;
	char *copy, *p, *cs = NULL;

	if (!raw)
		return NULL;
	copy = g_strdup(raw);
	out = g_string_new(NULL);
	run = g_byte_array_new();
	for (p = copy; *p;) {
		struct ew e;
		char *next = encoded_word(p, &e);

		if (next) {
			if (cs && g_ascii_strcasecmp(cs, e.charset))
				flush_run(out, run, cs);
			cs = (char *)e.charset;
			word_bytes(&e, run);
			p = next;
			/* white space up to another encoded word is dropped */
			next = p + strspn(p, " \t\r\n");
			if (next[0] == '=' && next[1] == '?') {
				char *probe = g_strdup(next);
				struct ew e2;

				if (encoded_word(probe, &e2))
					p = next;
				g_free(probe);
			}
			continue;
		}
		flush_run(out, run, cs);
		cs = NULL;
		if (*p == '\r' || *p == '\n') {
			p++; /* unfold */
			continue;
		}
		if (*p == '\t')
			*p = ' ';
		g_string_append_c(out, *p++);
	}
	flush_run(out, run, cs);
	g_byte_array_unref(run);
	g_free(copy);
	g_strstrip(out->str);
	{
		/* raw 8-bit in a header: as Windows-1252 */
		char *u = utf8_of(out->str);

		g_string_free(out, TRUE);
		return u;
	}
}

/* ---- the walk over the parts ------------------------------------------- */

struct walk {
	struct folio_decode_ctx *ctx;
	struct folio_doc *doc;
	struct folio_strbuf body; /* the text body chosen */
	int body_html;		  /* body holds HTML, to be turned into text */
	int parts, attachments;
	int signed_kind; /* the top part: 1 S/MIME signed, 2 OpenPGP signed */
	int pec;	 /* an Italian PEC envelope: its daticert.xml was read */
	int nomem;
	const char *limit; /* set: refused, why */
	char why[160];
};

/* The decoded bytes of a leaf part (malloc'ed; *n its length). */
static unsigned char *part_bytes(GMimePart *part, size_t *n)
{
	GMimeDataWrapper *wrap = g_mime_part_get_content(part);
	GMimeStream *out;
	GByteArray *ba;
	unsigned char *copy;

	*n = 0;
	if (!wrap)
		return malloc(1);
	out = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(wrap, out);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	copy = malloc(ba && ba->len ? ba->len : 1);
	if (copy && ba && ba->len) {
		memcpy(copy, ba->data, ba->len);
		*n = ba->len;
	}
	g_object_unref(out);
	return copy;
}

/* An attachment's name: its last path component, without leading dots
 * and control characters; "attachment-N" when nothing is left. */
void folio_mail_clean_name(const char *raw, int n, const char *ext, char *out, size_t size)
{
	char *valid = g_utf8_make_valid(raw ? raw : "", -1);
	const char *base = valid;
	const char *p;
	size_t k = 0;

	for (p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ')
		base++;
	for (p = base; *p && k + 1 < size; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			out[k++] = *p;
	/* cut short: not in the middle of a UTF-8 sequence */
	if (*p && ((unsigned char)*p & 0xc0) == 0x80) {
		while (k && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
			k--;
		if (k && (unsigned char)out[k - 1] >= 0xc0)
			k--;
	}
	out[k] = '\0';
	g_free(valid);
	if (!k)
		snprintf(out, size, "attachment-%d%s", n, ext);
}

/* A child document for an attachment's bytes (taken); a forwarded
 * message is read as one, whatever libmagic calls it. */
static int add_child(struct walk *w, const char *name, unsigned char *data, size_t n,
		     const char *mime)
{
	if (!folio_decode_part(w->doc, name, data, n, mime))
		return -1;
	w->attachments++;
	return 0;
}

/* A small inline image (a logo, a signature): not a document. */
static int is_decoration(struct walk *w, GMimeObject *obj, GMimeContentType *ct, size_t n)
{
	const char *disp = g_mime_object_get_disposition(obj);
	const char *cid = g_mime_object_get_content_id(obj);
	uint64_t max = w->ctx->cfg->mail_inline_image_bytes;

	if (!g_mime_content_type_is_type(ct, "image", "*"))
		return 0;
	if (!(cid || (disp && !g_ascii_strcasecmp(disp, "inline"))))
		return 0;
	return n < max;
}

/* ---- Italian PEC: the certificate of a certified message ---------------- */

/* The text of the first element named `name` below n (depth first). */
static xmlNode *find_el(xmlNode *n, const char *name)
{
	for (; n; n = n->next) {
		xmlNode *r;

		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
			return n;
		if ((r = find_el(n->children, name)))
			return r;
	}
	return NULL;
}

static int pec_field(struct folio_doc *doc, const char *field, xmlNode *n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	char *v = t ? g_strstrip(g_utf8_make_valid((const char *)t, -1)) : NULL;
	int r = v && *v ? folio_doc_set_field(doc, field, v, NULL, 1.0f, FOLIO_SRC_TEXT, 1, NULL) :
			  0;

	g_free(v);
	xmlFree(t);
	return r;
}

/*
 * A PEC envelope's daticert.xml (the provider's certificate of the
 * message: DPR 68/2005 and its technical rules) as fields of the message:
 * pec_type (posta-certificata, accettazione, avvenuta-consegna, ...),
 * pec_sender, pec_time ("YYYY-MM-DDTHH:MM:SS" with its zone) and pec_id
 * (the provider's message identifier). 0 when read (or not PEC), 1 when
 * it is no PEC certificate, -1 when out of memory.
 */
static int read_daticert(struct walk *w, const unsigned char *x, size_t n)
{
	struct folio_err err = { 0 };
	xmlDoc *d;
	xmlNode *root, *data;
	xmlChar *tipo;
	int r = 0;

	if (n > (1 << 20) || folio_xml_guard(x, n, &err) != FOLIO_OK)
		return 1;
	d = xmlReadMemory((const char *)x, (int)n, "daticert.xml", NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = d ? xmlDocGetRootElement(d) : NULL;
	if (!root || strcmp((const char *)root->name, "postacert")) {
		xmlFreeDoc(d);
		return 1;
	}
	tipo = xmlGetProp(root, (const xmlChar *)"tipo");
	if (tipo)
		r = folio_doc_set_field(w->doc, "pec_type", (const char *)tipo, NULL, 1.0f,
					FOLIO_SRC_TEXT, 1, NULL);
	xmlFree(tipo);
	r = r || pec_field(w->doc, "pec_sender", find_el(root->children, "mittente")) ||
	    pec_field(w->doc, "pec_id", find_el(root->children, "identificativo"));
	data = find_el(root->children, "data");
	if (!r && data) {
		xmlNode *day = find_el(data->children, "giorno"),
			*hour = find_el(data->children, "ora");
		xmlChar *g = day ? xmlNodeGetContent(day) : NULL,
			*o = hour ? xmlNodeGetContent(hour) : NULL,
			*zone = xmlGetProp(data, (const xmlChar *)"zona");
		int dd, mm, yy;
		char iso[48];

		if (g && o && sscanf((const char *)g, "%d/%d/%d", &dd, &mm, &yy) == 3 &&
		    strlen((const char *)o) <= 8) {
			snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%s%s", yy, mm, dd,
				 (const char *)o,
				 zone && strlen((const char *)zone) <= 6 ? (const char *)zone : "");
			r = folio_doc_set_field(w->doc, "pec_time", iso, NULL, 1.0f, FOLIO_SRC_TEXT,
						1, NULL);
		}
		xmlFree(g);
		xmlFree(o);
		xmlFree(zone);
	}
	xmlFreeDoc(d);
	w->pec = 1;
	return r ? -1 : 0;
}

/* Outlook's winmail.dat (application/ms-tnef), by its type or its name
 * and signature. */
static int is_tnef(GMimeContentType *ct, const char *fname, const unsigned char *d, size_t n)
{
	if (!folio_tnef_magic(d, n))
		return 0;
	return g_mime_content_type_is_type(ct, "application", "ms-tnef") ||
	       g_mime_content_type_is_type(ct, "application", "vnd.ms-tnef") ||
	       (fname && !g_ascii_strcasecmp(fname, "winmail.dat"));
}

/* A TNEF part (data taken): its attachments are the message's, its body
 * the message's text when the message has none; a TNEF that cannot be
 * read is an attachment as it is (and is refused on its own, with the
 * reason, while the message is archived). */
static void tnef(struct walk *w, unsigned char *data, size_t n)
{
	size_t before = w->doc->nchildren;
	char *body = NULL;
	int r = folio_tnef_expand(w->ctx, w->doc, data, n, &w->parts, &body, w->why,
				  sizeof(w->why));

	w->attachments += (int)(w->doc->nchildren - before);
	if (r == -1) {
		if (add_child(w, "winmail.dat", data, n, "application/vnd.ms-tnef"))
			w->nomem = 1;
		return;
	}
	free(data);
	if (r == -2)
		w->nomem = 1;
	else if (r == -3)
		w->limit = w->why;
	else if (body && (!w->body.len || w->body_html)) {
		folio_strbuf_reset(&w->body);
		if (folio_strbuf_adds(&w->body, body))
			w->nomem = 1;
		w->body_html = 0;
	}
	g_free(body);
}

/* A leaf part: the text body (the first text/plain, else the first
 * text/html, without a file name), or an attachment. */
static void leaf(struct walk *w, GMimeObject *obj)
{
	GMimePart *part = GMIME_PART(obj);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *fname = g_mime_part_get_filename(part);
	const char *disp = g_mime_object_get_disposition(obj);
	int text = g_mime_content_type_is_type(ct, "text", "plain"),
	    html = g_mime_content_type_is_type(ct, "text", "html");
	unsigned char *data;
	char name[256];
	size_t n;

	if ((text || html) && !fname && !(disp && !g_ascii_strcasecmp(disp, "attachment"))) {
		if (GMIME_IS_TEXT_PART(obj) && (!w->body.len || (text && w->body_html))) {
			char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
			char *u = t ? utf8_of(t) : NULL;

			folio_strbuf_reset(&w->body);
			if (u && folio_strbuf_adds(&w->body, u))
				w->nomem = 1;
			g_free(u);
			w->body_html = html;
			g_free(t);
		}
		return;
	}
	if (!(data = part_bytes(part, &n))) {
		w->nomem = 1;
		return;
	}
	if (is_decoration(w, obj, ct, n)) {
		free(data);
		return;
	}
	if (is_tnef(ct, fname, data, n)) {
		tnef(w, data, n);
		return;
	}
	/* a PEC envelope's certificate: fields of the message, no document */
	if (!w->pec && fname && !g_ascii_strcasecmp(fname, "daticert.xml")) {
		int r = read_daticert(w, data, n);

		if (r <= 0) {
			free(data);
			if (r < 0)
				w->nomem = 1;
			return;
		}
	}
	folio_mail_clean_name(fname, w->attachments + 1,
			      text ? ".txt" :
			      html ? ".html" :
				     "",
			      name, sizeof(name));
	if (add_child(w, name, data, n, NULL))
		w->nomem = 1;
}

/* A forwarded message: a child document of its own, its bytes as they
 * are in the message. */
static void forwarded(struct walk *w, GMimeMessagePart *mp)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	char *bytes, *subj, name[256], base[200];
	unsigned char *data;
	size_t n;

	if (!inner)
		return;
	bytes = g_mime_object_to_string(GMIME_OBJECT(inner), NULL);
	if (!bytes) {
		w->nomem = 1;
		return;
	}
	n = strlen(bytes);
	/* the subject as a name: its slashes are no folders */
	subj = header_text(GMIME_OBJECT(inner), "Subject");
	if (subj)
		g_strdelimit(subj, "/\\", '-');
	folio_mail_clean_name(subj, w->attachments + 1, "", base, sizeof(base));
	g_free(subj);
	snprintf(name, sizeof(name), "%s.eml", base);
	data = malloc(n ? n : 1);
	if (data)
		memcpy(data, bytes, n);
	if (!data || add_child(w, name, data, n, "message/rfc822"))
		w->nomem = 1;
	g_free(bytes);
}

static void walk_part(struct walk *w, GMimeObject *obj)
{
	if (w->nomem || w->limit || !obj)
		return;
	if (++w->parts > w->ctx->cfg->max_mail_parts) {
		snprintf(w->why, sizeof(w->why), "message has more than max_mail_parts = %d parts",
			 w->ctx->cfg->max_mail_parts);
		w->limit = w->why;
		return;
	}
	if (GMIME_IS_MULTIPART_SIGNED(obj)) {
		/* the signed content; the signature is no attachment */
		const char *proto = g_mime_object_get_content_type_parameter(obj, "protocol");

		if (w->parts == 1 && proto)
			w->signed_kind = strstr(proto, "pkcs7-signature") ? 1 :
					 strstr(proto, "pgp-signature")	  ? 2 :
									    0;
		walk_part(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj),
						       GMIME_MULTIPART_SIGNED_CONTENT));
	} else if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n; i++)
			walk_part(w, g_mime_multipart_get_part(mp, i));
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		forwarded(w, GMIME_MESSAGE_PART(obj));
	} else if (GMIME_IS_PART(obj)) {
		leaf(w, obj);
	}
}

/* ---- the message's own page and fields ---------------------------------- */

/* A tag after which the text goes on on a new line. */
static int block_end(const char *p)
{
	/* clang-format off */
	static const char *const tags[] = {
		"<br", "</p", "</div", "</tr", "</h1", "</h2", "</h3", "</h4", "</li", "</table",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!g_ascii_strncasecmp(p, tags[i], strlen(tags[i])))
			return 1;
	return 0;
}

/* HTML as the text a reader sees: tags dropped (block ends as line
 * breaks), script and style skipped, the common entities decoded. */
int folio_mail_html_text(const char *h, struct folio_strbuf *out)
{
	/* clang-format off */
	static const struct { const char *name, *text; } ent[] = {
		{ "&nbsp;", " " }, { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&euro;", "€" },
	};
	/* clang-format on */
	const char *p = h;
	size_t i;

	while (*p) {
		if (*p == '<') {
			const char *e = strchr(p, '>');

			if (!e)
				break;
			if (!g_ascii_strncasecmp(p, "<script", 7) ||
			    !g_ascii_strncasecmp(p, "<style", 6)) {
				/* up to the closing tag, whatever is inside */
				const char *end = strcasestr(
					e, p[2] == 'c' || p[2] == 'C' ? "</script" : "</style");

				if (!end || !(e = strchr(end, '>')))
					break;
			} else if (block_end(p)) {
				if (folio_strbuf_addch(out, '\n'))
					return -1;
			} else if (!g_ascii_strncasecmp(p, "</td", 4) ||
				   !g_ascii_strncasecmp(p, "</th", 4)) {
				if (folio_strbuf_addch(out, ' '))
					return -1;
			}
			p = e + 1;
			continue;
		}
		if (*p == '&') {
			for (i = 0; i < sizeof(ent) / sizeof(ent[0]); i++)
				if (!strncmp(p, ent[i].name, strlen(ent[i].name)))
					break;
			if (i < sizeof(ent) / sizeof(ent[0])) {
				if (folio_strbuf_adds(out, ent[i].text))
					return -1;
				p += strlen(ent[i].name);
				continue;
			}
		}
		if (folio_strbuf_addch(out, *p == '\r' ? '\n' : *p))
			return -1;
		p++;
	}
	return 0;
}

/* One header as a field and a line of the page ("From: ..."). */
static int header(struct folio_doc *doc, struct folio_strbuf *page, const char *field,
		  const char *label, const char *value)
{
	if (!value || !*value)
		return 0;
	if (folio_strbuf_addf(page, "%s: %s\n", label, value))
		return -1;
	return folio_doc_set_field(doc, field, value, NULL, 1.0f, FOLIO_SRC_TEXT, 1, NULL);
}

static int message_page(struct walk *w, GMimeMessage *m)
{
	struct folio_strbuf page = FOLIO_STRBUF_INIT;
	char *from = header_text(GMIME_OBJECT(m), "From"), *to = header_text(GMIME_OBJECT(m), "To"),
	     *cc = header_text(GMIME_OBJECT(m), "Cc"),
	     *subject = header_text(GMIME_OBJECT(m), "Subject"),
	     *mid = g_mime_message_get_message_id(m) ?
			    g_utf8_make_valid(g_mime_message_get_message_id(m), -1) :
			    NULL;
	GDateTime *when = g_mime_message_get_date(m);
	char *date = when ? g_date_time_format(when, "%Y-%m-%d") : NULL;
	struct folio_page *pg;
	int r;

	r = header(w->doc, &page, "mail_from", "From", from) ||
	    header(w->doc, &page, "mail_to", "To", to) ||
	    header(w->doc, &page, "mail_cc", "Cc", cc) ||
	    header(w->doc, &page, "mail_date", "Date", date) ||
	    header(w->doc, &page, "mail_subject", "Subject", subject) ||
	    (mid &&
	     folio_doc_set_field(w->doc, "message_id", mid, NULL, 1.0f, FOLIO_SRC_TEXT, 1, NULL)) ||
	    folio_strbuf_addch(&page, '\n');
	if (!r && w->body.len)
		r = w->body_html ? folio_mail_html_text(w->body.buf, &page) :
				   folio_strbuf_add(&page, w->body.buf, w->body.len);
	if (!r && !w->doc->title && subject && *subject &&
	    folio_doc_set_str(&w->doc->title, subject))
		r = -1;
	g_free(from);
	g_free(to);
	g_free(cc);
	g_free(subject);
	g_free(mid);
	g_free(date);
	if (r || !(pg = folio_doc_add_page(w->doc))) {
		folio_strbuf_release(&page);
		return -1;
	}
	pg->source = FOLIO_SRC_TEXT;
	pg->conf = 1.0f;
	pg->text = folio_strbuf_detach(&page);
	if (!pg->text || folio_page_words_from_text(pg))
		return -1;
	return 0;
}

/* A signed message's signature as fields (signed_by, signature,
 * signature_chain), worded as for a .p7m. -1 when out of memory. */
static int signature_facts(struct walk *w)
{
	struct folio_signature s;

	if (!w->signed_kind)
		return 0;
	if (w->signed_kind == 2) {
		snprintf(s.who, sizeof(s.who), "unknown (OpenPGP)");
		snprintf(s.sig, sizeof(s.sig), "not checked: OpenPGP signatures are not read");
		snprintf(s.chain, sizeof(s.chain), "not checked");
	} else if (folio_smime_verdict(w->doc->data, w->doc->size, &s)) {
		snprintf(s.who, sizeof(s.who), "unknown");
		snprintf(s.sig, sizeof(s.sig), "invalid: the S/MIME signature cannot be read");
		snprintf(s.chain, sizeof(s.chain), "not checked");
	}
	return folio_doc_set_field(w->doc, "signed_by", s.who, NULL, 1.0f, FOLIO_SRC_TEXT, 1,
				   NULL) ||
	       folio_doc_set_field(w->doc, "signature", s.sig, NULL, 1.0f, FOLIO_SRC_TEXT, 1,
				   NULL) ||
	       folio_doc_set_field(w->doc, "signature_chain", s.chain, NULL, 1.0f, FOLIO_SRC_TEXT,
				   1, NULL);
}

static GMimeMessage *parse(const struct folio_doc *doc, struct parse_warn *pw)
{
	GMimeParserOptions *opts = g_mime_parser_options_new();
	GMimeStream *st = g_mime_stream_mem_new_with_buffer((const char *)doc->data, doc->size);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *m;

	g_mime_parser_options_set_warning_callback(opts, on_warning, pw);
	m = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(st);
	g_mime_parser_options_free(opts);
	return m;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct walk w = { .ctx = ctx, .doc = doc, .body = FOLIO_STRBUF_INIT };
	struct parse_warn pw = { 0, "" };
	GMimeMessage *m;
	int ret = FOLIO_OK;

	if (!doc->size)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "empty message");
	m = parse(doc, &pw);
	if (!m || pw.bad) {
		if (m)
			g_object_unref(m);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "malformed e-mail: %s",
				     pw.bad ? pw.why : "no message headers");
	}
	walk_part(&w, g_mime_message_get_mime_part(m));
	if (!w.nomem && !w.limit && w.attachments && doc->depth >= ctx->cfg->max_archive_depth) {
		snprintf(w.why, sizeof(w.why),
			 "message with attachments nested deeper than max_archive_depth = %d",
			 ctx->cfg->max_archive_depth);
		w.limit = w.why;
	}
	if (!w.nomem && w.limit) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0, "%s", w.limit);
	} else if (w.nomem || message_page(&w, m) || signature_facts(&w)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	} else if (strcmp(doc->mime ? doc->mime : "", "message/rfc822") &&
		   folio_doc_set_str(&doc->mime, "message/rfc822")) {
		/* what libmagic called text is a message */
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	} else {
		doc->also_document = 1;
		ret = folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
	}
	if (ret != FOLIO_OK)
		folio_decode_drop_parts(doc);
	folio_strbuf_release(&w.body);
	g_object_unref(m);
	return ret;
}

const struct folio_decoder folio_decoder_mail = {
	.name = "mail",
	.bid = bid,
	.decode = decode,
};
