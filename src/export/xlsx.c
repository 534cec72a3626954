/*
 * xlsx.c - invoices as an Excel workbook (libxlsxwriter): one sheet, a
 * row per invoice (or per VAT rate with `rows = rate`), the columns of the
 * csv format (`columns`), each cell typed: amounts and rates are numbers
 * (shown with two decimals), dates are dates (shown as `date_format`),
 * everything else is text - an invoice number 0147 or 03/2024 stays what
 * it is, and text starting with = is text, never a formula. The header
 * row is bold and frozen, with an autofilter.
 *
 * libxlsxwriter writes a file: the workbook is made in a private temp
 * file, read into the output when the run ends, and removed.
 */
#include "export_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "folio/strbuf.h"
#include "folio/util.h"

/* clang-format off */
static const char *const keys[] = {
	"columns\tcomma-separated column names in order, as for csv (its defaults)",
	"rows\tinvoice: one row per invoice; rate: one row per VAT rate (invoice)",
	"date_format\thow date cells show, as a spreadsheet writes it, e.g. dd.mm.yyyy "
	"(yyyy-mm-dd); the cells are dates whatever it is",
	"sheet\tthe sheet's name (Invoices)",
	NULL,
};
/* clang-format on */

struct xlsx {
	struct folio_tab tab;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date, *money, *rate, *head;
	char path[64];
	lxw_row_t row;
};

static int bad(const struct folio_export *x, struct folio_err *err, const char *key,
	       const char *value, const char *want)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			     "%s%s%sxlsx: %s = '%s' is not valid (%s)",
			     x->profile ? "profile '" : "", x->profile ? x->profile : "",
			     x->profile ? "': " : "", key, value, want);
}

static void discard(struct xlsx *s)
{
	if (s->wb) {
		workbook_close(s->wb);
		s->wb = NULL;
	}
	if (*s->path)
		unlink(s->path);
	*s->path = '\0';
}

static void xlsx_release(struct folio_export *x)
{
	struct xlsx *s = x->state;

	if (!s)
		return;
	discard(s);
	folio_tab_release(&s->tab);
	free(s);
	x->state = NULL;
}

static int xlsx_begin(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	const char *datef = folio_export_opt(x, "date_format", "yyyy-mm-dd");
	const char *sheet = folio_export_opt(x, "sheet", "Invoices");
	const char *tmp = getenv("TMPDIR");
	struct xlsx *s;
	size_t i;
	int fd, r;

	(void)out;
	if (!*datef || strlen(datef) > 40 || strpbrk(datef, "\"\\"))
		return bad(x, err, "date_format", datef, "e.g. dd.mm.yyyy");
	if (!*sheet || strlen(sheet) > 31 || strpbrk(sheet, "[]:*?/\\'"))
		return bad(x, err, "sheet", sheet, "1 to 31 characters, none of [ ] : * ? / \\ '");
	if (!(s = calloc(1, sizeof(*s))))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	x->state = s;
	if ((r = folio_tab_init(x, &s->tab, err)) != FOLIO_OK)
		return r;
	snprintf(s->path, sizeof(s->path), "%.40s/folio-xlsx-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if ((fd = mkstemp(s->path)) < 0) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
				  "xlsx: cannot make a temp file in %s: %s", tmp ? tmp : "/tmp",
				  strerror(errno));
		*s->path = '\0';
		return r;
	}
	close(fd);
	if (!(s->wb = workbook_new(s->path)) || !(s->ws = workbook_add_worksheet(s->wb, sheet)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12,
				     "xlsx: cannot start a workbook");
	s->date = workbook_add_format(s->wb);
	s->money = workbook_add_format(s->wb);
	s->rate = workbook_add_format(s->wb);
	s->head = workbook_add_format(s->wb);
	format_set_num_format(s->date, datef);
	format_set_num_format(s->money, "#,##0.00");
	format_set_num_format(s->rate, "0.##");
	format_set_bold(s->head);
	for (i = 0; i < s->tab.ncols; i++) {
		worksheet_write_string(s->ws, 0, (lxw_col_t)i, s->tab.cols[i].name, s->head);
		worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i,
				     s->tab.cols[i].kind == FOLIO_TAB_TEXT ? 20 : 12, NULL);
	}
	worksheet_freeze_panes(s->ws, 1, 0);
	s->row = 1;
	return FOLIO_OK;
}

/* 1 when `v` is valid UTF-8 and fits a cell (Excel: 32,767 characters). */
static int cell_text_ok(const char *v)
{
	return folio_utf8_valid(v) && strlen(v) <= 32767;
}

