/*
 * fts.c - the "folio" FTS5 tokenizer: unicode61 after a same-length fold.
 *
 * unicode61 with remove_diacritics 2 folds "ó" to "o" but leaves "ł", "ø"
 * and "đ" alone, since Unicode gives them no decomposition: "lodz" would
 * not find "Łódź". We replace each such letter by a two-byte letter that
 * unicode61 does fold to the wanted base (ł U+0142 -> ĺ U+013A), so byte
 * offsets stay the same and snippets still show the original text.
 *
 * And the "folio_rank" ranking function: FTS5's bm25() to the last bit,
 * with the per-query part (each phrase's idf, which bm25() finds by
 * reading every match of the phrase again) kept on the connection for a
 * caller-chosen key, so that the statements of one search - the list of
 * hits, then each shown hit's row - compute it once, not once per hit.
 */
#include "sqlite_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fold_tok {
	fts5_tokenizer base;
	Fts5Tokenizer *inner;
};

struct fold_api {
	fts5_tokenizer base;
	void *base_ctx;
};

/* clang-format off */
static const struct {
	unsigned char from[2], to[2];
} fold_map[] = {
	{ { 0xc5, 0x82 }, { 0xc4, 0xba } }, /* ł -> ĺ */
	{ { 0xc5, 0x81 }, { 0xc4, 0xb9 } }, /* Ł -> Ĺ */
	{ { 0xc4, 0x91 }, { 0xc4, 0x8f } }, /* đ -> ď */
	{ { 0xc4, 0x90 }, { 0xc4, 0x8e } }, /* Đ -> Ď */
	{ { 0xc3, 0xb8 }, { 0xc3, 0xb3 } }, /* ø -> ó */
	{ { 0xc3, 0x98 }, { 0xc3, 0x93 } }, /* Ø -> Ó */
	{ { 0xc4, 0xa7 }, { 0xc4, 0xa5 } }, /* ħ -> ĥ */
	{ { 0xc4, 0xa6 }, { 0xc4, 0xa4 } }, /* Ħ -> Ĥ */
	{ { 0xc4, 0xb1 }, { 0xc3, 0xad } }, /* ı -> í */
};
/* clang-format on */

