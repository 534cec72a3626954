/*
 * store.c - content-addressed originals: store/ab/cd/<sha256>.
 *
 * Written by temp file + fsync + rename + fsync of the folder, before the
 * database row that names it commits: a crash leaves at worst an orphan
 * blob (harmless, found by re-hashing the store), never a row without its
 * original.
 */
#include "archive_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/util.h"

char *folio_archive_blob_path(const struct folio_archive *arc, const char *sha256)
{
	size_t n = strlen(arc->store_dir) + 80;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%.2s/%.2s/%s", arc->store_dir, sha256, sha256 + 2, sha256);
	return p;
}

int folio_store_put(struct folio_archive *arc, const char *sha256, const void *data,
		    size_t len, struct folio_err *err)
{
	char *path = folio_archive_blob_path(arc, sha256), *slash;
	struct stat st;
	int ret;

	if (!path)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (!stat(path, &st) && (size_t)st.st_size == len) {
		free(path);
		return FOLIO_OK;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	ret = folio_mkdirs(path, 0755, err);
	*slash = '/';
	if (ret == FOLIO_OK)
		ret = folio_write_file_atomic(path, data, len, 0444, err);
	free(path);
	return ret;
}
