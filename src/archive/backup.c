/*
 * backup.c - folio backup and folio restore: an archive into one tar
 * bundle and back (see "Backup and restore" in include/folio/archive.h).
 *
 * The bundle holds the SQLite backend's folder as it is on disk, so this
 * file knows that layout (folio.db, store/ab/cd/<sha>, exports/). The
 * database is a snapshot taken by the backend; the originals it names are
 * content-addressed and never change, so streaming them afterwards keeps
 * the bundle consistent while a daemon adds documents. The manifest comes
 * last, with the hashes computed while streaming: restore reads the bundle
 * once, writes each checked name, and compares at the end.
 */
#include "archive_private.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#define MANIFEST "MANIFEST.json"
#define BUNDLE_FORMAT "folio-backup"
#define BUNDLE_VERSION 1
/* bounds on what a bundle may make restore hold or write */
#define MAX_MEMBERS 10000000LL
#define MAX_MANIFEST (1LL << 30)

struct member {
	char *path;
	char sha[65];
	long long size;
};

struct members {
	struct member *v;
	size_t n, alloc;
};

static void members_release(struct members *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static struct member *members_add(struct members *m, const char *path)
{
	struct member *e;

	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 256;
		struct member *v = realloc(m->v, na * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->alloc = na;
	}
	e = &m->v[m->n];
	memset(e, 0, sizeof(*e));
	if (!(e->path = strdup(path)))
		return NULL;
	m->n++;
	return e;
}

static void remove_tree(const char *path, int self);

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

/* ---- backup -------------------------------------------------------------- */

/* A write's failure: the system's words when there is an errno ("No space
 * left on device" rather than libarchive's "Write error"). */
static const char *why(struct archive *a)
{
	int e = archive_errno(a);

	if (e > 0)
		return strerror(e);
	return archive_error_string(a) ? archive_error_string(a) : "unknown error";
}

struct writer {
	struct archive *a;
	const char *out;
	struct members mem;
	struct folio_backup_info *info;
	struct folio_err *err;
};

/* Stream file `src` into the bundle as `name`, hashing it. */
static int add_file(struct writer *w, const char *src, const char *name)
{
	struct archive_entry *e = NULL;
	struct folio_sha256 h;
	struct member *m = NULL;
	struct stat st;
	unsigned char buf[65536];
	long long done = 0;
	ssize_t n;
	int fd, ret = FOLIO_FAILED;

	if ((fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &st)) {
		ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot read '%s': %s",
				    src, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, 0,
				    "cannot back up '%s': not a regular file", src);
		goto out;
	}
	if (!(e = archive_entry_new()) || !(m = members_add(&w->mem, name))) {
		ret = nomem(w->err);
		goto out;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		goto werr;
	folio_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		/* a file that grew is cut at its size in the header */
		if (done + n > st.st_size)
			n = (ssize_t)(st.st_size - done);
		folio_sha256_update(&h, buf, (size_t)n);
		if (archive_write_data(w->a, buf, (size_t)n) != n)
			goto werr;
		done += n;
		if (done == st.st_size)
			break;
	}
	if (n < 0 || done != st.st_size) {
		ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, n < 0 ? errno : 0,
				    "cannot read '%s': %s", src,
				    n < 0 ? strerror(errno) : "it shrank while being read");
		goto out;
	}
	if (archive_write_finish_entry(w->a) != ARCHIVE_OK)
		goto werr;
	folio_sha256_final_hex(&h, m->sha);
	m->size = done;
	w->info->members++;
	w->info->bytes += done;
	ret = FOLIO_OK;
	goto out;
werr:
	ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, archive_errno(w->a),
			    "cannot write '%s': %s", w->out, why(w->a));
out:
	archive_entry_free(e);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* every original the snapshot names: documents' and their batches',
 * gathered first and sorted, each streamed once (split parts share their
 * batch) */
struct shas {
	char (*v)[65];
	size_t n, alloc;
	int oom;
};

