/* Unit tests: the inbox watcher, with both backends. Waits are on a
 * condition with a deadline (poll(2) on the watcher's fd), never a fixed
 * sleep; only "nothing more comes" checks drive the watcher for a while. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "folio/imap.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "folio/watch.h"
#include "t.h"

#define SETTLE 0.3
#define QUIET (SETTLE + 0.1) /* long enough for a wrong report to show */
#define BRIEF \
	0.15	 /* a poll scan or two: for files that came
				 with others already reported */
#define WAIT 8.0 /* deadline for things that must happen */

static char root[64];
static enum folio_watch_backend backend;
static const char *bname;
static int follow; /* follow_symlinks for start() */

struct took {
	char *path, *subdir, *inbox;
	off_t size;
	mode_t type;
};

struct ctx {
	struct folio_watcher *w;
	struct took *took;
	size_t n, cap;
	int warned;
	char warnmsg[FOLIO_ERR_MSG_MAX];
};

/* ---- helpers -------------------------------------------------------- */

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *pathf(const char *fmt, ...)
{
	static char bufs[32][512];
	static int next;
	char *b = bufs[next++ % 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

static void put(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(data);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fprintf(stderr, "cannot write '%s': %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static void append(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	size_t len = strlen(data);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fprintf(stderr, "cannot append '%s': %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh empty inbox folder. */
static char *inbox(const char *name)
{
	char *p = pathf("%s/%s-%s", root, bname, name);

	rm_rf(p);
	if (mkdir(p, 0755)) {
		fprintf(stderr, "cannot create '%s': %s\n", p, strerror(errno));
		exit(1);
	}
	return strdup(p);
}

static void start(struct ctx *c, const char *dir, const char *const *exclude, size_t nexclude)
{
	const char *inboxes[1];
	struct folio_watch_opts o = {
		.inboxes = inboxes,
		.ninboxes = 1,
		.backend = backend,
		.settle_seconds = SETTLE,
		.rescan_seconds = 60,
		.poll_seconds = 0.1,
		.exclude = exclude,
		.nexclude = nexclude,
		.follow_symlinks = follow,
	};
	struct folio_err err = { 0 };

	inboxes[0] = dir;
	memset(c, 0, sizeof(*c));
	c->w = folio_watcher_new(&o, &err);
	T_OK(c->w != NULL, "%s: %s", dir, err.msg);
	if (!c->w)
		exit(1);
	T_EQ_STR(folio_watcher_backend(c->w, 0), backend == FOLIO_WATCH_POLL ? "poll" : "inotify");
}

static void stop(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->took[i].path);
		free(c->took[i].subdir);
		free(c->took[i].inbox);
	}
	free(c->took);
	folio_watcher_free(c->w);
	memset(c, 0, sizeof(*c));
}

typedef int (*pred_fn)(struct ctx *c, const void *arg);

/* Drive the watcher until pred() holds or `seconds` pass; 1 when it held. */
static int pump(struct ctx *c, double seconds, pred_fn pred, const void *arg)
{
	double deadline = folio_clock() + seconds;
	struct folio_watch_file f;

	for (;;) {
		struct folio_err err = { 0 };
		struct pollfd pfd = { .fd = folio_watcher_fd(c->w), .events = POLLIN };
		double now = folio_clock(), to;
		int rc;

		if (pred && pred(c, arg))
			return 1;
		if (now >= deadline)
			return 0;
		to = folio_watcher_timeout(c->w);
		T_OK(to >= 0, "timeout %g", to);
		if (to > deadline - now)
			to = deadline - now;
		poll(&pfd, pfd.fd >= 0 ? 1 : 0, (int)(to * 1000) + 1);
		rc = folio_watcher_update(c->w, &err);
		T_OK(rc == FOLIO_OK || rc == FOLIO_WARN, "update: %d %s", rc, err.msg);
		if (rc == FOLIO_WARN) {
			c->warned++;
			snprintf(c->warnmsg, sizeof(c->warnmsg), "%s", err.msg);
		}
		while (folio_watcher_take(c->w, &f)) {
			struct took *t;

			if (c->n == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 64;
				c->took = realloc(c->took, c->cap * sizeof(*c->took));
			}
			t = &c->took[c->n++];
			t->path = strdup(f.path);
			t->subdir = strdup(f.subdir);
			t->inbox = strdup(f.inbox);
			t->size = f.size;
			t->type = f.type;
		}
	}
}

static int took_n(struct ctx *c, const void *arg)
{
	return c->n >= *(const size_t *)arg;
}

static int unsettled_is(struct ctx *c, const void *arg)
{
	return folio_watcher_unsettled(c->w) == *(const size_t *)arg;
}

static int warned(struct ctx *c, const void *arg)
{
	(void)arg;
	return c->warned > 0;
}

static int wait_took(struct ctx *c, size_t n)
{
	return pump(c, WAIT, took_n, &n);
}

static int wait_unsettled(struct ctx *c, size_t n)
{
	return pump(c, WAIT, unsettled_is, &n);
}

static void quiet(struct ctx *c, double seconds)
{
	pump(c, seconds, NULL, NULL);
}

/* How often `path` was taken. */
static int count(const struct ctx *c, const char *path)
{
	size_t i;
	int k = 0;

	for (i = 0; i < c->n; i++)
		k += !strcmp(c->took[i].path, path);
	return k;
}

/* ---- tests ---------------------------------------------------------- */

static void test_ignored_names(void)
{
	static const char *const yes[] = { ".x.pdf", ".",	   "..",	   "a.tmp",
					   "A.TMP",  "a.pdf.part", "~$brief.docx", "x.crdownload",
					   "",	     NULL };
	static const char *const no[] = { "a.pdf",   "tmp",	   "a.tmpx",	 "part",
					  "x~$.pdf", "a.part.pdf", "crdownload", "~a.pdf" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		T_OK(folio_watch_ignored_name(yes[i]), "'%s' must be ignored",
		     yes[i] ? yes[i] : "(null)");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		T_OK(!folio_watch_ignored_name(no[i]), "'%s' must not be ignored", no[i]);
}

static void test_missing_inbox(void)
{
	const char *inboxes[2];
	struct folio_watch_opts o = { .inboxes = inboxes, .ninboxes = 1, .settle_seconds = SETTLE };
	struct folio_err err = { 0 };
	struct folio_watcher *w;
	char *file = pathf("%s/not-a-folder", root);

	inboxes[0] = pathf("%s/nope", root);
	w = folio_watcher_new(&o, &err);
	T_OK(!w, "missing inbox accepted");
	T_CONTAINS(err.msg, "cannot watch '");
	T_CONTAINS(err.msg, "/nope': ");
	put(file, "x");
	inboxes[0] = root;
	inboxes[1] = file;
	o.ninboxes = 2;
	folio_err_clear(&err);
	w = folio_watcher_new(&o, &err);
	T_OK(!w, "a file as inbox accepted");
	T_CONTAINS(err.msg, "not-a-folder");
	folio_watcher_free(w);
	unlink(file);
	folio_watcher_free(NULL);
}

/* Files there at start-up are reported after the settle time. */
static void test_startup(void)
{
	char *in = inbox("startup");
	struct ctx c;
	double t0;
	size_t i;

	put(pathf("%s/a.pdf", in), "hello");
	mkdir(pathf("%s/sub", in), 0755);
	put(pathf("%s/sub/b.pdf", in), "hi");
	t0 = folio_clock();
	start(&c, pathf("%s/", in), NULL, 0);
	T_EQ_INT(folio_watcher_unsettled(c.w), 2);
	T_OK(folio_watcher_timeout(c.w) <= SETTLE, "timeout %g", folio_watcher_timeout(c.w));
	T_OK(folio_watcher_timeout(c.w) >= 0.05, "timeout %g", folio_watcher_timeout(c.w));
	T_OK(wait_took(&c, 2), "start-up files not reported");
	T_OK(folio_clock() - t0 >= SETTLE, "reported after %g s", folio_clock() - t0);
	T_EQ_INT(c.n, 2);
	T_EQ_INT(folio_watcher_unsettled(c.w), 0);
	for (i = 0; i < c.n; i++) {
		T_EQ_STR(c.took[i].inbox, pathf("%s/", in));
		if (strstr(c.took[i].path, "b.pdf")) {
			T_EQ_STR(c.took[i].path, pathf("%s/sub/b.pdf", in));
			T_EQ_STR(c.took[i].subdir, "sub");
			T_EQ_INT(c.took[i].size, 2);
		} else {
			T_EQ_STR(c.took[i].path, pathf("%s/a.pdf", in));
			T_EQ_STR(c.took[i].subdir, "");
			T_EQ_INT(c.took[i].size, 5);
		}
	}
	/* idle: nothing due before the next scan */
	if (backend == FOLIO_WATCH_POLL)
		T_OK(folio_watcher_timeout(c.w) <= 0.1, "idle timeout %g",
		     folio_watcher_timeout(c.w));
	else
		T_OK(folio_watcher_timeout(c.w) > 1, "idle timeout %g", folio_watcher_timeout(c.w));
	stop(&c);
	free(in);
}

/* A file written in chunks with pauses shorter than the settle time. */
static void test_slow_writer(void)
{
	char *in = inbox("slow"), *f = pathf("%s/slow.pdf", in);
	struct ctx c;
	int i;

	start(&c, in, NULL, 0);
	put(f, "chunk0;");
	for (i = 1; i < 5; i++) {
		quiet(&c, SETTLE / 2);
		T_EQ_INT(c.n, 0);
		append(f, "chunk;;");
	}
	T_OK(wait_took(&c, 1), "slow file not reported");
	T_EQ_INT(c.n, 1);
	T_EQ_INT(c.took[0].size, 35);
	stop(&c);

	if (backend == FOLIO_WATCH_INOTIFY) {
		/* inotify knows the writer still has it open, however long
		 * the pause */
		int fd;

		unlink(f);
		f = pathf("%s/open.pdf", in);
		start(&c, in, NULL, 0);
		fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		T_EQ_INT(write(fd, "part", 4), 4);
		T_EQ_INT(fchmod(fd, 0600), 0); /* IN_ATTRIB is no close */
		quiet(&c, SETTLE * 1.5);
		T_EQ_INT(c.n, 0);
		T_EQ_INT(folio_watcher_unsettled(c.w), 1);
		T_EQ_INT(write(fd, "rest", 4), 4);
		close(fd);
		T_OK(wait_took(&c, 1), "closed file not reported");
		T_EQ_INT(count(&c, f), 1);
		T_EQ_INT(c.took[0].size, 8);
		stop(&c);
	}
	free(in);
}

static void test_rename_into_place(void)
{
	char *in = inbox("rename"), *part = pathf("%s/x.pdf.part", in), *f = pathf("%s/x.pdf", in);
	struct ctx c;

	start(&c, in, NULL, 0);
	put(part, "almost");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 0);
	T_EQ_INT(folio_watcher_unsettled(c.w), 0);
	T_EQ_INT(rename(part, f), 0);
	T_OK(wait_took(&c, 1), "renamed file not reported");
	quiet(&c, QUIET);
	T_EQ_INT(c.n, 1);
	T_EQ_INT(count(&c, f), 1);
	stop(&c);
	free(in);
}

static void test_ignored_files(void)
{
	static const char *const names[] = { ".hidden.pdf",  "a.tmp",
					     "B.TMP",	     "~$doc.docx",
					     "c.crdownload", "d.pdf.part",
					     ".git/x.pdf",   ".cache/deep/y.pdf" };
	char *in = inbox("ignored");
	struct ctx c;
	size_t i;

	mkdir(pathf("%s/.git", in), 0755);
	mkdir(pathf("%s/.cache", in), 0755);
	mkdir(pathf("%s/.cache/deep", in), 0755);
	for (i = 0; i < 4; i++)
		put(pathf("%s/%s", in, names[i]), "x");
	put(pathf("%s/ok.pdf", in), "x");
	start(&c, in, NULL, 0);
	for (; i < sizeof(names) / sizeof(names[0]); i++)
		put(pathf("%s/%s", in, names[i]), "x");
	put(pathf("%s/ok2.pdf", in), "x");
	T_OK(wait_took(&c, 2), "ok files not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 2);
	T_EQ_INT(count(&c, pathf("%s/ok.pdf", in)), 1);
	T_EQ_INT(count(&c, pathf("%s/ok2.pdf", in)), 1);
	T_EQ_INT(folio_watcher_unsettled(c.w), 0);
	stop(&c);
	free(in);
}

static void test_new_subfolder(void)
{
	char *in = inbox("subfolder");
	struct ctx c;
	size_t i;
	int seen = 0;

	start(&c, in, NULL, 0);
	/* made and filled before the watcher hears of the folder */
	mkdir(pathf("%s/a", in), 0755);
	mkdir(pathf("%s/a/b", in), 0755);
	put(pathf("%s/a/b/x.pdf", in), "x");
	/* made, noticed, then filled */
	mkdir(pathf("%s/c", in), 0755);
	quiet(&c, 0.15);
	put(pathf("%s/c/y.pdf", in), "yy");
	T_OK(wait_took(&c, 2), "files in new folders not reported");
	for (i = 0; i < c.n; i++) {
		if (!strcmp(c.took[i].path, pathf("%s/a/b/x.pdf", in))) {
			T_EQ_STR(c.took[i].subdir, "a/b");
			seen |= 1;
		} else if (!strcmp(c.took[i].path, pathf("%s/c/y.pdf", in))) {
			T_EQ_STR(c.took[i].subdir, "c");
			seen |= 2;
		}
	}
	T_EQ_INT(seen, 3);

	/* a folder renamed inside the inbox: its file is new under the new name */
	T_EQ_INT(rename(pathf("%s/a", in), pathf("%s/renamed", in)), 0);
	T_OK(wait_took(&c, 3), "file in renamed folder not reported");
	T_EQ_STR(c.took[2].path, pathf("%s/renamed/b/x.pdf", in));
	T_EQ_STR(c.took[2].subdir, "renamed/b");
	put(pathf("%s/renamed/b/z.pdf", in), "z");
	T_OK(wait_took(&c, 4), "new file in renamed folder not reported");
	T_EQ_STR(c.took[3].path, pathf("%s/renamed/b/z.pdf", in));

	/* a folder moved out of the inbox takes its candidates along */
	put(pathf("%s/c/w.pdf", in), "w");
	T_OK(wait_unsettled(&c, 1), "w.pdf not seen");
	T_EQ_INT(rename(pathf("%s/c", in), pathf("%s/%s-moved-away", root, bname)), 0);
	T_OK(wait_unsettled(&c, 0), "moved-away candidate kept");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 4);
	rm_rf(pathf("%s/%s-moved-away", root, bname));
	stop(&c);
	free(in);
}

static void test_retake_and_forget(void)
{
	char *in = inbox("retake"), *f = pathf("%s/f.pdf", in), *g = pathf("%s/g.pdf", in);
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct ctx c;

	start(&c, in, NULL, 0);
	put(f, "first");
	T_OK(wait_took(&c, 1), "f.pdf not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 1);
	/* rewritten: a candidate again */
	append(f, " and more");
	T_OK(wait_took(&c, 2), "rewritten f.pdf not reported");
	T_EQ_INT(count(&c, f), 2);
	T_EQ_INT(c.took[1].size, 14);
	/* same size, another mtime */
	T_EQ_INT(utimensat(AT_FDCWD, f, ts, 0), 0);
	T_OK(wait_took(&c, 3), "touched f.pdf not reported");
	quiet(&c, QUIET);
	T_EQ_INT(count(&c, f), 3);

	/* forget a settling file */
	put(g, "g");
	T_OK(wait_unsettled(&c, 1), "g.pdf not seen");
	folio_watcher_forget(c.w, g);
	T_EQ_INT(folio_watcher_unsettled(c.w), 0);
	unlink(g);
	/* forget a taken file the caller moved away; nothing comes back */
	T_EQ_INT(rename(f, pathf("%s/%s-f-done.pdf", root, bname)), 0);
	folio_watcher_forget(c.w, f);
	folio_watcher_forget(c.w, "/no/such/file");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 3);
	T_EQ_INT(folio_watcher_unsettled(c.w), 0);
	unlink(pathf("%s/%s-f-done.pdf", root, bname));
	stop(&c);
	free(in);
}

static void test_exclude(void)
{
	char *in = inbox("exclude"), *link = strdup(pathf("%s/%s-link", root, bname));
	const char *ex[3];
	struct ctx c;

	mkdir(pathf("%s/done", in), 0755);
	mkdir(pathf("%s/done/sub", in), 0755);
	put(pathf("%s/done/x.pdf", in), "x");
	put(pathf("%s/done/sub/y.pdf", in), "y");
	mkdir(pathf("%s/other", in), 0755);
	put(pathf("%s/other/z.pdf", in), "z");
	put(pathf("%s/top.pdf", in), "t");
	/* spelled through a symlink: matched by device and inode */
	unlink(link);
	T_EQ_INT(symlink(pathf("%s/other", in), link), 0);
	ex[0] = pathf("%s//done/", in);
	ex[1] = pathf("%s/later", in);
	ex[2] = link;
	start(&c, in, ex, 3);
	/* made after the start */
	mkdir(pathf("%s/later", in), 0755);
	put(pathf("%s/later/l.pdf", in), "l");
	put(pathf("%s/done/new.pdf", in), "n");
	put(pathf("%s/top2.pdf", in), "t");
	T_OK(wait_took(&c, 2), "top files not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 2);
	T_EQ_INT(count(&c, pathf("%s/top.pdf", in)), 1);
	T_EQ_INT(count(&c, pathf("%s/top2.pdf", in)), 1);
	unlink(link);
	stop(&c);
	free(link);
	free(in);
}

#define MANY 2000

static void test_many(void)
{
	char *in = inbox("many");
	char *seen = calloc(MANY, 1);
	struct ctx c;
	size_t i;
	int dup = 0, bad = 0, missing = 0;
	double t0;

	start(&c, in, NULL, 0);
	mkdir(pathf("%s/s", in), 0755);
	for (i = 0; i < MANY; i++)
		put(pathf("%s/%sf%04zu.pdf", in, i % 2 ? "s/" : "", i), "small file");
	t0 = folio_clock();
	T_OK(wait_took(&c, MANY), "only %zu of %d reported", c.n, MANY);
	printf("%s: %d files reported %.2f s after they were written\n", bname, MANY,
	       folio_clock() - t0);
	quiet(&c, QUIET);
	T_EQ_INT(c.n, MANY);
	for (i = 0; i < c.n; i++) {
		const char *b = strrchr(c.took[i].path, '/');
		unsigned k;

		if (!b || sscanf(b, "/f%4u.pdf", &k) != 1 || k >= MANY) {
			bad++;
			continue;
		}
		T_EQ_STR(c.took[i].subdir, k % 2 ? "s" : "");
		dup += seen[k]++ > 0;
	}
	for (i = 0; i < MANY; i++)
		missing += !seen[i];
	T_EQ_INT(dup, 0);
	T_EQ_INT(bad, 0);
	T_EQ_INT(missing, 0);
	free(seen);
	stop(&c);
	free(in);
}

/* The entry taken as `path`, or NULL. */
static const struct took *taken(const struct ctx *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->took[i].path, path))
			return &c->took[i];
	return NULL;
}

/*
 * The inbox may be a symlink. Links inside it are reported as themselves
 * (type S_IFLNK, the link's own size), whatever they point to: a file
 * outside, a folder, nothing; the caller refuses them with a reason, so
 * none stays in the inbox unexplained and no target is ever looked into.
 * With follow_symlinks a link to a file settles on the target's size.
 */
static void test_symlinks(void)
{
	char *real = inbox("real"), *out = inbox("outdir");
	char *link = strdup(pathf("%s/%s-linked-inbox", root, bname));
	const char *const names[] = { "ln.pdf", "ln2.pdf", "lndir", "dangling.pdf" };
	const struct took *t;
	struct ctx c;
	struct stat st;
	size_t i;

	put(pathf("%s/outside.pdf", out), "outside");
	put(pathf("%s/z.pdf", out), "z");
	unlink(link);
	T_EQ_INT(symlink(real, link), 0);
	T_EQ_INT(symlink(pathf("%s/outside.pdf", out), pathf("%s/ln.pdf", real)), 0);
	T_EQ_INT(symlink(out, pathf("%s/lndir", real)), 0);
	T_EQ_INT(symlink(pathf("%s/nowhere", out), pathf("%s/dangling.pdf", real)), 0);
	start(&c, link, NULL, 0);
	put(pathf("%s/after.pdf", link), "after");
	T_EQ_INT(symlink(pathf("%s/outside.pdf", out), pathf("%s/ln2.pdf", real)), 0);
	T_OK(wait_took(&c, 5), "files in a symlinked inbox not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 5);
	T_EQ_INT(count(&c, pathf("%s/after.pdf", link)), 1);
	t = taken(&c, pathf("%s/after.pdf", link));
	T_OK(t && t->size == 5 && t->type == S_IFREG, "after.pdf: size or type");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *p = pathf("%s/%s", link, names[i]);

		T_EQ_INT(count(&c, p), 1);
		T_EQ_INT(lstat(p, &st), 0);
		t = taken(&c, p);
		T_OK(t && t->type == S_IFLNK && t->size == st.st_size,
		     "%s: not reported as the link itself", names[i]);
	}
	/* nothing below the linked folder: it is never walked */
	T_EQ_INT(count(&c, pathf("%s/lndir/z.pdf", link)), 0);
	stop(&c);

	/* follow_symlinks: a link to a file settles on the target */
	follow = 1;
	start(&c, link, NULL, 0);
	T_OK(wait_took(&c, 5), "follow: files not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 5);
	t = taken(&c, pathf("%s/ln.pdf", link));
	T_OK(t && t->type == S_IFLNK && t->size == 7, "follow: ln.pdf not the target's size");
	T_EQ_INT(lstat(pathf("%s/lndir", link), &st), 0);
	t = taken(&c, pathf("%s/lndir", link));
	T_OK(t && t->type == S_IFLNK && t->size == st.st_size, "follow: lndir");
	stop(&c);
	follow = 0;

	unlink(link);
	rm_rf(out);
	free(link);
	free(real);
	free(out);
}

/* FIFOs and sockets are reported (never opened: a FIFO without a writer
 * would block an open), with their type, for the caller to refuse. */
static void test_special_files(void)
{
	char *in = inbox("special");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const struct took *t;
	struct ctx c;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	T_EQ_INT(mkfifo(pathf("%s/early.pdf", in), 0644), 0);
	start(&c, in, NULL, 0);
	T_EQ_INT(mkfifo(pathf("%s/pipe.pdf", in), 0644), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", in);
	T_OK(s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)), "socket: %s", strerror(errno));
	T_OK(wait_took(&c, 3), "FIFOs and socket not reported");
	quiet(&c, BRIEF);
	T_EQ_INT(c.n, 3);
	t = taken(&c, pathf("%s/early.pdf", in));
	T_OK(t && t->type == S_IFIFO, "early.pdf: not a FIFO");
	t = taken(&c, pathf("%s/pipe.pdf", in));
	T_OK(t && t->type == S_IFIFO, "pipe.pdf: not a FIFO");
	t = taken(&c, pathf("%s/sock", in));
	T_OK(t && t->type == S_IFSOCK, "sock: not a socket");
	if (s >= 0)
		close(s);
	stop(&c);
	free(in);
}

static void test_deleted_candidate(void)
{
	char *in = inbox("deleted"), *f = pathf("%s/gone.pdf", in);
	struct ctx c;

	start(&c, in, NULL, 0);
	put(f, "soon gone");
	T_OK(wait_unsettled(&c, 1), "gone.pdf not seen");
	unlink(f);
	T_OK(wait_unsettled(&c, 0), "deleted candidate kept");
	quiet(&c, QUIET);
	T_EQ_INT(c.n, 0);
	stop(&c);
	free(in);
}

/* An inbox that vanishes: a warning, then it is picked up again. */
static void test_vanishing_inbox(void)
{
	char *in = inbox("vanish");
	struct ctx c;

	start(&c, in, NULL, 0);
	T_EQ_INT(rmdir(in), 0);
	T_OK(pump(&c, WAIT, warned, NULL), "no warning for a vanished inbox");
	T_EQ_INT(c.warned, 1);
	T_CONTAINS(c.warnmsg, in);
	quiet(&c, BRIEF);
	T_EQ_INT(c.warned, 1);
	T_EQ_INT(mkdir(in, 0755), 0);
	put(pathf("%s/back.pdf", in), "b");
	T_OK(wait_took(&c, 1), "file in recreated inbox not reported");
	T_EQ_STR(c.took[0].path, pathf("%s/back.pdf", in));
	T_EQ_INT(c.warned, 1);
	stop(&c);
	free(in);
}

static void test_auto(void)
{
	const char *inboxes[1] = { root };
	struct folio_watch_opts o = { .inboxes = inboxes,
				      .ninboxes = 1,
				      .backend = FOLIO_WATCH_AUTO,
				      .settle_seconds = SETTLE };
	struct folio_err err = { 0 };
	struct folio_watcher *w = folio_watcher_new(&o, &err);

	T_OK(w != NULL, "%s", err.msg);
	if (!w)
		return;
#ifdef __linux__
	/* the test folder is local here unless TMPDIR is on a share */
	T_OK(!strcmp(folio_watcher_backend(w, 0), "inotify") ||
		     !strcmp(folio_watcher_backend(w, 0), "poll"),
	     "%s", folio_watcher_backend(w, 0));
	T_OK((folio_watcher_fd(w) >= 0) == !strcmp(folio_watcher_backend(w, 0), "inotify"), "fd %d",
	     folio_watcher_fd(w));
#else
	T_EQ_STR(folio_watcher_backend(w, 0), "poll");
#endif
	T_OK(folio_watcher_backend(w, 1) == NULL, "backend of a missing inbox");
	folio_watcher_free(w);
}

static void run_suite(enum folio_watch_backend b, const char *name)
{
	double t0 = folio_clock();

	backend = b;
	bname = name;
	test_startup();
	test_slow_writer();
	test_rename_into_place();
	test_ignored_files();
	test_new_subfolder();
	test_retake_and_forget();
	test_exclude();
	test_many();
	test_symlinks();
	test_special_files();
	test_deleted_candidate();
	test_vanishing_inbox();
	printf("%s: suite in %.2f s\n", name, folio_clock() - t0);
}

#ifdef __linux__
/* The polling suite runs in a child process beside the inotify one: the
 * run takes half as long. The child hands its counts back through a pipe. */
static void run_both(void)
{
	int fds[2], st = 0, counts[2] = { 0, 0 };
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) || (pid = fork()) < 0) {
		run_suite(FOLIO_WATCH_INOTIFY, "inotify");
		run_suite(FOLIO_WATCH_POLL, "poll");
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		t_pass = t_fail = 0;
		run_suite(FOLIO_WATCH_POLL, "poll");
		counts[0] = t_pass;
		counts[1] = t_fail;
		if (write(fds[1], counts, sizeof(counts)) != (ssize_t)sizeof(counts))
			exit(1);
		fflush(stdout);
		exit(0);
	}
	close(fds[1]);
	run_suite(FOLIO_WATCH_INOTIFY, "inotify");
	if (read(fds[0], counts, sizeof(counts)) != (ssize_t)sizeof(counts))
		counts[1] = 1;
	close(fds[0]);
	t_pass += counts[0];
	t_fail += counts[1];
	T_OK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	     "the polling suite's process failed (status %d)", st);
}
#endif

