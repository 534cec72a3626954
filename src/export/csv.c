/*
 * csv.c - invoices as one CSV table (RFC 4180), for spreadsheets and the
 * import screens of accounting programs.
 *
 * One row per invoice, or with `rows = rate` one row per VAT breakdown
 * row (an invoice without a breakdown still gets one row, its rate
 * columns empty; the invoice columns repeat on every row, so sum rate_net
 * and rate_vat, not the totals). Amounts are written as the record has
 * them: a credit note's amounts keep their sign and the doc_type column
 * says what the row is.
 *
 * Fields holding the delimiter, a quote, CR or LF are quoted, quotes
 * doubled. `encoding` converts with iconv; a value the encoding cannot
 * represent refuses that invoice naming the character and the column,
 * never transliterating. Input that is not UTF-8 is refused the same way.
 *
 * Invoice text comes from outside: a text cell starting with =, +, -, @,
 * a tab or CR would be a formula to a spreadsheet (CSV injection), so
 * such a cell gets a leading apostrophe unless `formula_guard = no`.
 * Amounts, rates and dates are never touched.
 *
 * `locale` sets what a spreadsheet of that country opens right, each
 * setting still overridable: pl, es, it, pt: ';' between cells, a decimal
 * comma, UTF-8 with a byte order mark (or `encoding = local`: CP1250 for
 * pl, CP1252 for the others), dates as the country writes them (pl
 * 31.12.2024, es it pt 31/12/2024); excel: ',' and a point, the mark, ISO
 * dates; none (the default, or the config's `locale`): RFC 4180 as is.
 * With a locale, `text_guard` is on: a text cell a spreadsheet would turn
 * into a number or a date ("0147", "03/2024", "1-2", a 16-digit account
 * number) is written ="0147", which Excel and LibreOffice keep as text.
 */
#include "export_private.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/values.h"

#define K_TEXT FOLIO_TAB_TEXT
#define K_AMOUNT FOLIO_TAB_AMOUNT
#define K_RATE FOLIO_TAB_RATE
#define K_DATE FOLIO_TAB_DATE

enum col {
	C_FIELD = 0, /* any other field of the document, by name */
	C_DOC_ID,
	C_SHA256,
	C_DOC_TYPE,
	C_TITLE,
	C_ADDED_AT,
	C_VENDOR,
	C_NEEDS_REVIEW,
	C_REVIEW,
	C_TAGS,
	C_NUMBER,
	C_ISSUE,
	C_SUPPLY,
	C_DUE,
	C_CURRENCY,
	C_S_NAME,
	C_S_TAX,
	C_S_COUNTRY,
	C_S_ADDR,
	C_B_NAME,
	C_B_TAX,
	C_B_COUNTRY,
	C_B_ADDR,
	C_IBAN,
	C_ORDER_REF,
	C_BUYER_REF,
	C_PAY_REF,
	C_NET,
	C_VAT,
	C_GROSS,
	C_DUE_AMT,
	C_PREPAID,
	C_ROUNDING,
	C_RATE,
	C_RATE_CAT,
	C_RATE_EXR,
	C_RATE_EXC,
	C_RATE_NET,
	C_RATE_VAT,
};

