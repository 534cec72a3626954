/* cmd_templates.c - folio templates: the vendor templates learnt from
 * corrections, as TSV (the format of MODELS/vendor-templates.tsv). */
#include "cli.h"
#include "folio/extract.h"

static int print_template(void *ctx, const struct folio_template *t)
{
	(void)ctx;
	printf("%s\t%s\t%d\t%.5f\t%.5f\t%.5f\t%.5f\t%d\n", t->seller_tax_id, t->field, t->page,
	       (double)t->x, (double)t->y, (double)t->w, (double)t->h, t->hits);
	return 0;
}

int cmd_templates(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const struct command *c = cli_command("templates");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "templates: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	printf("# seller_tax_id\tfield\tpage\tx\ty\tw\th\thits\n");
	if (folio_archive_templates(arc, print_template, NULL, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	folio_archive_close(arc);
	return ret;
}
