/*
 * journal.c - the watcher's journal, the daemon heartbeat and `folio
 * status` on PostgreSQL (the SQLite backend's meaning: one daemon row).
 * See include/folio/archive.h.
 */
#include "pg_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/util.h"

int pg_journal_received(struct folio_store *s, const char *path, long long size, long long *id,
			struct folio_err *err)
{
	double now = folio_now();

	*id = pg_one(s, err, "cannot write the journal",
		     "INSERT INTO journal(path, size, state, received_at, updated_at)"
		     " VALUES ($1, $2, 'received', $3, $3) RETURNING id",
		     "sid", path, size, now);
	if (*id <= 0) {
		*id = 0;
		return FOLIO_FAILED;
	}
	return FOLIO_OK;
}

int pg_journal_settle(struct folio_store *s, long long id, const char *state, long long documents,
		      long long pages, const char *reason, const char *moved_to,
		      struct folio_err *err)
{
	return pg_do(s, err, "cannot write the journal",
		     "UPDATE journal SET state = $1, documents = $2, pages = $3, reason = $4,"
		     " moved_to = $5, updated_at = $6 WHERE id = $7",
		     "siissdi", state, documents, pages, reason && *reason ? reason : NULL,
		     moved_to, folio_now(), id);
}

long long pg_journal_recover(struct folio_store *s, struct folio_err *err)
{
	PGresult *r = pg_run(s, err, "cannot write the journal",
			     "UPDATE journal SET state = 'interrupted', updated_at = $1, reason ="
			     " 'the daemon stopped before finishing this file; a restart takes it"
			     " again' WHERE state = 'received'",
			     "d", folio_now());
	long long n;

	if (!r)
		return -1;
	n = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return n;
}

/* Originals are written inside the transaction that names them: a crash
 * leaves no half-written file to clean up. The cache of pg_blob_path()
 * is written by rename and needs none either. */
long long pg_store_cleanup(struct folio_store *s)
{
	(void)s;
	return 0;
}

int pg_daemon_beat(struct folio_store *s, long pid, double started_at, long long queue,
		   long long unsettled, const char *inboxes, struct folio_err *err)
{
	return pg_do(s, err, "cannot write the heartbeat",
		     "INSERT INTO daemon(id, pid, started_at, heartbeat_at, queue, unsettled,"
		     " inboxes) VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET"
		     " pid = excluded.pid, started_at = excluded.started_at,"
		     " heartbeat_at = excluded.heartbeat_at, queue = excluded.queue,"
		     " unsettled = excluded.unsettled, inboxes = excluded.inboxes",
		     "iddiis", (long long)pid, started_at, folio_now(), queue, unsettled, inboxes);
}

int pg_daemon_gone(struct folio_store *s, long pid)
{
	return pg_do(s, NULL, "", "DELETE FROM daemon WHERE pid = $1", "i", (long long)pid);
}

int pg_status(struct folio_store *s, struct folio_status *st, struct folio_err *err)
{
	double now = folio_now();
	PGresult *r;
	int i;

	memset(st, 0, sizeof(*st));
	if (!(r = pg_run(s, err, "cannot read the daemon state",
			 "SELECT pid, started_at, heartbeat_at, queue, unsettled, inboxes"
			 " FROM daemon WHERE id = 1",
			 "")))
		return FOLIO_FAILED;
	if (PQntuples(r) == 1) {
		st->daemon = 1;
		st->pid = (long)pg_ll(r, 0, 0);
		st->started_at = pg_dbl(r, 0, 1);
		st->heartbeat_at = pg_dbl(r, 0, 2);
		st->queue = pg_ll(r, 0, 3);
		st->unsettled = pg_ll(r, 0, 4);
		snprintf(st->inboxes, sizeof(st->inboxes), "%s", pg_str(r, 0, 5));
	}
	PQclear(r);
	if (!(r = pg_run(s, err, "cannot read the journal",
			 "SELECT count(*) FILTER (WHERE updated_at >= $1),"
			 " count(*) FILTER (WHERE updated_at >= $2),"
			 " coalesce(sum(pages) FILTER (WHERE updated_at >= $1), 0),"
			 " coalesce(sum(pages) FILTER (WHERE updated_at >= $2), 0),"
			 " coalesce(sum(pages) FILTER (WHERE updated_at >= $3), 0)"
			 " FROM journal WHERE state IN ('archived', 'duplicate', 'quarantined')",
			 "ddd", now - 60, now - 3600, now - 600)))
		return FOLIO_FAILED;
	st->files_minute = pg_ll(r, 0, 0);
	st->files_hour = pg_ll(r, 0, 1);
	st->pages_minute = pg_ll(r, 0, 2);
	st->pages_hour = pg_ll(r, 0, 3);
	st->pages_per_min = (double)pg_ll(r, 0, 4) / 10.0;
	PQclear(r);
	if (!(r = pg_run(s, err, "cannot read the journal",
			 "SELECT count(*) FILTER (WHERE state = 'quarantined'),"
			 " count(*) FILTER (WHERE state = 'received') FROM journal",
			 "")))
		return FOLIO_FAILED;
	st->quarantined = pg_ll(r, 0, 0);
	st->received = pg_ll(r, 0, 1);
	PQclear(r);
	if (!(r = pg_run(s, err, "cannot read the journal",
			 "SELECT updated_at, path, reason FROM journal WHERE state = 'quarantined'"
			 " ORDER BY updated_at DESC, id DESC LIMIT 10",
			 "")))
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && st->nerrors < 10; i++) {
		struct folio_status_error *e = &st->errors[st->nerrors++];

		e->at = pg_dbl(r, i, 0);
		snprintf(e->path, sizeof(e->path), "%s", pg_str(r, i, 1));
		snprintf(e->reason, sizeof(e->reason), "%s", pg_str(r, i, 2));
	}
	PQclear(r);
	return FOLIO_OK;
}
