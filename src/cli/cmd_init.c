/* cmd_init.c - folio init [--json]: create the archive (idempotent). */
#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const char *vals[1] = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(cli_command("init"), argc, argv, specs, vals);

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "init: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_CREATE)))
		return EXIT_FAIL;
	if (vals[0]) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_path(&j, "archive", folio_archive_dir(arc));
		folio_json_int(&j, "schema", folio_archive_schema_version(arc));
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet) {
		printf("archive ready at %s (schema %d)\n", folio_archive_dir(arc),
		       folio_archive_schema_version(arc));
	}
	folio_archive_close(arc);
	return EXIT_OK;
}
