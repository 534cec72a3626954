/*
 * layout_table.c - tables from a page's layout: columns from a heading
 * line, rows assigned cell by cell, VAT breakdowns and line items, also
 * where they are printed as label: value groups (see layout.c for the page
 * model).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "layout_private.h"

/* ---- tables ------------------------------------------------------------- */

struct column {
	int mask; /* possible kinds */
	int kind; /* chosen */
	int x0, x1;
};

/* A VAT rate: "23", "23%", "5,5 %", "0%" - one or two digits, at most two
 * decimals, nothing else (so "3.676,00" is not a rate). */
int lay_rate_value(const char *s, char *out, size_t n)
{
	size_t i = 0, k = 0, d;
	char buf[16];

	/* a scan's table rule before it ("| 23%") */
	while (s[i] == ' ' || (s[i] == '|' && i == 0))
		i++;
	for (d = 0; isdigit((unsigned char)s[i]) && d < 3; d++)
		buf[k++] = s[i++];
	if (!d || d > 2)
		return 0;
	if ((s[i] == ',' || s[i] == '.') && isdigit((unsigned char)s[i + 1])) {
		buf[k++] = '.';
		i++;
		for (d = 0; isdigit((unsigned char)s[i]) && d < 3; d++)
			buf[k++] = s[i++];
		if (d > 2)
			return 0;
	}
	while (s[i] == ' ')
		i++;
	if (s[i] == '%') {
		/* "23% lub 22%", "22% (D)", a scan's "23%lub 22%": the first
		 * rate stands */
		i++;
		if (s[i] == ' ' || isalpha((unsigned char)s[i]))
			i += strlen(s + i);
	}
	if (s[i] || k >= n)
		return 0;
	buf[k] = '\0';
	memcpy(out, buf, k + 1);
	return 1;
}

