/*
 * cmd_export.c - folio export: invoices to accounting formats, each
 * exactly once per target (the logic is src/export/service.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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
		folio_strbuf_addf(&sb, "{\"id\":%lld,\"fate\":\"%s\",\"invoice_number\":", n->doc_id,
				  o->dry_run && n->fate == FOLIO_XF_EXPORTED ? "would_export"
									     : fate_name(n->fate));
		if (n->number)
			folio_strbuf_add_json(&sb, n->number);
		else
			folio_strbuf_adds(&sb, "null");
		if (n->file) {
			folio_strbuf_adds(&sb, ",\"file\":");
			folio_strbuf_add_json(&sb, n->file);
		}
		folio_strbuf_adds(&sb, ",\"reason\":");
		if (n->reason)
			folio_strbuf_add_json(&sb, n->reason);
		else
			folio_strbuf_adds(&sb, "null");
		folio_strbuf_adds(&sb, "}\n");
		if (sb.buf)
			fputs(sb.buf, stdout);
	} else if (n->fate != FOLIO_XF_EXPORTED || o->dry_run) {
		/* the report goes to stderr: stdout may carry the export */
		fprintf(stderr, "%-12s %-6lld %-20s %s\n",
			o->dry_run && n->fate == FOLIO_XF_EXPORTED ? "would export"
								   : fate_name(n->fate),
			n->doc_id, n->number ? n->number : "-", n->reason ? n->reason : "");
	}
	folio_strbuf_release(&sb);
}

