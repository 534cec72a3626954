/*
 * journal.c - the watcher's journal, the daemon heartbeat, `folio status`
 * and `folio verify`. See include/folio/archive.h.
 */
#include "archive_private.h"

#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/strbuf.h"
#include "folio/util.h"

static int step_done(struct folio_archive *arc, sqlite3_stmt *st, struct folio_err *err,
		     const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return folio_db_err(arc, err, what);
	return FOLIO_OK;
}

int folio_journal_received(struct folio_archive *arc, const char *path, long long size,
			   long long *id, struct folio_err *err)
{
	sqlite3_stmt *st;
	double now = folio_now();
	int ret;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT INTO journal(path, size, state, received_at, updated_at)"
			       " VALUES (?, ?, 'received', ?, ?)", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the journal");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_double(st, 3, now);
	sqlite3_bind_double(st, 4, now);
	ret = step_done(arc, st, err, "cannot write the journal");
	*id = ret == FOLIO_OK ? sqlite3_last_insert_rowid(arc->db) : 0;
	return ret;
}

int folio_journal_settle(struct folio_archive *arc, long long id, const char *state,
			 long long documents, long long pages, const char *reason,
			 const char *moved_to, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "UPDATE journal SET state = ?, documents = ?, pages = ?, reason = ?,"
			       " moved_to = ?, updated_at = ? WHERE id = ?", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the journal");
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, documents);
	sqlite3_bind_int64(st, 3, pages);
	if (reason && *reason)
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	if (moved_to)
		sqlite3_bind_text(st, 5, moved_to, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, folio_now());
	sqlite3_bind_int64(st, 7, id);
	return step_done(arc, st, err, "cannot write the journal");
}

long long folio_journal_recover(struct folio_archive *arc, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "UPDATE journal SET state = 'interrupted', updated_at = ?, reason ="
			       " 'the daemon stopped before finishing this file; a restart takes it"
			       " again' WHERE state = 'received'", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the journal");
	sqlite3_bind_double(st, 1, folio_now());
	if (step_done(arc, st, err, "cannot write the journal") != FOLIO_OK)
		return -1;
	return sqlite3_changes(arc->db);
}

int folio_daemon_beat(struct folio_archive *arc, long pid, double started_at, long long queue,
		      long long unsettled, const char *inboxes, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT OR REPLACE INTO daemon(id, pid, started_at, heartbeat_at,"
			       " queue, unsettled, inboxes) VALUES (1, ?, ?, ?, ?, ?, ?)", -1, &st,
			       NULL))
		return folio_db_err(arc, err, "cannot write the heartbeat");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_double(st, 2, started_at);
	sqlite3_bind_double(st, 3, folio_now());
	sqlite3_bind_int64(st, 4, queue);
	sqlite3_bind_int64(st, 5, unsettled);
	sqlite3_bind_text(st, 6, inboxes, -1, SQLITE_STATIC);
	return step_done(arc, st, err, "cannot write the heartbeat");
}

int folio_daemon_gone(struct folio_archive *arc, long pid)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db, "DELETE FROM daemon WHERE pid = ?", -1, &st, NULL))
		return FOLIO_FAILED;
	sqlite3_bind_int64(st, 1, pid);
	return step_done(arc, st, NULL, "");
}

