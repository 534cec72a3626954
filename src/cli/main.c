/*
 * main.c - folio's entry point: global options, the subcommand table.
 *
 *   folio [--archive DIR] [--config FILE] COMMAND [ARGS...]
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 *
 * Built twice. folio-engine (FOLIO_ENGINE) holds every command and links
 * the whole stack: Tesseract, Leptonica, MuPDF, libarchive, zbar, libxml2.
 * folio, the command people type, is the lean front (FOLIO_LEAN): the
 * commands that read the archive run in it with SQLite alone, so a search
 * starts in a few milliseconds instead of loading 80 libraries; the
 * commands that decode or write invoices (ingest, watch, export, fix,
 * train) replace it with folio-engine, same arguments, same process.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/decode.h"
#include "folio/ocr.h"
#include "folio/strbuf.h"
#include "folio/util.h"

#ifdef FOLIO_LEAN
/* run by folio-engine: see engine_exec() */
#define ENGINE(fn) cli_engine
static int cli_engine(struct cli *cli, int argc, char **argv);
#else
#define ENGINE(fn) fn
#endif

static char **main_argv; /* as given, for the engine */

/* Sorted by name; `folio help` and the man page list them in this order. */
/* clang-format off */
static const struct command commands[] = {
	{ "backup", ENGINE(cmd_backup), "[--json] OUT.tar|OUT.tar.gz|OUT.tar.zst",
	  "write the archive into one bundle: database snapshot, originals, export copies",
	  "  --json        one JSON object on stdout (see OUTPUT KEYS)\n"
	  "safe while folio watch runs: the database is a consistent snapshot (VACUUM\n"
	  "  INTO) and the originals it names are streamed after it; MANIFEST.json, the\n"
	  "  last member, gives every member's sha256 and size and the audit log's head\n"
	  "written to OUT.tmp.PID beside OUT and renamed when complete; OUT is never\n"
	  "  overwritten; on failure (a full disk) nothing is left behind\n"
	  "not on PostgreSQL archives yet (pg_dump, or folio migrate --to DIR first)\n" },
	{ "cat", cmd_cat, "[--source] ID | --asn N", "write a document's original bytes to stdout",
	  "  --asn N       the document whose archive serial number is N (ASN000123 or 123)\n"
	  "  --source      the scanned batch a split part was cut from, as the scanner wrote it\n" },
	{ "delete", cmd_delete,
	  "[--json] [--dry-run] [--force] --reason TEXT ID... | --query QUERY",
	  "remove documents (original, text, fields, index), leaving a tombstone event",
	  "  --reason TEXT  why (required unless --dry-run; kept in the audit log with who)\n"
	  "  --query QUERY  every document a search query matches (as in folio search)\n"
	  "  --dry-run      list what would be deleted and what refused; change nothing\n"
	  "  --force        also documents never exported or not past their retention\n"
	  "                 (without it a document must be both)\n"
	  "  --json         one JSON object per document on stdout\n"
	  "a document on legal hold is never deleted (folio hold --release first);\n"
	  "an original shared with another document stays until the last one goes\n"
	  "exit status 1 when a document was refused (the others are deleted)\n" },
	{ "export", ENGINE(cmd_export),
	  "--to FORMAT|--profile NAME [--out PATH] [--set K=V]... [--dry-run] [QUERY]",
	  "write invoices for accounting (csv, xlsx, jsonl, ledger, ubl, cii, ksef), each once",
	  "  --to FORMAT        the format (folio export --list shows them and their settings)\n"
	  "  --profile NAME     settings from the config's [export NAME] section\n"
	  "  --set KEY=VALUE    one setting, over the profile (repeatable)\n"
	  "  --out PATH         the file (folder for ubl, cii, ksef); '-' for stdout;\n"
	  "                     default folio-FORMAT-DATE-TIME[.EXT] here; never overwritten\n"
	  "  --dry-run          list what would be exported, refused or held; write nothing\n"
	  "  --include-review   also documents that need review\n"
	  "  --force            also probable duplicates of invoices already exported\n"
	  "  --again BATCH      write a past batch again, byte for byte (to --out)\n"
	  "  --history          list the batches\n"
	  "  --list             list the formats\n"
	  "  --json             one JSON object per document and a summary on stdout\n"
	  "QUERY: search filters and words, as in folio search (default: every invoice\n"
	  "  and credit note not yet exported to this target, not needing review)\n"
	  "exit status 1 when an invoice was refused (the rest is written)\n" },
	{ "fix", ENGINE(cmd_fix), "[--json] ID FIELD=VALUE... | --fields",
	  "correct extracted fields by hand (validated, audited, never overwritten)",
	  "  FIELD is one of invoice_number issue_date supply_date due_date currency\n"
	  "  seller_name seller_tax_id buyer_name buyer_tax_id net_total vat_total\n"
	  "  gross_total amount_due iban order_reference doc_type, and the other fields\n"
	  "  folio show lists (seller_address, buyer_country, preceding_invoice_number,\n"
	  "  preceding_invoice_date for a KSeF credit note, ...) and the config's\n"
	  "  custom_fields (cost_center=4711); dates in any printed form, tax IDs with\n"
	  "  their country prefix (PL5260001246), countries as ISO codes (PL)\n"
	  "  --json        the document's status, review and the fields as stored, as one\n"
	  "                JSON object\n"
	  "  --fields      list the field names (and custom_fields), a line each\n" },
	{ "help", NULL, "[COMMAND]", "show help for folio or one command", "" },
	{ "hold", cmd_hold, "[--json] [--release] --reason TEXT ID...|QUERY",
	  "put documents on legal hold (no deletion until released), or release them",
	  "  --reason TEXT  why (required; kept in the audit log with who gave it)\n"
	  "  --release      release the hold instead\n"
	  "  --json         one JSON object per document on stdout\n"
	  "ID...: document ids; anything else is a search query (as in folio search),\n"
	  "  every document it matches; folio search is:held lists the held ones\n" },
	{ "ingest", ENGINE(cmd_ingest), "[--json] PATH...",
	  "add files and folders (recursively) to the archive",
	  "  --json        one JSON object per document on stdout\n"
	  "  --workers N   parallel workers (default: one per core)\n"
	  "  --languages L Tesseract languages, e.g. pol+eng (default from config)\n" },
	{ "init", cmd_init, "[--json]", "create the archive (idempotent)",
	  "  --json        {\"archive\":DIR,\"schema\":N} on stdout\n" },
	{ "log", cmd_log, "[--json] [--since DATE] [ID]",
	  "the audit trail of a document or of the archive, oldest first",
	  "  --json        one JSON object per event on stdout (see OUTPUT KEYS)\n"
	  "  --since DATE  only events at or after DATE (YYYY-MM-DD or\n"
	  "                YYYY-MM-DDTHH:MM:SSZ, UTC)\n"
	  "events: archived, duplicate, quarantined, tagged, retyped, fixed (field old ->\n"
	  "  new, by whom), held, released, deleted; exports come from the export ledger\n"
	  "folio verify recomputes the events' hash chain\n" },
	{ "mail", ENGINE(cmd_mail), "--once [--account NAME] [--json] | --idle --account NAME",
	  "poll the config's IMAP accounts once: new messages and attachments archived",
	  "  --once          poll every account once and exit (1 if one could not be polled)\n"
	  "  --account NAME  only the account of section [account NAME]\n"
	  "  --json          one JSON object per account on stdout (see OUTPUT KEYS)\n"
	  "  --idle          poll the account, then wait for new mail by IMAP IDLE and\n"
	  "                  poll again, until SIGTERM (folio watch, for idle = yes)\n" },
	{ "migrate", cmd_migrate, "--to DIR|postgresql://... [--json]",
	  "copy the archive into a new one on the other backend, verified",
	  "  --to TARGET   a folder (SQLite) or a PostgreSQL address, holding no archive\n"
	  "                yet: documents, originals, pages, fields, tags, events (with\n"
	  "                their hashes), vendors, the export ledger and its copies\n"
	  "  --json        one JSON object on stdout: ok, to, tables (rows from, to),\n"
	  "                originals, bytes, problems\n"
	  "every table's rows are counted on both sides, every original is read back\n"
	  "and re-hashed, and folio verify runs on the copy; exit status 1 when any\n"
	  "of it differs, 2 when the target is not empty\n" },
	{ "note", ENGINE(cmd_note), "[--json] ID [TEXT...]",
	  "add a note to a document (searchable, exported); without TEXT, its notes",
	  "  --json        the document's notes as {\"id\":ID,\"notes\":[...]}\n"
	  "  each note is one line, kept with who wrote it and the day\n" },
	{ "open", cmd_open, "[--print] ID",
	  "copy the original to a temp file, print its path, open it on a desktop",
	  "  --print       only print the path, never run xdg-open\n" },
	{ "restore", ENGINE(cmd_restore), "[--json] BUNDLE DIR",
	  "rebuild an archive from a folio backup bundle in a new folder, verified",
	  "  --json        one JSON object on stdout (see OUTPUT KEYS)\n"
	  "DIR must be missing or empty (exit status 2 otherwise). Every member's name\n"
	  "  is checked first (no absolute path, no '..', no link, nothing a backup does\n"
	  "  not hold), then its sha256 and size against MANIFEST.json; a missing,\n"
	  "  extra or damaged member is refused by name. Then folio verify's checks\n"
	  "  run on the copy and its audit log's head must be the manifest's.\n"
	  "on any failure nothing is left in DIR (a folder restore made is removed)\n" },
	{ "retention", cmd_retention, "[--json] [--all]",
	  "the documents whose retention period (the config's rules) is over",
	  "  --all         also those still kept, with the day their period ends\n"
	  "  --json        one JSON object per document on stdout\n"
	  "rules: the config's retention (type:T=YEARS, tag:T=YEARS, vendor:NAME=YEARS)\n"
	  "  and retention_country (pl 5, es 6, pt 10, it 10 years for invoices, credit\n"
	  "  notes and receipts: documented defaults, not legal advice), from the end\n"
	  "  of the year of the invoice date (else the day added)\n" },
	{ "retype", cmd_retype, "[--json] ID TYPE", "correct a document's type by hand",
	  "  TYPE is invoice, credit_note, proforma, receipt, order, delivery_note,\n"
	  "  contract, form, letter or other\n"
	  "  --json        {\"id\":ID,\"doc_type\":TYPE} on stdout\n" },
	{ "review", cmd_review, "[--json] [--limit N] | --done ID [--note TEXT]",
	  "documents that need a person, with the reasons and the fix for each",
	  "  --json        one JSON object per document on stdout\n"
	  "  --limit N     at most N documents\n"
	  "  --done ID     a person checked the document: close its review\n"
	  "  --note TEXT   with --done: why (kept in the event log)\n" },
	{ "search", cmd_search, "[--json|--csv] [--limit N] [--offset N] [--sort S] [--count] QUERY",
	  "ranked full-text search with filters and highlighted snippets",
	  "  --json        one JSON object per hit on stdout\n"
	  "  --csv         RFC 4180 CSV with a header line\n"
	  "  --limit N     at most N hits (default 20)\n"
	  "  --offset N    skip the first N hits\n"
	  "  --sort S      score (default with words), date (default for filters only)\n"
	  "                or total\n"
	  "  --count       print only the number of matching documents (exit 0 for 0)\n"
	  "filters (mixed with words): type:T tag:T status:S mime:M id:N currency:C\n"
	  "  vendor:NAME nip:ID taxid:ID asn:N date:/issued:/due:/added:RANGE\n"
	  "  (2024, 2024-03, 2024-03-15 or A..B; also issued>=D, due<D) total:A..B,\n"
	  "  total>N; is:duplicate is:held is:exported is:unexported export:TARGET;\n"
	  "  e-mail: from:TEXT subject:TEXT in:ID (a message's attachments),\n"
	  "  account:NAME folder:NAME (from an IMAP account or folder);\n"
	  "  e.g. folio search 'type:invoice tag:fuel added:2024-01..2024-03 lodz'\n"
	  "exit status 1 when no document matches (as grep)\n" },
	{ "show", cmd_show, "[--json] ID", "a document's metadata, pages and fields",
	  "  --json        one JSON object on stdout\n" },
	{ "stats", cmd_stats, "[--json]", "counts and sizes by type, status and format",
	  "  --json        one JSON object on stdout\n" },
	{ "status", cmd_status, "[--json]",
	  "the watch daemon: alive, queue, throughput, last errors",
	  "  --json        one JSON object on stdout\n"
	  "exit status 3 when the daemon is not running\n" },
	{ "tag", cmd_tag, "[--json] ID [+TAG|-TAG]...",
	  "add (+) and remove (-) tags; prints the tags",
	  "  --json        {\"id\":ID,\"tags\":[...]} on stdout\n"
	  "  (only long options here: -TAG removes a tag; '--' ends the options)\n" },
	{ "templates", cmd_templates, "[--json]",
	  "where each vendor prints its fields (learnt from folio fix), as TSV for models/",
	  "  --json        one JSON object per template on stdout\n" },
	{ "text", cmd_text, "ID", "the document's recognised text", "" },
	{ "train", ENGINE(cmd_train), "[--json]",
	  "retrain the document-type model with the types people confirmed",
	  "  --json        one JSON object on stdout\n" },
	{ "vendors", cmd_vendors, "[--json] [--limit N]",
	  "the correspondents: tax ID, documents, last seen, name, IBANs, spellings",
	  "  --json        one JSON object per vendor on stdout\n"
	  "  --limit N     at most N vendors (most documents first)\n" },
	{ "verify", cmd_verify, "[--json]",
	  "check database, full-text index, originals (re-hashed) and journal",
	  "  --json        one JSON object on stdout: ok, problems, messages, read_only,\n"
	  "                fts_checked\n" },
	{ "watch", ENGINE(cmd_watch), "[--once] [INBOX...]",
	  "ingest what arrives in inbox folders: the scanning-station daemon",
	  "  --once        process what is there now, wait for it, exit (1 if any was\n"
	  "                quarantined)\n"
	  "  --settle-ms N a file must keep its size and mtime this long (default 2000)\n"
	  "  --backend B   auto, inotify or poll (default from config: auto)\n" },
};
/* clang-format on */

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *cli_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The command a mistyped name was meant to be, or NULL. */
static const char *command_meant(const char *name)
{
	const char *names[NCOMMANDS + 1];
	size_t i, n = 0;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].fn)
			names[n++] = commands[i].name;
	names[n] = NULL;
	return folio_suggest(name, names);
}