/* clang-format off */
static const struct {
	const char *name;
	enum col id;
	enum folio_tab_kind kind;
	int per_rate;
} columns[] = {
	{ "doc_id", C_DOC_ID, K_TEXT, 0 },
	{ "id", C_DOC_ID, K_TEXT, 0 },      /* the key every JSON output uses */
	{ "sha256", C_SHA256, K_TEXT, 0 },
	{ "doc_type", C_DOC_TYPE, K_TEXT, 0 },
	{ "title", C_TITLE, K_TEXT, 0 },
	{ "added_at", C_ADDED_AT, K_TEXT, 0 },
	{ "vendor", C_VENDOR, K_TEXT, 0 },
	{ "needs_review", C_NEEDS_REVIEW, K_TEXT, 0 },
	{ "review", C_REVIEW, K_TEXT, 0 },
	{ "tags", C_TAGS, K_TEXT, 0 },
	{ "invoice_number", C_NUMBER, K_TEXT, 0 },
	{ "issue_date", C_ISSUE, K_DATE, 0 },
	{ "supply_date", C_SUPPLY, K_DATE, 0 },
	{ "due_date", C_DUE, K_DATE, 0 },
	{ "currency", C_CURRENCY, K_TEXT, 0 },
	{ "seller_name", C_S_NAME, K_TEXT, 0 },
	{ "seller_tax_id", C_S_TAX, K_TEXT, 0 },
	{ "seller_country", C_S_COUNTRY, K_TEXT, 0 },
	{ "seller_address", C_S_ADDR, K_TEXT, 0 },
	{ "buyer_name", C_B_NAME, K_TEXT, 0 },
	{ "buyer_tax_id", C_B_TAX, K_TEXT, 0 },
	{ "buyer_country", C_B_COUNTRY, K_TEXT, 0 },
	{ "buyer_address", C_B_ADDR, K_TEXT, 0 },
	{ "iban", C_IBAN, K_TEXT, 0 },
	{ "order_reference", C_ORDER_REF, K_TEXT, 0 },
	{ "buyer_reference", C_BUYER_REF, K_TEXT, 0 },
	{ "payment_reference", C_PAY_REF, K_TEXT, 0 },
	{ "net_total", C_NET, K_AMOUNT, 0 },
	{ "vat_total", C_VAT, K_AMOUNT, 0 },
	{ "gross_total", C_GROSS, K_AMOUNT, 0 },
	{ "amount_due", C_DUE_AMT, K_AMOUNT, 0 },
	{ "prepaid_amount", C_PREPAID, K_AMOUNT, 0 },
	{ "rounding_amount", C_ROUNDING, K_AMOUNT, 0 },
	{ "vat_rate", C_RATE, K_RATE, 1 },
	{ "rate_category", C_RATE_CAT, K_TEXT, 1 },
	{ "rate_exemption_reason", C_RATE_EXR, K_TEXT, 1 },
	{ "rate_exemption_code", C_RATE_EXC, K_TEXT, 1 },
	{ "rate_net", C_RATE_NET, K_AMOUNT, 1 },
	{ "rate_vat", C_RATE_VAT, K_AMOUNT, 1 },
};
/* clang-format on */
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

#define DEFAULT_COLUMNS                                                                   \
	"doc_id,invoice_number,doc_type,issue_date,supply_date,due_date,seller_name,"     \
	"seller_tax_id,buyer_name,buyer_tax_id,currency,net_total,vat_total,gross_total," \
	"amount_due,iban"
#define MAX_COLUMNS FOLIO_TAB_MAX

/* clang-format off */
static const char *const keys[] = {
	"columns\tcomma-separated column names in order (the config's custom_fields and note "
	"too); every record member (doc_id or id, sha256, "
	"doc_type, title, added_at, vendor, needs_review, review, tags, invoice_number, dates, "
	"seller_/buyer_ name, tax_id, country, address, iban, references, totals, "
	"prepaid_amount, rounding_amount), any document field by name, and with rows = rate "
	"vat_rate, rate_category, rate_exemption_reason, rate_exemption_code, rate_net, rate_vat "
	"(" DEFAULT_COLUMNS ", plus vat_rate,rate_net,rate_vat with rows = rate)",
	"rows\tinvoice: one row per invoice; rate: one row per VAT rate (invoice)",
	"delimiter\t\",\", \";\" or \"tab\" (, or the locale's)",
	"decimal\tpoint or comma in amounts and rates (point, or the locale's)",
	"date_format\tdates with %Y, %m, %d and %%, e.g. %d.%m.%Y (%Y-%m-%d, or the "
	"locale's)",
	"encoding\tutf-8, cp1250, cp1252 or local (the locale's code page: cp1250 for pl, "
	"cp1252 for the others); an invoice with a character the encoding lacks is refused "
	"(utf-8)",
	"header\tyes: a first row of column names (yes)",
	"bom\tyes: start with a UTF-8 byte order mark, utf-8 only (no; yes with a locale)",
	"line_end\tcrlf (RFC 4180) or lf (crlf)",
	"formula_guard\tyes: a text cell starting with = + - @ gets a leading ' so a "
	"spreadsheet never runs it as a formula (yes)",
	"locale\tpl, es, it, pt, excel or none: separator, decimal mark, dates, byte order "
	"mark and text_guard as a spreadsheet there expects (none, or the config's locale)",
	"text_guard\tyes: a text cell that looks like a number or a date (an invoice number "
	"0147 or 03/2024) is written =\"0147\" so the spreadsheet keeps it as text (yes with "
	"a locale, else no)",
	NULL,
};
/* clang-format on */

