/* cmd_log.c - folio log [--json] [--since DATE] [ID]: the audit trail of
 * one document or of the whole archive, as a person reads it. */
#include <ctype.h>
#include <string.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

struct log_ctx {
	int json;
	long long n;
	struct folio_strbuf line;
};

/* One sentence for the event, without its time. */
static void describe(struct folio_strbuf *sb, const struct folio_event *ev)
{
	const char *d = ev->detail, *k = ev->kind;

	if (!strcmp(k, "archived"))
		folio_strbuf_addf(sb, "document %lld archived from %s", ev->doc_id, ev->path);
	else if (!strcmp(k, "duplicate"))
		folio_strbuf_addf(sb, "%s: the same bytes as document %lld, not stored again%s%s",
				  ev->path, ev->doc_id, *d ? "; " : "", d);
	else if (!strcmp(k, "quarantined"))
		folio_strbuf_addf(sb, "%s quarantined: %s", ev->path, d);
	else if (!strcmp(k, "tagged"))
		folio_strbuf_addf(sb, "document %lld tagged %s", ev->doc_id, d);
	else if (!strcmp(k, "retyped"))
		folio_strbuf_addf(sb, "document %lld retyped %s", ev->doc_id, d);
	else if (!strcmp(k, "fixed"))
		folio_strbuf_addf(sb, "document %lld fixed: %s", ev->doc_id, d);
	else if (!strcmp(k, "held"))
		folio_strbuf_addf(sb, "document %lld put on legal hold: %s", ev->doc_id, d);
	else if (!strcmp(k, "released"))
		folio_strbuf_addf(sb, "document %lld released from legal hold: %s", ev->doc_id, d);
	else if (!strcmp(k, "deleted"))
		folio_strbuf_addf(sb, "document %lld deleted (sha256 %s): %s", ev->doc_id,
				  ev->sha256, d);
	else if (!strcmp(k, "exported"))
		folio_strbuf_addf(sb, "document %lld exported in batch %lld to %s", ev->doc_id,
				  ev->batch, ev->target);
	else if (ev->doc_id)
		folio_strbuf_addf(sb, "document %lld %s%s%s", ev->doc_id, k, *d ? ": " : "", d);
	else
		folio_strbuf_addf(sb, "%s%s%s", k, *d ? ": " : "", d);
}

static int on_event(void *arg, const struct folio_event *ev)
{
	struct log_ctx *l = arg;
	struct folio_strbuf text = FOLIO_STRBUF_INIT;

	l->n++;
	describe(&text, ev);
	if (l->json) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		if (ev->id)
			folio_json_int(&j, "id", ev->id);
		else
			folio_json_null(&j, "id");
		folio_json_str(&j, "at", ev->at);
		folio_json_str(&j, "kind", ev->kind);
		if (ev->doc_id)
			folio_json_int(&j, "doc_id", ev->doc_id);
		else
			folio_json_null(&j, "doc_id");
		folio_json_str_if(&j, "sha256", ev->sha256);
		folio_json_str_if(&j, "path", ev->path);
		folio_json_str_if(&j, "detail", ev->detail);
		if (ev->batch) {
			folio_json_int(&j, "batch", ev->batch);
			folio_json_str(&j, "target", ev->target);
		}
		folio_json_bool(&j, "chained", ev->id != 0);
		folio_json_str_if(&j, "hash", ev->hash);
		folio_json_str(&j, "text", text.buf ? text.buf : "");
		cli_json_end(&j, &sb);
	} else {
		/* one line per event, nothing a terminal would obey: paths and
		 * reasons may hold anything */
		folio_strbuf_reset(&l->line);
		folio_strbuf_add_escaped(&l->line, text.buf ? text.buf : "");
		if (ev->id)
			printf("%s  #%-5lld %s\n", ev->at, ev->id, l->line.buf ? l->line.buf : "");
		else
			printf("%s  ledger %s\n", ev->at, l->line.buf ? l->line.buf : "");
	}
	folio_strbuf_release(&text);
	return 0;
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (the times events carry). */
static int valid_since(const char *s)
{
	static const char day[] = "dddd-dd-dd", full[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *shape = strlen(s) == sizeof(day) - 1 ? day : full;
	size_t i;

	if (strlen(s) != strlen(shape))
		return 0;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	return 1;
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "since=", NULL };
	const struct command *c = cli_command("log");
	const char *vals[2] = { 0 };
	struct log_ctx l = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;
	long long id = 0;

	if (first < 0)
		return EXIT_USAGE;
	if (argc - first > 1)
		return cli_error(EXIT_USAGE, "log: unexpected argument '%s'", argv[first + 1]);
	if (first < argc && !(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	if (vals[1] && !valid_since(vals[1]))
		return cli_error(EXIT_USAGE,
				 "log: --since '%s' is not a date (YYYY-MM-DD or"
				 " YYYY-MM-DDTHH:MM:SSZ, UTC)",
				 vals[1]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	l.json = vals[0] != NULL;
	if (folio_archive_events(arc, id, vals[1], on_event, &l, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
	} else if (id && !l.n && !vals[1]) {
		/* a deleted document keeps its events: no event at all and no
		 * row is an id that never was */
		int pages;
		char type[64];

		if (folio_archive_summary(arc, id, &pages, type, sizeof(type), &err) != FOLIO_OK)
			ret = cli_fail(&err);
	}
	folio_strbuf_release(&l.line);
	folio_archive_close(arc);
	return ret;
}
