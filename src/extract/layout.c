/*
 * layout.c - invoice fields from positioned words (PDF text layer or OCR).
 *
 * A page is rebuilt as visual lines (words whose vertical centres agree)
 * and cells (runs of words on a line separated by a gap wider than the
 * line's height). Labels of models/labels.tsv are matched word by word on
 * folded keys ("Data wystawienia:" → "data" "wystawienia"); the value of a
 * label is read right of it in its cell, then in the next cell, then in the
 * cell below it. Tables are read by column geometry: a heading line with
 * two or more column labels defines columns, and the rows under it are
 * assigned cell by cell to the column they overlap most.
 *
 * Everything found is a candidate with a confidence; choosing among them
 * and reconciling the totals is extract.c's job. The parties are read in
 * layout_party.c, the tables in layout_table.c, tax IDs and accounts in
 * layout_ids.c, the label lexicon in layout_lexicon.c; layout_private.h is
 * what they share.
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

int lay_grow(void **v, size_t *alloc, size_t n, size_t size)
{
	void *nv;
	size_t na;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 64;
	if (!(nv = realloc(*v, na * size)))
		return -1;
	*v = nv;
	*alloc = na;
	return 0;
}

static int add_tok(struct pagem *pm, const char *text, size_t len, int x, int y, int w, int h,
		   float conf)
{
	struct tok *t;

	if (lay_grow((void **)&pm->t, &pm->ta, pm->nt, sizeof(*t)))
		return -1;
	t = &pm->t[pm->nt];
	memset(t, 0, sizeof(*t));
	if (!(t->text = strndup(text, len)))
		return -1;
	lay_make_key(t->text, t->key, sizeof(t->key));
	t->x = x;
	t->y = y;
	t->w = w;
	t->h = h;
	t->conf = conf;
	pm->nt++;
	return 0;
}

/* Where a word is two words joined by a slash, as the lexicon splits its
 * labels ("imponibile/importo", "cedente/prestatore"): a lowercase letter
 * before it and a letter after. Codes ("FA/GRQMB", "01/2024") stay whole. */
static const char *word_slash(const char *s)
{
	const char *p;

	for (p = s + 1; (p = strchr(p, '/')) != NULL; p++)
		if (islower((unsigned char)p[-1]) && isalpha((unsigned char)p[1]))
			return p;
	return NULL;
}

/* Words as tokens; "NIP:5260001246" is split after the colon,
 * "imponibile/importo:" at the slash. */
static int page_tokens(struct pagem *pm)
{
	const struct folio_page *pg = pm->pg;
	size_t i;

	for (i = 0; i < pg->nwords; i++) {
		const struct folio_word *wd = &pg->words[i];
		const char *s = wd->text, *colon = strchr(s, ':'),
			   *slash = *s ? word_slash(s) : NULL;
		size_t len = strlen(s);

		if (slash && (!colon || slash < colon)) {
			size_t l1 = (size_t)(slash - s) + 1;
			int w1 = len ? (int)((long)wd->w * (long)l1 / (long)len) : 0;

			if (add_tok(pm, s, l1, wd->x, wd->y, w1, wd->h, wd->conf) ||
			    add_tok(pm, slash + 1, len - l1, wd->x + w1, wd->y, wd->w - w1, wd->h,
				    wd->conf))
				return -1;
			pm->t[pm->nt - 2].line = wd->line;
		} else if (colon && colon > s && colon[1]) {
			size_t l1 = (size_t)(colon - s) + 1;
			int w1 = len ? (int)((long)wd->w * (long)l1 / (long)len) : 0;

			if (add_tok(pm, s, l1, wd->x, wd->y, w1, wd->h, wd->conf) ||
			    add_tok(pm, colon + 1, len - l1, wd->x + w1, wd->y, wd->w - w1, wd->h,
				    wd->conf))
				return -1;
		} else if (add_tok(pm, s, len, wd->x, wd->y, wd->w, wd->h, wd->conf)) {
			return -1;
		}
		pm->t[pm->nt - 1].line = wd->line;
	}
	return 0;
}

/* A page without geometry (plain text): tokens from its text, lines by
 * '\n', cells by tabs or runs of two spaces, x in character columns. */
static int text_tokens(struct pagem *pm)
{
	const char *s = pm->pg->text;
	int line = 0, col = 0;

	if (!s)
		return 0;
	while (*s) {
		if (*s == '\n') {
			line++;
			col = 0;
			s++;
		} else if (*s == '\t') {
			col = (col / 8 + 1) * 8 + 8;
			s++;
		} else if (*s == ' ' || *s == '\r' || *s == '\f') {
			col += (s[1] == ' ') ? 4 : 1;
			s++;
		} else {
			size_t n = strcspn(s, " \t\r\n\f");

			if (add_tok(pm, s, n, col * 10, line * 30, (int)n * 10, 20, 1.0f))
				return -1;
			pm->t[pm->nt - 1].line = line;
			col += (int)n;
			s += n;
		}
	}
	return 0;
}