struct csv {
	struct folio_tab tab;
	char delim;
	char decimal;
	char *date_format;
	const char *eol;
	int guard;	      /* formula_guard */
	int text_guard;	      /* ="..." around text a spreadsheet would convert */
	const char *encoding; /* display name: "CP1250"; NULL for UTF-8 */
	iconv_t cd;
};

static int bad_value(const struct folio_export *x, struct folio_err *err, const char *key,
		     const char *value, const char *want)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			     "%s%s%s%s: %s = '%s' is not valid (%s)", x->profile ? "profile '" : "",
			     x->profile ? x->profile : "", x->profile ? "': " : "",
			     x->mod ? x->mod->name : "csv", key, value, want);
}

static int one_of(const char *v, const char *a, const char *b)
{
	return !strcmp(v, a) || !strcmp(v, b);
}

static int add_column(struct folio_tab *c, const char *name, size_t n)
{
	size_t i;
	char *s;

	if (!(s = strndup(name, n)))
		return -1;
	c->cols[c->ncols].name = s;
	c->cols[c->ncols].id = C_FIELD;
	c->cols[c->ncols].kind = K_TEXT;
	for (i = 0; i < NCOLUMNS; i++)
		if (!strcmp(columns[i].name, s)) {
			c->cols[c->ncols].id = columns[i].id;
			c->cols[c->ncols].kind = columns[i].kind;
		}
	c->ncols++;
	return 0;
}

static int is_per_rate(enum col id)
{
	return id >= C_RATE;
}

/* One of the config's custom_fields (blank- or comma-separated). */
static int custom_field(const struct folio_export *x, const char *name)
{
	const char *p = x->custom_fields;
	size_t len = strlen(name), n;

	while (p && *p) {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n && n == len && !strncmp(p, name, n))
			return 1;
		p += n;
	}
	return 0;
}

static int parse_columns(const struct folio_export *x, struct folio_tab *c, const char *list,
			 struct folio_err *err)
{
	const char *p = list, *e;
	size_t i, n;

	while (*p) {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n && p[n - 1] == ' ')
			n--;
		if (!n)
			return bad_value(x, err, "columns", list, "an empty column name");
		if (c->ncols == MAX_COLUMNS)
			return bad_value(x, err, "columns", list, "more than 128 columns");
		if (add_column(c, p, n))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
		i = c->ncols - 1;
		if (c->cols[i].id == C_FIELD && !folio_field_known(c->cols[i].name, NULL) &&
		    !custom_field(x, c->cols[i].name)) {
			char why[160];

			snprintf(why, sizeof(why), "'%s' is not a column", c->cols[i].name);
			return bad_value(x, err, "columns", list, why);
		}
		if (is_per_rate(c->cols[i].id) && !c->per_rate) {
			char why[160];

			snprintf(why, sizeof(why), "'%s' needs rows = rate", c->cols[i].name);
			return bad_value(x, err, "columns", list, why);
		}
		p = *e ? e + 1 : e;
	}
	if (!c->ncols)
		return bad_value(x, err, "columns", list, "no columns");
	return FOLIO_OK;
}

int folio_tab_init(const struct folio_export *x, struct folio_tab *t, struct folio_err *err)
{
	const char *rows = folio_export_opt(x, "rows", "invoice");
	const char *cols = folio_export_opt(x, "columns", NULL);

	if (!one_of(rows, "invoice", "rate"))
		return bad_value(x, err, "rows", rows, "invoice or rate");
	t->per_rate = !strcmp(rows, "rate");
	return parse_columns(x, t,
			     cols	 ? cols :
			     t->per_rate ? DEFAULT_COLUMNS ",vat_rate,rate_net,rate_vat" :
					   DEFAULT_COLUMNS,
			     err);
}

void folio_tab_release(struct folio_tab *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	t->ncols = 0;
}

static int check_date_format(const char *f)
{
	for (; *f; f++)
		if (*f == '%' && (!f[1] || !strchr("Ymd%", *++f)))
			return -1;
	return 0;
}

static void csv_free(struct csv *c)
{
	if (!c)
		return;
	folio_tab_release(&c->tab);
	free(c->date_format);
	if (c->encoding)
		iconv_close(c->cd);
	free(c);
}

