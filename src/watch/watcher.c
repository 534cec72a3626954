/*
 * watcher.c - find complete files in inbox folders; see include/folio/watch.h.
 *
 * One candidate table keyed by full path (a chained hash table), and three
 * intrusive lists by state:
 *
 *   open      written through inotify and not yet seen closed: never
 *             reported until IN_CLOSE_WRITE (or a scan finds it quiet for a
 *             whole rescan period, in case the close event was lost);
 *   settling  waiting for size and mtime to stay put for settle_seconds.
 *             Every entry joins at the tail with `changed` = now, so the
 *             list is ordered by deadline and only its head is ever due;
 *   ready     complete, handed out by folio_watcher_take() in order.
 *
 * A taken entry stays in the table (in no list) so that an unchanged file
 * is not reported twice; a changed one goes back to settling.
 *
 * Entries are whatever an inbox holds that is not a folder: regular files,
 * and also symbolic links, FIFOs, sockets and devices, all seen with
 * lstat() (never opened, never followed), so that the caller can refuse
 * them with a reason instead of them lying in the inbox unexplained. With
 * follow_symlinks a link to a regular file settles on its target's size
 * and mtime, still without being opened.
 *
 * Backends, per inbox: inotify (Linux only: one fd, a watch on every
 * folder, wd -> folder table) and polling (a full walk every
 * poll_seconds). Both do a full walk at start and every rescan_seconds;
 * the walk marks what it saw with a generation number and then sweeps
 * the entries of that inbox it did not see.
 */
#include "folio/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#include "watcher_private.h"

int folio_watch_ignored_name(const char *name)
{
	static const char *const suffixes[] = { ".tmp", ".part", ".crdownload" };
	size_t len, i;

	if (!name || !*name || name[0] == '.' || (name[0] == '~' && name[1] == '$'))
		return 1;
	len = strlen(name);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);

		/* Windows tools write .TMP as readily as .tmp */
		if (len >= sl && !strcasecmp(name + len - sl, suffixes[i]))
			return 1;
	}
	return 0;
}

