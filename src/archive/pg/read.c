/*
 * read.c - the PostgreSQL backend loads a stored document back (pg_get)
 * and hands out its original as a file (pg_blob_path). See
 * include/folio/archive.h.
 */
#include "pg_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* 'x y w h conf line text' lines, as db.c wrote them */
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

static int nomem(struct folio_err *err)
{
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

static int load_document(struct folio_store *s, long long id, struct folio_doc **out,
			 struct folio_err *err)
{
	PGresult *r = pg_run(s, err, "cannot read the document",
			     "SELECT sha256, path, title, mime, size, doc_type, type_conf,"
			     " type_reason, status, text, added_at, coalesce(dup_of, 0),"
			     " review, notes, source_sha256 FROM documents WHERE id = $1",
			     "i", id);
	struct folio_doc *doc;
	int ret = FOLIO_OK;

	if (!r)
		return FOLIO_FAILED;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	}
	if (!(doc = folio_doc_new(pg_str(r, 0, 1), NULL, 0))) {
		PQclear(r);
		return nomem(err);
	}
	doc->id = id;
	snprintf(doc->sha256, sizeof(doc->sha256), "%s", pg_str(r, 0, 0));
	doc->size = (size_t)pg_ll(r, 0, 4);
	doc->type_conf = (float)pg_dbl(r, 0, 6);
	doc->dup_of = pg_ll(r, 0, 11);
	if (folio_doc_set_str(&doc->title, pg_str(r, 0, 2)) ||
	    folio_doc_set_str(&doc->mime, pg_str(r, 0, 3)) ||
	    folio_doc_set_str(&doc->doc_type, pg_str(r, 0, 5)) ||
	    folio_doc_set_str(&doc->type_reason, pg_str(r, 0, 7)) ||
	    folio_doc_set_str(&doc->status, pg_str(r, 0, 8)) ||
	    folio_strbuf_adds(&doc->text, pg_str(r, 0, 9)) ||
	    folio_doc_set_str(&doc->added_at, pg_str(r, 0, 10)) ||
	    (!pg_null(r, 0, 12) && folio_doc_set_str(&doc->review, pg_str(r, 0, 12))) ||
	    (!pg_null(r, 0, 13) && folio_doc_set_str(&doc->notes, pg_str(r, 0, 13)))) {
		ret = nomem(err);
		folio_doc_free(doc);
		doc = NULL;
	} else {
		doc->needs_review = !strcmp(doc->status, "needs_review");
		if (!pg_null(r, 0, 14))
			snprintf(doc->source_sha256, sizeof(doc->source_sha256), "%s",
				 pg_str(r, 0, 14));
	}
	PQclear(r);
	*out = doc;
	return ret;
}

static int load_pages(struct folio_store *s, struct folio_doc *doc, struct folio_err *err)
{
	PGresult *r = pg_run(s, err, "cannot read the document",
			     "SELECT number, width, height, dpi, source, conf, rotation, skew,"
			     " blank, text, words FROM pages WHERE doc_id = $1 ORDER BY number",
			     "i", doc->id);
	int i, ret = FOLIO_OK;

	if (!r)
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && ret == FOLIO_OK; i++) {
		struct folio_page *pg = folio_doc_add_page(doc);

		if (!pg) {
			ret = nomem(err);
			break;
		}
		pg->number = (int)pg_ll(r, i, 0);
		pg->width = (int)pg_ll(r, i, 1);
		pg->height = (int)pg_ll(r, i, 2);
		pg->dpi = (int)pg_ll(r, i, 3);
		pg->source = source_from(pg_str(r, i, 4));
		pg->conf = (float)pg_dbl(r, i, 5);
		pg->rotation = (int)pg_ll(r, i, 6);
		pg->skew = (float)pg_dbl(r, i, 7);
		pg->blank = (int)pg_ll(r, i, 8);
		if (folio_page_set_text(pg, pg_str(r, i, 9)) || load_words(pg, pg_str(r, i, 10)) ||
		    (!pg->nwords && pg->source == FOLIO_SRC_TEXT && folio_page_words_from_text(pg)))
			ret = nomem(err);
	}
	PQclear(r);
	return ret;
}