void cli_usage(const struct command *c, FILE *out)
{
	fprintf(out, "usage: folio [--archive DIR] [--config FILE] %s%s%s\n\n%s.\n", c->name,
		*c->usage ? " " : "", c->usage, c->summary);
	fprintf(out, "\noptions:\n%s  --help, -h    show this help\n", c->help ? c->help : "");
	fprintf(out, "  -q, -v, --color[=WHEN]  quiet, verbose, colour (see folio --help)\n");
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: folio [--archive DIR] [--config FILE] COMMAND [ARGS...]\n"
		     "\n"
		     "folio turns scanned invoices and forms into a searchable archive.\n"
		     "\n"
		     "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"global options:\n"
		"  --archive DIR  the archive folder (default: $FOLIO_ARCHIVE, the config's\n"
		"                 'archive', else $XDG_DATA_HOME/folio or ~/.local/share/folio)\n"
		"  --config FILE  settings file (default: $FOLIO_CONFIG, else\n"
		"                 $XDG_CONFIG_HOME/folio/folio.conf (~/.config), else\n"
		"                 " FOLIO_SYSCONFDIR "/folio/folio.conf)\n"
		"  -q, --quiet    only problems and the data asked for\n"
		"  -v, --verbose  timings and details\n"
		"  --color[=WHEN] colour: auto (default: a terminal, unless NO_COLOR is set\n"
		"                 or TERM=dumb), always or never\n"
		"  -V, --version  print version information\n"
		"  -h, --help     show this help\n"
		"\n"
		"Run 'folio COMMAND --help' for a command's options; see folio(1).\n"
		"exit status: 0 success, 1 failure (search: no hit; export: an invoice\n"
		"refused), 2 usage error, 3 status: the daemon is not running\n");
}