/* ---- one value --------------------------------------------------------- */

/* Length of the UTF-8 sequence at p, 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] < 0xe0)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] < 0xf0)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] < 0xf5)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Add a reason to the list unless it is there already (rate rows repeat). */
static void reason(struct folio_strbuf *why, const char *s)
{
	if (why->buf && strstr(why->buf, s))
		return;
	folio_strbuf_addf(why, "%s%s", why->len ? "; " : "", s);
}

/*
 * Append `v` (UTF-8) converted to the output encoding, quoted when needed.
 * A character the encoding lacks, or bytes that are not UTF-8, go to `why`.
 */
static int put_value(struct csv *c, struct folio_strbuf *row, const char *v, const char *col,
		     struct folio_strbuf *why)
{
	struct folio_strbuf conv = FOLIO_STRBUF_INIT;
	const unsigned char *p;
	const char *s = v;
	size_t i, n;
	int r = 0;

	for (p = (const unsigned char *)v; *p; p += n)
		if (!(n = utf8_len(p))) {
			char msg[160];

			snprintf(msg, sizeof(msg), "invalid UTF-8 in %s", col);
			reason(why, msg);
			return 0;
		}
	if (c->encoding && *v) {
		char *in = (char *)v, *o;
		size_t inleft = strlen(v), oleft;

		iconv(c->cd, NULL, NULL, NULL, NULL);
		while (inleft) {
			if (folio_strbuf_grow(&conv, inleft * 2 + 16))
				return -1;
			o = conv.buf + conv.len;
			oleft = conv.cap - conv.len - 1;
			if (iconv(c->cd, &in, &inleft, &o, &oleft) != (size_t)-1) {
				conv.len = (size_t)(o - conv.buf);
				break;
			}
			conv.len = (size_t)(o - conv.buf);
			if (errno == E2BIG)
				continue;
			{
				char ch[8] = "";
				size_t cl = utf8_len((const unsigned char *)in);
				char msg[200];

				memcpy(ch, in, cl ? cl : 1);
				snprintf(msg, sizeof(msg), "cannot be written in %s: '%s' in %s",
					 c->encoding, ch, col);
				reason(why, msg);
			}
			folio_strbuf_release(&conv);
			return 0;
		}
		conv.buf[conv.len] = '\0';
		s = conv.buf;
	}
	n = c->encoding && *v ? conv.len : strlen(s);
	if (memchr(s, c->delim, n) || memchr(s, '"', n) || memchr(s, '\r', n) ||
	    memchr(s, '\n', n)) {
		r = folio_strbuf_addch(row, '"');
		for (i = 0; i < n && !r; i++)
			r = (s[i] == '"' && folio_strbuf_addch(row, '"')) ||
			    folio_strbuf_addch(row, s[i]);
		r = r || folio_strbuf_addch(row, '"');
	} else {
		r = folio_strbuf_add(row, s, n);
	}
	folio_strbuf_release(&conv);
	return r ? -1 : 0;
}

static const char *party_value(const struct folio_inv_party *p, int what)
{
	return what == 0 ? p->name : what == 1 ? p->tax_id : what == 2 ? p->country : p->address;
}

static const char *field_value(const struct folio_invoice *inv, const char *name)
{
	size_t i;

	for (i = 0; i < inv->nfields; i++)
		if (!strcmp(inv->fields[i].name, name))
			return inv->fields[i].value;
	return NULL;
}

