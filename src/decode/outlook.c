/*
 * outlook.c - Outlook .msg files (MS-OXMSG), the OLE compound file read
 * with libgsf (GsfInfileMSOle), the message taken from its MAPI properties.
 *
 * A .msg is a message as an .eml is (mapi.c makes the document): the
 * sender (PR_SENDER_NAME and its SMTP address), the recipients' storages
 * split into To and Cc (PR_DISPLAY_TO / _CC when there are none), the
 * subject, PR_INTERNET_MESSAGE_ID, the submit or else delivery time (in
 * the fixed-size property stream), and the body (PR_BODY, PR_HTML or the
 * compressed RTF). Every attachment storage with its data (PR_ATTACH_DATA_BIN)
 * is a child document named by PR_ATTACH_LONG_FILENAME; an embedded
 * message (PR_ATTACH_DATA_OBJ, a storage) is written out as a .msg of its
 * own (libgsf's writer) and read again by this decoder, one level deeper.
 * Small inline images with a content ID are no documents, as for e-mail.
 *
 * Refused with a reason: what libgsf cannot open (truncated, a bad
 * sector chain), a compound file without a message's property stream, a
 * property stream whose sector chain is broken, more attachments than
 * max_mail_parts, storages nested deeper than 32 levels.
 */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>
#include <gsf/gsf-utils.h>

#define MAX_STORAGE_DEPTH 32

/* {00020D0B-0000-0000-C000-000000000046}: an Outlook message, as stored */
static const guint8 msg_clsid[16] = { 0x0b, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
				      0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };

static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer arg)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)arg; /* a damaged file's complaints: the reason is ours to give */
}

void folio_outlook_global_init(void)
{
	gsf_init();
	g_log_set_handler("libgsf:msole", G_LOG_LEVEL_MASK, quiet, NULL);
	g_log_set_handler("libgsf", G_LOG_LEVEL_MASK, quiet, NULL);
}

/* Above the PDF decoder's bid: a message's attachment near its start
 * puts "%PDF-" where that decoder looks. */
static int bid(const char *mime, const unsigned char *data, size_t size)
{
	static const unsigned char cfb[8] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };

	/* "__substg1.0_" in UTF-16: a directory entry of a message's property */
	static const char substg[] = "_\0_\0s\0u\0b\0s\0t\0g\0001\0.\0000\0_";

	if (!mime || size < 8 || memcmp(data, cfb, 8))
		return 0;
	if (!strcmp(mime, "application/vnd.ms-outlook"))
		return 110;
	/* a compound file libmagic could not name, holding message properties */
	if ((!strcmp(mime, "application/x-ole-storage") || !strcmp(mime, "application/CDFV2")) &&
	    memmem(data, size, substg, sizeof(substg) - 1))
		return 100;
	return 0;
}

/* One storage being read: its children, the size bound of any stream. */
struct rd {
	struct folio_decode_ctx *ctx;
	struct folio_doc *doc;
	size_t max; /* no stream is larger than the file */
	int broken; /* a stream named in the directory could not be read */
	int nomem;
};

/* The stream `name` of storage `dir` (g_malloc'ed, NUL-terminated twice);
 * NULL when there is none or it cannot be read (r->broken). */
static unsigned char *stream(struct rd *r, GsfInfile *dir, const char *name, size_t *n)
{
	int i, k = gsf_infile_num_children(dir);
	GsfInput *in = NULL;
	unsigned char *buf = NULL;
	gsf_off_t size;

	*n = 0;
	for (i = 0; i < k; i++) {
		const char *c = gsf_infile_name_by_index(dir, i);

		if (c && !strcmp(c, name))
			break;
	}
	if (i == k)
		return NULL;
	in = gsf_infile_child_by_index(dir, i);
	if (!in || (GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0)) {
		if (!in)
			r->broken = 1;
		if (in)
			g_object_unref(in);
		return NULL;
	}
	size = gsf_input_size(in);
	if (size < 0 || (guint64)size > r->max) {
		r->broken = 1;
	} else if (!(buf = g_try_malloc((gsize)size + 2))) {
		r->nomem = 1;
	} else if (size && !gsf_input_read(in, (size_t)size, buf)) {
		r->broken = 1;
		g_free(buf);
		buf = NULL;
	} else {
		buf[size] = buf[size + 1] = 0;
		*n = (size_t)size;
	}
	g_object_unref(in);
	return buf;
}

/* The child storage `name` of dir (unref), NULL when there is none. */
static GsfInfile *storage(GsfInfile *dir, const char *name)
{
	GsfInput *in = gsf_infile_child_by_name(dir, name);

	if (in && GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0)
		return GSF_INFILE(in);
	if (in)
		g_object_unref(in);
	return NULL;
}

/* A storage's properties: the fixed-size stream and the code page. */
struct props {
	unsigned char *fixed;
	size_t nfixed, head;
	int cp;
};

