/*
 * store.c - content-addressed originals: store/ab/cd/<sha256>.
 *
 * Written by temp file + fsync + rename + fsync of the folder, before the
 * database row that names it commits: a crash leaves at worst an orphan
 * blob (harmless, found by re-hashing the store), never a row without its
 * original.
 */
#include "sqlite_private.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/util.h"

char *sq_blob_path(const struct folio_store *arc, const char *sha256)
{
	size_t n = strlen(arc->store_dir) + 80;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%.2s/%.2s/%s", arc->store_dir, sha256, sha256 + 2, sha256);
	return p;
}

int folio_store_put(struct folio_store *arc, const char *sha256, const void *data, size_t len,
		    struct folio_err *err)
{
	char *path = sq_blob_path(arc, sha256), *slash;
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
	ret = folio_mkdirs(path, arc->dir_mode, err);
	*slash = '/';
	if (ret == FOLIO_OK)
		ret = folio_write_file_atomic_by(path, data, len, (int)arc->blob_mode, "store",
						 err);
	free(path);
	return ret;
}

/* "<sha>.tmp.<pid>" whose pid no longer runs */
static int stale_temp(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	char *end;
	long pid;

	if (!t || t - name != 64)
		return 0;
	pid = strtol(t + 5, &end, 10);
	if (*end || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

int folio_store_walk(struct folio_store *arc,
		     void (*fn)(void *ctx, const char *d1, const char *d2, const char *name,
				const char *path),
		     void *ctx)
{
	DIR *top = opendir(arc->store_dir), *mid, *leaf;
	struct dirent *e1, *e2, *e3;

	if (!top)
		return -1;
	while ((e1 = readdir(top))) {
		char p1[4400], p2[4700], p3[5000];

		if (e1->d_name[0] == '.')
			continue;
		snprintf(p1, sizeof(p1), "%s/%s", arc->store_dir, e1->d_name);
		if (!(mid = opendir(p1))) {
			fn(ctx, NULL, NULL, e1->d_name, p1);
			continue;
		}
		while ((e2 = readdir(mid))) {
			if (e2->d_name[0] == '.')
				continue;
			snprintf(p2, sizeof(p2), "%s/%s", p1, e2->d_name);
			if (!(leaf = opendir(p2))) {
				fn(ctx, NULL, NULL, e2->d_name, p2);
				continue;
			}
			while ((e3 = readdir(leaf))) {
				if (e3->d_name[0] == '.')
					continue;
				snprintf(p3, sizeof(p3), "%s/%s", p2, e3->d_name);
				fn(ctx, e1->d_name, e2->d_name, e3->d_name, p3);
			}
			closedir(leaf);
		}
		closedir(mid);
	}
	closedir(top);
	return 0;
}

static void remove_stale(void *ctx, const char *d1, const char *d2, const char *name,
			 const char *path)
{
	long long *n = ctx;

	(void)d1;
	(void)d2;
	if (stale_temp(name) && !unlink(path))
		(*n)++;
}

long long sq_store_cleanup(struct folio_store *arc)
{
	long long n = 0;

	folio_store_walk(arc, remove_stale, &n);
	return n;
}