/* Copy `path` without doubled or trailing slashes ("/" stays "/"). */
static char *normalise(const char *path)
{
	char *p = malloc(strlen(path) + 1), *o;
	const char *s;

	if (!p)
		return NULL;
	for (o = p, s = path; *s; s++) {
		if (*s == '/' && o > p && o[-1] == '/')
			continue;
		*o++ = *s;
	}
	while (o > p + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return p;
}

static void warnf(struct folio_watcher *w, int kind, int sys_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Collect a warning for the next folio_watcher_update(); several are
 * joined with "; " as far as the message buffer allows. */
static void warnf(struct folio_watcher *w, int kind, int sys_errno, const char *fmt, ...)
{
	size_t len = strlen(w->warn);
	va_list ap;

	if (!len) {
		w->warn_kind = kind;
		w->warn_errno = sys_errno;
	} else if (len + 2 < sizeof(w->warn)) {
		memcpy(w->warn + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= sizeof(w->warn))
		return;
	va_start(ap, fmt);
	vsnprintf(w->warn + len, sizeof(w->warn) - len, fmt, ap);
	va_end(ap);
}

static int mtime_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Where the folder below the inbox starts in a path inside it. */
static size_t sub_off(const struct inbox *ib)
{
	return ib->rootlen + (ib->root[ib->rootlen - 1] != '/');
}

/* ---- candidate table ------------------------------------------------ */

static uint32_t hash_path(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct list *list_of(struct folio_watcher *w, int state)
{
	switch (state) {
	case ST_OPEN: return &w->open;
	case ST_SETTLING: return &w->settling;
	case ST_READY: return &w->ready;
	default: return NULL;
	}
}

static void list_remove(struct list *l, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

static void list_append(struct list *l, struct entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

/* Move `e` to `state`; with `reset` its settle timer starts again. An entry
 * that stays in the settling list without a reset keeps its place. */
static void set_state(struct folio_watcher *w, struct entry *e, int state, int reset)
{
	struct list *from = list_of(w, e->state), *to = list_of(w, state);

	if (reset)
		e->changed = folio_clock();
	if (from == to && !reset)
		return;
	if (from)
		list_remove(from, e);
	e->state = (unsigned char)state;
	if (to)
		list_append(to, e);
}

static struct entry *lookup(const struct folio_watcher *w, const char *path, size_t len, uint32_t h)
{
	struct entry *e;

	for (e = w->buckets[h & (w->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && !strncmp(e->path, path, len) && !e->path[len])
			return e;
	return NULL;
}

static int grow_table(struct folio_watcher *w)
{
	size_t n = w->nbuckets * 2, i;
	struct entry **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -1;
	for (i = 0; i < w->nbuckets; i++) {
		struct entry *e = w->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(w->buckets);
	w->buckets = nb;
	w->nbuckets = n;
	return 0;
}

static void drop(struct folio_watcher *w, struct entry *e)
{
	struct entry **pp = &w->buckets[e->hash & (w->nbuckets - 1)];
	struct list *l = list_of(w, e->state);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (l)
		list_remove(l, e);
	w->nentries--;
	free(e);
}

static void record(struct entry *e, const struct stat *st)
{
	e->size = st->st_size;
	e->mtime = ST_MTIM(st);
	e->type = st->st_mode & S_IFMT;
}

static int differs(const struct entry *e, const struct stat *st)
{
	return e->size != st->st_size || !mtime_eq(&e->mtime, &ST_MTIM(st)) ||
	       e->type != (st->st_mode & S_IFMT);
}

/*
 * What is recorded of entry `name` in folder `dirfd` (or a full path with
 * AT_FDCWD): its lstat(), never following a link; with follow_symlinks, a
 * link to a regular file takes the target's size and mtime (the file
 * behind it must settle too) while keeping the link's own type. 0, or -1
 * with errno.
 */
static int look(const struct folio_watcher *w, int dirfd, const char *name, struct stat *st)
{
	struct stat t;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW))
		return -1;
	if (S_ISLNK(st->st_mode) && w->follow && !fstatat(dirfd, name, &t, 0) &&
	    S_ISREG(t.st_mode)) {
		st->st_size = t.st_size;
		ST_MTIM(st) = ST_MTIM(&t);
	}
	return 0;
}

/* Drop the entries of `inbox` the last walk did not see (by_gen), or
 * those below folder `prefix`. */
static void sweep(struct folio_watcher *w, uint32_t inbox, const char *prefix, size_t plen,
		  int by_gen)
{
	size_t i;

	for (i = 0; i < w->nbuckets; i++) {
		struct entry *e = w->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			if (e->inbox != inbox)
				continue;
			if (by_gen ? e->gen != w->gen :
				     !strncmp(e->path, prefix, plen) && e->path[plen] == '/')
				drop(w, e);
		}
	}
}

/*
 * A file `path` (st: look() of it; anything but a folder) was seen;
 * create or update its entry. Out of memory only loses the entry: the
 * next walk finds the file again.
 */
static void observe(struct folio_watcher *w, uint32_t inbox, const char *path, size_t len,
		    const struct stat *st, int how, const struct scan *sc)
{
	const struct inbox *ib = &w->inboxes[inbox];
	uint32_t h = hash_path(path, len);
	struct entry *e = lookup(w, path, len, h);
	int changed;
	const char *slash;

	if (!e) {
		if (w->nentries >= w->nbuckets && grow_table(w))
			return;
		if (!(e = calloc(1, sizeof(*e) + len + 1)))
			return;
		memcpy(e->path, path, len);
		e->path[len] = '\0';
		e->hash = h;
		e->inbox = inbox;
		slash = strrchr(e->path, '/');
		e->name_off = slash ? (uint32_t)(slash - e->path + 1) : 0;
		e->state = ST_TAKEN; /* in no list until set_state() */
		e->gen = w->gen;
		record(e, st);
		e->hnext = w->buckets[h & (w->nbuckets - 1)];
		w->buckets[h & (w->nbuckets - 1)] = e;
		w->nentries++;
		set_state(w, e, how == H_WRITE ? ST_OPEN : ST_SETTLING, 1);
		return;
	}
	changed = differs(e, st);
	record(e, st);
	switch (how) {
	case H_WRITE: set_state(w, e, ST_OPEN, 1); break;
	case H_REPLACED: set_state(w, e, ST_SETTLING, 1); break;
	case H_DONE:
		if (changed || e->state == ST_OPEN)
			set_state(w, e, ST_SETTLING, 1);
		break;
	case H_ATTR:
		if (changed)
			set_state(w, e, e->state == ST_OPEN ? ST_OPEN : ST_SETTLING, 1);
		break;
	case H_SCAN:
		e->gen = w->gen;
		if (e->state == ST_OPEN) {
			/* no close event will come for a polled inbox, nor for
			 * one lost in an overflow; a file not written to for a
			 * whole rescan period lost its close event some other
			 * way. (Its size is recorded at close, not at every
			 * IN_MODIFY: `changed` means nothing here.) */
			if (ib->poll || sc->overflow || folio_clock() - e->changed >= w->rescan)
				set_state(w, e, ST_SETTLING, 1);
		} else if (changed) {
			set_state(w, e, ST_SETTLING, 1);
		}
		break;
	}
}

/* ---- exclusion ------------------------------------------------------ */

/* The excluded folders may come and go (done/ is made on first use). */
static void refresh_excludes(struct folio_watcher *w)
{
	size_t i;

	for (i = 0; i < w->nexcludes; i++) {
		struct stat st;

		w->excludes[i].have = !stat(w->excludes[i].path, &st) && S_ISDIR(st.st_mode);
		if (w->excludes[i].have) {
			w->excludes[i].dev = st.st_dev;
			w->excludes[i].ino = st.st_ino;
		}
	}
}

/* 1 when folder `path` (st: its stat, or NULL) is excluded. */
static int excluded(const struct folio_watcher *w, const char *path, const struct stat *st)
{
	size_t i;

	for (i = 0; i < w->nexcludes; i++) {
		const struct exclude *x = &w->excludes[i];

		if (!strcmp(x->path, path))
			return 1;
		if (st && x->have && x->dev == st->st_dev && x->ino == st->st_ino)
			return 1;
	}
	return 0;
}

/* The inotify watch limit was hit: watch inbox `i` by polling instead. */
static void fall_back(struct folio_watcher *w, uint32_t i, int e)
{
	struct inbox *ib = &w->inboxes[i];
	struct entry *x, *next;

	if (ib->poll)
		return;
	ib->poll = 1;
	wt_unwatch(w, i, NULL);
	/* no close event will come for its open files */
	for (x = w->open.head; x; x = next) {
		next = x->next;
		if (x->inbox == i)
			set_state(w, x, ST_SETTLING, 1);
	}
	ib->next_scan = folio_clock() + (w->poll < w->rescan ? w->poll : w->rescan);
	warnf(w, FOLIO_E_LIMIT, e,
	      "cannot watch '%s' with inotify (%s; raise fs.inotify.max_user_watches): "
	      "polling it every %g s instead",
	      ib->given, strerror(e), w->poll < w->rescan ? w->poll : w->rescan);
}

/* ---- walking -------------------------------------------------------- */

/*
 * Walk folder path->buf (an open folder fd `fd`, closed here) of inbox
 * sc->inbox: watch it (inotify), observe its files, descend. Hidden and
 * temporary names, excluded folders and symlinks to folders are skipped.
 */
static void walk_fd(struct folio_watcher *w, struct scan *sc, struct folio_strbuf *path, int fd,
		    int depth)
{
	struct inbox *ib = &w->inboxes[sc->inbox];
	size_t len = path->len;
	struct dirent *de;
	DIR *d;

	if (!ib->poll) {
		int e = wt_watch_dir(w, sc->inbox, path->buf, depth == 0);

		if (e == ENOSPC || e == ENOMEM)
			fall_back(w, sc->inbox, e);
		/* others (the folder just vanished...): the walk tells */
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		sc->incomplete = 1;
		return;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		int sub;

		if (folio_watch_ignored_name(de->d_name))
			continue;
		path->len = len;
		path->buf[len] = '\0';
		if ((len && path->buf[len - 1] != '/' && folio_strbuf_addch(path, '/')) ||
		    folio_strbuf_adds(path, de->d_name)) {
			sc->incomplete = 1;
			break;
		}
		if (de->d_type == DT_DIR) {
			sub = 1;
		} else if (de->d_type != DT_UNKNOWN) {
			sub = 0;
		} else {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			sub = S_ISDIR(st.st_mode);
		}
		if (sub) {
			int cfd;
			struct stat dst;

			if (depth >= MAX_DEPTH || excluded(w, path->buf, NULL))
				continue;
			cfd = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
					sc->incomplete = 1;
				continue;
			}
			if (!fstat(cfd, &dst) && excluded(w, path->buf, &dst)) {
				close(cfd);
				continue;
			}
			walk_fd(w, sc, path, cfd, depth + 1);
			continue;
		}
		if (look(w, dirfd(d), de->d_name, &st)) {
			/* unreadable for now: keep what we know of it */
			if (errno != ENOENT) {
				struct entry *e = lookup(w, path->buf, path->len,
							 hash_path(path->buf, path->len));
				if (e)
					e->gen = w->gen;
			}
			continue;
		}
		/* links (to anything), FIFOs, sockets, devices too: the caller
		 * refuses them with a reason; a folder here was just made */
		if (!S_ISDIR(st.st_mode))
			observe(w, sc->inbox, path->buf, path->len, &st, H_SCAN, sc);
	}
	if (errno)
		sc->incomplete = 1;
	closedir(d);
	path->len = len;
	path->buf[len] = '\0';
}

/* Walk folder `dir` of inbox `sc->inbox`; 0, or the errno of opening it. */
static int walk(struct folio_watcher *w, struct scan *sc, const char *dir)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT;
	const struct inbox *ib = &w->inboxes[sc->inbox];
	int fd, depth = 0;

	if (strlen(dir) > ib->rootlen) {
		const char *s;

		for (depth = 1, s = dir + sub_off(ib); *s; s++)
			depth += *s == '/';
	}
	/* an inbox may be a symlink, a folder below it may not */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (depth ? O_NOFOLLOW : 0));
	if (fd < 0)
		return errno;
	if (folio_strbuf_adds(&path, dir)) {
		close(fd);
		return ENOMEM;
	}
	walk_fd(w, sc, &path, fd, depth);
	folio_strbuf_release(&path);
	return 0;
}

/* Full walk of inbox i: new files become candidates, changed ones settle
 * again, vanished ones are dropped. 0, or the errno of opening the inbox
 * (which is then retried every poll_seconds). */
static int scan_inbox(struct folio_watcher *w, uint32_t i, int overflow)
{
	struct inbox *ib = &w->inboxes[i];
	struct scan sc = { .inbox = i, .overflow = overflow };
	int e;

	refresh_excludes(w);
	w->gen++;
	e = walk(w, &sc, ib->root);
	if (e) {
		if (!ib->missing)
			warnf(w, FOLIO_E_IO, e, "cannot read inbox '%s': %s; retrying every %g s",
			      ib->given, strerror(e), w->poll);
		ib->missing = 1;
		wt_unwatch(w, i, NULL);
		ib->next_scan = folio_clock() + w->poll;
		return e;
	}
	ib->missing = 0;
	if (!sc.incomplete)
		sweep(w, i, NULL, 0, 1);
	ib->next_scan = folio_clock() + (ib->poll && w->poll < w->rescan ? w->poll : w->rescan);
	return 0;
}

/* ---- events --------------------------------------------------------- */

#if HAVE_INOTIFY

static void inbox_lost(struct folio_watcher *w, uint32_t i, const char *why)
{
	struct inbox *ib = &w->inboxes[i];

	wt_unwatch(w, i, NULL);
	if (!ib->missing)
		warnf(w, FOLIO_E_IO, 0, "inbox '%s' %s; retrying every %g s", ib->given, why,
		      w->poll);
	ib->missing = 1;
	ib->next_scan = folio_clock() + w->poll;
}

static void handle_event(struct folio_watcher *w, const struct inotify_event *ev,
			 struct folio_strbuf *path)
{
	struct entry *e;
	struct dir *d;
	struct stat st;
	uint32_t inbox;
	int how;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflow = 1;
		return;
	}
	if (!(d = wt_dir_find(w, ev->wd)))
		return;
	inbox = d->inbox;
	if (!ev->len || !ev->name[0]) {
		/* the folder itself */
		int root = !strcmp(d->path, w->inboxes[inbox].root);

		if (!(ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)))
			return;
		if (root) {
			inbox_lost(w, inbox,
				   ev->mask & IN_MOVE_SELF ? "was moved away" : "vanished");
		} else if (ev->mask & (IN_DELETE_SELF | IN_IGNORED | IN_UNMOUNT)) {
			/* the kernel drops the watch itself; IN_MOVE_SELF
			 * is handled by the parent's IN_MOVED_FROM */
			wt_dir_unlink(w, d);
			free(d);
		}
		return;
	}
	if (folio_watch_ignored_name(ev->name))
		return;
	folio_strbuf_reset(path);
	if (folio_strbuf_adds(path, d->path) ||
	    (strcmp(d->path, "/") && folio_strbuf_addch(path, '/')) ||
	    folio_strbuf_adds(path, ev->name))
		return;
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
			wt_unwatch(w, inbox, path->buf);
			sweep(w, inbox, path->buf, path->len, 0);
		} else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			/* files may already be in it: watch, then walk */
			struct scan sc = { .inbox = inbox };

			refresh_excludes(w);
			if (!excluded(w, path->buf, NULL) &&
			    !(stat(path->buf, &st) == 0 && excluded(w, path->buf, &st)))
				walk(w, &sc, path->buf);
		}
		return;
	}
	if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
		if ((e = lookup(w, path->buf, path->len, hash_path(path->buf, path->len))))
			drop(w, e);
		return;
	}
	e = lookup(w, path->buf, path->len, hash_path(path->buf, path->len));
	if (ev->mask & IN_MOVED_TO) {
		how = H_REPLACED;
	} else if (ev->mask & IN_CLOSE_WRITE) {
		how = H_DONE;
	} else if (ev->mask & IN_ATTRIB) {
		how = H_ATTR;
	} else if (ev->mask & IN_MODIFY) {
		/* being written: the stat at IN_CLOSE_WRITE records it */
		if (e) {
			set_state(w, e, ST_OPEN, 1);
			return;
		}
		how = H_WRITE;
	} else if (ev->mask & IN_CREATE) {
		/* a symlink, FIFO, socket, device or hard link appears whole,
		 * no close follows */
		if (lstat(path->buf, &st))
			goto gone;
		if (S_ISREG(st.st_mode)) {
			observe(w, inbox, path->buf, path->len, &st,
				st.st_nlink > 1 ? H_DONE : H_WRITE, NULL);
			return;
		}
		how = H_DONE;
	} else {
		return;
	}
	if (look(w, AT_FDCWD, path->buf, &st) || S_ISDIR(st.st_mode))
		goto gone;
	observe(w, inbox, path->buf, path->len, &st, how, NULL);
	return;
