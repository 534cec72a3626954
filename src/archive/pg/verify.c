/*
 * verify.c - `folio verify` on PostgreSQL: the audit log's hash chain
 * recomputed link by link, every original re-hashed from its chunks (and
 * its size and chunk count checked), no original that no document names,
 * each document's page rows against its page count, the export ledger's
 * kept copies against their checksums and no batch left pending, no
 * journal row stuck in 'received' while no daemon runs. The server's own storage checks
 * (amcheck) are the administrator's. See folio_archive_verify().
 */
#include "pg_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#define PAGE 2000 /* rows read at a time (the LIMIT below) */
#define PAGE_SQL "2000"

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

/* Each event's hash from the one before it and its own columns, as
 * pg_event (and the SQLite backend) compute it. */
static int check_chain(struct folio_store *s, struct vctx *v, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char prev[65] = "0", hash[65];
	long long last = 0;
	PGresult *r;
	int i, n;

	do {
		if (!(r = pg_run(
			      s, err, "cannot read the event log",
			      "SELECT id, at, kind, coalesce(doc_id, 0), sha256, path, detail, hash"
			      " FROM events WHERE id > $1 ORDER BY id LIMIT " PAGE_SQL,
			      "i", last))) {
			folio_strbuf_release(&sb);
			return -1;
		}
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			folio_strbuf_reset(&sb);
			if (folio_strbuf_addf(&sb, "%s\n%s\n%s\n%s\n%s\n%s\n%s", prev,
					      pg_str(r, i, 1), pg_str(r, i, 2), pg_str(r, i, 3),
					      pg_str(r, i, 4), pg_str(r, i, 5), pg_str(r, i, 6))) {
				PQclear(r);
				folio_strbuf_release(&sb);
				folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					      "out of memory");
				return -1;
			}
			folio_sha256_hex(sb.buf, sb.len, hash);
			last = pg_ll(r, i, 0);
			if (strcmp(hash, pg_str(r, i, 7)))
				problem(v,
					"event %lld: its hash does not follow from the events before"
					" it (the audit log was changed)",
					last);
			snprintf(prev, sizeof(prev), "%s", pg_str(r, i, 7));
		}
		PQclear(r);
	} while (n == PAGE);
	folio_strbuf_release(&sb);
	return 0;
}

struct rehash {
	struct folio_sha256 h;
	long long bytes;
};

static int hash_chunk(void *ctx, const void *data, size_t len)
{
	struct rehash *rh = ctx;

	folio_sha256_update(&rh->h, data, len);
	rh->bytes += (long long)len;
	return 0;
}

/* Re-hash one original from its chunks. */
static int check_original(struct folio_store *s, struct vctx *v, long long id, const char *sha,
			  long long size, int batch, struct folio_err *err)
{
	struct rehash rh = { .bytes = 0 };
	long long chunks, got;
	char hex[65];

	chunks = pg_one(s, err, "cannot read an original",
			"SELECT chunks + 1 FROM originals WHERE sha256 = $1", "s", sha);
	if (chunks < 0)
		return -1;
	if (chunks == 0) {
		problem(v,
			batch ? "document %lld: the batch original it was cut from is missing" :
				"document %lld: original missing",
			id);
		return 0;
	}
	chunks--;
	folio_sha256_init(&rh.h);
	if ((got = pg_each_chunk(s, sha, hash_chunk, &rh, err)) < 0)
		return -1;
	folio_sha256_final_hex(&rh.h, hex);
	if (got != chunks)
		problem(v, "document %lld: original has %lld of its %lld chunks", id, got, chunks);
	else if (size >= 0 && rh.bytes != size)
		problem(v, "document %lld: original is %lld bytes, expected %lld", id, rh.bytes,
			size);
	else if (strcmp(hex, sha))
		problem(v,
			batch ? "document %lld: the batch original changed, sha256 is %s" :
				"document %lld: original changed, sha256 is %s",
			id, hex);
	return 0;
}

