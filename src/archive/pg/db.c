/*
 * db.c - the PostgreSQL backend's documents: storing them (document,
 * original and audit event in one transaction), the audit log, tags,
 * types, fields, templates, statistics, and the backend's table. Loading
 * a document back is in read.c. See include/folio/archive.h.
 *
 * Who wins when two stations store the same bytes at once is decided by
 * the UNIQUE sha256 of documents (INSERT ... ON CONFLICT DO NOTHING): the
 * second transaction waits for the first, then stores nothing and reports
 * a duplicate. The audit log stays one chain because each append holds a
 * lock on the events table that only one writer can hold, until its
 * transaction ends.
 */
#include "../rows.h"
#include "pg_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

int pg_each_sha(struct folio_store *s, int (*fn)(void *ctx, const char *sha256, long long id),
		void *ctx, struct folio_err *err)
{
	PGresult *res =
		pg_run(s, err, "cannot list documents", "SELECT sha256, id FROM documents", "");
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++)
		if (fn(ctx, pg_str(res, i, 0), pg_ll(res, i, 1)))
			break;
	PQclear(res);
	return FOLIO_OK;
}

long long pg_find_sha(struct folio_store *s, const char *sha256, struct folio_err *err)
{
	return pg_one(s, err, "cannot look up a document",
		      "SELECT id FROM documents WHERE sha256 = $1", "s", sha256);
}

int pg_summary(struct folio_store *s, long long id, int *pages, char *type, size_t typelen,
	       struct folio_err *err)
{
	PGresult *res = pg_run(s, err, "cannot look up a document",
			       "SELECT pages, doc_type FROM documents WHERE id = $1", "i", id);

	if (!res)
		return FOLIO_FAILED;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	}
	*pages = (int)pg_ll(res, 0, 0);
	snprintf(type, typelen, "%s", pg_str(res, 0, 1));
	PQclear(res);
	return FOLIO_OK;
}

int pg_has_path(struct folio_store *s, long long id, const char *path)
{
	return pg_one(s, NULL, "", "SELECT 1 FROM documents WHERE id = $1 AND path = $2", "is", id,
		      path) == 1;
}

/* ---- the audit log ------------------------------------------------------- */

int pg_event(struct folio_store *s, const char *kind, long long doc_id, const char *sha256,
	     const char *path, const char *detail, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char hash[65], at[32], prev[65];
	PGresult *res = NULL;
	int own, ret = FOLIO_FAILED;

	pg_alive(s);
	own = PQtransactionStatus(s->conn) == PQTRANS_IDLE;
	if (own && pg_begin(s, err) != FOLIO_OK)
		return FOLIO_FAILED;
	/* SHARE ROW EXCLUSIVE conflicts with itself and with every write, not
	 * with reads: one appender at a time, to the end of its transaction
	 * (the lock and the read in one round trip) */
	res = PQexec(s->conn,
		     "LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;"
		     " SELECT (SELECT hash FROM events ORDER BY id DESC LIMIT 1),"
		     " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_err(s, res, err, "cannot append to the event log");
		goto out;
	}
	/* the server's clock: stations' clocks may disagree */
	snprintf(prev, sizeof(prev), "%s", pg_null(res, 0, 0) ? "0" : pg_str(res, 0, 0));
	snprintf(at, sizeof(at), "%s", pg_str(res, 0, 1));
	if (folio_strbuf_addf(&sb, "%s\n%s\n%s\n%lld\n%s\n%s\n%s", prev, at, kind, doc_id,
			      sha256 ? sha256 : "", path ? path : "", detail ? detail : "")) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	folio_sha256_hex(sb.buf, sb.len, hash);
	if (pg_do(s, err, "cannot write the event log",
		  "INSERT INTO events(at, kind, doc_id, sha256, path, detail, hash)"
		  " VALUES ($1, $2, NULLIF($3::bigint, 0), $4, $5, $6, $7)",
		  "ssissss", at, kind, doc_id, sha256, path, detail, hash) != FOLIO_OK)
		goto out;
	ret = own ? pg_commit(s, err) : FOLIO_OK;
out:
	PQclear(res);
	folio_strbuf_release(&sb);
	if (ret != FOLIO_OK && own)
		pg_rollback(s);
	return ret;
}

