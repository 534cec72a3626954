/* archive_private.h - what the archive's files share. */
#ifndef FOLIO_ARCHIVE_PRIVATE_H
#define FOLIO_ARCHIVE_PRIVATE_H

#include <sqlite3.h>

#include "folio/archive.h"

struct folio_archive {
	char *dir;
	char *store_dir;
	sqlite3 *db;
	int rdonly;
};

/* Register the "folio" FTS5 tokenizer on a connection. */
int folio_fts_register(sqlite3 *db);

/* Fill err from the connection's last error; returns FOLIO_FAILED. */
int folio_db_err(struct folio_archive *arc, struct folio_err *err, const char *what);

/* Write the original bytes to the store unless already there. */
int folio_store_put(struct folio_archive *arc, const char *sha256, const void *data,
		    size_t len, struct folio_err *err);

#endif
