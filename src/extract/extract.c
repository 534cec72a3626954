/*
 * extract.c - the extraction stage: gather candidates from every source,
 * choose one value per field, reconcile the totals, decide on review.
 *
 * Choice: a more trusted source always wins (user > xml > qr > text >
 * ocr); within one source, candidates with the same value pool their
 * confidence (two labels agreeing are surer than one). A value another
 * source contradicts is recorded in doc->notes.
 *
 * Reconciliation (EN 16931 BR-CO-10..17): among the net, VAT and gross
 * candidates the combination with net + VAT = gross is preferred, and
 * values that reconcile have their confidence raised; VAT per rate is
 * checked against net x rate. A total that does not reconcile is kept as
 * read and flagged for review, never "fixed".
 */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"

struct folio_extractor {
	struct folio_lexicon *lx;
	float review_below;
	struct folio_template *tpl;
	size_t ntpl, tpl_alloc;
};

int folio_invoice_like(const char *type)
{
	return type && (!strcmp(type, "invoice") || !strcmp(type, "credit_note") ||
			!strcmp(type, "proforma") || !strcmp(type, "receipt"));
}

struct folio_extractor *folio_extractor_new(const struct folio_extract_opts *o,
					    struct folio_err *err)
{
	struct folio_extractor *x = calloc(1, sizeof(*x));

	if (!x) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		return NULL;
	}
	x->review_below = o->review_below > 0 ? o->review_below : 0.6f;
	if (o->lexicon && !(x->lx = folio_lexicon_load(o->lexicon, err))) {
		free(x);
		return NULL;
	}
	return x;
}

int folio_extractor_add_template(struct folio_extractor *x, const struct folio_template *t)
{
	if (x->ntpl == x->tpl_alloc) {
		size_t na = x->tpl_alloc ? x->tpl_alloc * 2 : 32;
		struct folio_template *nv = realloc(x->tpl, na * sizeof(*nv));

		if (!nv)
			return -1;
		x->tpl = nv;
		x->tpl_alloc = na;
	}
	x->tpl[x->ntpl++] = *t;
	return 0;
}

struct tpl_load {
	struct folio_extractor *x;
	const char *path;
};

static int template_line(void *ctx, char *line, int lineno, struct folio_err *err)
{
	struct tpl_load *ld = ctx;
	struct folio_extractor *x = ld->x;
	struct folio_template t;
	char tax[32], field[32];
	int n = 0;

	memset(&t, 0, sizeof(t));
	if (sscanf(line, "%31s %31s %d %f %f %f %f %d%n", tax, field, &t.page, &t.x, &t.y, &t.w,
		   &t.h, &t.hits, &n) != 8 ||
	    line[n] || t.page < 1 || t.w <= 0 || t.h <= 0 || !folio_field_known(field, NULL))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "%s:%d: expected SELLER_TAX_ID FIELD PAGE X Y W H HITS",
				     ld->path, lineno);
	memcpy(t.seller_tax_id, tax, sizeof(tax));
	memcpy(t.field, field, sizeof(field));
	if (folio_extractor_add_template(x, &t))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	return FOLIO_OK;
}

int folio_extractor_load_templates(struct folio_extractor *x, const char *path,
				   struct folio_err *err)
{
	struct tpl_load ld = { x, path };

	if (access(path, F_OK))
		return FOLIO_WARN;
	return folio_each_line(path, "vendor templates", template_line, &ld, err);
}

void folio_extractor_free(struct folio_extractor *x)
{
	if (!x)
		return;
	free(x->tpl);
	folio_lexicon_free(x->lx);
	free(x);
}

static int rank(enum folio_source s)
{
	switch (s) {
	case FOLIO_SRC_USER: return 5;
	case FOLIO_SRC_XML: return 4;
	case FOLIO_SRC_QR: return 3;
	case FOLIO_SRC_TEXT: return 2;
	case FOLIO_SRC_OCR: return 1;
	default: return 0;
	}
}

