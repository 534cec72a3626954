/*
 * watch_inotify.c - the inotify backend's folder table: a watch on every
 * folder of an inbox, found again by its watch descriptor (a small chained
 * hash table), and which file systems inotify cannot see. The events
 * themselves are read in watcher.c. Without inotify (not Linux) folders
 * are never watched and every inbox is polled.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watcher_private.h"

/* ---- inotify -------------------------------------------------------- */

#if HAVE_INOTIFY

#define DIR_MASK                                                                            \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | \
	 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

struct dir *wt_dir_find(const struct folio_watcher *w, int wd)
{
	struct dir *d;

	if (!w->dbuckets)
		return NULL;
	for (d = w->dbuckets[(unsigned)wd & (w->ndbuckets - 1)]; d; d = d->hnext)
		if (d->wd == wd)
			return d;
	return NULL;
}

void wt_dir_unlink(struct folio_watcher *w, struct dir *d)
{
	struct dir **pp = &w->dbuckets[(unsigned)d->wd & (w->ndbuckets - 1)];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	w->ndirs--;
}

static int wt_dir_grow(struct folio_watcher *w)
{
	size_t n = w->ndbuckets ? w->ndbuckets * 2 : 64, i;
	struct dir **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -1;
	for (i = 0; i < w->ndbuckets; i++) {
		struct dir *d = w->dbuckets[i], *next;

		for (; d; d = next) {
			next = d->hnext;
			d->hnext = nb[(unsigned)d->wd & (n - 1)];
			nb[(unsigned)d->wd & (n - 1)] = d;
		}
	}
	free(w->dbuckets);
	w->dbuckets = nb;
	w->ndbuckets = n;
	return 0;
}

/* Watch folder `path`; 0, or an errno. A folder already watched under
 * another name (renamed while events were lost) gets its new name. Only
 * an inbox itself may be a symlink to a folder. */
int wt_watch_dir(struct folio_watcher *w, uint32_t inbox, const char *path, int root)
{
	size_t len = strlen(path);
	struct dir *d;
	int wd;

	if (w->ndirs >= w->ndbuckets && wt_dir_grow(w))
		return ENOMEM;
	wd = inotify_add_watch(w->fd, path, root ? DIR_MASK & ~(uint32_t)IN_DONT_FOLLOW : DIR_MASK);
	if (wd < 0)
		return errno;
	if ((d = wt_dir_find(w, wd))) {
		if (d->inbox == inbox && !strcmp(d->path, path))
			return 0;
		wt_dir_unlink(w, d);
		free(d);
	}
	if (!(d = malloc(sizeof(*d) + len + 1))) {
		inotify_rm_watch(w->fd, wd);
		return ENOMEM;
	}
	d->wd = wd;
	d->inbox = inbox;
	memcpy(d->path, path, len + 1);
	d->hnext = w->dbuckets[(unsigned)wd & (w->ndbuckets - 1)];
	w->dbuckets[(unsigned)wd & (w->ndbuckets - 1)] = d;
	w->ndirs++;
	return 0;
}

/* Stop watching the folders of `inbox` at or below `prefix` (all of the
 * inbox when prefix is NULL). */
void wt_unwatch(struct folio_watcher *w, uint32_t inbox, const char *prefix)
{
	size_t plen = prefix ? strlen(prefix) : 0, i;

	for (i = 0; i < w->ndbuckets; i++) {
		struct dir *d = w->dbuckets[i], *next;

		for (; d; d = next) {
			next = d->hnext;
			if (d->inbox != inbox)
				continue;
			if (prefix && (strncmp(d->path, prefix, plen) ||
				       (d->path[plen] && d->path[plen] != '/')))
				continue;
			inotify_rm_watch(w->fd, d->wd);
			wt_dir_unlink(w, d);
			free(d);
		}
	}
}

int wt_inotify_start(struct folio_watcher *w)
{
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return errno;
	if (!(w->evbuf = malloc(EVBUF_SIZE)))
		return ENOMEM;
	return 0;
}

/* Network and FUSE file systems: inotify sees only local changes there. */
int wt_wants_polling(const char *path)
{
	static const uint32_t magic[] = {
		0x6969,	    /* NFS */
		0x517B,	    /* SMB */
		0xFF534D42, /* CIFS */
		0xFE534D42, /* SMB2 */
		0x65735546, /* FUSE */
		0x01021997, /* 9p */
		0x00c36400, /* Ceph */
	};
	struct statfs sfs;
	size_t i;

	if (statfs(path, &sfs))
		return 0;
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if ((uint32_t)sfs.f_type == magic[i])
			return 1;
	return 0;
}

#else /* !HAVE_INOTIFY */

int wt_watch_dir(struct folio_watcher *w, uint32_t inbox, const char *path, int root)
{
	(void)w;
	(void)inbox;
	(void)path;
	(void)root;
	return ENOSYS;
}

void wt_unwatch(struct folio_watcher *w, uint32_t inbox, const char *prefix)
{
	(void)w;
	(void)inbox;
	(void)prefix;
}

#endif

void wt_free_dirs(struct folio_watcher *w)
{
	size_t i;

	for (i = 0; i < w->ndbuckets; i++) {
		struct dir *d = w->dbuckets[i], *next;

		for (; d; d = next) {
			next = d->hnext;
			free(d);
		}
	}
	free(w->dbuckets);
	w->dbuckets = NULL;
	w->ndbuckets = w->ndirs = 0;
}
