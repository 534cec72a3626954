/*
 * db.c - the SQLite backend's documents: storing them, the audit log,
 * tags, fields, templates, statistics. Loading a document back is in
 * read.c, the schema and opening in schema.c. See include/folio/archive.h.
 */
#include "../chain.h"
#include "../rows.h"
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio/simhash.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "vendors.h"

int sq_each_sha(struct folio_store *arc, int (*fn)(void *ctx, const char *sha256, long long id),
		void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "SELECT sha256, id FROM documents", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot list documents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1)))
			break;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot list documents");
	return FOLIO_OK;
}

long long sq_find_sha(struct folio_store *arc, const char *sha256, struct folio_err *err)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(arc->db, "SELECT id FROM documents WHERE sha256 = ?", -1, &st,
			       NULL)) {
		folio_db_err(arc, err, "cannot look up a document");
		return -1;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int sq_summary(struct folio_store *arc, long long id, int *pages, char *type, size_t typelen,
	       struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "SELECT pages, doc_type FROM documents WHERE id = ?", -1,
			       &st, NULL))
		return folio_db_err(arc, err, "cannot look up a document");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pages = sqlite3_column_int(st, 0);
		snprintf(type, typelen, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FOLIO_OK;
	if (rc == SQLITE_DONE)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	return folio_db_err(arc, err, "cannot look up a document");
}

int sq_has_path(struct folio_store *arc, long long id, const char *path)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE id = ? AND path = ?", -1,
			       &st, NULL))
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

