/*
 * cmd_export.c - folio export: invoices to accounting formats, each
 * exactly once per target (the logic is src/export/service.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/util.h"
#include "folio/export.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"

struct notes {
	int json;
	int dry_run;
};

static const char *fate_name(enum folio_export_fate f)
{
	switch (f) {
	case FOLIO_XF_EXPORTED: return "exported";
	case FOLIO_XF_REFUSED: return "refused";
	case FOLIO_XF_HELD: return "held";
	case FOLIO_XF_REVIEW: return "needs_review";
	}
	return "?";
}

static void on_note(void *ctx, const struct folio_export_note *n)
{
	const struct notes *o = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (o->json) {
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "id", n->doc_id);
		folio_json_str(&j, "fate",
			       o->dry_run && n->fate == FOLIO_XF_EXPORTED ? "would_export" :
									    fate_name(n->fate));
		folio_json_str(&j, "invoice_number", n->number);
		folio_json_str_if(&j, "file", n->file);
		folio_json_str(&j, "reason", n->reason);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
	} else if ((n->fate != FOLIO_XF_EXPORTED || o->dry_run || cli_flags.verbose) &&
		   (!cli_flags.quiet || n->fate == FOLIO_XF_REFUSED)) {
		/* the report goes to stderr: stdout may carry the export;
		 * -q keeps only the refused, -v adds the exported */
		fprintf(stderr, "%-12s %-6lld %-20s %s\n",
			o->dry_run && n->fate == FOLIO_XF_EXPORTED ? "would export" :
								     fate_name(n->fate),
			n->doc_id, n->number ? n->number : "-", n->reason ? n->reason : "");
	}
	folio_strbuf_release(&sb);
}

static int print_batch(void *ctx, const struct folio_batch_info *b)
{
	const int *json = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (*json) {
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "batch", b->id);
		folio_json_str(&j, "target", b->target);
		folio_json_str(&j, "format", b->format);
		folio_json_str(&j, "profile", b->profile);
		folio_json_str(&j, "query", b->query);
		folio_json_str(&j, "out", b->out);
		folio_json_str(&j, "state", b->state);
		folio_json_str(&j, "created_at", b->created_at);
		folio_json_int(&j, "documents", b->documents);
		folio_json_int(&j, "files", b->files);
		folio_json_int(&j, "bytes", b->bytes);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
	} else {
		folio_strbuf_addf(&sb, "%-6lld %-20s %-16s %-8s %6lld  %s\n", b->id, b->created_at,
				  b->target, b->state, b->documents, b->out);
	}
	if (sb.buf)
		fputs(sb.buf, stdout);
	folio_strbuf_release(&sb);
	return 0;
}

static int list(int json)
{
	const struct folio_export_module *const *m;
	const char *const *k;

	for (m = folio_export_modules(); *m; m++) {
		if (json) {
			struct folio_strbuf sb = FOLIO_STRBUF_INIT;

			struct folio_json j;

			folio_json_init(&j, &sb);
			folio_json_open(&j, NULL, '{');
			folio_json_str(&j, "name", (*m)->name);
			folio_json_str(&j, "ext", (*m)->ext);
			folio_json_bool(&j, "file_per_invoice", (*m)->file_per_invoice);
			folio_json_str(&j, "summary", (*m)->summary);
			folio_json_open(&j, "settings", '[');
			for (k = (*m)->keys; k && *k; k++) {
				char *key = strndup(*k, strcspn(*k, "\t"));

				folio_json_str(&j, NULL, key ? key : "");
				free(key);
			}
			folio_json_close(&j, ']');
			folio_json_close(&j, '}');
			folio_strbuf_addch(&sb, '\n');
			if (sb.buf)
				fputs(sb.buf, stdout);
			folio_strbuf_release(&sb);
			continue;
		}
		printf("%-8s %-8s %s%s\n", (*m)->name, (*m)->ext, (*m)->summary,
		       (*m)->file_per_invoice ? " (a file per invoice: --out names a folder)" : "");
		for (k = (*m)->keys; k && *k; k++) {
			size_t n = strcspn(*k, "\t");

			printf("    %-22.*s %s\n", (int)n, *k, (*k)[n] ? *k + n + 1 : "");
		}
	}
	return EXIT_OK;
}

