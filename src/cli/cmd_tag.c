/* cmd_tag.c - folio tag ID [+TAG|-TAG]...: change a document's tags. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "folio/doc.h"

int cmd_tag(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const struct command *c = cli_command("tag");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc = NULL;
	const char **add, **del;
	int first, i, na = 0, nd = 0, ret = EXIT_OK;
	long long id;
	size_t k;

	/* "-x" is a tag to remove, not an option: only --help is looked for */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_usage(c, stdout);
			return EXIT_OK;
		}
	(void)specs;
	(void)vals;
	first = 1;
	if (argc - first < 1)
		return cli_error(EXIT_USAGE, "tag: expected a document id (see 'folio tag --help')");
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
	else {
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