/* Prepare, bind by the format letters in `types` and step once. */
static int run(struct folio_store *arc, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(arc->db);
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		switch (types[i]) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC);
			break;
		}
		case 'i': sqlite3_bind_int64(st, i + 1, va_arg(ap, long long)); break;
		case 'd': sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int last_event_hash(struct folio_store *arc, char prev[65])
{
	sqlite3_stmt *st;
	int rc;

	strcpy(prev, "0");
	if (sqlite3_prepare_v2(arc->db, "SELECT hash FROM events ORDER BY id DESC LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(prev, 65, "%s", sq_col(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The previous event's hash is read and the new event inserted under the
 * database's write lock: two processes appending at once (two ingests
 * recording duplicates, a tag beside a watch) must not both chain to the
 * same event. A caller's transaction is BEGIN IMMEDIATE (every one in this
 * backend is), so it already holds the lock; alone, the event takes it.
 */
int sq_event(struct folio_store *arc, const char *kind, long long doc_id, const char *sha256,
	     const char *path, const char *detail, struct folio_err *err)
{
	char at[32], prev[65], hash[65];
	int own = sqlite3_get_autocommit(arc->db), rc, ret;

	if (own && (ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	folio_iso_now(at);
	if (last_event_hash(arc, prev)) {
		ret = folio_db_err(arc, err, "cannot read the event log");
		goto fail;
	}
	/* tests/e2e/records.sh widens the window another appender would
	 * have without the lock */
	if (folio_fault("event-slow"))
		usleep(100000);
	if (folio_chain_hash(prev, at, kind, doc_id, sha256, path, detail, hash)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	rc = run(arc,
		 "INSERT INTO events(at, kind, doc_id, sha256, path, detail, hash) "
		 "VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, ?)",
		 "ssissss", at, kind, doc_id, sha256, path, detail, hash);
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot write the event log");
		goto fail;
	}
	if (own && (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
		goto fail;
	return FOLIO_OK;
fail:
	if (own)
		folio_db_exec(arc, "ROLLBACK", NULL);
	return ret;
}

/* The fields of `doc` as rows (inside the caller's transaction). */
static int insert_fields(struct folio_store *arc, const struct folio_doc *doc)
{
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < doc->nfields; i++) {
		const struct folio_field *f = &doc->fields[i];

		rc = run(arc,
			 "INSERT INTO fields(doc_id, name, value, raw, confidence, source, page,"
			 " x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "isssdsiiiii", doc->id, f->name, f->value, f->raw, (double)f->confidence,
			 folio_source_name(f->source), (long long)f->page, (long long)f->bbox[0],
			 (long long)f->bbox[1], (long long)f->bbox[2], (long long)f->bbox[3]);
	}
	return rc;
}

/* insert_rows(): the documents row's UNIQUE sha256 refused it */
#define SAME_SHA (-100)

/* The documents row itself. Returns the SQLite result, so that the caller
 * can tell a UNIQUE sha256 (the same bytes, stored meanwhile) from a failure. */
static int insert_document(struct folio_store *arc, const struct folio_doc *doc, const char *title,
			   double oc, const char *ftext, const char *at)
{
	/* ids are never given twice: a deleted document's events keep its
	 * id (folio log ID), so a new one comes after it too */
	return run(
		arc,
		"INSERT INTO documents(id, sha256, path, name, title, mime, size, pages, doc_type,"
		" type_conf, type_reason, status, ocr_conf, text, field_text, added_at, review,"
		" notes, source_sha256) VALUES (max(coalesce((SELECT max(id) FROM documents),"
		" 0), coalesce((SELECT max(doc_id) FROM events WHERE kind = 'deleted'), 0)) + 1,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" NULLIF(?, -1.0), ?, ?, ?, ?, ?, NULLIF(?, ''))",
		"sssssiisdssdssssss", doc->sha256, doc->path, doc->name, title, doc->mime,
		(long long)doc->size, (long long)doc->npages,
		doc->doc_type ? doc->doc_type : "other", (double)doc->type_conf, doc->type_reason,
		doc->needs_review ? "needs_review" : "archived", oc,
		doc->text.buf ? doc->text.buf : "", ftext, at, doc->review, doc->notes,
		doc->source_sha256);
}

/* The text fingerprint and its bands. SQLite result. */
static int insert_simhash(struct folio_store *arc, const struct folio_doc *doc)
{
	int b, rc;

	rc = run(arc, "UPDATE documents SET simhash = ? WHERE id = ?", "ii",
		 (long long)doc->simhash, doc->id);
	for (b = 0; rc == SQLITE_OK && b < SQ_SIMHASH_BANDS; b++)
		rc = run(arc, "INSERT INTO simhash_band(band, value, doc_id) VALUES (?, ?, ?)",
			 "iii", (long long)b, sq_band_value(doc->simhash, b), doc->id);
	return rc;
}

/* The barcodes of one page, numbered in page order. SQLite result. */
static int insert_codes(struct folio_store *arc, long long doc_id, const struct folio_page *pg)
{
	int rc = SQLITE_OK;

	for (size_t k = 0; rc == SQLITE_OK && k < pg->ncodes; k++) {
		const struct folio_code *c = &pg->codes[k];

		rc = run(arc,
			 "INSERT INTO codes(doc_id, page, seq, type, data, x, y, w, h)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "iiissiiii", doc_id, (long long)pg->number, (long long)k, c->type, c->data,
			 (long long)c->x, (long long)c->y, (long long)c->w, (long long)c->h);
	}
	return rc;
}

/* Each page of `doc` with its words and barcodes (inside the caller's
 * transaction). */
static int insert_pages(struct folio_store *arc, const struct folio_doc *doc, struct folio_err *err)
{
	struct folio_strbuf words = FOLIO_STRBUF_INIT;
	size_t i;
	int rc, ret = FOLIO_FAILED;

	for (i = 0; i < doc->npages; i++) {
		const struct folio_page *pg = &doc->pages[i];

		if (folio_store_words_blob(pg, &words)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		rc = run(arc,
			 "INSERT INTO pages(doc_id, number, width, height, dpi, source, conf,"
			 " rotation, skew, blank, nwords, text, words)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "iiiiisdidiiss", doc->id, (long long)pg->number, (long long)pg->width,
			 (long long)pg->height, (long long)pg->dpi, folio_source_name(pg->source),
			 (double)pg->conf, (long long)pg->rotation, (double)pg->skew,
			 (long long)pg->blank, (long long)pg->nwords, pg->text ? pg->text : "",
			 words.buf);
		if (rc != SQLITE_OK) {
			ret = folio_db_err(arc, err, "cannot store a page");
			goto out;
		}
		if (insert_codes(arc, doc->id, pg) != SQLITE_OK) {
			ret = folio_db_err(arc, err, "cannot store a barcode");
			goto out;
		}
	}
	ret = FOLIO_OK;
out:
	folio_strbuf_release(&words);
	return ret;
}

/* An archive serial number labels one paper: refuse one that another
 * document already has. */
static int check_asn(struct folio_store *arc, const struct folio_doc *doc, struct folio_err *err)
{
	const struct folio_field *asn = folio_doc_field(doc, "asn");
	long long other = asn ? sq_find_asn(arc, asn->value) : 0;

	if (other > 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "archive serial number %s is already document %lld: each"
				     " paper needs its own ASN label",
				     asn->value, other);
	return FOLIO_OK;
}

/* The tags of `doc` as rows; one given twice is stored once. */
static int insert_tags(struct folio_store *arc, const struct folio_doc *doc, struct folio_err *err)
{
	size_t i;

	for (i = 0; i < doc->ntags; i++)
		if (run(arc, "INSERT OR IGNORE INTO tags(doc_id, tag) VALUES (?, ?)", "is", doc->id,
			doc->tags[i]) != SQLITE_OK)
			return folio_db_err(arc, err, "cannot store a tag");
	return FOLIO_OK;
}

/* The rows the search reads: words (doc_fts), then trigrams (doc_tri).
 * SQLite result. */
static int index_text(struct folio_store *arc, const struct folio_doc *doc, const char *title,
		      const char *ftext)
{
	int rc;

	rc = run(arc, "INSERT INTO doc_fts(rowid, title, text, field_text) VALUES (?, ?, ?, ?)",
		 "isss", doc->id, title, doc->text.buf ? doc->text.buf : "", ftext);
	if (rc == SQLITE_OK)
		rc = run(arc, "INSERT INTO doc_tri(rowid, text, field_text) VALUES (?, ?, ?)",
			 "iss", doc->id, doc->text.buf ? doc->text.buf : "", ftext);
	return rc;
}

static int insert_rows(struct folio_store *arc, struct folio_doc *doc, const char *at,
		       struct folio_err *err)
{
	struct folio_strbuf ft = FOLIO_STRBUF_INIT;
	const char *title = doc->title && *doc->title ? doc->title : doc->name;
	double oc = folio_store_mean_conf(doc);
	int rc, ret = FOLIO_FAILED;

	if (folio_store_field_text(doc, &ft) || folio_doc_join_text(doc)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	rc = insert_document(arc, doc, title, oc, ft.buf, at);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) { /* the same bytes, stored meanwhile */
		ret = SAME_SHA;
		goto out;
	}
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store the document");
		goto out;
	}
	doc->id = sqlite3_last_insert_rowid(arc->db);
	if (doc->simhash && insert_simhash(arc, doc) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store the text fingerprint");
		goto out;
	}
	if ((ret = insert_pages(arc, doc, err)) != FOLIO_OK ||
	    (ret = check_asn(arc, doc, err)) != FOLIO_OK)
		goto out;
	if (insert_fields(arc, doc) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store a field");
		goto out;
	}
	if ((ret = folio_vendor_record(arc, doc, at, err)) != FOLIO_OK)
		goto out;
	if (doc->dup_of && run(arc, "UPDATE documents SET dup_of = ? WHERE id = ?", "ii",
			       doc->dup_of, doc->id) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot mark a duplicate");
		goto out;
	}
	if ((ret = insert_tags(arc, doc, err)) != FOLIO_OK)
		goto out;
	if (index_text(arc, doc, title, ft.buf) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot index the document");
		goto out;
	}
	ret = FOLIO_OK;
out:
	folio_strbuf_release(&ft);
	return ret;
}

int sq_add(struct folio_store *arc, struct folio_doc *doc, struct folio_err *err)
{
	char at[32];
	long long id;
	int ret;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	id = sq_find_sha(arc, doc->sha256, err);
	if (id < 0)
		return FOLIO_FAILED;
	if (id > 0) {
		doc->id = id;
		folio_doc_set_str(&doc->status, "duplicate");
		return FOLIO_WARN;
	}
	/* the original (and the batch it was cut from) is durable before any
	 * row names it */
	if (doc->batch && (ret = folio_store_put(arc, doc->batch->sha256, doc->batch->data,
						 doc->batch->size, err)) != FOLIO_OK)
		return ret;
	if ((ret = folio_store_put(arc, doc->sha256, doc->data, doc->size, err)) != FOLIO_OK)
		return ret;
	folio_iso_now(at);
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	/* a deletion (folio delete) removes bytes under the write lock once
	 * no row names them: looked at again under the lock, they are either
	 * still there or put back before a row names them */
	if ((doc->batch && (ret = folio_store_put(arc, doc->batch->sha256, doc->batch->data,
						  doc->batch->size, err)) != FOLIO_OK) ||
	    (ret = folio_store_put(arc, doc->sha256, doc->data, doc->size, err)) != FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = insert_rows(arc, doc, at, err)) != FOLIO_OK ||
	    (ret = sq_event(arc, "archived", doc->id, doc->sha256, doc->path, NULL, err)) !=
		    FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		doc->id = 0;
		if (ret != SAME_SHA)
			return ret;
		/* Another process stored the same bytes between the look-up
		 * above and this transaction: the database's UNIQUE constraint
		 * decided, and its verdict is a duplicate of that document. */
		if ((id = sq_find_sha(arc, doc->sha256, err)) <= 0)
			return id < 0 ? FOLIO_FAILED :
					folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
						      "cannot store the document: its checksum is "
						      "recorded but no document has it");
		doc->id = id;
		folio_doc_set_str(&doc->status, "duplicate");
		return FOLIO_WARN;
	}
	if ((ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		doc->id = 0;
		return ret;
	}
	if (folio_doc_set_str(&doc->status, doc->needs_review ? "needs_review" : "archived") ||
	    folio_doc_set_str(&doc->added_at, at))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t), i;

	if (!n || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return 0;
	return 1;
}

int sq_tag(struct folio_store *arc, long long id, const char *const *add, const char *const *remove,
	   struct folio_err *err)
{
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	long long found;
	int ret, i, rc = SQLITE_OK;

	for (i = 0; add && add[i]; i++)
		if (!valid_tag(add[i]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "'%s' is not a tag: 1 to 64 characters, no spaces",
					     add[i]);
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	found = 0;
	{
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE id = ?", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			found = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
		}
	}
	if (!found) {
		folio_db_exec(arc, "ROLLBACK", NULL);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	}
	for (i = 0; rc == SQLITE_OK && add && add[i]; i++) {
		rc = run(arc, "INSERT OR IGNORE INTO tags(doc_id, tag) VALUES (?, ?)", "is", id,
			 add[i]);
		folio_strbuf_addf(&detail, "%s+%s", detail.len ? " " : "", add[i]);
	}
	for (i = 0; rc == SQLITE_OK && remove && remove[i]; i++) {
		rc = run(arc, "DELETE FROM tags WHERE doc_id = ? AND tag = ?", "is", id, remove[i]);
		folio_strbuf_addf(&detail, "%s-%s", detail.len ? " " : "", remove[i]);
	}
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot change tags");
		folio_db_exec(arc, "ROLLBACK", NULL);
	} else if ((ret = sq_event(arc, "tagged", id, NULL, NULL, detail.buf ? detail.buf : "",
				   err)) != FOLIO_OK ||
		   (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK) {
		folio_db_exec(arc, "ROLLBACK", NULL);
	}
	folio_strbuf_release(&detail);
	return ret;
}

int sq_update_fields(struct folio_store *arc, const struct folio_doc *doc, const char *detail,
		     struct folio_err *err)
{
	struct folio_strbuf ft = FOLIO_STRBUF_INIT;
	const struct folio_field *type = folio_doc_field(doc, "doc_type");
	int rc, ret;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	if (folio_store_field_text(doc, &ft))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK) {
		folio_strbuf_release(&ft);
		return ret;
	}
	/* external-content FTS: the old row goes out with its old values */
	rc = run(arc,
		 "INSERT INTO doc_fts(doc_fts, rowid, title, text, field_text) SELECT 'delete', id,"
		 " title, text, field_text FROM documents WHERE id = ?",
		 "i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(
			arc,
			"INSERT INTO doc_tri(doc_tri, rowid, text, field_text) SELECT 'delete', id,"
			" text, field_text FROM documents WHERE id = ?",
			"i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc, "DELETE FROM fields WHERE doc_id = ?", "i", doc->id);
	if (rc == SQLITE_OK)
		rc = insert_fields(arc, doc);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "UPDATE documents SET field_text = ?, review = ?, notes = ?,"
			 " dup_of = nullif(?, 0),"
			 " status = CASE WHEN status IN ('archived', 'needs_review') THEN ?"
			 " ELSE status END WHERE id = ?",
			 "sssisi", ft.buf, doc->review, doc->notes, doc->dup_of,
			 doc->needs_review ? "needs_review" : "archived", doc->id);
	if (rc == SQLITE_OK && type && type->source == FOLIO_SRC_USER)
		rc = run(arc,
			 "UPDATE documents SET doc_type = ?, type_conf = 1, type_reason = 'user'"
			 " WHERE id = ?",
			 "si", type->value, doc->id);
	if (rc == SQLITE_OK)
		rc = run(
			arc,
			"INSERT INTO doc_fts(rowid, title, text, field_text) SELECT id, title, text,"
			" field_text FROM documents WHERE id = ?",
			"i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "INSERT INTO doc_tri(rowid, text, field_text) SELECT id, text, field_text"
			 " FROM documents WHERE id = ?",
			 "i", doc->id);
	folio_strbuf_release(&ft);
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store the corrected fields");
		folio_db_exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = sq_event(arc, "fixed", doc->id, doc->sha256, NULL, detail, err)) != FOLIO_OK ||
	    (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
		folio_db_exec(arc, "ROLLBACK", NULL);
	return ret;
}

int sq_template_put(struct folio_store *arc, const struct folio_template *t, struct folio_err *err)
{
	char at[32];

	folio_iso_now(at);
	if (run(arc,
		"INSERT INTO vendor_templates(seller_tax_id, field, page, x, y, w, h, hits,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(seller_tax_id, field)"
		" DO UPDATE SET page = excluded.page, x = excluded.x, y = excluded.y,"
		" w = excluded.w, h = excluded.h, hits = hits + 1, updated_at = excluded.updated_at",
		"ssidddds", t->seller_tax_id, t->field, (long long)t->page, (double)t->x,
		(double)t->y, (double)t->w, (double)t->h, at) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot store the vendor template");
	return FOLIO_OK;
}

int sq_templates(struct folio_store *arc, int (*fn)(void *ctx, const struct folio_template *t),
		 void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT seller_tax_id, field, page, x, y, w, h, hits FROM"
			       " vendor_templates ORDER BY seller_tax_id, field",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the vendor templates");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_template t;

		memset(&t, 0, sizeof(t));
		snprintf(t.seller_tax_id, sizeof(t.seller_tax_id), "%s", sq_col(st, 0));
		snprintf(t.field, sizeof(t.field), "%s", sq_col(st, 1));
		t.page = sqlite3_column_int(st, 2);
		t.x = (float)sqlite3_column_double(st, 3);
		t.y = (float)sqlite3_column_double(st, 4);
		t.w = (float)sqlite3_column_double(st, 5);
		t.h = (float)sqlite3_column_double(st, 6);
		t.hits = sqlite3_column_int(st, 7);
		if (fn(ctx, &t))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot read the vendor templates");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

long long sq_find_asn(struct folio_store *arc, const char *asn)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT doc_id FROM fields WHERE name = 'asn' AND value = ?"
			       " ORDER BY doc_id LIMIT 1",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int sq_each_confirmed(struct folio_store *arc,
		      int (*fn)(void *ctx, long long id, const char *type, const char *text),
		      void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, doc_type, text FROM documents WHERE type_reason = 'user'"
			       " ORDER BY id",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the confirmed documents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), sq_col(st, 1), sq_col(st, 2)))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot read the confirmed documents");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

int sq_review(struct folio_store *arc, int limit,
	      int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
	      struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, path, doc_type, added_at, review, coalesce(dup_of, 0)"
			       " FROM documents WHERE status = 'needs_review' OR dup_of IS NOT NULL"
			       " ORDER BY id LIMIT ?",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot list the documents to review");
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* clang-format off */
		struct folio_review_item it = {
			.id = sqlite3_column_int64(st, 0),
			.path = sq_col(st, 1),
			.doc_type = sq_col(st, 2),
			.added_at = sq_col(st, 3),
			.review = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : sq_col(st, 4),
			.dup_of = sqlite3_column_int64(st, 5),
		};
		/* clang-format on */

		if (fn(ctx, &it))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot list the documents to review");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

int sq_retype(struct folio_store *arc, long long id, const char *type, struct folio_err *err)
{
	static const char *const types[] = { "invoice", "credit_note",	 "proforma", "receipt",
					     "order",	"delivery_note", "contract", "form",
					     "letter",	"other",	 NULL };
	char detail[96], old[64];
	int i, pages, ret;

	for (i = 0; types[i] && strcmp(types[i], type); i++)
		;
	if (!types[i])
		return folio_err_set(
			err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
			"'%s' is not a document type (invoice, credit_note, proforma,"
			" receipt, order, delivery_note, contract, form, letter, other)",
			type);
	if ((ret = sq_summary(arc, id, &pages, old, sizeof(old), err)) != FOLIO_OK)
		return ret;
	snprintf(detail, sizeof(detail), "%s -> %s", old, type);
	if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	if (run(arc,
		"UPDATE documents SET doc_type = ?, type_conf = 1.0, type_reason = 'user'"
		" WHERE id = ?",
		"si", type, id) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot change the type");
		folio_db_exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = sq_event(arc, "retyped", id, NULL, NULL, detail, err)) != FOLIO_OK ||
	    (ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
		folio_db_exec(arc, "ROLLBACK", NULL);
	return ret;
}

const char *sq_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int group(struct folio_store *arc, const char *sql, struct folio_stat_row *rows, int max,
		 int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct folio_stat_row *r = &rows[(*n)++];

		snprintf(r->key, sizeof(r->key), "%s", sq_col(st, 0));
		r->count = sqlite3_column_int64(st, 1);
		r->pages = sqlite3_column_int64(st, 2);
		r->bytes = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static long long scalar(struct folio_store *arc, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int sq_stats(struct folio_store *arc, struct folio_stats *st, struct folio_err *err)
{
	int max_types = (int)(sizeof(st->by_type) / sizeof(st->by_type[0]));
	int max_status = (int)(sizeof(st->by_status) / sizeof(st->by_status[0]));
	int max_mimes = (int)(sizeof(st->by_mime) / sizeof(st->by_mime[0]));

	memset(st, 0, sizeof(*st));
	st->documents = scalar(arc, "SELECT count(*) FROM documents");
	st->pages = scalar(arc, "SELECT coalesce(sum(pages), 0) FROM documents");
	st->bytes = scalar(arc, "SELECT coalesce(sum(size), 0) FROM documents");
	st->words = scalar(arc, "SELECT coalesce(sum(nwords), 0) FROM pages");
	st->quarantined = scalar(arc, "SELECT count(*) FROM events WHERE kind = 'quarantined'");
	st->duplicates = scalar(arc, "SELECT count(*) FROM events WHERE kind = 'duplicate'");
	st->db_bytes = scalar(arc, "SELECT page_count * page_size FROM pragma_page_count(),"
				   " pragma_page_size()");
	if (st->documents < 0 || st->pages < 0 || st->quarantined < 0 ||
	    group(arc,
		  "SELECT doc_type, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY doc_type ORDER BY count(*) DESC, doc_type",
		  st->by_type, max_types, &st->ntypes) ||
	    group(arc,
		  "SELECT status, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY status ORDER BY count(*) DESC, status",
		  st->by_status, max_status, &st->nstatus) ||
	    group(arc,
		  "SELECT mime, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY mime ORDER BY count(*) DESC, mime",
		  st->by_mime, max_mimes, &st->nmimes))
		return folio_db_err(arc, err, "cannot compute statistics");
	return FOLIO_OK;
}

/* ---- the backend table ---------------------------------------------------- */

/* A folder path; "scheme://..." belongs to another backend. */
static int sq_accepts(const char *where)
{
	return !folio_url_scheme(where);
}

struct folio_store *folio_sqlite_store(struct folio_archive *arc)
{
	return folio_archive_store(arc, &folio_sqlite_ops);
}

sqlite3 *folio_sqlite_db(struct folio_archive *arc)
{
	struct folio_store *st = folio_sqlite_store(arc);

	return st ? st->db : NULL;
}

/* VACUUM INTO reads in one transaction: a consistent copy while the
 * daemon writes, compacted, and not in WAL mode (one file) */
static int sq_snapshot(struct folio_store *arc, const char *path, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "VACUUM INTO ?", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot take a snapshot of the database");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot take a snapshot of the database");
	return FOLIO_OK;
}

const struct folio_store_ops folio_sqlite_ops = {
	.version = FOLIO_STORE_OPS_VERSION,
	.name = "sqlite",
	.accepts = sq_accepts,
	.open = sq_open,
	.close = sq_close,
	.dir = sq_dir,
	.readonly = sq_readonly,
	.schema_version = sq_schema_version,
	.each_sha = sq_each_sha,
	.find_sha = sq_find_sha,
	.summary = sq_summary,
	.has_path = sq_has_path,
	.add = sq_add,
	.event = sq_event,
	.get = sq_get,
	.tag = sq_tag,
	.retype = sq_retype,
	.update_fields = sq_update_fields,
	.template_put = sq_template_put,
	.templates = sq_templates,
	.find_asn = sq_find_asn,
	.each_confirmed = sq_each_confirmed,
	.review = sq_review,
	.blob_path = sq_blob_path,
	.search = sq_search,
	.count = sq_count,
	.stats = sq_stats,
	.journal_received = sq_journal_received,
	.journal_settle = sq_journal_settle,
	.store_cleanup = sq_store_cleanup,
	.journal_recover = sq_journal_recover,
	.daemon_beat = sq_daemon_beat,
	.daemon_gone = sq_daemon_gone,
	.status = sq_status,
	.verify = sq_verify,
	.vendors = sq_vendors,
	.ledger_exported = sq_ledger_exported,
	.ledger_key_owner = sq_ledger_key_owner,
	.ledger_record = sq_ledger_record,
	.ledger_done = sq_ledger_done,
	.ledger_batches = sq_ledger_batches,
	.ledger_batch = sq_ledger_batch,
	.ledger_files = sq_ledger_files,
	.ledger_items = sq_ledger_items,
	.vendor_name = sq_vendor_name,
	.ledger_next = sq_ledger_next,
	.near_texts = sq_near_texts,
	.find_invoice = sq_find_invoice,
	.vendor_by_tax = sq_vendor_by_tax,
	.vendor_by_iban = sq_vendor_by_iban,
	.vendor_by_key = sq_vendor_by_key,
	.vendor_keys = sq_vendor_keys,
	.mail_folder = sq_mail_folder,
	.mail_folder_reset = sq_mail_folder_reset,
	.mail_message = sq_mail_message,
	.mail_unfinished = sq_mail_unfinished,
	.sdi_invoice = sq_sdi_invoice,
	.sdi_notices = sq_sdi_notices,
	.sdi_by_id = sq_sdi_by_id,
	.mail_poll_record = sq_mail_poll_record,
	.mail_state = sq_mail_state,
	.ledger_copy = sq_ledger_copy,
	.rows = sq_rows,
	.put_row = sq_put_row,
	.put_original = sq_put_original,
	.moving = sq_moving,
	.table_rows = sq_table_rows,
	.empty = sq_empty,
	.events = sq_events,
	.hold = sq_hold,
	.hold_state = sq_hold_state,
	.delete_doc = sq_delete_doc,
	.snapshot = sq_snapshot,
};