static void summary(const struct folio_export_req *req, const struct folio_export_report *rep,
		    int json)
{
	if (json) {
		struct folio_strbuf sb = FOLIO_STRBUF_INIT;
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_bool(&j, "summary", 1);
		folio_json_str(&j, "target", rep->target);
		folio_json_int(&j, "batch", rep->batch);
		folio_json_str(&j, "out", rep->out);
		folio_json_bool(&j, "dry_run", req->dry_run);
		folio_json_int(&j, "exported", (long long)rep->exported);
		folio_json_int(&j, "refused", (long long)rep->refused);
		folio_json_int(&j, "held", (long long)rep->held);
		folio_json_int(&j, "needs_review", (long long)rep->review);
		folio_json_int(&j, "already_exported", (long long)rep->already);
		folio_json_int(&j, "files", (long long)rep->files);
		folio_json_int(&j, "bytes", rep->bytes);
		folio_json_int(&j, "recovered_batches", rep->recovered);
		folio_json_int(&j, "pending_batches", rep->stuck);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
		folio_strbuf_release(&sb);
		return;
	}
	if (rep->stuck)
		fprintf(stderr, "folio: %s\n", rep->stuck_msg);
	if (cli_flags.quiet)
		return;
	if (rep->recovered)
		fprintf(stderr, "completed %lld export batch%s left pending by an interruption\n",
			rep->recovered, rep->recovered == 1 ? "" : "es");
	if (req->dry_run)
		fprintf(stderr, "dry run: %zu would be exported to %s", rep->exported, rep->target);
	else if (rep->batch)
		fprintf(stderr, "exported %zu invoice%s to %s as batch %lld: %s", rep->exported,
			rep->exported == 1 ? "" : "s", rep->target, rep->batch,
			strcmp(rep->out, "-") ? rep->out : "standard output");
	else
		fprintf(stderr, "nothing to export to %s", rep->target);
	if (rep->refused)
		fprintf(stderr, "; %zu refused", rep->refused);
	if (rep->held)
		fprintf(stderr, "; %zu held as probable duplicates", rep->held);
	if (rep->review)
		fprintf(stderr, "; %zu need review (--include-review)", rep->review);
	if (rep->already)
		fprintf(stderr, "; %zu already exported", rep->already);
	fputc('\n', stderr);
}

/*
 * Move each --set KEY=VALUE (it may repeat) from argv to sets, the other
 * arguments to args, for the common parser. EXIT_OK or the exit status.
 */
static int take_sets(int argc, char **argv, char **args, int *n, struct folio_export_opt *sets,
		     size_t *nsets)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *v = NULL;

		if (!strcmp(argv[i], "--"))
			while (i < argc)
				args[(*n)++] = argv[i++];
		if (i >= argc)
			break;
		if (!strcmp(argv[i], "--set")) {
			if (i + 1 >= argc)
				return cli_error(EXIT_USAGE, "export: --set needs KEY=VALUE");
			v = argv[++i];
		} else if (!strncmp(argv[i], "--set=", 6)) {
			v = argv[i] + 6;
		}
		if (!v) {
			args[(*n)++] = argv[i];
			continue;
		}
		if (!strchr(v, '=') || v[0] == '=')
			return cli_error(EXIT_USAGE, "export: --set wants KEY=VALUE, not '%s'", v);
		sets[*nsets].key = strndup(v, strcspn(v, "="));
		sets[*nsets].value = strchr(v, '=') + 1;
		if (!sets[(*nsets)++].key)
			return cli_error(EXIT_FAIL, "out of memory");
	}
	return EXIT_OK;
}