gone:
	if (e)
		drop(w, e);
}

static void read_events(struct folio_watcher *w)
{
	struct folio_strbuf path = FOLIO_STRBUF_INIT;
	int reads;

	for (reads = 0; reads < MAX_EVENT_READS; reads++) {
		ssize_t n = read(w->fd, w->evbuf, EVBUF_SIZE);
		char *p;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = w->evbuf; p < w->evbuf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			handle_event(w, ev, &path);
			p += sizeof(*ev) + ev->len;
		}
	}
	folio_strbuf_release(&path);
}

#endif

/* ---- the interface -------------------------------------------------- */

void folio_watcher_free(struct folio_watcher *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->nbuckets; i++) {
		struct entry *e = w->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			free(e);
		}
	}
	free(w->buckets);
	wt_free_dirs(w);
	if (w->fd >= 0)
		close(w->fd);
	free(w->evbuf);
	for (i = 0; i < w->ninboxes; i++) {
		free(w->inboxes[i].given);
		free(w->inboxes[i].root);
	}
	free(w->inboxes);
	for (i = 0; i < w->nexcludes; i++)
		free(w->excludes[i].path);
	free(w->excludes);
	folio_strbuf_release(&w->scratch);
	free(w);
}

struct folio_watcher *folio_watcher_new(const struct folio_watch_opts *opts, struct folio_err *err)
{
	struct folio_watcher *w = NULL;
	int want_inotify = 0;
	size_t i;

