/*
 * mail.c - IMAP mailboxes' state in the SQLite backend (schema 11): the
 * tables mail_folders and mail_messages. See include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "folio/util.h"

static int finish(struct folio_store *arc, sqlite3_stmt *st, struct folio_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return folio_db_err(arc, err, "cannot write the mailbox state");
	return FOLIO_OK;
}

int sq_mail_folder(struct folio_store *arc, const char *account, const char *folder,
		   uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*uidvalidity = *last_uid = 0;
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT uidvalidity, last_uid FROM mail_folders"
			       " WHERE account = ? AND folder = ?",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the mailbox state");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(st, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the mailbox state");
	return FOLIO_OK;
}

int sq_mail_folder_reset(struct folio_store *arc, const char *account, const char *folder,
			 uint32_t uidvalidity, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT OR REPLACE INTO mail_folders(account, folder, uidvalidity,"
			       " last_uid, updated_at) VALUES (?, ?, ?, 0, ?)",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the mailbox state");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, uidvalidity);
	sqlite3_bind_double(st, 4, folio_now());
	return finish(arc, st, err);
}

static int message_row(struct folio_store *arc, const char *account, const char *folder,
		       uint32_t uidvalidity, uint32_t uid, const char *state, const char *sha256,
		       long long size, const char *reason, struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(
		    arc->db,
		    "INSERT INTO mail_messages(account, folder, uidvalidity, uid, state, sha256,"
		    " size, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT(account, folder, uidvalidity, uid) DO UPDATE SET"
		    " state = excluded.state, sha256 = coalesce(excluded.sha256, sha256),"
		    " size = coalesce(excluded.size, size), reason = excluded.reason,"
		    " updated_at = excluded.updated_at",
		    -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the mailbox state");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, uidvalidity);
	sqlite3_bind_int64(st, 4, uid);
	sqlite3_bind_text(st, 5, state, -1, SQLITE_STATIC);
	if (sha256)
		sqlite3_bind_text(st, 6, sha256, -1, SQLITE_STATIC);
	if (size >= 0)
		sqlite3_bind_int64(st, 7, size);
	if (reason)
		sqlite3_bind_text(st, 8, reason, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 9, folio_now());
	return finish(arc, st, err);
}

int sq_mail_message(struct folio_store *arc, const char *account, const char *folder,
		    uint32_t uidvalidity, uint32_t uid, const char *state, const char *sha256,
		    long long size, const char *reason, struct folio_err *err)
{
	sqlite3_stmt *st;
	int ret;

	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	ret = message_row(arc, account, folder, uidvalidity, uid, state, sha256, size, reason, err);
	if (ret == FOLIO_OK) {
		if (sqlite3_prepare_v2(arc->db,
				       "UPDATE mail_folders SET last_uid = max(last_uid, ?),"
				       " updated_at = ? WHERE account = ? AND folder = ?"
				       " AND uidvalidity = ?",
				       -1, &st, NULL)) {
			ret = folio_db_err(arc, err, "cannot write the mailbox state");
		} else {
			sqlite3_bind_int64(st, 1, uid);
			sqlite3_bind_double(st, 2, folio_now());
			sqlite3_bind_text(st, 3, account, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, folder, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, uidvalidity);
			ret = finish(arc, st, err);
		}
	}
	if (ret == FOLIO_OK && (ret = folio_db_exec(arc, "COMMIT", err)) == FOLIO_OK)
		return FOLIO_OK;
	folio_db_exec(arc, "ROLLBACK", NULL);
	return ret;
}

int sq_mail_unfinished(struct folio_store *arc, const char *account, const char *folder,
		       uint32_t uidvalidity,
		       int (*fn)(void *ctx, uint32_t uid, const char *state, const char *sha256),
		       void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT uid, state, sha256 FROM mail_messages WHERE account = ?"
			       " AND folder = ? AND uidvalidity = ?"
			       " AND state IN ('downloaded', 'stored') ORDER BY uid",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the mailbox state");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, uidvalidity);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (uint32_t)sqlite3_column_int64(st, 0),
		       (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2)))
			break;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot read the mailbox state");
	return FOLIO_OK;
}

int sq_mail_poll_record(struct folio_store *arc, const char *account, const char *error,
			struct folio_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(arc->db,
			       "INSERT OR REPLACE INTO mail_polls(account, polled_at, error)"
			       " VALUES (?, ?, ?)",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot write the mailbox state");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, folio_now());
	if (error)
		sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
	return finish(arc, st, err);
}

/* One row's worth of a query about `account`: 1 with a row, 0 without. */
static int step_account(struct folio_store *arc, const char *sql, const char *account,
			sqlite3_stmt **st, struct folio_err *err)
{
	if (!*st) {
		if (sqlite3_prepare_v2(arc->db, sql, -1, st, NULL))
			return folio_db_err(arc, err, "cannot read the mailbox state");
		sqlite3_bind_text(*st, 1, account, -1, SQLITE_STATIC);
	}
	switch (sqlite3_step(*st)) {
	case SQLITE_ROW: return 1;
	case SQLITE_DONE: return 0;
	default: return folio_db_err(arc, err, "cannot read the mailbox state");
	}
}

int sq_mail_state(struct folio_store *arc, const char *account, struct folio_mail_state *out,
		  int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity, uint32_t last_uid),
		  void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = step_account(arc, "SELECT polled_at, error FROM mail_polls WHERE account = ?", account,
			 &st, err);
	if (r == 1) {
		const unsigned char *e = sqlite3_column_text(st, 1);

		out->polled_at = sqlite3_column_double(st, 0);
		snprintf(out->error, sizeof(out->error), "%s", e ? (const char *)e : "");
	}
	sqlite3_finalize(st);
	st = NULL;
	if (r < 0)
		return r;
	r = step_account(arc,
			 "SELECT count(*) FROM mail_messages WHERE account = ?"
			 " AND state IN ('done', 'skipped', 'nodoc')",
			 account, &st, err);
	if (r == 1)
		out->handled = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (r < 0)
		return r;
	while ((r = step_account(arc,
				 "SELECT folder, uidvalidity, last_uid FROM mail_folders"
				 " WHERE account = ? ORDER BY folder",
				 account, &st, err)) == 1)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
		       (uint32_t)sqlite3_column_int64(st, 1),
		       (uint32_t)sqlite3_column_int64(st, 2)))
			break;
	sqlite3_finalize(st);
	return r < 0 ? r : FOLIO_OK;
}
