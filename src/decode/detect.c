/* detect.c - libmagic on content; see include/folio/detect.h. */
#include "folio/detect.h"

#include <errno.h>
#include <magic.h>
#include <stdlib.h>
#include <string.h>

struct folio_detect {
	magic_t m;
};

struct folio_detect *folio_detect_new(struct folio_err *err)
{
	struct folio_detect *d = calloc(1, sizeof(*d));

	if (!d) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	/* no decompression, no following of compressed content: we want the
	 * outer type, and libmagic must not spend time on hostile input */
	d->m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
			  MAGIC_NO_CHECK_ELF);
	if (!d->m || magic_load(d->m, NULL)) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_TYPE, 0,
			      "cannot load libmagic database: %s",
			      d->m ? magic_error(d->m) : "magic_open failed");
		folio_detect_free(d);
		return NULL;
	}
	return d;
}

void folio_detect_free(struct folio_detect *d)
{
	if (!d)
		return;
	if (d->m)
		magic_close(d->m);
	free(d);
}

int folio_detect_doc(struct folio_detect *d, struct folio_doc *doc, struct folio_err *err)
{
	const char *mime;

	if (!doc->data || doc->size == 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "empty file (0 bytes)");
	mime = magic_buffer(d->m, doc->data, doc->size);
	if (!mime)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_TYPE, 0,
				     "cannot detect the content type: %s", magic_error(d->m));
	if (folio_doc_set_str(&doc->mime, mime))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}
