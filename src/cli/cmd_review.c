/*
 * cmd_review.c - folio review [--json] [--limit N] | --done ID [--note T]:
 * what needs a person, with the command that answers each reason, and
 * closing an item a person has checked.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

struct review_out {
	struct folio_archive *arc;
	int json;
	long long n;
};

static const char *value(const struct folio_doc *doc, const char *name)
{
	const struct folio_field *f = doc ? folio_doc_field(doc, name) : NULL;

	return f && f->value && *f->value ? f->value : NULL;
}

/* One line of what the document is: vendor, number, date, total. */
static void summary(struct folio_strbuf *sb, const struct folio_doc *doc)
{
	const char *v = value(doc, "seller_name"), *num = value(doc, "invoice_number");
	const char *date = value(doc, "issue_date"), *tot = value(doc, "gross_total");
	const char *cur = value(doc, "currency");

	folio_strbuf_addf(sb, "       %s | %s | %s | %s%s%s\n", v ? v : "(no seller)",
			  num ? num : "(no number)", date ? date : "(no date)",
			  tot ? tot : "(no total)", tot && cur ? " " : "", tot && cur ? cur : "");
}

static int print_item(void *ctx, const struct folio_review_item *it)
{
	struct review_out *o = ctx;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT, adv = FOLIO_STRBUF_INIT;
	struct folio_doc *doc = NULL;
	struct folio_err err = { 0 };
	const char *p = it->review;

	/* the fields, for the summary and the fixes (a document that went
	 * meanwhile is listed without them) */
	if (folio_archive_get(o->arc, it->id, &doc, &err) != FOLIO_OK)
		doc = NULL;
	if (o->json) {
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "id", it->id);
		folio_json_path(&j, "path", it->path);
		folio_json_str(&j, "doc_type", it->doc_type);
		folio_json_str(&j, "added_at", it->added_at);
		folio_json_str(&j, "vendor", value(doc, "seller_name"));
		folio_json_str(&j, "invoice_number", value(doc, "invoice_number"));
		folio_json_str(&j, "issue_date", value(doc, "issue_date"));
		folio_json_decimal(&j, "gross_total", value(doc, "gross_total"));
		folio_json_str(&j, "currency", value(doc, "currency"));
		folio_json_open(&j, "reasons", '[');
		while (p && *p) {
			const char *e = strstr(p, "; ");
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char *one = strndup(p, n);

			if (one)
				folio_json_str(&j, NULL, one);
			free(one);
			p += n;
			if (e)
				p += 2;
		}
		folio_json_close(&j, ']');
		folio_json_open(&j, "fixes", '[');
		for (p = it->review; doc && p && *p;) {
			const char *e = strstr(p, "; ");
			size_t n = e ? (size_t)(e - p) : strlen(p);

			folio_strbuf_reset(&adv);
			folio_review_advice(doc, p, n, &adv);
			folio_json_str(&j, NULL, adv.buf);
			p = e ? e + 2 : NULL;
		}
		folio_json_close(&j, ']');
		if (it->dup_of)
			folio_json_int(&j, "possible_duplicate_of", it->dup_of);
		else
			folio_json_null(&j, "possible_duplicate_of");
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
	} else {
		folio_strbuf_addf(&sb, "%-6lld %-13s ", it->id, it->doc_type);
		folio_strbuf_add_quoted(&sb, it->path);
		folio_strbuf_addch(&sb, '\n');
		if (doc)
			summary(&sb, doc);
		while (p && *p) {
			const char *e = strstr(p, "; ");
			size_t n = e ? (size_t)(e - p) : strlen(p);

			folio_strbuf_addf(&sb, "       - %.*s\n", (int)n, p);
			if (doc) {
				folio_strbuf_reset(&adv);
				if (folio_review_advice(doc, p, n, &adv) == 0)
					folio_strbuf_addf(&sb, "         %s\n", adv.buf);
			}
			p = e ? e + 2 : NULL;
		}
		if (it->dup_of)
			folio_strbuf_addf(&sb,
					  "       - possible duplicate of document %lld "
					  "(folio show %lld)\n",
					  it->dup_of, it->dup_of);
		folio_strbuf_addf(&sb,
				  "         checked and right as it is: folio review --done "
				  "%lld\n",
				  it->id);
	}
	if (sb.buf)
		fputs(sb.buf, stdout);
	folio_strbuf_release(&sb);
	folio_strbuf_release(&adv);
	folio_doc_free(doc);
	o->n++;
	return 0;
}

static int review_done(struct cli *cli, const struct command *c, const char *arg, const char *note,
		       int json)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc = NULL;
	long long id = cli_doc_id(c, arg);
	char ubuf[32];
	int ret = EXIT_OK;

	if (!id)
		return EXIT_USAGE;
	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if (folio_review_accept(arc, id, cli_who(ubuf, sizeof(ubuf)), note, &doc, &err) !=
	    FOLIO_OK) {
		ret = err.kind == FOLIO_E_USAGE ? cli_error(EXIT_FAIL, "review: %s", err.msg) :
						  cli_fail(&err);
	} else if (json) {
		struct folio_strbuf sb;
		struct folio_json j;
		const struct folio_field *acc = folio_doc_field(doc, "review_accepted");

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", id);
		folio_json_str(&j, "status", doc->status);
		folio_json_str(&j, "accepted", acc ? acc->value : NULL);
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet) {
		printf("document %lld: reviewed, %s\n", id, doc->status);
	}
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}

int cmd_review(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "limit=", "done=", "note=", NULL };
	const struct command *c = cli_command("review");
	const char *vals[4] = { 0 };
	struct folio_err err = { 0 };
	struct review_out o = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, limit = 0;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc)
		return cli_error(EXIT_USAGE, "review: unexpected argument '%s'", argv[first]);
	if (vals[3] && !vals[2])
		return cli_error(EXIT_USAGE, "review: --note goes with --done ID");
	if (vals[2]) {
		if (vals[1])
			return cli_error(EXIT_USAGE, "review: --done takes no --limit");
		return review_done(cli, c, vals[2], vals[3], vals[0] != NULL);
	}
	if (vals[1]) {
		char *end;
		long v = strtol(vals[1], &end, 10);

		if (*end || v < 1 || v > 1000000000)
			return cli_error(EXIT_USAGE, "review: --limit wants a positive number");
		limit = (int)v;
	}
	o.json = vals[0] != NULL;
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	o.arc = arc;
	if (folio_archive_review(arc, limit, print_item, &o, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (!o.json && !o.n && isatty(1) && !cli_flags.quiet)
		printf("nothing to review\n");
	folio_archive_close(arc);
	return ret;
}
