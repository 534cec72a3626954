/*
 * read.c - the SQLite backend loads a stored document back (sq_get): its
 * row, then its pages with their words, its fields, barcodes and tags, one
 * query and one row handler each. See include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

static enum folio_source source_from(const char *s)
{
	/* clang-format off */
	static const enum folio_source all[] = {
		FOLIO_SRC_XML, FOLIO_SRC_QR, FOLIO_SRC_TEXT, FOLIO_SRC_OCR, FOLIO_SRC_USER,
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, folio_source_name(all[i])))
			return all[i];
	return FOLIO_SRC_NONE;
}

static int load_words(struct folio_page *pg, const char *blob)
{
	while (*blob) {
		const char *nl = strchr(blob, '\n');
		int x, y, w, h, line, off = 0;
		float conf;

		if (sscanf(blob, "%d %d %d %d %f %d %n", &x, &y, &w, &h, &conf, &line, &off) == 6 &&
		    off > 0) {
			size_t n = nl ? (size_t)(nl - blob - off) : strlen(blob + off);
			char *t = strndup(blob + off, n);

			if (!t || folio_page_add_word(pg, t, x, y, w, h, conf, line)) {
				free(t);
				return -1;
			}
			free(t);
		}
		if (!nl)
			break;
		blob = nl + 1;
	}
	return 0;
}

/* The documents row of `id` as a new document (*out), without its pages,
 * fields, codes and tags. */
static int load_document(struct folio_store *arc, long long id, struct folio_doc **out,
			 struct folio_err *err)
{
	struct folio_doc *doc = NULL;
	sqlite3_stmt *st;
	int rc, ret = FOLIO_OK;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT sha256, path, title, mime, size, doc_type, type_conf,"
			       " type_reason, status, text, added_at, coalesce(dup_of, 0),"
			       " review, notes, source_sha256 FROM documents WHERE id = ?",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the document");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
					     "no document with id %lld", id);
		return folio_db_err(arc, err, "cannot read the document");
	}
	doc = folio_doc_new(sq_col(st, 1), NULL, 0);
	if (!doc) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	doc->id = id;
	snprintf(doc->sha256, sizeof(doc->sha256), "%s", sq_col(st, 0));
	doc->size = (size_t)sqlite3_column_int64(st, 4);
	doc->type_conf = (float)sqlite3_column_double(st, 6);
	doc->dup_of = sqlite3_column_int64(st, 11);
	if (folio_doc_set_str(&doc->title, sq_col(st, 2)) ||
	    folio_doc_set_str(&doc->mime, sq_col(st, 3)) ||
	    folio_doc_set_str(&doc->doc_type, sq_col(st, 5)) ||
	    folio_doc_set_str(&doc->type_reason, sq_col(st, 7)) ||
	    folio_doc_set_str(&doc->status, sq_col(st, 8)) ||
	    folio_strbuf_adds(&doc->text, sq_col(st, 9)) ||
	    folio_doc_set_str(&doc->added_at, sq_col(st, 10)) ||
	    (sqlite3_column_type(st, 12) != SQLITE_NULL &&
	     folio_doc_set_str(&doc->review, sq_col(st, 12))) ||
	    (sqlite3_column_type(st, 13) != SQLITE_NULL &&
	     folio_doc_set_str(&doc->notes, sq_col(st, 13)))) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	doc->needs_review = !strcmp(doc->status, "needs_review");
	if (sqlite3_column_type(st, 14) == SQLITE_TEXT)
		snprintf(doc->source_sha256, sizeof(doc->source_sha256), "%s", sq_col(st, 14));
	*out = doc;
	doc = NULL;
out:
	sqlite3_finalize(st);
	folio_doc_free(doc);
	return ret;
}

/* Run `sql` (one parameter: the document's id) and hand each row to
 * `row`, which fails only when memory runs out. */
