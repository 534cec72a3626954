/* json.c - folio's JSON: the writer every JSON output goes through
 * (folio_json_*) and the reader of its stored lists (folio_json_rows());
 * see include/folio/util.h. */
#include "folio/util.h"

#include <ctype.h>
#include <stdio.h>
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
		*v = *v << 4 | (unsigned)(isdigit((unsigned char)p[i]) ?
						  p[i] - '0' :
						  (tolower((unsigned char)p[i]) - 'a' + 10));
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
		case '"':
		case '\\':
		case '/': e = folio_strbuf_addch(&sb, *s); break;
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
		default: goto bad;
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

int folio_json_rows(const char *json, int (*row)(void *ctx, struct folio_json_pair *kv, size_t n),
		    void *ctx)
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

/* ---- the writer ---------------------------------------------------------- */

void folio_json_init(struct folio_json *j, struct folio_strbuf *sb)
{
	j->sb = sb;
	j->first = 1;
	j->err = 0;
}

/* ',' before every member but the first, then "key": when there is one */
static void member(struct folio_json *j, const char *key)
{
	if (!j->first)
		j->err |= folio_strbuf_addch(j->sb, ',') != 0;
	j->first = 0;
	if (key)
		j->err |= folio_strbuf_add_json(j->sb, key) || folio_strbuf_addch(j->sb, ':');
}

void folio_json_open(struct folio_json *j, const char *key, int brace)
{
	member(j, key);
	j->err |= folio_strbuf_addch(j->sb, brace) != 0;
	j->first = 1;
}

void folio_json_close(struct folio_json *j, int brace)
{
	j->err |= folio_strbuf_addch(j->sb, brace) != 0;
	j->first = 0;
}

void folio_json_str(struct folio_json *j, const char *key, const char *v)
{
	member(j, key);
	j->err |= (v ? folio_strbuf_add_json(j->sb, v) : folio_strbuf_adds(j->sb, "null")) != 0;
}

void folio_json_str_if(struct folio_json *j, const char *key, const char *v)
{
	if (v)
		folio_json_str(j, key, v);
}

void folio_json_int(struct folio_json *j, const char *key, long long v)
{
	member(j, key);
	j->err |= folio_strbuf_addf(j->sb, "%lld", v) != 0;
}

void folio_json_real(struct folio_json *j, const char *key, double v, int decimals)
{
	member(j, key);
	/* JSON has no NaN or infinity */
	if (v != v || v > 1e300 || v < -1e300)
		j->err |= folio_strbuf_adds(j->sb, "null") != 0;
	else
		j->err |= folio_strbuf_addf(j->sb, "%.*f", decimals, v) != 0;
}

void folio_json_bool(struct folio_json *j, const char *key, int v)
{
	member(j, key);
	j->err |= folio_strbuf_adds(j->sb, v ? "true" : "false") != 0;
}

void folio_json_null(struct folio_json *j, const char *key)
{
	member(j, key);
	j->err |= folio_strbuf_adds(j->sb, "null") != 0;
}

void folio_json_decimal(struct folio_json *j, const char *key, const char *v)
{
	const char *p = v, *int_s, *frac_s = NULL;
	size_t int_n = 0, frac_n = 0;
	int neg = 0, e = 0;

	member(j, key);
	if (!v)
		goto null;
	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int_s = p;
	while (isdigit((unsigned char)*p))
		p++, int_n++;
	if (*p == '.') {
		frac_s = ++p;
		while (isdigit((unsigned char)*p))
			p++, frac_n++;
	}
	while (*p == ' ')
		p++;
	if (*p || (!int_n && !frac_n))
		goto null;
	while (int_n > 1 && *int_s == '0')
		int_s++, int_n--;
	if (neg)
		e |= folio_strbuf_addch(j->sb, '-');
	if (int_n)
		e |= folio_strbuf_add(j->sb, int_s, int_n);
	else
		e |= folio_strbuf_addch(j->sb, '0');
	if (frac_n)
		e |= folio_strbuf_addch(j->sb, '.') || folio_strbuf_add(j->sb, frac_s, frac_n);
	j->err |= e != 0;
	return;
null:
	j->err |= folio_strbuf_adds(j->sb, "null") != 0;
}

void folio_json_path(struct folio_json *j, const char *key, const char *path)
{
	char bkey[64];

	folio_json_str(j, key, path);
	if (path &&
	    snprintf(bkey, sizeof(bkey), "%s_bytes", key ? key : "path") < (int)sizeof(bkey))
		j->err |= folio_strbuf_add_json_bytes(j->sb, bkey, path) != 0;
}

void folio_json_raw(struct folio_json *j, const char *key, const char *json)
{
	member(j, key);
	j->err |= folio_strbuf_adds(j->sb, json) != 0;
}