/* A pooled value: all candidates of one source with one value. */
struct pick {
	const struct folio_cand *c; /* the most confident of them */
	float conf;
	int rank;
};

static int better(const struct pick *a, const struct pick *b)
{
	if (a->rank != b->rank)
		return a->rank > b->rank;
	return a->conf > b->conf;
}

/* Pool the candidates named `name` into at most `max` picks, best first. */
static size_t pool(const struct folio_cands *cs, const char *name, struct pick *out, size_t max)
{
	size_t n = 0, i, k;

	for (i = 0; i < cs->n; i++) {
		const struct folio_cand *c = &cs->v[i];

		if (strcmp(c->name, name))
			continue;
		for (k = 0; k < n; k++)
			if (out[k].rank == rank(c->src) && !strcmp(out[k].c->value, c->value))
				break;
		if (k < n) {
			out[k].conf = 1.0f - (1.0f - out[k].conf) * (1.0f - c->conf * 0.5f);
			if (c->conf > out[k].c->conf)
				out[k].c = c;
			continue;
		}
		if (n == max)
			continue;
		out[n].c = c;
		out[n].conf = c->conf;
		out[n].rank = rank(c->src);
		n++;
	}
	/* best first (insertion sort: n is small) */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && better(&out[k], &out[k - 1]); k--) {
			struct pick t = out[k];

			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return n;
}

struct chosen {
	const struct folio_cand *c;
	float conf;
};

static int parse_amount(const char *s, struct folio_amount *a)
{
	size_t n = strlen(s);

	return n && folio_amount_parse(s, '.', a) == n;
}

static long long cents_of(const char *s, int *ok)
{
	struct folio_amount a;

	*ok = parse_amount(s, &a);
	return *ok ? folio_amount_cents(&a) : 0;
}