static int load_rows(struct folio_store *arc, struct folio_doc *doc, const char *sql,
		     int (*row)(struct folio_doc *doc, sqlite3_stmt *st), struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc, ret = FOLIO_OK;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the document");
	sqlite3_bind_int64(st, 1, doc->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row(doc, st)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ret = folio_db_err(arc, err, "cannot read the document");
out:
	sqlite3_finalize(st);
	return ret;
}

/* A pages row (load_rows()): the page with its words. */
static int page_row(struct folio_doc *doc, sqlite3_stmt *st)
{
	struct folio_page *pg = folio_doc_add_page(doc);

	if (!pg)
		return -1;
	pg->number = sqlite3_column_int(st, 0);
	pg->width = sqlite3_column_int(st, 1);
	pg->height = sqlite3_column_int(st, 2);
	pg->dpi = sqlite3_column_int(st, 3);
	pg->source = source_from(sq_col(st, 4));
	pg->conf = (float)sqlite3_column_double(st, 5);
	pg->rotation = sqlite3_column_int(st, 6);
	pg->skew = (float)sqlite3_column_double(st, 7);
	pg->blank = sqlite3_column_int(st, 8);
	if (folio_page_set_text(pg, sq_col(st, 9)) || load_words(pg, sq_col(st, 10)))
		return -1;
	/* text without geometry: its words were not stored, derive them */
	if (!pg->nwords && pg->source == FOLIO_SRC_TEXT && folio_page_words_from_text(pg))
		return -1;
	return 0;
}

/* A fields row (load_rows()). */
static int field_row(struct folio_doc *doc, sqlite3_stmt *st)
{
	int bbox[4] = { sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
			sqlite3_column_int(st, 8), sqlite3_column_int(st, 9) };

	return folio_doc_set_field(doc, sq_col(st, 0), sq_col(st, 1),
				   sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : sq_col(st, 2),
				   (float)sqlite3_column_double(st, 3), source_from(sq_col(st, 4)),
				   sqlite3_column_int(st, 5), bbox) ?
		       -1 :
		       0;
}

/* A codes row (load_rows()), onto its page; one naming a page the document
 * does not have is dropped. */
static int code_row(struct folio_doc *doc, sqlite3_stmt *st)
{
	int pno = sqlite3_column_int(st, 0);

	if (pno < 1 || (size_t)pno > doc->npages)
		return 0;
	return folio_page_add_code(&doc->pages[pno - 1], sq_col(st, 1), sq_col(st, 2),
				   sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
				   sqlite3_column_int(st, 5), sqlite3_column_int(st, 6)) ?
		       -1 :
		       0;
}

/* A tags row (load_rows()). */
static int tag_row(struct folio_doc *doc, sqlite3_stmt *st)
{
	return folio_doc_add_tag(doc, sq_col(st, 0)) ? -1 : 0;
}

int sq_get(struct folio_store *arc, long long id, struct folio_doc **out, struct folio_err *err)
{
	struct folio_doc *doc = NULL;
	int ret;

	*out = NULL;
	if ((ret = load_document(arc, id, &doc, err)) != FOLIO_OK)
		return ret;
	/* codes after pages: each goes onto its page */
	if ((ret = load_rows(arc, doc,
			     "SELECT number, width, height, dpi, source, conf, rotation, skew,"
			     " blank, text, words FROM pages WHERE doc_id = ? ORDER BY number",
			     page_row, err)) != FOLIO_OK ||
	    (ret = load_rows(arc, doc,
			     "SELECT name, value, raw, confidence, source, page, x, y, w, h"
			     " FROM fields WHERE doc_id = ? ORDER BY name",
			     field_row, err)) != FOLIO_OK ||
	    (ret = load_rows(arc, doc,
			     "SELECT page, type, data, x, y, w, h FROM codes WHERE doc_id = ?"
			     " ORDER BY page, seq",
			     code_row, err)) != FOLIO_OK ||
	    (ret = load_rows(arc, doc, "SELECT tag FROM tags WHERE doc_id = ? ORDER BY tag",
			     tag_row, err)) != FOLIO_OK) {
		folio_doc_free(doc);
		return ret;
	}
	*out = doc;
	return FOLIO_OK;
}
