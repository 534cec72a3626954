/* cmd_templates.c - folio templates: the vendor templates learnt from
 * corrections, as TSV (the format of MODELS/vendor-templates.tsv). */
#include "cli.h"
#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static int print_template(void *ctx, const struct folio_template *t)
{
	if (*(const int *)ctx) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_str(&j, "seller_tax_id", t->seller_tax_id);
		folio_json_str(&j, "field", t->field);
		folio_json_int(&j, "page", t->page);
		folio_json_real(&j, "x", (double)t->x, 5);
		folio_json_real(&j, "y", (double)t->y, 5);
		folio_json_real(&j, "w", (double)t->w, 5);
		folio_json_real(&j, "h", (double)t->h, 5);
		folio_json_int(&j, "hits", t->hits);
		cli_json_end(&j, &sb);
		return 0;
	}
	printf("%s\t%s\t%d\t%.5f\t%.5f\t%.5f\t%.5f\t%d\n", t->seller_tax_id, t->field, t->page,
	       (double)t->x, (double)t->y, (double)t->w, (double)t->h, t->hits);
	return 0;
}

int cmd_templates(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("templates");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, json;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "templates: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	json = vals[0] != NULL;
	if (!json)
		printf("# seller_tax_id\tfield\tpage\tx\ty\tw\th\thits\n");
	if (folio_archive_templates(arc, print_template, &json, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	folio_archive_close(arc);
	return ret;
}