/* ---- originals --------------------------------------------------------------- */

int pg_put_original(struct folio_store *s, const char *sha256, const void *data, size_t len,
		    struct folio_err *err)
{
	long long chunks = (long long)((len + PG_CHUNK - 1) / PG_CHUNK), k, got;
	const unsigned char *p = data;

	/* the row first: a second writer of the same bytes waits here for
	 * the first one's transaction, then has nothing to write */
	got = pg_one(s, err, "cannot store the original",
		     "INSERT INTO originals(sha256, size, chunks) VALUES ($1, $2, $3)"
		     " ON CONFLICT (sha256) DO NOTHING RETURNING 1",
		     "sii", sha256, (long long)len, chunks);
	if (got < 0)
		return FOLIO_FAILED;
	for (k = 0; got == 1 && k < chunks; k++) {
		size_t off = (size_t)k * PG_CHUNK, n = len - off < PG_CHUNK ? len - off : PG_CHUNK;

		if (pg_do(s, err, "cannot store the original",
			  "INSERT INTO original_chunks(sha256, seq, data) VALUES ($1, $2, $3)",
			  "sib", sha256, k, p + off, n) != FOLIO_OK)
			return FOLIO_FAILED;
	}
	return FOLIO_OK;
}

long long pg_each_chunk(struct folio_store *s, const char *sha256,
			int (*fn)(void *ctx, const void *data, size_t len), void *ctx,
			struct folio_err *err)
{
	const char *params[1] = { sha256 };
	long long n = 0;
	int stop = 0, failed = 0;
	PGresult *r;