static int collect_sha(void *ctx, const struct folio_cell *row)
{
	struct shas *s = ctx;
	int i;

	for (i = 0; i < 2; i++) {
		if (!row[i].p || row[i].len != 64)
			continue;
		if (s->n == s->alloc) {
			size_t na = s->alloc ? s->alloc * 2 : 256;
			char(*v)[65] = realloc(s->v, na * sizeof(*v));

			if (!v)
				return s->oom = 1;
			s->v = v;
			s->alloc = na;
		}
		memcpy(s->v[s->n], row[i].p, 64);
		s->v[s->n++][64] = '\0';
	}
	return 0;
}

static int cmp_sha(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int add_originals(struct writer *w, struct folio_archive *snap, const char *dir)
{
	static const char *const cols[] = { "sha256", "source_sha256" };
	struct shas s = { 0 };
	char name[96];
	char *src;
	size_t i;
	int ret;

	if ((ret = snap->ops->rows(snap->st, "documents", cols, 2, collect_sha, &s, w->err)) !=
	    FOLIO_OK)
		goto out;
	if (s.oom) {
		ret = nomem(w->err);
		goto out;
	}
	if (s.n)
		folio_sort(s.v, s.n, sizeof(*s.v), cmp_sha);
	for (i = 0; i < s.n; i++) {
		if (i && !strcmp(s.v[i], s.v[i - 1]))
			continue;
		snprintf(name, sizeof(name), "store/%.2s/%.2s/%s", s.v[i], s.v[i] + 2, s.v[i]);
		if (!(src = folio_path_join(dir, name))) {
			ret = nomem(w->err);
			goto out;
		}
		ret = add_file(w, src, name);
		free(src);
		if (ret != FOLIO_OK)
			goto out;
		w->info->originals++;
	}
out:
	free(s.v);
	return ret;
}

/* the kept copies under exports/, recursively; temp files skipped */
static int add_tree(struct writer *w, const char *root, const char *rel)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT, name = FOLIO_STRBUF_INIT;
	struct dirent *d;
	struct stat st;
	DIR *dh;
	int ret = FOLIO_OK;

	folio_strbuf_addf(&path, "%s/%s", root, rel);
	if (!path.buf)
		return nomem(w->err);
	if (!(dh = opendir(path.buf))) {
		if (errno != ENOENT)
			ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, errno,
					    "cannot read '%s': %s", path.buf, strerror(errno));
		folio_strbuf_release(&path);
		return ret;
	}
	while (ret == FOLIO_OK && (d = readdir(dh))) {
		if (d->d_name[0] == '.' || strstr(d->d_name, ".tmp"))
			continue;
		folio_strbuf_reset(&name);
		folio_strbuf_addf(&name, "%s/%s", rel, d->d_name);
		folio_strbuf_reset(&path);
		folio_strbuf_addf(&path, "%s/%s", root, name.buf ? name.buf : "");
		if (!name.buf || !path.buf) {
			ret = nomem(w->err);
			break;
		}
		if (lstat(path.buf, &st))
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode))
			ret = add_tree(w, root, name.buf);
		else if (S_ISREG(st.st_mode) && (ret = add_file(w, path.buf, name.buf)) == FOLIO_OK)
			w->info->exports++;
	}
	closedir(dh);
	folio_strbuf_release(&path);
	folio_strbuf_release(&name);
	return ret;
}

/* numbers as strings: folio_json_rows() reads string values */
static void json_num(struct folio_json *j, const char *key, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	folio_json_str(j, key, buf);
}

