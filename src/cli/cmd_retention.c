/* cmd_retention.c - folio retention [--json] [--all]: the documents whose
 * retention period (the config's rules) is over. */
#include <string.h>

#include "cli.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

int cmd_retention(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", "all", NULL };
	const struct command *c = cli_command("retention");
	const char *vals[2] = { 0 };
	struct folio_retention r;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	char now[32], today[11];
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK;
	long long expired = 0;
	size_t i;

	if (first < 0)
		return EXIT_USAGE;
	if (first < argc)
		return cli_error(EXIT_USAGE, "retention: unexpected argument '%s'", argv[first]);
	if (!cli->cfg.retention && folio_config_retention_country(cli->cfg.retention_country) <= 0)
		return cli_error(EXIT_FAIL, "retention: no rules: set 'retention' or"
					    " 'retention_country' in the config (folio.conf(5))");
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	folio_iso_now(now);
	snprintf(today, sizeof(today), "%.10s", now);
	if (folio_retention_plan(arc, &cli->cfg, today, &r, &err) != FOLIO_OK) {
		ret = err.kind == FOLIO_E_USAGE ? cli_error(EXIT_USAGE, "retention: %s", err.msg) :
						  cli_fail(&err);
		folio_archive_close(arc);
		return ret;
	}
	for (i = 0; i < r.n; i++) {
		const struct folio_retention_item *it = &r.it[i];
		struct folio_hold h;

		if (!it->expired && !vals[1])
			continue;
		expired += it->expired;
		if (folio_archive_hold_state(arc, it->id, &h, &err) != FOLIO_OK) {
			ret = cli_fail(&err);
			break;
		}
		if (vals[0]) {
			struct folio_strbuf sb;
			struct folio_json j;

			cli_json_begin(&j, &sb);
			folio_json_int(&j, "id", it->id);
			folio_json_str(&j, "doc_type", it->doc_type);
			folio_json_str(&j, "date", it->date);
			folio_json_str(&j, "rule", it->rule);
			folio_json_int(&j, "years", it->years);
			folio_json_str(&j, "until", it->until);
			folio_json_bool(&j, "expired", it->expired);
			folio_json_bool(&j, "held", h.held);
			cli_json_end(&j, &sb);
		} else {
			printf("%-6lld %-13s %-10s %s %s (%s)%s\n", it->id, it->doc_type, it->date,
			       it->expired ? "expired on" : "kept until", it->until, it->rule,
			       h.held ? ", on legal hold" : "");
		}
	}
	if (ret == EXIT_OK && !vals[0] && !cli_flags.quiet)
		fprintf(stderr, "folio: %lld of %zu document%s under a rule past retention\n",
			expired, r.n, r.n == 1 ? "" : "s");
	folio_retention_release(&r);
	folio_archive_close(arc);
	return ret;
}
