/*
 * fts.c - the "folio" FTS5 tokenizer: unicode61 after a same-length fold.
 *
 * unicode61 with remove_diacritics 2 folds "ó" to "o" but leaves "ł", "ø"
 * and "đ" alone, since Unicode gives them no decomposition: "lodz" would
 * not find "Łódź". We replace each such letter by a two-byte letter that
 * unicode61 does fold to the wanted base (ł U+0142 -> ĺ U+013A), so byte
 * offsets stay the same and snippets still show the original text.
 */
#include "archive_private.h"

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
	return fts->xCreateTokenizer(fts, "folio", api,
				     &(fts5_tokenizer){ fold_create, fold_delete, fold_tokenize },
				     free);
}
