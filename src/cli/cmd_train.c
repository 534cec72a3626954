/* cmd_train.c - folio train: retrain the type model from the archive. */
#include "cli.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_train(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("train");
	const char *vals[1] = { 0 };
	struct folio_train_report rep;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "train: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open_folder(cli, 0, "folio train")))
		return EXIT_FAIL;
	if (folio_train(arc, &cli->cfg, &rep, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
	} else if (vals[0]) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "examples", (long long)rep.base);
		folio_json_int(&j, "confirmed", (long long)rep.confirmed);
		folio_json_int(&j, "confirmed_fit", (long long)rep.fit);
		folio_json_path(&j, "model", rep.path);
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet) {
		printf("trained on %zu corpus examples and %zu confirmed documents\n", rep.base,
		       rep.confirmed);
		if (rep.confirmed)
			printf("the new model types %zu of the %zu confirmed documents as confirmed\n",
			       rep.fit, rep.confirmed);
		printf("model written to %s (used by ingest and watch from now on)\n", rep.path);
	}
	folio_archive_close(arc);
	return ret;
}