static void add_reason(struct folio_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_reason(struct folio_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	if (sb->len)
		folio_strbuf_adds(sb, "; ");
	va_start(ap, fmt);
	folio_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

#define NPICK 8

/* Reconcile net/vat/gross: choose the best consistent triple. */
static void reconcile_totals(const struct folio_cands *cs, struct chosen *ch, int i_net, int i_vat,
			     int i_gross, struct folio_strbuf *why)
{
	struct pick pn[NPICK], pv[NPICK], pg[NPICK];
	size_t nn = pool(cs, "net_total", pn, NPICK), nv = pool(cs, "vat_total", pv, NPICK);
	size_t ng = pool(cs, "gross_total", pg, NPICK), a, b, c;
	float best = -1;
	int ba = -1, bb = -1, bc = -1;

	/* a totals block may print "Total" / "Gesamtsumme" for both the net
	 * and the gross sum: the gross-labelled values are net candidates too,
	 * at half the weight, when their arithmetic closes */
	for (c = 0; c < ng && nn < NPICK; c++) {
		pn[nn] = pg[c];
		pn[nn].conf *= 0.5f;
		nn++;
	}
	for (a = 0; a < nn; a++)
		for (b = 0; b < nv; b++)
			for (c = 0; c < ng; c++) {
				int o1, o2, o3;
				long long n = cents_of(pn[a].c->value, &o1);
				long long v = cents_of(pv[b].c->value, &o2);
				long long g = cents_of(pg[c].c->value, &o3);
				float s;

				if (!o1 || !o2 || !o3 || llabs(n + v - g) > 1 || pn[a].c == pg[c].c)
					continue;
				/* the best-ranked source counts first */
				s = (float)(pn[a].rank + pv[b].rank + pg[c].rank) * 10.0f +
				    pn[a].conf + pv[b].conf + pg[c].conf;
				if (s > best) {
					best = s;
					ba = (int)a;
					bb = (int)b;
					bc = (int)c;
				}
			}
	if (ba >= 0 && pn[ba].rank >= (nn ? pn[0].rank : 0) &&
	    pg[bc].rank >= (ng ? pg[0].rank : 0)) {
		ch[i_net].c = pn[ba].c;
		ch[i_net].conf = 1.0f - (1.0f - pn[ba].conf) * 0.3f;
		ch[i_vat].c = pv[bb].c;
		ch[i_vat].conf = 1.0f - (1.0f - pv[bb].conf) * 0.3f;
		ch[i_gross].c = pg[bc].c;
		ch[i_gross].conf = 1.0f - (1.0f - pg[bc].conf) * 0.3f;
		return;
	}
	if (ch[i_net].c && ch[i_vat].c && ch[i_gross].c) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s + %s", ch[i_net].c->value, ch[i_vat].c->value);
		add_reason(why, "totals do not reconcile: net + VAT = %s, gross %s", msg,
			   ch[i_gross].c->value);
		ch[i_net].conf *= 0.7f;
		ch[i_vat].conf *= 0.7f;
		ch[i_gross].conf *= 0.7f;
	}
}

/* The VAT breakdown's rows, read from its JSON list (folio_json_rows):
 * [{"rate":"23","net":"1.00","vat":"0.23"},...]. */
struct bd_row {
	char rate[16];
	long long net, vat, gross;
	int has_net, has_vat, has_gross;
};

struct bd_read {
	struct bd_row *rows;
	size_t n, max;
};

static int bd_take(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct bd_read *b = ctx;
	struct bd_row *r;
	const char *v;
	int ok;

	if (b->n == b->max)
		return 0;
	r = &b->rows[b->n++];
	memset(r, 0, sizeof(*r));
	if ((v = folio_json_get(kv, n, "rate")))
		snprintf(r->rate, sizeof(r->rate), "%s", v);
	if ((v = folio_json_get(kv, n, "net"))) {
		r->net = cents_of(v, &ok);
		r->has_net = ok;
	}
	if ((v = folio_json_get(kv, n, "vat"))) {
		r->vat = cents_of(v, &ok);
		r->has_vat = ok;
	}
	if ((v = folio_json_get(kv, n, "gross"))) {
		r->gross = cents_of(v, &ok);
		r->has_gross = ok;
	}
	return 0;
}

/* The rows read (a list that is not one reads as none), or -1 when memory
 * ran out. */
static long read_breakdown(const char *json, struct bd_row *rows, size_t max)
{
	struct bd_read b = { rows, 0, max };
	int r = folio_json_rows(json, bd_take, &b);

	return r == -2 ? -1 : r ? 0 : (long)b.n;
}

struct line_sum {
	long long sum;
	long n;
	int over; /* the sum left what a long long holds */
};

static int line_net(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct line_sum *ls = ctx;
	const char *v = folio_json_get(kv, n, "net");
	long long c;
	int ok;

	if (v && (c = cents_of(v, &ok), ok)) {
		if (__builtin_add_overflow(ls->sum, c, &ls->sum))
			ls->over = 1;
		ls->n++;
	}
	return 0;
}

/* How many lines have a net amount (their sum in *sum), or -1 when memory
 * ran out. */
static long read_line_nets(const char *json, long long *sum)
{
	struct line_sum ls = { 0, 0, 0 };
	int r = folio_json_rows(json, line_net, &ls);

	*sum = r || ls.over ? 0 : ls.sum;
	return r == -2 ? -1 : r || ls.over ? 0 : ls.n;
}

static int field_index(const char *name)
{
	size_t i;

	for (i = 0; i < FOLIO_NFIELDS; i++)
		if (!strcmp(folio_field_defs[i].name, name))
			return (int)i;
	return -1;
}

/* 0, or -1 when memory ran out */
static int check_breakdown(struct chosen *ch, struct folio_strbuf *why)
{
	int ib = field_index("vat_breakdown"), in = field_index("net_total"),
	    iv = field_index("vat_total");
	struct bd_row rows[16];
	long n, i;
	long long sn = 0, sv = 0;
	int bad = 0, ok;

	if (!ch[ib].c)
		return 0;
	if ((n = read_breakdown(ch[ib].c->value, rows, 16)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		double rate = atof(rows[i].rate);

		sn += rows[i].net;
		sv += rows[i].vat;
		/* a rate no VAT has (past 100 %, negative, not a number) is no
		 * rate to multiply by: 6.5e61 % overflowed llround (found by
		 * fuzz_json) */
		if (rows[i].rate[0] && !(rate >= 0.0 && rate <= 100.0))
			bad = 3;
		else if (rows[i].has_net && rows[i].has_vat && rows[i].rate[0] &&
			 llabs(llround((double)rows[i].net * rate / 100.0) - rows[i].vat) > 2)
			bad = bad ? bad : 1;
		/* net + VAT = gross per rate (BR-CO-17's sibling) */
		if (rows[i].has_net && rows[i].has_vat && rows[i].has_gross &&
		    llabs(rows[i].net + rows[i].vat - rows[i].gross) > 1)
			bad = 2;
	}
	if (bad == 1)
		add_reason(why, "VAT per rate is not net x rate");
	else if (bad == 2)
		add_reason(why, "net + VAT is not the gross of its rate");
	else if (bad == 3)
		add_reason(why, "a VAT breakdown rate is no VAT rate (0 to 100 %%)");
	if (n && ch[in].c && ch[iv].c) {
		long long net = cents_of(ch[in].c->value, &ok);
		long long vat = ok ? cents_of(ch[iv].c->value, &ok) : 0;

		if (ok && llabs(net - sn) <= 1 && llabs(vat - sv) <= 1 && !bad) {
			ch[ib].conf = 1.0f - (1.0f - ch[ib].conf) * 0.3f;
			ch[in].conf = 1.0f - (1.0f - ch[in].conf) * 0.5f;
			ch[iv].conf = 1.0f - (1.0f - ch[iv].conf) * 0.5f;
		} else if (ok && ch[ib].c->src <= ch[in].c->src) {
			add_reason(why, "VAT breakdown does not add up to the totals");
		}
	}
	return 0;
}

/* What document-level allowances (-) and charges (+) add to the lines. */
struct charges {
	long long delta;
};

static int charge(void *ctx, struct folio_json_pair *kv, size_t n)
{
	struct charges *c = ctx;
	const char *amount = folio_json_get(kv, n, "amount"), *kind;
	long long a;
	int ok;

	/* "charge" adds, anything else takes off: as the export record reads
	 * it (export/record.c), so the check and the exports agree */
	if (amount && (a = cents_of(amount, &ok), ok)) {
		kind = folio_json_get(kv, n, "kind");
		c->delta += kind && !strcmp(kind, "charge") ? a : -a;
	}
	return 0;
}

/* 0, or -1 when memory ran out */
static int check_lines(struct chosen *ch, struct folio_strbuf *why)
{
	int il = field_index("lines"), in = field_index("net_total"), ok;
	int ic = field_index("charges");
	struct charges c = { 0 };
	long long sum, net;
	long n;

	if (!ch[il].c || !ch[in].c)
		return 0;
	if ((n = read_line_nets(ch[il].c->value, &sum)) <= 0)
		return (int)n;
	net = cents_of(ch[in].c->value, &ok);
	if (!ok)
		return 0;
	/* EN 16931 BR-CO-13: net = lines - allowances + charges */
	if (ic >= 0 && ch[ic].c) {
		if (folio_json_rows(ch[ic].c->value, charge, &c) == -2)
			return -1;
		sum += c.delta;
	}
	if (llabs(sum - net) <= 1) {
		ch[il].conf = 1.0f - (1.0f - ch[il].conf) * 0.3f;
		/* the sum vouches for the nets, not for the descriptions and
		 * quantities read from a page (measured: a whole list read from
		 * a text layer is right about 85% of the time, from a scan about
		 * half of the time) */
		if (ch[il].c->src == FOLIO_SRC_TEXT && ch[il].conf > 0.85f)
			ch[il].conf = 0.85f;
		else if (ch[il].c->src == FOLIO_SRC_OCR && ch[il].conf > 0.6f)
			ch[il].conf = 0.6f;
	} else if (ch[il].c->src == FOLIO_SRC_XML)
		add_reason(why, "invoice lines do not add up to the net total");
	else
		ch[il].conf *= 0.5f; /* lines read from the page are incomplete */
	return 0;
}

static const char *pretty(const char *name)
{
	/* clang-format off */
	static const struct { const char *n, *p; } names[] = {
		{ "invoice_number", "invoice number" }, { "issue_date", "issue date" },
		{ "seller_tax_id", "seller tax ID" }, { "gross_total", "gross total" },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].n, name))
			return names[i].p;
	return name;
}