static int add_manifest(struct writer *w)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct archive_entry *e;
	struct folio_json j;
	size_t i;
	int ret = FOLIO_OK;

	folio_strbuf_addch(&sb, '[');
	folio_json_init(&j, &sb);
	folio_json_open(&j, NULL, '{');
	folio_json_str(&j, "format", BUNDLE_FORMAT);
	json_num(&j, "version", BUNDLE_VERSION);
	folio_json_str(&j, "folio", FOLIO_VERSION);
	json_num(&j, "schema", w->info->schema);
	folio_json_str(&j, "created", w->info->created);
	json_num(&j, "events", w->info->events);
	folio_json_str(&j, "head", w->info->head);
	json_num(&j, "members", (long long)w->mem.n);
	folio_json_close(&j, '}');
	for (i = 0; i < w->mem.n; i++) {
		folio_strbuf_adds(&sb, ",\n");
		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_str(&j, "path", w->mem.v[i].path);
		folio_json_str(&j, "sha256", w->mem.v[i].sha);
		json_num(&j, "size", w->mem.v[i].size);
		folio_json_close(&j, '}');
	}
	folio_strbuf_adds(&sb, "]\n");
	if (!sb.buf || !(e = archive_entry_new())) {
		folio_strbuf_release(&sb);
		return nomem(w->err);
	}
	archive_entry_set_pathname(e, MANIFEST);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)sb.len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK ||
	    archive_write_data(w->a, sb.buf, sb.len) != (la_ssize_t)sb.len ||
	    archive_write_finish_entry(w->a) != ARCHIVE_OK)
		ret = folio_err_set(w->err, FOLIO_FAILED, FOLIO_E_IO, archive_errno(w->a),
				    "cannot write '%s': %s", w->out, why(w->a));
	archive_entry_free(e);
	folio_strbuf_release(&sb);
	return ret;
}

/* The compression of a bundle named `out`: 0 none, 1 gzip, 2 zstd, -1 unknown. */
static int bundle_filter(const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && !strcmp(out + n - 4, ".tar"))
		return 0;
	if ((n > 7 && !strcmp(out + n - 7, ".tar.gz")) || (n > 4 && !strcmp(out + n - 4, ".tgz")))
		return 1;
	if (n > 8 && !strcmp(out + n - 8, ".tar.zst"))
		return 2;
	return -1;
}

int folio_archive_backup(struct folio_archive *arc, const char *out, struct folio_backup_info *info,
			 struct folio_err *err)
{
	struct folio_backup_info dummy;
	struct writer w = { 0 };
	struct folio_archive *snap = NULL;
	struct folio_chain chain;
	struct stat st;
	char *outdir = NULL, *tmp = NULL, *snapdir = NULL, *snapdb = NULL, *slash;
	const char *dir = folio_archive_dir(arc);
	int fd = -1, ret, filter = bundle_filter(out);

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (!arc->ops->snapshot)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, ENOSYS,
				     "folio backup is not available on %s archives yet (use "
				     "pg_dump, or folio migrate --to DIR and back that up)",
				     arc->ops->name);
	if (filter < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "backup: '%s' is not a bundle name: end it in .tar, .tar.gz "
				     "or .tar.zst",
				     out);
	if (!lstat(out, &st))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, EEXIST,
				     "backup: '%s' exists (a bundle is never overwritten)", out);
	if (!(outdir = strdup(out)))
		return nomem(err);
	if ((slash = strrchr(outdir, '/')))
		slash[slash == outdir ? 1 : 0] = '\0';
	else
		snprintf(outdir, strlen(out) + 1, "%s", ".");
	tmp = malloc(strlen(out) + 64);
	snapdir = malloc(strlen(out) + 64);
	if (!tmp || !snapdir) {
		ret = nomem(err);
		goto out;
	}
	/* beside the target, so that the rename is within one file system */
	snprintf(tmp, strlen(out) + 64, "%s.tmp.%ld", out, (long)getpid());
	snprintf(snapdir, strlen(out) + 64, "%s.snap.%ld", out, (long)getpid());
	if (mkdir(snapdir, 0700)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				    "cannot write in '%s': %s", outdir, strerror(errno));
		free(snapdir);
		snapdir = NULL;
		goto out;
	}
	if (!(snapdb = folio_path_join(snapdir, "folio.db"))) {
		ret = nomem(err);
		goto out;
	}
	if ((ret = arc->ops->snapshot(arc->st, snapdb, err)) != FOLIO_OK)
		goto out;
	if (!(snap = folio_archive_open(snapdir, FOLIO_ARCHIVE_RDONLY, err))) {
		ret = FOLIO_FAILED;
		goto out;
	}
	if ((ret = folio_archive_chain(snap, &chain, err)) != FOLIO_OK)
		goto out;
	info->events = chain.events;
	snprintf(info->head, sizeof(info->head), "%s", chain.head);
	info->schema = folio_archive_schema_version(snap);
	folio_iso_now(info->created);

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot write '%s': %s",
				    out, strerror(errno));
		goto out;
	}
	w.out = out;
	w.info = info;
	w.err = err;
	if (!(w.a = archive_write_new())) {
		ret = nomem(err);
		goto out;
	}
	if (archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
	    (filter == 1 && archive_write_add_filter_gzip(w.a) != ARCHIVE_OK) ||
	    (filter == 2 && archive_write_add_filter_zstd(w.a) != ARCHIVE_OK) ||
	    archive_write_open_fd(w.a, fd) != ARCHIVE_OK) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, archive_errno(w.a),
				    "cannot write '%s': %s", out, why(w.a));
		goto out;
	}
	if ((ret = add_file(&w, snapdb, "folio.db")) != FOLIO_OK)
		goto out;
	if ((ret = add_originals(&w, snap, dir)) != FOLIO_OK ||
	    (ret = add_tree(&w, dir, "exports")) != FOLIO_OK ||
	    (ret = add_manifest(&w)) != FOLIO_OK)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, archive_errno(w.a),
				    "cannot write '%s': %s", out, why(w.a));
		goto out;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot write '%s': %s",
				    out, strerror(errno));
		goto out;
	}
	fd = -1;
	/* link(), not rename(): a bundle made meanwhile under the name stays
	 * (rename() where the file system has no hard links) */
	if (link(tmp, out) &&
	    ((errno != EPERM && errno != EOPNOTSUPP) || !lstat(out, &st) || rename(tmp, out))) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot write '%s': %s",
				    out, strerror(errno));
		goto out;
	}
	ret = folio_fsync_dir(outdir, err);
