/* cmd_fix.c - folio fix ID FIELD=VALUE...: correct extracted fields. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/values.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_fix(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "fields", NULL };
	const struct command *c = cli_command("fix");
	const char *vals[2] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_fix *fx;
	struct folio_doc *doc = NULL;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, i, n;
	long long id;
	char ubuf[32];

	if (first < 0)
		return EXIT_USAGE;
	if (vals[1]) {
		/* what FIELD may be, a line each (for completion and scripts) */
		const char *p = cli->cfg.custom_fields;

		for (i = 0; i < FOLIO_NFIELDS; i++)
			if (strcmp(folio_field_defs[i].kind, "json"))
				printf("%s\n", folio_field_defs[i].name);
		while (p && *p) {
			size_t len;

			p += strspn(p, " ,\t");
			if ((len = strcspn(p, " ,\t")))
				printf("%.*s\n", (int)len, p);
			p += len;
		}
		return EXIT_OK;
	}
	if (argc - first < 2)
		return cli_error(EXIT_USAGE,
				 "fix: expected ID FIELD=VALUE... (see 'folio fix --help')");
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	n = argc - first - 1;
	if (!(fx = calloc((size_t)n, sizeof(*fx))))
		return cli_error(EXIT_FAIL, "out of memory");
	for (i = 0; i < n; i++) {
		char *arg = argv[first + 1 + i], *eq = strchr(arg, '=');

		if (!eq || eq == arg) {
			free(fx);
			return cli_error(EXIT_USAGE, "fix: '%s' is not FIELD=VALUE", arg);
		}
		*eq = '\0';
		fx[i].name = arg;
		fx[i].value = eq + 1;
	}
	if (!(arc = cli_open(cli, 0))) {
		free(fx);
		return EXIT_FAIL;
	}
	if (folio_fix_doc(arc, &cli->cfg, id, fx, (size_t)n, cli_who(ubuf, sizeof(ubuf)), &doc,
			  &err) != FOLIO_OK) {
		ret = err.kind == FOLIO_E_USAGE ? cli_error(EXIT_USAGE, "fix: %s", err.msg) :
						  cli_fail(&err);
	} else if (vals[0]) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", id);
		folio_json_str(&j, "status", doc->status);
		folio_json_str(&j, "review", doc->review);
		folio_json_open(&j, "fields", '{');
		for (i = 0; i < n; i++) {
			const struct folio_field *f = folio_doc_field(doc, fx[i].name);

			if (f)
				folio_json_str(&j, f->name, f->value);
		}
		folio_json_close(&j, '}');
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet) {
		printf("document %lld: %s\n", id, doc->status);
		if (doc->review)
			printf("still needs review: %s\n", doc->review);
		for (i = 0; i < n; i++) {
			const struct folio_field *f = folio_doc_field(doc, fx[i].name);

			if (f)
				printf("  %-16s %s\n", f->name, f->value);
		}
	}
	folio_doc_free(doc);
	free(fx);
	folio_archive_close(arc);
	return ret;
}
