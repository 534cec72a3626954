/* cmd_stats.c - folio stats [--json]: counts, sizes, pages. */
#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void rows_json(struct folio_json *j, const char *name, const struct folio_stat_row *rows,
		      int n)
{
	int i;

	folio_json_open(j, name, '{');
	for (i = 0; i < n; i++) {
		folio_json_open(j, rows[i].key, '{');
		folio_json_int(j, "documents", rows[i].count);
		folio_json_int(j, "pages", rows[i].pages);
		folio_json_int(j, "bytes", rows[i].bytes);
		folio_json_close(j, '}');
	}
	folio_json_close(j, '}');
}

static void rows_text(const char *title, const struct folio_stat_row *rows, int n)
{
	int i;

	printf("\nby %s:\n", title);
	for (i = 0; i < n; i++)
		printf("  %-28s %6lld docs %7lld pages %12lld bytes\n", rows[i].key, rows[i].count,
		       rows[i].pages, rows[i].bytes);
	if (!n)
		printf("  (none)\n");
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("stats");
	const char *vals[1] = { 0 };
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_stats st;
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "stats: unexpected argument '%s'", argv[first]);
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_stats(arc, &st, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
		goto out;
	}
	if (vals[0]) {
		struct folio_json j;

		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "documents", st.documents);
		folio_json_int(&j, "pages", st.pages);
		folio_json_int(&j, "bytes", st.bytes);
		folio_json_int(&j, "words", st.words);
		folio_json_int(&j, "quarantined", st.quarantined);
		folio_json_int(&j, "duplicates", st.duplicates);
		folio_json_int(&j, "database_bytes", st.db_bytes);
		rows_json(&j, "by_type", st.by_type, st.ntypes);
		rows_json(&j, "by_status", st.by_status, st.nstatus);
		rows_json(&j, "by_mime", st.by_mime, st.nmimes);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
		if (sb.buf)
			fputs(sb.buf, stdout);
	} else {
		printf("archive:     %s\n", folio_archive_dir(arc));
		printf("documents:   %lld (%lld pages, %lld words)\n", st.documents, st.pages,
		       st.words);
		printf("originals:   %lld bytes\n", st.bytes);
		printf("database:    %lld bytes\n", st.db_bytes);
		printf("quarantined: %lld   duplicates: %lld (ingest events)\n", st.quarantined,
		       st.duplicates);
		rows_text("type", st.by_type, st.ntypes);
		rows_text("status", st.by_status, st.nstatus);
		rows_text("format", st.by_mime, st.nmimes);
	}
out:
	folio_strbuf_release(&sb);
	folio_archive_close(arc);
	return ret;
}