out:
	if (w.a)
		archive_write_free(w.a);
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	folio_archive_close(snap);
	if (snapdir) /* the snapshot and what opening it made (a journal) */
		remove_tree(snapdir, 1);
	members_release(&w.mem);
	free(snapdb);
	free(snapdir);
	free(tmp);
	free(outdir);
	return ret;
}

/* ---- restore ------------------------------------------------------------- */

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A name restore may write: the manifest, the database, an original under
 * its own hash, or a kept copy under exports/ without "..", "." or empty
 * parts, nothing absolute, no control characters. */
static int name_ok(const char *name)
{
	const char *p, *part;
	size_t n = strlen(name);

	if (!strcmp(name, MANIFEST) || !strcmp(name, "folio.db"))
		return 1;
	if (n == 6 + 3 + 3 + 64 && !strncmp(name, "store/", 6) && name[8] == '/' &&
	    name[11] == '/' && is_hex(name + 12, 64) && !strncmp(name + 6, name + 12, 2) &&
	    !strncmp(name + 9, name + 14, 2))
		return 1;
	if (strncmp(name, "exports/", 8) || n > 4000)
		return 0;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	for (part = name + 8;; part = p + 1) {
		p = strchr(part, '/');
		n = p ? (size_t)(p - part) : strlen(part);
		if (!n || (n == 1 && part[0] == '.') || (n == 2 && !strncmp(part, "..", 2)))
			return 0;
		if (!p)
			return 1;
	}
}

/* Remove everything under `path` (not following links); the folder itself
 * too when `self`. */
