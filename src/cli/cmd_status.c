/* cmd_status.c - folio status [--json]: the daemon, seen from another shell. */
#include <errno.h>
#include <stdlib.h>
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

struct folder_row {
	char *name;
	uint32_t uidvalidity, last_uid;
};

struct acct {
	struct folio_mail_state st;
	struct folder_row *v;
	size_t n, cap;
	int nomem;
};

static int on_folder(void *ctx, const char *folder, uint32_t uidvalidity, uint32_t last_uid)
{
	struct acct *a = ctx;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct folder_row *nv = realloc(a->v, cap * sizeof(*nv));

		if (!nv)
			return a->nomem = 1;
		a->v = nv;
		a->cap = cap;
	}
	if (!(a->v[a->n].name = strdup(folder)))
		return a->nomem = 1;
	a->v[a->n].uidvalidity = uidvalidity;
	a->v[a->n++].last_uid = last_uid;
	return 0;
}

static void acct_release(struct acct *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i].name);
	free(a->v);
}

/* Account `name`'s state: its last poll, its folders. */
static int acct_load(struct folio_archive *arc, const char *name, struct acct *a,
		     struct folio_err *err)
{
	int ret;

	memset(a, 0, sizeof(*a));
	if ((ret = folio_mail_state(arc, name, &a->st, on_folder, a, err)) != FOLIO_OK)
		return ret;
	if (a->nomem)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

/* Each account's state as text lines into `out`. */
static int accounts_text(struct cli *cli, struct folio_archive *arc, struct folio_strbuf *out,
			 struct folio_err *err)
{
	const char *names[256];
	size_t n = folio_config_account_names(&cli->cfg, names, 256), i, k;
	char t[32];
	int ret = FOLIO_OK;

	for (i = 0; i < n && ret == FOLIO_OK; i++) {
		struct acct a;

		if ((ret = acct_load(arc, names[i], &a, err)) != FOLIO_OK) {
			acct_release(&a);
			break;
		}
		iso(a.st.polled_at, t);
		folio_strbuf_addf(out, "  %s: ", names[i]);
		if (!a.st.polled_at)
			folio_strbuf_addf(out, "never polled");
		else
			folio_strbuf_addf(out, "polled %s, %s", t, *a.st.error ? "failed" : "ok");
		folio_strbuf_addf(out, ", %lld message(s) handled\n", a.st.handled);
		if (*a.st.error) {
			folio_strbuf_addf(out, "    error: ");
			folio_strbuf_add_escaped(out, a.st.error);
			folio_strbuf_addch(out, '\n');
		}
		for (k = 0; k < a.n; k++) {
			folio_strbuf_addf(out, "    ");
			folio_strbuf_add_escaped(out, a.v[k].name);
			folio_strbuf_addf(out, ": highest UID %u (UIDVALIDITY %u)\n",
					  a.v[k].last_uid, a.v[k].uidvalidity);
		}
		acct_release(&a);
	}
	return ret;
}

/* The "accounts" array of status --json, by the JSON writer. */
static int accounts_json(struct cli *cli, struct folio_archive *arc, struct folio_json *j,
			 struct folio_err *err)
{
	const char *names[256];
	size_t n = folio_config_account_names(&cli->cfg, names, 256), i, k;
	char t[32];
	int ret = FOLIO_OK;

	folio_json_open(j, "accounts", '[');
	for (i = 0; i < n; i++) {
		struct acct a;

		if ((ret = acct_load(arc, names[i], &a, err)) != FOLIO_OK) {
			acct_release(&a);
			break;
		}
		iso(a.st.polled_at, t);
		folio_json_open(j, NULL, '{');
		folio_json_str(j, "account", names[i]);
		folio_json_str(j, "polled_at", a.st.polled_at ? t : NULL);
		folio_json_str(j, "result",
			       !a.st.polled_at ? "never" :
			       *a.st.error     ? "failed" :
						 "ok");
		folio_json_str(j, "error", *a.st.error ? a.st.error : NULL);
		folio_json_int(j, "handled", a.st.handled);
		folio_json_open(j, "folders", '[');
		for (k = 0; k < a.n; k++) {
			folio_json_open(j, NULL, '{');
			folio_json_str(j, "folder", a.v[k].name);
			folio_json_int(j, "uidvalidity", a.v[k].uidvalidity);
			folio_json_int(j, "last_uid", a.v[k].last_uid);
			folio_json_close(j, '}');
		}
		folio_json_close(j, ']');
		folio_json_close(j, '}');
		acct_release(&a);
	}
	folio_json_close(j, ']');
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
	    (!vals[0] && accounts_text(cli, arc, &acc, &err) != FOLIO_OK)) {
		folio_archive_close(arc);
		folio_strbuf_release(&acc);
		return cli_fail(&err);
	}
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
		/* the IMAP accounts */
		if (accounts_json(cli, arc, &j, &err) != FOLIO_OK) {
			folio_archive_close(arc);
			folio_strbuf_release(&sb);
			return cli_fail(&err);
		}
		folio_archive_close(arc);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
		folio_strbuf_release(&sb);
		folio_strbuf_release(&acc);
		return alive ? EXIT_OK : EXIT_NOT_RUNNING;
	}
	folio_archive_close(arc);
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
