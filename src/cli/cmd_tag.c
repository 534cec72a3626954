/* cmd_tag.c - folio tag ID [+TAG|-TAG]...: change a document's tags. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_tag(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const struct command *c = cli_command("tag");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc = NULL;
	const char **add, **del;
	int first, i, na = 0, nd = 0, ret = EXIT_OK, json = 0, nargs = 1;
	long long id;
	size_t k;

	/* "-x" is a tag to remove, not an option: only the long options
	 * are looked for (--help, --json and the common ones), and "--"
	 * ends them */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				argv[nargs++] = argv[i];
			break;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_usage(c, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (!strncmp(argv[i], "--", 2)) {
			int got = cli_common_option(argv[i], 0);

			if (got < 0)
				return EXIT_USAGE;
			if (got)
				continue;
			return cli_error(EXIT_USAGE,
					 "tag: unknown option '%s' (a tag to remove is "
					 "-TAG)",
					 argv[i]);
		}
		argv[nargs++] = argv[i];
	}
	argc = nargs;
	(void)specs;
	(void)vals;
	first = 1;
	if (argc - first < 1)
		return cli_error(EXIT_USAGE,
				 "tag: expected a document id (see 'folio tag --help')");
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	add = calloc((size_t)argc, sizeof(*add));
	del = calloc((size_t)argc, sizeof(*del));
	if (!add || !del) {
		free(add);
		free(del);
		return cli_error(EXIT_FAIL, "out of memory");
	}
	for (i = first + 1; i < argc; i++) {
		if (argv[i][0] == '+' && argv[i][1])
			add[na++] = argv[i] + 1;
		else if (argv[i][0] == '-' && argv[i][1])
			del[nd++] = argv[i] + 1;
		else {
			ret = cli_error(EXIT_USAGE, "tag: '%s' is neither +TAG nor -TAG", argv[i]);
			goto done;
		}
	}
	if (!(arc = cli_open(cli, 0))) {
		ret = EXIT_FAIL;
		goto done;
	}
	if ((na || nd) && folio_archive_tag(arc, id, add, del, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (folio_archive_get(arc, id, &doc, &err) != FOLIO_OK)
		ret = cli_fail(&err);
	else if (json) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", id);
		folio_json_open(&j, "tags", '[');
		for (k = 0; k < doc->ntags; k++)
			folio_json_str(&j, NULL, doc->tags[k]);
		folio_json_close(&j, ']');
		cli_json_end(&j, &sb);
	} else if (!cli_flags.quiet) {
		/* the tags as they are now */
		for (k = 0; k < doc->ntags; k++)
			printf("%s%s", k ? " " : "", doc->tags[k]);
		putchar('\n');
	}
	folio_doc_free(doc);
	folio_archive_close(arc);
done:
	free(add);
	free(del);
	return ret;
}