/* The record's value of a column; `tmp` holds numbers and joined tags. */
const char *folio_tab_value(const struct folio_invoice *inv, const struct folio_inv_rate *rt,
			    const struct folio_tab_col *col, struct folio_strbuf *tmp)
{
	size_t i;

	switch (col->id) {
	case C_FIELD: return field_value(inv, col->name);
	case C_DOC_ID: folio_strbuf_addf(tmp, "%lld", inv->doc_id); return tmp->buf;
	case C_SHA256: return inv->sha256;
	case C_DOC_TYPE: return inv->doc_type;
	case C_TITLE: return inv->title;
	case C_ADDED_AT: return inv->added_at;
	case C_VENDOR: return inv->vendor;
	case C_NEEDS_REVIEW: return inv->needs_review ? "yes" : "no";
	case C_REVIEW: return inv->review;
	case C_TAGS:
		for (i = 0; i < inv->ntags; i++)
			folio_strbuf_addf(tmp, "%s%s", i ? ", " : "", inv->tags[i]);
		return tmp->buf;
	case C_NUMBER: return inv->number;
	case C_ISSUE: return inv->issue_date;
	case C_SUPPLY: return inv->supply_date;
	case C_DUE: return inv->due_date;
	case C_CURRENCY: return inv->currency;
	case C_S_NAME:
	case C_S_TAX:
	case C_S_COUNTRY:
	case C_S_ADDR: return party_value(&inv->seller, (int)(col->id - C_S_NAME));
	case C_B_NAME:
	case C_B_TAX:
	case C_B_COUNTRY:
	case C_B_ADDR: return party_value(&inv->buyer, (int)(col->id - C_B_NAME));
	case C_IBAN: return inv->iban;
	case C_ORDER_REF: return inv->order_reference;
	case C_BUYER_REF: return inv->buyer_reference;
	case C_PAY_REF: return inv->payment_reference;
	case C_NET: return inv->net_total;
	case C_VAT: return inv->vat_total;
	case C_GROSS: return inv->gross_total;
	case C_DUE_AMT: return inv->amount_due;
	case C_PREPAID: return inv->prepaid_amount;
	case C_ROUNDING: return inv->rounding_amount;
	case C_RATE: return rt ? rt->rate : NULL;
	case C_RATE_CAT: return rt ? rt->category : NULL;
	case C_RATE_EXR: return rt ? rt->exemption_reason : NULL;
	case C_RATE_EXC: return rt ? rt->exemption_code : NULL;
	case C_RATE_NET: return rt ? rt->net : NULL;
	case C_RATE_VAT: return rt ? rt->vat : NULL;
	}
	return NULL;
}

static int is_iso_date(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[10] == '\0';
}

/* Dates in the profile's format, decimals with its mark. */
static const char *formatted(const struct csv *c, enum folio_tab_kind kind, const char *v,
			     struct folio_strbuf *tmp)
{
	const char *f;

	if (!v)
		return "";
	if (kind == K_DATE && is_iso_date(v) && strcmp(c->date_format, "%Y-%m-%d")) {
		folio_strbuf_reset(tmp);
		for (f = c->date_format; *f; f++) {
			if (*f != '%') {
				folio_strbuf_addch(tmp, *f);
				continue;
			}
			switch (*++f) {
			case 'Y': folio_strbuf_add(tmp, v, 4); break;
			case 'm': folio_strbuf_add(tmp, v + 5, 2); break;
			case 'd': folio_strbuf_add(tmp, v + 8, 2); break;
			default: folio_strbuf_addch(tmp, '%'); break;
			}
		}
		return tmp->buf ? tmp->buf : "";
	}
	if ((kind == K_AMOUNT || kind == K_RATE) && c->decimal == ',' && strchr(v, '.')) {
		char *d;

		if (v != tmp->buf) {
			folio_strbuf_reset(tmp);
			folio_strbuf_adds(tmp, v);
		}
		if (!tmp->buf)
			return "";
		for (d = tmp->buf; *d; d++)
			if (*d == '.')
				*d = ',';
		return tmp->buf;
	}
	return v;
}

/*
 * Text a spreadsheet would not keep as it is: digits with separators
 * ("03/2024", "1-2", "12.5", "0147 12"), a leading zero ("0147"), or more
 * digits than a spreadsheet's number holds (16 or more). A plain number
 * such as "12345" reads back the same and is left alone.
 */
static int converts(const char *v)
{
	size_t digits = 0, other = 0;
	const char *p;

	for (p = v; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr(" ./:,-+", *p))
			other++;
		else
			return 0;
	}
	return digits && (other || (v[0] == '0' && v[1]) || digits > 15);
}

static int put_row(struct csv *c, const struct folio_invoice *inv, const struct folio_inv_rate *rt,
		   struct folio_strbuf *row, struct folio_strbuf *why)
{
	struct folio_strbuf tmp = FOLIO_STRBUF_INIT;
	const char *v;
	size_t i;
	int r = 0;