static long long count_since(struct folio_archive *arc, const char *col, double since)
{
	sqlite3_stmt *st;
	long long n = 0;
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(%s, 0) FROM journal WHERE state IN ('archived', 'duplicate',"
		 " 'quarantined') AND updated_at >= ?", col);
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL))
		return 0;
	sqlite3_bind_double(st, 1, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int folio_archive_status(struct folio_archive *arc, struct folio_status *s,
			 struct folio_err *err)
{
	double now = folio_now();
	sqlite3_stmt *st;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT pid, started_at, heartbeat_at, queue, unsettled, inboxes"
			       " FROM daemon WHERE id = 1", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the daemon state");
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->daemon = 1;
		s->pid = (long)sqlite3_column_int64(st, 0);
		s->started_at = sqlite3_column_double(st, 1);
		s->heartbeat_at = sqlite3_column_double(st, 2);
		s->queue = sqlite3_column_int64(st, 3);
		s->unsettled = sqlite3_column_int64(st, 4);
		snprintf(s->inboxes, sizeof(s->inboxes), "%s",
			 (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	s->files_minute = count_since(arc, "count(*)", now - 60);
	s->files_hour = count_since(arc, "count(*)", now - 3600);
	s->pages_minute = count_since(arc, "sum(pages)", now - 60);
	s->pages_hour = count_since(arc, "sum(pages)", now - 3600);
	s->pages_per_min = (double)count_since(arc, "sum(pages)", now - 600) / 10.0;
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT sum(state = 'quarantined'), sum(state = 'received') FROM journal",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the journal");
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->quarantined = sqlite3_column_int64(st, 0);
		s->received = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT updated_at, path, reason FROM journal WHERE state ="
			       " 'quarantined' ORDER BY updated_at DESC, id DESC LIMIT 10", -1, &st,
			       NULL))
		return folio_db_err(arc, err, "cannot read the journal");
	while (sqlite3_step(st) == SQLITE_ROW && s->nerrors < 10) {
		struct folio_status_error *e = &s->errors[s->nerrors++];
		const char *r = (const char *)sqlite3_column_text(st, 2);

		e->at = sqlite3_column_double(st, 0);
		snprintf(e->path, sizeof(e->path), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(e->reason, sizeof(e->reason), "%s", r ? r : "");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

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

static int hash_file(const char *path, char hex[65])
{
	struct folio_sha256 s;
	unsigned char buf[65536];
	FILE *f = fopen(path, "rbe");
	size_t n;

	if (!f)
		return -1;
	folio_sha256_init(&s);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		folio_sha256_update(&s, buf, n);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	folio_sha256_final_hex(&s, hex);
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
	sqlite3_stmt *known;
};

static void check_blob(void *ctx, const char *d1, const char *d2, const char *name,
		       const char *path)
{
	struct store_check *sc = ctx;

	if (strstr(name, ".tmp.")) {
		problem(sc->v, "unfinished write in the store (the next folio watch removes it"
			" once its writer is gone): %s", path);
		return;
	}
	if (!d1 || !is_hex64(name) || strncmp(name, d1, 2) || strncmp(name + 2, d2, 2)) {
		problem(sc->v, "stray file in the store, not folio's: %s", path);
		return;
	}
	sqlite3_reset(sc->known);
	sqlite3_bind_text(sc->known, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(sc->known) != SQLITE_ROW)
		problem(sc->v, "orphan original, no document names it: %s", path);
}

/* Every file in the store must be a known blob under its own name. */
static void check_store(struct folio_archive *arc, struct vctx *v)
{
	struct store_check sc = { v, NULL };

	if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE sha256 = ?1"
			       " UNION ALL SELECT 1 FROM documents WHERE source_sha256 = ?1",
			       -1, &sc.known, NULL)) {
		problem(v, "database: %s", sqlite3_errmsg(arc->db));
		return;
	}
	if (folio_store_walk(arc, check_blob, &sc))
		problem(v, "store folder '%s' cannot be read: %s", arc->store_dir, strerror(errno));
	sqlite3_finalize(sc.known);
}

long long folio_archive_verify(struct folio_archive *arc,
			       void (*fn)(void *arg, const char *problem), void *arg,
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
	else if (sqlite3_exec(arc->db, "INSERT INTO doc_fts(doc_fts, rank) VALUES('integrity-check', 1)",
			 NULL, NULL, NULL) != SQLITE_OK)
		problem(&v, "full-text index does not match the documents: %s", sqlite3_errmsg(arc->db));
	if (!arc->rdonly &&
	    sqlite3_exec(arc->db, "INSERT INTO doc_tri(doc_tri, rank) VALUES('integrity-check', 1)",
			 NULL, NULL, NULL) != SQLITE_OK)
		problem(&v, "substring index does not match the documents: %s",
			sqlite3_errmsg(arc->db));
	/* 3. every row's original, re-hashed */
	if (sqlite3_prepare_v2(arc->db, "SELECT id, sha256, size FROM documents ORDER BY id", -1,
			       &st, NULL)) {
		folio_db_err(arc, err, "cannot list documents");
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 1);
		long long id = sqlite3_column_int64(st, 0), size = sqlite3_column_int64(st, 2);
		char *path = folio_archive_blob_path(arc, sha), hex[65];
		struct stat sb;

		if (!path)
			continue;
		if (stat(path, &sb))
			problem(&v, "document %lld: original missing (%s)", id, path);
		else if (sb.st_size != size)
			problem(&v, "document %lld: original is %lld bytes, expected %lld (%s)", id,
				(long long)sb.st_size, size, path);
		else if (hash_file(path, hex))
			problem(&v, "document %lld: original unreadable (%s): %s", id, path,
				strerror(errno));
		else if (strcmp(hex, sha))
			problem(&v, "document %lld: original changed, sha256 is %s (%s)", id, hex,
				path);
		free(path);
	}
	sqlite3_finalize(st);
	/* 3b. the batches split parts were cut from, re-hashed once each */
	if (sqlite3_prepare_v2(arc->db, "SELECT source_sha256, min(id) FROM documents WHERE"
			       " source_sha256 IS NOT NULL GROUP BY source_sha256", -1, &st,
			       NULL)) {
		folio_db_err(arc, err, "cannot list batch originals");
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		long long id = sqlite3_column_int64(st, 1);
		char *path = folio_archive_blob_path(arc, sha), hex[65];
		struct stat sb;

		if (!path)
			continue;
		if (stat(path, &sb))
			problem(&v, "document %lld: the batch original it was cut from is missing"
				" (%s)", id, path);
		else if (hash_file(path, hex))
			problem(&v, "document %lld: the batch original is unreadable (%s): %s", id,
				path, strerror(errno));
		else if (strcmp(hex, sha))
			problem(&v, "document %lld: the batch original changed, sha256 is %s (%s)",
				id, hex, path);
		free(path);
	}
	sqlite3_finalize(st);
	/* 4. nothing in the store that no row names */
	check_store(arc, &v);
	/* 5. the journal: nothing stuck half-way while no daemon works on it */
	if (!daemon_alive &&
	    !sqlite3_prepare_v2(arc->db, "SELECT id, path FROM journal WHERE state = 'received'",
				-1, &st, NULL)) {
		while (sqlite3_step(st) == SQLITE_ROW)
			problem(&v, "journal entry %lld stuck in 'received': %s (restart folio watch"
				" to finish it)", sqlite3_column_int64(st, 0),
				(const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
	}
	/* 6. the export ledger's copies */
	v.n += folio_ledger_verify(arc, v.fn, v.arg);
	return v.n;
}