static int load_rest(struct folio_store *s, struct folio_doc *doc, struct folio_err *err)
{
	PGresult *r;
	int i, ret = FOLIO_OK;

	if (!(r = pg_run(s, err, "cannot read the document",
			 "SELECT name, value, raw, confidence, source, page, x, y, w, h"
			 " FROM fields WHERE doc_id = $1 ORDER BY name",
			 "i", doc->id)))
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && ret == FOLIO_OK; i++) {
		int bbox[4] = { (int)pg_ll(r, i, 6), (int)pg_ll(r, i, 7), (int)pg_ll(r, i, 8),
				(int)pg_ll(r, i, 9) };

		if (folio_doc_set_field(doc, pg_str(r, i, 0), pg_str(r, i, 1),
					pg_null(r, i, 2) ? NULL : pg_str(r, i, 2),
					(float)pg_dbl(r, i, 3), source_from(pg_str(r, i, 4)),
					(int)pg_ll(r, i, 5), bbox))
			ret = nomem(err);
	}
	PQclear(r);
	if (ret != FOLIO_OK)
		return ret;
	if (!(r = pg_run(s, err, "cannot read the document",
			 "SELECT page, type, data, x, y, w, h FROM codes WHERE doc_id = $1"
			 " ORDER BY page, seq",
			 "i", doc->id)))
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && ret == FOLIO_OK; i++) {
		long long pno = pg_ll(r, i, 0);

		/* a code naming a page the document does not have is dropped */
		if (pno < 1 || (size_t)pno > doc->npages)
			continue;
		if (folio_page_add_code(&doc->pages[pno - 1], pg_str(r, i, 1), pg_str(r, i, 2),
					(int)pg_ll(r, i, 3), (int)pg_ll(r, i, 4),
					(int)pg_ll(r, i, 5), (int)pg_ll(r, i, 6)))
			ret = nomem(err);
	}
	PQclear(r);
	if (ret != FOLIO_OK)
		return ret;
	if (!(r = pg_run(s, err, "cannot read the document",
			 "SELECT tag FROM tags WHERE doc_id = $1 ORDER BY tag", "i", doc->id)))
		return FOLIO_FAILED;
	for (i = 0; i < PQntuples(r) && ret == FOLIO_OK; i++)
		if (folio_doc_add_tag(doc, pg_str(r, i, 0)))
			ret = nomem(err);
	PQclear(r);
	return ret;
}

int pg_get(struct folio_store *s, long long id, struct folio_doc **out, struct folio_err *err)
{
	struct folio_doc *doc = NULL;
	int ret;

	*out = NULL;
	if ((ret = load_document(s, id, &doc, err)) != FOLIO_OK)
		return ret;
	if ((ret = load_pages(s, doc, err)) != FOLIO_OK ||
	    (ret = load_rest(s, doc, err)) != FOLIO_OK) {
		folio_doc_free(doc);
		return ret;
	}
	*out = doc;
	return FOLIO_OK;
}

/* ---- the original as a file ------------------------------------------------ */

/*
 * The interface hands out an original as a path (folio cat reads it,
 * folio open gives it to a viewer that outlives folio), so the original
 * is written, from its chunks, to the user's cache:
 * $XDG_CACHE_HOME/folio/originals/<sha256> (~/.cache/...), folder 0700,
 * file 0400, by temp file and rename, and only when its bytes hash to
 * their name. A copy already there is used when it still does.
 */
static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char buf[4096];

	if (xdg && *xdg == '/')
		snprintf(buf, sizeof(buf), "%s/folio/originals", xdg);
	else if (home && *home == '/')
		snprintf(buf, sizeof(buf), "%s/.cache/folio/originals", home);
	else
		return NULL;
	return strdup(buf);
}

/* the file at `path` hashes to `sha256` (read 64 KiB at a time) */
static int cached(const char *path, const char *sha256)
{
	struct folio_sha256 h;
	char buf[1 << 16], hex[65];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	folio_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return 0;
		}
		folio_sha256_update(&h, buf, (size_t)n);
	}
	close(fd);
	folio_sha256_final_hex(&h, hex);
	return !strcmp(hex, sha256);
}

struct sink {
	int fd, failed;
	struct folio_sha256 h;
};

static int write_chunk(void *ctx, const void *data, size_t len)
{
	struct sink *k = ctx;
	const char *p = data;

	folio_sha256_update(&k->h, data, len);
	while (len) {
		ssize_t w = write(k->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			k->failed = 1;
			return 1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

char *pg_blob_path(const struct folio_store *s, const char *sha256)
{
	char *dir = cache_dir(), *path = NULL, tmp[4200] = "", hex[65];
	struct sink k = { .fd = -1, .failed = 0 };
	int ok = 0;

	if (!dir || strlen(sha256) != 64 || strchr(sha256, '/') ||
	    folio_mkdirs(dir, 0700, NULL) != FOLIO_OK || !(path = folio_path_join(dir, sha256)))
		goto out;
	if (cached(path, sha256)) {
		ok = 1;
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((k.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto out;
	folio_sha256_init(&k.h);
	/* the handle is const for the interface's sake: reading changes no
	 * state of it but the connection's */
	if (pg_each_chunk((struct folio_store *)s, sha256, write_chunk, &k, NULL) < 1 || k.failed)
		goto out;
	folio_sha256_final_hex(&k.h, hex);
	if (close(k.fd)) {
		k.fd = -1;
		goto out;
	}
	k.fd = -1;
	ok = !strcmp(hex, sha256) && !chmod(tmp, 0400) && !rename(tmp, path);
out:
	if (k.fd >= 0)
		close(k.fd);
	if (!ok && *tmp)
		unlink(tmp);
	free(dir);
	if (!ok) {
		free(path);
		return NULL;
	}
	return path;
}
