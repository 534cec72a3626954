/* err.c - error records; see include/folio/err.h. */
#include "folio/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int folio_err_set(struct folio_err *err, int status, enum folio_err_kind kind, int sys_errno,
		  const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->kind = kind;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

void folio_err_clear(struct folio_err *err)
{
	if (!err)
		return;
	err->kind = FOLIO_E_NONE;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

const char *folio_err_kind_name(enum folio_err_kind kind)
{
	static const char *const names[] = {
		[FOLIO_E_NONE] = "none",
		[FOLIO_E_IO] = "io",
		[FOLIO_E_INPUT] = "input",
		[FOLIO_E_TYPE] = "type",
		[FOLIO_E_LIMIT] = "limit",
		[FOLIO_E_OCR] = "ocr",
		[FOLIO_E_DB] = "db",
		[FOLIO_E_CONFIG] = "config",
		[FOLIO_E_USAGE] = "usage",
		[FOLIO_E_NOMEM] = "nomem",
		[FOLIO_E_NOTFOUND] = "notfound",
		[FOLIO_E_REFUSED] = "refused",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "unknown";
	return names[kind];
}