struct cli_flags cli_flags = { 0, 0, -1 };

int cli_common_option(const char *a, int short_ok)
{
	if (!strcmp(a, "--quiet") || (short_ok && !strcmp(a, "-q"))) {
		cli_flags.quiet = 1;
		cli_flags.verbose = 0;
		return 1;
	}
	if (!strcmp(a, "--verbose") || (short_ok && !strcmp(a, "-v"))) {
		cli_flags.verbose = 1;
		cli_flags.quiet = 0;
		return 1;
	}
	if (!strcmp(a, "--color") || !strcmp(a, "--colour") || !strcmp(a, "--color=always") ||
	    !strcmp(a, "--colour=always")) {
		cli_flags.color = 1;
		return 1;
	}
	if (!strcmp(a, "--color=never") || !strcmp(a, "--colour=never")) {
		cli_flags.color = 0;
		return 1;
	}
	if (!strcmp(a, "--color=auto") || !strcmp(a, "--colour=auto")) {
		cli_flags.color = -1;
		return 1;
	}
	if (!strncmp(a, "--color=", 8) || !strncmp(a, "--colour=", 9)) {
		cli_error(EXIT_USAGE, "--color is auto, always or never, not '%s'",
			  strchr(a, '=') + 1);
		return -1;
	}
	return 0;
}

