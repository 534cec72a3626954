/* cmd_vendors.c - folio vendors [--json] [--limit N]: the correspondents. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/util.h"
#include "folio/strbuf.h"

struct vendors_out {
	int json;
	long long n;
};

static void json_vendor(struct folio_strbuf *sb, const struct folio_vendor *v)
{
	struct folio_json j;
	size_t i;

	folio_json_init(&j, sb);
	folio_json_open(&j, NULL, '{');
	folio_json_int(&j, "id", v->id);
	folio_json_str(&j, "tax_id", v->tax_id);
	folio_json_str(&j, "name", v->name);
	folio_json_int(&j, "documents", v->documents);
	folio_json_str(&j, "first_seen", v->first_seen);
	folio_json_str(&j, "last_seen", v->last_seen);
	folio_json_open(&j, "names", '[');
	for (i = 0; i < v->nnames; i++) {
		folio_json_open(&j, NULL, '{');
		folio_json_str(&j, "name", v->names[i].value);
		folio_json_int(&j, "count", v->names[i].count);
		folio_json_close(&j, '}');
	}
	folio_json_close(&j, ']');
	folio_json_open(&j, "ibans", '[');
	for (i = 0; i < v->nibans; i++)
		folio_json_str(&j, NULL, v->ibans[i].value);
	folio_json_close(&j, ']');
	folio_json_close(&j, '}');
	folio_strbuf_addch(sb, '\n');
}

static int print_vendor(void *ctx, const struct folio_vendor *v)
{
	struct vendors_out *o = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	size_t i;

	if (o->json) {
		json_vendor(&sb, v);
	} else {
		/* tax ID, documents, last seen (the day), name; then what else was seen */
		folio_strbuf_addf(&sb, "%-16s %5lld  %.10s  %s\n", v->tax_id ? v->tax_id : "-",
				  v->documents, v->last_seen, v->name ? v->name : "-");
		for (i = 0; i < v->nibans; i++)
			folio_strbuf_addf(&sb, "%36sIBAN %s\n", "", v->ibans[i].value);
		for (i = 0; i < v->nnames; i++)
			if (!v->name || strcmp(v->names[i].value, v->name))
				folio_strbuf_addf(&sb, "%36salso \"%s\" (%lld)\n", "",
						  v->names[i].value, v->names[i].count);
	}
	if (sb.buf)
		fputs(sb.buf, stdout);
	folio_strbuf_release(&sb);
	o->n++;
	return 0;
}

int cmd_vendors(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "limit=", NULL };
	const struct command *c = cli_command("vendors");
	const char *vals[2] = { 0 };
	struct folio_err err = { 0 };
	struct vendors_out o = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, limit = 0;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "vendors: unexpected argument '%s'", argv[first]);
	if (vals[1]) {
		char *end;
		long v = strtol(vals[1], &end, 10);

		if (!*vals[1] || *end || v < 1 || v > 1000000000)
			return cli_error(EXIT_USAGE, "vendors: --limit wants a positive number");
		limit = (int)v;
	}
	o.json = vals[0] != NULL;
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_vendors(arc, limit, print_vendor, &o, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (!o.json && !o.n && isatty(1))
		printf("no vendors yet\n");
	folio_archive_close(arc);
	return ret;
}
