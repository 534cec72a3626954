/*
 * move.c - the SQLite backend's side of folio migrate (see
 * folio_archive_migrate() and the version 7 operations in archive.h):
 * a table's rows out, rows in, originals into the store, and the
 * full-text indexes (doc_fts, doc_tri) built once every row is in. The
 * kept copies of export batches are files under ARCHIVE/exports/ID/, so
 * the "data" column of export_files is read from and written to them.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

/* "exports/ID/NAME" under the archive folder: the kept copy */
static char *copy_of(const struct folio_store *arc, const char *batch, const char *name)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (folio_strbuf_addf(&sb, "%s/exports/%s/%s", arc->dir, batch, *name ? name : "output")) {
		folio_strbuf_release(&sb);
		return NULL;
	}
	return folio_strbuf_detach(&sb);
}

static int is_data(const char *table, const char *col)
{
	return !strcmp(table, "export_files") && !strcmp(col, "data");
}

int sq_rows(struct folio_store *arc, const char *table, const char *const *cols, int ncols,
	    int (*fn)(void *ctx, const struct folio_cell *row), void *ctx, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	struct folio_cell row[32];
	unsigned char *copies[32] = { 0 };
	char nums[32][40];
	sqlite3_stmt *st = NULL;
	int i, r, ret = FOLIO_OK;

	if (ncols > 32)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_DB, 0, "too many columns");
	folio_strbuf_adds(&sql, "SELECT ");
	for (i = 0; i < ncols; i++)
		folio_strbuf_addf(&sql, "%s%s", i ? ", " : "",
				  is_data(table, cols[i]) ? "NULL" : cols[i]);
	/* the primary key's order: rowid, or the key of a WITHOUT ROWID table */
	folio_strbuf_addf(&sql, " FROM %s ORDER BY %s", table,
			  !strcmp(table, "simhash_band") ? "doc_id, band" : "1, 2");
	if (!sql.buf) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(arc->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot read the archive");
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++) {
			row[i].p = NULL;
			row[i].len = 0;
			if (is_data(table, cols[i])) {
				char *p = copy_of(arc, (const char *)sqlite3_column_text(st, 0),
						  (const char *)sqlite3_column_text(st, 2));
				size_t len = 0;

				/* a copy missing is folio verify's to report */
				if (p && folio_read_file(p, (uint64_t)1 << 40, &copies[i], &len,
							 NULL) == FOLIO_OK) {
					row[i].p = copies[i];
					row[i].len = len;
				}
				free(p);
				continue;
			}
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL: break;
			case SQLITE_FLOAT:
				/* every bit of the double, not SQLite's 15 digits */
				snprintf(nums[i], sizeof(nums[i]), "%.17g",
					 sqlite3_column_double(st, i));
				row[i].p = nums[i];
				row[i].len = strlen(nums[i]);
				break;
			case SQLITE_BLOB:
				row[i].p = sqlite3_column_blob(st, i);
				row[i].len = (size_t)sqlite3_column_bytes(st, i);
				if (!row[i].p)
					row[i].p = "";
				break;
			default:
				row[i].p = sqlite3_column_text(st, i);
				row[i].len = (size_t)sqlite3_column_bytes(st, i);
			}
		}
		r = fn(ctx, row);
		for (i = 0; i < ncols; i++) {
			free(copies[i]);
			copies[i] = NULL;
		}
		if (r) {
			r = SQLITE_DONE;
			break;
		}
	}
	if (r != SQLITE_DONE)
		ret = folio_db_err(arc, err, "cannot read the archive");
out:
	sqlite3_finalize(st);
	folio_strbuf_release(&sql);
	return ret;
}

int sq_put_row(struct folio_store *arc, const char *table, const char *const *cols, int ncols,
	       const struct folio_cell *row, struct folio_err *err)
{
	struct folio_strbuf sql = FOLIO_STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	int i, k = 0, ret = FOLIO_OK, data = -1;
	char batch[40] = "", *name = NULL;

	folio_strbuf_addf(&sql, "INSERT INTO %s(", table);
	for (i = 0; i < ncols; i++) {
		if (is_data(table, cols[i])) {
			data = i;
			continue;
		}
		folio_strbuf_addf(&sql, "%s%s", k++ ? ", " : "", cols[i]);
	}
	folio_strbuf_adds(&sql, ") VALUES (");
	for (i = 0; i < k; i++)
		folio_strbuf_adds(&sql, i ? ", ?" : "?");
	folio_strbuf_adds(&sql, ")");
	if (!sql.buf) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(arc->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot write the archive");
		goto out;
	}
	/* text binds: the column's affinity makes numbers of numbers */
	for (i = 0, k = 0; i < ncols; i++) {
		if (i == data)
			continue;
		k++;
		if (row[i].p)
			sqlite3_bind_text(st, k, row[i].p, (int)row[i].len, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		ret = folio_db_err(arc, err, "cannot write the archive");
		goto out;
	}
	if (data >= 0 && row[data].p) {
		char *dir, *p;

		snprintf(batch, sizeof(batch), "%.*s", (int)row[0].len, (const char *)row[0].p);
		if (!(name = strndup(row[2].p ? row[2].p : "", row[2].len)) ||
		    !(p = copy_of(arc, batch, name))) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		dir = strdup(p);
		if (dir && strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
		if (!dir)
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
		else if ((ret = folio_mkdirs(dir, arc->dir_mode, err)) == FOLIO_OK)
			ret = folio_write_file_new(p, row[data].p, row[data].len,
						   (int)arc->blob_mode, err);
		free(dir);
		free(p);
	}
out:
	free(name);
	sqlite3_finalize(st);
	folio_strbuf_release(&sql);
	return ret;
}

int sq_put_original(struct folio_store *arc, const char *sha256, const void *data, size_t len,
		    struct folio_err *err)
{
	return folio_store_put(arc, sha256, data, len, err);
}

int sq_moving(struct folio_store *arc, int start, struct folio_err *err)
{
	int ret;

	if (start > 0)
		return folio_db_exec(arc, "BEGIN IMMEDIATE", err);
	if (start < 0)
		return folio_db_exec(arc, "ROLLBACK", NULL);
	/* the copies in exports/ were written file by file: one flush */
	if ((ret = folio_db_exec(arc,
				 "INSERT INTO doc_fts(rowid, title, text, field_text) SELECT id,"
				 " title, text, field_text FROM documents;"
				 "INSERT INTO doc_tri(rowid, text, field_text) SELECT id, text,"
				 " field_text FROM documents",
				 err)) != FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = folio_sync_dir_fs(arc->dir, err)) != FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	return folio_db_exec(arc, "COMMIT", err);
}

long long sq_table_rows(struct folio_store *arc, const char *table, struct folio_err *err)
{
	char sql[128];
	sqlite3_stmt *st;
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot count rows"), -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		folio_db_err(arc, err, "cannot count rows");
	sqlite3_finalize(st);
	return n;
}

int sq_empty(struct folio_store *arc, struct folio_err *err)
{
	long long d = sq_table_rows(arc, "documents", err), e, b;

	if (d < 0 || (e = sq_table_rows(arc, "events", err)) < 0 ||
	    (b = sq_table_rows(arc, "export_batches", err)) < 0)
		return -1;
	return !d && !e && !b;
}
