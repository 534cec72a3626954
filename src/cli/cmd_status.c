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

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("status");
	const char *vals[1] = { 0 };
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_status st;
	struct folio_archive *arc;
	char t1[32], t2[32];
	int first = cli_parse(c, argc, argv, specs, vals), alive, i;

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "status: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_status(arc, &st, &err) != FOLIO_OK) {
		folio_archive_close(arc);
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
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
		folio_strbuf_release(&sb);
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
	folio_strbuf_release(&sb);
	return alive ? EXIT_OK : EXIT_NOT_RUNNING;
}
