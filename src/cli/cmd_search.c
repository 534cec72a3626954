/* cmd_search.c - folio search [--json] [--limit N] QUERY */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "folio/util.h"
#include "folio/strbuf.h"

struct search_out {
	int json;
	int csv;
	int table; /* a terminal: aligned columns */
	int width; /* terminal width */
	int color; /* highlights and a bold header (--color, NO_COLOR, TERM) */
	int n;
};

/* Bytes of the first `cols` characters of UTF-8 `s` (terminal columns,
 * counting one per character; escape sequences count nothing). */
static size_t cut_utf8(const char *s, int cols)
{
	size_t i = 0;

	while (s[i] && cols > 0) {
		if (s[i] == '\033') { /* skip an SGR sequence */
			while (s[i] && s[i] != 'm')
				i++;
			if (s[i])
				i++;
			continue;
		}
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		cols--;
	}
	return i;
}

static void table_row(struct folio_strbuf *sb, const struct folio_hit *h, int width, int color)
{
	size_t i, start = sb->len, n;
	int rest, chars = 0;
	const char *v;

	folio_strbuf_addf(sb, "%-6lld %-10.10s %-13.13s ", h->id, h->date,
			  h->doc_type ? h->doc_type : "other");
	/* the vendor (or the title), cut and padded to 22 characters */
	v = *h->vendor ? h->vendor : h->title;
	n = cut_utf8(v, 22);
	folio_strbuf_add(sb, v, n);
	for (i = 0; i < n; i++)
		if ((v[i] & 0xc0) != 0x80)
			chars++;
	for (; chars < 23; chars++)
		folio_strbuf_addch(sb, ' ');
	folio_strbuf_addf(sb, "%14.14s  ", h->total);
	rest = width - (int)(sb->len - start) + 2;
	if (rest > 10) {
		char *flat = strdup(h->snippet), *p;

		if (flat) {
			for (p = flat; *p; p++)
				if (*p == '\n' || *p == '\f' || *p == '\r' || *p == '\t')
					*p = ' ';
			folio_strbuf_add(sb, flat, cut_utf8(flat, rest));
			if (color) /* a highlight the cut left open */
				folio_strbuf_adds(sb, "\033[0m");
			free(flat);
		}
	}
	folio_strbuf_addch(sb, '\n');
}

/* RFC 4180: quote every text field, double the quotes inside. */
static void csv_field(struct folio_strbuf *sb, const char *s)
{
	folio_strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			folio_strbuf_addch(sb, '"');
		folio_strbuf_addch(sb, *s);
	}
	folio_strbuf_addch(sb, '"');
}