static int term_dumb(void)
{
	const char *t = getenv("TERM");

	return !t || !*t || !strcmp(t, "dumb");
}

int cli_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (cli_flags.color >= 0)
		return cli_flags.color;
	return isatty(fd) && !(nc && *nc) && !term_dumb();
}

int cli_live(int fd)
{
	return isatty(fd) && !term_dumb();
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("folio: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_fail(const struct folio_err *err)
{
	return cli_error(err->kind == FOLIO_E_USAGE ? EXIT_USAGE : EXIT_FAIL, "%s", err->msg);
}

struct folio_archive *cli_open(struct cli *cli, int flags)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc = folio_archive_open(cli->archive_dir, flags, &err);

	if (!arc)
		cli_fail(&err);
	return arc;
}

struct folio_archive *cli_open_folder(struct cli *cli, int flags, const char *what)
{
	struct folio_archive *arc = cli_open(cli, flags);

	if (arc && strcmp(folio_archive_backend(arc), "sqlite")) {
		cli_error(EXIT_FAIL, "%s is not available on %s archives yet (folio %s)", what,
			  folio_archive_backend(arc), FOLIO_VERSION);
		folio_archive_close(arc);
		return NULL;
	}
	return arc;
}

int cli_parse(const struct command *c, int argc, char **argv, const char *const *specs,
	      const char **vals)
{
	int i, k, nops = 0, only_operands = 0;
	char **ops = calloc((size_t)argc + 1, sizeof(*ops));

	if (!ops) {
		cli_error(EXIT_FAIL, "out of memory");
		return -1;
	}
	/* options may come before or after operands (GNU style); "--" ends
	 * them. Operands are moved, in order, to the end of argv. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		size_t n;

		if (only_operands || a[0] != '-' || !a[1]) {
			ops[nops++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_usage(c, stdout);
			free(ops);
			exit(EXIT_OK);
		}
		switch (cli_common_option(a, 1)) {
		case 1: continue;
		case -1: free(ops); return -1;
		}
		if (strncmp(a, "--", 2)) {
			cli_error(EXIT_USAGE,
				  "%s: unknown option '%s' (use '--' before an operand "
				  "that starts with '-')",
				  c->name, a);
			goto usage;
		}
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (k = 0; specs[k]; k++) {
			size_t sl = strcspn(specs[k], "=");

			if (sl == n && !strncmp(specs[k], a + 2, n))
				break;
		}
		if (!specs[k]) {
			char given[64], names[32][32];
			const char *list[33], *meant;
			size_t m = 0;

			snprintf(given, sizeof(given), "%.*s", (int)n, a + 2);
			for (k = 0; specs[k] && m < 32; k++, m++) {
				snprintf(names[m], sizeof(names[m]), "%.*s",
					 (int)strcspn(specs[k], "="), specs[k]);
				list[m] = names[m];
			}
			list[m] = NULL;
			if ((meant = folio_suggest(given, list)))
				cli_error(EXIT_USAGE,
					  "%s: unknown option '%s'; did you mean '--%s'?", c->name,
					  a, meant);
			else
				cli_error(EXIT_USAGE, "%s: unknown option '%s'", c->name, a);
			goto usage;
		}
		if (specs[k][strlen(specs[k]) - 1] == '=') {
			if (eq) {
				vals[k] = eq + 1;
			} else if (i + 1 < argc) {
				vals[k] = argv[++i];
			} else {
				cli_error(EXIT_USAGE, "%s: option '--%.*s' needs a value", c->name,
					  (int)n, a + 2);
				free(ops);
				return -1;
			}
		} else if (eq) {
			cli_error(EXIT_USAGE, "%s: option '--%.*s' takes no value", c->name, (int)n,
				  a + 2);
			free(ops);
			return -1;
		} else {
			vals[k] = "";
		}
	}
	for (k = 0; k < nops; k++)
		argv[argc - nops + k] = ops[k];
	free(ops);
	return argc - nops;
usage:
	cli_usage(c, stderr);
	free(ops);
	return -1;
}

const char *cli_who(char *buf, size_t n)
{
	const char *u = getenv("SUDO_USER");
	struct passwd *pw;

	if (u && *u)
		return u;
	if ((pw = getpwuid(getuid())) && pw->pw_name)
		return pw->pw_name;
	snprintf(buf, n, "uid %ld", (long)getuid());
	return buf;
}

void cli_json_begin(struct folio_json *j, struct folio_strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
	folio_json_init(j, sb);
	folio_json_open(j, NULL, '{');
}

void cli_json_end(struct folio_json *j, struct folio_strbuf *sb)
{
	folio_json_close(j, '}');
	folio_strbuf_addch(sb, '\n');
	if (sb->buf)
		fputs(sb->buf, stdout);
	else
		cli_error(EXIT_FAIL, "out of memory");
	folio_strbuf_release(sb);
}

long long cli_doc_id(const struct command *c, const char *s)
{
	char *end;
	long long id;

	errno = 0;
	id = strtoll(s, &end, 10);
	if (errno || *end || end == s || id <= 0) {
		cli_error(EXIT_USAGE, "%s: '%s' is not a document id (a positive number)", c->name,
			  s);
		return 0;
	}
	return id;
}

int cli_load_doc(struct cli *cli, const struct command *c, int argc, char **argv,
		 const char *const *specs, const char **vals, struct folio_archive **arc,
		 struct folio_doc **doc)
{
	struct folio_err err = { 0 };
	int first = cli_parse(c, argc, argv, specs, vals), i;
	const char *asn = NULL;
	long long id;

	*arc = NULL;
	*doc = NULL;
	if (first < 0)
		return EXIT_USAGE;
	/* --asn N names the document by its archive serial number */
	for (i = 0; specs[i]; i++)
		if (!strcmp(specs[i], "asn=") && vals[i])
			asn = vals[i];
	if (asn) {
		char digits[24];
		size_t n = 0;
		const char *p = asn;

		if (first != argc)
			return cli_error(EXIT_USAGE, "%s: give either an id or --asn, not both",
					 c->name);
		if (!strncasecmp(p, "ASN", 3))
			p += 3;
		while (*p == '0' && p[1])
			p++;
		for (; *p >= '0' && *p <= '9' && n + 1 < sizeof(digits); p++)
			digits[n++] = *p;
		digits[n] = '\0';
		if (*p || !n)
			return cli_error(EXIT_USAGE,
					 "%s: --asn wants a number, e.g. 123 or ASN000123",
					 c->name);
		if (!(*arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
			return EXIT_FAIL;
		id = folio_archive_find_asn(*arc, digits);
		if (id <= 0) {
			folio_archive_close(*arc);
			*arc = NULL;
			return cli_error(EXIT_FAIL, "no document with archive serial number %s",
					 digits);
		}
		if (folio_archive_get(*arc, id, doc, &err) != FOLIO_OK) {
			folio_archive_close(*arc);
			*arc = NULL;
			return cli_fail(&err);
		}
		return -1;
	}
	if (first != argc - 1)
		return cli_error(EXIT_USAGE, "%s: expected one document id (see 'folio %s --help')",
				 c->name, c->name);
	if (!(id = cli_doc_id(c, argv[first])))
		return EXIT_USAGE;
	if (!(*arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY)))
		return EXIT_FAIL;
	if (folio_archive_get(*arc, id, doc, &err) != FOLIO_OK) {
		folio_archive_close(*arc);
		*arc = NULL;
		return cli_fail(&err);
	}
	return -1;
}

#ifdef FOLIO_LEAN
/* The lean front loads neither Tesseract nor the decoders: their names
 * and version are the ones folio-engine was built with (test_decode
 * checks the list against the registry). */
static void version(void)
{
	printf("folio %s\n", FOLIO_VERSION);
	printf("tesseract %s, sqlite %s\n", FOLIO_TESSERACT_VERSION,
	       folio_archive_engine_version());
	printf("decoders: %s\n", FOLIO_DECODER_NAMES);
	printf("License AGPL-3.0-or-later: this is free software with no warranty.\n");
}

/*
 * folio-engine: beside this binary (a build tree), in ../libexec/folio
 * (an installed or staged tree, found relative to this binary) or in
 * FOLIO_LIBEXECDIR (where `make install` puts it). Writes the path to
 * buf; -1 when none is there.
 */
static int engine_path(char *buf, size_t n)
{
	static const char *const rel[] = { "folio-engine", "../libexec/folio/folio-engine" };
	char exe[4096], *slash;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (len > 0 && (exe[len] = '\0', slash = strrchr(exe, '/'))) {
		slash[1] = '\0';
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(buf, n, "%s%s", exe, rel[i]);
			if (!access(buf, X_OK))
				return 0;
		}
	}
	snprintf(buf, n, "%s/folio-engine", FOLIO_LIBEXECDIR);
	return access(buf, X_OK) ? -1 : 0;
}

/* Become folio-engine with the arguments as given. OMP_THREAD_LIMIT is
 * set on the way (see limit_omp), sparing the engine a second exec. */
static int cli_engine(struct cli *cli, int argc, char **argv)
{
	char path[4200];

	(void)cli;
	(void)argc;
	if (engine_path(path, sizeof(path)))
		return cli_error(EXIT_FAIL,
				 "%s: folio-engine is missing (looked beside this "
				 "program, in ../libexec/folio and in %s): reinstall folio",
				 argv[0], FOLIO_LIBEXECDIR);
	if (!getenv("OMP_THREAD_LIMIT"))
		setenv("OMP_THREAD_LIMIT", "1", 1);
	fflush(NULL);
	execv(path, main_argv);
	return cli_error(EXIT_FAIL, "cannot run %s: %s", path, strerror(errno));
}
#else
static void version(void)
{
	const struct folio_decoder *const *d;

	printf("folio %s\n", FOLIO_VERSION);
	printf("tesseract %s, sqlite %s\n", folio_ocr_version(), folio_archive_engine_version());
	printf("decoders:");
	for (d = folio_decoders(); *d; d++)
		printf(" %s", (*d)->name);
	printf("\nLicense AGPL-3.0-or-later: this is free software with no warranty.\n");
}

/* Tesseract's OpenMP reads OMP_THREAD_LIMIT once, when the library loads:
 * setting it in main is too late, so re-execute ourselves with it set
 * (the lean front sets it before it runs the engine). */
static void limit_omp(char **argv)
{
	if (getenv("OMP_THREAD_LIMIT"))
		return;
	setenv("OMP_THREAD_LIMIT", "1", 1);
	execv("/proc/self/exe", argv);
	/* exec failed (no /proc): run on, slower */
}
#endif

static const char *default_config(void)
{
	static char buf[4096];
	const char *env = getenv("FOLIO_CONFIG"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");

	if (env && *env)
		return env;
	if ((xdg && *xdg) || home) {
		if (xdg && *xdg)
			snprintf(buf, sizeof(buf), "%s/folio/folio.conf", xdg);
		else
			snprintf(buf, sizeof(buf), "%s/.config/folio/folio.conf", home);
		if (!access(buf, R_OK))
			return buf;
	}
	if (!access(FOLIO_SYSCONFDIR "/folio/folio.conf", R_OK))
		return FOLIO_SYSCONFDIR "/folio/folio.conf";
	return NULL;
}

static char *default_archive(void)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char buf[4096];

	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/folio", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.local/share/folio", home ? home : ".");
	return strdup(buf);
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "folio" };
	const char *archive = NULL, *config = NULL, *env;
	const struct command *cmd;
	struct folio_err err = { 0 };
	int i, ret;

	main_argv = argv;
