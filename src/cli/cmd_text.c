/* cmd_text.c - folio text ID: the recognised text, pages separated by
 * form feeds. */
#include "cli.h"
#include "folio/doc.h"

int cmd_text(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const struct command *c = cli_command("text");
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc = NULL;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;
	long long id;

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc - 1)
		return cli_error(EXIT_USAGE, "text: expected one document id (see 'folio text --help')");
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_get(arc, id, &doc, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
	} else {
		fputs(doc->text.buf ? doc->text.buf : "", stdout);
		if (doc->text.len && doc->text.buf[doc->text.len - 1] != '\n')
			putchar('\n');
	}
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}