static int fixed(const struct props *p, unsigned id, unsigned type, uint64_t *v)
{
	size_t i;
	uint32_t want = (uint32_t)id << 16 | type;

	for (i = p->head; p->fixed && i + 16 <= p->nfixed; i += 16) {
		const unsigned char *e = p->fixed + i;
		uint32_t tag = (uint32_t)e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;

		if (tag == want) {
			*v = 0;
			for (int b = 7; b >= 0; b--)
				*v = *v << 8 | e[8 + b];
			return 1;
		}
	}
	return 0;
}

/* A string property (Unicode, else 8-bit) as UTF-8 (g_free), or NULL. */
static char *str(struct rd *r, GsfInfile *dir, const struct props *p, unsigned id)
{
	char name[32];
	unsigned char *d;
	size_t n;
	char *s;

	snprintf(name, sizeof(name), "__substg1.0_%04X001F", id);
	if ((d = stream(r, dir, name, &n))) {
		s = folio_mapi_text16(d, n);
		g_free(d);
		return s;
	}
	snprintf(name, sizeof(name), "__substg1.0_%04X001E", id);
	if ((d = stream(r, dir, name, &n))) {
		s = folio_mapi_text8(d, n, p->cp);
		g_free(d);
		return s;
	}
	return NULL;
}

static void props_open(struct rd *r, GsfInfile *dir, size_t head, struct props *p)
{
	uint64_t cp;

	memset(p, 0, sizeof(*p));
	p->head = head;
	p->cp = 1252;
	p->fixed = stream(r, dir, "__properties_version1.0", &p->nfixed);
	if (fixed(p, 0x3FDE, 0x0003, &cp) || fixed(p, 0x3FFD, 0x0003, &cp))
		p->cp = (int)(cp & 0xffff);
}

/* "Name <address>", or whichever of them there is (g_free). */
static char *person(char *name, char *addr)
{
	char *s;

	if (addr && !strchr(addr, '@')) {
		g_free(addr); /* an Exchange address (/O=...) says nothing */
		addr = NULL;
	}
	if (name && addr && strcmp(name, addr))
		s = g_strdup_printf("%s <%s>", name, addr);
	else
		s = g_strdup(addr ? addr : name);
	g_free(name);
	g_free(addr);
	return s;
}

/* The recipients' storages, as To and Cc lists (PR_RECIPIENT_TYPE 1, 2). */
static void recipients(struct rd *r, GsfInfile *msg, struct folio_mapi_msg *m)
{
	GString *to = g_string_new(NULL), *cc = g_string_new(NULL);
	int i, k = gsf_infile_num_children(msg);

	for (i = 0; i < k; i++) {
		const char *c = gsf_infile_name_by_index(msg, i);
		GsfInfile *rc;
		struct props p;
		uint64_t type = 1;
		char *who, *addr;
		GString *list;

		if (!c || strncmp(c, "__recip_version1.0_#", 20) || !(rc = storage(msg, c)))
			continue;
		props_open(r, rc, 8, &p);
		fixed(&p, 0x0C15, 0x0003, &type);
		addr = str(r, rc, &p, 0x39FE);
		if (!addr)
			addr = str(r, rc, &p, 0x3003);
		who = person(str(r, rc, &p, 0x3001), addr);
		list = (type & 0xff) == 2 ? cc : (type & 0xff) == 1 ? to : NULL;
		if (list && who && *who)
			g_string_append_printf(list, "%s%s", list->len ? ", " : "", who);
		g_free(who);
		g_free(p.fixed);
		g_object_unref(rc);
	}
	m->to = to->len ? g_string_free(to, FALSE) : (g_string_free(to, TRUE), NULL);
	m->cc = cc->len ? g_string_free(cc, FALSE) : (g_string_free(cc, TRUE), NULL);
}

/* The message's headers and body from storage `msg`. */
static void headers(struct rd *r, GsfInfile *msg, const struct props *p, struct folio_mapi_msg *m)
{
	char *addr = str(r, msg, p, 0x5D01);
	uint64_t t;
	unsigned char *d;
	size_t n;

	if (!addr)
		addr = str(r, msg, p, 0x0C1F);
	if (!addr)
		addr = str(r, msg, p, 0x0065);
	m->from = person(str(r, msg, p, 0x0C1A), addr);
	if (!m->from)
		m->from = str(r, msg, p, 0x0042);
	recipients(r, msg, m);
	if (!m->to)
		m->to = str(r, msg, p, 0x0E04);
	if (!m->cc)
		m->cc = str(r, msg, p, 0x0E03);
	m->subject = str(r, msg, p, 0x0037);
	m->mid = str(r, msg, p, 0x1035);
	if (fixed(p, 0x0039, 0x0040, &t) || fixed(p, 0x0E06, 0x0040, &t))
		folio_mapi_filetime_date(t, m->date);
	m->body = str(r, msg, p, 0x1000);
	if (!m->body && (d = stream(r, msg, "__substg1.0_10130102", &n))) {
		m->html = folio_mapi_text8(d, n, p->cp);
		g_free(d);
	}
	if (!m->body && !m->html)
		m->html = str(r, msg, p, 0x1013);
	if (!m->body && !m->html && (d = stream(r, msg, "__substg1.0_10090102", &n))) {
		m->rtf = d;
		m->rtf_n = n;
	}
}

