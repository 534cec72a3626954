/* cmd_retype.c - folio retype ID TYPE: correct a document's type by hand. */
#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_retype(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("retype");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;
	long long id;

	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 2)
		return cli_error(EXIT_USAGE,
				 "retype: expected ID TYPE (see 'folio retype --help')");
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if (folio_archive_retype(arc, id, argv[first + 1], &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (vals[0]) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", id);
		folio_json_str(&j, "doc_type", argv[first + 1]);
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet)
		printf("document %lld is now %s\n", id, argv[first + 1]);
	folio_archive_close(arc);
	return ret;
}