static void remove_tree(const char *path, int self)
{
	struct folio_strbuf sub = FOLIO_STRBUF_INIT;
	struct dirent *d;
	struct stat st;
	DIR *dh;

	if ((dh = opendir(path))) {
		while ((d = readdir(dh))) {
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			folio_strbuf_reset(&sub);
			folio_strbuf_addf(&sub, "%s/%s", path, d->d_name);
			if (!sub.buf || lstat(sub.buf, &st))
				continue;
			if (S_ISDIR(st.st_mode))
				remove_tree(sub.buf, 1);
			else
				unlink(sub.buf);
		}
		closedir(dh);
	}
	folio_strbuf_release(&sub);
	if (self)
		rmdir(path);
}

struct reader {
	struct archive *a;
	const char *bundle, *dir;
	struct members seen, manifest;
	char *mtext; /* the manifest's bytes */
	int header;  /* the manifest's first object was read */
	long long want_members;
	struct folio_backup_info *info;
	struct folio_err *err;
};

static int write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write the current member to dir/name, hashing it (the manifest into
 * r->mtext instead). */
static int extract(struct reader *r, const char *name, long long size)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT;
	struct folio_sha256 h;
	struct member *m = NULL;
	unsigned char buf[65536];
	long long done = 0;
	la_ssize_t n;
	int fd = -1, ret = FOLIO_FAILED, manifest = !strcmp(name, MANIFEST);
	char *slash;

	if (manifest && (size < 0 || size > MAX_MANIFEST))
		return folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "bundle '%s': its manifest is too large", r->bundle);
	if (manifest) {
		if (!(r->mtext = malloc((size_t)size + 1)))
			return nomem(r->err);
	} else {
		if (!(m = members_add(&r->seen, name)))
			return nomem(r->err);
		folio_strbuf_addf(&path, "%s/%s", r->dir, name);
		if (!path.buf) {
			ret = nomem(r->err);
			goto out;
		}
		slash = strrchr(path.buf, '/');
		*slash = '\0';
		if ((ret = folio_mkdirs(path.buf, 0700, r->err)) != FOLIO_OK)
			goto out;
		*slash = '/';
		if ((fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600)) < 0) {
			/* the folder was empty: only this bundle wrote there */
			if (errno == EEXIST)
				ret = folio_err_set(
					r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					"bundle member '%s' is refused: it appears twice", name);
			else
				ret = folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_IO, errno,
						    "cannot write '%s': %s", path.buf,
						    strerror(errno));
			goto out;
		}
	}
	folio_sha256_init(&h);
	while ((n = archive_read_data(r->a, buf, sizeof(buf))) > 0) {
		if (done + n > size) {
			ret = folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "bundle member '%s' is longer than its header says",
					    name);
			goto out;
		}
		if (manifest) {
			memcpy(r->mtext + done, buf, (size_t)n);
		} else {
			folio_sha256_update(&h, buf, (size_t)n);
			if (write_all(fd, buf, (size_t)n)) {
				ret = folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_IO, errno,
						    "cannot write '%s': %s", path.buf,
						    strerror(errno));
				goto out;
			}
		}
		done += n;
	}
	if (n < 0) {
		ret = folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "bundle '%s' is damaged at member '%s': %s", r->bundle, name,
				    archive_error_string(r->a));
		goto out;
	}
	if (manifest) {
		r->mtext[done] = '\0';
		ret = FOLIO_OK;
		goto out;
	}
	if (fsync(fd)) {
		ret = folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_IO, errno,
				    "cannot write '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	folio_sha256_final_hex(&h, m->sha);
	m->size = done;
	if (!strncmp(name, "store/", 6)) {
		fchmod(fd, 0400); /* originals are read-only, as the store keeps them */
		r->info->originals++;
	} else if (!strncmp(name, "exports/", 8)) {
		r->info->exports++;
	}
	r->info->members++;
	r->info->bytes += done;
	ret = FOLIO_OK;
out:
	if (fd >= 0)
		close(fd);
	folio_strbuf_release(&path);
	return ret;
}