/* ---- an embedded message, written out as a .msg of its own ------------- */

static int copy_tree(struct rd *r, GsfInfile *src, GsfOutfile *dst, int top, int depth)
{
	int i, k = gsf_infile_num_children(src);

	if (depth > MAX_STORAGE_DEPTH)
		return -1;
	for (i = 0; i < k; i++) {
		const char *name = gsf_infile_name_by_index(src, i);
		GsfInput *in = name ? gsf_infile_child_by_index(src, i) : NULL;
		GsfOutput *out;
		int dir, bad = 0;

		if (!in)
			return -1;
		dir = GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0;
		out = gsf_outfile_new_child(dst, name, dir);
		if (dir) {
			bad = copy_tree(r, GSF_INFILE(in), GSF_OUTFILE(out), 0, depth + 1);
		} else {
			size_t n;
			unsigned char *d = stream(r, src, name, &n);
			/* an embedded message's property stream has a 24-byte
			 * header, a message file's 32 bytes: 8 more */
			int grow = top && !strcmp(name, "__properties_version1.0") && n >= 24;

			bad = !d || !gsf_output_write(out, grow ? 24 : n, d) ||
			      (grow &&
			       (!gsf_output_write(out, 8, (const guint8 *)"\0\0\0\0\0\0\0\0") ||
				!gsf_output_write(out, n - 24, d + 24)));
			g_free(d);
		}
		gsf_output_close(out);
		g_object_unref(out);
		g_object_unref(in);
		if (bad)
			return -1;
	}
	return 0;
}

/* The bytes of a .msg holding storage `inner` (malloc), or NULL. */
static unsigned char *embedded(struct rd *r, GsfInfile *inner, size_t *n)
{
	GsfOutput *sink = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(sink);
	unsigned char *copy = NULL;
	int bad;

	*n = 0;
	gsf_outfile_msole_set_class_id(GSF_OUTFILE_MSOLE(ole), msg_clsid);
	bad = copy_tree(r, inner, ole, 1, 1);
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
	if (!bad) {
		gsf_off_t size = gsf_output_size(sink);
		const guint8 *b = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(sink));

		if (b && size > 0 && (copy = malloc((size_t)size))) {
			memcpy(copy, b, (size_t)size);
			*n = (size_t)size;
		} else if (b && size > 0) {
			r->nomem = 1;
		}
	}
	g_object_unref(sink); /* closed with ole */
	return copy;
}

/* ---- attachments --------------------------------------------------------- */

/* A small inline image with a content ID (a logo): no document. */
static int decoration(struct rd *r, GsfInfile *at, const struct props *p, size_t n)
{
	char *cid = str(r, at, p, 0x3712), *mime = str(r, at, p, 0x370E);
	int yes = cid && *cid && mime && !g_ascii_strncasecmp(mime, "image/", 6) &&
		  n < r->ctx->cfg->mail_inline_image_bytes;

	g_free(cid);
	g_free(mime);
	return yes;
}

/* One attachment storage: a child document, or nothing (no data). */
static void attachment(struct rd *r, GsfInfile *at, int nth)
{
	struct props p;
	char *raw, name[256];
	unsigned char *d, *copy;
	size_t n;
	uint64_t method = 1;
	GsfInfile *inner;

	props_open(r, at, 8, &p);
	fixed(&p, 0x3705, 0x0003, &method);
	raw = str(r, at, &p, 0x3707);
	if (!raw || !*raw) {
		g_free(raw);
		raw = str(r, at, &p, 0x3704);
	}
	if (!raw || !*raw) {
		g_free(raw);
		raw = str(r, at, &p, 0x3001);
	}
	if ((d = stream(r, at, "__substg1.0_37010102", &n))) {
		folio_mail_clean_name(raw, nth, "", name, sizeof(name));
		if (!decoration(r, at, &p, n)) {
			/* a malloc'ed copy: the part takes it, GLib's d is freed */
			copy = malloc(n ? n : 1);
			if (copy)
				memcpy(copy, d, n);
			if (!copy || !folio_decode_part(r->doc, name, copy, n, NULL))
				r->nomem = 1;
		}
		g_free(d);
	} else if ((inner = storage(at, "__substg1.0_3701000D"))) {
		char base[200];

		if (raw)
			g_strdelimit(raw, "/\\", '-');
		folio_mail_clean_name(raw, nth, "", base, sizeof(base));
		snprintf(name, sizeof(name), "%s%s", base,
			 (method & 0xff) == 5 && !g_str_has_suffix(base, ".msg") ? ".msg" : "");
		if ((copy = embedded(r, inner, &n)) &&
		    !folio_decode_part(r->doc, name, copy, n,
				       (method & 0xff) == 5 ? "application/vnd.ms-outlook" : NULL))
			r->nomem = 1;
		else if (!copy && !r->nomem)
			r->broken = 1;
		g_object_unref(inner);
	}
	g_free(raw);
	g_free(p.fixed);
}

