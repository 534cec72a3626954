/* cmd_status.c - folio status [--json]: the daemon, seen from another shell. */
#include <string.h>
#include <time.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void iso(double t, char buf[32])
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- IMAP accounts: their last poll and folders (the archive's mail state) ---- */

struct acct {
	const char *name;
	struct folio_mail_state st;
	struct folio_strbuf folders; /* text or JSON, as asked */
	int json, n;
};

static int on_folder(void *ctx, const char *folder, uint32_t uidvalidity, uint32_t last_uid)
{
	struct acct *a = ctx;

	if (a->json) {
		struct folio_json j;

		folio_json_init(&j, &a->folders);
		if (a->n++)
			folio_strbuf_addch(&a->folders, ',');
		folio_json_open(&j, NULL, '{');
		folio_json_str(&j, "folder", folder);
		folio_json_int(&j, "uidvalidity", uidvalidity);
		folio_json_int(&j, "last_uid", last_uid);
		folio_json_close(&j, '}');
	} else {
		folio_strbuf_addf(&a->folders, "    ");
		folio_strbuf_add_escaped(&a->folders, folder);
		folio_strbuf_addf(&a->folders, ": highest UID %u (UIDVALIDITY %u)\n", last_uid,
				  uidvalidity);
	}
	return 0;
}

/* Each account's state into `out`: lines, or the JSON array's members. */
static int accounts(struct cli *cli, struct folio_archive *arc, int json, struct folio_strbuf *out,
		    struct folio_err *err)
{
	const char *names[256];
	size_t n = folio_config_account_names(&cli->cfg, names, 256), i;
	char t[32];
	int ret = FOLIO_OK;

	for (i = 0; i < n && ret == FOLIO_OK; i++) {
		struct acct a = { .name = names[i], .json = json };

		if ((ret = folio_mail_state(arc, names[i], &a.st, on_folder, &a, err)) != FOLIO_OK)
			break;
		iso(a.st.polled_at, t);
		if (json) {
			struct folio_json j;

			folio_json_init(&j, out);
			if (i)
				folio_strbuf_addch(out, ',');
			folio_json_open(&j, NULL, '{');
			folio_json_str(&j, "account", names[i]);
			if (a.st.polled_at)
				folio_json_str(&j, "polled_at", t);
			else
				folio_json_null(&j, "polled_at");
			folio_json_str(&j, "result",
				       !a.st.polled_at ? "never" :
				       *a.st.error     ? "failed" :
							 "ok");
			if (*a.st.error)
				folio_json_str(&j, "error", a.st.error);
			else
				folio_json_null(&j, "error");
			folio_json_int(&j, "handled", a.st.handled);
			folio_strbuf_addf(out, ",\"folders\":[%s]",
					  a.folders.buf ? a.folders.buf : "");
			folio_json_close(&j, '}');
		} else {
			folio_strbuf_addf(out, "  %s: ", names[i]);
			if (!a.st.polled_at)
				folio_strbuf_addf(out, "never polled");
			else
				folio_strbuf_addf(out, "polled %s, %s", t,
						  *a.st.error ? "failed" : "ok");
			folio_strbuf_addf(out, ", %lld message(s) handled\n", a.st.handled);
			if (*a.st.error) {
				folio_strbuf_addf(out, "    error: ");
				folio_strbuf_add_escaped(out, a.st.error);
				folio_strbuf_addch(out, '\n');
			}
			folio_strbuf_addf(out, "%s", a.folders.buf ? a.folders.buf : "");
		}
		folio_strbuf_release(&a.folders);
	}
	return ret;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("status");
	const char *vals[1] = { 0 };
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_status st;
	struct folio_strbuf acc = FOLIO_STRBUF_INIT;
	struct folio_archive *arc;
	char t1[32], t2[32];
	int first = cli_parse(c, argc, argv, specs, vals), alive, i;

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "status: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_status(arc, &st, &err) != FOLIO_OK ||
	    accounts(cli, arc, vals[0] != NULL, &acc, &err) != FOLIO_OK) {
		folio_archive_close(arc);
		folio_strbuf_release(&acc);
		return cli_fail(&err);
	}
	folio_archive_close(arc);
	alive = cli_daemon_alive(&st);
	iso(st.started_at, t1);
	iso(st.heartbeat_at, t2);
	if (vals[0]) {
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_bool(&j, "alive", alive);
		if (st.daemon) {
			folio_json_int(&j, "pid", st.pid);
			folio_json_str(&j, "started_at", t1);
			folio_json_str(&j, "heartbeat_at", t2);
		} else {
			folio_json_null(&j, "pid");
		}
		folio_json_str(&j, "inboxes", st.inboxes);
		folio_json_int(&j, "queue", alive ? st.queue : 0);
		folio_json_int(&j, "unsettled", alive ? st.unsettled : 0);
		folio_json_int(&j, "files_last_minute", st.files_minute);
		folio_json_int(&j, "files_last_hour", st.files_hour);
		folio_json_int(&j, "pages_last_minute", st.pages_minute);
		folio_json_int(&j, "pages_last_hour", st.pages_hour);
		folio_json_real(&j, "pages_per_minute", st.pages_per_min, 1);
		folio_json_int(&j, "quarantined", st.quarantined);
		folio_json_int(&j, "in_progress", st.received);
		folio_json_open(&j, "errors", '[');
		for (i = 0; i < st.nerrors; i++) {
			iso(st.errors[i].at, t1);
			folio_json_open(&j, NULL, '{');
			folio_json_str(&j, "at", t1);
			folio_json_path(&j, "path", st.errors[i].path);
			folio_json_str(&j, "reason", st.errors[i].reason);
			folio_json_close(&j, '}');
		}
		folio_json_close(&j, ']');
		/* the IMAP accounts (their objects written by accounts()) */
		folio_strbuf_addf(&sb, ",\"accounts\":[%s]", acc.buf ? acc.buf : "");
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
		folio_strbuf_release(&sb);
		folio_strbuf_release(&acc);
		return alive ? EXIT_OK : EXIT_NOT_RUNNING;
	}
	if (alive)
		printf("daemon:      running, pid %ld, since %s (heartbeat %s)\ninboxes:     %s\n"
		       "queue:       %lld in the pipeline, %lld settling in the inbox\n",
		       st.pid, t1, t2, st.inboxes, st.queue, st.unsettled);
	else if (st.daemon)
		printf("daemon:      not running (pid %ld stopped without clearing; last heartbeat"
		       " %s)\n",
		       st.pid, t2);
	else
		printf("daemon:      not running\n");
	printf("done:        %lld files / %lld pages in the last minute, %lld / %lld in the last"
	       " hour\nthroughput:  %.1f pages/min (last 10 minutes)\nquarantined: %lld files\n",
	       st.files_minute, st.pages_minute, st.files_hour, st.pages_hour, st.pages_per_min,
	       st.quarantined);
	if (st.nerrors)
		printf("last errors:\n");
	for (i = 0; i < st.nerrors; i++) {
		char *line = st.errors[i].reason, *nl;

		/* the name quoted, each reason (one per document) on a line
		 * of its own, nothing a terminal would obey */
		iso(st.errors[i].at, t1);
		folio_strbuf_reset(&sb);
		folio_strbuf_add_quoted(&sb, st.errors[i].path);
		printf("  %s  %s\n", t1, sb.buf ? sb.buf : "?");
		do {
			if ((nl = strchr(line, '\n')))
				*nl = '\0';
			if (*line || line == st.errors[i].reason) {
				folio_strbuf_reset(&sb);
				folio_strbuf_add_escaped(&sb, line);
				printf("      %s\n", sb.buf ? sb.buf : "");
			}
			line = nl ? nl + 1 : NULL;
		} while (line && *line);
	}
	if (acc.buf)
		printf("accounts:\n%s", acc.buf);
	folio_strbuf_release(&acc);
	folio_strbuf_release(&sb);
	return alive ? EXIT_OK : EXIT_NOT_RUNNING;
}