static int manifest_row(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct reader *r = ctx;
	const char *fmt = folio_json_get(kv, n, "format"), *path = folio_json_get(kv, n, "path");
	const char *sha = folio_json_get(kv, n, "sha256"), *size = folio_json_get(kv, n, "size");
	struct member *m = NULL;

	if (fmt) {
		const char *v;

		if (r->header++ || strcmp(fmt, BUNDLE_FORMAT))
			return 0; /* refused after parsing: no header */
		if ((v = folio_json_get(kv, n, "schema")))
			r->info->schema = (int)strtol(v, NULL, 10);
		if ((v = folio_json_get(kv, n, "events")))
			r->info->events = strtoll(v, NULL, 10);
		if ((v = folio_json_get(kv, n, "members")))
			r->want_members = strtoll(v, NULL, 10);
		if ((v = folio_json_get(kv, n, "head")))
			snprintf(r->info->head, sizeof(r->info->head), "%s", v);
		if ((v = folio_json_get(kv, n, "created")))
			snprintf(r->info->created, sizeof(r->info->created), "%s", v);
		return 0;
	}
	if (!path || !sha || !size)
		return 0;
	if (!(m = members_add(&r->manifest, path)))
		return 1;
	snprintf(m->sha, sizeof(m->sha), "%s", sha);
	m->size = strtoll(size, NULL, 10);
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->path, ((const struct member *)b)->path);
}

/* Every member against the manifest, both ways. */
static int check_manifest(struct reader *r)
{
	size_t i, k;
	int rc;

	if (!r->mtext)
		return folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "bundle '%s' has no member '%s': not a folio backup, or cut "
				     "short",
				     r->bundle, MANIFEST);
	if ((rc = folio_json_rows(r->mtext, manifest_row, r)) == -2)
		return nomem(r->err);
	if (rc || r->header != 1 || r->want_members != (long long)r->manifest.n)
		return folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "bundle member '%s' is damaged: not a folio backup manifest",
				     MANIFEST);
	/* both sorted by name, then walked side by side */
	if (r->seen.n)
		folio_sort(r->seen.v, r->seen.n, sizeof(*r->seen.v), cmp_member);
	if (r->manifest.n)
		folio_sort(r->manifest.v, r->manifest.n, sizeof(*r->manifest.v), cmp_member);
	for (i = 1; i < r->manifest.n; i++)
		if (!strcmp(r->manifest.v[i].path, r->manifest.v[i - 1].path))
			return folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "bundle member '%s' is damaged: it names '%s' twice",
					     MANIFEST, r->manifest.v[i].path);
	for (i = 0, k = 0; i < r->manifest.n || k < r->seen.n;) {
		struct member *want = i < r->manifest.n ? &r->manifest.v[i] : NULL;
		struct member *got = k < r->seen.n ? &r->seen.v[k] : NULL;
		int c = !want ? 1 : !got ? -1 : strcmp(want->path, got->path);

		if (c < 0)
			return folio_err_set(
				r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				"bundle member '%s' is missing (the manifest names it)",
				want->path);
		if (c > 0)
			return folio_err_set(r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "bundle member '%s' is not in the manifest",
					     got->path);
		if (strcmp(got->sha, want->sha) || got->size != want->size)
			return folio_err_set(
				r->err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				"bundle member '%s' is damaged: sha256 %s, %lld bytes; the "
				"manifest says %s, %lld bytes",
				want->path, got->sha, got->size, want->sha, want->size);
		i++, k++;
	}
	return FOLIO_OK;
}