/*
 * A page that prints the net and the VAT totals but no gross total (the
 * FatturaPA stylesheet prints the summary per rate and the payment): the
 * gross is their sum, a candidate less sure than either. Only when no
 * source names a gross total.
 */
static int derive_gross(struct folio_cands *cs)
{
	struct pick pn[NPICK], pv[NPICK], pg[NPICK];
	size_t nn = pool(cs, "net_total", pn, NPICK), nv = pool(cs, "vat_total", pv, NPICK);
	struct folio_amount a, b, sum;
	char buf[40];
	float conf;

	size_t ng = pool(cs, "gross_total", pg, NPICK), k;

	/* a gross read only inside a line ("Valore totale: 5.00") does not
	 * count as printed */
	for (k = 0; k < ng; k++)
		if (pg[k].conf >= 0.7f)
			return 0;
	if (!nn || !nv)
		return 0;
	if (!parse_amount(pn[0].c->value, &a) || !parse_amount(pv[0].c->value, &b))
		return 0;
	sum.scale = 2;
	sum.units = folio_amount_cents(&a) + folio_amount_cents(&b);
	conf = (pn[0].conf < pv[0].conf ? pn[0].conf : pv[0].conf) * 0.8f;
	return folio_cands_add(cs, "gross_total", folio_amount_format(&sum, buf, sizeof(buf)), NULL,
			       conf, pn[0].c->src, 0, NULL);
}