#ifndef FOLIO_LEAN
	limit_omp(argv);
#endif
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			version();
			return EXIT_OK;
		}
		if ((ret = cli_common_option(a, 1))) {
			if (ret < 0)
				return EXIT_USAGE;
			continue;
		}
		if (!strcmp(a, "--archive") || !strcmp(a, "--config")) {
			if (i + 1 >= argc)
				return cli_error(EXIT_USAGE, "option '%s' needs a value", a);
			*(a[2] == 'a' ? &archive : &config) = argv[++i];
		} else if (!strncmp(a, "--archive=", 10)) {
			archive = a + 10;
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else {
			static const char *const global[] = { "archive", "config", "help",
							      "version", "quiet",  "verbose",
							      "color",	 NULL };
			const char *meant =
				!strncmp(a, "--", 2) ? folio_suggest(a + 2, global) : NULL;

			if (meant)
				cli_error(EXIT_USAGE, "unknown option '%s'; did you mean '--%s'?",
					  a, meant);
			else
				cli_error(EXIT_USAGE, "unknown option '%s'", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && argv[i + 1][0] == '-') {
			usage(stdout);
			return EXIT_OK;
		}
		if (i + 1 < argc && (cmd = cli_command(argv[i + 1]))) {
			cli_usage(cmd, stdout);
			return EXIT_OK;
		}
		if (i + 1 < argc)
			return cli_error(EXIT_USAGE, "no such command '%s'", argv[i + 1]);
		usage(stdout);
		return EXIT_OK;
	}
	if (!(cmd = cli_command(argv[i])) || !cmd->fn) {
		const char *meant = command_meant(argv[i]);

		if (meant)
			cli_error(EXIT_USAGE, "'%s' is not a folio command; did you mean '%s'?",
				  argv[i], meant);
		else
			cli_error(EXIT_USAGE, "'%s' is not a folio command (see 'folio --help')",
				  argv[i]);
		return EXIT_USAGE;
	}

	if (folio_config_defaults(&cli.cfg, &err) != FOLIO_OK)
		return cli_fail(&err);
	if (!config)
		config = default_config();
	cli.config_path = config;
	if (config && folio_config_load(&cli.cfg, config, &err) != FOLIO_OK) {
		folio_config_release(&cli.cfg);
		return cli_error(EXIT_USAGE, "%s", err.msg);
	}
	env = getenv("FOLIO_ARCHIVE");
	if (archive && *archive)
		cli.archive_dir = archive;
	else if (env && *env)
		cli.archive_dir = env;
	else if (cli.cfg.archive_dir)
		cli.archive_dir = cli.cfg.archive_dir;
	else
		cli.archive_dir = cli.default_dir = default_archive();
	if (!cli.archive_dir) {
		folio_config_release(&cli.cfg);
		return cli_error(EXIT_FAIL, "out of memory");
	}

	ret = cmd->fn(&cli, argc - i, argv + i);
	if (fflush(stdout) && ret == EXIT_OK)
		ret = cli_error(EXIT_FAIL, "cannot write output: %s", strerror(errno));
	free(cli.default_dir);
	folio_config_release(&cli.cfg);
	return ret;
}