/* IMAP folder names: RFC 3501 5.1.3's modified UTF-7 both ways, with the
 * RFC's own example, '&', a surrogate pair; bad input refused. */
static void test_imap_utf7(void)
{
	static const char *const pairs[][2] = {
		{ "INBOX", "INBOX" },
		{ "Fatture/Società", "Fatture/Societ&AOA-" },
		{ "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
		{ "A&B", "A&-B" },
		{ "Faktury/Źródło", "Faktury/&AXk-r&APM-d&AUI-o" },
		{ "Fält 😀 x", "F&AOQ-lt &2D3eAA- x" },
	};
	static const char *const bad[] = { "&Jjo", "&Jjo!-", "&AGE-", "&2D0-", "a\x80" };
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct folio_strbuf a = FOLIO_STRBUF_INIT, b = FOLIO_STRBUF_INIT;

		T_EQ_INT(folio_imap_utf7_encode(pairs[i][0], &a), 0);
		T_EQ_STR(a.buf ? a.buf : "", pairs[i][1]);
		T_EQ_INT(folio_imap_utf7_decode(pairs[i][1], &b), 0);
		T_EQ_STR(b.buf ? b.buf : "", pairs[i][0]);
		folio_strbuf_release(&a);
		folio_strbuf_release(&b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct folio_strbuf b = FOLIO_STRBUF_INIT;

		T_OK(folio_imap_utf7_decode(bad[i], &b) == -1, "'%s' refused", bad[i]);
		folio_strbuf_release(&b);
	}
	{
		struct folio_strbuf a = FOLIO_STRBUF_INIT;

		T_OK(folio_imap_utf7_encode("a\xc3(", &a) == -1, "invalid UTF-8 refused");
		folio_strbuf_release(&a);
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/folio-watch-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(root))
		T_SKIP("cannot make a temporary folder");
	test_imap_utf7();
	test_ignored_names();
	test_missing_inbox();
	test_auto();
#ifdef __linux__
	run_both();
#else
	run_suite(FOLIO_WATCH_POLL, "poll");
#endif
	rm_rf(root);
	return t_done();
}