	if (!opts || !opts->ninboxes || !opts->inboxes) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "no inbox folder to watch");
		return NULL;
	}
	if (!(w = calloc(1, sizeof(*w))))
		goto nomem;
	w->fd = -1;
	w->settle = opts->settle_seconds > 0 ? opts->settle_seconds : 0;
	w->rescan = opts->rescan_seconds > 0 ? opts->rescan_seconds : 300;
	w->poll = opts->poll_seconds > 0 ? opts->poll_seconds : 5;
	w->follow = opts->follow_symlinks;
	w->nbuckets = 1024;
	if (!(w->buckets = calloc(w->nbuckets, sizeof(*w->buckets))) ||
	    !(w->inboxes = calloc(opts->ninboxes, sizeof(*w->inboxes))))
		goto nomem;
	w->ninboxes = opts->ninboxes;
	for (i = 0; i < w->ninboxes; i++) {
		struct inbox *ib = &w->inboxes[i];
		const char *given = opts->inboxes[i] ? opts->inboxes[i] : "";
		struct stat st;
		int fd;

		if (!(ib->given = strdup(given)) || !(ib->root = normalise(given)))
			goto nomem;
		ib->rootlen = strlen(ib->root);
		fd = open(given, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e, "cannot watch '%s': %s",
				      given, strerror(e));
			goto fail;
		}
		close(fd);
		switch (opts->backend) {
		case FOLIO_WATCH_POLL: ib->poll = 1; break;
		case FOLIO_WATCH_INOTIFY: ib->poll = !HAVE_INOTIFY; break;
		default:
#if HAVE_INOTIFY
			ib->poll = wt_wants_polling(ib->root);
#else
			ib->poll = 1;
#endif
			break;
		}
		want_inotify |= !ib->poll;
	}
	if (opts->nexclude) {
		if (!(w->excludes = calloc(opts->nexclude, sizeof(*w->excludes))))
			goto nomem;
		for (i = 0; i < opts->nexclude; i++) {
			if (!opts->exclude[i])
				continue;
			if (!(w->excludes[w->nexcludes].path = normalise(opts->exclude[i])))
				goto nomem;
			w->nexcludes++;
		}
	}
