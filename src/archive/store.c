/*
 * store.c - content-addressed originals: store/ab/cd/<sha256>.
 *
 * Written by temp file + fsync + rename + fsync of the folder, before the
 * database row that names it commits: a crash leaves at worst an orphan
 * blob (harmless, found by re-hashing the store), never a row without its
 * original.
 */
#include "archive_private.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
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

long long folio_store_cleanup(struct folio_archive *arc)
{
	DIR *d1 = opendir(arc->store_dir), *d2, *d3;
	struct dirent *e1, *e2, *e3;
	long long n = 0;

	if (!d1)
		return 0;
	while ((e1 = readdir(d1))) {
		char p2[4400], p3[4700], f[5000];

		if (e1->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "%s/%s", arc->store_dir, e1->d_name);
		if (!(d2 = opendir(p2)))
			continue;
		while ((e2 = readdir(d2))) {
			if (e2->d_name[0] == '.')
				continue;
			snprintf(p3, sizeof(p3), "%s/%s", p2, e2->d_name);
			if (!(d3 = opendir(p3)))
				continue;
			while ((e3 = readdir(d3))) {
				if (!stale_temp(e3->d_name))
					continue;
				snprintf(f, sizeof(f), "%s/%s", p3, e3->d_name);
				if (!unlink(f))
					n++;
			}
			closedir(d3);
		}
		closedir(d2);
	}
	closedir(d1);
	return n;
}
