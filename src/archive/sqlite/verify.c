/*
 * verify.c - `folio verify` on the SQLite backend: the database's own
 * checks, every original re-hashed, the store, the journal and the export
 * ledger's copies. See folio_archive_verify() in include/folio/archive.h.
 */
#include "../chain.h"
#include "sqlite_private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/util.h"

/* read size for hashing; rows per chunk; hashing threads at most */
#define HASH_BUF (1 << 18)
#define CHUNK 512
#define MAX_THREADS 8

/* ---- verify ------------------------------------------------------------ */

struct vctx {
	void (*fn)(void *arg, const char *problem);
	void *arg;
	long long n;
};

static void problem(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct vctx *v, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	v->n++;
	if (v->fn)
		v->fn(v->arg, buf);
}

/* 0, or -1 with errno set */
static int hash_file(const char *path, char hex[65])
{
	struct folio_sha256 s;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (!(buf = malloc(HASH_BUF))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	folio_sha256_init(&s);
	while ((n = read(fd, buf, HASH_BUF)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		folio_sha256_update(&s, buf, (size_t)n);
	}
	free(buf);
	close(fd);
	folio_sha256_final_hex(&s, hex);
	return 0;
}

/*
 * Re-hashing the originals is most of verify's time on a large archive:
 * the rows are read in chunks and each chunk's files are hashed by a
 * thread per core, then reported in the rows' order, so the output is the
 * same whatever the thread count.
 */

enum { V_OK, V_NOPATH, V_MISSING, V_SIZE, V_UNREADABLE, V_CHANGED };

struct vitem {
	long long id, size; /* size < 0: not checked (a batch original) */
	char sha[65];
	char hex[65];
	long long actual;
	char *path;
	int state, err;
};

struct vpool {
	struct vitem *it;
	size_t n;
	size_t next; /* taken atomically */
};

static void check_item(struct vitem *it)
{
	struct stat sb;

	if (!it->path) {
		it->state = V_NOPATH;
		return;
	}
	if (stat(it->path, &sb)) {
		it->state = V_MISSING;
	} else if (it->size >= 0 && sb.st_size != it->size) {
		it->state = V_SIZE;
		it->actual = (long long)sb.st_size;
	} else if (hash_file(it->path, it->hex)) {
		it->state = V_UNREADABLE;
		it->err = errno;
	} else {
		it->state = strcmp(it->hex, it->sha) ? V_CHANGED : V_OK;
	}
}

static void *hash_worker(void *arg)
{
	struct vpool *p = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->n)
		check_item(&p->it[i]);
	return NULL;
}

static int threads_for(size_t n)
{
	long c = sysconf(_SC_NPROCESSORS_ONLN);

	if (c < 1)
		c = 1;
	if (c > MAX_THREADS)
		c = MAX_THREADS;
	return (size_t)c > n ? (int)n : (int)c;
}

/* Check it[0..n): in threads when there are cores for it, else here. */
static void check_chunk(struct vitem *it, size_t n)
{
	struct vpool p = { it, n, 0 };
	pthread_t th[MAX_THREADS];
	int k = threads_for(n), started = 0, i;

	for (i = 1; i < k; i++, started++)
		if (pthread_create(&th[started], NULL, hash_worker, &p))
			break;
	hash_worker(&p); /* this thread works too, and alone if none started */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

static void report_item(struct vctx *v, const struct vitem *it)
{
	int batch = it->size < 0;

	switch (it->state) {
	case V_MISSING:
		if (batch)
			problem(v,
				"document %lld: the batch original it was cut from is missing"
				" (%s)",
				it->id, it->path);
		else
			problem(v, "document %lld: original missing (%s)", it->id, it->path);
		break;
	case V_SIZE:
		problem(v, "document %lld: original is %lld bytes, expected %lld (%s)", it->id,
			it->actual, it->size, it->path);
		break;
	case V_UNREADABLE:
		if (batch)
			problem(v, "document %lld: the batch original is unreadable (%s): %s",
				it->id, it->path, strerror(it->err));
		else
			problem(v, "document %lld: original unreadable (%s): %s", it->id, it->path,
				strerror(it->err));
		break;
	case V_CHANGED:
		if (batch)
			problem(v, "document %lld: the batch original changed, sha256 is %s (%s)",
				it->id, it->hex, it->path);
		else
			problem(v, "document %lld: original changed, sha256 is %s (%s)", it->id,
				it->hex, it->path);
		break;
	default: break;
	}
}

/*
 * Re-hash the originals the rows of `sql` name (columns: id, sha256 and,
 * unless `batch`, the size). Returns 0, or -1 when the rows cannot be
 * read (err set) or memory ran out.
 */
static int rehash(struct folio_store *arc, struct vctx *v, const char *sql, int batch,
		  struct folio_err *err)
{
	struct vitem *it = calloc(CHUNK, sizeof(*it));
	sqlite3_stmt *st;
	size_t n, i;
	int rc = SQLITE_ROW;

	if (!it)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory"), -1;
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL)) {
		free(it);
		folio_db_err(arc, err,
			     batch ? "cannot list batch originals" : "cannot list documents");
		return -1;
	}
	while (rc == SQLITE_ROW) {
		for (n = 0; n < CHUNK && (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
			const char *sha = (const char *)sqlite3_column_text(st, 1);

			memset(&it[n], 0, sizeof(it[n]));
			it[n].id = sqlite3_column_int64(st, 0);
			it[n].size = batch ? -1 : sqlite3_column_int64(st, 2);
			snprintf(it[n].sha, sizeof(it[n].sha), "%s", sha ? sha : "");
			it[n].path = sha ? sq_blob_path(arc, sha) : NULL;
		}
		check_chunk(it, n);
		for (i = 0; i < n; i++) {
			report_item(v, &it[i]);
			free(it[i].path);
		}
	}
	sqlite3_finalize(st);
	free(it);
	if (rc != SQLITE_DONE)
		problem(v, "database: %s", sqlite3_errmsg(arc->db));
	return 0;
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

struct store_check {
	struct vctx *v;
	sqlite3_stmt *known, *deleted;
};

static void check_blob(void *ctx, const char *d1, const char *d2, const char *name,
		       const char *path)
{
	struct store_check *sc = ctx;

	if (strstr(name, ".tmp.")) {
		problem(sc->v,
			"unfinished write in the store (the next folio watch removes it"
			" once its writer is gone): %s",
			path);
		return;
	}
	if (!d1 || !is_hex64(name) || strncmp(name, d1, 2) || strncmp(name + 2, d2, 2)) {
		problem(sc->v, "stray file in the store, not folio's: %s", path);
		return;
	}
	sqlite3_reset(sc->known);
	sqlite3_bind_text(sc->known, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(sc->known) == SQLITE_ROW)
		return;
	/* a deletion commits its rows, then removes the bytes */
	sqlite3_reset(sc->deleted);
	sqlite3_bind_text(sc->deleted, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(sc->deleted) == SQLITE_ROW)
		problem(sc->v,
			"original of deleted document %lld still in the store (its deletion was"
			" interrupted; nothing names it, remove it): %s",
			(long long)sqlite3_column_int64(sc->deleted, 0), path);
	else
		problem(sc->v, "orphan original, no document names it: %s", path);
}

/* Every file in the store must be a known blob under its own name. */
static void check_store(struct folio_store *arc, struct vctx *v)
{
	struct store_check sc = { v, NULL, NULL };

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT 1 FROM documents WHERE sha256 = ?1"
			       " UNION ALL SELECT 1 FROM documents WHERE source_sha256 = ?1",
			       -1, &sc.known, NULL)) {
		problem(v, "database: %s", sqlite3_errmsg(arc->db));
		return;
	}
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT doc_id FROM events WHERE kind = 'deleted' AND sha256 = ?"
			       " ORDER BY id DESC LIMIT 1",
			       -1, &sc.deleted, NULL)) {
		problem(v, "database: %s", sqlite3_errmsg(arc->db));
		sqlite3_finalize(sc.known);
		return;
	}
	if (folio_store_walk(arc, check_blob, &sc))
		problem(v, "store folder '%s' cannot be read: %s", arc->store_dir, strerror(errno));
	sqlite3_finalize(sc.known);
	sqlite3_finalize(sc.deleted);
}

