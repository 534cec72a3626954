/*
 * cli.h - what the subcommands share: global options and output helpers.
 * The CLI only parses arguments, calls into the library and formats what
 * comes back; it holds no pipeline logic.
 */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H

#include <stdio.h>

#include "folio/archive.h"
#include "folio/config.h"
#include "folio/err.h"

/* exit codes: the public contract */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NOHIT 1	   /* search: no document matched (grep's 1) */
#define EXIT_NOT_RUNNING 3 /* status: no daemon (systemctl is-active's 3) */

/*
 * Options every command takes, before or after its name: -q/--quiet (only
 * problems and the data asked for), -v/--verbose (timings and details),
 * --color[=auto|always|never] (auto: a terminal, NO_COLOR unset or empty,
 * TERM not "dumb"). `folio tag` takes only the long forms ("-v" there is
 * the tag v to remove).
 */
struct cli_flags {
	int quiet;
	int verbose;
	int color; /* -1 auto, 0 never, 1 always */
};
extern struct cli_flags cli_flags;

/*
 * Handle `a` if it is one of the common options: returns 1 (taken), 0
 * (not one of them) or -1 after printing a usage error. `short_ok`: -q
 * and -v count.
 */
int cli_common_option(const char *a, int short_ok);

/* Colours (and highlights) on fd, by --color, NO_COLOR, TERM, a terminal. */
int cli_color(int fd);

/* fd is a terminal that obeys cursor controls (\r, erase line): TERM is
 * set and not "dumb". Progress bars are drawn only there. */
int cli_live(int fd);

struct cli {
	const char *prog;
	struct folio_config cfg;
	const char *archive_dir; /* resolved: --archive, FOLIO_ARCHIVE, config, default */
	const char *config_path; /* the config file read, or NULL */
	char *default_dir;	 /* owned when the default was used */
};

struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *usage; /* after "folio NAME " */
	const char *summary;
	const char *help; /* options, one per line */
};

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_ingest(struct cli *cli, int argc, char **argv);
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_cat(struct cli *cli, int argc, char **argv);
int cmd_text(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_log(struct cli *cli, int argc, char **argv);
int cmd_mail(struct cli *cli, int argc, char **argv);
int cmd_tag(struct cli *cli, int argc, char **argv);
int cmd_retention(struct cli *cli, int argc, char **argv);
int cmd_retype(struct cli *cli, int argc, char **argv);
int cmd_review(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_fix(struct cli *cli, int argc, char **argv);
int cmd_hold(struct cli *cli, int argc, char **argv);
int cmd_note(struct cli *cli, int argc, char **argv);
int cmd_train(struct cli *cli, int argc, char **argv);
int cmd_templates(struct cli *cli, int argc, char **argv);
int cmd_open(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_vendors(struct cli *cli, int argc, char **argv);
int cmd_verify(struct cli *cli, int argc, char **argv);

/* The daemon recorded in the archive is running. */
int cli_daemon_alive(const struct folio_status *st);
int cmd_stats(struct cli *cli, int argc, char **argv);

/* The command table entry for `name` (for --help). */
const struct command *cli_command(const char *name);

/* Print "folio NAME: usage..." and the options; to stdout for --help. */
void cli_usage(const struct command *c, FILE *out);

/* "folio: msg" on stderr; returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report err and return the exit code for its status. */
int cli_fail(const struct folio_err *err);

/* Open the archive (not creating it); NULL after printing the reason. */
struct folio_archive *cli_open(struct cli *cli, int flags);

/* cli_open() for a command that keeps files in the archive's folder
 * (watch, mail, train, export): an archive of another backend than
 * SQLite has none yet, and is refused naming `what`. */
struct folio_archive *cli_open_folder(struct cli *cli, int flags, const char *what);

/*
 * Tiny option scanner for subcommands: flags are '--name' or
 * '--name=VALUE' / '--name VALUE'. Returns the index of the first operand
 * or -1 after printing a usage error. Each spec is "name" (flag) or
 * "name=" (takes a value); results in vals[i] ("" for a set flag).
 */
int cli_parse(const struct command *c, int argc, char **argv, const char *const *specs,
	      const char **vals);

/*
 * The common start of the commands that take one document id: parse the
 * options, check the operand, open the archive read-only, load the
 * document. Returns -1 with *arc and *doc set (the caller closes and
 * frees them), or the exit code to return after the message was printed.
 */
struct folio_doc;
int cli_load_doc(struct cli *cli, const struct command *c, int argc, char **argv,
		 const char *const *specs, const char **vals, struct folio_archive **arc,
		 struct folio_doc **doc);

/* Who runs this, for the audit log: SUDO_USER, else the login name, else
 * "uid N" written to buf. */
const char *cli_who(char *buf, size_t n);

/* Close the object begun with cli_json_begin, print it as one line on
 * stdout, release the buffer. */
struct folio_json;
struct folio_strbuf;
void cli_json_begin(struct folio_json *j, struct folio_strbuf *sb);
void cli_json_end(struct folio_json *j, struct folio_strbuf *sb);

/* The documents a records command (hold, delete) acts on. */
struct cli_ids {
	long long *id;
	size_t n, cap;
	int query; /* chosen by a query, not by ids */
	int nomem;
};

/*
 * Operands that are all numbers are document ids (each once); anything
 * else is one search query, every document it matches (search's order).
 * Returns EXIT_OK with *l filled (release it with cli_ids_release), or
 * the exit code after printing why: a bad id or query (2), no document
 * matching the query (1).
 */
int cli_select(struct folio_archive *arc, const struct command *c, int argc, char **argv,
	       struct cli_ids *l);
void cli_ids_release(struct cli_ids *l);

/* Parse a document id operand; prints a usage error and returns 0 if bad. */
long long cli_doc_id(const struct command *c, const char *s);

#endif