static int check_originals(struct folio_store *s, struct vctx *v, struct folio_err *err)
{
	long long last = 0;
	PGresult *r;
	int i, n;

	do {
		if (!(r = pg_run(s, err, "cannot list documents",
				 "SELECT id, sha256, size FROM documents WHERE id > $1 ORDER BY id"
				 " LIMIT " PAGE_SQL,
				 "i", last)))
			return -1;
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			last = pg_ll(r, i, 0);
			if (check_original(s, v, last, pg_str(r, i, 1), pg_ll(r, i, 2), 0, err)) {
				PQclear(r);
				return -1;
			}
		}
		PQclear(r);
	} while (n == PAGE);
	if (!(r = pg_run(s, err, "cannot list batch originals",
			 "SELECT min(id), source_sha256 FROM documents WHERE source_sha256 IS NOT"
			 " NULL GROUP BY source_sha256 ORDER BY min(id)",
			 "")))
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		if (check_original(s, v, pg_ll(r, i, 0), pg_str(r, i, 1), -1, 1, err)) {
			PQclear(r);
			return -1;
		}
	PQclear(r);
	return 0;
}

/* each row of `sql` (two columns) one problem: PRE a MID b POST */
static int each_row(struct folio_store *s, struct vctx *v, struct folio_err *err, const char *sql,
		    const char *pre, const char *mid, const char *post)
{
	PGresult *r = pg_run(s, err, "cannot check the archive", sql, "");
	int i;

	if (!r)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		problem(v, "%s%s%s%s%s", pre, pg_str(r, i, 0), mid, pg_str(r, i, 1), post);
	PQclear(r);
	return 0;
}

long long pg_verify(struct folio_store *s, void (*fn)(void *arg, const char *problem), void *arg,
		    int daemon_alive, struct folio_err *err)
{
	struct vctx v = { fn, arg, 0 };

	if (check_chain(s, &v, err) || check_originals(s, &v, err) ||
	    each_row(s, &v, err,
		     "SELECT o.sha256, o.size FROM originals o WHERE NOT EXISTS (SELECT 1 FROM"
		     " documents d WHERE d.sha256 = o.sha256) AND NOT EXISTS (SELECT 1 FROM"
		     " documents d WHERE d.source_sha256 = o.sha256) ORDER BY o.sha256",
		     "orphan original, no document names it: ", " (", " bytes)") ||
	    each_row(s, &v, err,
		     "SELECT d.id, d.pages || ' pages, ' || count(p.number) || ' page rows'"
		     " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id"
		     " GROUP BY d.id HAVING d.pages <> count(p.number) ORDER BY d.id",
		     "document ", ": ", "") ||
	    each_row(s, &v, err,
		     "SELECT f.batch_id, coalesce(NULLIF(f.name, ''), 'output') || ' is missing"
		     " (' || b.out || '): --again cannot re-emit it' FROM export_files f JOIN"
		     " export_batches b ON b.id = f.batch_id WHERE f.data IS NULL"
		     " ORDER BY f.batch_id, f.seq",
		     "export batch ", ": the copy of its file ", "") ||
	    each_row(
		    s, &v, err,
		    "SELECT f.batch_id, coalesce(NULLIF(f.name, ''), 'output') || ' changed, sha256"
		    " is ' || encode(sha256(f.data), 'hex') FROM export_files f WHERE f.data IS"
		    " NOT NULL AND encode(sha256(f.data), 'hex') <> f.sha256"
		    " ORDER BY f.batch_id, f.seq",
		    "export batch ", ": the copy ", "") ||
	    each_row(s, &v, err,
		     "SELECT id, out FROM export_batches WHERE state = 'pending' ORDER BY id",
		     "export batch ", " is pending delivery to ",
		     " (run folio export to complete it)") ||
	    (!daemon_alive &&
	     each_row(s, &v, err,
		      "SELECT id, path FROM journal WHERE state = 'received' ORDER BY id",
		      "journal entry ",
		      " stuck in 'received': ", " (restart folio watch to finish it)")))
		return -1;
	return v.n;
}