#if HAVE_INOTIFY
	if (want_inotify) {
		int e = wt_inotify_start(w);

		if (e == ENOMEM)
			goto nomem;
		if (e) {
			for (i = 0; i < w->ninboxes; i++)
				w->inboxes[i].poll = 1;
			warnf(w, FOLIO_E_LIMIT, e,
			      "cannot start inotify (%s; raise fs.inotify.max_user_instances): "
			      "polling every %g s instead",
			      strerror(e), w->poll < w->rescan ? w->poll : w->rescan);
		}
	}
#else
	if (opts->backend == FOLIO_WATCH_INOTIFY)
		warnf(w, FOLIO_E_CONFIG, 0, "inotify is not available here: polling instead");
#endif
	(void)want_inotify;
	for (i = 0; i < w->ninboxes; i++) {
		int e = scan_inbox(w, (uint32_t)i, 0);

		if (e) {
			/* it was there a moment ago; say so now rather than later */
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, e, "cannot watch '%s': %s",
				      w->inboxes[i].given, strerror(e));
			goto fail;
		}
	}
	return w;
nomem:
	folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fail:
	folio_watcher_free(w);
	return NULL;
}

const char *folio_watcher_backend(const struct folio_watcher *w, size_t i)
{
	if (!w || i >= w->ninboxes)
		return NULL;
	return w->inboxes[i].poll ? "poll" : "inotify";
}

