/* json.c - folio's JSON lists; see folio_json_rows() in include/folio/util.h. */
#include "folio/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* 0, or -1 when memory ran out */
static int put_utf8(struct folio_strbuf *sb, unsigned cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return folio_strbuf_add(sb, b, n);
}

static int hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		*v = *v << 4 | (unsigned)(isdigit((unsigned char)p[i]) ? p[i] - '0'
							      : (tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return 0;
}

/* A JSON string at *p (at the quote); returns a heap copy, or NULL when
 * it is not one or, with *nomem set, when memory ran out. */
static char *jstring(const char **p, int *nomem)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *s = *p;
	unsigned cp, lo;
	int e = 0;

	if (*s++ != '"')
		return NULL;
	for (; *s && *s != '"' && !e; s++) {
		if (*s != '\\') {
			e = folio_strbuf_addch(&sb, *s);
			continue;
		}
		switch (*++s) {
		case 'n': e = folio_strbuf_addch(&sb, '\n'); break;
		case 't': e = folio_strbuf_addch(&sb, '\t'); break;
		case 'r': e = folio_strbuf_addch(&sb, '\r'); break;
		case 'b': e = folio_strbuf_addch(&sb, '\b'); break;
		case 'f': e = folio_strbuf_addch(&sb, '\f'); break;
		case '"': case '\\': case '/': e = folio_strbuf_addch(&sb, *s); break;
		case 'u':
			if (hex4(s + 1, &cp))
				goto bad;
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && s[1] == '\\' && s[2] == 'u' &&
			    !hex4(s + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			e = put_utf8(&sb, cp);
			break;
		default:
			goto bad;
		}
	}
	if (e || (!sb.buf && folio_strbuf_adds(&sb, ""))) {
		*nomem = 1;
		goto bad;
	}
	if (*s != '"')
		goto bad;
	*p = s + 1;
	return folio_strbuf_detach(&sb);
bad:
	folio_strbuf_release(&sb);
	return NULL;
}

int folio_json_rows(const char *json,
		    int (*row)(void *ctx, struct folio_json_pair *kv, size_t n), void *ctx)
{
	struct folio_json_pair kv[FOLIO_JSON_PAIRS_MAX];
	const char *p = json;
	size_t n, i;
	int r = 0, nomem = 0;

	skip_ws(&p);
	if (*p++ != '[')
		return -1;
	skip_ws(&p);
	if (*p == ']')
		return 0;
	for (;;) {
		skip_ws(&p);
		if (*p++ != '{')
			return -1;
		n = 0;
		skip_ws(&p);
		while (*p != '}') {
			char *k, *v;

			if (!(k = jstring(&p, &nomem)))
				goto bad;
			skip_ws(&p);
			if (*p++ != ':' || (skip_ws(&p), !(v = jstring(&p, &nomem)))) {
				free(k);
				goto bad;
			}
			if (n < sizeof(kv) / sizeof(kv[0])) {
				kv[n].key = k;
				kv[n++].value = v;
			} else {
				free(k);
				free(v);
			}
			skip_ws(&p);
			if (*p == ',')
				p++, skip_ws(&p);
			else if (*p != '}')
				goto bad;
		}
		p++;
		r = row(ctx, kv, n);
		for (i = 0; i < n; i++)
			free(kv[i].key), free(kv[i].value);
		if (r)
			return -2;
		skip_ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		skip_ws(&p);
		return *p == ']' ? 0 : -1;
bad:
		for (i = 0; i < n; i++)
			free(kv[i].key), free(kv[i].value);
		return nomem ? -2 : -1;
	}
}

const char *folio_json_get(const struct folio_json_pair *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kv[i].key && !strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}
