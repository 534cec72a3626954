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
	int busy_ms;           /* how long a statement waits for another writer */
};

/* Create an archive at schema `version` (older than the current one),
 * for tests of the upgrade path. Not thread-safe. */
int folio_archive_create_version(const char *dir, int version, struct folio_err *err);

/* Register the "folio" FTS5 tokenizer on a connection. */
int folio_fts_register(sqlite3 *db);

/* Fill err from the connection's last error; returns FOLIO_FAILED. */
int folio_db_err(struct folio_archive *arc, struct folio_err *err, const char *what);

/* Write the original bytes to the store unless already there. */
int folio_store_put(struct folio_archive *arc, const char *sha256, const void *data,
		    size_t len, struct folio_err *err);

/*
 * Visit every entry of the store's two folder levels: fn gets the two
 * folder names ("ab", "cd"; NULL for an entry that should have been a
 * folder), the entry's name and its full path. Returns -1 when the store
 * folder itself cannot be read.
 */
int folio_store_walk(struct folio_archive *arc,
		     void (*fn)(void *ctx, const char *d1, const char *d2, const char *name,
				const char *path),
		     void *ctx);

/* `folio verify`'s export part: every batch's kept copies present and
 * unchanged, no batch left pending. Calls fn per problem; returns the
 * number of problems. */
long long folio_ledger_verify(struct folio_archive *arc,
			      void (*fn)(void *arg, const char *problem), void *arg);

#endif