static int cmp_cy(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;
	int cx = x->y * 2 + x->h, cy = y->y * 2 + y->h;

	return (cx > cy) - (cx < cy);
}

static int cmp_line_x(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->x > y->x) - (x->x < y->x);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int build_page(struct pagem *pm)
{
	size_t i, j;
	int geom = 0;

	for (i = 0; i < pm->pg->nwords && !geom; i++)
		geom = pm->pg->words[i].w > 0 && pm->pg->words[i].h > 0;
	if (geom ? page_tokens(pm) : text_tokens(pm))
		return -1;
	if (!pm->nt)
		return 0;
	if (geom) {
		/* visual lines: words whose centres are within half a height */
		int line = -1, cy = 0, lh = 0;

		folio_sort(pm->t, pm->nt, sizeof(*pm->t), cmp_cy);
		for (i = 0; i < pm->nt; i++) {
			struct tok *t = &pm->t[i];
			int c = t->y * 2 + t->h, h = t->h > lh ? t->h : lh;

			if (line < 0 || abs(c - cy) > h) {
				line++;
				cy = c;
				lh = t->h;
			}
			t->line = line;
		}
	}
	folio_sort(pm->t, pm->nt, sizeof(*pm->t), cmp_line_x);

	/* cells and lines */
	for (i = 0; i < pm->nt; i = j) {
		int hs[64], nh = 0, mh, gap;
		struct vline *vl;

		for (j = i; j < pm->nt && pm->t[j].line == pm->t[i].line; j++)
			if (nh < 64)
				hs[nh++] = pm->t[j].h;
		folio_sort(hs, (size_t)nh, sizeof(int), cmp_int);
		mh = hs[nh / 2] > 0 ? hs[nh / 2] : 1;
		gap = geom ? mh : 25;
		if (lay_grow((void **)&pm->l, &pm->la, pm->nl, sizeof(*vl)))
			return -1;
		vl = &pm->l[pm->nl];
		vl->ca = pm->nc;
		vl->y0 = pm->t[i].y;
		vl->y1 = pm->t[i].y + pm->t[i].h;
		for (size_t k = i; k < j; k++) {
			struct tok *t = &pm->t[k];
			struct cell *c = pm->nc > vl->ca ? &pm->c[pm->nc - 1] : NULL;

			if (!c || t->x - c->x1 > gap) {
				if (lay_grow((void **)&pm->c, &pm->ca, pm->nc, sizeof(*c)))
					return -1;
				c = &pm->c[pm->nc++];
				c->a = k;
				c->x0 = t->x;
				c->x1 = t->x + t->w;
				c->y0 = t->y;
				c->y1 = t->y + t->h;
				c->line = (int)pm->nl;
			}
			c->b = k + 1;
			if (t->x + t->w > c->x1)
				c->x1 = t->x + t->w;
			if (t->y < c->y0)
				c->y0 = t->y;
			if (t->y + t->h > c->y1)
				c->y1 = t->y + t->h;
			if (t->y < vl->y0)
				vl->y0 = t->y;
			if (t->y + t->h > vl->y1)
				vl->y1 = t->y + t->h;
			t->cell = (int)(pm->nc - 1);
			t->line = (int)pm->nl;
		}
		vl->cb = pm->nc;
		pm->nl++;
	}
	return 0;
}

static void page_free(struct pagem *pm)
{
	size_t i;

	for (i = 0; i < pm->nt; i++)
		free(pm->t[i].text);
	free(pm->t);
	free(pm->c);
	free(pm->l);
}

/* ---- label matching ----------------------------------------------------- */

/* Match label `lb` at token `i` of cell `c`; returns the end token or 0.
 * Tokens without letters or digits (":" "|") are skipped inside a label. */
size_t lay_label_at(const struct pagem *pm, const struct cell *c, size_t i, const struct label *lb)
{
	int k = 0;

	while (i < c->b && k < lb->ntok) {
		if (!pm->t[i].key[0] && k > 0) {
			i++;
			continue;
		}
		if (strcmp(pm->t[i].key, lb->tok[k]))
			return 0;
		i++;
		k++;
	}
	return k == lb->ntok ? i : 0;
}

static int add_match(struct ctx *cx, const struct label *lb, size_t page, size_t cell, size_t a,
		     size_t b)
{
	struct match *m;

	if (lay_grow((void **)&cx->m, &cx->ma, cx->nm, sizeof(*m)))
		return -1;
	m = &cx->m[cx->nm++];
	m->lb = lb;
	m->page = page;
	m->cell = cell;
	m->a = a;
	m->b = b;
	return 0;
}

/*
 * Find labels in every cell: at each token the longest label wins (for
 * each kind of use: a field label and a column heading may share words,
 * "Wartość netto" is both), and a token inside a matched field label does
 * not start another field label.
 */
