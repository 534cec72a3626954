/* cmd_note.c - folio note [--json] ID [TEXT...]: a person's note on a
 * document (searchable, exported); without TEXT, the notes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void print_notes(const struct folio_doc *doc, long long id, int json)
{
	const struct folio_field *f = folio_doc_field(doc, "note");

	if (json) {
		struct folio_strbuf sb;
		struct folio_json j;
		const char *p = f ? f->value : NULL;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", id);
		folio_json_open(&j, "notes", '[');
		while (p && *p) {
			size_t n = strcspn(p, "\n");
			char *one = strndup(p, n);

			if (one)
				folio_json_str(&j, NULL, one);
			free(one);
			p += n;
			if (*p)
				p++;
		}
		folio_json_close(&j, ']');
		cli_json_end(&j, &sb);
	} else if (f && *f->value) {
		struct folio_strbuf sb = FOLIO_STRBUF_INIT;
		const char *p = f->value;

		/* one line per note, nothing a terminal would obey */
		while (*p) {
			size_t n = strcspn(p, "\n");
			char *one = strndup(p, n);

			folio_strbuf_reset(&sb);
			folio_strbuf_add_escaped(&sb, one ? one : "");
			printf("%s\n", sb.buf ? sb.buf : "");
			free(one);
			p += n;
			if (*p)
				p++;
		}
		folio_strbuf_release(&sb);
	}
}

int cmd_note(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("note");
	const char *vals[1] = { 0 };
	struct folio_strbuf text = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc = NULL;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, i;
	long long id;
	char ubuf[32];

	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return cli_error(EXIT_USAGE,
				 "note: expected ID [TEXT...] (see 'folio note --help')");
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	/* several words form one note, as a shell user would expect */
	for (i = first + 1; i < argc; i++) {
		if (i > first + 1)
			folio_strbuf_addch(&text, ' ');
		folio_strbuf_adds(&text, argv[i]);
	}
	if (!(arc = cli_open(cli, first + 1 < argc ? 0 : FOLIO_ARCHIVE_RDONLY))) {
		folio_strbuf_release(&text);
		return EXIT_FAIL;
	}
	if (first + 1 >= argc) {
		if (folio_archive_get(arc, id, &doc, &err) != FOLIO_OK)
			ret = cli_fail(&err);
		else
			print_notes(doc, id, vals[0] != NULL);
	} else if (!text.buf) {
		ret = cli_error(EXIT_FAIL, "out of memory");
	} else if (folio_note_doc(arc, &cli->cfg, id, text.buf, cli_who(ubuf, sizeof(ubuf)), &doc,
				  &err) != FOLIO_OK) {
		ret = err.kind == FOLIO_E_USAGE ? cli_error(EXIT_USAGE, "note: %s", err.msg) :
						  cli_fail(&err);
	} else if (vals[0] || !cli_flags.quiet) {
		print_notes(doc, id, vals[0] != NULL);
	}
	folio_doc_free(doc);
	folio_archive_close(arc);
	folio_strbuf_release(&text);
	return ret;
}