/* The attachment storages: 0, or -1 beyond max_mail_parts (why filled). */
static int attachments(struct rd *r, GsfInfile *msg, char *why, size_t size)
{
	int i, k = gsf_infile_num_children(msg), count = 0;

	for (i = 0; i < k && !r->nomem; i++) {
		const char *c = gsf_infile_name_by_index(msg, i);
		GsfInfile *at;

		if (!c || strncmp(c, "__attach_version1.0_#", 21))
			continue;
		if (++count > r->ctx->cfg->max_mail_parts) {
			snprintf(why, size, "message has more than max_mail_parts = %d parts",
				 r->ctx->cfg->max_mail_parts);
			return -1;
		}
		if ((at = storage(msg, c))) {
			attachment(r, at, count);
			g_object_unref(at);
		} else {
			r->broken = 1;
		}
	}
	return 0;
}

/* ---- the decoder --------------------------------------------------------- */

static int read_msg(struct rd *r, GsfInfile *ole, struct folio_err *err)
{
	struct folio_mapi_msg m = { 0 };
	struct props p;
	char why[160] = "";
	int ret;

	props_open(r, ole, 32, &p);
	if (!p.fixed) {
		ret = r->nomem ? folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					       "out of memory") :
				 folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					       "not an Outlook message: %s",
					       r->broken ? "its property stream cannot be read" :
							   "no property stream");
		return ret;
	}
	headers(r, ole, &p, &m);
	if (attachments(r, ole, why, sizeof(why)))
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0, "%s", why);
	else if (r->nomem)
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	else if (r->broken)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "damaged Outlook message: a stream's sector chain is broken");
	else if (r->doc->nchildren && r->doc->depth >= r->ctx->cfg->max_archive_depth)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				    "message with attachments nested deeper than "
				    "max_archive_depth = %d",
				    r->ctx->cfg->max_archive_depth);
	else
		ret = folio_mapi_message_doc(r->ctx, r->doc, &m, "application/vnd.ms-outlook", err);
	folio_mapi_msg_release(&m);
	g_free(p.fixed);
	return ret;
}

/*
 * What libgsf must not see: a root directory entry with siblings (MS-CFB
 * says it has none). libgsf reads them anyway, with no parent to hang
 * them on, and leaks them: the fuzzer's first finding. NULL when fine.
 */
static const char *cfb_precheck(const unsigned char *d, size_t n)
{
	unsigned shift;
	uint64_t dir, at;

	if (n < 512)
		return NULL; /* libgsf says what is wrong */
	shift = d[30] | d[31] << 8;
	dir = (uint64_t)d[48] | (uint64_t)d[49] << 8 | (uint64_t)d[50] << 16 |
	      (uint64_t)d[51] << 24;
	if ((shift != 9 && shift != 12) || dir >= 0xfffffffaull)
		return NULL;
	at = (dir + 1) << shift;
	if (at + 80 > n)
		return NULL;
	if (memcmp(d + at + 68, "\xff\xff\xff\xff\xff\xff\xff\xff", 8))
		return "the root directory entry has siblings";
	return NULL;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct rd r = { .ctx = ctx, .doc = doc, .max = doc->size };
	const char *bad;
	GsfInput *in;
	GsfInfile *ole;
	GError *ge = NULL;
	int ret;

	if (!doc->size)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "empty message");
	if ((bad = cfb_precheck(doc->data, doc->size)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "damaged Outlook message: %s", bad);
	in = gsf_input_memory_new(doc->data, (gsf_off_t)doc->size, FALSE);
	if (!in)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	ole = gsf_infile_msole_new(in, &ge);
	g_object_unref(in);
	if (!ole) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "damaged Outlook message: %s",
				    ge && ge->message ? ge->message : "not an OLE compound file");
		g_clear_error(&ge);
		return ret;
	}
	ret = read_msg(&r, ole, err);
	g_object_unref(ole);
	if (ret != FOLIO_OK)
		folio_decode_drop_parts(doc);
	return ret;
}

const struct folio_decoder folio_decoder_outlook = {
	.name = "outlook",
	.bid = bid,
	.decode = decode,
};