static int parse_date(const char *v, lxw_datetime *dt)
{
	int y, m, d, n = 0;

	if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || v[n] || y < 1900 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	memset(dt, 0, sizeof(*dt));
	dt->year = y;
	dt->month = m;
	dt->day = d;
	return 0;
}

/* Check a row's values before any is written: a refused invoice leaves no
 * half row. Reasons go to why. */
static void check_row(const struct xlsx *s, const struct folio_invoice *inv,
		      const struct folio_inv_rate *rt, struct folio_strbuf *why)
{
	struct folio_strbuf tmp = FOLIO_STRBUF_INIT;
	size_t i;

	for (i = 0; i < s->tab.ncols; i++) {
		const char *v;

		folio_strbuf_reset(&tmp);
		v = folio_tab_value(inv, rt, &s->tab.cols[i], &tmp);
		if (v && *v && !cell_text_ok(v))
			folio_strbuf_addf(why, "%s%s is not UTF-8 text a cell holds",
					  why->len ? "; " : "", s->tab.cols[i].name);
	}
	folio_strbuf_release(&tmp);
}

static void put_row(struct xlsx *s, const struct folio_invoice *inv,
		    const struct folio_inv_rate *rt)
{
	struct folio_strbuf tmp = FOLIO_STRBUF_INIT;
	lxw_datetime dt;
	size_t i;

	for (i = 0; i < s->tab.ncols; i++) {
		const struct folio_tab_col *c = &s->tab.cols[i];
		const char *v;
		char *end;
		double d;

		folio_strbuf_reset(&tmp);
		v = folio_tab_value(inv, rt, c, &tmp);
		if (!v || !*v)
			continue;
		if (c->kind == FOLIO_TAB_AMOUNT || c->kind == FOLIO_TAB_RATE) {
			d = strtod(v, &end);
			if (!*end) {
				worksheet_write_number(s->ws, s->row, (lxw_col_t)i, d,
						       c->kind == FOLIO_TAB_AMOUNT ? s->money :
										     s->rate);
				continue;
			}
		} else if (c->kind == FOLIO_TAB_DATE && !parse_date(v, &dt)) {
			worksheet_write_datetime(s->ws, s->row, (lxw_col_t)i, &dt, s->date);
			continue;
		}
		/* text, and what did not read as its kind: a string cell,
		 * never a formula */
		worksheet_write_string(s->ws, s->row, (lxw_col_t)i, v, NULL);
	}
	folio_strbuf_release(&tmp);
	s->row++;
}

static int xlsx_write(struct folio_export *x, const struct folio_invoice *inv,
		      struct folio_strbuf *out, struct folio_err *err)
{
	struct xlsx *s = x->state;
	struct folio_strbuf why = FOLIO_STRBUF_INIT;
	size_t i;
	int r = FOLIO_OK;

	(void)out;
	if (s->row >= 1048575) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0,
				  "a sheet holds 1,048,576 rows: export the rest in another batch");
		goto done;
	}
	if (s->tab.per_rate && inv->nrates) {
		for (i = 0; i < inv->nrates; i++)
			check_row(s, inv, &inv->rates[i], &why);
	} else {
		check_row(s, inv, NULL, &why);
	}
	if (why.len) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0, "%s", why.buf);
		goto done;
	}
	if (s->tab.per_rate && inv->nrates) {
		for (i = 0; i < inv->nrates; i++)
			put_row(s, inv, &inv->rates[i]);
	} else {
		put_row(s, inv, NULL);
	}
done:
	folio_strbuf_release(&why);
	return r;
}

static int xlsx_end(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	struct xlsx *s = x->state;
	unsigned char *data = NULL;
	size_t size = 0;
	lxw_error e;
	int r;

	worksheet_autofilter(s->ws, 0, 0, s->row - 1, (lxw_col_t)(s->tab.ncols - 1));
	e = workbook_close(s->wb);
	s->wb = NULL;
	if (e != LXW_NO_ERROR) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, 0, "xlsx: %s", lxw_strerror(e));
		discard(s);
		return r;
	}
	r = folio_read_file(s->path, 1ULL << 31, &data, &size, err);
	discard(s);
	if (r != FOLIO_OK)
		return r;
	if (folio_strbuf_add(out, (const char *)data, size))
		r = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	free(data);
	return r;
}

/* clang-format off */
const struct folio_export_module folio_export_xlsx = {
	.name = "xlsx",
	.ext = "xlsx",
	.summary = "an Excel workbook: a row per invoice or per VAT rate, cells typed "
		   "(amounts numbers, dates dates, numbers as text kept text)",
	.file_per_invoice = 0,
	.keys = keys,
	.begin = xlsx_begin,
	.write = xlsx_write,
	.end = xlsx_end,
	.release = xlsx_release,
};
/* clang-format on */