/* Choose, reconcile and write the fields; compute the review reasons. */
static int finish(const struct folio_extractor *x, struct folio_doc *doc,
		  const struct folio_cands *cs, struct folio_strbuf *why, struct folio_err *err)
{
	struct chosen ch[FOLIO_NFIELDS];
	struct folio_strbuf notes = FOLIO_STRBUF_INIT;
	size_t i, k;
	int ret = FOLIO_OK;

	memset(ch, 0, sizeof(ch));
	for (i = 0; i < FOLIO_NFIELDS; i++) {
		struct pick p[NPICK];
		size_t n = pool(cs, folio_field_defs[i].name, p, NPICK);

		if (!n)
			continue;
		ch[i].c = p[0].c;
		ch[i].conf = p[0].conf;
		/* a less trusted source saying otherwise is a disagreement */
		for (k = 1; k < n; k++)
			if (p[k].rank < p[0].rank && strcmp(p[k].c->value, p[0].c->value) &&
			    strcmp(folio_field_defs[i].kind, "json") && p[k].conf >= 0.5f) {
				if (notes.len)
					folio_strbuf_adds(&notes, "; ");
				folio_strbuf_addf(&notes, "%s: %s says %s, %s says %s",
						  folio_field_defs[i].name,
						  folio_source_name(p[0].c->src), p[0].c->value,
						  folio_source_name(p[k].c->src), p[k].c->value);
				break;
			}
	}
	/* the buyer is not the seller */
	{
		int s = field_index("seller_tax_id"), b = field_index("buyer_tax_id");

		/* (an e-invoice says what it says, even a self-billed one) */
		if (ch[s].c && ch[b].c && !strcmp(ch[s].c->value, ch[b].c->value) &&
		    ch[b].c->src != FOLIO_SRC_XML && ch[b].c->src != FOLIO_SRC_USER)
			ch[b].c = NULL;
	}
	/* a parser's own remark ("FatturaPA file holds 3 invoices; ...") */
	for (i = 0; i < cs->n; i++)
		if (!strcmp(cs->v[i].name, "review"))
			add_reason(why, "%s", cs->v[i].value);
	reconcile_totals(cs, ch, field_index("net_total"), field_index("vat_total"),
			 field_index("gross_total"), why);
	if (check_breakdown(ch, why) || check_lines(ch, why)) {
		folio_strbuf_release(&notes);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
	}

	/* tax IDs and IBANs from exact sources are still checked */
	for (i = 0; i < FOLIO_NFIELDS; i++) {
		char norm[40];

		if (!ch[i].c)
			continue;
		if (!strcmp(folio_field_defs[i].kind, "taxid") && ch[i].c->src != FOLIO_SRC_USER &&
		    folio_taxid_check(ch[i].c->value, NULL, norm, NULL) == 0) {
			add_reason(why, "%s %s fails its check digits",
				   pretty(folio_field_defs[i].name), ch[i].c->value);
			ch[i].conf *= 0.5f;
		}
		if (!strcmp(folio_field_defs[i].kind, "iban") && ch[i].c->src != FOLIO_SRC_USER &&
		    folio_iban_check(ch[i].c->value, norm) != 1) {
			add_reason(why, "IBAN %s fails its check digits", ch[i].c->value);
			ch[i].conf *= 0.5f;
		}
	}
	for (i = 0; i < FOLIO_NFIELDS; i++) {
		if (!folio_field_defs[i].key)
			continue;
		if (!ch[i].c) {
			add_reason(why, "no %s", pretty(folio_field_defs[i].name));
		} else if (ch[i].conf < x->review_below) {
			char c[16];

			snprintf(c, sizeof(c), "%.2f", ch[i].conf);
			add_reason(why, "%s unsure (%s)", pretty(folio_field_defs[i].name), c);
		}
	}
	for (i = 0; i < FOLIO_NFIELDS; i++) {
		const struct folio_cand *c = ch[i].c;
		float conf = ch[i].conf > 1.0f ? 1.0f : ch[i].conf;

		if (!c)
			continue;
		if (c->src != FOLIO_SRC_XML && c->src != FOLIO_SRC_USER && conf > 0.99f)
			conf = 0.99f;
		if (folio_doc_set_field(doc, folio_field_defs[i].name, c->value, c->raw, conf,
					c->src, c->page, c->bbox)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			break;
		}
	}
	free(doc->notes);
	doc->notes = notes.len ? folio_strbuf_detach(&notes) : NULL;
	folio_strbuf_release(&notes);
	return ret;
}

