/*
 * watch.h - find complete files in inbox folders.
 *
 * The watcher follows one or more inbox folders recursively and hands out
 * files that are complete: seen closed after writing or renamed into
 * place (inotify), or found by a scan, AND with size and mtime unchanged
 * for `settle_seconds`. A scan at start-up and a periodic rescan catch
 * what events miss (network shares lose them). Temporary and hidden names
 * are ignored until renamed to a real name.
 *
 * Two backends behind this one interface, picked at compile time and at
 * run time: inotify (Linux) and polling (any POSIX system; the automatic
 * choice for NFS, SMB/CIFS and FUSE mounts, where inotify sees nothing).
 *
 * It reports everything an inbox holds that is not a folder: regular
 * files, and also symbolic links (to anything, dangling too), FIFOs,
 * sockets and devices, so the caller can refuse those with a reason
 * rather than leave them unexplained. It never opens what it reports and
 * never follows a link: entries are seen with lstat() (with
 * follow_symlinks, a link to a regular file settles on its target's stat).
 *
 * Not thread-safe: one thread drives it (the pipeline's watch loop).
 */
#ifndef FOLIO_WATCH_H
#define FOLIO_WATCH_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "folio/err.h"

enum folio_watch_backend {
	FOLIO_WATCH_AUTO = 0, /* inotify, or polling on network/FUSE mounts */
	FOLIO_WATCH_INOTIFY,
	FOLIO_WATCH_POLL,
};

struct folio_watch_opts {
	const char *const *inboxes; /* folders to watch (must exist) */
	size_t ninboxes;
	enum folio_watch_backend backend;
	double settle_seconds; /* size+mtime unchanged this long (e.g. 2) */
	double rescan_seconds; /* full rescan period (e.g. 300) */
	double poll_seconds;   /* polling backend's scan period (e.g. 5) */
	/* absolute folders below an inbox never to report (done/, quarantine/) */
	const char *const *exclude;
	size_t nexclude;
	/* a link to a regular file settles on the target's size and mtime
	 * (the caller will follow it); otherwise on the link's own */
	int follow_symlinks;
};

/* A complete file. Strings owned by the watcher until the next call. */
struct folio_watch_file {
	const char *path;   /* full path */
	const char *inbox;  /* the inbox it is in, as given */
	const char *subdir; /* folder below the inbox, "" at top level;
	                                 "a/b" for inbox/a/b/x.pdf */
	off_t size;
	struct timespec mtime;
	mode_t type; /* S_IFREG, S_IFLNK, S_IFIFO, ... (lstat) */
};

struct folio_watcher;

/* Start watching; does the start-up scan. NULL with err set when an inbox
 * cannot be read. */
struct folio_watcher *folio_watcher_new(const struct folio_watch_opts *opts, struct folio_err *err);
void folio_watcher_free(struct folio_watcher *w);

/* The backend in use for inbox i ("inotify" or "poll"). */
const char *folio_watcher_backend(const struct folio_watcher *w, size_t i);

/* A file descriptor to poll(2) for readability (inotify), or -1. */
int folio_watcher_fd(const struct folio_watcher *w);

/*
 * Read pending events (never blocks), rescan when due, re-check settling
 * files. Call when the fd is readable or the deadline passed. FOLIO_OK, or
 * FOLIO_WARN when something was degraded (an inbox vanished, the inotify
 * watch limit was hit and that tree fell back to polling) with err saying
 * what.
 */
int folio_watcher_update(struct folio_watcher *w, struct folio_err *err);

/* Seconds until folio_watcher_update() should run again (>= 0). */
double folio_watcher_timeout(const struct folio_watcher *w);

/*
 * Take the next complete file: 1 and *out filled, or 0 when none is
 * ready. A taken file is not reported again while it keeps its size and
 * mtime; if it changes (rewritten), it becomes a candidate again.
 */
int folio_watcher_take(struct folio_watcher *w, struct folio_watch_file *out);

/* Files seen but not yet complete (still being written or settling). */
size_t folio_watcher_unsettled(const struct folio_watcher *w);

/* Forget `path` (removed or moved away by the caller). */
void folio_watcher_forget(struct folio_watcher *w, const char *path);

/* 1 when `name` (a base name) is temporary or hidden and must be ignored:
 * ".*", "*.tmp", "*.part", "~$*", "*.crdownload". */
int folio_watch_ignored_name(const char *name);

#endif
