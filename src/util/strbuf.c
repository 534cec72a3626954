/* strbuf.c - growable buffers; see include/folio/strbuf.h. */
#include "folio/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int folio_strbuf_grow(struct folio_strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - sb->len - 1)
		return -1;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(sb->buf, cap);
	if (!p)
		return -1;
	if (!sb->buf)
		p[0] = '\0';
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

int folio_strbuf_add(struct folio_strbuf *sb, const void *data, size_t len)
{
	if (folio_strbuf_grow(sb, len))
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int folio_strbuf_adds(struct folio_strbuf *sb, const char *s)
{
	return folio_strbuf_add(sb, s, strlen(s));
}

int folio_strbuf_addch(struct folio_strbuf *sb, int c)
{
	char ch = (char)c;

	return folio_strbuf_add(sb, &ch, 1);
}

int folio_strbuf_vaddf(struct folio_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (folio_strbuf_grow(sb, 64))
		return -1;
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if ((size_t)n >= sb->cap - sb->len) {
		if (folio_strbuf_grow(sb, (size_t)n))
			return -1;
		va_copy(cp, ap);
		n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
		va_end(cp);
		if (n < 0)
			return -1;
	}
	sb->len += (size_t)n;
	return 0;
}

int folio_strbuf_addf(struct folio_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = folio_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0;
		if (s[0] == 0xed && s[1] > 0x9f)
			return 0; /* surrogates */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xf0 && s[1] < 0x90)
			return 0;
		if (s[0] == 0xf4 && s[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

int folio_strbuf_add_json(struct folio_strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	if (folio_strbuf_addch(sb, '"'))
		return -1;
	while (*p) {
		int r = 0;

		switch (*p) {
		case '"': r = folio_strbuf_adds(sb, "\\\""); break;
		case '\\': r = folio_strbuf_adds(sb, "\\\\"); break;
		case '\n': r = folio_strbuf_adds(sb, "\\n"); break;
		case '\r': r = folio_strbuf_adds(sb, "\\r"); break;
		case '\t': r = folio_strbuf_adds(sb, "\\t"); break;
		case '\f': r = folio_strbuf_adds(sb, "\\f"); break;
		case '\b': r = folio_strbuf_adds(sb, "\\b"); break;
		default:
			if (*p < 0x20) {
				r = folio_strbuf_addf(sb, "\\u%04x", *p);
				break;
			}
			n = utf8_len(p);
			if (!n) {
				r = folio_strbuf_adds(sb, "\xef\xbf\xbd");
				p++;
				if (r)
					return -1;
				continue;
			}
			r = folio_strbuf_add(sb, p, n);
			p += n;
			if (r)
				return -1;
			continue;
		}
		if (r)
			return -1;
		p++;
	}
	return folio_strbuf_addch(sb, '"');
}

void folio_strbuf_reset(struct folio_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *folio_strbuf_detach(struct folio_strbuf *sb)
{
	char *p = sb->buf;

	if (!p)
		p = calloc(1, 1);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void folio_strbuf_release(struct folio_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int folio_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

int folio_strbuf_add_json_bytes(struct folio_strbuf *sb, const char *key, const char *s)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i;
	char q[4];

	if (!s || folio_utf8_valid(s))
		return 0;
	len = strlen(s);
	if (folio_strbuf_addf(sb, ",\"%s\":\"", key) || folio_strbuf_grow(sb, len / 3 * 4 + 6))
		return -1;
	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		if (folio_strbuf_add(sb, q, 4))
			return -1;
	}
	return folio_strbuf_addch(sb, '"');
}

/* Length of the UTF-8 character at p when it is printable: 0 for a control
 * character (C0, DEL, C1) or a byte that starts no valid sequence. */
static size_t printable_len(const unsigned char *p)
{
	size_t n;

	if (*p < 0x20 || *p == 0x7f)
		return 0;
	n = utf8_len(p);
	/* C1 controls U+0080..U+009F: some terminals obey them as escapes */
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	return n;
}

/* The C escape of one byte that cannot be shown as it is. */
static int add_byte_escape(struct folio_strbuf *sb, unsigned char c)
{
	switch (c) {
	case '\a': return folio_strbuf_adds(sb, "\\a");
	case '\b': return folio_strbuf_adds(sb, "\\b");
	case '\t': return folio_strbuf_adds(sb, "\\t");
	case '\n': return folio_strbuf_adds(sb, "\\n");
	case '\v': return folio_strbuf_adds(sb, "\\v");
	case '\f': return folio_strbuf_adds(sb, "\\f");
	case '\r': return folio_strbuf_adds(sb, "\\r");
	default: return folio_strbuf_addf(sb, "\\%03o", c);
	}
}

/* quote: a file name (escape '"' and '\\' too, in quotes when needed) */
static int add_escaped(struct folio_strbuf *sb, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int need = 0;

	if (quote) {
		const unsigned char *q;

		for (q = p; *q && !need;) {
			size_t n = printable_len(q);

			need = !n || *q == '"' || *q == '\\';
			q += n ? n : 1;
		}
		if (!need)
			return folio_strbuf_adds(sb, (const char *)p);
		if (folio_strbuf_addch(sb, '"'))
			return -1;
	}
	while (*p) {
		size_t n = printable_len(p);
		int r;

		if (!n) {
			r = add_byte_escape(sb, *p);
			n = 1;
		} else if (quote && (*p == '"' || *p == '\\')) {
			r = folio_strbuf_addch(sb, '\\') || folio_strbuf_addch(sb, *p);
		} else {
			r = folio_strbuf_add(sb, p, n);
		}
		if (r)
			return -1;
		p += n;
	}
	return quote ? folio_strbuf_addch(sb, '"') : 0;
}

int folio_strbuf_add_quoted(struct folio_strbuf *sb, const char *s)
{
	return add_escaped(sb, s, 1);
}

int folio_strbuf_add_escaped(struct folio_strbuf *sb, const char *s)
{
	return add_escaped(sb, s, 0);
}
