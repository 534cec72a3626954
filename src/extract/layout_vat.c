/*
 * layout_vat.c - VAT printed outside a ruled summary table: the breakdown
 * as label: value groups, one group per rate (KoSIT's "Aufschlüsselung der
 * Umsatzsteuer"), and VAT lines that name their rate in the totals block
 * ("VAT 23 %  230,00"). The tables themselves are read in layout_table.c.
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

/* ---- VAT breakdown as label: value groups ------------------------------- */

/* "6,00%" → "6", "22.00" → "22", "5,50 %" → "5.5" into `out`; 0 if not a
 * rate. */
static int norm_rate(const char *s, char *out, size_t n)
{
	char r[16];
	size_t k;

	if (!lay_rate_value(s, r, sizeof(r)))
		return 0;
	if (strchr(r, '.')) {
		k = strlen(r);
		while (k && r[k - 1] == '0')
			r[--k] = '\0';
		if (k && r[k - 1] == '.')
			r[--k] = '\0';
	}
	snprintf(out, n, "%s", r);
	return 1;
}

struct bd_event {
	int kind; /* C_RATE, C_NET, C_VAT */
	size_t page;
	int line, x;
	char val[40];
};

static int cmp_bd_event(const void *a, const void *b)
{
	const struct bd_event *x = a, *y = b;

	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->x > y->x) - (x->x < y->x);
}

/*
 * A VAT summary printed as groups of labelled values, one group per rate
 * (XRechnung: "Gesamtsumme 183,23 / Umsatzsteuersatz 6,00% /
 * Umsatzsteuerbetrag 10,99"; FatturaPA: "Aliquota IVA (%): 22.00 / Totale
 * imponibile: 25.00 / Totale imposta: 5.50"). A rate label (bd_rate) opens
 * a group; the base and the VAT are bd_net / bd_vat labels, or net, gross
 * or VAT total labels within three lines of a rate. A group ends where a
 * value of a kind it already has comes.
 */
int lay_breakdown_groups(struct ctx *cx)
{
	struct bd_event *ev = NULL;
	size_t nev = 0, aev = 0, i, k;
	struct folio_strbuf bd = FOLIO_STRBUF_INIT;
	char rate[16] = "", net[40] = "", vat[40] = "";
	int nrows = 0, ret = 0, nrates = 0;

	for (i = 0; i < cx->nm; i++)
		if (cx->m[i].lb->kind == V_BD && cx->m[i].lb->col == C_RATE)
			nrates++;
	if (!nrates)
		return 0;
	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct pagem *pm = &cx->pm[m->page];
		struct span sp = { pm, 0, 0, 0 };
		struct bd_event e;
		char *t;
		int kind = 0;

		if (m->lb->kind == V_BD)
			kind = m->lb->col;
		else if (!strcmp(m->lb->field, "net_total") || !strcmp(m->lb->field, "gross_total"))
			kind = -C_NET;
		else if (!strcmp(m->lb->field, "vat_total"))
			kind = -C_VAT;
		/* a totals label inside a line ("Valore totale: 5.00") is a line's */
		if (kind < 0 && m->a != pm->c[m->cell].a)
			continue;
		if (!kind || !lay_right_span(pm, m, &sp))
			continue;
		/* "IVA (%): 22.00" is a rate, not an amount */
		for (k = m->b; k < sp.a && kind != C_RATE; k++)
			if (strchr(pm->t[k].text, '%'))
				kind = 0;
		if (!kind)
			continue;
		if (!(t = lay_span_text(pm, sp.a, sp.b, NULL, 0))) {
			ret = -1;
			goto out;
		}
		memset(&e, 0, sizeof(e));
		e.kind = kind;
		e.page = m->page;
		e.line = pm->c[m->cell].line;
		e.x = pm->t[m->a].x;
		if (kind == C_RATE) {
			if (!norm_rate(t, e.val, sizeof(e.val)))
				kind = 0;
		} else {
			struct folio_amount am;
			const char *a = lay_amount_start(t);
			size_t used = folio_amount_parse(a, cx->dec, &am);

			if (!used || a[used] == '%' || (a[used] == ' ' && a[used + 1] == '%'))
				kind = 0;
			else
				folio_amount_format(&am, e.val, sizeof(e.val));
		}
		free(t);
		if (!kind)
			continue;
		if (lay_grow((void **)&ev, &aev, nev, sizeof(*ev))) {
			ret = -1;
			goto out;
		}
		ev[nev++] = e;
	}
	if (nev)
		folio_sort(ev, nev, sizeof(*ev), cmp_bd_event);
	/* totals' labels count only next to a rate */
	for (i = 0; i < nev; i++) {
		int near = 0;

		if (ev[i].kind > 0)
			continue;
		for (k = 0; k < nev && !near; k++)
			near = ev[k].kind == C_RATE && ev[k].page == ev[i].page &&
			       abs(ev[k].line - ev[i].line) <= 3;
		ev[i].kind = near ? -ev[i].kind : 0;
	}
	folio_strbuf_addch(&bd, '[');
	for (i = 0; i <= nev; i++) {
		int kind = i < nev ? ev[i].kind : -1;

		if (!kind)
			continue;
		if (kind < 0 || (kind == C_RATE && rate[0]) || (kind == C_NET && net[0]) ||
		    (kind == C_VAT && vat[0])) {
			if (rate[0] && net[0] && vat[0]) {
				folio_strbuf_addf(&bd, "%s{\"rate\":", nrows++ ? "," : "");
				folio_strbuf_add_json(&bd, rate);
				folio_strbuf_addf(&bd, ",\"net\":\"%s\",\"vat\":\"%s\"}", net, vat);
			}
			rate[0] = net[0] = vat[0] = '\0';
		}
		if (kind == C_RATE)
			snprintf(rate, sizeof(rate), "%.15s", ev[i].val);
		else if (kind == C_NET)
			snprintf(net, sizeof(net), "%s", ev[i].val);
		else if (kind == C_VAT)
			snprintf(vat, sizeof(vat), "%s", ev[i].val);
	}
	folio_strbuf_addch(&bd, ']');
	if (nrows && !bd.buf)
		ret = -1;
	else if (nrows &&
		 lay_emit(cx, "vat_breakdown", bd.buf, NULL, 0.8f, &cx->pm[ev[0].page], 0, 0))
		ret = -1;