static int on_hit(void *arg, const struct folio_hit *h)
{
	struct search_out *o = arg;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	size_t i;

	o->n++;
	if (o->csv) {
		if (o->n == 1)
			folio_strbuf_adds(&sb, "id,score,added,type,title,snippet\r\n");
		folio_strbuf_addf(&sb, "%lld,%.6g,", h->id, h->score);
		csv_field(&sb, h->added_at ? h->added_at : "");
		folio_strbuf_addch(&sb, ',');
		csv_field(&sb, h->doc_type ? h->doc_type : "other");
		folio_strbuf_addch(&sb, ',');
		csv_field(&sb, h->title);
		folio_strbuf_addch(&sb, ',');
		csv_field(&sb, h->snippet);
		folio_strbuf_adds(&sb, "\r\n");
	} else if (o->json) {
		struct folio_json j;
		char score[32], amount[64];
		const char *cur = NULL, *sp;

		/* the total is "AMOUNT CURRENCY" (or the amount alone) */
		amount[0] = '\0';
		if (h->total && *h->total) {
			sp = strchr(h->total, ' ');
			snprintf(amount, sizeof(amount), "%.*s",
				 (int)(sp ? (size_t)(sp - h->total) : strlen(h->total)), h->total);
			cur = sp && sp[1] ? sp + 1 : NULL;
		}
		snprintf(score, sizeof(score), "%.6g", h->score);
		folio_json_init(&j, &sb);
		folio_json_open(&j, NULL, '{');
		folio_json_int(&j, "id", h->id);
		folio_json_raw(&j, "score", score);
		folio_json_str(&j, "title", h->title);
		folio_json_str(&j, "doc_type", h->doc_type ? h->doc_type : "other");
		folio_json_str(&j, "snippet", h->snippet);
		/* what the terminal table shows (added keys: the ones above keep
		 * their place and form) */
		folio_json_str(&j, "added_at", h->added_at);
		folio_json_str(&j, "date", h->date && *h->date ? h->date : NULL);
		folio_json_str(&j, "vendor", h->vendor && *h->vendor ? h->vendor : NULL);
		folio_json_decimal(&j, "total", amount[0] ? amount : NULL);
		folio_json_str(&j, "currency", cur);
		/* the field's own name, as everywhere else (total stays) */
		folio_json_decimal(&j, "gross_total", amount[0] ? amount : NULL);
		folio_json_close(&j, '}');
		folio_strbuf_addch(&sb, '\n');
	} else if (o->table) {
		if (o->n == 1)
			folio_strbuf_addf(&sb, "%s%-6s %-10s %-13s %-23s%14s  %s%s\n",
					  o->color ? "\033[1m" : "", "ID", "DATE", "TYPE",
					  "VENDOR / TITLE", "TOTAL", "MATCH",
					  o->color ? "\033[0m" : "");
		table_row(&sb, h, o->width, o->color);
	} else {
		folio_strbuf_addf(&sb, "%-6lld %7.3f  %s  [%s]\n       ", h->id, h->score, h->title,
				  h->doc_type ? h->doc_type : "other");
		/* one line per hit: the snippet's own line breaks become spaces */
		for (i = 0; h->snippet[i]; i++)
			folio_strbuf_addch(&sb, h->snippet[i] == '\n' || h->snippet[i] == '\f' ||
								h->snippet[i] == '\r' ?
							' ' :
							h->snippet[i]);
		while (sb.len && sb.buf[sb.len - 1] == ' ')
			sb.buf[--sb.len] = '\0';
		folio_strbuf_addch(&sb, '\n');
	}
	if (sb.buf)
		fputs(sb.buf, stdout);
	folio_strbuf_release(&sb);
	return 0;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "json",  "limit=", "offset=", "sort=",
					     "count", "csv",	NULL };
	const struct command *c = cli_command("search");
	const char *vals[6] = { 0 };
	struct search_out out = { 0 };
	struct folio_search_opts so = { 0 };
	struct folio_strbuf q = FOLIO_STRBUF_INIT;
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	int first = cli_parse(c, argc, argv, specs, vals), ret = EXIT_OK, tty, color, i;

	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc) {
		cli_error(EXIT_USAGE, "search: no query given");
		cli_usage(c, stderr);
		return EXIT_USAGE;
	}
	if (vals[1]) {
		char *end;
		long n;

		errno = 0;
		n = strtol(vals[1], &end, 10);
		if (errno || *end || n < 1 || n > 100000)
			return cli_error(
				EXIT_USAGE,
				"search: --limit wants a number from 1 to 100000, not '%s'",
				vals[1]);
		so.limit = (int)n;
	}
	if (vals[2]) {
		char *end;
		long n;

		errno = 0;
		n = strtol(vals[2], &end, 10);
		if (errno || *end || n < 0 || n > 100000000)
			return cli_error(EXIT_USAGE,
					 "search: --offset wants a number >= 0, not '%s'", vals[2]);
		so.offset = (int)n;
	}
	if (vals[3]) {
		if (!strcmp(vals[3], "score"))
			so.sort = FOLIO_SORT_SCORE;
		else if (!strcmp(vals[3], "date"))
			so.sort = FOLIO_SORT_DATE;
		else if (!strcmp(vals[3], "total"))
			so.sort = FOLIO_SORT_TOTAL;
		else
			return cli_error(EXIT_USAGE,
					 "search: --sort is score, date or total, not '%s'",
					 vals[3]);
	}
	if (vals[0] && vals[5])
		return cli_error(EXIT_USAGE, "search: --json and --csv exclude each other");
	/* several operands form one query, as a shell user would expect */
	for (i = first; i < argc; i++) {
		if (i > first)
			folio_strbuf_addch(&q, ' ');
		folio_strbuf_adds(&q, argv[i]);
	}
	if (!q.buf)
		return cli_error(EXIT_FAIL, "out of memory");
	out.json = vals[0] != NULL;
	out.csv = vals[5] != NULL;
	tty = isatty(STDOUT_FILENO);
	if (tty && !out.json && !out.csv) {
		struct winsize ws;

		out.table = 1;
		out.width = !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col ? ws.ws_col : 100;
	}
	so.query = q.buf;
	color = out.color = !out.json && !out.csv && cli_color(STDOUT_FILENO);
	so.hl_open = color ? "\033[1;33m" : "[";
	so.hl_close = color ? "\033[0m" : "]";
	if (!(arc = cli_open(cli, FOLIO_ARCHIVE_RDONLY))) {
		folio_strbuf_release(&q);
		return EXIT_FAIL;
	}
	if (vals[4]) {
		long long n = folio_archive_count(arc, &so, &err);

		if (n < 0)
			ret = cli_fail(&err);
		else if (out.json)
			printf("{\"count\":%lld}\n", n);
		else
			printf("%lld\n", n);
	} else if (folio_archive_search(arc, &so, on_hit, &out, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
	} else if (!out.n) {
		/* like grep: a script tells "nothing matched" by the status */
		if (!out.json && !out.csv && tty && !cli_flags.quiet)
			fprintf(stderr, "no documents match '%s'\n", q.buf);
		ret = EXIT_NOHIT;
	}
	folio_archive_close(arc);
	folio_strbuf_release(&q);
	return ret;
}
