/* cands.c - the candidate list every extractor appends to. */
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"

int folio_cands_add(struct folio_cands *c, const char *name, const char *value, const char *raw,
		    float conf, enum folio_source src, int page, const int bbox[4])
{
	struct folio_cand *k;

	if (c->n == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 16;
		struct folio_cand *nv = realloc(c->v, na * sizeof(*nv));

		if (!nv)
			return -1;
		c->v = nv;
		c->alloc = na;
	}
	k = &c->v[c->n];
	memset(k, 0, sizeof(*k));
	k->name = strdup(name);
	k->value = strdup(value);
	k->raw = raw ? strdup(raw) : NULL;
	if (!k->name || !k->value || (raw && !k->raw)) {
		free(k->name);
		free(k->value);
		free(k->raw);
		return -1;
	}
	k->conf = conf;
	k->src = src;
	k->page = page;
	if (bbox)
		memcpy(k->bbox, bbox, sizeof(k->bbox));
	c->n++;
	return 0;
}

void folio_cands_free(struct folio_cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
		free(c->v[i].raw);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
}

const struct folio_cand *folio_cands_find(const struct folio_cands *c, const char *name,
					  enum folio_source src)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name) && (src == FOLIO_SRC_NONE || c->v[i].src == src))
			return &c->v[i];
	return NULL;
}