int folio_watcher_fd(const struct folio_watcher *w)
{
	return w ? w->fd : -1;
}

/* Re-check the settling files whose time is up. */
static void settle(struct folio_watcher *w)
{
	double now = folio_clock();
	size_t n = w->settling.n;

	/* bounded by the starting length: a file that keeps changing goes to
	 * the tail and waits for the next update */
	while (n-- && w->settling.head && w->settling.head->changed + w->settle <= now) {
		struct entry *e = w->settling.head;
		struct stat st;

		if (look(w, AT_FDCWD, e->path, &st) || S_ISDIR(st.st_mode)) {
			drop(w, e);
		} else if (differs(e, &st)) {
			record(e, &st);
			set_state(w, e, ST_SETTLING, 1);
		} else {
			set_state(w, e, ST_READY, 0);
		}
	}
}

int folio_watcher_update(struct folio_watcher *w, struct folio_err *err)
{
	double now;
	size_t i;

#if HAVE_INOTIFY
	if (w->fd >= 0)
		read_events(w);
#endif
	now = folio_clock();
	for (i = 0; i < w->ninboxes; i++) {
		struct inbox *ib = &w->inboxes[i];

		if (now >= ib->next_scan || (w->overflow && !ib->poll))
			scan_inbox(w, (uint32_t)i, w->overflow && !ib->poll);
	}
	w->overflow = 0;
	settle(w);
	if (w->warn[0]) {
		folio_err_set(err, FOLIO_WARN, (enum folio_err_kind)w->warn_kind, w->warn_errno,
			      "%s", w->warn);
		w->warn[0] = '\0';
		return FOLIO_WARN;
	}
	return FOLIO_OK;
}