	for (i = 0; i < c->tab.ncols && !r; i++) {
		folio_strbuf_reset(&tmp);
		v = formatted(c, c->tab.cols[i].kind,
			      folio_tab_value(inv, rt, &c->tab.cols[i], &tmp), &tmp);
		if (c->guard && c->tab.cols[i].kind == K_TEXT && v && *v &&
		    strchr("=+-@\t\r", *v)) {
			struct folio_strbuf g = FOLIO_STRBUF_INIT;

			r = folio_strbuf_addf(&g, "'%s", v) ||
			    (i && folio_strbuf_addch(row, c->delim)) ||
			    put_value(c, row, g.buf, c->tab.cols[i].name, why);
			folio_strbuf_release(&g);
			continue;
		}
		if (c->text_guard && c->tab.cols[i].kind == K_TEXT && v && converts(v)) {
			struct folio_strbuf g = FOLIO_STRBUF_INIT;

			r = folio_strbuf_addf(&g, "=\"%s\"", v) ||
			    (i && folio_strbuf_addch(row, c->delim)) ||
			    put_value(c, row, g.buf, c->tab.cols[i].name, why);
			folio_strbuf_release(&g);
			continue;
		}
		r = (i && folio_strbuf_addch(row, c->delim)) ||
		    put_value(c, row, v, c->tab.cols[i].name, why);
	}
	r = r || folio_strbuf_adds(row, c->eol);
	folio_strbuf_release(&tmp);
	return r ? -1 : 0;
}

/* ---- the module ----------------------------------------------------------- */

/* What a spreadsheet in each country expects (`locale`). */
/* clang-format off */
static const struct csv_locale {
	const char *name, *delim, *decimal, *date, *codepage;
	int marked; /* a byte order mark, text_guard */
} locales[] = {
	{ "none", ",", "point", "%Y-%m-%d", NULL, 0 },
	{ "pl", ";", "comma", "%d.%m.%Y", "cp1250", 1 },
	{ "es", ";", "comma", "%d/%m/%Y", "cp1252", 1 },
	{ "it", ";", "comma", "%d/%m/%Y", "cp1252", 1 },
	{ "pt", ";", "comma", "%d/%m/%Y", "cp1252", 1 },
	{ "excel", ",", "point", "%Y-%m-%d", "cp1252", 1 },
};
/* clang-format on */

