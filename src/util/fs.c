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

const char *folio_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "folder";
	case S_IFLNK: return "symbolic link";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	default: return "special file";
	}
}

int folio_read_fd(int fd, const char *name, uint64_t max_bytes, unsigned char **data, size_t *size,
		  struct folio_err *err)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0, cap;
	int ret = FOLIO_FAILED;

	*data = NULL;
	*size = 0;
	if (fstat(fd, &st))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot stat '%s': %s",
				     name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "'%s' is not a regular file", name);
	if ((uint64_t)st.st_size > max_bytes)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "file is %lld bytes, more than max_file_bytes = %llu",
				     (long long)st.st_size, (unsigned long long)max_bytes);
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
				folio_err_set(
					err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
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
				      name, strerror(errno));
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
	return ret;
}

int folio_read_file(const char *path, uint64_t max_bytes, unsigned char **data, size_t *size,
		    struct folio_err *err)
{
	/* O_NONBLOCK: a FIFO under this name must not hang us (refused by
	 * folio_read_fd as not a regular file) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), ret;

	*data = NULL;
	*size = 0;
	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s",
				     path, strerror(errno));
	ret = folio_read_fd(fd, path, max_bytes, data, size, err);
	close(fd);
	return ret;
}

/* The refusal of a non-regular file found as `shown`. */
static int not_regular(const struct stat *st, struct folio_err *err)
{
	if (S_ISLNK(st->st_mode))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, ELOOP,
				     "symbolic link: not followed");
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "not a regular file (%s)",
			     folio_file_kind(st->st_mode));
}

/* A folder where a file was expected: say why it could not be read, if
 * it could not (an unreadable folder named on the command line). */
static int folder_refused(int dirfd, const char *name, const char *shown, struct folio_err *err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				     "cannot open folder '%s': %s", shown, strerror(errno));
	close(fd);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "not a regular file (folder)");
}

/* folio_openat_regular(), following a final symlink when `follow`. */
static int open_at(int dirfd, const char *name, const char *shown, int follow,
		   const struct stat *expect, int *fd, struct stat *st, struct folio_err *err)
{
	struct stat got;
	int f, flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);

	*fd = -1;
	f = openat(dirfd, name, flags);
	if (f < 0) {
		if (errno == ELOOP && !follow)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, ELOOP,
					     "symbolic link: not followed");
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s",
				     shown, strerror(errno));
	}
	if (fstat(f, &got)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot stat '%s': %s", shown,
			      strerror(errno));
		goto fail;
	}
	if (!S_ISREG(got.st_mode)) {
		not_regular(&got, err);
		goto fail;
	}
	if (expect && (got.st_dev != expect->st_dev || got.st_ino != expect->st_ino)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
			      "replaced by another file while being opened: not read");
		goto fail;
	}
	/* regular files ignore O_NONBLOCK; clear it all the same */
	if (fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s", shown,
			      strerror(errno));
		goto fail;
	}
	*fd = f;
	if (st)
		*st = got;
	return FOLIO_OK;
fail:
	close(f);
	return FOLIO_FAILED;
}

int folio_openat_regular(int dirfd, const char *name, const struct stat *expect, int *fd,
			 struct stat *st, struct folio_err *err)
{
	return open_at(dirfd, name, name, 0, expect, fd, st, err);
}

/*
 * Where `path` goes on below folder `root`, both spelled with any number
 * of '/' between names: the rest of path after root and its slashes, or
 * NULL when path is not strictly below root.
 */
static const char *below(const char *root, const char *path)
{
	const char *r = root, *p = path;

	for (;;) {
		if (*r == '/' && *p == '/') {
			while (*r == '/')
				r++;
			while (*p == '/')
				p++;
			continue;
		}
		if (!*r)
			break;
		if (*r != *p)
			return NULL;
		r++;
		p++;
	}
	/* root ended: "a" is below "" only when root was "/" or empty of names */
	if (r > root && r[-1] != '/' && *p != '/')
		return NULL;
	while (*p == '/')
		p++;
	return *p ? p : NULL;
}

/* A symbolic link `path` below `root`, with follow_symlinks: followed to
 * a regular file inside root, refused otherwise. */