	if (!PQsendQueryParams(s->conn,
			       "SELECT data FROM original_chunks WHERE sha256 = $1 ORDER BY seq", 1,
			       NULL, params, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(s->conn)) {
		pg_err(s, NULL, err, "cannot read an original");
		while ((r = PQgetResult(s->conn)))
			PQclear(r);
		return -1;
	}
	while ((r = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE) {
			n++;
			if (!stop)
				stop = fn(ctx, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
		} else if (st != PGRES_TUPLES_OK && !failed) {
			failed = 1;
			pg_err(s, r, err, "cannot read an original");
		}
		PQclear(r);
	}
	return failed ? -1 : n;
}

/* ---- storing a document ------------------------------------------------------ */

/* Append `v` to the array literal `a` (its "{" written) as one element,
 * quoted; NULL as NULL. */
static int arr_add(struct folio_strbuf *a, const char *v)
{
	const char *p;

	if (a->len > 1 && folio_strbuf_addch(a, ','))
		return -1;
	if (!v)
		return folio_strbuf_adds(a, "NULL");
	if (folio_strbuf_addch(a, '"'))
		return -1;
	for (p = v; *p; p++)
		if (((*p == '"' || *p == '\\') && folio_strbuf_addch(a, '\\')) ||
		    folio_strbuf_addch(a, *p))
			return -1;
	return folio_strbuf_addch(a, '"');
}

static int arr_num(struct folio_strbuf *a, double v)
{
	char num[64];

	snprintf(num, sizeof(num), "%.9g", v);
	return arr_add(a, num);
}

/* The fields of `doc` in one statement: an array per column. */
static int insert_fields(struct folio_store *s, const struct folio_doc *doc, struct folio_err *err)
{
	struct folio_strbuf col[10];
	size_t i, k;
	int r = 0, ret;

	if (!doc->nfields)
		return FOLIO_OK;
	memset(col, 0, sizeof(col));
	for (k = 0; k < 10; k++)
		r = r || folio_strbuf_addch(&col[k], '{');
	for (i = 0; !r && i < doc->nfields; i++) {
		const struct folio_field *f = &doc->fields[i];

		r = arr_add(&col[0], f->name) || arr_add(&col[1], f->value) ||
		    arr_add(&col[2], f->raw) || arr_num(&col[3], (double)f->confidence) ||
		    arr_add(&col[4], folio_source_name(f->source)) ||
		    arr_num(&col[5], (double)f->page) || arr_num(&col[6], (double)f->bbox[0]) ||
		    arr_num(&col[7], (double)f->bbox[1]) || arr_num(&col[8], (double)f->bbox[2]) ||
		    arr_num(&col[9], (double)f->bbox[3]);
	}
	for (k = 0; !r && k < 10; k++)
		r = folio_strbuf_addch(&col[k], '}');
	ret = r ? folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory") :
		  pg_do(s, err, "cannot store a field",
			"INSERT INTO fields(doc_id, name, value, raw, confidence, source, page,"
			" x, y, w, h) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[],"
			" $5::real[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[],"
			" $11::int[])",
			"issssssssss", doc->id, col[0].buf, col[1].buf, col[2].buf, col[3].buf,
			col[4].buf, col[5].buf, col[6].buf, col[7].buf, col[8].buf, col[9].buf);
	for (k = 0; k < 10; k++)
		folio_strbuf_release(&col[k]);
	return ret;
}

static int insert_pages(struct folio_store *s, const struct folio_doc *doc, struct folio_err *err)
{
	struct folio_strbuf words = FOLIO_STRBUF_INIT;
	size_t i, k;
	int ret = FOLIO_FAILED;

	for (i = 0; i < doc->npages; i++) {
		const struct folio_page *pg = &doc->pages[i];

		if (folio_store_words_blob(pg, &words)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					    "out of memory");
			goto out;
		}
		if (pg_do(s, err, "cannot store a page",
			  "INSERT INTO pages(doc_id, number, width, height, dpi, source, conf,"
			  " rotation, skew, blank, nwords, text, words)"
			  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
			  "iiiiisdidiiss", doc->id, (long long)pg->number, (long long)pg->width,
			  (long long)pg->height, (long long)pg->dpi, folio_source_name(pg->source),
			  (double)pg->conf, (long long)pg->rotation, (double)pg->skew,
			  (long long)pg->blank, (long long)pg->nwords, pg->text ? pg->text : "",
			  words.buf) != FOLIO_OK)
			goto out;
		for (k = 0; k < pg->ncodes; k++) {
			const struct folio_code *c = &pg->codes[k];

			if (pg_do(s, err, "cannot store a barcode",
				  "INSERT INTO codes(doc_id, page, seq, type, data, x, y, w, h)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
				  "iiissiiii", doc->id, (long long)pg->number, (long long)k,
				  c->type, c->data, (long long)c->x, (long long)c->y,
				  (long long)c->w, (long long)c->h) != FOLIO_OK)
				goto out;
		}
	}
	ret = FOLIO_OK;
out:
	folio_strbuf_release(&words);
	return ret;
}

/* the SimHash bands, as the SQLite backend cuts them (lookup.c) */
#define BANDS 7

static long long band_value(uint64_t h, int band)
{
	int shift = band * 9, bits = band == BANDS - 1 ? 10 : 9;

	return (long long)((h >> shift) & ((1ULL << bits) - 1));
}

/* The fingerprint's bands in one statement (the fingerprint itself is a
 * column of the document's row). */
/* The bands of fingerprint `h` as an array literal "{v0,...,v6}". */
static void band_array(uint64_t h, char out[200])
{
	size_t n = 1;
	int b;

	out[0] = '{';
	for (b = 0; b < BANDS; b++)
		n += (size_t)snprintf(out + n, 200 - n, "%s%lld", b ? "," : "", band_value(h, b));
	snprintf(out + n, 200 - n, "}");
}

/* The fingerprint's bands in one statement (the fingerprint itself is a
 * column of the document's row). */
static int insert_simhash(struct folio_store *s, const struct folio_doc *doc, struct folio_err *err)
{
	char values[200];

	band_array(doc->simhash, values);
	return pg_do(s, err, "cannot store the text fingerprint",
		     "INSERT INTO simhash_band(band, value, doc_id) SELECT b - 1, v, $1"
		     " FROM unnest($2::bigint[]) WITH ORDINALITY AS t(v, b)",
		     "is", doc->id, values);
}

int pg_near_texts(struct folio_store *s, uint64_t h,
		  int (*fn)(void *ctx, long long id, uint64_t simhash), void *ctx,
		  struct folio_err *err)
{
	char values[200];
	PGresult *res;
	int i;