static int csv_begin(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	const char *loc = folio_export_opt(x, "locale", "none");
	const struct csv_locale *L = NULL;
	const char *rows = folio_export_opt(x, "rows", "invoice");
	const char *delim, *decimal, *datef, *enc, *bom, *tguard;
	const char *header = folio_export_opt(x, "header", "yes");
	const char *eol = folio_export_opt(x, "line_end", "crlf");
	const char *guard = folio_export_opt(x, "formula_guard", "yes");
	struct folio_strbuf row = FOLIO_STRBUF_INIT, why = FOLIO_STRBUF_INIT;
	struct csv *c;
	size_t i;
	int r;

	for (i = 0; i < sizeof(locales) / sizeof(locales[0]); i++)
		if (!strcmp(loc, locales[i].name))
			L = &locales[i];
	if (!L)
		return bad_value(x, err, "locale", loc, "pl, es, it, pt, excel or none");
	delim = folio_export_opt(x, "delimiter", L->delim);
	decimal = folio_export_opt(x, "decimal", L->decimal);
	datef = folio_export_opt(x, "date_format", L->date);
	enc = folio_export_opt(x, "encoding", "utf-8");
	if (!strcmp(enc, "local")) {
		if (!L->codepage)
			return bad_value(x, err, "encoding", enc, "'local' needs a locale");
		enc = L->codepage;
	}
	/* the mark only where the text is UTF-8 */
	bom = folio_export_opt(x, "bom", L->marked && !strcmp(enc, "utf-8") ? "yes" : "no");
	tguard = folio_export_opt(x, "text_guard", L->marked ? "yes" : "no");
	if (!one_of(tguard, "yes", "no"))
		return bad_value(x, err, "text_guard", tguard, "yes or no");
	if (!one_of(rows, "invoice", "rate"))
		return bad_value(x, err, "rows", rows, "invoice or rate");
	if (strcmp(delim, ",") && strcmp(delim, ";") && strcmp(delim, "tab"))
		return bad_value(x, err, "delimiter", delim, "\",\", \";\" or \"tab\"");
	if (!one_of(decimal, "point", "comma"))
		return bad_value(x, err, "decimal", decimal, "point or comma");
	if (check_date_format(datef) || !*datef)
		return bad_value(x, err, "date_format", datef, "%Y, %m, %d, %% and other text");
	if (strcmp(enc, "utf-8") && strcmp(enc, "cp1250") && strcmp(enc, "cp1252"))
		return bad_value(x, err, "encoding", enc, "utf-8, cp1250, cp1252 or local");
	if (!one_of(header, "yes", "no"))
		return bad_value(x, err, "header", header, "yes or no");
	if (!one_of(bom, "yes", "no"))
		return bad_value(x, err, "bom", bom, "yes or no");
	if (!one_of(guard, "yes", "no"))
		return bad_value(x, err, "formula_guard", guard, "yes or no");
	if (!strcmp(bom, "yes") && strcmp(enc, "utf-8"))
		return bad_value(x, err, "bom", bom, "a byte order mark needs encoding = utf-8");
	if (!one_of(eol, "crlf", "lf"))
		return bad_value(x, err, "line_end", eol, "crlf or lf");

	if (!(c = calloc(1, sizeof(*c))))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	c->delim = !strcmp(delim, "tab") ? '\t' : delim[0];
	c->decimal = !strcmp(decimal, "comma") ? ',' : '.';
	c->eol = !strcmp(eol, "crlf") ? "\r\n" : "\n";
	c->guard = !strcmp(guard, "yes");
	c->text_guard = !strcmp(tguard, "yes");
	if (!(c->date_format = strdup(datef))) {
		csv_free(c);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	if (strcmp(enc, "utf-8")) {
		c->cd = iconv_open(!strcmp(enc, "cp1250") ? "CP1250" : "CP1252", "UTF-8");
		if (c->cd == (iconv_t)-1) {
			r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, errno,
					  "csv: iconv cannot convert to %s: %s", enc,
					  strerror(errno));
			csv_free(c);
			return r;
		}
		c->encoding = !strcmp(enc, "cp1250") ? "CP1250" : "CP1252";
	}
	if ((r = folio_tab_init(x, &c->tab, err))) {
		csv_free(c);
		return r;
	}
	x->state = c;

	if (!strcmp(bom, "yes") && folio_strbuf_adds(out, "\xef\xbb\xbf"))
		goto nomem;
	if (!strcmp(header, "yes")) {
		for (i = 0; i < c->tab.ncols; i++)
			if ((i && folio_strbuf_addch(&row, c->delim)) ||
			    put_value(c, &row, c->tab.cols[i].name, c->tab.cols[i].name, &why))
				goto nomem;
		if (folio_strbuf_adds(&row, c->eol) || folio_strbuf_add(out, row.buf, row.len))
			goto nomem;
	}
	folio_strbuf_release(&row);
	folio_strbuf_release(&why);
	return FOLIO_OK;
nomem:
	folio_strbuf_release(&row);
	folio_strbuf_release(&why);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
}

static int csv_write(struct folio_export *x, const struct folio_invoice *inv,
		     struct folio_strbuf *out, struct folio_err *err)
{
	struct csv *c = x->state;
	struct folio_strbuf rows = FOLIO_STRBUF_INIT, why = FOLIO_STRBUF_INIT;
	size_t i;
	int r = FOLIO_OK;

	if (c->tab.per_rate && inv->nrates) {
		for (i = 0; i < inv->nrates; i++)
			if (put_row(c, inv, &inv->rates[i], &rows, &why))
				goto nomem;
	} else if (put_row(c, inv, NULL, &rows, &why)) {
		goto nomem;
	}
	if (why.len)
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0, "%s", why.buf);
	else if (folio_strbuf_add(out, rows.buf, rows.len))
		goto nomem;
	folio_strbuf_release(&rows);
	folio_strbuf_release(&why);
	return r;
nomem:
	folio_strbuf_release(&rows);
	folio_strbuf_release(&why);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
}

static void csv_release(struct folio_export *x)
{
	csv_free(x->state);
	x->state = NULL;
}

const struct folio_export_module folio_export_csv = {
	.name = "csv",
	.ext = "csv",
	.summary = "one CSV table (RFC 4180): a row per invoice or per VAT rate",
	.file_per_invoice = 0,
	.keys = keys,
	.begin = csv_begin,
	.write = csv_write,
	.end = NULL,
	.release = csv_release,
};
