/* cmd_hold.c - folio hold [--json] [--release] --reason TEXT ID...|QUERY:
 * put documents on legal hold (no deletion until released), or release
 * them. */
#include <string.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_hold(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "release", "reason=", NULL };
	const struct command *c = cli_command("hold");
	const char *vals[3] = { 0 };
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	struct folio_archive *arc;
	struct cli_ids ids;
	char ubuf[32];
	int first = cli_parse(c, argc, argv, specs, vals), ret, on;
	size_t i;

	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc)
		return cli_error(EXIT_USAGE,
				 "hold: expected ID... or QUERY (see 'folio hold --help')");
	if (!vals[2] || !*vals[2])
		return cli_error(EXIT_USAGE, "hold: --reason TEXT is required (kept in the log)");
	on = !vals[1];
	if (!(arc = cli_open(cli, 0)))
		return EXIT_FAIL;
	if ((ret = cli_select(arc, c, argc - first, argv + first, &ids)) != EXIT_OK) {
		folio_archive_close(arc);
		return ret;
	}
	folio_strbuf_addf(&detail, "%s (by %s)", vals[2], cli_who(ubuf, sizeof(ubuf)));
	for (i = 0; i < ids.n && detail.buf; i++) {
		struct folio_err err = { 0 };
		int r = folio_archive_hold(arc, ids.id[i], on, detail.buf, &err);

		if (r < 0) {
			int code = cli_fail(&err);

			if (err.kind == FOLIO_E_USAGE) { /* the reason: the same for all */
				ret = code;
				break;
			}
			ret = EXIT_FAIL;
			continue;
		}
		if (r == FOLIO_WARN && !cli_flags.quiet)
			fprintf(stderr, "folio: note: %s\n", err.msg);
		if (vals[0]) {
			struct folio_strbuf sb;
			struct folio_json j;

			cli_json_begin(&j, &sb);
			folio_json_int(&j, "id", ids.id[i]);
			folio_json_bool(&j, "held", on);
			folio_json_bool(&j, "changed", r == FOLIO_OK);
			cli_json_end(&j, &sb);
		} else if (!cli_flags.quiet && r == FOLIO_OK) {
			printf(on ? "document %lld is on legal hold\n" :
				    "document %lld is released from legal hold\n",
			       ids.id[i]);
		}
	}
	if (!detail.buf)
		ret = cli_error(EXIT_FAIL, "out of memory");
	folio_strbuf_release(&detail);
	cli_ids_release(&ids);
	folio_archive_close(arc);
	return ret;
}
