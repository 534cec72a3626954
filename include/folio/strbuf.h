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

#define FOLIO_STRBUF_INIT { NULL, 0, 0 }

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
void folio_strbuf_reset(struct folio_strbuf *sb);
/* Hand the buffer to the caller (never NULL: "" when empty, or NULL on
 * ENOMEM) and reset sb. */
char *folio_strbuf_detach(struct folio_strbuf *sb);
/* Free the buffer; sb becomes empty. Accepts a zeroed struct. */
void folio_strbuf_release(struct folio_strbuf *sb);

#endif