static int print_batch(void *ctx, const struct folio_batch_info *b)
{
	const int *json = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	if (*json) {
		folio_strbuf_addf(&sb, "{\"batch\":%lld,\"target\":", b->id);
		folio_strbuf_add_json(&sb, b->target);
		folio_strbuf_adds(&sb, ",\"format\":");
		folio_strbuf_add_json(&sb, b->format);
		folio_strbuf_adds(&sb, ",\"profile\":");
		if (b->profile)
			folio_strbuf_add_json(&sb, b->profile);
		else
			folio_strbuf_adds(&sb, "null");
		folio_strbuf_adds(&sb, ",\"query\":");
		if (b->query)
			folio_strbuf_add_json(&sb, b->query);
		else
			folio_strbuf_adds(&sb, "null");
		folio_strbuf_adds(&sb, ",\"out\":");
		folio_strbuf_add_json(&sb, b->out);
		folio_strbuf_addf(&sb, ",\"state\":\"%s\",\"created_at\":\"%s\",\"documents\":%lld,"
				  "\"files\":%lld,\"bytes\":%lld}\n", b->state, b->created_at,
				  b->documents, b->files, b->bytes);
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

			folio_strbuf_adds(&sb, "{\"name\":");
			folio_strbuf_add_json(&sb, (*m)->name);
			folio_strbuf_adds(&sb, ",\"ext\":");
			folio_strbuf_add_json(&sb, (*m)->ext);
			folio_strbuf_addf(&sb, ",\"file_per_invoice\":%s,\"summary\":",
					  (*m)->file_per_invoice ? "true" : "false");
			folio_strbuf_add_json(&sb, (*m)->summary);
			folio_strbuf_adds(&sb, ",\"settings\":[");
			for (k = (*m)->keys; k && *k; k++) {
				char *key = strndup(*k, strcspn(*k, "\t"));

				folio_strbuf_adds(&sb, k == (*m)->keys ? "" : ",");
				folio_strbuf_add_json(&sb, key ? key : "");
				free(key);
			}
			folio_strbuf_adds(&sb, "]}\n");
			if (sb.buf)
				fputs(sb.buf, stdout);
			folio_strbuf_release(&sb);
			continue;
		}
		printf("%-8s %-8s %s%s\n", (*m)->name, (*m)->ext, (*m)->summary,
		       (*m)->file_per_invoice ? " (a file per invoice: --out names a folder)"
					      : "");
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
		printf("{\"summary\":true,\"target\":\"%s\",\"batch\":%lld,\"out\":", rep->target,
		       rep->batch);
		{
			struct folio_strbuf sb = FOLIO_STRBUF_INIT;

			folio_strbuf_add_json(&sb, rep->out);
			fputs(sb.buf ? sb.buf : "\"\"", stdout);
			folio_strbuf_release(&sb);
		}
		printf(",\"dry_run\":%s,\"exported\":%zu,\"refused\":%zu,\"held\":%zu,"
		       "\"needs_review\":%zu,\"already_exported\":%zu,\"files\":%zu,\"bytes\":%lld,"
		       "\"recovered_batches\":%lld,\"pending_batches\":%lld}\n",
		       req->dry_run ? "true" : "false", rep->exported, rep->refused, rep->held,
		       rep->review, rep->already, rep->files, rep->bytes, rep->recovered,
		       rep->stuck);
		return;
	}
	if (rep->recovered)
		fprintf(stderr, "completed %lld export batch%s left pending by an interruption\n",
			rep->recovered, rep->recovered == 1 ? "" : "es");
	if (rep->stuck)
		fprintf(stderr, "folio: %s\n", rep->stuck_msg);
	if (req->dry_run)
		fprintf(stderr, "dry run: %zu would be exported to %s", rep->exported,
			rep->target);
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

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "to=", "out=", "profile=", "dry-run",
					     "include-review", "force", "again=", "history",
					     "list", "json", NULL };
	const struct command *c = cli_command("export");
	const char *vals[10] = { 0 };
	struct folio_export_req req = { 0 };
	struct folio_export_report rep = { 0 };
	struct folio_export_opt *sets = NULL;
	struct folio_strbuf q = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_archive *arc = NULL;
	struct notes notes = { 0 };
	char **args = NULL;
	int i, n = 0, first, ret = EXIT_OK, json;
	size_t nsets = 0;

	/* --set KEY=VALUE may repeat: taken out before the common parser */
	if (!(args = calloc((size_t)argc + 1, sizeof(*args))) ||
	    !(sets = calloc((size_t)argc + 1, sizeof(*sets))))
		goto nomem;
	for (i = 0; i < argc; i++) {
		const char *v = NULL;

		if (!strcmp(argv[i], "--"))
			while (i < argc)
				args[n++] = argv[i++];
		if (i >= argc)
			break;
		if (!strcmp(argv[i], "--set")) {
			if (i + 1 >= argc) {
				ret = cli_error(EXIT_USAGE, "export: --set needs KEY=VALUE");
				goto out;
			}
			v = argv[++i];
		} else if (!strncmp(argv[i], "--set=", 6)) {
			v = argv[i] + 6;
		}
		if (!v) {
			args[n++] = argv[i];
			continue;
		}
		if (!strchr(v, '=') || v[0] == '=') {
			ret = cli_error(EXIT_USAGE, "export: --set wants KEY=VALUE, not '%s'", v);
			goto out;
		}
		sets[nsets].key = strndup(v, strcspn(v, "="));
		sets[nsets].value = strchr(v, '=') + 1;
		if (!sets[nsets++].key)
			goto nomem;
	}
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
		if (folio_strbuf_addf(&q, "%s%s", i > first ? " " : "", args[i]))
			goto nomem;
	if (vals[7]) {
		if (q.len || vals[0] || vals[6]) {
			ret = cli_error(EXIT_USAGE, "export: --history takes only --json");
			goto out;
		}
		if (!(arc = cli_open(cli, 0)))
			goto fail;
		/* a listing also completes what a crash left pending */
		{
			long long stuck = 0;

			if (folio_export_recover(arc, &stuck, &err) < 0) {
				ret = cli_fail(&err);
				goto out;
			}
			if (stuck)
				fprintf(stderr, "folio: %s\n", err.msg);
		}
		if (folio_ledger_batches(arc, 0, print_batch, &json, &err) != FOLIO_OK)
			ret = cli_fail(&err);
		goto out;
	}
	notes.json = json;
	notes.dry_run = vals[3] != NULL;
	rep.note = on_note;
	rep.ctx = &notes;
	if (vals[6]) {
		char *end;
		long long id = strtoll(vals[6], &end, 10);

		if (*end || id < 1 || q.len || vals[0] || vals[2]) {
			ret = cli_error(EXIT_USAGE, "export: --again BATCH takes a batch number "
				       "and optionally --out");
			goto out;
		}
		if (!(arc = cli_open(cli, 0)))
			goto fail;
		if (folio_export_again(arc, id, vals[1], &rep, &err) != FOLIO_OK) {
			ret = cli_fail(&err);
			goto out;
		}
		if (!json)
			fprintf(stderr, "batch %lld (%s) written again: %zu file%s, %lld bytes to %s\n",
				id, rep.target, rep.files, rep.files == 1 ? "" : "s", rep.bytes,
				strcmp(rep.out, "-") ? rep.out : "standard output");
		goto out;
	}
	if (!vals[0] && !vals[2]) {
		ret = cli_error(EXIT_USAGE, "export: which format? --to FORMAT or --profile NAME "
			       "(folio export --list)");
		goto out;
	}
	if (json && vals[1] && !strcmp(vals[1], "-")) {
		ret = cli_error(EXIT_USAGE, "export: --json and --out - both want standard output");
		goto out;
	}
	req.format = vals[0];
	req.out = vals[1];
	req.profile = vals[2];
	req.dry_run = vals[3] != NULL;
	req.include_review = vals[4] != NULL;
	req.force = vals[5] != NULL;
	req.query = q.len ? q.buf : NULL;
	req.sets = sets;
	req.nsets = nsets;
	if (!(arc = cli_open(cli, 0)))
		goto fail;
	if (folio_export_run(arc, &cli->cfg, &req, &rep, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
		goto out;
	}
	summary(&req, &rep, json);
	goto out;
nomem:
	ret = cli_error(EXIT_FAIL, "out of memory");
	goto out;
fail:
	ret = EXIT_FAIL;
out:
	if (arc)
		folio_archive_close(arc);
	for (i = 0; i < (int)nsets; i++)
		free((char *)sets[i].key);
	free(sets);
	free(args);
	folio_strbuf_release(&q);
	return ret;
}
