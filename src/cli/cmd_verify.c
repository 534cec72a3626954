/* cmd_verify.c - folio verify: check the archive end to end. */
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "folio/util.h"

static void on_problem(void *arg, const char *problem)
{
	(void)arg;
	printf("problem: %s\n", problem);
}

/* The daemon recorded in the archive is running (its pid answers and
 * its heartbeat is fresh). */
int cli_daemon_alive(const struct folio_status *st)
{
	if (!st->daemon)
		return 0;
	if (kill((pid_t)st->pid, 0) && errno != EPERM)
		return 0;
	return folio_now() - st->heartbeat_at < 15.0;
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const struct command *c = cli_command("verify");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_status st;
	struct folio_archive *arc;
	long long n;
	int rdonly;
	int first = cli_parse(c, argc, argv, specs, vals);

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "verify: unexpected argument '%s'", argv[first]);
	/* read-write: the full-text index check is an FTS5 command. An
	 * archive this user may only read (a read-only mount, the daemon's
	 * files) is verified read-only, without that one check. */
	if (!(arc = folio_archive_open(cli->archive_dir, 0, &err))) {
		if (err.kind == FOLIO_E_NOTFOUND)
			return cli_fail(&err);
		memset(&err, 0, sizeof(err));
		if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
			return EXIT_FAIL;
		fprintf(stderr, "folio: note: the archive is read-only to this user: the full-text "
				"index is not checked (that check needs write access)\n");
	}
	if (folio_archive_status(arc, &st, &err) != FOLIO_OK) {
		folio_archive_close(arc);
		return cli_fail(&err);
	}
	n = folio_archive_verify(arc, on_problem, NULL, cli_daemon_alive(&st), &err);
	rdonly = folio_archive_readonly(arc);
	folio_archive_close(arc);
	if (n < 0)
		return cli_fail(&err);
	if (n)
		return cli_error(EXIT_FAIL, "%lld problem%s found", n, n == 1 ? "" : "s");
	if (rdonly)
		printf("archive ok: database, originals and journal check out (read-only: the "
		       "full-text index was not checked)\n");
	else
		printf("archive ok: database, full-text index, originals and journal check out\n");
	return EXIT_OK;
}
