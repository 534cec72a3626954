/*
 * retention.c - which documents a retention rule applies to and whether
 * their period is over (folio retention, folio delete). Each rule is a
 * search (type:, tag:, vendor:, as folio search has them), the first
 * rule naming a document deciding; the period counts whole years from
 * the end of the year of the document's date (the invoice date, else the
 * day added), as the countries' bookkeeping rules do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/pipeline.h"
#include "folio/util.h"

struct collect {
	struct folio_retention *r;
	const char *rule, *today;
	int years;
	int nomem;
};

static struct folio_retention_item *find(const struct folio_retention *r, long long id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->it[i].id == id)
			return &r->it[i];
	return NULL;
}

const struct folio_retention_item *folio_retention_find(const struct folio_retention *r,
							long long id)
{
	return find(r, id);
}

static int on_hit(void *ctx, const struct folio_hit *hit)
{
	struct collect *c = ctx;
	struct folio_retention *r = c->r;
	struct folio_retention_item *it;
	int year;

	if (find(r, hit->id))
		return 0; /* an earlier rule decided */
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct folio_retention_item *p = realloc(r->it, cap * sizeof(*p));

		if (!p) {
			c->nomem = 1;
			return 1;
		}
		r->it = p;
		r->cap = cap;
	}
	it = &r->it[r->n++];
	memset(it, 0, sizeof(*it));
	it->id = hit->id;
	snprintf(it->doc_type, sizeof(it->doc_type), "%s", hit->doc_type ? hit->doc_type : "");
	snprintf(it->date, sizeof(it->date), "%.10s", hit->date ? hit->date : "");
	snprintf(it->rule, sizeof(it->rule), "%s", c->rule);
	it->years = c->years;
	year = atoi(it->date);
	if (year < 1 || year > 9000) /* no date: never expired */
		snprintf(it->until, sizeof(it->until), "9999-12-31");
	else
		snprintf(it->until, sizeof(it->until), "%04d-01-01", (year + c->years + 1) % 10000);
	it->expired = strcmp(c->today, it->until) >= 0;
	return 0;
}

static int by_query(struct folio_archive *arc, struct collect *c, const char *query,
		    struct folio_err *err)
{
	struct folio_search_opts o = { .query = query,
				       .limit = 100000000,
				       .sort = FOLIO_SORT_DATE };

	if (folio_archive_search(arc, &o, on_hit, c, err) != FOLIO_OK)
		return FOLIO_FAILED;
	if (c->nomem)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

static int cmp_id(const void *a, const void *b)
{
	const struct folio_retention_item *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int folio_retention_plan(struct folio_archive *arc, const struct folio_config *cfg,
			 const char *today, struct folio_retention *r, struct folio_err *err)
{
	static const char *const taxed[] = { "invoice", "credit_note", "receipt", NULL };
	struct folio_retention_rule rule;
	struct collect c = { .r = r, .today = today };
	const char *p = cfg->retention ? cfg->retention : "";
	char q[200], name[160];
	int got, years, i;

	memset(r, 0, sizeof(*r));
	while ((got = folio_config_retention_next(&p, &rule, err)) > 0) {
		/* a name with blanks is one phrase */
		if (strchr(rule.value, ' '))
			snprintf(q, sizeof(q), "%s:\"%s\"", rule.kind, rule.value);
		else
			snprintf(q, sizeof(q), "%s:%s", rule.kind, rule.value);
		snprintf(name, sizeof(name), "%s:%s=%d", rule.kind, rule.value, rule.years);
		c.rule = name;
		c.years = rule.years;
		if (by_query(arc, &c, q, err) != FOLIO_OK)
			goto fail;
	}
	if (got < 0)
		goto fail;
	years = folio_config_retention_country(cfg->retention_country);
	if (years > 0) {
		snprintf(name, sizeof(name), "country %s=%d", cfg->retention_country, years);
		c.rule = name;
		c.years = years;
		for (i = 0; taxed[i]; i++) {
			snprintf(q, sizeof(q), "type:%s", taxed[i]);
			if (by_query(arc, &c, q, err) != FOLIO_OK)
				goto fail;
		}
	}
	folio_sort(r->it, r->n, sizeof(*r->it), cmp_id);
	return FOLIO_OK;
fail:
	folio_retention_release(r);
	return FOLIO_FAILED;
}

void folio_retention_release(struct folio_retention *r)
{
	free(r->it);
	memset(r, 0, sizeof(*r));
}
