/* cmd_mail.c - folio mail --once [--account NAME] [--json]: poll the IMAP
 * accounts of the config once; folio mail --idle --account NAME: poll it,
 * then wait for new mail by IMAP IDLE until SIGTERM (folio watch runs it
 * for an account with idle = yes). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "folio/imap.h"
#include "folio/strbuf.h"
#include "folio/util.h"

struct mail_out {
	int json;
};

static void on_progress(void *arg, const char *line)
{
	(void)arg;
	if (!cli_flags.quiet)
		fprintf(stderr, "mail: %s\n", line);
}

static void on_report(void *arg, const struct folio_mail_report *r)
{
	struct mail_out *o = arg;

	if (r->status != FOLIO_OK)
		fprintf(stderr, "folio: mail: account %s (%s): %s\n", r->account, r->host,
			r->error);
	if (o->json) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_str(&j, "account", r->account);
		folio_json_str(&j, "host", r->host);
		folio_json_str(&j, "status", r->status == FOLIO_OK ? "ok" : "failed");
		folio_json_int(&j, "folders", (long long)r->folders);
		folio_json_int(&j, "seen", (long long)r->seen);
		folio_json_int(&j, "skipped", (long long)r->skipped);
		folio_json_int(&j, "downloaded", (long long)r->downloaded);
		folio_json_int(&j, "stored", (long long)r->stored);
		folio_json_int(&j, "nodoc", (long long)r->nodoc);
		folio_json_int(&j, "actions", (long long)r->actions);
		folio_json_int(&j, "bytes", (long long)r->bytes);
		folio_json_real(&j, "seconds", r->seconds, 3);
		if (r->error)
			folio_json_str(&j, "error", r->error);
		else
			folio_json_null(&j, "error");
		cli_json_end(&j, &sb);
		return;
	}
	if (r->status != FOLIO_OK)
		fprintf(stderr, "folio: mail: account %s (%s): %s\n", r->account, r->host,
			r->error);
	else if (!cli_flags.quiet)
		printf("%s: %zu new, %zu skipped by rules, %zu downloaded, %zu stored, %zu without"
		       " a document, %zu after-actions; %llu bytes in %.2f s\n",
		       r->account, r->seen, r->skipped, r->downloaded, r->stored, r->nodoc,
		       r->actions, (unsigned long long)r->bytes, r->seconds);
}

int cmd_mail(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "once", "account=", "json", "idle", NULL };
	const struct command *c = cli_command("mail");
	const char *vals[4] = { 0 };
	sigset_t stop, old;
	struct folio_err err = { 0 };
	struct folio_mail_opts mo = { 0 };
	struct mail_out o = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret;

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "mail: unexpected argument '%s'", argv[first]);
	if (!vals[0] && !vals[3])
		return cli_error(EXIT_USAGE, "mail: --once is required (folio watch polls the"
					     " accounts continuously)");
	if (vals[0] && vals[3])
		return cli_error(EXIT_USAGE, "mail: --once or --idle, not both");
	if (vals[3] && !vals[1])
		return cli_error(EXIT_USAGE, "mail: --idle needs --account NAME");
	o.json = vals[2] != NULL;
	mo.only_account = vals[1];
	mo.on_progress = on_progress;
	mo.on_report = on_report;
	mo.arg = &o;
	mo.stop_fd = -1;
	if (vals[3]) {
		/* SIGTERM and SIGINT end the IDLE (DONE, LOGOUT) through a
		 * signalfd; blocked before the pipeline's threads start, so no
		 * system call of theirs is interrupted */
		sigemptyset(&stop);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGINT);
		if (pthread_sigmask(SIG_BLOCK, &stop, &old) ||
		    (mo.stop_fd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0)
			return cli_error(EXIT_FAIL, "mail: cannot take SIGTERM: %s",
					 strerror(errno));
		mo.idle = 1;
	}
	if (!(arc = cli_open_folder(cli, FOLIO_ARCHIVE_CREATE | FOLIO_ARCHIVE_STREAM,
				    "folio mail"))) {
		if (mo.stop_fd >= 0)
			close(mo.stop_fd);
		return EXIT_FAIL;
	}
	ret = folio_mail_run(arc, &cli->cfg, &mo, &err);
	folio_archive_close(arc);
	if (mo.stop_fd >= 0)
		close(mo.stop_fd);
	if (ret == FOLIO_OK)
		return EXIT_OK;
	if (err.kind == FOLIO_E_USAGE || ret == FOLIO_FATAL)
		return cli_fail(&err);
	return EXIT_FAIL; /* each failed account was reported */
}