/* 1 when `dir` is missing, 0 when an empty folder, -1 otherwise (errno) */
static int dir_state(const char *dir)
{
	struct dirent *d;
	DIR *dh;
	int any = 0;

	if (!(dh = opendir(dir)))
		return errno == ENOENT ? 1 : -1;
	while ((d = readdir(dh)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			any = 1;
	closedir(dh);
	if (any)
		errno = ENOTEMPTY;
	return any ? -1 : 0;
}

int folio_archive_restore(const char *path, const char *dir, struct folio_backup_info *info,
			  void (*problem)(void *arg, const char *problem), void *arg,
			  struct folio_err *err)
{
	struct folio_backup_info dummy;
	struct reader r = { 0 };
	struct archive_entry *e;
	struct folio_archive *arc = NULL;
	struct folio_chain chain;
	struct folio_status ds;
	struct stat st;
	int ret, made, rc;
	long long n;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, errno,
				     "cannot read bundle '%s': %s", path,
				     errno ? strerror(errno) : "not a file");
	if ((made = dir_state(dir)) < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, errno,
				     "restore: '%s' %s: restore into a new or empty folder", dir,
				     errno == ENOTEMPTY ? "is not empty" : strerror(errno));
	if (made && mkdir(dir, 0700))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot create '%s': %s",
				     dir, strerror(errno));
	r.bundle = path;
	r.dir = dir;
	r.info = info;
	r.err = err;
	if (!(r.a = archive_read_new())) {
		ret = nomem(err);
		goto out;
	}
	archive_read_support_filter_all(r.a);
	archive_read_support_format_tar(r.a);
	if (archive_read_open_filename(r.a, path, 65536) != ARCHIVE_OK) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, archive_errno(r.a),
				    "cannot read bundle '%s': %s", path, archive_error_string(r.a));
		goto out;
	}
	while ((rc = archive_read_next_header(r.a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (!name || !name_ok(name))
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "bundle member '%s' is refused: not a name a folio "
					    "backup holds (a path outside the archive?)",
					    name ? name : "(none)");
		else if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
			 archive_entry_symlink(e))
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "bundle member '%s' is refused: not a regular file "
					    "(a link?)",
					    name);
		else if ((long long)(r.seen.n + 1) > MAX_MEMBERS)
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					    "bundle '%s' has too many members", path);
		else
			ret = FOLIO_OK;
		if (ret == FOLIO_OK && !strcmp(name, MANIFEST) && r.mtext)
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "bundle member '%s' is refused: it appears twice",
					    name);
		if (ret != FOLIO_OK || (ret = extract(&r, name, archive_entry_size(e))) != FOLIO_OK)
			goto out;
	}
	if (rc != ARCHIVE_EOF) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, archive_errno(r.a),
				    "bundle '%s' is damaged after %lld members: %s", path,
				    (long long)r.seen.n + (r.mtext != NULL),
				    archive_error_string(r.a));
		goto out;
	}
	if ((ret = check_manifest(&r)) != FOLIO_OK)
		goto out;
	/* the archive as folio verify sees it, and the chain the bundle had */
	if (!(arc = folio_archive_open(dir, 0, err))) {
		ret = FOLIO_FAILED;
		goto out;
	}
	/* the daemon that watched the original does not watch this copy, and
	 * the files it had in hand at the snapshot are not in it (still in the
	 * original's inbox): interrupted, as after a crash */
	if (folio_archive_status(arc, &ds, err) != FOLIO_OK ||
	    (ds.daemon && folio_daemon_gone(arc, ds.pid) != FOLIO_OK) ||
	    (info->interrupted = folio_journal_recover(arc, err)) < 0) {
		ret = FOLIO_FAILED;
		goto out;
	}
	if ((n = folio_archive_verify(arc, problem, arg, 0, err)) < 0 ||
	    folio_archive_chain(arc, &chain, err) != FOLIO_OK) {
		ret = FOLIO_FAILED;
		goto out;
	}
	info->problems = n;
	if (n) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "the restored archive has %lld problem%s (as folio verify "
				    "reports them)",
				    n, n == 1 ? "" : "s");
		goto out;
	}
	if (chain.events != info->events || strcmp(chain.head, info->head)) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "the restored audit log has %lld events, head %s; the manifest "
				    "says %lld, head %s",
				    chain.events, chain.head, info->events, info->head);
		goto out;
	}
	ret = FOLIO_OK;
out:
	folio_archive_close(arc);
	if (r.a)
		archive_read_free(r.a);
	if (ret != FOLIO_OK)
		remove_tree(dir, made);
	members_release(&r.seen);
	members_release(&r.manifest);
	free(r.mtext);
	return ret;
}
