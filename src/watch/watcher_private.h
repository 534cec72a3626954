/*
 * watcher_private.h - what watcher.c (the candidate table, the walks, the
 * events) and watch_inotify.c (the inotify folder table) share: the
 * watcher's state. Not a public header: see include/folio/watch.h.
 */
#ifndef FOLIO_WATCHER_PRIVATE_H
#define FOLIO_WATCHER_PRIVATE_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "folio/err.h"
#include "folio/strbuf.h"
#include "folio/watch.h"

#ifdef __linux__
#include <sys/inotify.h>
#include <sys/vfs.h>
#define HAVE_INOTIFY 1
#else
#define HAVE_INOTIFY 0
#endif

#ifdef __APPLE__
#define ST_MTIM(st) ((st)->st_mtimespec)
#else
#define ST_MTIM(st) ((st)->st_mtim)
#endif

#define MAX_DEPTH 64	 /* folders below an inbox we descend */
#define MIN_TIMEOUT 0.05 /* never ask to be woken sooner than this */
#define EVBUF_SIZE 65536
#define MAX_EVENT_READS 64 /* per update; the fd stays readable */

enum state { ST_OPEN, ST_SETTLING, ST_READY, ST_TAKEN };

/* How a file was seen. */
enum how {
	H_SCAN,	    /* found by a walk */
	H_WRITE,    /* IN_CREATE / IN_MODIFY: open for writing */
	H_DONE,	    /* IN_CLOSE_WRITE, or a link appeared: written */
	H_ATTR,	    /* IN_ATTRIB: mtime may have been set (cp -p, touch) */
	H_REPLACED, /* IN_MOVED_TO: a new file under this name */
};

struct entry {
	struct entry *hnext;	   /* hash chain */
	struct entry *prev, *next; /* state list */
	double changed;		   /* folio_clock() of the last observed change */
	off_t size;
	struct timespec mtime;
	uint32_t hash;
	uint32_t gen; /* walk that last saw it */
	uint32_t inbox;
	uint32_t name_off; /* offset of the base name in path */
	mode_t type;	   /* S_IFMT bits of the entry itself (lstat) */
	unsigned char state;
	char path[];
};

struct list {
	struct entry *head, *tail;
	size_t n;
};

struct dir { /* an inotify watch */
	struct dir *hnext;
	int wd;
	uint32_t inbox;
	char path[];
};

struct inbox {
	char *given; /* as the caller spelled it */
	char *root;  /* without trailing or doubled slashes */
	size_t rootlen;
	int poll;    /* 1: polling backend */
	int missing; /* unreadable at the last walk */
	double next_scan;
};

struct exclude {
	char *path; /* normalised */
	dev_t dev;
	ino_t ino;
	int have; /* dev/ino valid (the folder exists) */
};

struct folio_watcher {
	struct inbox *inboxes;
	size_t ninboxes;
	struct exclude *excludes;
	size_t nexcludes;
	double settle, rescan, poll;
	int follow; /* follow_symlinks: links settle on their target */

	struct entry **buckets;
	size_t nbuckets, nentries;
	struct list open, settling, ready;
	uint32_t gen;

	int fd; /* inotify, or -1 */
	struct dir **dbuckets;
	size_t ndbuckets, ndirs;
	char *evbuf;
	int overflow; /* events were lost: rescan everything */

	struct folio_strbuf scratch; /* take()'s path and subdir */
	char warn[FOLIO_ERR_MSG_MAX];
	int warn_kind;
	int warn_errno;
};

/* One walk of (part of) an inbox. */
struct scan {
	uint32_t inbox;
	int overflow;	/* events were lost: open files may be closed */
	int incomplete; /* a folder could not be read: do not sweep */
};

/* ---- the inotify folder table (watch_inotify.c) ---------------------- */

/* Watch folder `path` of inbox `inbox` (root: the inbox itself, which alone
 * may be a symlink); 0, or an errno (ENOSYS without inotify). A folder
 * already watched under another name gets its new name. */
int wt_watch_dir(struct folio_watcher *w, uint32_t inbox, const char *path, int root);

/* Stop watching the folders of `inbox` at or below `prefix` (all of the
 * inbox when prefix is NULL). */
void wt_unwatch(struct folio_watcher *w, uint32_t inbox, const char *prefix);

/* Forget every watched folder (the fd is closed by the caller). */
void wt_free_dirs(struct folio_watcher *w);

#if HAVE_INOTIFY
/* The folder of watch descriptor `wd`, or NULL. */
struct dir *wt_dir_find(const struct folio_watcher *w, int wd);

/* Take `d` out of the table (the caller frees it). */
void wt_dir_unlink(struct folio_watcher *w, struct dir *d);

/* Open the inotify fd and the event buffer; 0, or an errno. */
int wt_inotify_start(struct folio_watcher *w);

/* Whether `path` is on a network or FUSE file system, where inotify sees
 * only local changes. */
int wt_wants_polling(const char *path);
#endif

#endif