struct chain_ctx {
	struct vctx *v;
	struct folio_chain c;
	int oom;
};

static int chain_event(void *ctx, const struct folio_event *ev)
{
	struct chain_ctx *cc = ctx;
	char msg[320];
	int r = folio_chain_step(&cc->c, ev, msg, sizeof(msg));

	if (r < 0) {
		cc->oom = 1;
		return 1;
	}
	if (r)
		problem(cc->v, "audit log: %s", msg);
	return 0;
}

/* Each event's hash from the one before it and its own columns, as
 * sq_event (and the PostgreSQL backend) compute it. */
static int check_chain(struct folio_store *arc, struct vctx *v, struct folio_err *err)
{
	struct chain_ctx cc = { .v = v };

	folio_chain_init(&cc.c);
	if (sq_events(arc, 0, NULL, 1, chain_event, &cc, err) != FOLIO_OK)
		return -1;
	if (cc.oom)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory"), -1;
	return 0;
}

long long sq_verify(struct folio_store *arc, void (*fn)(void *arg, const char *problem), void *arg,
		    int daemon_alive, struct folio_err *err)
{
	struct vctx v = { fn, arg, 0 };
	sqlite3_stmt *st;
	int rc;

	/* 1. SQLite's own check */
	if (sqlite3_prepare_v2(arc->db, "PRAGMA integrity_check", -1, &st, NULL)) {
		folio_db_err(arc, err, "cannot check the database");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);

		if (m && strcmp(m, "ok"))
			problem(&v, "database: %s", m);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		problem(&v, "database: %s", sqlite3_errmsg(arc->db));
	/* 2. the full-text index against its content: FTS5 runs that check
	 * as a write statement, which a read-only handle cannot run (the
	 * caller says so) */
	if (arc->rdonly)
		;
	else if (sqlite3_exec(arc->db,
			      "INSERT INTO doc_fts(doc_fts, rank) VALUES('integrity-check', 1)",
			      NULL, NULL, NULL) != SQLITE_OK)
		problem(&v, "full-text index does not match the documents: %s",
			sqlite3_errmsg(arc->db));
	if (!arc->rdonly &&
	    sqlite3_exec(arc->db, "INSERT INTO doc_tri(doc_tri, rank) VALUES('integrity-check', 1)",
			 NULL, NULL, NULL) != SQLITE_OK)
		problem(&v, "substring index does not match the documents: %s",
			sqlite3_errmsg(arc->db));
	/* 2b. the audit log's hash chain, link by link */
	if (check_chain(arc, &v, err))
		return -1;
	/* 3. every row's original, re-hashed; 3b. the batches split parts
	 * were cut from, once each */
	if (rehash(arc, &v, "SELECT id, sha256, size FROM documents ORDER BY id", 0, err) ||
	    rehash(arc, &v,
		   "SELECT min(id), source_sha256 FROM documents WHERE source_sha256"
		   " IS NOT NULL GROUP BY source_sha256 ORDER BY min(id)",
		   1, err))
		return -1;
	/* 4. nothing in the store that no row names */
	check_store(arc, &v);
	/* 5. the journal: nothing stuck half-way while no daemon works on it */
	if (!daemon_alive &&
	    !sqlite3_prepare_v2(arc->db, "SELECT id, path FROM journal WHERE state = 'received'",
				-1, &st, NULL)) {
		while (sqlite3_step(st) == SQLITE_ROW)
			problem(&v,
				"journal entry %lld stuck in 'received': %s (restart folio watch"
				" to finish it)",
				sqlite3_column_int64(st, 0),
				(const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
	}
	/* 6. the export ledger's copies */
	v.n += folio_ledger_verify(arc, v.fn, v.arg);
	return v.n;
}
