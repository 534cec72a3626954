/* cmd_backup.c - folio backup OUT.tar[.gz|.zst] and folio restore BUNDLE
 * DIR: an archive into one verified bundle and back. */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "folio/strbuf.h"
#include "folio/util.h"

static void print_json(const char *key, const char *path, const struct folio_backup_info *info,
		       int ok, const struct folio_err *err)
{
	struct folio_strbuf sb;
	struct folio_json j;

	cli_json_begin(&j, &sb);
	folio_json_bool(&j, "ok", ok);
	folio_json_str(&j, key, path);
	folio_json_int(&j, "members", info->members);
	folio_json_int(&j, "originals", info->originals);
	folio_json_int(&j, "exports", info->exports);
	folio_json_int(&j, "bytes", info->bytes);
	folio_json_int(&j, "schema", info->schema);
	folio_json_int(&j, "events", info->events);
	folio_json_str(&j, "head", info->head);
	folio_json_str(&j, "created", info->created);
	folio_json_int(&j, "problems", info->problems);
	folio_json_int(&j, "interrupted", info->interrupted);
	if (ok)
		folio_json_null(&j, "error");
	else
		folio_json_str(&j, "error", err->msg);
	cli_json_end(&j, &sb);
}

static int fail(const struct folio_err *err)
{
	/* a backend without backup fails as delete and export do there */
	if (err->sys_errno == ENOSYS)
		return cli_error(EXIT_FAIL, "%s", err->msg);
	return cli_fail(err);
}

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("backup");
	const char *vals[1] = { 0 };
	struct folio_backup_info info;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int ret, first = cli_parse(c, argc, argv, specs, vals);

	if (first < 0)
		return EXIT_USAGE;
	if (first != argc - 1)
		return cli_error(EXIT_USAGE,
				 "backup: expected one bundle name, OUT.tar, OUT.tar.gz or "
				 "OUT.tar.zst (see 'folio backup --help')");
	/* read-only: the snapshot reads in one transaction beside the daemon */
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	ret = folio_archive_backup(arc, argv[first], &info, &err);
	folio_archive_close(arc);
	if (vals[0])
		print_json("bundle", argv[first], &info, ret == FOLIO_OK, &err);
	if (ret != FOLIO_OK)
		return fail(&err);
	if (!vals[0] && !cli_flags.quiet)
		printf("backup %s: database (schema %d, %lld events, head %.16s), %lld originals, "
		       "%lld export copies, %lld bytes\n",
		       argv[first], info.schema, info.events, info.head[0] ? info.head : "none",
		       info.originals, info.exports, info.bytes);
	return EXIT_OK;
}

static void on_problem(void *arg, const char *problem)
{
	(void)arg;
	fprintf(stderr, "folio: problem: %s\n", problem);
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json", NULL };
	const struct command *c = cli_command("restore");
	const char *vals[1] = { 0 };
	struct folio_backup_info info;
	struct folio_err err = { 0 };
	int ret, first = cli_parse(c, argc, argv, specs, vals);

	(void)cli;
	if (first < 0)
		return EXIT_USAGE;
	if (first != argc - 2)
		return cli_error(EXIT_USAGE, "restore: expected BUNDLE DIR (see 'folio restore "
					     "--help')");
	ret = folio_archive_restore(argv[first], argv[first + 1], &info, on_problem, NULL, &err);
	if (vals[0])
		print_json("archive", argv[first + 1], &info, ret == FOLIO_OK, &err);
	if (ret != FOLIO_OK)
		return fail(&err);
	if (!vals[0] && !cli_flags.quiet)
		printf("restored %s into %s: database (schema %d), %lld originals, %lld export "
		       "copies, %lld bytes, every sha256 as the manifest says; audit log %lld "
		       "events, head %.16s; folio verify: archive ok\n",
		       argv[first], argv[first + 1], info.schema, info.originals, info.exports,
		       info.bytes, info.events, info.head[0] ? info.head : "none");
	if (!vals[0] && !cli_flags.quiet && info.interrupted)
		printf("journal: %lld file%s in hand at the snapshot marked interrupted (not in "
		       "this archive; still in the original's inbox)\n",
		       info.interrupted, info.interrupted == 1 ? "" : "s");
	return EXIT_OK;
}
