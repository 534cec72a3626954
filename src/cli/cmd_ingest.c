/*
 * cmd_ingest.c - folio ingest [--json] PATH...
 *
 * One line per document on stdout (or one JSON object with --json); a
 * progress bar on stderr when stderr is a terminal that obeys cursor
 * controls, and a summary when it is a terminal. -q: only the quarantined
 * lines; -v: each line with its time and stage, and the summary always.
 * Exit 0 when every document was archived or a duplicate, 1 when any was
 * quarantined or the run could not complete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "folio/util.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"

struct ingest_out {
	int json;
	int tty;  /* the summary on stderr */
	int live; /* the progress bar on stderr */
	int bar_shown;
};

static void clear_bar(struct ingest_out *o)
{
	if (o->bar_shown) {
		fputs("\r\033[K", stderr);
		o->bar_shown = 0;
	}
}

static void on_result(void *arg, const struct folio_result *r)
{
	struct ingest_out *o = arg;

	clear_bar(o);
	if (o->json) {
		struct folio_strbuf sb = FOLIO_STRBUF_INIT;
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_path(&j, "path", r->path);
		if (r->id)
			folio_json_int(&j, "id", r->id);
		else
			folio_json_null(&j, "id");
		folio_json_str(&j, "sha256", r->sha256 && *r->sha256 ? r->sha256 : NULL);
		folio_json_str(&j, "status", r->status);
		folio_json_int(&j, "pages", r->pages);
		folio_json_str(&j, "doc_type", r->doc_type);
		folio_json_str(&j, "reason", r->reason);
		if (r->stage && !strcmp(r->status, "quarantined"))
			folio_json_str(&j, "stage", r->stage);
		folio_json_real(&j, "seconds", r->seconds, 3);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
		folio_strbuf_release(&sb);
	} else {
		/* one line per document whatever the name holds: names quoted
		 * as git does, reasons with their control characters escaped */
		struct folio_strbuf name = FOLIO_STRBUF_INIT, why = FOLIO_STRBUF_INIT;
		const char *n, *y;

		folio_strbuf_add_quoted(&name, r->path);
		folio_strbuf_add_escaped(&why, r->reason ? r->reason : "");
		n = name.buf ? name.buf : "?";
		y = why.buf ? why.buf : "";
		char t[64] = "";

		if (cli_flags.verbose)
			snprintf(t, sizeof(t), " [%.2f s%s%s]", r->seconds,
				 r->stage && !strcmp(r->status, "quarantined") ? ", stage " : "",
				 r->stage && !strcmp(r->status, "quarantined") ? r->stage : "");
		if (!strcmp(r->status, "archived") && !cli_flags.quiet)
			printf("archived     %-6lld %s (%d page%s, %s%s%s)%s\n", r->id, n, r->pages,
			       r->pages == 1 ? "" : "s", r->doc_type ? r->doc_type : "other",
			       r->reason ? "; " : "", y, t);
		else if (!strcmp(r->status, "duplicate") && !cli_flags.quiet)
			printf("duplicate    %-6lld %s (%d page%s, %s; %s)%s\n", r->id, n, r->pages,
			       r->pages == 1 ? "" : "s", r->doc_type ? r->doc_type : "other", y, t);
		else if (strcmp(r->status, "archived") && strcmp(r->status, "duplicate"))
			printf("quarantined  %-6s %s: %s%s\n", "-", n, y, t);
		folio_strbuf_release(&name);
		folio_strbuf_release(&why);
	}
	/* a script reading our output line by line sees each as it happens */
	fflush(stdout);
}

static void on_progress(void *arg, const struct folio_progress *p)
{
	struct ingest_out *o = arg;
	double rate = p->elapsed > 0 ? (double)p->pages_done / p->elapsed : 0;
	double per_doc = p->docs_done ? p->elapsed / (double)p->docs_done : 0;
	double eta = per_doc * (double)(p->docs_total - p->docs_done);
	int width = 24, filled, i;
	char bar[32];

	if (!o->live || !p->docs_total)
		return;
	filled = (int)((double)width * (double)p->docs_done / (double)p->docs_total);
	for (i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r\033[K[%s] %zu/%zu docs  %zu pages  %.1f pages/s", bar, p->docs_done,
		p->docs_total, p->pages_done, rate);
	if (p->docs_done && p->docs_done < p->docs_total)
		fprintf(stderr, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	o->bar_shown = 1;
}

int cmd_ingest(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "workers=", "languages=", NULL };
	const struct command *c = cli_command("ingest");
	const char *vals[3] = { 0 };
	struct ingest_out out = { 0 };
	struct folio_ingest_opts opts = { 0 };
	struct folio_ingest_summary sum;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret, i, missing = 0;

	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc) {
		cli_error(EXIT_USAGE, "ingest: no files or folders given");
		cli_usage(c, stderr);
		return EXIT_USAGE;
	}
	if ((vals[1] && folio_config_set(&cli->cfg, "workers", vals[1], &err) != FOLIO_OK) ||
	    (vals[2] && folio_config_set(&cli->cfg, "languages", vals[2], &err) != FOLIO_OK))
		return cli_error(EXIT_USAGE, "ingest: %s", err.msg);
	/* a name that is not there is the caller's mistake (a typo, a glob
	 * that matched nothing), not a document to quarantine: say so for
	 * each, ingest nothing */
	for (i = first; i < argc; i++) {
		struct stat st;

		if (lstat(argv[i], &st) && (errno == ENOENT || errno == ENOTDIR)) {
			struct folio_strbuf name = FOLIO_STRBUF_INIT;

			folio_strbuf_add_quoted(&name, argv[i]);
			cli_error(EXIT_USAGE, "ingest: %s: no such file or folder",
				  name.buf ? name.buf : "?");
			folio_strbuf_release(&name);
			missing++;
		}
	}
	if (missing)
		return EXIT_USAGE;
	out.json = vals[0] != NULL;
	out.tty = !cli_flags.quiet && (cli_flags.verbose || isatty(STDERR_FILENO));
	out.live = !cli_flags.quiet && cli_live(STDERR_FILENO);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_CREATE)))
		return EXIT_FAIL;
	opts.cfg = &cli->cfg;
	opts.on_result = on_result;
	opts.on_progress = on_progress;
	opts.arg = &out;
	ret = folio_ingest(arc, argv + first, (size_t)(argc - first), &opts, &sum, &err);
	clear_bar(&out);
	folio_archive_close(arc);
	if (ret != FOLIO_OK)
		return cli_error(EXIT_FAIL, "ingest stopped: %s", err.msg);
	if (out.tty)
		fprintf(stderr,
			"%zu archived, %zu duplicate, %zu quarantined; %zu pages in %.1f s"
			" (%.1f pages/min)\n",
			sum.archived, sum.duplicates, sum.quarantined, sum.pages, sum.seconds,
			sum.seconds > 0 ? 60.0 * (double)sum.pages / sum.seconds : 0.0);
	return sum.quarantined ? EXIT_FAIL : EXIT_OK;
}