	if (!h)
		return FOLIO_OK;
	/* the 7 bands in one look-up */
	band_array(h, values);
	if (!(res = pg_run(s, err, "cannot look up similar texts",
			   "SELECT d.id, d.simhash FROM unnest($1::bigint[]) WITH ORDINALITY"
			   " AS t(v, b) JOIN simhash_band s ON s.band = t.b - 1 AND s.value = t.v"
			   " JOIN documents d ON d.id = s.doc_id",
			   "s", values)))
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++)
		if (fn(ctx, pg_ll(res, i, 0), (uint64_t)pg_ll(res, i, 1)))
			break;
	PQclear(res);
	return FOLIO_OK;
}

static int check_asn(struct folio_store *s, const struct folio_doc *doc, struct folio_err *err)
{
	const struct folio_field *asn = folio_doc_field(doc, "asn");
	long long other = asn ? pg_find_asn(s, asn->value) : 0;

	if (other > 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "archive serial number %s is already document %lld: each"
				     " paper needs its own ASN label",
				     asn->value, other);
	return FOLIO_OK;
}

/* insert_rows(): another transaction stored the same bytes */
#define SAME_SHA (-100)

static int insert_rows(struct folio_store *s, struct folio_doc *doc, const char *at,
		       struct folio_err *err)
{
	struct folio_strbuf ft = FOLIO_STRBUF_INIT;
	const char *title = doc->title && *doc->title ? doc->title : doc->name;
	int ret = FOLIO_FAILED;
	long long id;
	size_t i;

