/* cmd_verify.c - folio verify: check the archive end to end. */
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

/* --json: the problems gathered for one object at the end */
struct problems {
	int json;
	struct folio_strbuf list; /* JSON strings, comma-separated */
};

static void on_problem(void *arg, const char *problem)
{
	struct problems *p = arg;

	if (!p->json) {
		printf("problem: %s\n", problem);
		return;
	}
	if (p->list.len)
		folio_strbuf_addch(&p->list, ',');
	folio_strbuf_add_json(&p->list, problem);
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
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("verify");
	const char *vals[1] = { 0 };
	struct problems probs = { 0 };
	struct folio_err err = { 0 };
	struct folio_status st;
	struct folio_chain chain;
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
		if (!cli_flags.quiet)
			fprintf(stderr, "folio: note: the archive is read-only to this user: the "
					"full-text index is not checked (that check needs write "
					"access)\n");
	}
	if (folio_archive_status(arc, &st, &err) != FOLIO_OK) {
		folio_archive_close(arc);
		return cli_fail(&err);
	}
	probs.json = vals[0] != NULL;
	n = folio_archive_verify(arc, on_problem, &probs, cli_daemon_alive(&st), &err);
	/* the chain's state for --json (verify reported its broken links) */
	if (n >= 0 && probs.json && folio_archive_chain(arc, &chain, &err) != FOLIO_OK)
		n = -1;
	rdonly = folio_archive_readonly(arc);
	folio_archive_close(arc);
	if (n < 0) {
		folio_strbuf_release(&probs.list);
		return cli_fail(&err);
	}
	if (probs.json) {
		struct folio_strbuf sb, arr = FOLIO_STRBUF_INIT;
		struct folio_json j;

		folio_strbuf_addch(&arr, '[');
		if (probs.list.len)
			folio_strbuf_add(&arr, probs.list.buf, probs.list.len);
		folio_strbuf_addch(&arr, ']');
		cli_json_begin(&j, &sb);
		folio_json_bool(&j, "ok", n == 0);
		folio_json_int(&j, "problems", n);
		folio_json_raw(&j, "messages", arr.buf ? arr.buf : "[]");
		folio_json_bool(&j, "read_only", rdonly);
		folio_json_bool(&j, "fts_checked", !rdonly);
		folio_json_open(&j, "chain", '{');
		folio_json_bool(&j, "ok", chain.broken == 0);
		folio_json_int(&j, "events", chain.events);
		folio_json_str(&j, "head", chain.head);
		folio_json_int(&j, "broken", chain.broken);
		if (chain.first_broken) {
			folio_json_int(&j, "first_broken", chain.first_broken);
			folio_json_str(&j, "problem", chain.problem);
		} else {
			folio_json_null(&j, "first_broken");
		}
		folio_json_close(&j, '}');
		cli_json_end(&j, &sb);
		folio_strbuf_release(&arr);
		folio_strbuf_release(&probs.list);
		return n ? EXIT_FAIL : EXIT_OK;
	}
	if (n)
		return cli_error(EXIT_FAIL, "%lld problem%s found", n, n == 1 ? "" : "s");
	if (cli_flags.quiet)
		return EXIT_OK;
	if (rdonly)
		printf("archive ok: database, audit log, originals and journal check out (read-only: the "
		       "full-text index was not checked)\n");
	else
		printf("archive ok: database, full-text index, audit log, originals and journal "
		       "check out\n");
	return EXIT_OK;
}
