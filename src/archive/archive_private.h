/* archive_private.h - the archive handle, shared by the interface's
 * dispatch (archive.c) and folio migrate (migrate.c), which drives two
 * backends at once. Nothing outside src/archive/ includes it. */
#ifndef FOLIO_ARCHIVE_PRIVATE_H
#define FOLIO_ARCHIVE_PRIVATE_H

#include "folio/archive.h"

struct folio_archive {
	const struct folio_store_ops *ops;
	struct folio_store *st;
};

#endif