	if (folio_store_field_text(doc, &ft) || folio_doc_join_text(doc)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	id = pg_one(
		s, err, "cannot store the document",
		"INSERT INTO documents(sha256, path, name, title, mime, size, pages, doc_type,"
		" type_conf, type_reason, status, ocr_conf, text, field_text, added_at, review,"
		" notes, source_sha256, dup_of, simhash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
		" $9, $10, $11, NULLIF($12::real, -1.0), $13, $14, $15, $16, $17,"
		" NULLIF($18, ''), NULLIF($19::bigint, 0), NULLIF($20::bigint, 0))"
		" ON CONFLICT (sha256) DO NOTHING RETURNING id",
		"sssssiisdssdssssssii", doc->sha256, doc->path, doc->name, title, doc->mime,
		(long long)doc->size, (long long)doc->npages,
		doc->doc_type ? doc->doc_type : "other", (double)doc->type_conf, doc->type_reason,
		doc->needs_review ? "needs_review" : "archived", folio_store_mean_conf(doc),
		doc->text.buf ? doc->text.buf : "", ft.buf, at, doc->review, doc->notes,
		doc->source_sha256, doc->dup_of, (long long)doc->simhash);
	if (id < 0)
		goto out;
	if (id == 0) { /* the same bytes, stored by another station meanwhile */
		ret = SAME_SHA;
		goto out;
	}
	doc->id = id;
	if ((doc->batch && (ret = pg_put_original(s, doc->batch->sha256, doc->batch->data,
						  doc->batch->size, err)) != FOLIO_OK) ||
	    (ret = pg_put_original(s, doc->sha256, doc->data, doc->size, err)) != FOLIO_OK)
		goto out;
	if (doc->simhash && (ret = insert_simhash(s, doc, err)) != FOLIO_OK)
		goto out;
	if ((ret = insert_pages(s, doc, err)) != FOLIO_OK ||
	    (ret = check_asn(s, doc, err)) != FOLIO_OK ||
	    (ret = insert_fields(s, doc, err)) != FOLIO_OK ||
	    (ret = pg_vendor_record(s, doc, at, err)) != FOLIO_OK)
		goto out;
	for (i = 0; i < doc->ntags; i++)
		if ((ret = pg_do(
			     s, err, "cannot store a tag",
			     "INSERT INTO tags(doc_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			     "is", doc->id, doc->tags[i])) != FOLIO_OK)
			goto out;
	ret = FOLIO_OK;
out:
	folio_strbuf_release(&ft);
	return ret;
}

int pg_add(struct folio_store *s, struct folio_doc *doc, struct folio_err *err)
{
	PGresult *res;
	char at[32];
	long long id;
	int ret;

	if (s->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	/* added_at by the server's clock, as the events' (with BEGIN in one
	 * round trip: now() is the transaction's start) */
	pg_alive(s);
	res = PQexec(s->conn, "BEGIN; SELECT to_char(now() AT TIME ZONE 'UTC',"
			      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_err(s, res, err, "cannot begin a transaction");
		PQclear(res);
		pg_rollback(s);
		return FOLIO_FAILED;
	}
	snprintf(at, sizeof(at), "%s", pg_str(res, 0, 0));
	PQclear(res);
	if ((ret = insert_rows(s, doc, at, err)) != FOLIO_OK ||
	    (ret = pg_event(s, "archived", doc->id, doc->sha256, doc->path, NULL, err)) !=
		    FOLIO_OK) {
		pg_rollback(s);
		doc->id = 0;
		if (ret != SAME_SHA)
			return ret;
		if ((id = pg_find_sha(s, doc->sha256, err)) <= 0)
			return id < 0 ? FOLIO_FAILED :
					folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
						      "cannot store the document: its checksum is "
						      "recorded but no document has it");
		doc->id = id;
		folio_doc_set_str(&doc->status, "duplicate");
		return FOLIO_WARN;
	}
	if ((ret = pg_commit(s, err)) != FOLIO_OK) {
		int lost = PQstatus(s->conn) == CONNECTION_BAD;

		/* the connection went during COMMIT: the server may have made
		 * it durable or not. Connected again, the document's row says
		 * which (its checksum was this transaction's alone: another
		 * writer of the same bytes would have waited for it) */
		pg_rollback(s);
		if (lost)
			pg_alive(s);
		if (!lost || pg_one(s, NULL, "", "SELECT id FROM documents WHERE sha256 = $1", "s",
				    doc->sha256) != doc->id) {
			doc->id = 0;
			return ret;
		}
	}
	if (folio_doc_set_str(&doc->status, doc->needs_review ? "needs_review" : "archived") ||
	    folio_doc_set_str(&doc->added_at, at))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

/* ---- changes by hand --------------------------------------------------------- */

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

int pg_tag(struct folio_store *s, long long id, const char *const *add, const char *const *remove,
	   struct folio_err *err)
{
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	int ret = FOLIO_OK, i;

	for (i = 0; add && add[i]; i++)
		if (!valid_tag(add[i]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "'%s' is not a tag: 1 to 64 characters, no spaces",
					     add[i]);
	if (pg_begin_on_doc(s, id, "cannot change tags", err) != FOLIO_OK)
		return FOLIO_FAILED;
	for (i = 0; ret == FOLIO_OK && add && add[i]; i++) {
		ret = pg_do(s, err, "cannot change tags",
			    "INSERT INTO tags(doc_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			    "is", id, add[i]);
		folio_strbuf_addf(&detail, "%s+%s", detail.len ? " " : "", add[i]);
	}
	for (i = 0; ret == FOLIO_OK && remove && remove[i]; i++) {
		ret = pg_do(s, err, "cannot change tags",
			    "DELETE FROM tags WHERE doc_id = $1 AND tag = $2", "is", id, remove[i]);
		folio_strbuf_addf(&detail, "%s-%s", detail.len ? " " : "", remove[i]);
	}
	if (ret != FOLIO_OK ||
	    (ret = pg_event(s, "tagged", id, NULL, NULL, detail.buf ? detail.buf : "", err)) !=
		    FOLIO_OK ||
	    (ret = pg_commit(s, err)) != FOLIO_OK)
		pg_rollback(s);
	folio_strbuf_release(&detail);
	return ret;
}

int pg_retype(struct folio_store *s, long long id, const char *type, struct folio_err *err)
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
	if ((ret = pg_summary(s, id, &pages, old, sizeof(old), err)) != FOLIO_OK)
		return ret;
	snprintf(detail, sizeof(detail), "%s -> %s", old, type);
	if ((ret = pg_begin(s, err)) != FOLIO_OK)
		return ret;
	if ((ret = pg_do(s, err, "cannot change the type",
			 "UPDATE documents SET doc_type = $1, type_conf = 1.0, type_reason = 'user'"
			 " WHERE id = $2",
			 "si", type, id)) != FOLIO_OK ||
	    (ret = pg_event(s, "retyped", id, NULL, NULL, detail, err)) != FOLIO_OK ||
	    (ret = pg_commit(s, err)) != FOLIO_OK)
		pg_rollback(s);
	return ret;
}

int pg_update_fields(struct folio_store *s, const struct folio_doc *doc, const char *detail,
		     struct folio_err *err)
{
	struct folio_strbuf ft = FOLIO_STRBUF_INIT;
	const struct folio_field *type = folio_doc_field(doc, "doc_type");
	int ret;

	if (s->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	if (folio_store_field_text(doc, &ft))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if ((ret = pg_begin(s, err)) != FOLIO_OK) {
		folio_strbuf_release(&ft);
		return ret;
	}
	/* the full-text column is generated: it follows field_text */
	if ((ret = pg_do(s, err, "cannot store the corrected fields",
			 "DELETE FROM fields WHERE doc_id = $1", "i", doc->id)) != FOLIO_OK ||
	    (ret = insert_fields(s, doc, err)) != FOLIO_OK ||
	    (ret = pg_do(s, err, "cannot store the corrected fields",
			 "UPDATE documents SET field_text = $1, review = $2, notes = $3,"
			 " dup_of = nullif($4::bigint, 0),"
			 " status = CASE WHEN status IN ('archived', 'needs_review') THEN $5"
			 " ELSE status END WHERE id = $6",
			 "sssisi", ft.buf ? ft.buf : "", doc->review, doc->notes, doc->dup_of,
			 doc->needs_review ? "needs_review" : "archived", doc->id)) != FOLIO_OK ||
	    (type && type->source == FOLIO_SRC_USER &&
	     (ret = pg_do(s, err, "cannot store the corrected fields",
			  "UPDATE documents SET doc_type = $1, type_conf = 1, type_reason = 'user'"
			  " WHERE id = $2",
			  "si", type->value, doc->id)) != FOLIO_OK) ||
	    (ret = pg_event(s, "fixed", doc->id, doc->sha256, NULL, detail, err)) != FOLIO_OK ||
	    (ret = pg_commit(s, err)) != FOLIO_OK)
		pg_rollback(s);
	folio_strbuf_release(&ft);
	return ret;
}

int pg_template_put(struct folio_store *s, const struct folio_template *t, struct folio_err *err)
{
	char at[32];

	folio_iso_now(at);
	return pg_do(s, err, "cannot store the vendor template",
		     "INSERT INTO vendor_templates(seller_tax_id, field, page, x, y, w, h, hits,"
		     " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)"
		     " ON CONFLICT (seller_tax_id, field) DO UPDATE SET page = excluded.page,"
		     " x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h,"
		     " hits = vendor_templates.hits + 1, updated_at = excluded.updated_at",
		     "ssidddds", t->seller_tax_id, t->field, (long long)t->page, (double)t->x,
		     (double)t->y, (double)t->w, (double)t->h, at);
}

int pg_templates(struct folio_store *s, int (*fn)(void *ctx, const struct folio_template *t),
		 void *ctx, struct folio_err *err)
{
	PGresult *res = pg_run(s, err, "cannot read the vendor templates",
			       "SELECT seller_tax_id, field, page, x, y, w, h, hits FROM"
			       " vendor_templates ORDER BY seller_tax_id, field",
			       "");
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++) {
		struct folio_template t;

		memset(&t, 0, sizeof(t));
		snprintf(t.seller_tax_id, sizeof(t.seller_tax_id), "%s", pg_str(res, i, 0));
		snprintf(t.field, sizeof(t.field), "%s", pg_str(res, i, 1));
		t.page = (int)pg_ll(res, i, 2);
		t.x = (float)pg_dbl(res, i, 3);
		t.y = (float)pg_dbl(res, i, 4);
		t.w = (float)pg_dbl(res, i, 5);
		t.h = (float)pg_dbl(res, i, 6);
		t.hits = (int)pg_ll(res, i, 7);
		if (fn(ctx, &t))
			break;
	}
	PQclear(res);
	return FOLIO_OK;
}

long long pg_find_asn(struct folio_store *s, const char *asn)
{
	return pg_one(s, NULL, "",
		      "SELECT doc_id FROM fields WHERE name = 'asn' AND value = $1"
		      " ORDER BY doc_id LIMIT 1",
		      "s", asn);
}

int pg_each_confirmed(struct folio_store *s,
		      int (*fn)(void *ctx, long long id, const char *type, const char *text),
		      void *ctx, struct folio_err *err)
{
	PGresult *res = pg_run(s, err, "cannot read the confirmed documents",
			       "SELECT id, doc_type, text FROM documents WHERE type_reason = 'user'"
			       " ORDER BY id",
			       "");
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++)
		if (fn(ctx, pg_ll(res, i, 0), pg_str(res, i, 1), pg_str(res, i, 2)))
			break;
	PQclear(res);
	return FOLIO_OK;
}

int pg_review(struct folio_store *s, int limit,
	      int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
	      struct folio_err *err)
{
	PGresult *res = pg_run(s, err, "cannot list the documents to review",
			       "SELECT id, path, doc_type, added_at, review, coalesce(dup_of, 0)"
			       " FROM documents WHERE status = 'needs_review' OR dup_of IS NOT NULL"
			       " ORDER BY id LIMIT NULLIF($1::bigint, 0)",
			       "i", (long long)(limit > 0 ? limit : 0));
	int i;

	if (!res)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(res); i++) {
		/* clang-format off */
		struct folio_review_item it = {
			.id = pg_ll(res, i, 0),
			.path = pg_str(res, i, 1),
			.doc_type = pg_str(res, i, 2),
			.added_at = pg_str(res, i, 3),
			.review = pg_null(res, i, 4) ? NULL : pg_str(res, i, 4),
			.dup_of = pg_ll(res, i, 5),
		};
		/* clang-format on */

		if (fn(ctx, &it))
			break;
	}
	PQclear(res);
	return FOLIO_OK;
}

/* ---- statistics --------------------------------------------------------------- */

static int group(struct folio_store *s, const char *sql, struct folio_stat_row *rows, int max,
		 int *n, struct folio_err *err)
{
	PGresult *res = pg_run(s, err, "cannot compute statistics", sql, "");
	int i;

	*n = 0;
	if (!res)
		return -1;
	for (i = 0; i < PQntuples(res) && *n < max; i++) {
		struct folio_stat_row *r = &rows[(*n)++];

		snprintf(r->key, sizeof(r->key), "%s", pg_str(res, i, 0));
		r->count = pg_ll(res, i, 1);
		r->pages = pg_ll(res, i, 2);
		r->bytes = pg_ll(res, i, 3);
	}
	PQclear(res);
	return 0;
}

int pg_stats(struct folio_store *s, struct folio_stats *st, struct folio_err *err)
{
	PGresult *res;

	memset(st, 0, sizeof(*st));
	if (!(res = pg_run(s, err, "cannot compute statistics",
			   "SELECT (SELECT count(*) FROM documents),"
			   " (SELECT coalesce(sum(pages), 0) FROM documents),"
			   " (SELECT coalesce(sum(size), 0) FROM documents),"
			   " (SELECT coalesce(sum(nwords), 0) FROM pages),"
			   " (SELECT count(*) FROM events WHERE kind = 'quarantined'),"
			   " (SELECT count(*) FROM events WHERE kind = 'duplicate'),"
			   " pg_database_size(current_database())",
			   "")))
		return FOLIO_FAILED;
	st->documents = pg_ll(res, 0, 0);
	st->pages = pg_ll(res, 0, 1);
	st->bytes = pg_ll(res, 0, 2);
	st->words = pg_ll(res, 0, 3);
	st->quarantined = pg_ll(res, 0, 4);
	st->duplicates = pg_ll(res, 0, 5);
	st->db_bytes = pg_ll(res, 0, 6);
	PQclear(res);
	if (group(s,
		  "SELECT doc_type, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY doc_type ORDER BY count(*) DESC, doc_type",
		  st->by_type, (int)(sizeof(st->by_type) / sizeof(st->by_type[0])), &st->ntypes,
		  err) ||
	    group(s,
		  "SELECT status, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY status ORDER BY count(*) DESC, status",
		  st->by_status, (int)(sizeof(st->by_status) / sizeof(st->by_status[0])),
		  &st->nstatus, err) ||
	    group(s,
		  "SELECT mime, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY mime ORDER BY count(*) DESC, mime",
		  st->by_mime, (int)(sizeof(st->by_mime) / sizeof(st->by_mime[0])), &st->nmimes,
		  err))
		return FOLIO_FAILED;
	return FOLIO_OK;
}