static int open_link(const char *root, const char *path, int *fd, struct stat *st,
		     struct folio_err *err)
{
	char *rroot = realpath(root, NULL), *rpath = NULL, target[512];
	struct stat tst;
	ssize_t n;
	int ret;

	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (!rroot) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot resolve '%s': %s",
				    root, strerror(errno));
		goto out;
	}
	if (!(rpath = realpath(path, NULL))) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, errno,
				    "symbolic link to '%s': %s", target, strerror(errno));
		goto out;
	}
	if (!below(rroot, rpath) && strcmp(rroot, rpath)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "symbolic link to '%s', outside '%s': not followed", target,
				    root);
		goto out;
	}
	if (!strcmp(rroot, rpath) || (!stat(rpath, &tst) && S_ISDIR(tst.st_mode))) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "symbolic link to a folder: not followed");
		goto out;
	}
	/* the resolved path holds no link: open it following none, so a
	 * link swapped in since is refused rather than followed */
	ret = folio_open_input(rroot, rpath, 0, fd, st, err);
out:
	free(rroot);
	free(rpath);
	return ret;
}

int folio_open_input(const char *root, const char *path, int follow_links, int *fd, struct stat *st,
		     struct folio_err *err)
{
	struct stat lst;
	const char *rel;
	char *buf = NULL, *name, *slash;
	int dfd = -1, ret = FOLIO_FAILED;

	*fd = -1;
	if (!root) {
		/* named by the user: followed, but only to a regular file */
		if (stat(path, &lst))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
					     "cannot open '%s': %s", path, strerror(errno));
		if (S_ISDIR(lst.st_mode))
			return folder_refused(AT_FDCWD, path, path, err);
		if (!S_ISREG(lst.st_mode))
			return not_regular(&lst, err);
		return open_at(AT_FDCWD, path, path, 1, &lst, fd, st, err);
	}
	if (!(rel = below(root, path)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "'%s' is not inside '%s'",
				     path, root);
	if (!(buf = strdup(rel)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	/* root itself was named by the user or the config: it may be a link */
	if ((dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s", root,
			      strerror(errno));
		goto out;
	}
	for (name = buf; (slash = strchr(name, '/')); name = slash) {
		int nfd;

		*slash++ = '\0';
		while (*slash == '/')
			slash++;
		if (!strcmp(name, "..") || !strcmp(name, ".")) {
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				      "'%s' is not inside '%s'", path, root);
			goto out;
		}
		nfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, errno,
					      "folder '%s' on the way is a symbolic link or no "
					      "folder: not followed",
					      name);
			else
				folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
					      "cannot open '%s': %s", path, strerror(errno));
			goto out;
		}
		close(dfd);
		dfd = nfd;
	}
	if (!*name || !strcmp(name, "..") || !strcmp(name, ".")) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "'%s' is not inside '%s'", path,
			      root);
		goto out;
	}
	if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s", path,
			      strerror(errno));
		goto out;
	}
	if (S_ISLNK(lst.st_mode) && follow_links)
		ret = open_link(root, path, fd, st, err);
	else if (S_ISDIR(lst.st_mode))
		ret = folder_refused(dfd, name, path, err);
	else if (!S_ISREG(lst.st_mode))
		ret = not_regular(&lst, err);
	else
		ret = open_at(dfd, name, path, 0, &lst, fd, st, err);
out:
	if (dfd >= 0)
		close(dfd);
	free(buf);
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
	static struct {
		char name[64];
		long fired;
	} seen[16];
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
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot create '%s': %s", tmp,
			      strerror(errno));
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot write '%s': %s",
				      tmp, strerror(errno));
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
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot close '%s': %s", tmp,
			      strerror(errno));
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

size_t folio_url_scheme(const char *where)
{
	size_t n;

	if (!where || !((*where >= 'a' && *where <= 'z') || (*where >= 'A' && *where <= 'Z')))
		return 0;
	n = strspn(where, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	return n >= 2 && n < 32 && !strncmp(where + n, "://", 3) ? n : 0;
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
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot rename '%s' to '%s': %s",
			     from, to, strerror(errno));
}
