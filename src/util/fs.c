/* fs.c - file, time and text helpers; see include/folio/util.h. */
#include "folio/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int folio_read_file(const char *path, uint64_t max_bytes, unsigned char **data,
		    size_t *size, struct folio_err *err)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0, cap;
	int fd, ret = FOLIO_FAILED;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				     "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot stat '%s': %s",
			      path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "'%s' is not a regular file",
			      path);
		goto out;
	}
	if ((uint64_t)st.st_size > max_bytes) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
			      "file is %lld bytes, more than max_file_bytes = %llu",
			      (long long)st.st_size, (unsigned long long)max_bytes);
		goto out;
	}
	/* the file may grow while we read: read to EOF but never past the bound */
	cap = (size_t)st.st_size + 1;
	if (!(buf = malloc(cap))) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (got == cap) {
			unsigned char *nb;

			if ((uint64_t)cap > max_bytes) {
				folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					      "file grew beyond max_file_bytes = %llu while reading",
					      (unsigned long long)max_bytes);
				goto out;
			}
			cap *= 2;
			if (!(nb = realloc(buf, cap))) {
				folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, ENOMEM,
					      "out of memory");
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot read '%s': %s",
				      path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*data = buf;
	*size = got;
	buf = NULL;
	ret = FOLIO_OK;
out:
	free(buf);
	close(fd);
	return ret;
}

int folio_fsync_dir(const char *path, struct folio_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				     "cannot open folder '%s': %s", path, strerror(errno));
	if (fsync(fd) && errno != EINVAL) {
		int e = errno;
		close(fd);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e,
				     "cannot sync folder '%s': %s", path, strerror(e));
	}
	close(fd);
	return FOLIO_OK;
}

int folio_fault(const char *point)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct { char name[64]; long fired; } seen[16];
	const char *f = getenv("FOLIO_FAULT"), *p;
	size_t n = strlen(point), i;
	long limit = -1;
	int hit = 0;

	if (!f || !*f)
		return 0;
	for (p = f; (p = strstr(p, point)); p += n)
		if ((p == f || p[-1] == ',') && (!p[n] || p[n] == ',' || p[n] == ':'))
			break;
	if (!p)
		return 0;
	if (p[n] == ':')
		limit = strtol(p + n + 1, NULL, 10);
	if (limit < 0)
		return 1;
	pthread_mutex_lock(&mu);
	for (i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		if (!seen[i].name[0])
			snprintf(seen[i].name, sizeof(seen[i].name), "%s", point);
		if (!strcmp(seen[i].name, point)) {
			hit = seen[i].fired < limit;
			seen[i].fired += hit;
			break;
		}
	}
	pthread_mutex_unlock(&mu);
	return hit;
}

/* 1 when fault point "WHO-WHAT" is to fire (WHO may be NULL: never). */
static int fault_by(const char *who, const char *what)
{
	char point[64];

	if (!who)
		return 0;
	snprintf(point, sizeof(point), "%s-%s", who, what);
	return folio_fault(point);
}

int folio_write_file_atomic(const char *path, const void *data, size_t len, int mode,
			    struct folio_err *err)
{
	return folio_write_file_atomic_by(path, data, len, mode, NULL, err);
}

int folio_write_file_atomic_by(const char *path, const void *data, size_t len, int mode,
			       const char *who, struct folio_err *err)
{
	char *tmp = NULL, *dir = NULL, *slash;
	const unsigned char *p = data;
	int fd = -1, ret = FOLIO_FAILED;
	size_t n = strlen(path) + 32;

	if (!(tmp = malloc(n)) || !(dir = strdup(path))) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot create '%s': %s",
			      tmp, strerror(errno));
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				      "cannot write '%s': %s", tmp, strerror(errno));
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	if ((fault_by(who, "fsync-eio") && (errno = EIO)) || fsync(fd)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot sync '%s': %s", tmp,
			      strerror(errno));
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot close '%s': %s",
			      tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if ((fault_by(who, "rename-enospc") && (errno = ENOSPC)) || rename(tmp, path)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
			      "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	ret = folio_fsync_dir(slash ? (*dir ? dir : "/") : ".", err);
out:
	if (fd >= 0)
		close(fd);
	if (ret != FOLIO_OK && tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	return ret;
}

int folio_each_line(const char *path, const char *what,
		    int (*fn)(void *ctx, char *line, int lineno, struct folio_err *err), void *ctx,
		    struct folio_err *err)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	int lineno = 0, ret = FOLIO_OK;

	if (!f)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, errno,
				     "cannot open %s '%s': %s", what, path, strerror(errno));
	while (ret == FOLIO_OK && fgets(line, sizeof(line), f)) {
		char *s = line;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s && *s != '#')
			ret = fn(ctx, s, lineno, err);
	}
	fclose(f);
	return ret;
}

int folio_mkdirs(const char *path, int mode, struct folio_err *err)
{
	char *p = strdup(path), *s;
	int ret = FOLIO_OK;

	if (!p)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	for (s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, (mode_t)mode) && errno != EEXIST) {
				ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
						    "cannot create folder '%s': %s", p,
						    strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return ret;
}

double folio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void folio_iso_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double folio_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int folio_ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

char *folio_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	if (la && a[la - 1] != '/')
		p[la++] = '/';
	memcpy(p + la, b, lb + 1);
	return p;
}

int folio_write_file_new(const char *path, const void *data, size_t len, int mode,
			 struct folio_err *err)
{
	const unsigned char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot create '%s': %s",
				     path, strerror(errno));
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			unlink(path);
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e,
					     "cannot write '%s': %s", path, strerror(e));
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd)) {
		int e = errno;

		unlink(path);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e, "cannot close '%s': %s",
				     path, strerror(e));
	}
	return FOLIO_OK;
}

int folio_sync_dir_fs(const char *path, struct folio_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s",
				     path, strerror(errno));
	if (syncfs(fd) || fsync(fd))
		r = errno;
	close(fd);
	if (r)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, r, "cannot sync '%s': %s", path,
				     strerror(r));
	return FOLIO_OK;
}

int folio_rename_new(const char *from, const char *to, struct folio_err *err)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return FOLIO_OK;
	if (errno == EINVAL || errno == ENOSYS) {
		/* a filesystem without RENAME_NOREPLACE: link + unlink never replaces */
		if (link(from, to) == 0) {
			unlink(from);
			return FOLIO_OK;
		}
	}
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
			     "cannot rename '%s' to '%s': %s", from, to, strerror(errno));
}