out:
	folio_strbuf_release(&bd);
	free(ev);
	return ret;
}

/* ---- VAT per rate in a totals block ---------------------------------------- */

/* The best candidate of `name` this page reader gave, or NULL. */
static const struct folio_cand *best_cand(const struct ctx *cx, const char *name)
{
	const struct folio_cand *best = NULL;
	size_t i;

	for (i = 0; i < cx->out->n; i++)
		if (!strcmp(cx->out->v[i].name, name) &&
		    (cx->out->v[i].src == FOLIO_SRC_TEXT || cx->out->v[i].src == FOLIO_SRC_OCR) &&
		    (!best || cx->out->v[i].conf > best->conf))
			best = &cx->out->v[i];
	return best;
}

struct rated {
	char rate[16];
	double r;
	long long vat, net;
	int have_net;
	size_t page, a, b;
};

/* The totals block's VAT lines that name their rate, the first of each
 * rate, at most `max`, their VAT summed into *sum. Returns how many, or -1
 * on error. */
static int find_rated(struct ctx *cx, struct rated *ev, int max, long long *sum)
{
	int n = 0, k;
	size_t mi;

	for (mi = 0; mi < cx->nm && n < max; mi++) {
		const struct match *m = &cx->m[mi];
		const struct pagem *pm = &cx->pm[m->page];
		const struct cell *c = &pm->c[m->cell];
		char *t;
		struct rated e;
		struct folio_amount am;
		size_t b = m->b;

		if (!(m->lb->kind == V_AMOUNT && !strcmp(m->lb->field, "vat_total")) &&
		    !(m->lb->kind == V_BD && m->lb->col == C_VAT))
			continue;
		if (m->a != c->a || b >= c->b || m->cell + 1 >= pm->nc ||
		    pm->c[m->cell + 1].line != c->line)
			continue;
		while (b < c->b && !pm->t[b].key[0] && !lay_has_digit(pm->t[b].text))
			b++;
		if (!(t = lay_span_text(pm, b, c->b, NULL, 0)))
			return -1;
		memset(&e, 0, sizeof(e));
		k = strchr(t, '%') && norm_rate(t, e.rate, sizeof(e.rate));
		free(t);
		if (!k || !lay_cell_amount(cx, pm, &pm->c[m->cell + 1], &am))
			continue;
		e.r = strtod(e.rate, NULL) / 100.0;
		e.vat = folio_amount_cents(&am);
		e.page = m->page;
		e.a = pm->c[m->cell + 1].a;
		e.b = pm->c[m->cell + 1].b;
		for (k = 0; k < n; k++)
			if (!strcmp(ev[k].rate, e.rate))
				break;
		if (k < n)
			continue;
		ev[n++] = e;
		*sum += e.vat;
	}
	return n;
}

/*
 * The base of each rate: the net total `nt` with one rate; with several,
 * the item tables' nets per rate (*from_lines stays 1), else VAT / rate
 * with the net total taking up the one rate left. Returns 0 when the
 * bases cannot be had or do not add up to the net total.
 */