static int find_labels(struct ctx *cx)
{
	size_t p, c, i, k;

	for (p = 0; p < cx->npm; p++) {
		struct pagem *pm = &cx->pm[p];

		for (c = 0; c < pm->nc; c++) {
			const struct cell *cl = &pm->c[c];

			for (i = cl->a; i < cl->b; i++) {
				const struct label *best_f = NULL, *best_c = NULL, *best_r = NULL;
				const struct label *tie_f = NULL;
				size_t end_f = 0, end_c = 0, end_r = 0;

				if (!pm->t[i].key[0])
					continue;
				for (k = 0; k < cx->lx->n; k++) {
					const struct label *lb = &cx->lx->v[k];
					size_t e = lay_label_at(pm, cl, i, lb);
					int is_col = lb->kind == V_COL;

					if (!e || (lb->head && i != cl->a))
						continue;
					if (is_col) {
						if (e > end_c) {
							end_c = e;
							best_c = lb;
						}
					} else if (lb->kind == V_ROW) {
						if (e > end_r) {
							end_r = e;
							best_r = lb;
						}
					} else if (!pm->t[i].used && e > end_f) {
						end_f = e;
						best_f = lb;
						tie_f = NULL;
					} else if (!pm->t[i].used && e == end_f && best_f &&
						   lb->kind == V_AMOUNT &&
						   best_f->kind == V_AMOUNT &&
						   strcmp(lb->field, best_f->field)) {
						/* "Total a pagar" (pt) is the gross total and the
						 * amount due: both read the value */
						tie_f = lb;
					}
				}
				if (best_f) {
					if (add_match(cx, best_f, p, c, i, end_f))
						return -1;
					if (tie_f && add_match(cx, tie_f, p, c, i, end_f))
						return -1;
					for (k = i; k < end_f; k++)
						pm->t[k].used = 1;
				}
				if (best_c && add_match(cx, best_c, p, c, i, end_c))
					return -1;
				if (best_r && add_match(cx, best_r, p, c, i, end_r))
					return -1;
			}
		}
	}
	return 0;
}

/* ---- value readers ------------------------------------------------------ */

static const char *skip_punct(const char *s)
{
	while (*s && (*s == ':' || *s == ' ' || *s == '#' || *s == '-' || *s == '|' || *s == '.' ||
		      *s == '=' || *s == ')' || *s == '('))
		s++;
	return s;
}

/* The text of tokens [a, b) joined by spaces. */
char *lay_span_text(const struct pagem *pm, size_t a, size_t b, size_t *offs, size_t noffs)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	size_t i;

	for (i = a; i < b; i++) {
		if (i > a)
			folio_strbuf_addch(&sb, ' ');
		if (offs && i - a < noffs)
			offs[i - a] = sb.len;
		folio_strbuf_adds(&sb, pm->t[i].text);
	}
	return folio_strbuf_detach(&sb);
}

static void span_bbox(const struct pagem *pm, size_t a, size_t b, int bbox[4])
{
	int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
	size_t i;

	for (i = a; i < b; i++) {
		const struct tok *t = &pm->t[i];

		if (i == a || t->x < x0)
			x0 = t->x;
		if (i == a || t->y < y0)
			y0 = t->y;
		if (i == a || t->x + t->w > x1)
			x1 = t->x + t->w;
		if (i == a || t->y + t->h > y1)
			y1 = t->y + t->h;
	}
	bbox[0] = x0;
	bbox[1] = y0;
	bbox[2] = x1 - x0;
	bbox[3] = y1 - y0;
}

float lay_span_ocr_conf(const struct pagem *pm, size_t a, size_t b)
{
	float s = 0;
	size_t i;

	if (b <= a)
		return 1.0f;
	for (i = a; i < b; i++)
		s += pm->t[i].conf;
	return s / (float)(b - a);
}

int lay_emit(struct ctx *cx, const char *name, const char *value, const char *raw, float conf,
	     const struct pagem *pm, size_t a, size_t b)
{
	int bbox[4] = { 0, 0, 0, 0 };
	enum folio_source src = pm->pg->source == FOLIO_SRC_OCR ? FOLIO_SRC_OCR : FOLIO_SRC_TEXT;

	if (getenv("FOLIO_DEBUG_LAYOUT"))
		fprintf(stderr, "emit %s=%s conf %.2f line %d\n", name, value, (double)conf,
			b > a ? pm->t[a].line : -1);
	if (b > a)
		span_bbox(pm, a, b, bbox);
	if (src == FOLIO_SRC_OCR) {
		float oc = lay_span_ocr_conf(pm, a, b);

		conf *= 0.6f + 0.4f * oc;
	}
	if (folio_cands_add(cx->out, name, value, raw, conf, src, pm->pg->number, bbox)) {
		cx->oom = 1;
		return -1;
	}
	return 0;
}

/* Token index of byte offset `off` in a span text built with `offs`. */
size_t lay_tok_of(const size_t *offs, size_t n, size_t off)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (offs[i] > off)
			return i - 1;
	return n ? n - 1 : 0;
}

