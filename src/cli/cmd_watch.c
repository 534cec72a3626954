/* cmd_watch.c - folio watch [--once] [INBOX...]: the scanning-station daemon. */
#include "cli.h"
#include "folio/pipeline.h"

int cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "once", "settle-ms=", "backend=", NULL };
	const struct command *c = cli_command("watch");
	const char *vals[3] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	size_t quarantined = 0, mail_failed = 0;
	int first = cli_parse(c, argc, argv, specs, vals), ret;

	if (first < 0)
		return EXIT_USAGE;
	if ((vals[1] && folio_config_set(&cli->cfg, "settle_ms", vals[1], &err) != FOLIO_OK) ||
	    (vals[2] && folio_config_set(&cli->cfg, "watch_backend", vals[2], &err) != FOLIO_OK))
		return cli_error(EXIT_USAGE, "watch: %s", err.msg);
	/* -q: warnings and errors only; -v: debug lines too */
	if ((cli_flags.quiet || cli_flags.verbose) &&
	    folio_config_set(&cli->cfg, "log_level", cli_flags.quiet ? "warning" : "debug", &err) !=
		    FOLIO_OK)
		return cli_fail(&err);
	if (!(arc = cli_open_folder(cli, FOLIO_ARCHIVE_CREATE | FOLIO_ARCHIVE_STREAM,
				    "folio watch")))
		return EXIT_FAIL;
	ret = folio_watch_run(arc, &cli->cfg, cli->config_path, argv + first,
			      (size_t)(argc - first), vals[0] != NULL, &quarantined, &mail_failed,
			      &err);
	folio_archive_close(arc);
	if (ret != FOLIO_OK)
		return cli_fail(&err);
	/* --once: a quarantined file or an account that could not be polled */
	return vals[0] && (quarantined || mail_failed) ? EXIT_FAIL : EXIT_OK;
}