static int fold_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	struct fold_api *api = ctx;
	struct fold_tok *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return SQLITE_NOMEM;
	t->base = api->base;
	rc = api->base.xCreate(api->base_ctx, argv, argc, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fold_delete(Fts5Tokenizer *p)
{
	struct fold_tok *t = (struct fold_tok *)p;

	if (!t)
		return;
	t->base.xDelete(t->inner);
	free(t);
}

typedef int (*token_fn)(void *, int, const char *, int, int, int);

static int fold_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
			 token_fn xtoken)
{
	struct fold_tok *t = (struct fold_tok *)p;
	char stackbuf[512], *buf = stackbuf;
	int i, rc, changed = 0;
	size_t k;

	for (i = 0; i + 1 < n; i++)
		if ((unsigned char)text[i] >= 0xc3 && (unsigned char)text[i] <= 0xc5)
			break;
	if (i + 1 >= n) /* nothing to fold: the common case for ASCII text */
		return t->base.xTokenize(t->inner, ctx, flags, text, n, xtoken);
	if (n > (int)sizeof(stackbuf) && !(buf = malloc((size_t)n)))
		return SQLITE_NOMEM;
	memcpy(buf, text, (size_t)n);
	for (; i + 1 < n; i++) {
		for (k = 0; k < sizeof(fold_map) / sizeof(fold_map[0]); k++) {
			if ((unsigned char)buf[i] == fold_map[k].from[0] &&
			    (unsigned char)buf[i + 1] == fold_map[k].from[1]) {
				buf[i] = (char)fold_map[k].to[0];
				buf[i + 1] = (char)fold_map[k].to[1];
				changed = 1;
				i++;
				break;
			}
		}
	}
	rc = t->base.xTokenize(t->inner, ctx, flags, changed ? buf : text, n, xtoken);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

/* What folio_rank computes once per key: FTS5's Fts5Bm25Data. */
#define RANK_MAX_PHRASES 64
/* From this many matches on, the documents' lengths are read from memory:
 * bm25() looks each one up in doc_fts_docsize (a statement per row, most
 * of the cost of ranking a common word). Reading them all costs about
 * what looking up a tenth to a twentieth of them one by one does (0.12 us
 * a row read in order; 0.75 to 3 us a lookup, warm or cold): they are read
 * for a query that matches a sixteenth of the archive, and kept for the
 * next queries until the database changes. */
#define SIZES_MIN 2000
#define SIZES_SHARE 16

struct rank_data {
	sqlite3_int64 key; /* 0: none */
	int nphrase;
	double avgdl;
	double idf[RANK_MAX_PHRASES];
	sqlite3_int64 est;  /* matches of the rarest phrase */
	sqlite3_int64 nrow; /* rows in the table */
	int sizes;	    /* lengths from rank_conn.sizes */
};

/* folio_rank's state on a connection. */
struct rank_conn {
	struct rank_data last; /* of the last key */
	int *sizes;	       /* tokens per rowid (all columns), -1: none */
	sqlite3_int64 nsizes;
	unsigned version; /* the database's data version they were read at */
};

static void rank_conn_free(void *arg)
{
	struct rank_conn *c = arg;

	if (c)
		free(c->sizes);
	free(c);
}

/* An SQLite varint (FTS5 writes the column sizes so). */
static int get_varint(const unsigned char *p, int n, sqlite3_int64 *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n && i < 9; i++) {
		if (i == 8) {
			*v = (*v << 8) | p[i];
			return i + 1;
		}
		*v = (*v << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/*
 * Every document's length in tokens, as doc_fts_docsize holds it, in
 * c->sizes; read again when the database changed since (its data version,
 * which any connection's write moves), or when `read` is 0 only checked.
 * While a statement runs, the connection's snapshot and so the array stay
 * the same. 0, or -1 when the ids are too sparse for an array or on an
 * error (bm25's way then).
 */
static int sizes_load(struct rank_conn *c, sqlite3 *db, int read)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 maxid = 0, n = 0, id, v;
	unsigned version = 0;
	int *sizes;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK)
		return -1;
	if (c->sizes && c->version == version)
		return 0;
	if (!read)
		return -1;
	free(c->sizes);
	c->sizes = NULL;
	if (sqlite3_prepare_v2(db, "SELECT max(id), count(*) FROM doc_fts_docsize", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		maxid = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (maxid < 0 || maxid > 4 * n + 100000 || maxid >= 0x7fffffff)
		return -1;
	if (!(sizes = malloc((size_t)(maxid + 1) * sizeof(*sizes))))
		return -1;
	memset(sizes, 0xff, (size_t)(maxid + 1) * sizeof(*sizes));
	if (sqlite3_prepare_v2(db, "SELECT id, sz FROM doc_fts_docsize", -1, &st, NULL) !=
	    SQLITE_OK) {
		free(sizes);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *sz = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1), off = 0, k;
		sqlite3_int64 total = 0;

		id = sqlite3_column_int64(st, 0);
		while (sz && off < len && (k = get_varint(sz + off, len - off, &v)) > 0) {
			total += v;
			off += k;
		}
		if (id >= 0 && id <= maxid && total <= 0x7fffffff)
			sizes[id] = (int)total;
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		free(sizes);
		return -1;
	}
	c->sizes = sizes;
	c->nsizes = maxid + 1;
	c->version = version;
	return 0;
}

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	(void)api;
	(void)fts;
	(*(sqlite3_int64 *)arg)++;
	return SQLITE_OK;
}

/* bm25()'s per-query data, from the connection's cache when `key` is the
 * one it was computed for, else computed (each phrase's matches counted). */
static int rank_data(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		     struct rank_conn *conn, sqlite3_int64 key, struct rank_data **out)
{
	struct rank_data *p = api->xGetAuxdata(fts, 0);
	sqlite3_int64 nrow = 0, ntok = 0;
	int i, rc = SQLITE_OK;

	if (p) {
		*out = p;
		return SQLITE_OK;
	}
	if (!(p = sqlite3_malloc(sizeof(*p))))
		return SQLITE_NOMEM;
	p->nphrase = api->xPhraseCount(fts);
	if (key && conn->last.key == key && conn->last.nphrase == p->nphrase) {
		*p = conn->last;
	} else if (p->nphrase > RANK_MAX_PHRASES) {
		rc = SQLITE_ERROR;
	} else {
		p->key = key;
		p->est = -1;
		rc = api->xRowCount(fts, &nrow);
		p->nrow = nrow;
		if (rc == SQLITE_OK)
			rc = api->xColumnTotalSize(fts, -1, &ntok);
		if (rc == SQLITE_OK)
			p->avgdl = (double)ntok / (double)(nrow ? nrow : 1);
		for (i = 0; rc == SQLITE_OK && i < p->nphrase; i++) {
			sqlite3_int64 nhit = 0;

			rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
			if (rc == SQLITE_OK) {
				/* as bm25(): a phrase in more than half the rows
				 * would weigh less than nothing */
				p->idf[i] = log(((double)nrow - (double)nhit + 0.5) /
						((double)nhit + 0.5));
				if (p->idf[i] <= 0.0)
					p->idf[i] = 1e-6;
				if (p->est < 0 || nhit < p->est)
					p->est = nhit;
			}
		}
		if (rc == SQLITE_OK && key)
			conn->last = *p;
	}
	if (rc == SQLITE_OK)
		p->sizes = p->est >= SIZES_MIN && !sizes_load(conn, sqlite3_context_db_handle(ctx),
							      p->est * SIZES_SHARE >= p->nrow);
	if (rc == SQLITE_OK)
		rc = api->xSetAuxdata(fts, p, sqlite3_free);
	else
		sqlite3_free(p);
	*out = rc == SQLITE_OK ? p : NULL;
	return rc;
}

/*
 * folio_rank(doc_fts, key, w1, w2, ...): bm25(doc_fts, w1, w2, ...), the
 * same value. key 0 keeps nothing on the connection.
 */
static void folio_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		       int nval, sqlite3_value **val)
{
	const double k1 = 1.2, b = 0.75;
	struct rank_conn *conn = api->xUserData(fts);
	double freq[RANK_MAX_PHRASES] = { 0 }, score = 0.0, len;
	struct rank_data *p = NULL;
	sqlite3_int64 rowid;
	int rc, i, ninst = 0, ntok = -1;

	rc = rank_data(api, fts, ctx, conn, nval ? sqlite3_value_int64(val[0]) : 0, &p);
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &ninst);
	for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ip, ic, io;

		rc = api->xInst(fts, i, &ip, &ic, &io);
		if (rc == SQLITE_OK && ip < p->nphrase)
			freq[ip] += nval > ic + 1 ? sqlite3_value_double(val[ic + 1]) : 1.0;
	}
	if (rc == SQLITE_OK && p->sizes && conn->sizes) {
		rowid = api->xRowid(fts);
		if (rowid >= 0 && rowid < conn->nsizes)
			ntok = conn->sizes[rowid];
	}
	if (rc == SQLITE_OK && ntok < 0)
		rc = api->xColumnSize(fts, -1, &ntok);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	len = (double)ntok;
	for (i = 0; i < p->nphrase; i++)
		score += p->idf[i] *
			 ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * len / p->avgdl)));
	sqlite3_result_double(ctx, -1.0 * score);
}

static fts5_api *get_fts5(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int folio_fts_register(sqlite3 *db)
{
	fts5_api *fts = get_fts5(db);
	struct fold_api *api;
	struct rank_conn *rank;
	void *base_ctx = NULL;
	fts5_tokenizer base;

	if (!fts || fts->iVersion < 2)
		return SQLITE_ERROR;
	if (fts->xFindTokenizer(fts, "unicode61", &base_ctx, &base) != SQLITE_OK)
		return SQLITE_ERROR;
	if (!(api = calloc(1, sizeof(*api))))
		return SQLITE_NOMEM;
	api->base = base;
	api->base_ctx = base_ctx;
	if (fts->xCreateTokenizer(fts, "folio", api,
				  &(fts5_tokenizer){ fold_create, fold_delete, fold_tokenize },
				  free) != SQLITE_OK)
		return SQLITE_ERROR;
	if (!(rank = calloc(1, sizeof(*rank))))
		return SQLITE_NOMEM;
	return fts->xCreateFunction(fts, "folio_rank", rank, folio_rank, rank_conn_free);
}
