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
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
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
