/* cmd_review.c - folio review [--json] [--limit N]: what needs a person. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/util.h"
#include "folio/strbuf.h"

struct review_out {
	int json;
	long long n;
};

static int print_item(void *ctx, const struct folio_review_item *it)
{
	struct review_out *o = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (o->json) {
		struct folio_json j;
		const char *p = it->review;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "id", it->id);
		folio_json_path(&j, "path", it->path);
		folio_json_str(&j, "doc_type", it->doc_type);
		folio_json_str(&j, "added_at", it->added_at);
		folio_json_open(&j, "reasons", '[');
		while (p && *p) {
			const char *e = strstr(p, "; ");
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char *one = strndup(p, n);

			if (one)
				folio_json_str(&j, NULL, one);
			free(one);
			p += n;
			if (e)
				p += 2;
		}
		folio_json_close(&j, ']');
		if (it->dup_of)
			folio_json_int(&j, "possible_duplicate_of", it->dup_of);
		else
			folio_json_null(&j, "possible_duplicate_of");
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
	} else {
		folio_strbuf_addf(&sb, "%-6lld %-13s ", it->id, it->doc_type);
		folio_strbuf_add_quoted(&sb, it->path);
		folio_strbuf_addch(&sb, '\n');
		if (it->review)
			folio_strbuf_addf(&sb, "       %s\n", it->review);
		if (it->dup_of)
			folio_strbuf_addf(&sb, "       possible duplicate of document %lld\n",
					  it->dup_of);
	}
	if (sb.buf)
		fputs(sb.buf, stdout);
	folio_strbuf_release(&sb);
	o->n++;
	return 0;
}

int cmd_review(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "limit=", NULL };
	const struct command *c = cli_command("review");
	const char *vals[2] = { 0 };
	struct folio_err err = { 0 };
	struct review_out o = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, limit = 0;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "review: unexpected argument '%s'", argv[first]);
	if (vals[1]) {
		char *end;
		long v = strtol(vals[1], &end, 10);

		if (*end || v < 1 || v > 1000000000)
			return cli_error(EXIT_USAGE, "review: --limit wants a positive number");
		limit = (int)v;
	}
	o.json = vals[0] != NULL;
	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if (folio_archive_review(arc, limit, print_item, &o, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (!o.json && !o.n && isatty(1))
		printf("nothing to review\n");
	folio_archive_close(arc);
	return ret;
}
