/*
 * tnef.c - TNEF (MS-OXTNEF): the "winmail.dat" Outlook attaches to a
 * message as application/ms-tnef, holding the message's body and its real
 * attachments.
 *
 * folio reads TNEF itself rather than with libytnef: the format is a flat
 * list of checksummed attributes, and libytnef writes its complaints about
 * a damaged stream to standard output, where `folio ingest --json` writes
 * its records. Every length is checked against what is left, every
 * attribute's checksum is checked, and nothing is copied but the
 * attachments' bytes.
 *
 * Inside an e-mail (mail.c calls folio_tnef_expand) the attachments become
 * the message's own attachments and the TNEF's body its text when it has
 * none; a winmail.dat found on its own is a message document (the subject,
 * the date sent, the sender and body its MAPI properties give) with its
 * attachments as children. An attachment's name is PR_ATTACH_LONG_FILENAME,
 * else its 8.3 title. An embedded message (PR_ATTACH_DATA_OBJ: its own TNEF
 * stream) is an attachment NAME.dat, a winmail.dat one level deeper. Refused with a reason: no TNEF signature, an
 * attribute running past the end, a checksum mismatch, more attachments
 * than max_mail_parts.
 */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#define TNEF_SIGNATURE 0x223E9F78u

/* attribute ids (MS-OXTNEF 2.1.3.2), without their type */
enum {
	ATT_SUBJECT = 0x8004,
	ATT_DATE_SENT = 0x8005,
	ATT_BODY = 0x800C,
	ATT_ATTACH_DATA = 0x800F,
	ATT_ATTACH_TITLE = 0x8010,
	ATT_ATTACH_REND = 0x9002,
	ATT_MAPI = 0x9003,
	ATT_ATTACHMENT = 0x9005,
	ATT_CODEPAGE = 0x9007,
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int folio_tnef_magic(const unsigned char *d, size_t n)
{
	return n >= 6 && le32(d) == TNEF_SIGNATURE;
}

struct tnef_att {
	char *name;		   /* g_free */
	const unsigned char *data; /* into the stream */
	size_t n;
	int message; /* data is an embedded message's own TNEF stream */
};

struct tnef {
	struct folio_mapi_msg m;
	int cp;
	struct tnef_att *att; /* g_free */
	size_t natt;
	int max_atts;
	char why[160];
};

static void tnef_release(struct tnef *t)
{
	size_t i;

	for (i = 0; i < t->natt; i++)
		g_free(t->att[i].name);
	g_free(t->att);
	folio_mapi_msg_release(&t->m);
}

/* ---- MAPI properties inside an attribute -------------------------------- */

/* The size of one value of fixed-size type `type`; 0 when variable, -1
 * when unknown. */
static int fixed_size(unsigned type)
{
	switch (type) {
	case 0x0002:
	case 0x0003:
	case 0x0004:
	case 0x000A:
	case 0x000B: return 4;
	case 0x0005:
	case 0x0006:
	case 0x0007:
	case 0x0014:
	case 0x0040: return 8;
	case 0x0048: return 16;
	case 0x001E:
	case 0x001F:
	case 0x0102:
	case 0x000D: return 0;
	default: return -1;
	}
}

typedef void (*prop_fn)(struct tnef *t, int level, uint32_t tag, const unsigned char *v, size_t n);

/* Walk a property list; fn sees each single value. -1 when malformed. */
static int mapi_walk(struct tnef *t, int level, const unsigned char *p, size_t n, prop_fn fn)
{
	size_t i = 4;
	uint32_t count, c;

	if (n < 4)
		return -1;
	count = le32(p);
	if (count > n / 4)
		return -1;
	for (c = 0; c < count; c++) {
		uint32_t tag, vals, v;
		unsigned type, base;
		int fs;

		if (n - i < 4)
			return -1;
		tag = le32(p + i);
		i += 4;
		type = tag & 0xffff;
		base = type & 0x0fff;
		if ((tag >> 16) >= 0x8000) { /* a named property: GUID, kind, id or name */
			if (n - i < 24)
				return -1;
			if (le32(p + i + 16) == 1) {
				uint32_t len = le32(p + i + 20);

				if (len > n - i - 24)
					return -1;
				i += 24 + ((len + 3) & ~3u);
			} else {
				i += 24;
			}
			if (i > n)
				return -1;
		}
		if ((fs = fixed_size(base)) < 0)
			return -1;
		vals = 1;
		if ((type & 0x1000) || fs == 0) {
			if (n - i < 4)
				return -1;
			vals = le32(p + i);
			i += 4;
			if (vals > n)
				return -1;
		}
		for (v = 0; v < vals; v++) {
			size_t len = (size_t)fs;

			if (fs == 0) {
				if (n - i < 4)
					return -1;
				len = le32(p + i);
				i += 4;
			}
			if (len > n - i)
				return -1;
			if (vals == 1 && !(type & 0x1000))
				fn(t, level, tag, p + i, len);
			i += fs == 0 ? ((len + 3) & ~(size_t)3) : len;
			if (i > n)
				i = n;
		}
	}
	return 0;
}

static char *prop_text(const struct tnef *t, uint32_t tag, const unsigned char *v, size_t n)
{
	return (tag & 0xffff) == 0x001F ? folio_mapi_text16(v, n) : folio_mapi_text8(v, n, t->cp);
}

/* Keep the first value of a string property. */
static void keep(char **slot, char *s)
{
	if (*slot || !s || !*s)
		g_free(s);
	else
		*slot = s;
}

static void message_prop(struct tnef *t, int level, uint32_t tag, const unsigned char *v, size_t n)
{
	unsigned id = tag >> 16, type = tag & 0xffff;
	int text = type == 0x001E || type == 0x001F;

	(void)level;
	if (id == 0x0037 && text)
		keep(&t->m.subject, prop_text(t, tag, v, n));
	else if (id == 0x1000 && text)
		keep(&t->m.body, prop_text(t, tag, v, n));
	else if (id == 0x1013 && (text || type == 0x0102))
		keep(&t->m.html,
		     type == 0x001F ? folio_mapi_text16(v, n) : folio_mapi_text8(v, n, t->cp));
	else if (id == 0x1009 && type == 0x0102 && !t->m.rtf) {
		t->m.rtf = g_memdup2(v, n);
		t->m.rtf_n = n;
	} else if (id == 0x0C1A && text)
		keep(&t->m.from, prop_text(t, tag, v, n));
	else if (id == 0x1035 && text)
		keep(&t->m.mid, prop_text(t, tag, v, n));
	else if ((id == 0x0039 || id == 0x0E06) && type == 0x0040 && n == 8 && !t->m.date[0])
		folio_mapi_filetime_date((uint64_t)le32(v + 4) << 32 | le32(v), t->m.date);
}

static void attach_prop(struct tnef *t, int level, uint32_t tag, const unsigned char *v, size_t n)
{
	struct tnef_att *a = &t->att[t->natt - 1];
	unsigned id = tag >> 16, type = tag & 0xffff;

	(void)level;
	if (id == 0x3707 && (type == 0x001E || type == 0x001F)) {
		g_free(a->name); /* the long name over the 8.3 title */
		a->name = prop_text(t, tag, v, n);
	} else if (id == 0x3701 && type == 0x0102 && !a->data) {
		a->data = v;
		a->n = n;
	} else if (id == 0x3701 && type == 0x000D && !a->data && n > 16 &&
		   folio_tnef_magic(v + 16, n - 16)) {
		/* an embedded message (MS-OXTNEF 2.1.3.4.1): IID_IMessage, then
		 * the message's own TNEF stream, read as a winmail.dat of its
		 * own one level deeper */
		a->data = v + 16;
		a->n = n - 16;
		a->message = 1;
	} else if (id == 0x3001 && (type == 0x001E || type == 0x001F) && !a->name) {
		a->name = prop_text(t, tag, v, n); /* an embedded message's display name */
	}
}

/* ---- the attribute stream ------------------------------------------------ */

static int new_attachment(struct tnef *t)
{
	if ((int)t->natt >= t->max_atts) {
		snprintf(t->why, sizeof(t->why), "message has more than max_mail_parts = %d parts",
			 t->max_atts);
		return -3;
	}
	t->att = g_renew(struct tnef_att, t->att, t->natt + 1);
	memset(&t->att[t->natt++], 0, sizeof(*t->att));
	return 0;
}

/* One attribute's data. 0, -1 malformed (why), -3 the part limit. */
static int attribute(struct tnef *t, int level, unsigned id, const unsigned char *d, size_t n)
{
	if (level == 1) {
		if (id == ATT_CODEPAGE && n >= 4)
			t->cp = (int)le32(d);
		else if (id == ATT_SUBJECT)
			keep(&t->m.subject, folio_mapi_text8(d, n, t->cp));
		else if (id == ATT_BODY)
			keep(&t->m.body, folio_mapi_text8(d, n, t->cp));
		else if (id == ATT_DATE_SENT && n >= 6 && !t->m.date[0]) {
			unsigned y = d[0] | d[1] << 8, mo = d[2] | d[3] << 8, dd = d[4] | d[5] << 8;

			if (y >= 1601 && y <= 9999 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31)
				snprintf(t->m.date, sizeof(t->m.date), "%04u-%02u-%02u", y, mo, dd);
		} else if (id == ATT_MAPI && mapi_walk(t, level, d, n, message_prop)) {
			snprintf(t->why, sizeof(t->why),
				 "the message's MAPI properties are damaged");
			return -1;
		}
		return 0;
	}
	if (level != 2)
		return 0;
	if (id == ATT_ATTACH_REND || !t->natt) {
		int r = new_attachment(t);

		if (r || id == ATT_ATTACH_REND)
			return r;
	}
	if (id == ATT_ATTACH_TITLE && !t->att[t->natt - 1].name)
		t->att[t->natt - 1].name = folio_mapi_text8(d, n, t->cp);
	else if (id == ATT_ATTACH_DATA) {
		t->att[t->natt - 1].data = d;
		t->att[t->natt - 1].n = n;
	} else if (id == ATT_ATTACHMENT && mapi_walk(t, level, d, n, attach_prop)) {
		snprintf(t->why, sizeof(t->why), "attachment %zu's MAPI properties are damaged",
			 t->natt);
		return -1;
	}
	return 0;
}

/* Parse the stream into t. 0, -1 not readable (t->why), -3 the limit. */
static int tnef_parse(struct tnef *t, const unsigned char *d, size_t n)
{
	size_t i = 6;

	t->cp = 1252;
	if (!folio_tnef_magic(d, n)) {
		snprintf(t->why, sizeof(t->why), "no TNEF signature");
		return -1;
	}
	while (i < n) {
		uint32_t len, sum = 0, k;
		int level, r;

		if (n - i < 9) {
			snprintf(t->why, sizeof(t->why), "truncated (an attribute at byte %zu)", i);
			return -1;
		}
		level = d[i];
		len = le32(d + i + 5);
		if (len > n - i - 9 || n - i - 9 - len < 2) {
			snprintf(t->why, sizeof(t->why),
				 "truncated (the attribute at byte %zu runs past the end)", i);
			return -1;
		}
		for (k = 0; k < len; k++)
			sum += d[i + 9 + k];
		if ((sum & 0xffff) != (uint32_t)(d[i + 9 + len] | d[i + 10 + len] << 8)) {
			snprintf(t->why, sizeof(t->why),
				 "the attribute at byte %zu fails its checksum", i);
			return -1;
		}
		r = attribute(t, level, le32(d + i + 1) & 0xffff, d + i + 9, len);
		if (r)
			return r;
		i += 9 + (size_t)len + 2;
	}
	return 0;
}

/* The attachments as children of doc; counted in *parts. */
static int add_attachments(struct folio_doc *doc, const struct tnef *t, int *parts)
{
	size_t i;

	for (i = 0; i < t->natt; i++) {
		const struct tnef_att *a = &t->att[i];
		unsigned char *copy;
		char name[256], base[200];

		if (!a->data)
			continue; /* an attachment by reference: no bytes */
		folio_mail_clean_name(a->name, *parts + 1, "", base, sizeof(base));
		snprintf(name, sizeof(name), "%s%s", base, a->message ? ".dat" : "");
		if (!(copy = malloc(a->n ? a->n : 1)))
			return -2;
		memcpy(copy, a->data, a->n);
		if (!folio_decode_part(doc, name, copy, a->n, NULL))
			return -2;
		(*parts)++;
	}
	return 0;
}

int folio_tnef_expand(struct folio_decode_ctx *ctx, struct folio_doc *doc, const unsigned char *d,
		      size_t n, int *parts, char **body, char *why, size_t whysize)
{
	struct tnef t = { .max_atts = ctx->cfg->max_mail_parts - *parts };
	int r = tnef_parse(&t, d, n);

	*body = NULL;
	if (r) {
		snprintf(why, whysize, "%s", t.why);
	} else if ((r = add_attachments(doc, &t, parts)) == 0) {
		if (t.m.body && *t.m.body) {
			*body = t.m.body;
			t.m.body = NULL;
		} else if (t.m.html || t.m.rtf) {
			struct folio_strbuf sb = FOLIO_STRBUF_INIT;

			g_free(t.m.body);
			t.m.body = NULL;
			if (folio_mapi_body(&t.m, &sb))
				r = -2;
			else if (sb.len && !(*body = g_strdup(sb.buf)))
				r = -2;
			folio_strbuf_release(&sb);
		}
	}
	tnef_release(&t);
	return r;
}

/* ---- a winmail.dat on its own -------------------------------------------- */

/* The signature decides, above the PDF decoder's bid (an attachment near
 * the start puts "%PDF-" where it looks). */
static int bid(const char *mime, const unsigned char *data, size_t size)
{
	if (folio_tnef_magic(data, size))
		return 110;
	return mime && (!strcmp(mime, "application/vnd.ms-tnef") ||
			!strcmp(mime, "application/ms-tnef")) ?
		       90 :
		       0;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct tnef t = { .max_atts = ctx->cfg->max_mail_parts };
	int parts = 0, r = tnef_parse(&t, doc->data, doc->size), ret;

	if (r == -3)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0, "%s", t.why);
	else if (r)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "damaged TNEF: %s", t.why);
	else if (t.natt && doc->depth >= ctx->cfg->max_archive_depth)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				    "message with attachments nested deeper than "
				    "max_archive_depth = %d",
				    ctx->cfg->max_archive_depth);
	else if (add_attachments(doc, &t, &parts))
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	else
		ret = folio_mapi_message_doc(ctx, doc, &t.m, "application/vnd.ms-tnef", err);
	if (ret != FOLIO_OK)
		folio_decode_drop_parts(doc);
	tnef_release(&t);
	return ret;
}

const struct folio_decoder folio_decoder_tnef = {
	.name = "tnef",
	.bid = bid,
	.decode = decode,
};