static int rated_bases(const struct ctx *cx, struct rated *ev, int n, const struct folio_cand *nt,
		       int *from_lines)
{
	struct folio_amount na;
	long long net_total, nets = 0;
	int i, k, left = -1;

	*from_lines = 1;
	if (!folio_amount_parse(nt->value, '.', &na))
		return 0;
	net_total = folio_amount_cents(&na);
	if (n == 1) {
		ev[0].net = net_total;
		ev[0].have_net = 1;
		return 1;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < cx->nlrate && !cx->lrate_bad; k++)
			if (fabs(cx->lrate[k].rate / 100.0 - ev[i].r) < 1e-5) {
				ev[i].net = cx->lrate[k].net;
				ev[i].have_net = 1;
			}
	for (i = 0; i < n; i++)
		if (!ev[i].have_net)
			*from_lines = 0;
	if (!*from_lines)
		for (i = 0; i < n; i++) {
			ev[i].have_net = 0;
			if (ev[i].r > 0) {
				ev[i].net = llround((double)ev[i].vat / ev[i].r);
				ev[i].have_net = 1;
			} else if (left < 0) {
				left = i;
			} else {
				return 0;
			}
		}
	for (i = 0; i < n; i++)
		if (ev[i].have_net)
			nets += ev[i].net;
	if (left >= 0) {
		ev[left].net = net_total - nets;
		ev[left].have_net = 1;
		nets = net_total;
	}
	if (llabs(nets - net_total) > n)
		return 0;
	return 1;
}

/* The rates' bases and VAT as the breakdown; bases from VAT / rate (not
 * `from_lines`, several rates) are a guess to a cent or two. */
static int emit_rated(struct ctx *cx, const struct rated *ev, int n, int from_lines)
{
	struct folio_strbuf bd = FOLIO_STRBUF_INIT;
	char buf[40];
	int i, ret = 0;

	folio_strbuf_addch(&bd, '[');
	for (i = 0; i < n; i++) {
		struct folio_amount a = { ev[i].net, 2 }, v = { ev[i].vat, 2 };

		folio_strbuf_addf(&bd, "%s{\"rate\":", i ? "," : "");
		folio_strbuf_add_json(&bd, ev[i].rate);
		folio_amount_format(&a, buf, sizeof(buf));
		folio_strbuf_addf(&bd, ",\"net\":\"%s\"", buf);
		folio_amount_format(&v, buf, sizeof(buf));
		folio_strbuf_addf(&bd, ",\"vat\":\"%s\"}", buf);
	}
	folio_strbuf_addch(&bd, ']');
	if (!bd.buf || lay_emit(cx, "vat_breakdown", bd.buf, NULL,
				n == 1 || from_lines ? 0.8f : 0.6f, &cx->pm[ev[0].page], 0, 0))
		ret = -1;
	folio_strbuf_release(&bd);
	return ret;
}

/*
 * Totals blocks print the VAT of each rate as its own line: "TVA 25%
 * 115,75", "Kwota VAT 6%  51,36", "Cuota 25%  6.250,00", "IVA 0%  0,00".
 * A VAT label, a rate and nothing else in a cell, the amount in the next
 * cell of its line. Their sum is the VAT total; with one rate the net
 * total is its base, with several the item tables' nets per rate are,
 * else VAT / rate with the net total taking up the one rate left; a
 * breakdown is given only when every base reproduces its VAT and the
 * bases add up to the net total.
 */
int lay_rated_vat(struct ctx *cx)
{
	struct rated ev[8];
	int n, i, odd = 0, from_lines = 1;
	long long sum = 0;
	const struct folio_cand *nt;
	char buf[40];

	n = find_rated(cx, ev, (int)(sizeof(ev) / sizeof(ev[0])), &sum);
	if (n < 0)
		return -1;
	if (!n)
		return 0;
	{
		struct folio_amount t = { sum, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (lay_emit(cx, "vat_total", buf, NULL, n > 1 ? 0.75f : 0.8f, &cx->pm[ev[0].page],
			     n > 1 ? 0 : ev[0].a, n > 1 ? 0 : ev[0].b))
			return -1;
	}
	if (folio_cands_find(cx->out, "vat_breakdown", FOLIO_SRC_NONE) ||
	    !(nt = best_cand(cx, "net_total")))
		return 0;
	if (!rated_bases(cx, ev, n, nt, &from_lines))
		return 0;
	for (i = 0; i < n; i++)
		if (llabs(llround((double)ev[i].net * ev[i].r) - ev[i].vat) >
		    1 + llabs(ev[i].vat) / 500)
			odd = 1;
	if (odd)
		return 0;
	return emit_rated(cx, ev, n, from_lines);
}
