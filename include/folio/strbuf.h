/*
 * strbuf.h - growable NUL-terminated byte buffers (after git's strbuf).
 *
 * A zero-initialised struct (or FOLIO_STRBUF_INIT) is an empty buffer;
 * buf is never NULL after the first successful add. All adders return 0,
 * or -1 when memory ran out (the buffer is then unchanged).
 */
#ifndef FOLIO_STRBUF_H
#define FOLIO_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct folio_strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define FOLIO_STRBUF_INIT  \
	{                  \
		NULL, 0, 0 \
	}

int folio_strbuf_grow(struct folio_strbuf *sb, size_t extra);
int folio_strbuf_add(struct folio_strbuf *sb, const void *data, size_t len);
int folio_strbuf_adds(struct folio_strbuf *sb, const char *s);
int folio_strbuf_addch(struct folio_strbuf *sb, int c);
int folio_strbuf_addf(struct folio_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int folio_strbuf_vaddf(struct folio_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append `s` as a JSON string literal, quotes included. Invalid UTF-8
 * bytes are replaced by U+FFFD so the output is always valid JSON. */
int folio_strbuf_add_json(struct folio_strbuf *sb, const char *s);
/* 1 when `s` is valid UTF-8 (no overlongs, surrogates or bytes past U+10FFFF). */
int folio_utf8_valid(const char *s);
/*
 * JSON can only carry text: a path that is not valid UTF-8 loses its bad
 * bytes to U+FFFD in folio_strbuf_add_json(). Append `,"KEY":"BASE64"`
 * (RFC 4648 base64 of the exact bytes of `s`) when `s` is not valid UTF-8,
 * nothing when it is; so `path` keeps its old form and `path_bytes` names
 * the file. */
int folio_strbuf_add_json_bytes(struct folio_strbuf *sb, const char *key, const char *s);
/*
 * Append a file name for one line of a terminal, as git quotes paths: as it
 * is when it is valid UTF-8 without control characters, '"' or '\';
 * otherwise in double quotes with C escapes (\n, \t, \", \\, and \ooo
 * octal for other control bytes, C1 controls and bytes that are not UTF-8).
 * The result never holds a control character, and a quoted name can be
 * told from a plain one by its first '"'.
 */
int folio_strbuf_add_quoted(struct folio_strbuf *sb, const char *s);
/*
 * Append free text (a reason) on one line: control characters, C1
 * controls and bytes that are not UTF-8 become C escapes as above; '"'
 * and '\' stay as they are, and no quotes are added.
 */
int folio_strbuf_add_escaped(struct folio_strbuf *sb, const char *s);
void folio_strbuf_reset(struct folio_strbuf *sb);
/* Hand the buffer to the caller (never NULL: "" when empty, or NULL on
 * ENOMEM) and reset sb. */
char *folio_strbuf_detach(struct folio_strbuf *sb);
/* Free the buffer; sb becomes empty. Accepts a zeroed struct. */
void folio_strbuf_release(struct folio_strbuf *sb);

#endif
