/*
 * err.h - status codes and the error record every fallible folio call fills.
 *
 * Modelled on libarchive's two failure levels: FOLIO_FAILED means "this
 * document cannot go on" (quarantine it and continue with the next one);
 * FOLIO_FATAL means "nothing can go on" (out of memory, archive unusable).
 * FOLIO_WARN means the result is degraded but usable.
 *
 * Every function that can fail returns one of these and takes a trailing
 * `struct folio_err *err` that may be NULL. The message is a short
 * lowercase sentence a scanning-station operator can read.
 */
#ifndef FOLIO_ERR_H
#define FOLIO_ERR_H

#include <stddef.h>

enum {
	FOLIO_OK = 0,
	FOLIO_WARN = 1,
	FOLIO_FAILED = -1,
	FOLIO_FATAL = -2,
};

/* Which stage produced the error; shown in quarantine reasons. */
enum folio_err_kind {
	FOLIO_E_NONE = 0,
	FOLIO_E_IO,	/* reading or writing a file failed */
	FOLIO_E_INPUT,	/* the input is corrupt, empty, encrypted, ... */
	FOLIO_E_TYPE,	/* unsupported content type */
	FOLIO_E_LIMIT,	/* a configured bound (pages, pixels, bytes) hit */
	FOLIO_E_OCR,	/* Tesseract failed */
	FOLIO_E_DB,	/* SQLite failed */
	FOLIO_E_CONFIG, /* bad configuration */
	FOLIO_E_USAGE,	/* bad command-line use */
	FOLIO_E_NOMEM,
	FOLIO_E_NOTFOUND,
	FOLIO_E_REFUSED, /* an export format cannot carry this document */
};

#define FOLIO_ERR_MSG_MAX 512

struct folio_err {
	enum folio_err_kind kind;
	int sys_errno; /* errno when relevant, else 0 */
	char msg[FOLIO_ERR_MSG_MAX];
};

/*
 * Fill `err` (if not NULL) with a formatted message. Returns `status` so a
 * caller can write `return folio_err_set(err, FOLIO_FAILED, ...)`. A later
 * call overwrites an earlier one.
 */
int folio_err_set(struct folio_err *err, int status, enum folio_err_kind kind, int sys_errno,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reset `err` to "no error". Accepts NULL. */
void folio_err_clear(struct folio_err *err);

/* Stable lowercase name of a kind, e.g. "input", "limit". */
const char *folio_err_kind_name(enum folio_err_kind kind);

#endif