/* --history: a line (or a JSON object) per recorded batch. */
static int history(struct cli *cli, int json)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	long long stuck = 0;
	int ret = EXIT_OK;

	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	/* a listing also completes what a crash left pending */
	if (folio_export_recover(arc, &stuck, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	if (stuck)
		fprintf(stderr, "folio: %s\n", err.msg);
	if (folio_ledger_batches(arc, 0, print_batch, &json, &err) != FOLIO_OK)
		ret = cli_fail(&err);
out:
	folio_archive_close(arc);
	return ret;
}

/* --again BATCH: write a recorded batch's files again, to --out or where they went. */
static int again(struct cli *cli, long long id, const char *out, int json,
		 struct folio_export_report *rep)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int ret = EXIT_OK;

	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if (folio_export_again(arc, id, out, rep, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
		goto out;
	}
	if (!json)
		fprintf(stderr, "batch %lld (%s) written again: %zu file%s, %lld bytes to %s\n", id,
			rep->target, rep->files, rep->files == 1 ? "" : "s", rep->bytes,
			strcmp(rep->out, "-") ? rep->out : "standard output");
out:
	folio_archive_close(arc);
	return ret;
}

/* Export what req selects; a refused invoice makes the status EXIT_FAIL. */
static int run_export(struct cli *cli, const struct folio_export_req *req, int json,
		      struct folio_export_report *rep)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int ret = EXIT_OK;

	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if (folio_export_run(arc, &cli->cfg, req, rep, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
		goto out;
	}
	summary(req, rep, json);
	/* the rest was written; a refused invoice still wants a person */
	if (rep->refused)
		ret = EXIT_FAIL;
out:
	folio_archive_close(arc);
	return ret;
}

/* After the arguments are parsed: --history, --again or an export. */
static int dispatch(struct cli *cli, const char *const *vals, const struct folio_strbuf *q,
		    const struct folio_export_opt *sets, size_t nsets, int json)
{
	struct folio_export_req req = { 0 };
	struct folio_export_report rep = { 0 };
	struct notes notes = { 0 };

	if (vals[7]) {
		if (q->len || vals[0] || vals[6])
			return cli_error(EXIT_USAGE, "export: --history takes only --json");
		return history(cli, json);
	}
	notes.json = json;
	notes.dry_run = vals[3] != NULL;
	rep.note = on_note;
	rep.ctx = &notes;
	if (vals[6]) {
		char *end;
		long long id = strtoll(vals[6], &end, 10);

		if (*end || id < 1 || q->len || vals[0] || vals[2])
			return cli_error(EXIT_USAGE, "export: --again BATCH takes a batch number "
						     "and optionally --out");
		return again(cli, id, vals[1], json, &rep);
	}
	if (!vals[0] && !vals[2])
		return cli_error(EXIT_USAGE, "export: which format? --to FORMAT or --profile NAME "
					     "(folio export --list)");
	if (json && vals[1] && !strcmp(vals[1], "-"))
		return cli_error(EXIT_USAGE,
				 "export: --json and --out - both want standard output");
	req.format = vals[0];
	req.out = vals[1];
	req.profile = vals[2];
	req.dry_run = vals[3] != NULL;
	req.include_review = vals[4] != NULL;
	req.force = vals[5] != NULL;
	req.query = q->len ? q->buf : NULL;
	req.sets = sets;
	req.nsets = nsets;
	return run_export(cli, &req, json, &rep);
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = {
		"to=",	   "out=", "profile=", "dry-run", "include-review", "force", "again=",
		"history", "list", "json",     NULL
	};
	const struct command *c = cli_command("export");
	const char *vals[10] = { 0 };
	struct folio_export_opt *sets = NULL;
	struct folio_strbuf q = FOLIO_STRBUF_INIT;
	char **args = NULL;
	int i, n = 0, first, ret, json;
	size_t nsets = 0;

	/* --set KEY=VALUE may repeat: taken out before the common parser */
	if (!(args = calloc((size_t)argc + 1, sizeof(*args))) ||
	    !(sets = calloc((size_t)argc + 1, sizeof(*sets)))) {
		ret = cli_error(EXIT_FAIL, "out of memory");
		goto out;
	}
	if ((ret = take_sets(argc, argv, args, &n, sets, &nsets)) != EXIT_OK)
		goto out;
	if ((first = cli_parse(c, n, args, specs, vals)) < 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	json = vals[9] != NULL;
	if (vals[8]) {
		ret = list(json);
		goto out;
	}
	for (i = first; i < n; i++)
		if (folio_strbuf_addf(&q, "%s%s", i > first ? " " : "", args[i])) {
			ret = cli_error(EXIT_FAIL, "out of memory");
			goto out;
		}
	ret = dispatch(cli, vals, &q, sets, nsets, json);
out:
	for (i = 0; i < (int)nsets; i++)
		free((char *)sets[i].key);
	free(sets);
	free(args);
	folio_strbuf_release(&q);
	return ret;
}