static int col_of(const struct column *cols, int ncols, const struct cell *c)
{
	int best = -1, bestov = 0, k, bestd = 1 << 30;

	for (k = 0; k < ncols; k++) {
		int ov = (c->x1 < cols[k].x1 ? c->x1 : cols[k].x1) -
			 (c->x0 > cols[k].x0 ? c->x0 : cols[k].x0);

		if (ov > bestov) {
			bestov = ov;
			best = k;
		}
	}
	if (best >= 0)
		return best;
	/* headings set flush left, values flush right ("Kwota netto" over
	 * "28 457,88" further right): the column whose heading starts last
	 * before the value's centre, when the value ends before the next
	 * heading's end */
	{
		int mid = (c->x0 + c->x1) / 2, at = -1;

		for (k = 0; k < ncols; k++)
			if (cols[k].x0 <= mid && (at < 0 || cols[k].x0 > cols[at].x0))
				at = k;
		if (at >= 0 && cols[at].mask) {
			int nx = 1 << 30;

			for (k = 0; k < ncols; k++)
				if (cols[k].x0 > cols[at].x0 && cols[k].x0 < nx)
					nx = cols[k].x0;
			if (c->x1 <= nx)
				return at;
		}
	}
	for (k = 0; k < ncols; k++) {
		int d = abs((c->x0 + c->x1) / 2 - (cols[k].x0 + cols[k].x1) / 2);

		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	return best;
}

int lay_cell_amount(struct ctx *cx, const struct pagem *pm, const struct cell *c,
		    struct folio_amount *am)
{
	char *t = lay_span_text(pm, c->a, c->b, NULL, 0);
	const char *s;
	size_t used;
	int ok = 0;

	if (!t)
		return 0;
	s = lay_amount_start(t);
	used = folio_amount_parse(s, cx->dec, am);
	if (used) {
		const char *r = s + used;

		while (*r == ' ')
			r++;
		/* the rest may be a currency */
		ok = !*r || !strcmp(r, "\xe2\x82\xac") ||
		     (strlen(r) <= 3 && isalpha((unsigned char)*r)) || !strcmp(r, "z\xc5\x82");
		if (!ok && *r == '%')
			ok = 0;
	}
	free(t);
	return ok;
}

/*
 * The cells of a table row, with a cell holding several amounts ("21.04
 * 4.21": the gap between columns was narrow) cut into one unit per amount.
 * "2 265,00" is one amount and stays whole. orig[] is each unit's cell.
 */
static size_t row_units(struct ctx *cx, const struct pagem *pm, const struct vline *vl,
			struct cell *units, size_t *orig, size_t max)
{
	size_t n = 0, c;

	for (c = vl->ca; c < vl->cb && n < max; c++) {
		const struct cell *cl = &pm->c[c];
		size_t offs[SPAN_MAX], nt = cl->b - cl->a, a = cl->a;
		char *t;

		if (nt < 2 || nt > SPAN_MAX || !(t = lay_span_text(pm, cl->a, cl->b, offs, nt))) {
			units[n] = *cl;
			orig[n++] = c;
			continue;
		}
		for (;;) {
			struct folio_amount am;
			const char *s = lay_amount_start(t + offs[a - cl->a]);
			size_t used = folio_amount_parse(s, cx->dec, &am), k;
			const char *rest = s + used;

			while (*rest == ' ')
				rest++;
			k = used ? lay_tok_of(offs, nt, (size_t)(rest - t)) : 0;
			if (!used || !*rest || *rest == '%' || k + cl->a <= a ||
			    !folio_amount_parse(lay_amount_start(rest), cx->dec, &am) ||
			    n + 1 >= max)
				break;
			/* tokens [a, cl->a + k) are one amount */
			units[n] = *cl;
			units[n].a = a;
			units[n].b = cl->a + k;
			units[n].x0 = pm->t[a].x;
			units[n].x1 = pm->t[units[n].b - 1].x + pm->t[units[n].b - 1].w;
			orig[n++] = c;
			a = cl->a + k;
		}
		units[n] = *cl;
		units[n].a = a;
		units[n].x0 = pm->t[a].x;
		orig[n++] = c;
		free(t);
	}
	return n;
}

/* A line item row, kept open until the next row starts: a description
 * may go on over the following lines. */
struct item_row {
	int open;
	char desc[256], qty[32], unit[24], rate[16];
	struct folio_amount am[MAX_COLS];
	int have[MAX_COLS];
	int desc_x1; /* where its description ends on the page */
};

/* Where the column after `col` starts (the page's width when none). */
static int next_col_x0(const struct column *cols, int ncols, int col)
{
	int k, x = 1 << 20;

	for (k = 0; k < ncols; k++)
		if (cols[k].x0 > cols[col].x0 && cols[k].x0 < x)
			x = cols[k].x0;
	return x;
}

/* "2 EA", "64 m²", "9,5 Std.": the number as quantity, the rest as unit. */
static void split_qty(const char *t, int dec, char *qty, size_t nq, char *unit, size_t nu)
{
	struct folio_amount a;
	const char *s = t;
	size_t used;

	while (*s == ' ')
		s++;
	used = folio_amount_parse(s, dec, &a);
	if (!used) {
		snprintf(qty, nq, "%s", t);
		unit[0] = '\0';
		return;
	}
	/* as a plain decimal without trailing zeros: "1.000" (a thousand, in
	 * a comma locale) is "1000", "1,50" is "1.5" */
	{
		char buf[40], *q;

		folio_amount_format(&a, buf, sizeof(buf));
		if ((q = strchr(buf, '.'))) {
			size_t k = strlen(buf);

			while (k > (size_t)(q - buf) && (buf[k - 1] == '0' || buf[k - 1] == '.'))
				if (buf[--k] == '.') {
					buf[k] = '\0';
					break;
				} else {
					buf[k] = '\0';
				}
		}
		snprintf(qty, nq, "%s", buf);
	}
	s += used;
	while (*s == ' ')
		s++;
	snprintf(unit, nu, "%s", s);
}

/* Whether the digits of `want` (leading zeros aside) appear in order among
 * those of `got`: "0.75" in a misread "275.00", "12122.59" in "1212259.00". */
static int digits_within(const char *want, const char *got)
{
	while (*want == '0' || *want == '.' || *want == '-')
		want++;
	for (; *want; want++) {
		if (!isdigit((unsigned char)*want))
			continue;
		while (*got && *got != *want)
			got++;
		if (!*got)
			return 0;
		got++;
	}
	return 1;
}

/*
 * An item row read by OCR, mended by its own arithmetic (quantity x unit
 * price = net): a quantity misread as letters ("Yi", "ik") becomes the
 * whole number net / price when that is exact; a unit price that does not
 * close the row but holds the digits of net / quantity in order (a lost
 * point: "1212259.00" for 12122.59, "275.00" for 0.75) becomes that price.
 * A row that does not close otherwise (a discount) is left as read. OCR
 * noise before the description ("_", "'-", "~") goes too.
 */
static void mend_item(struct item_row *r, const struct column *cols, int ncols, int dec)
{
	struct folio_amount q;
	int k, kp = -1, kn = -1;
	size_t used, n;
	long long price, net, qc;

	/* noise: ASCII marks, and the curly single quotes and dashes (three
	 * bytes each in UTF-8); a minus before a digit is a sign, kept */
	for (n = 0;;) {
		const unsigned char *d = (const unsigned char *)r->desc + n;

		if (*d && strchr(" _~|'`.,:;", *d))
			n++;
		else if (*d == '-' && !isdigit(d[1]))
			n++;
		else if (d[0] == 0xe2 && d[1] == 0x80 &&
			 (d[2] == 0x98 || d[2] == 0x99 || d[2] == 0x93 || d[2] == 0x94))
			n += 3;
		else
			break;
	}
	if (n && r->desc[n])
		memmove(r->desc, r->desc + n, strlen(r->desc + n) + 1);
	for (k = 0; k < ncols && k < MAX_COLS; k++) {
		if (cols[k].kind == C_PRICE && r->have[k])
			kp = k;
		else if (cols[k].kind == C_NET && r->have[k])
			kn = k;
	}
	if (kp < 0 || kn < 0)
		return;
	price = folio_amount_cents(&r->am[kp]);
	net = folio_amount_cents(&r->am[kn]);
	used = r->qty[0] ? folio_amount_parse(r->qty, dec, &q) : 0;
	if (r->qty[0] && (!used || r->qty[used])) {
		/* letters where a quantity was printed */
		if (price && net % price == 0 && llabs(net / price) <= 100000 && net / price) {
			snprintf(r->qty, sizeof(r->qty), "%lld", net / price);
			r->unit[0] = '\0';
		}
		return;
	}
	if (!used || q.scale > 3)
		return;
	/* the quantity in thousandths, the row's arithmetic in cents */
	for (qc = q.units, k = q.scale; k < 3; k++)
		qc *= 10;
	if (!qc || llabs(qc) > 100000000LL || llabs(price) > 1000000000000LL)
		return;
	if (llabs(price * qc / 1000 - net) <= 1 + llabs(net) / 1000)
		return;
	{
		long long want = llround((double)net * 1000.0 / (double)qc);
		struct folio_amount a = { want, 2 };
		char wbuf[40], gbuf[40];

		if (llabs(want * qc / 1000 - net) > 1 || want <= 0 || price <= 0)
			return;
		folio_amount_format(&a, wbuf, sizeof(wbuf));
		folio_amount_format(&r->am[kp], gbuf, sizeof(gbuf));
		if (digits_within(wbuf, gbuf) && strlen(wbuf) < strlen(gbuf))
			r->am[kp] = a;
	}
}

static void put_item(struct folio_strbuf *li, int *nli, const struct item_row *r,
		     const struct column *cols, int ncols)
{
	char buf[40];
	int k;

	if (!r->open || !r->desc[0])
		return;
	folio_strbuf_addf(li, "%s{\"description\":", (*nli)++ ? "," : "");
	folio_strbuf_add_json(li, r->desc);
	if (r->qty[0]) {
		folio_strbuf_adds(li, ",\"quantity\":");
		folio_strbuf_add_json(li, r->qty);
	}
	if (r->unit[0]) {
		folio_strbuf_adds(li, ",\"unit\":");
		folio_strbuf_add_json(li, r->unit);
	}
	for (k = 0; k < ncols && k < MAX_COLS; k++) {
		const char *nm = cols[k].kind == C_NET	 ? "net" :
				 cols[k].kind == C_PRICE ? "unit_price" :
				 cols[k].kind == C_VAT	 ? "vat" :
							   NULL;

		if (!nm || !r->have[k])
			continue;
		folio_amount_format(&r->am[k], buf, sizeof(buf));
		folio_strbuf_addf(li, ",\"%s\":\"%s\"", nm, buf);
	}
	if (r->rate[0]) {
		folio_strbuf_adds(li, ",\"vat_rate\":");
		folio_strbuf_add_json(li, r->rate);
	}
	folio_strbuf_addch(li, '}');
}

/*
 * The roles of a VAT summary row's amounts, by arithmetic rather than by
 * headings alone: headings are often missing from the lexicon or shared
 * ("Total s/ IVA", "Steuerbetrag", "Montant"), while net x rate = VAT and
 * net + VAT = gross hold on every such row. role[k] becomes C_NET, C_VAT,
 * C_GROSS or 0 for each column k with an amount. Returns 1 when the roles
 * reconcile (the VAT may then be implied: *vat_implied set to gross -
 * net, or 0 at a zero rate, when no column holds it), 0 when they do not
 * (role[] is the headings' kinds then).
 */
static int bd_roles(const char *rate, const struct folio_amount *am, const int *have,
		    const struct column *cols, int ncols, int *role, long long *vat_implied,
		    int *implied)
{
	long long v[MAX_COLS];
	double r = strtod(rate, NULL) / 100.0;
	int k, i, j, n = 0, bi = -1, bj = -1, bg = -1;
	long long besterr = -1;

	*implied = 0;
	for (k = 0; k < ncols && k < MAX_COLS; k++) {
		role[k] = 0;
		if (!have[k])
			continue;
		v[k] = folio_amount_cents(&am[k]);
		n++;
		if (cols[k].kind == C_NET || cols[k].kind == C_VAT || cols[k].kind == C_GROSS)
			role[k] = cols[k].kind;
	}
	if (!n || r < 0 || r >= 1)
		return 0;
	/* net (i) and VAT (j): the pair whose VAT is nearest net x rate, within
	 * a cent and 0.2% (VAT summed over lines rounds apart); at a zero rate
	 * a zero VAT under a non-zero net */
	for (i = 0; i < ncols && i < MAX_COLS; i++) {
		if (!have[i])
			continue;
		for (j = 0; j < ncols && j < MAX_COLS; j++) {
			long long want, err, tol;

			if (j == i || !have[j])
				continue;
			want = llround((double)v[i] * r);
			err = llabs(want - v[j]);
			tol = 1 + llabs(v[j]) / 500;
			if (err > tol || (r > 0 && !v[j] && v[i]))
				continue;
			if (r == 0 && !v[i] && n > 2)
				continue;
			/* ties (a zero rate: every zero is a VAT) go to the headings,
			 * then to the left */
			err = err * 4 + (role[i] != C_NET) + (role[j] != C_VAT) * 2;
			if (besterr < 0 || err < besterr) {
				besterr = err;
				bi = i;
				bj = j;
			}
		}
	}
	if (bi < 0) {
		/* no VAT column: net and gross apart by net x rate */
		for (i = 0; i < ncols && i < MAX_COLS && bi < 0; i++)
			for (j = 0; j < ncols && j < MAX_COLS; j++) {
				long long d;

				if (j == i || !have[i] || !have[j])
					continue;
				d = v[j] - v[i];
				if (llabs(llround((double)v[i] * r) - d) <= 1 + llabs(d) / 500 &&
				    (r == 0 || d)) {
					bi = i;
					bg = j;
					*vat_implied = d;
					*implied = 1;
					break;
				}
			}
		/* a zero rate and one amount: the net, the VAT nil */
		if (bi < 0 && r == 0 && n == 1)
			for (k = 0; k < ncols && k < MAX_COLS; k++)
				if (have[k] && role[k] != C_VAT) {
					bi = k;
					*vat_implied = 0;
					*implied = 1;
				}
		if (bi < 0)
			return 0;
	} else {
		for (k = 0; k < ncols && k < MAX_COLS; k++)
			if (have[k] && k != bi && k != bj && llabs(v[bi] + v[bj] - v[k]) <= 1 &&
			    (bg < 0 || role[k] == C_GROSS))
				bg = k;
	}
	for (k = 0; k < ncols && k < MAX_COLS; k++)
		role[k] = k == bi ? C_NET : k == bj ? C_VAT : k == bg ? C_GROSS : 0;
	return 1;
}

/* Adds an item row's net to its rate's sum; a row without either spoils
 * the sums (they would not be the whole). */
static void note_rate_net(struct ctx *cx, const struct item_row *r, const struct column *cols,
			  int ncols)
{
	int k, i;
	double rate;

	if (!r->open || !r->desc[0])
		return;
	for (k = 0; k < ncols && k < MAX_COLS; k++)
		if (cols[k].kind == C_NET && r->have[k])
			break;
	if (!r->rate[0] || k == ncols || k == MAX_COLS) {
		cx->lrate_bad = 1;
		return;
	}
	rate = strtod(r->rate, NULL);
	for (i = 0; i < cx->nlrate; i++)
		if (fabs(cx->lrate[i].rate - rate) < 0.001)
			break;
	if (i == cx->nlrate) {
		if (i == (int)(sizeof(cx->lrate) / sizeof(cx->lrate[0]))) {
			cx->lrate_bad = 1;
			return;
		}
		cx->lrate[i].rate = rate;
		cx->lrate[i].net = 0;
		cx->nlrate++;
	}
	cx->lrate[i].net += folio_amount_cents(&r->am[k]);
}

/* Whether line `l` holds no digit at all (a heading's second line:
 * "netto  podatku  netto"). */
static int wordy_line(const struct pagem *pm, size_t l)
{
	size_t c, k;

	for (c = pm->l[l].ca; c < pm->l[l].cb; c++)
		for (k = pm->c[c].a; k < pm->c[c].b; k++)
			if (lay_has_digit(pm->t[k].text))
				return 0;
	return 1;
}

/* Whether a row of two cells or more comes after line `l` past no more
 * than three lines of one cell (an item's second text and its article
 * number, each on a line of its own). */
static int table_goes_on(const struct pagem *pm, size_t l)
{
	size_t k;

	for (k = l + 1; k < pm->nl && k <= l + 4; k++) {
		if (pm->l[k].cb - pm->l[k].ca >= 2)
			return 1;
		if (pm->l[k].cb - pm->l[k].ca != 1 ||
		    abs(pm->c[pm->l[k].ca].x0 - pm->c[pm->l[l].ca].x0) > 4)
			return 0;
	}
	return 0;
}

#define ROW_UNITS 32 /* cells of a table's line, amounts cut apart */

/* What reading a table carries from line to line: the item row still open,
 * the breakdown and line items as built so far, the breakdown's sums. */
struct table {
	struct ctx *cx;
	const struct pagem *pm;
	const struct column *cols;
	int ncols;
	int items; /* line items: a description, quantity or price column */
	struct folio_strbuf bd, li;
	int nbd, nli;
	struct item_row row;
	long long sum_net, sum_vat;
	int sum_have; /* 1: a net summed, 2: a VAT */
	int bd_odd;   /* a breakdown row did not reconcile */
};

/* What one line of a table holds, by its columns. */
struct table_line {
	struct folio_amount am[MAX_COLS];
	int have[MAX_COLS];
	char rate[16], desc[256], qty[32];
	int total; /* a total row (its label matched) */
	int namounts, desc_x1;
	int detail; /* a label: value pair among its cells */
};

/* How a line leaves a table being read. */
enum { LINE_ERROR = -1, LINE_END = 0, LINE_NEXT = 1 };

/*
 * A line of one cell inside an item table: the description going on
 * ("Handmade Concrete" / "Chicken"), or a detail under it ("Artikelnummer:
 * 166022"), when the table goes on after it. Returns 1 when the line is
 * done with, 0 when it is to be read as a row, -1 on error.
 */
static int wrapped_line(struct table *tb, const struct vline *vl, size_t l)
{
	const struct pagem *pm = tb->pm;
	const struct column *cols = tb->cols;
	struct item_row *row = &tb->row;
	const struct cell *cl;
	int col;

	if (!tb->items || vl->cb - vl->ca != 1 || !row->open || !table_goes_on(pm, l))
		return 0;
	cl = &pm->c[vl->ca];
	col = col_of(cols, tb->ncols, cl);
	/* joined only when it wrapped: its first word would not have
	 * fitted after the row's description ("Paper subscription" /
	 * "Subscription fee 1st quarter" is a second text, skipped) */
	if (col >= 0 && cols[col].kind == C_DESC) {
		char *t;

		if (!row->desc_x1 ||
		    pm->t[cl->a].w + 20 < next_col_x0(cols, tb->ncols, col) - row->desc_x1)
			return 1;
		if (!(t = lay_span_text(pm, cl->a, cl->b, NULL, 0)))
			return -1;
		if (!strchr(t, ':')) {
			size_t n = strlen(row->desc);

			snprintf(row->desc + n, sizeof(row->desc) - n, " %s", t);
			row->desc_x1 = cl->x1;
		}
		free(t);
		return 1;
	}
	/* a code wrapped in its own column ("4bbc175d-c8de-75b5-88a5-" /
	 * "a7c273403730" under KSeF's "UU ID"): not the table's end */
	if (col >= 0 && cols[col].kind != C_DESC && cols[col].kind != C_NET &&
	    cols[col].kind != C_GROSS && cols[col].kind != C_VAT && row->desc_x1 &&
	    cl->x1 <= row->desc_x1) {
		struct folio_amount dummy;

		if (!lay_cell_amount(tb->cx, pm, cl, &dummy))
			return 1;
	}
	return 0;
}

/* A code and the description set too close to be two cells
 * ("66465935-48e0-... Refined Concrete Pants"): cut where the
 * description's column starts. Returns the new number of units. */
static size_t split_at_desc(const struct pagem *pm, const struct column *cols, int ncols,
			    struct cell *units, size_t *orig, size_t nu, size_t max)
{
	size_t u, j;
	int k;

	for (k = 0; k < ncols; k++) {
		if (cols[k].kind != C_DESC)
			continue;
		for (u = 0; u < nu && nu < max; u++) {
			struct cell *cu = &units[u];

			if (cu->x0 >= cols[k].x0 - 3 || cu->x1 <= cols[k].x0)
				continue;
			for (j = cu->a + 1; j < cu->b && pm->t[j].x < cols[k].x0 - 3; j++)
				;
			if (j == cu->b)
				continue;
			memmove(&units[u + 2], &units[u + 1], (nu - u - 1) * sizeof(*units));
			memmove(&orig[u + 2], &orig[u + 1], (nu - u - 1) * sizeof(*orig));
			units[u + 1] = *cu;
			units[u + 1].a = j;
			units[u + 1].x0 = pm->t[j].x;
			orig[u + 1] = orig[u];
			cu->b = j;
			cu->x1 = pm->t[j - 1].x + pm->t[j - 1].w;
			nu++;
			break;
		}
	}
	return nu;
}

/* The units of a line into `ln` by the columns they fall in: a rate, a
 * quantity, amounts, a description; a row label first makes it a total. */
static int read_units(struct table *tb, const struct cell *units, const size_t *orig, size_t nu,
		      struct table_line *ln)
{
	struct ctx *cx = tb->cx;
	const struct pagem *pm = tb->pm;
	const struct column *cols = tb->cols;
	size_t u;

	for (u = 0; u < nu; u++) {
		const struct cell *cl = &units[u];
		int col = col_of(cols, tb->ncols, cl);
		char *t = lay_span_text(pm, cl->a, cl->b, NULL, 0);
		char key[KEY_MAX];
		size_t c, m;

		if (!t)
			return -1;
		lay_make_key(t, key, sizeof(key));
		ln->detail |= strchr(t, ':') != NULL;
		c = orig[u];
		for (m = 0; m < cx->nm && u == 0; m++)
			if (cx->m[m].lb->kind == V_ROW && &cx->pm[cx->m[m].page] == pm &&
			    cx->m[m].cell == c)
				ln->total = 1;
		if (col >= 0 && (cols[col].mask & C_RATE) && !ln->rate[0] &&
		    lay_rate_value(t, ln->rate, sizeof(ln->rate))) {
			/* a rate */
		} else if (col >= 0 &&
			   (cols[col].kind == C_QTY ||
			    (cols[col].kind == C_UNIT && isdigit((unsigned char)t[0]))) &&
			   !ln->qty[0]) {
			/* "3 szt." across the quantity and unit columns */
			snprintf(ln->qty, sizeof(ln->qty), "%s", t);
		} else if (col >= 0 && cols[col].kind != C_DESC && col < MAX_COLS &&
			   lay_cell_amount(cx, pm, cl, &ln->am[col])) {
			ln->have[col] = 1;
			ln->namounts++;
		} else if (col >= 0 && cols[col].kind == C_DESC && !ln->desc[0]) {
			snprintf(ln->desc, sizeof(ln->desc), "%s", t);
			ln->desc_x1 = cl->x1;
		} else if (u == 0 && !ln->desc[0] && !ln->total && tb->items &&
			   !lay_rate_value(t, ln->rate, sizeof(ln->rate))) {
			/* a number column ("Lp.") before the description */
		}
		free(t);
	}
	return 0;
}

/* A total row's net, VAT and gross amounts as the document's totals, each
 * at the cell it stands in (trusted less under line items). */
static int emit_row_totals(struct table *tb, const struct vline *vl, const struct table_line *ln)
{
	static const char *const names[] = { "net_total", "vat_total", "gross_total" };
	const struct pagem *pm = tb->pm;
	const struct column *cols = tb->cols;
	int k;

	for (k = 0; k < tb->ncols && k < MAX_COLS; k++) {
		int ci = cols[k].kind == C_NET	 ? 0 :
			 cols[k].kind == C_VAT	 ? 1 :
			 cols[k].kind == C_GROSS ? 2 :
						   -1;
		char buf[40];
		const struct cell *cl;
		size_t c;

		if (ci < 0 || !ln->have[k])
			continue;
		for (c = vl->ca; c < vl->cb; c++)
			if (col_of(cols, tb->ncols, &pm->c[c]) == k)
				break;
		cl = &pm->c[c < vl->cb ? c : vl->ca];
		folio_amount_format(&ln->am[k], buf, sizeof(buf));
		if (lay_emit(tb->cx, names[ci], buf, NULL, tb->items ? 0.8f : 0.9f, pm, cl->a,
			     cl->b))
			return -1;
	}
	return 0;
}

/* A VAT summary row into the breakdown, its amounts in the roles they
 * reconcile to (the headings' when they do not); its net and VAT summed. */
static void add_bd_row(struct table *tb, const struct table_line *ln)
{
	char buf[40];
	int role[MAX_COLS], implied = 0, k;
	long long vimp = 0;

	if (!bd_roles(ln->rate, ln->am, ln->have, tb->cols, tb->ncols, role, &vimp, &implied))
		tb->bd_odd = 1;
	folio_strbuf_addf(&tb->bd, "%s{\"rate\":", tb->nbd++ ? "," : "");
	folio_strbuf_add_json(&tb->bd, ln->rate);
	for (k = 0; k < tb->ncols && k < MAX_COLS; k++) {
		const char *nm = role[k] == C_NET   ? "net" :
				 role[k] == C_VAT   ? "vat" :
				 role[k] == C_GROSS ? "gross" :
						      NULL;

		if (!nm || !ln->have[k])
			continue;
		folio_amount_format(&ln->am[k], buf, sizeof(buf));
		folio_strbuf_addf(&tb->bd, ",\"%s\":\"%s\"", nm, buf);
		if (role[k] == C_NET) {
			tb->sum_net += folio_amount_cents(&ln->am[k]);
			tb->sum_have |= 1;
		} else if (role[k] == C_VAT) {
			tb->sum_vat += folio_amount_cents(&ln->am[k]);
			tb->sum_have |= 2;
		}
	}
	if (implied) {
		struct folio_amount va = { vimp, 2 };

		folio_amount_format(&va, buf, sizeof(buf));
		folio_strbuf_addf(&tb->bd, ",\"vat\":\"%s\"", buf);
		tb->sum_vat += vimp;
		tb->sum_have |= 2;
	}
	folio_strbuf_addch(&tb->bd, '}');
}

/* Puts out the item row still open (its description complete now): its
 * net summed by rate, mended by its arithmetic when OCR read it. */
static void flush_item(struct table *tb)
{
	note_rate_net(tb->cx, &tb->row, tb->cols, tb->ncols);
	if (tb->row.open && tb->pm->pg->source == FOLIO_SRC_OCR)
		mend_item(&tb->row, tb->cols, tb->ncols, tb->cx->dec);
	put_item(&tb->li, &tb->nli, &tb->row, tb->cols, tb->ncols);
}

/* Opens an item row from a line with a description; it stays open for
 * the lines that carry its description on. */
static void start_item(struct table *tb, const struct table_line *ln)
{
	struct item_row *row = &tb->row;

	memset(row, 0, sizeof(*row));
	row->open = 1;
	snprintf(row->desc, sizeof(row->desc), "%s", ln->desc);
	row->desc_x1 = ln->desc_x1;
	split_qty(ln->qty, tb->cx->dec, row->qty, sizeof(row->qty), row->unit, sizeof(row->unit));
	snprintf(row->rate, sizeof(row->rate), "%s", ln->rate);
	memcpy(row->am, ln->am, sizeof(ln->am));
	memcpy(row->have, ln->have, sizeof(ln->have));
}

/*
 * Line `l` of the table whose heading is line `hl`: a total row, a VAT
 * summary row or an item row, or what goes on from the item above it.
 * Returns LINE_NEXT, LINE_END where the table ends, or LINE_ERROR.
 */
static int read_line(struct table *tb, size_t hl, size_t l)
{
	const struct pagem *pm = tb->pm;
	const struct vline *vl = &pm->l[l];
	struct table_line ln;
	struct cell units[ROW_UNITS];
	size_t orig[ROW_UNITS], nu;
	int r;

	memset(&ln, 0, sizeof(ln));
	/* the heading's second line ("netto podatku netto") */
	if (l == hl + 1 && wordy_line(pm, l))
		return LINE_NEXT;
	if ((r = wrapped_line(tb, vl, l)))
		return r < 0 ? LINE_ERROR : LINE_NEXT;
	if (vl->cb - vl->ca < 2 && !(vl->cb - vl->ca == 1 && tb->items == 0))
		return LINE_END;
	nu = row_units(tb->cx, pm, vl, units, orig, ROW_UNITS);
	if (tb->items)
		nu = split_at_desc(pm, tb->cols, tb->ncols, units, orig, nu, ROW_UNITS);
	if (nu < 2)
		return LINE_END;
	if (read_units(tb, units, orig, nu, &ln))
		return LINE_ERROR;
	/* an item's details as label: value pairs ("Nummer der
	 * Auftragsposition: 123   Kontierungshinweis: ..."): the table
	 * goes on under them */
	if (!ln.namounts && tb->items && ln.detail && tb->row.open && !ln.rate[0])
		return LINE_NEXT;
	if (!ln.namounts)
		return LINE_END;
	if (ln.total)
		return emit_row_totals(tb, vl, &ln) ? LINE_ERROR : LINE_END;
	if (!tb->items && ln.rate[0]) {
		add_bd_row(tb, &ln);
	} else if (tb->items && ln.desc[0]) {
		flush_item(tb);
		start_item(tb, &ln);
	}
	return LINE_NEXT;
}

/* A table's results once read: the breakdown (a row whose amounts do not
 * reconcile: read, but not trusted), its sums as totals, the line items. */
static int emit_table(struct table *tb)
{
	struct ctx *cx = tb->cx;
	const struct pagem *pm = tb->pm;
	int ret = 0;

	if (tb->nbd &&
	    lay_emit(cx, "vat_breakdown", tb->bd.buf, NULL, tb->bd_odd ? 0.6f : 0.85f, pm, 0, 0))
		ret = -1;
	/* the rows' sums stand for totals a receipt does not print */
	if (tb->nbd && !ret && (tb->sum_have & 1)) {
		char buf[40];
		struct folio_amount t = { tb->sum_net, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (lay_emit(cx, "net_total", buf, NULL, 0.55f, pm, 0, 0))
			ret = -1;
	}
	if (tb->nbd && !ret && (tb->sum_have & 2)) {
		char buf[40];
		struct folio_amount t = { tb->sum_vat, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (lay_emit(cx, "vat_total", buf, NULL, 0.55f, pm, 0, 0))
			ret = -1;
	}
	if (tb->nli && lay_emit(cx, "lines", tb->li.buf, NULL, 0.8f, pm, 0, 0))
		ret = -1;
	return ret;
}

/* Read the table whose heading is line `hl` of page `pm`. */
static int read_table(struct ctx *cx, const struct pagem *pm, size_t hl, struct column *cols,
		      int ncols)
{
	/* the rest zero: no row open, the buffers empty */
	struct table tb = { .cx = cx, .pm = pm, .cols = cols, .ncols = ncols };
	int k, r, ret = 0, have_rate = 0;
	size_t l;

	for (k = 0; k < ncols; k++) {
		if (cols[k].mask & (C_DESC | C_QTY | C_PRICE))
			tb.items = 1;
		have_rate |= cols[k].mask & C_RATE;
	}
	if (!tb.items && !have_rate && ncols < 3)
		return 0;
	if (getenv("FOLIO_DEBUG_LAYOUT"))
		for (k = 0; k < ncols; k++)
			fprintf(stderr, "table line %zu col %d [%d..%d] kind %d\n", hl, k,
				cols[k].x0, cols[k].x1, cols[k].kind);
	folio_strbuf_addch(&tb.bd, '[');
	folio_strbuf_addch(&tb.li, '[');
	for (l = hl + 1; l < pm->nl && l <= hl + 60; l++) {
		r = read_line(&tb, hl, l);
		if (r == LINE_ERROR) {
			ret = -1;
			goto out;
		}
		if (r == LINE_END)
			break;
	}
	flush_item(&tb);
	folio_strbuf_addch(&tb.bd, ']');
	folio_strbuf_addch(&tb.li, ']');
	ret = emit_table(&tb);
out:
	folio_strbuf_release(&tb.bd);
	folio_strbuf_release(&tb.li);
	return ret;
}

/* Every column kind whose heading matches tokens [a, b) exactly. */
static int col_mask(const struct ctx *cx, const struct pagem *pm, const struct cell *c, size_t a,
		    size_t b)
{
	int mask = 0;
	size_t k;

	for (k = 0; k < cx->lx->n; k++)
		if (cx->lx->v[k].kind == V_COL && lay_label_at(pm, c, a, &cx->lx->v[k]) == b)
			mask |= cx->lx->v[k].col;
	return mask;
}

/*
 * Columns of a heading line: each column label is a column (headings are
 * often closer together than the gap that separates cells: "Tipo IVA
 * Base imponible"), and each cell without one is a column of its own.
 */
static int heading_columns(const struct ctx *cx, const struct pagem *pm, size_t l,
			   struct column *cols, int max, int *nkinds)
{
	int ncols = 0;
	size_t c, i;

	*nkinds = 0;
	for (c = pm->l[l].ca; c < pm->l[l].cb && ncols < max; c++) {
		const struct cell *cl = &pm->c[c];
		size_t next = cl->a;
		int found = 0;

		for (i = 0; i < cx->nm && ncols < max; i++) {
			const struct match *m = &cx->m[i];

			if (m->lb->kind != V_COL || &cx->pm[m->page] != pm || m->cell != c ||
			    m->a < next)
				continue;
			/* words before the label in its cell ("Lp. Stawka podatku"):
			 * a column of their own, so that the ordinal under "Lp." is
			 * not read as the rate */
			if (m->a > next && ncols + 1 < max) {
				cols[ncols].mask = 0;
				cols[ncols].kind = 0;
				cols[ncols].x0 = pm->t[next].x;
				cols[ncols].x1 = pm->t[m->a - 1].x + pm->t[m->a - 1].w;
				ncols++;
			}
			cols[ncols].mask = col_mask(cx, pm, cl, m->a, m->b);
			cols[ncols].kind = 0;
			cols[ncols].x0 = pm->t[m->a].x;
			cols[ncols].x1 = pm->t[m->b - 1].x + pm->t[m->b - 1].w;
			ncols++;
			(*nkinds)++;
			next = m->b;
			found = 1;
		}
		if (!found && ncols < max) {
			cols[ncols].mask = 0;
			cols[ncols].kind = 0;
			cols[ncols].x0 = cl->x0;
			cols[ncols].x1 = cl->x1;
			ncols++;
		}
	}
	return ncols;
}

int lay_tables(struct ctx *cx)
{
	size_t p, l;

	for (p = 0; p < cx->npm; p++) {
		const struct pagem *pm = &cx->pm[p];

		for (l = 0; l < pm->nl; l++) {
			struct column cols[MAX_COLS];
			int ncols, nkinds, used = 0, k;

			ncols = heading_columns(cx, pm, l, cols, MAX_COLS, &nkinds);
			if (nkinds < 2 || nkinds * 2 < ncols)
				continue;
			/* resolve ambiguous headings ("VAT": rate or amount) left to right:
			 * a single-kind column first, then the first kind still free */
			for (k = 0; k < ncols; k++) {
				int m = cols[k].mask;

				if (m && !(m & (m - 1))) {
					cols[k].kind = m;
					used |= m;
				}
			}
			for (k = 0; k < ncols; k++) {
				int m = cols[k].mask, bit;

				if (!m || cols[k].kind)
					continue;
				for (bit = 1; bit <= C_UNIT; bit <<= 1)
					if ((m & bit) && !(used & bit)) {
						cols[k].kind = bit;
						used |= bit;
						break;
					}
				if (!cols[k].kind)
					cols[k].kind = m & -m;
			}
			for (k = 0; k < ncols; k++)
				cols[k].mask = cols[k].kind;
			if (read_table(cx, pm, l, cols, ncols))
				return -1;
		}
	}
	return 0;
}

/* ---- line items as label: value groups ------------------------------------ */

/* Whether a label of the lexicon starts cell `c` (a line of its own kind,
 * not a description going on). */
static int cell_has_label(const struct ctx *cx, const struct pagem *pm, size_t c)
{
	size_t k;

	for (k = 0; k < cx->nm; k++)
		if (&cx->pm[cx->m[k].page] == pm && cx->m[k].cell == c &&
		    cx->m[k].a == pm->c[c].a && cx->m[k].lb->kind != V_COL &&
		    cx->m[k].lb->kind != V_ROW)
			return 1;
	return 0;
}

/*
 * Line items printed one field a line (the FatturaPA stylesheet: "Nr.
 * linea: 1 / Descrizione bene/servizio: ... / Quantità: 5.00 / Valore
 * unitario: 1.00 / Valore totale: 5.00"): a description label (li_desc)
 * opens an item, its text going on over the lines under it that start at
 * its label's x and hold no label; quantity, unit price and line total
 * labels (li_qty, li_price, li_net) up to the next description fill it.
 */
int lay_item_groups(struct ctx *cx)
{
	struct folio_strbuf li = FOLIO_STRBUF_INIT;
	struct item_row row;
	struct column cols[2];
	size_t i;
	int nli = 0, ret = 0, n = 0;
	const struct pagem *first = NULL;

	memset(&row, 0, sizeof(row));
	memset(cols, 0, sizeof(cols));
	cols[0].kind = C_PRICE;
	cols[1].kind = C_NET;
	folio_strbuf_addch(&li, '[');
	/* the matches are in page, cell order: reading order */
	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct pagem *pm = &cx->pm[m->page];
		const struct cell *c = &pm->c[m->cell];
		struct span sp = { pm, 0, 0, 0 };
		char *t;

		if (m->lb->kind != V_LI || m->a != c->a || !lay_right_span(pm, m, &sp))
			continue;
		if (!(t = lay_span_text(pm, sp.a, sp.b, NULL, 0))) {
			ret = -1;
			goto out;
		}
		if (m->lb->col == C_DESC) {
			size_t l;

			if (row.open && (row.have[0] || row.have[1])) {
				put_item(&li, &nli, &row, cols, 2);
				n++;
			}
			memset(&row, 0, sizeof(row));
			row.open = 1;
			snprintf(row.desc, sizeof(row.desc), "%s", t);
			first = first ? first : pm;
			for (l = (size_t)c->line + 1; l < pm->nl && l <= (size_t)c->line + 20;
			     l++) {
				const struct cell *d = &pm->c[pm->l[l].ca];
				size_t len = strlen(row.desc);
				char *u;

				if (pm->l[l].cb - pm->l[l].ca != 1 || abs(d->x0 - c->x0) > 4 ||
				    cell_has_label(cx, pm, pm->l[l].ca))
					break;
				if (!(u = lay_span_text(pm, d->a, d->b, NULL, 0))) {
					free(t);
					ret = -1;
					goto out;
				}
				snprintf(row.desc + len, sizeof(row.desc) - len, " %s", u);
				free(u);
			}
		} else if (row.open && m->lb->col == C_QTY && !row.qty[0]) {
			split_qty(t, cx->dec, row.qty, sizeof(row.qty), row.unit, sizeof(row.unit));
		} else if (row.open && (m->lb->col == C_PRICE || m->lb->col == C_NET)) {
			int at = m->lb->col == C_PRICE ? 0 : 1;
			const char *a = lay_amount_start(t);
			size_t used = folio_amount_parse(a, cx->dec, &row.am[at]);

			if (used && !row.have[at])
				row.have[at] = 1;
		}
		free(t);
	}
	if (row.open && (row.have[0] || row.have[1])) {
		put_item(&li, &nli, &row, cols, 2);
		n++;
	}
	folio_strbuf_addch(&li, ']');
	if (n && !li.buf)
		ret = -1;
	else if (n && lay_emit(cx, "lines", li.buf, NULL, 0.75f, first, 0, 0))
		ret = -1;
out:
	folio_strbuf_release(&li);
	return ret;
}