static int read_date(struct ctx *cx, const char *name, const struct span *sp)
{
	size_t offs[SPAN_MAX], n = sp->b - sp->a, used, start;
	char *text, out[11];
	const char *s;
	int ret = 0;

	if (n > SPAN_MAX)
		n = SPAN_MAX;
	if (!n || !(text = lay_span_text(sp->pm, sp->a, sp->a + n, offs, n)))
		return 0;
	s = skip_punct(text);
	/* "z dnia", "del", "vom": a short word before the date */
	if (!folio_date_parse(
		    s, cx->dec == '.' && !strcmp(cx->country, "US") ? FOLIO_MDY : FOLIO_DMY, out)) {
		const char *sp2 = strchr(s, ' ');

		if (sp2 && sp2 - s <= 5)
			s = skip_punct(sp2);
	}
	start = (size_t)(s - text);
	used = folio_date_parse(s, FOLIO_DMY, out);
	if (used && start <= 12) {
		size_t t0 = lay_tok_of(offs, n, start),
		       t1 = lay_tok_of(offs, n, start + used - 1) + 1;
		char *raw = strndup(s, used);

		ret = lay_emit(cx, name, out, raw, sp->conf, sp->pm, sp->a + t0, sp->a + t1) ? -1 :
											       1;
		free(raw);
	}
	free(text);
	return ret;
}

static const char *currency_of(const char *key)
{
	/* clang-format off */
	static const struct { const char *k, *code; } cur[] = {
		{ "pln", "PLN" }, { "zl", "PLN" }, { "eur", "EUR" }, { "gbp", "GBP" },
		{ "chf", "CHF" }, { "usd", "USD" }, { "czk", "CZK" }, { "huf", "HUF" },
		{ "sek", "SEK" }, { "dkk", "DKK" }, { "ron", "RON" }, { "brl", "BRL" },
		{ "nok", "NOK" }, { "isk", "ISK" }, { "bgn", "BGN" }, { "kc", "CZK" },
		{ "jpy", "JPY" }, { "cny", "CNY" }, { "inr", "INR" }, { "aud", "AUD" },
		{ "cad", "CAD" }, { "nzd", "NZD" }, { "zar", "ZAR" },
		{ "mxn", "MXN" }, { "sgd", "SGD" }, { "hkd", "HKD" }, { "rsd", "RSD" },
		{ "uah", "UAH" },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(cur) / sizeof(cur[0]); i++)
		if (!strcmp(key, cur[i].k))
			return cur[i].code;
	return NULL;
}

