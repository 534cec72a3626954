/* cmd_delete.c - folio delete [--json] [--dry-run] [--force] --reason TEXT
 * ID... | --query QUERY: remove documents, leaving a tombstone event. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "folio/pipeline.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void print_one(const struct folio_deletion *d, int json, int dry, int r,
		      const struct folio_err *err)
{
	struct folio_strbuf name = FOLIO_STRBUF_INIT;

	if (json) {
		struct folio_strbuf sb;
		struct folio_json j;

		cli_json_begin(&j, &sb);
		folio_json_int(&j, "id", d->id);
		if (d->sha256[0]) {
			folio_json_str(&j, "sha256", d->sha256);
			folio_json_str(&j, "name", d->name);
			folio_json_str(&j, "doc_type", d->doc_type);
			folio_json_int(&j, "pages", d->pages);
			folio_json_int(&j, "fields", d->fields);
			folio_json_bool(&j, "held", d->held);
			folio_json_bool(&j, "exported", d->exported);
			folio_json_bool(&j, "original_removed", r == FOLIO_OK && d->original_goes);
			folio_json_bool(&j, "source_removed", r == FOLIO_OK && d->source_goes);
		}
		folio_json_bool(&j, "deleted", r == FOLIO_OK && !dry);
		folio_json_bool(&j, "dry_run", dry);
		if (r == FOLIO_OK)
			folio_json_null(&j, "refused");
		else
			folio_json_str(&j, "refused", err->msg);
		cli_json_end(&j, &sb);
		return;
	}
	if (r != FOLIO_OK) {
		/* the reason on stderr, as every refusal */
		cli_error(EXIT_FAIL, "%s%s", dry ? "would refuse: " : "refused: ", err->msg);
		return;
	}
	if (cli_flags.quiet)
		return;
	folio_strbuf_add_escaped(&name, d->name);
	printf("%s document %lld (%s, %s, %lld page%s, %lld field%s)%s\n",
	       dry ? "would delete" : "deleted", d->id, name.buf ? name.buf : "", d->doc_type,
	       d->pages, d->pages == 1 ? "" : "s", d->fields, d->fields == 1 ? "" : "s",
	       d->original_goes ? (d->source_goes ? "; original and its scanned batch removed" :
						    "; original removed") :
				  "; original kept: another document shares it");
	folio_strbuf_release(&name);
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = {
		"json", "dry-run", "force", "reason=", "query=", NULL
	};
	const struct command *c = cli_command("delete");
	const char *vals[5] = { 0 };
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	struct folio_archive *arc;
	struct cli_ids ids;
	struct folio_retention plan = { 0 };
	char ubuf[32], *qv[1];
	int first = cli_parse(c, argc, argv, specs, vals), ret, dry, flags, i;
	long long done = 0, refused = 0;
	size_t k;

	if (first < 0)
		return EXIT_USAGE;
	dry = vals[1] != NULL;
	if (vals[4] && first < argc)
		return cli_error(EXIT_USAGE, "delete: give either ids or --query, not both");
	if (!vals[4] && first >= argc)
		return cli_error(
			EXIT_USAGE,
			"delete: expected ID... or --query QUERY (see 'folio delete --help')");
	/* a word by mistake must not become a query that matches much */
	for (i = first; i < argc; i++)
		if (!cli_doc_id(c, argv[i]))
			return EXIT_USAGE;
	if (!dry && (!vals[3] || !*vals[3]))
		return cli_error(EXIT_USAGE,
				 "delete: --reason TEXT is required (kept in the tombstone)");
	if (!(arc = cli_open(cli, dry ? FOLIO_ARCHIVE_RDONLY : 0)))
		return EXIT_FAIL;
	if (vals[4]) {
		qv[0] = (char *)vals[4];
		ret = cli_select(arc, c, 1, qv, &ids);
		if (ret == EXIT_OK && !ids.query) /* digits only: still a query */
			ret = cli_error(EXIT_USAGE, "delete: --query '%s' is an id: give it alone",
					vals[4]);
	} else {
		ret = cli_select(arc, c, argc - first, argv + first, &ids);
	}
	if (ret != EXIT_OK) {
		cli_ids_release(&ids);
		folio_archive_close(arc);
		return ret;
	}
	folio_strbuf_addf(&detail, "%s (by %s)", vals[3] && *vals[3] ? vals[3] : "dry run",
			  cli_who(ubuf, sizeof(ubuf)));
	flags = (vals[2] ? FOLIO_DELETE_FORCE : 0) | (dry ? FOLIO_DELETE_DRY_RUN : 0);
	/* without --force: exported and past the config's retention */
	if (!vals[2]) {
		struct folio_err err = { 0 };
		char now[32];

		folio_iso_now(now);
		now[10] = '\0';
		if (folio_retention_plan(arc, &cli->cfg, now, &plan, &err) != FOLIO_OK) {
			ret = cli_fail(&err);
			goto out;
		}
	}
	for (k = 0; k < ids.n && detail.buf; k++) {
		struct folio_err err = { 0 };
		struct folio_deletion d;
		const struct folio_retention_item *it = folio_retention_find(&plan, ids.id[k]);
		int r = folio_archive_delete(arc, ids.id[k], detail.buf,
					     flags | (it && it->expired ? FOLIO_DELETE_EXPIRED : 0),
					     &d, &err);

		if (r != FOLIO_OK && err.kind != FOLIO_E_REFUSED && err.kind != FOLIO_E_NOTFOUND) {
			/* the reason, the backend, the database: nothing else can go
			 * (a backend without deletion fails as export does there) */
			ret = err.sys_errno == ENOSYS ? cli_error(EXIT_FAIL, "%s", err.msg) :
							cli_fail(&err);
			break;
		}
		print_one(&d, vals[0] != NULL, dry, r, &err);
		if (r == FOLIO_OK)
			done++;
		else
			refused++, ret = EXIT_FAIL;
	}
	if (!detail.buf)
		ret = cli_error(EXIT_FAIL, "out of memory");
	else if (!vals[0] && !cli_flags.quiet && ids.n > 1)
		fprintf(stderr, "folio: %lld %s, %lld refused\n", done,
			dry ? "would be deleted" : "deleted", refused);
out:
	folio_retention_release(&plan);
	folio_strbuf_release(&detail);
	cli_ids_release(&ids);
	folio_archive_close(arc);
	return ret;
}
