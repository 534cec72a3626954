/* cmd_migrate.c - folio migrate: copy the archive into a new archive of
 * another backend (a folder <-> a PostgreSQL database), verified. */
#include <stdio.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void print_json(const struct folio_migrate_report *rep, int ok)
{
	struct folio_strbuf sb;
	struct folio_json j;
	int i;

	cli_json_begin(&j, &sb);
	folio_json_bool(&j, "ok", ok);
	folio_json_str(&j, "to", rep->to);
	folio_json_open(&j, "tables", '{');
	for (i = 0; i < rep->ntables; i++) {
		folio_json_open(&j, rep->tables[i].name, '{');
		folio_json_int(&j, "from", rep->tables[i].from);
		folio_json_int(&j, "to", rep->tables[i].to);
		folio_json_close(&j, '}');
	}
	folio_json_close(&j, '}');
	folio_json_int(&j, "originals", rep->originals);
	folio_json_int(&j, "bytes", rep->bytes);
	folio_json_int(&j, "problems", rep->problems);
	cli_json_end(&j, &sb);
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "to=", NULL };
	const struct command *c = cli_command("migrate");
	const char *vals[2] = { 0 };
	struct folio_migrate_report rep;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int i, ret, first = cli_parse(c, argc, argv, specs, vals);

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "migrate: unexpected argument '%s'", argv[first]);
	if (!vals[1] || !*vals[1])
		return cli_error(EXIT_USAGE,
				 "migrate: where to? (--to DIR or --to postgresql://...)");
	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	ret = folio_archive_migrate(arc, vals[1], &rep, &err);
	if (vals[0] && rep.to[0])
		print_json(&rep, ret == FOLIO_OK);
	else if (rep.ntables && !cli_flags.quiet) {
		for (i = 0; i < rep.ntables; i++)
			printf("%-18s %10lld -> %lld%s\n", rep.tables[i].name, rep.tables[i].from,
			       rep.tables[i].to,
			       rep.tables[i].from == rep.tables[i].to ? "" : "  DIFFERS");
		printf("%-18s %10lld, %lld bytes, each read back and its sha256 checked\n",
		       "originals", rep.originals, rep.bytes);
	}
	if (ret != FOLIO_OK) {
		folio_archive_close(arc);
		return cli_fail(&err);
	}
	if (!cli_flags.quiet && !vals[0])
		printf("copied %s to %s: every count equal, folio verify clean there\n",
		       folio_archive_dir(arc), rep.to);
	folio_archive_close(arc);
	return EXIT_OK;
}
