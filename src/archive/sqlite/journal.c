/*
 * journal.c - the watcher's journal, the daemon heartbeat and `folio
 * status` (SQLite backend). See include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/strbuf.h"
#include "folio/util.h"

static int step_done(struct folio_store *arc, sqlite3_stmt *st, struct folio_err *err,
		     const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return folio_db_err(arc, err, what);
	return FOLIO_OK;
}

int sq_journal_received(struct folio_store *arc, const char *path, long long size, long long *id,
			struct folio_err *err)
{
	sqlite3_stmt *st;
	double now = folio_now();
	int ret;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT INTO journal(path, size, state, received_at, updated_at)"
			       " VALUES (?, ?, 'received', ?, ?)",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the journal");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_double(st, 3, now);
	sqlite3_bind_double(st, 4, now);
	ret = step_done(arc, st, err, "cannot write the journal");
	*id = ret == FOLIO_OK ? sqlite3_last_insert_rowid(arc->db) : 0;
	return ret;
}

int sq_journal_settle(struct folio_store *arc, long long id, const char *state, long long documents,
		      long long pages, const char *reason, const char *moved_to,
		      struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "UPDATE journal SET state = ?, documents = ?, pages = ?, reason = ?,"
			       " moved_to = ?, updated_at = ? WHERE id = ?",
			       -1, &st, NULL))
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

long long sq_journal_recover(struct folio_store *arc, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "UPDATE journal SET state = 'interrupted', updated_at = ?, reason ="
			       " 'the daemon stopped before finishing this file; a restart takes it"
			       " again' WHERE state = 'received'",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the journal");
	sqlite3_bind_double(st, 1, folio_now());
	if (step_done(arc, st, err, "cannot write the journal") != FOLIO_OK)
		return -1;
	return sqlite3_changes(arc->db);
}

int sq_daemon_beat(struct folio_store *arc, long pid, double started_at, long long queue,
		   long long unsettled, const char *inboxes, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT OR REPLACE INTO daemon(id, pid, started_at, heartbeat_at,"
			       " queue, unsettled, inboxes) VALUES (1, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the heartbeat");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_double(st, 2, started_at);
	sqlite3_bind_double(st, 3, folio_now());
	sqlite3_bind_int64(st, 4, queue);
	sqlite3_bind_int64(st, 5, unsettled);
	sqlite3_bind_text(st, 6, inboxes, -1, SQLITE_STATIC);
	return step_done(arc, st, err, "cannot write the heartbeat");
}

int sq_daemon_gone(struct folio_store *arc, long pid)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db, "DELETE FROM daemon WHERE pid = ?", -1, &st, NULL))
		return FOLIO_FAILED;
	sqlite3_bind_int64(st, 1, pid);
	return step_done(arc, st, NULL, "");
}

static long long count_since(struct folio_store *arc, const char *col, double since)
{
	sqlite3_stmt *st;
	long long n = 0;
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(%s, 0) FROM journal WHERE state IN ('archived', 'duplicate',"
		 " 'quarantined') AND updated_at >= ?",
		 col);
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL))
		return 0;
	sqlite3_bind_double(st, 1, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int sq_status(struct folio_store *arc, struct folio_status *s, struct folio_err *err)
{
	double now = folio_now();
	sqlite3_stmt *st;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT pid, started_at, heartbeat_at, queue, unsettled, inboxes"
			       " FROM daemon WHERE id = 1",
			       -1, &st, NULL))
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
	if (sqlite3_prepare_v2(
		    arc->db,
		    "SELECT sum(state = 'quarantined'), sum(state = 'received') FROM journal", -1,
		    &st, NULL))
		return folio_db_err(arc, err, "cannot read the journal");
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->quarantined = sqlite3_column_int64(st, 0);
		s->received = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT updated_at, path, reason FROM journal WHERE state ="
			       " 'quarantined' ORDER BY updated_at DESC, id DESC LIMIT 10",
			       -1, &st, NULL))
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