static int set_review(struct folio_doc *doc, struct folio_strbuf *why)
{
	free(doc->review);
	doc->review = NULL;
	doc->needs_review = why->len > 0;
	if (why->len && !(doc->review = folio_strbuf_detach(why)))
		return -1;
	return 0;
}

/* XML by its type, or text that opens like XML (libmagic calls a long
 * FatturaPA file "exported SGML document", text/plain). */
static int is_xml(const struct folio_doc *doc)
{
	size_t i = 0;

	if (!doc->mime)
		return 0;
	if (strstr(doc->mime, "/xml") || strstr(doc->mime, "+xml"))
		return 1;
	if (strncmp(doc->mime, "text/", 5) || !doc->data)
		return 0;
	if (doc->size >= 3 && !memcmp(doc->data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < doc->size && isspace(doc->data[i]))
		i++;
	return i + 1 < doc->size && doc->data[i] == '<' &&
	       (doc->data[i + 1] == '?' || doc->data[i + 1] == '!' || isalpha(doc->data[i + 1]));
}

int folio_extract_doc(const struct folio_extractor *x, struct folio_doc *doc, struct folio_err *err)
{
	struct folio_cands cs = { 0 };
	struct folio_strbuf why = FOLIO_STRBUF_INIT;
	struct folio_err xe;
	int ret = FOLIO_OK, r, exact = 0;
	size_t p, k;

	/* an e-mail message or a signed envelope (.p7m): its fields are what
	 * its decoder read (headers, signature); the invoices are what it
	 * carries, read as documents of their own, never the covering note */
	if (doc->also_document)
		return FOLIO_OK;
	if (is_xml(doc)) {
		r = folio_einvoice_parse(doc->data, doc->size, &cs, err);
		if (r == FOLIO_FAILED && !strncmp(doc->mime, "text/plain", 10) &&
		    !folio_xml_declared(doc->data, doc->size)) {
			/* text that merely starts with a tag: read as text */
			folio_err_clear(err);
			r = FOLIO_WARN;
		}
		if (r == FOLIO_FAILED || r == FOLIO_FATAL) {
			ret = r;
			goto out;
		}
		exact = r == FOLIO_OK;
	}
	if (doc->attachment) {
		folio_err_clear(&xe);
		r = folio_einvoice_parse(doc->attachment, doc->attachment_size, &cs, &xe);
		if (r == FOLIO_FATAL) {
			*err = xe;
			ret = r;
			goto out;
		}
		if (r == FOLIO_FAILED)
			add_reason(&why, "the embedded %s is not valid XML: %s",
				   doc->attachment_name ? doc->attachment_name : "e-invoice",
				   xe.msg);
		exact = r == FOLIO_OK;
	}
	/* an e-invoice is the invoice: its printout is only for people */
	if (exact)
		goto choose;
	for (p = 0; p < doc->npages; p++)
		for (k = 0; k < doc->pages[p].ncodes; k++) {
			const struct folio_code *c = &doc->pages[p].codes[k];
			int bbox[4] = { c->x, c->y, c->w, c->h };

			if (folio_qr_parse(c->data, doc->pages[p].number, bbox, &cs) < 0) {
				ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12,
						    "out of memory");
				goto out;
			}
		}
	/* an exact source makes reading the page unnecessary for its fields,
	 * but the page may still add what the XML lacks */
	if (x->lx && (ret = folio_layout_extract(x->lx, doc, &cs, err)) != FOLIO_OK)
		goto out;
	/* a known vendor: read where it prints its fields */
	if (x->ntpl) {
		struct pick sp[NPICK];
		size_t ns = pool(&cs, "seller_tax_id", sp, NPICK);

		if (ns && folio_template_apply(x->tpl, x->ntpl, doc, sp[0].c->value, &cs)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			goto out;
		}
	}
	if (folio_receipt_extract(doc, &cs) || derive_gross(&cs)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		goto out;
	}
choose:
	if (!cs.n)
		goto out;
	if ((ret = finish(x, doc, &cs, &why, err)) != FOLIO_OK)
		goto out;
	if (set_review(doc, &why))
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
out:
	folio_strbuf_release(&why);
	folio_cands_free(&cs);
	return ret;
}

int folio_extract_recheck(const struct folio_extractor *x, struct folio_doc *doc,
			  struct folio_err *err)
{
	struct folio_cands cs = { 0 };
	struct folio_strbuf why = FOLIO_STRBUF_INIT;
	size_t i;
	int ret = FOLIO_OK;

	for (i = 0; i < doc->nfields; i++) {
		const struct folio_field *f = &doc->fields[i];

		if (folio_cands_add(&cs, f->name, f->value, f->raw, f->confidence, f->source,
				    f->page, f->bbox)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			goto out;
		}
	}
	if ((ret = finish(x, doc, &cs, &why, err)) == FOLIO_OK && set_review(doc, &why))
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
out:
	folio_strbuf_release(&why);
	folio_cands_free(&cs);
	return ret;
}