static int taxid_word(const char *key)
{
	static const char *const w[] = { "reg", "no",  "nr",  "number", "id",	 "registration",
					 "nif", "nip", "cif", "idnr",	"nummer" };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/* Skip what may stand before an amount: punctuation (not a minus or an
 * opening parenthesis, which make it negative) and currency signs. */
const char *lay_amount_start(const char *s)
{
	for (;;) {
		while (*s == ':' || *s == ' ' || *s == '=' || *s == '|')
			s++;
		if (!strncmp(s, "\xe2\x82\xac", 3))
			s += 3;
		else if (!strncmp(s, "\xc2\xa3", 2))
			s += 2;
		else if (*s == '$')
			s++;
		else if (isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
			 isupper((unsigned char)s[2]) &&
			 (s[3] == ' ' || isdigit((unsigned char)s[3])))
			s += 3;
		else
			return s;
	}
}

/*
 * Read the first amount of a span: "5 022,45 PLN", "£1,054.00", "-97,00 €".
 * A number followed by '%' is a rate, not the amount ("VAT at 20%:
 * £1,054.00"), and up to three words may come first ("zzgl. 19 % USt.:").
 */
static int read_amount(struct ctx *cx, const char *name, const struct span *sp)
{
	size_t offs[SPAN_MAX], n = sp->b - sp->a, k;
	struct folio_amount am;
	char *text, buf[40];
	int ret = 0, skipped = 0;

	if (n > SPAN_MAX)
		n = SPAN_MAX;
	if (!n || !(text = lay_span_text(sp->pm, sp->a, sp->a + n, offs, n)))
		return 0;
	for (k = 0; k < n && skipped <= 4; k++) {
		const char *s = lay_amount_start(text + offs[k]), *after;
		size_t used, start = (size_t)(s - text);

		if ((k + 1 < n && start >= offs[k + 1]) ||
		    !(used = folio_amount_parse(s, cx->dec, &am))) {
			/* "VAT Reg. No: GB 284 ...": a number, not an amount */
			if (taxid_word(sp->pm->t[sp->a + k].key))
				break;
			skipped++;
			continue;
		}
		after = s + used;
		while (*after == ' ')
			after++;
		if (*after == '%') {
			skipped++;
			continue;
		}
		/* "ust. 1 ustawy: ...": a whole number followed by a word is a
		 * clause of a sentence, not a total */
		if (am.scale == 0 && isalpha((unsigned char)*after) && strcspn(after, " :") > 3)
			break;
		{
			size_t t0 = lay_tok_of(offs, n, start),
			       t1 = lay_tok_of(offs, n, start + used - 1) + 1;
			char *raw = strndup(s, used);

			folio_amount_format(&am, buf, sizeof(buf));
			ret = lay_emit(cx, name, buf, raw, sp->conf, sp->pm, sp->a + t0,
				       sp->a + t1) ?
				      -1 :
				      1;
			free(raw);
		}
		break;
	}
	free(text);
	return ret;
}

static int is_series(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 4)
		return 0;
	for (i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

int lay_has_digit(const char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			return 1;
	return 0;
}

static int number_word(const char *text, const char *key)
{
	/* "n.º" read by OCR as "n.2", "n.o", "N°" */
	if (strlen(text) <= 4 && (text[0] == 'n' || text[0] == 'N') &&
	    (strchr(text, '.') || strstr(text, "\xc2\xba") || strstr(text, "\xc2\xb0")) &&
	    strlen(key) <= 2)
		return 1;
	static const char *const w[] = { "nr",	   "no",     "n",   "num", "numero",
					 "nummer", "number", "vat", "nro" };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

static int read_number(struct ctx *cx, const char *name, const struct span *sp)
{
	const struct pagem *pm = sp->pm;
	size_t i = sp->a, a;
	char buf[128], out[11];
	const char *s;
	size_t len;

	while (i < sp->b && (!pm->t[i].key[0] || number_word(pm->t[i].text, pm->t[i].key)))
		i++;
	if (i >= sp->b)
		return 0;
	/* "N° TVA DE242688168": the number of a tax ID, not of the invoice */
	if (lay_strong_taxid_label(pm->t[i].key))
		return 0;
	a = i;
	buf[0] = '\0';
	if (is_series(pm->t[i].text) && i + 1 < sp->b && lay_has_digit(pm->t[i + 1].text)) {
		snprintf(buf, sizeof(buf), "%s %s", pm->t[i].text, pm->t[i + 1].text);
		i += 2;
	} else {
		snprintf(buf, sizeof(buf), "%s", pm->t[i].text);
		i++;
	}
	/* "018304 / 28865": a number in two parts around a spaced slash */
	if (i + 1 < sp->b && !strcmp(pm->t[i].text, "/") && lay_has_digit(pm->t[i + 1].text) &&
	    lay_has_digit(buf) && strlen(buf) + strlen(pm->t[i + 1].text) + 4 < sizeof(buf)) {
		size_t n = strlen(buf);

		snprintf(buf + n, sizeof(buf) - n, " / %s", pm->t[i + 1].text);
		i += 2;
	}
	s = skip_punct(buf);
	len = strlen(s);
	while (len && strchr(",;:.)", s[len - 1]))
		len--;
	if (len < 2 || len > 40)
		return 0;
	memmove(buf, s, len);
	buf[len] = '\0';
	if (!lay_has_digit(buf))
		return 0;
	/* a date or an amount is not a number */
	if (folio_date_parse(buf, FOLIO_DMY, out) == len)
		return 0;
	{
		struct folio_amount am;
		size_t u = folio_amount_parse(buf, cx->dec, &am);

		if (u == len && am.scale == 2 && (strchr(buf, ',') || strchr(buf, '.')))
			return 0;
	}
	return lay_emit(cx, name, buf, NULL, sp->conf, pm, a, i) ? -1 : 1;
}

/* ---- the passes ---------------------------------------------------------- */

const struct cell *lay_cell_below(const struct pagem *pm, const struct cell *c, int maxlines)
{
	size_t l, k;
	const struct cell *best = NULL;

	for (l = (size_t)c->line + 1; l < pm->nl && l <= (size_t)c->line + (size_t)maxlines; l++) {
		int bestov = 0;

		for (k = pm->l[l].ca; k < pm->l[l].cb; k++) {
			const struct cell *d = &pm->c[k];
			int ov = (d->x1 < c->x1 ? d->x1 : c->x1) - (d->x0 > c->x0 ? d->x0 : c->x0);

			if (ov > bestov) {
				bestov = ov;
				best = d;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

/* The value span right of a label: rest of its cell, else the next cell. */
int lay_right_span(const struct pagem *pm, const struct match *m, struct span *sp)
{
	const struct cell *c = &pm->c[m->cell];
	size_t b = m->b;

	while (b < c->b && !pm->t[b].key[0] && !lay_has_digit(pm->t[b].text))
		b++;
	if (b < c->b) {
		sp->a = b;
		sp->b = c->b;
		sp->conf = 0.9f;
		return 1;
	}
	if (m->cell + 1 < pm->nc && pm->c[m->cell + 1].line == c->line) {
		sp->a = pm->c[m->cell + 1].a;
		sp->b = pm->c[m->cell + 1].b;
		sp->conf = 0.85f;
		return 1;
	}
	return 0;
}

/*
 * An invoice number that reads like words ("Vat-O", "test decimal 1"):
 * only the whole of the cell after a specific label (two words or a
 * compound: "Rechnungsnummer", "Invoice number"), short, with a digit or
 * a joiner ('-', '/', '_'), and less sure than a number-shaped one.
 */
static int read_word_number(struct ctx *cx, const struct match *m, const struct span *sp)
{
	const struct pagem *pm = sp->pm;
	const struct cell *c = &pm->c[pm->t[sp->a].cell];
	char *t;
	size_t n;
	int r = 0;

	if (strcmp(m->lb->field, "invoice_number") || sp->a != c->a || sp->b != c->b ||
	    sp->b - sp->a > 3 || (m->lb->ntok < 2 && strlen(m->lb->tok[0]) < 10))
		return 0;
	if (!(t = lay_span_text(pm, sp->a, sp->b, NULL, 0)))
		return -1;
	n = strlen(t);
	if (n >= 2 && n <= 30 && !strchr(t, ':') && (lay_has_digit(t) || strpbrk(t, "-/_")) &&
	    isalnum((unsigned char)t[0]) && isalnum((unsigned char)t[n - 1]))
		r = lay_emit(cx, m->lb->field, t, NULL, sp->conf * 0.8f, pm, sp->a, sp->b) ? -1 : 1;
	free(t);
	return r;
}

static int read_kind(struct ctx *cx, const struct match *m, const struct span *sp)
{
	switch (m->lb->kind) {
	case V_DATE: return read_date(cx, m->lb->field, sp);
	case V_AMOUNT: return read_amount(cx, m->lb->field, sp);
	case V_NUMBER: {
		int r = read_number(cx, m->lb->field, sp);

		return r ? r : read_word_number(cx, m, sp);
	}
	case V_IBAN: {
		int r = lay_read_iban(cx, sp, sp->conf);

		return r ? r : lay_read_account(cx, sp, sp->conf);
	}
	default: return 0;
	}
}

static int key_values(struct ctx *cx)
{
	size_t i;

	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct pagem *pm = &cx->pm[m->page];
		const struct cell *c = &pm->c[m->cell];
		struct span sp = { pm, 0, 0, 0 };
		const struct cell *below;
		float inside = m->a != c->a ? 0.75f : 1.0f;
		size_t b = m->b;
		int r = 0;

		if (m->lb->kind < V_NUMBER || m->lb->kind > V_IBAN)
			continue;
		/* a one-word amount-due label ("Importo:" under FatturaPA's
		 * "Dettaglio pagamento") is a column heading or part of another
		 * label as often: only at the start of its cell, value on its line */
		if (m->lb->ntok == 1 && !strcmp(m->lb->field, "amount_due") && m->a != c->a)
			continue;
		/* a label inside a sentence ("... zur Rechnung Nr. X") is a weaker
		 * witness than one heading its cell */
		while (b < c->b && !pm->t[b].key[0] && !lay_has_digit(pm->t[b].text)) {
			/* "IVA (%): 22.00", "Aliquota IVA (%)": a rate, not an amount */
			if (m->lb->kind == V_AMOUNT && strchr(pm->t[b].text, '%'))
				break;
			b++;
		}
		if (m->lb->kind == V_AMOUNT && b < c->b && strchr(pm->t[b].text, '%') &&
		    !lay_has_digit(pm->t[b].text))
			continue;
		if (b < c->b) {
			sp.a = b;
			sp.b = c->b;
			sp.conf = 0.9f * inside;
			r = read_kind(cx, m, &sp);
		}
		if (!r && m->cell + 1 < pm->nc && pm->c[m->cell + 1].line == c->line) {
			sp.a = pm->c[m->cell + 1].a;
			sp.b = pm->c[m->cell + 1].b;
			sp.conf = 0.85f * inside;
			r = read_kind(cx, m, &sp);
		}
		/* "Data wystawienia, z zastrzeżeniem art. 106na ust. 1: 20.05.2025",
		 * "Data scadenza pagamento: 2015-01-30": the label's words go on
		 * to a colon, the value is after it */
		if (!r && b < c->b && (m->lb->kind == V_DATE || m->lb->kind == V_AMOUNT)) {
			size_t k;

			/* not across another label's words ("N° TVA: FR...") */
			for (k = b; k < c->b && k < b + 12 && !lay_taxid_label(pm->t[k].key); k++)
				if (strchr(pm->t[k].text, ':') && !strchr(pm->t[k].text, '/') &&
				    k + 1 < c->b) {
					sp.a = k + 1;
					sp.b = c->b;
					sp.conf = 0.8f * inside;
					r = read_kind(cx, m, &sp);
					break;
				}
		}
		/* a heading cell: the value is under it */
		if (!r && m->a == c->a &&
		    !(m->lb->ntok == 1 && !strcmp(m->lb->field, "amount_due")) &&
		    (below = lay_cell_below(pm, c, 2))) {
			sp.a = below->a;
			sp.b = below->b;
			sp.conf = 0.75f;
			r = read_kind(cx, m, &sp);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ---- the extractor ------------------------------------------------------ */

static void guess_locale(struct ctx *cx)
{
	/* clang-format off */
	static const struct { const char *lang, *country; } lc[] = {
		{ "pl", "PL" }, { "es", "ES" }, { "pt", "PT" }, { "it", "IT" },
		{ "de", "DE" }, { "fr", "FR" }, { "en", "GB" },
	};
	/* clang-format on */
	int votes[7] = { 0 }, best = -1, comma = 0, point = 0;
	size_t i, k, p;

	for (i = 0; i < cx->nm; i++)
		for (k = 0; k < 7; k++)
			if (!strcmp(cx->m[i].lb->lang, lc[k].lang))
				votes[k] += cx->m[i].lb->ntok;
	for (k = 0; k < 7; k++)
		if (votes[k] && (best < 0 || votes[k] > votes[best]))
			best = (int)k;
	snprintf(cx->country, sizeof(cx->country), "%s", best >= 0 ? lc[best].country : "");
	/* decimal separator: what ends amounts with two decimals */
	for (p = 0; p < cx->npm; p++)
		for (i = 0; i < cx->pm[p].nt; i++) {
			const char *s = cx->pm[p].t[i].text;
			size_t n = strlen(s);

			while (n && !isdigit((unsigned char)s[n - 1]))
				n--;
			if (n >= 4 && isdigit((unsigned char)s[n - 1]) &&
			    isdigit((unsigned char)s[n - 2]) && isdigit((unsigned char)s[n - 4])) {
				comma += s[n - 3] == ',';
				point += s[n - 3] == '.';
			}
		}
	cx->dec = comma > point ? ',' : point > comma ? '.' : (best == 6 ? '.' : ',');
}

static int currency(struct ctx *cx)
{
	int votes[16] = { 0 }, dollars = 0;
	const char *codes[16];
	int ncodes = 0, best = -1, k;
	size_t p, i;

	for (p = 0; p < cx->npm; p++)
		for (i = 0; i < cx->pm[p].nt; i++) {
			const char *t = cx->pm[p].t[i].text,
				   *code = currency_of(cx->pm[p].t[i].key);

			if (!code && strstr(t, "\xe2\x82\xac"))
				code = "EUR";
			if (!code && strstr(t, "\xc2\xa3"))
				code = "GBP";
			if (!code && strstr(t, "\xe2\x82\xb9"))
				code = "INR";
			if (!code && strstr(t, "\xc2\xa5"))
				code = "JPY";
			/* "$" alone is USD's more often than any other dollar's */
			if (!code && strchr(t, '$') &&
			    (t[1] == '\0' || isdigit((unsigned char)t[1]) ||
			     isdigit((unsigned char)t[0]))) {
				code = "USD";
				dollars++;
			}
			if (!code)
				continue;
			if (strlen(cx->pm[p].t[i].key) > 3 && !strstr(t, "\xe2\x82\xac") &&
			    !strstr(t, "\xc2\xa3") && !strstr(t, "\xe2\x82\xb9") &&
			    !strchr(t, '$') && !strstr(t, "\xc2\xa5"))
				continue;
			for (k = 0; k < ncodes; k++)
				if (!strcmp(codes[k], code))
					break;
			if (k == ncodes && ncodes < 16)
				codes[ncodes++] = code;
			if (k < 16)
				votes[k]++;
		}
	for (k = 0; k < ncodes; k++)
		if (best < 0 || votes[k] > votes[best])
			best = k;
	/* "$" alone might be any dollar */
	if (best >= 0 &&
	    folio_cands_add(cx->out, "currency", codes[best], NULL,
			    !strcmp(codes[best], "USD") && dollars >= votes[best] ? 0.6f :
			    votes[best] > 1					  ? 0.9f :
										    0.7f,
			    cx->npm && cx->pm[0].pg->source == FOLIO_SRC_OCR ? FOLIO_SRC_OCR :
									       FOLIO_SRC_TEXT,
			    0, NULL))
		return -1;
	return 0;
}

static int markers(struct ctx *cx)
{
	size_t i;

	for (i = 0; i < cx->nm; i++)
		if (cx->m[i].lb->kind == V_MARKER) {
			const struct match *m = &cx->m[i];

			return lay_emit(cx, "doc_type", "credit_note", NULL, 0.8f, &cx->pm[m->page],
					m->a, m->b);
		}
	return 0;
}

/* A receipt prints its date without a label ("15/03/2024 11:02"): with no
 * labelled issue date, the first date of the first page stands for it. */
static int first_date(struct ctx *cx)
{
	const struct pagem *pm;
	size_t i;
	char out[11];

	if (!cx->npm || folio_cands_find(cx->out, "issue_date", FOLIO_SRC_NONE))
		return 0;
	pm = &cx->pm[0];
	for (i = 0; i < pm->nt; i++) {
		size_t offs[4], n = pm->nt - i < 4 ? pm->nt - i : 4, used;
		char *t;

		if (!isdigit((unsigned char)pm->t[i].text[0]) ||
		    !(t = lay_span_text(pm, i, i + n, offs, n)))
			continue;
		used = folio_date_parse(t, FOLIO_DMY, out);
		if (used) {
			size_t t1 = lay_tok_of(offs, n, used - 1) + 1;
			int r = lay_emit(cx, "issue_date", out, NULL, 0.6f, pm, i, i + t1);

			free(t);
			return r;
		}
		free(t);
	}
	return 0;
}

int folio_layout_extract(const struct folio_lexicon *lx, const struct folio_doc *doc,
			 struct folio_cands *out, struct folio_err *err)
{
	struct ctx cx;
	struct taxid *ids = NULL;
	size_t nids = 0, i, p;
	int *assigned = NULL, ret = FOLIO_FATAL;

	memset(&cx, 0, sizeof(cx));
	cx.lx = lx;
	cx.doc = doc;
	cx.out = out;
	if (!doc->npages)
		return FOLIO_OK;
	if (!(cx.pm = calloc(doc->npages, sizeof(*cx.pm))))
		goto oom;
	for (p = 0; p < doc->npages; p++) {
		if (doc->pages[p].blank)
			continue;
		cx.pm[cx.npm].pg = &doc->pages[p];
		if (build_page(&cx.pm[cx.npm++]))
			goto oom;
	}
	if (getenv("FOLIO_DEBUG_LAYOUT"))
		for (p = 0; p < cx.npm; p++)
			for (i = 0; i < cx.pm[p].nc; i++) {
				const struct cell *c = &cx.pm[p].c[i];
				char *t = lay_span_text(&cx.pm[p], c->a, c->b, NULL, 0);

				fprintf(stderr, "p%zu l%d [%d..%d] %s\n", p + 1, c->line, c->x0,
					c->x1, t ? t : "");
				free(t);
			}
	if (find_labels(&cx))
		goto oom;
	guess_locale(&cx);
	if (key_values(&cx) || lay_tables(&cx) || lay_breakdown_groups(&cx) || lay_rated_vat(&cx) ||
	    lay_item_groups(&cx) || lay_find_ibans(&cx) || currency(&cx) || markers(&cx))
		goto oom;
	if (lay_find_taxids(&cx, &ids, &nids))
		goto oom;
	if (nids && !(assigned = calloc(nids, sizeof(*assigned))))
		goto oom;
	if (lay_parties(&cx, ids, nids, assigned) || lay_return_address(&cx, ids, nids) ||
	    lay_letter_parties(&cx, ids, nids) || lay_letterhead(&cx, ids, nids))
		goto oom;
	if (first_date(&cx))
		goto oom;
	/* a tax ID in the footer of a page is the issuer's (company details);
	 * among the unassigned ones it comes first */
	for (i = 0; i < nids; i++) {
		const struct pagem *pm = &cx.pm[ids[i].page];
		const struct tok *t = &pm->t[ids[i].a];

		if (!assigned[i] && pm->pg->height > 0 && t->y > pm->pg->height * 85 / 100 &&
		    i > 0) {
			struct taxid tmp = ids[i];
			int at = assigned[i];

			memmove(&ids[1], &ids[0], i * sizeof(*ids));
			memmove(&assigned[1], &assigned[0], i * sizeof(*assigned));
			ids[0] = tmp;
			assigned[0] = at;
			break;
		}
	}
	/* unassigned tax IDs in reading order: seller first, then buyer */
	for (i = 0; i < nids; i++) {
		const char *role = folio_cands_find(out, "seller_tax_id", FOLIO_SRC_NONE) ?
					   "buyer_tax_id" :
					   "seller_tax_id";

		/* an unchecked ID counts only inside its party's block */
		if (assigned[i] || ids[i].repaired == 2)
			continue;
		if (!strcmp(role, "buyer_tax_id") &&
		    folio_cands_find(out, "buyer_tax_id", FOLIO_SRC_NONE))
			break;
		{
			const struct folio_cand *s =
				folio_cands_find(out, "seller_tax_id", FOLIO_SRC_NONE);

			if (s && !strcmp(s->value, ids[i].id))
				continue;
		}
		if (lay_emit(&cx, role, ids[i].id, NULL, lay_taxid_conf(&ids[i], 0.6f),
			     &cx.pm[ids[i].page], ids[i].a, ids[i].b))
			goto oom;
	}
	ret = FOLIO_OK;
	goto done;
oom:
	folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
done:
	free(assigned);
	free(ids);
	for (i = 0; i < cx.npm; i++)
		page_free(&cx.pm[i]);
	free(cx.pm);
	free(cx.m);
	return ret;
}