double folio_watcher_timeout(const struct folio_watcher *w)
{
	double now = folio_clock(), t = w->rescan;
	size_t i;

	for (i = 0; i < w->ninboxes; i++)
		if (w->inboxes[i].next_scan - now < t)
			t = w->inboxes[i].next_scan - now;
	if (w->settling.head) {
		double s = w->settling.head->changed + w->settle - now;

		if (s < MIN_TIMEOUT)
			s = MIN_TIMEOUT;
		if (s < t)
			t = s;
	}
	/* a pending warning (from folio_watcher_new) is due now */
	if (w->warn[0])
		t = 0;
	return t > 0 ? t : 0;
}

int folio_watcher_take(struct folio_watcher *w, struct folio_watch_file *out)
{
	struct entry *e;

	while ((e = w->ready.head)) {
		const struct inbox *ib = &w->inboxes[e->inbox];
		struct stat st;
		size_t sub, sublen;

		/* it may have changed or gone since the update */
		if (look(w, AT_FDCWD, e->path, &st) || S_ISDIR(st.st_mode)) {
			drop(w, e);
			continue;
		}
		if (differs(e, &st)) {
			record(e, &st);
			set_state(w, e, ST_SETTLING, 1);
			continue;
		}
		/* path, then the folder between the inbox and the name */
		sub = sub_off(ib);
		sublen = e->name_off > sub ? e->name_off - 1 - sub : 0;
		folio_strbuf_reset(&w->scratch);
		if (folio_strbuf_adds(&w->scratch, e->path) ||
		    folio_strbuf_addch(&w->scratch, '\0') ||
		    folio_strbuf_add(&w->scratch, e->path + sub, sublen))
			return 0; /* out of memory: stays ready, try later */
		set_state(w, e, ST_TAKEN, 0);
		out->path = w->scratch.buf;
		out->subdir = w->scratch.buf + strlen(e->path) + 1;
		out->inbox = ib->given;
		out->size = e->size;
		out->mtime = e->mtime;
		out->type = e->type;
		return 1;
	}
	return 0;
}

size_t folio_watcher_unsettled(const struct folio_watcher *w)
{
	return w->open.n + w->settling.n;
}

void folio_watcher_forget(struct folio_watcher *w, const char *path)
{
	size_t len;
	struct entry *e;
	char *norm;

	if (!w || !path)
		return;
	len = strlen(path);
	if ((e = lookup(w, path, len, hash_path(path, len)))) {
		drop(w, e);
		return;
	}
	/* the caller may spell it with doubled slashes */
	if ((norm = normalise(path))) {
		len = strlen(norm);
		if ((e = lookup(w, norm, len, hash_path(norm, len))))
			drop(w, e);
		free(norm);
	}
}
