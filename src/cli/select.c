/* select.c - the documents a records command acts on: ids, or a query. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "folio/strbuf.h"

static int digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int add_id(struct cli_ids *l, long long id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->id[i] == id)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		long long *p = realloc(l->id, cap * sizeof(*p));

		if (!p)
			return -1;
		l->id = p;
		l->cap = cap;
	}
	l->id[l->n++] = id;
	return 0;
}

static int on_hit(void *ctx, const struct folio_hit *hit)
{
	struct cli_ids *l = ctx;

	if (add_id(l, hit->id)) {
		l->nomem = 1;
		return 1;
	}
	return 0;
}

int cli_select(struct folio_archive *arc, const struct command *c, int argc, char **argv,
	       struct cli_ids *l)
{
	struct folio_strbuf q = FOLIO_STRBUF_INIT;
	struct folio_search_opts o = { .limit = 1000000, .sort = FOLIO_SORT_DATE };
	struct folio_err err = { 0 };
	int i, all_ids = argc > 0, ret = EXIT_OK;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < argc; i++)
		all_ids &= digits(argv[i]);
	if (all_ids) {
		for (i = 0; i < argc; i++) {
			long long id = cli_doc_id(c, argv[i]);

			if (!id)
				return EXIT_USAGE;
			if (add_id(l, id))
				return cli_error(EXIT_FAIL, "out of memory");
		}
		return EXIT_OK;
	}
	for (i = 0; i < argc; i++) {
		if (i)
			folio_strbuf_addch(&q, ' ');
		folio_strbuf_adds(&q, argv[i]);
	}
	if (!q.buf)
		return cli_error(EXIT_FAIL, "out of memory");
	l->query = 1;
	o.query = q.buf;
	/* dates first, the newest first: the order search lists them in */
	if (folio_archive_search(arc, &o, on_hit, l, &err) != FOLIO_OK)
		ret = err.kind == FOLIO_E_USAGE ?
			      cli_error(EXIT_USAGE, "%s: %s", c->name, err.msg) :
			      cli_fail(&err);
	else if (l->nomem)
		ret = cli_error(EXIT_FAIL, "out of memory");
	else if (!l->n)
		ret = cli_error(EXIT_FAIL, "%s: no document matches '%s'", c->name, q.buf);
	folio_strbuf_release(&q);
	return ret;
}

void cli_ids_release(struct cli_ids *l)
{
	free(l->id);
	memset(l, 0, sizeof(*l));
}
