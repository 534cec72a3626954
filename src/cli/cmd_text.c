/* cmd_text.c - folio text ID: the recognised text, pages separated by
 * form feeds. */
#include "cli.h"
#include "folio/doc.h"

int cmd_text(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const char *vals[1] = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc;
	int ret = cli_load_doc(cli, cli_command("text"), argc, argv, specs, vals, &arc, &doc);

	if (ret >= 0)
		return ret;
	fputs(doc->text.buf ? doc->text.buf : "", stdout);
	if (doc->text.len && doc->text.buf[doc->text.len - 1] != '\n')
		putchar('\n');
	folio_doc_free(doc);
	folio_archive_close(arc);
	return EXIT_OK;
}
