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
 * and reconciling the totals is extract.c's job.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/strbuf.h"
#include "folio/util.h"

#define MAX_LABEL_TOKS 6
#define KEY_MAX 48
#define MAX_COLS 16            /* columns of a table */

/* what a field's value looks like */
enum vkind {
	V_NONE, V_NUMBER, V_DATE, V_AMOUNT, V_IBAN, V_PARTY, V_ROW, V_COL, V_MARKER, V_PNAME,
	V_BD, V_LI,
};

enum col {
	C_NONE = 0, C_RATE = 1, C_NET = 2, C_VAT = 4, C_GROSS = 8, C_DESC = 16, C_QTY = 32,
	C_PRICE = 64, C_UNIT = 128,
};

static const struct {
	const char *field;
	enum vkind kind;
	int col;
} field_kinds[] = {
	{ "invoice_number", V_NUMBER, 0 }, { "order_reference", V_NUMBER, 0 },
	{ "issue_date", V_DATE, 0 }, { "supply_date", V_DATE, 0 }, { "due_date", V_DATE, 0 },
	{ "net_total", V_AMOUNT, 0 }, { "vat_total", V_AMOUNT, 0 },
	{ "gross_total", V_AMOUNT, 0 }, { "amount_due", V_AMOUNT, 0 },
	{ "iban", V_IBAN, 0 }, { "seller", V_PARTY, 0 }, { "buyer", V_PARTY, 0 },
	{ "total_row", V_ROW, 0 }, { "credit_marker", V_MARKER, 0 },
	{ "party_name", V_PNAME, 0 },
	{ "bd_rate", V_BD, C_RATE }, { "bd_net", V_BD, C_NET }, { "bd_vat", V_BD, C_VAT },
	{ "li_desc", V_LI, C_DESC }, { "li_qty", V_LI, C_QTY }, { "li_price", V_LI, C_PRICE },
	{ "li_net", V_LI, C_NET },
	{ "col_rate", V_COL, C_RATE }, { "col_net", V_COL, C_NET }, { "col_vat", V_COL, C_VAT },
	{ "col_gross", V_COL, C_GROSS }, { "col_desc", V_COL, C_DESC },
	{ "col_qty", V_COL, C_QTY }, { "col_price", V_COL, C_PRICE },
	{ "col_unit", V_COL, C_UNIT },
};

struct label {
	const char *field;     /* static, from field_kinds */
	enum vkind kind;
	int col;
	char lang[4];
	int ntok;
	int head;              /* "^label": only where it starts its cell */
	char tok[MAX_LABEL_TOKS][KEY_MAX];
};

struct folio_lexicon {
	struct label *v;
	size_t n;
};

/* ---- keys --------------------------------------------------------------- */

/* Folded alphanumerics of `s` ("Nº" → "n", "wystawienia:" → "wystawienia"). */
static void make_key(const char *s, char *key, size_t n)
{
	char f[256];   /* a key is KEY_MAX bytes: the word's start is enough */
	size_t i, j = 0;

	/* on the stack: no word loses its key for want of memory */
	folio_fold_key_to(s, f, sizeof(f));
	for (i = 0; f[i] && j + 1 < n; i++)
		if (isalnum((unsigned char)f[i]))
			key[j++] = f[i];
	key[j] = '\0';
}

/* ---- lexicon ------------------------------------------------------------ */

struct lex_load {
	struct folio_lexicon *lx;
	const char *path;
	size_t alloc;
};

static int lex_line(void *arg, char *line, int lineno, struct folio_err *err)
{
	struct lex_load *ld = arg;
	char *field, *lang, *text, *save = NULL, *w;
	struct label lb;
	size_t i;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 0;
	field = line;
	if (!(lang = strchr(field, '\t')) || !(text = strchr(lang + 1, '\t')))
		goto bad;
	*lang++ = '\0';
	*text++ = '\0';
	memset(&lb, 0, sizeof(lb));
	for (i = 0; i < sizeof(field_kinds) / sizeof(field_kinds[0]); i++)
		if (!strcmp(field_kinds[i].field, field))
			break;
	if (i == sizeof(field_kinds) / sizeof(field_kinds[0])) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s:%d: unknown field '%s'", ld->path,
			      lineno, field);
		return -1;
	}
	lb.field = field_kinds[i].field;
	lb.kind = field_kinds[i].kind;
	lb.col = field_kinds[i].col;
	snprintf(lb.lang, sizeof(lb.lang), "%s", lang);
	if (*text == '^') {
		lb.head = 1;
		text++;
	}
	for (w = strtok_r(text, " /", &save); w; w = strtok_r(NULL, " /", &save)) {
		char key[KEY_MAX];

		make_key(w, key, sizeof(key));
		if (!*key)
			continue;
		if (lb.ntok == MAX_LABEL_TOKS) {
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				      "%s:%d: a label has at most %d words", ld->path, lineno,
				      MAX_LABEL_TOKS);
			return -1;
		}
		memcpy(lb.tok[lb.ntok++], key, sizeof(key));
	}
	if (!lb.ntok)
		goto bad;
	if (ld->lx->n == ld->alloc) {
		size_t na = ld->alloc ? ld->alloc * 2 : 256;
		struct label *nv = realloc(ld->lx->v, na * sizeof(*nv));

		if (!nv) {
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
			return -1;
		}
		ld->lx->v = nv;
		ld->alloc = na;
	}
	ld->lx->v[ld->lx->n++] = lb;
	return 0;
bad:
	folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
		      "%s:%d: expected FIELD<tab>LANG<tab>LABEL", ld->path, lineno);
	return -1;
}

struct folio_lexicon *folio_lexicon_load(const char *path, struct folio_err *err)
{
	struct lex_load ld = { 0 };

	if (!(ld.lx = calloc(1, sizeof(*ld.lx)))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 12, "out of memory");
		return NULL;
	}
	ld.path = path;
	if (folio_each_line(path, "label lexicon", lex_line, &ld, err) != FOLIO_OK)
		goto fail;
	if (!ld.lx->n) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s: no labels", path);
		goto fail;
	}
	return ld.lx;
fail:
	folio_lexicon_free(ld.lx);
	return NULL;
}

void folio_lexicon_free(struct folio_lexicon *lx)
{
	if (!lx)
		return;
	free(lx->v);
	free(lx);
}

/* ---- page model --------------------------------------------------------- */

struct tok {
	char *text;
	char key[KEY_MAX];
	int x, y, w, h;
	float conf;
	int line, cell;
	int used;              /* part of a matched label */
};

struct cell {
	size_t a, b;           /* tokens [a, b) */
	int x0, x1, y0, y1;
	int line;
};

struct vline {
	size_t ca, cb;         /* cells [ca, cb) */
	int y0, y1;
};

struct pagem {
	const struct folio_page *pg;
	struct tok *t;
	size_t nt, ta;
	struct cell *c;
	size_t nc, ca;
	struct vline *l;
	size_t nl, la;
};

struct match {
	const struct label *lb;
	size_t page;
	size_t cell;
	size_t a, b;           /* tokens of the label */
};

struct ctx {
	const struct folio_lexicon *lx;
	const struct folio_doc *doc;
	struct folio_cands *out;
	struct pagem *pm;
	size_t npm;
	struct match *m;
	size_t nm, ma;
	int dec;               /* ',' or '.' */
	char country[3];       /* from the language of the labels */
	int oom;
	/* the item tables' nets summed per VAT rate (rated_vat() checks a
	 * summary's nets by them) */
	struct {
		double rate;
		long long net;
	} lrate[8];
	int nlrate, lrate_bad;
	const struct cell *recipient;  /* a letter's, by letter_parties() */
};

static int grow(void **v, size_t *alloc, size_t n, size_t size)
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

	if (grow((void **)&pm->t, &pm->ta, pm->nt, sizeof(*t)))
		return -1;
	t = &pm->t[pm->nt];
	memset(t, 0, sizeof(*t));
	if (!(t->text = strndup(text, len)))
		return -1;
	make_key(t->text, t->key, sizeof(t->key));
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
		const char *s = wd->text, *colon = strchr(s, ':'), *slash = *s ? word_slash(s) : NULL;
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
		if (grow((void **)&pm->l, &pm->la, pm->nl, sizeof(*vl)))
			return -1;
		vl = &pm->l[pm->nl];
		vl->ca = pm->nc;
		vl->y0 = pm->t[i].y;
		vl->y1 = pm->t[i].y + pm->t[i].h;
		for (size_t k = i; k < j; k++) {
			struct tok *t = &pm->t[k];
			struct cell *c = pm->nc > vl->ca ? &pm->c[pm->nc - 1] : NULL;

			if (!c || t->x - c->x1 > gap) {
				if (grow((void **)&pm->c, &pm->ca, pm->nc, sizeof(*c)))
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
static size_t label_at(const struct pagem *pm, const struct cell *c, size_t i,
		       const struct label *lb)
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

	if (grow((void **)&cx->m, &cx->ma, cx->nm, sizeof(*m)))
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
					size_t e = label_at(pm, cl, i, lb);
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
						   lb->kind == V_AMOUNT && best_f->kind == V_AMOUNT &&
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

/* A span of tokens to read a value from. */
struct span {
	const struct pagem *pm;
	size_t a, b;
	float conf;            /* position confidence */
};

static const char *skip_punct(const char *s)
{
	while (*s && (*s == ':' || *s == ' ' || *s == '#' || *s == '-' || *s == '|' || *s == '.' ||
		      *s == '=' || *s == ')' || *s == '('))
		s++;
	return s;
}

/* The text of tokens [a, b) joined by spaces. */
static char *span_text(const struct pagem *pm, size_t a, size_t b, size_t *offs, size_t noffs)
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

static float span_ocr_conf(const struct pagem *pm, size_t a, size_t b)
{
	float s = 0;
	size_t i;

	if (b <= a)
		return 1.0f;
	for (i = a; i < b; i++)
		s += pm->t[i].conf;
	return s / (float)(b - a);
}

static int emit(struct ctx *cx, const char *name, const char *value, const char *raw, float conf,
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
		float oc = span_ocr_conf(pm, a, b);

		conf *= 0.6f + 0.4f * oc;
	}
	if (folio_cands_add(cx->out, name, value, raw, conf, src, pm->pg->number, bbox)) {
		cx->oom = 1;
		return -1;
	}
	return 0;
}

/* Token index of byte offset `off` in a span text built with `offs`. */
static size_t tok_of(const size_t *offs, size_t n, size_t off)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (offs[i] > off)
			return i - 1;
	return n ? n - 1 : 0;
}

#define SPAN_MAX 12

static int read_date(struct ctx *cx, const char *name, const struct span *sp)
{
	size_t offs[SPAN_MAX], n = sp->b - sp->a, used, start;
	char *text, out[11];
	const char *s;
	int ret = 0;

	if (n > SPAN_MAX)
		n = SPAN_MAX;
	if (!n || !(text = span_text(sp->pm, sp->a, sp->a + n, offs, n)))
		return 0;
	s = skip_punct(text);
	/* "z dnia", "del", "vom": a short word before the date */
	if (!folio_date_parse(s, cx->dec == '.' && !strcmp(cx->country, "US") ? FOLIO_MDY : FOLIO_DMY,
			      out)) {
		const char *sp2 = strchr(s, ' ');

		if (sp2 && sp2 - s <= 5)
			s = skip_punct(sp2);
	}
	start = (size_t)(s - text);
	used = folio_date_parse(s, FOLIO_DMY, out);
	if (used && start <= 12) {
		size_t t0 = tok_of(offs, n, start), t1 = tok_of(offs, n, start + used - 1) + 1;
		char *raw = strndup(s, used);

		ret = emit(cx, name, out, raw, sp->conf, sp->pm, sp->a + t0, sp->a + t1) ? -1 : 1;
		free(raw);
	}
	free(text);
	return ret;
}

static const char *currency_of(const char *key)
{
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
	size_t i;

	for (i = 0; i < sizeof(cur) / sizeof(cur[0]); i++)
		if (!strcmp(key, cur[i].k))
			return cur[i].code;
	return NULL;
}

static int taxid_word(const char *key)
{
	static const char *const w[] = { "reg", "no", "nr", "number", "id", "registration",
					 "nif", "nip", "cif", "idnr", "nummer" };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/* Skip what may stand before an amount: punctuation (not a minus or an
 * opening parenthesis, which make it negative) and currency signs. */
static const char *amount_start(const char *s)
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
			 isupper((unsigned char)s[2]) && (s[3] == ' ' || isdigit((unsigned char)s[3])))
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
	if (!n || !(text = span_text(sp->pm, sp->a, sp->a + n, offs, n)))
		return 0;
	for (k = 0; k < n && skipped <= 4; k++) {
		const char *s = amount_start(text + offs[k]), *after;
		size_t used, start = (size_t)(s - text);

		if ((k + 1 < n && start >= offs[k + 1]) || !(used = folio_amount_parse(s, cx->dec, &am))) {
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
		if (am.scale == 0 && isalpha((unsigned char)*after) &&
		    strcspn(after, " :") > 3)
			break;
		{
			size_t t0 = tok_of(offs, n, start), t1 = tok_of(offs, n, start + used - 1) + 1;
			char *raw = strndup(s, used);

			folio_amount_format(&am, buf, sizeof(buf));
			ret = emit(cx, name, buf, raw, sp->conf, sp->pm, sp->a + t0, sp->a + t1) ? -1
												  : 1;
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

static int has_digit(const char *s)
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
	static const char *const w[] = { "nr", "no", "n", "num", "numero", "nummer", "number",
					 "vat", "nro" };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

static int strong_taxid_label(const char *key);

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
	if (strong_taxid_label(pm->t[i].key))
		return 0;
	a = i;
	buf[0] = '\0';
	if (is_series(pm->t[i].text) && i + 1 < sp->b && has_digit(pm->t[i + 1].text)) {
		snprintf(buf, sizeof(buf), "%s %s", pm->t[i].text, pm->t[i + 1].text);
		i += 2;
	} else {
		snprintf(buf, sizeof(buf), "%s", pm->t[i].text);
		i++;
	}
	/* "018304 / 28865": a number in two parts around a spaced slash */
	if (i + 1 < sp->b && !strcmp(pm->t[i].text, "/") && has_digit(pm->t[i + 1].text) &&
	    has_digit(buf) && strlen(buf) + strlen(pm->t[i + 1].text) + 4 < sizeof(buf)) {
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
	if (!has_digit(buf))
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
	return emit(cx, name, buf, NULL, sp->conf, pm, a, i) ? -1 : 1;
}

/* IBAN: letters and digits of the following tokens, checked at every
 * plausible length (15..34). */
static int read_iban(struct ctx *cx, const struct span *sp, float conf)
{
	const struct pagem *pm = sp->pm;
	char buf[64], out[40];
	size_t i, j, n = 0, endtok[64];

	for (i = sp->a; i < sp->b && n < 40; i++) {
		const char *s = pm->t[i].text;

		if (!pm->t[i].key[0] || !strcmp(pm->t[i].key, "iban"))
			continue;
		for (; *s && n < 40; s++)
			if (isalnum((unsigned char)*s)) {
				endtok[n] = i + 1;
				buf[n++] = (char)toupper((unsigned char)*s);
			}
	}
	buf[n] = '\0';
	if (n < 15 || !isalpha((unsigned char)buf[0]) || !isalpha((unsigned char)buf[1]))
		return 0;
	for (j = n; j >= 15; j--) {
		char save = buf[j];
		int ok;

		buf[j] = '\0';
		ok = folio_iban_check(buf, out);
		if (ok != 1 && folio_iban_repair(buf, out) == 1)
			ok = 2;
		buf[j] = save;
		if (ok >= 1) {
			size_t first = sp->a;

			while (first < sp->b && (!pm->t[first].key[0] ||
						 !strcmp(pm->t[first].key, "iban")))
				first++;
			return emit(cx, "iban", out, NULL, ok == 2 ? conf * 0.7f : conf, pm, first,
				    endtok[j - 1]) ? -1 : 1;
		}
	}
	return 0;
}

/*
 * The account after an IBAN label whose check digits fail or whose shape is
 * no IBAN's (a sample's "DK1212341234123412", a Polish NRB without its
 * country): what the page says, as a weak candidate for review. Text layer
 * only (on a scan a failed check is more likely a misread); the value's
 * groups of letters and digits up to the end of its cell, 8 to 34 long with
 * at least 6 digits.
 */
static int read_account(struct ctx *cx, const struct span *sp, float conf)
{
	const struct pagem *pm = sp->pm;
	char buf[40];
	size_t i, n = 0, digits = 0, first = sp->b, last = sp->a;
	int ocr = pm->pg->source == FOLIO_SRC_OCR;

	for (i = sp->a; i < sp->b; i++) {
		const char *s = pm->t[i].text;

		if (!strcmp(pm->t[i].key, "iban") && n == 0)
			continue;
		if (!pm->t[i].key[0])
			break;
		for (; *s; s++) {
			if (!isalnum((unsigned char)*s) && !strchr("-. ", *s))
				return 0;
			if (isalnum((unsigned char)*s)) {
				if (n + 1 >= sizeof(buf))
					return 0;
				digits += isdigit((unsigned char)*s) != 0;
				buf[n++] = (char)toupper((unsigned char)*s);
			}
		}
		if (first == sp->b)
			first = i;
		last = i + 1;
	}
	buf[n] = '\0';
	if (n < 8 || digits < 6)
		return 0;
	/* a domestic account number (Polish NRB) is the IBAN without its
	 * country: with the labels' country it may check */
	if (digits == n && cx->country[0] && n + 3 < sizeof(buf)) {
		char iban[48], out[40];

		snprintf(iban, sizeof(iban), "%.2s%s", cx->country, buf);
		if (folio_iban_check(iban, out) == 1)
			return emit(cx, "iban", out, NULL, conf * 0.9f, pm, first, last) ? -1 : 1;
	}
	/* from a scan, an account that does not check may be misread: only
	 * IBAN-shaped and read with confidence, and weaker still */
	if (ocr && (n < 15 || !isalpha((unsigned char)buf[0]) || !isalpha((unsigned char)buf[1]) ||
		    !isdigit((unsigned char)buf[2]) || !isdigit((unsigned char)buf[3]) ||
		    span_ocr_conf(pm, first, last) < 0.85f))
		return 0;
	return emit(cx, "iban", buf, NULL, conf * (ocr ? 0.3f : 0.4f), pm, first, last) ? -1 : 1;
}

/* ---- tax IDs ------------------------------------------------------------ */

struct taxid {
	char id[32];
	size_t page, a, b;
	int repaired;
	int labelled;          /* near NIP/VAT/CIF... */
};

static int taxid_label(const char *key)
{
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid",
		"uid", "vatno", "vatnumber", "nipue", "contribuinte", "cf", "codicefiscale",
		"steuernummer", "tva", "siret", "regon", "taxid", "nr", "dni", "nie", "vatreg",
		"ustidnr", "no", "n", "number", "reg", "id", "umsatzsteuerid", "fiscale", "vatid",
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/* Try token runs starting at `i` as a tax ID (up to 4 tokens: "526 000 12
 * 46", "PL 5260001246"). Returns the number of tokens used, 0 if none. */
static size_t taxid_at(const struct ctx *cx, const struct pagem *pm, size_t i, size_t end,
		       struct taxid *out)
{
	char buf[64];
	size_t k, n = 0, best = 0;

	for (k = i; k < end && k < i + 4; k++) {
		const char *s = pm->t[k].text;
		size_t l = strlen(s);

		if (!pm->t[k].key[0] || n + l + 1 >= sizeof(buf))
			break;
		memcpy(buf + n, s, l);
		n += l;
		buf[n] = '\0';
		while (n && strchr(",;.)", buf[n - 1]))
			buf[--n] = '\0';
		if (n >= 8 && has_digit(buf)) {
			char id[32];
			const char *kind;

			if (folio_taxid_check(buf, cx->country[0] ? cx->country : NULL, id,
					      &kind) == 1) {
				memcpy(out->id, id, sizeof(id));
				out->repaired = 0;
				best = k - i + 1;
			} else if (!best && n >= 9 &&
				   folio_taxid_repair(buf, cx->country[0] ? cx->country : NULL,
						      id) == 1) {
				memcpy(out->id, id, sizeof(id));
				out->repaired = 1;
				best = k - i + 1;
			}
		}
	}
	return best;
}

/* ---- the passes ---------------------------------------------------------- */

static const struct cell *cell_below(const struct pagem *pm, const struct cell *c, int maxlines)
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
static int right_span(const struct pagem *pm, const struct match *m, struct span *sp)
{
	const struct cell *c = &pm->c[m->cell];
	size_t b = m->b;

	while (b < c->b && !pm->t[b].key[0] && !has_digit(pm->t[b].text))
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
	if (!(t = span_text(pm, sp->a, sp->b, NULL, 0)))
		return -1;
	n = strlen(t);
	if (n >= 2 && n <= 30 && !strchr(t, ':') && (has_digit(t) || strpbrk(t, "-/_")) &&
	    isalnum((unsigned char)t[0]) && isalnum((unsigned char)t[n - 1]))
		r = emit(cx, m->lb->field, t, NULL, sp->conf * 0.8f, pm, sp->a, sp->b) ? -1 : 1;
	free(t);
	return r;
}

static int read_kind(struct ctx *cx, const struct match *m, const struct span *sp)
{
	switch (m->lb->kind) {
	case V_DATE:
		return read_date(cx, m->lb->field, sp);
	case V_AMOUNT:
		return read_amount(cx, m->lb->field, sp);
	case V_NUMBER: {
		int r = read_number(cx, m->lb->field, sp);

		return r ? r : read_word_number(cx, m, sp);
	}
	case V_IBAN: {
		int r = read_iban(cx, sp, sp->conf);

		return r ? r : read_account(cx, sp, sp->conf);
	}
	default:
		return 0;
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
		while (b < c->b && !pm->t[b].key[0] && !has_digit(pm->t[b].text)) {
			/* "IVA (%): 22.00", "Aliquota IVA (%)": a rate, not an amount */
			if (m->lb->kind == V_AMOUNT && strchr(pm->t[b].text, '%'))
				break;
			b++;
		}
		if (m->lb->kind == V_AMOUNT && b < c->b && strchr(pm->t[b].text, '%') &&
		    !has_digit(pm->t[b].text))
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
			for (k = b; k < c->b && k < b + 12 && !taxid_label(pm->t[k].key); k++)
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
		    (below = cell_below(pm, c, 2))) {
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

/* ---- party addresses ------------------------------------------------------ */

/*
 * A party's block is its name and the lines under it in its column: street
 * lines, a postcode line, perhaps a country, then the tax ID, phone, mail.
 * The postcode line's shape ends the address; the lines above it that look
 * like streets (a house number, "ul.", "Calle", "-straße", "Road", ...)
 * start it. Written as einvoice.c writes an e-invoice's address: the lines
 * joined with ", " ("ul. Piotrkowska 212, 90-001 Łódź"), the country apart.
 */

static int in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(key, *list))
			return 1;
	return 0;
}

/* Words of street names (folded keys), and endings of German ones. */
static int street_word(const char *key)
{
	static const char *const w[] = {
		"ul", "al", "pl", "os", "aleja", "aleje", "plac", "osiedle", "rynek", "calle",
		"c", "avda", "avenida", "av", "paseo", "plaza", "carretera", "poligono", "ronda",
		"camino", "travesia", "rua", "estrada", "largo", "praca", "travessa", "cais",
		"zona", "lote", "via", "viale", "piazza", "piazzale", "corso", "strada",
		"lungomare", "localita", "vicolo", "contrada", "str", "strasse", "strase", "weg",
		"platz", "allee", "gasse", "damm", "ufer", "markt", "rue", "bd", "boulevard",
		"chemin", "impasse", "place", "cours", "quai", "route", "street", "road", "rd",
		"lane", "way", "house", "unit", "court", "drive", "square", "promenade", "quay",
		"parade", "terrace", "crescent", "km", NULL,
	};
	static const char *const end[] = { "strasse", "strase", "str", "weg", "platz", "allee",
					   "gasse", "damm", "ufer", "markt", NULL };
	size_t n = strlen(key), k;

	if (in_list(key, w))
		return 1;
	for (k = 0; end[k]; k++) {
		size_t e = strlen(end[k]);

		if (n > e + 2 && !strcmp(key + n - e, end[k]))
			return 1;
	}
	return 0;
}

/* Whether bytes [0, n) of `s` hold a street word. */
static int has_street_word(const char *s, size_t n)
{
	char word[64], key[KEY_MAX];
	size_t i = 0, j;

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j > i && j - i < sizeof(word)) {
			memcpy(word, s + i, j - i);
			word[j - i] = '\0';
			make_key(word, key, sizeof(key));
			if (*key && street_word(key))
				return 1;
		}
		i = j;
	}
	return 0;
}

enum pcode { PC_NONE, PC_PL, PC_PT, PC_5, PC_GB, PC_IE };

struct postcode {
	enum pcode kind;
	size_t at, end;        /* its bytes in the line */
};

static int all_digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The first letter of a city: ASCII or the lead byte of a Latin letter. */
static int city_start(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return isalpha(c) || (c >= 0xc3 && c <= 0xc5);
}

/* "90-001 Łódź", "4450-208 Matosinhos", "50667 Köln", "D-50667 Köln",
 * also after a street on the same line ("ul. Kwiatowa 3, 05-500 ..."). */
static int lead_postcode(const char *s, struct postcode *pc)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		const char *p = s + i;
		size_t at = i, n, k2;
		enum pcode k;

		if (!isdigit((unsigned char)*p) ||
		    (i && s[i - 1] != ' ' && s[i - 1] != ',' && s[i - 1] != '-'))
			continue;
		if (i && s[i - 1] == '-') {
			/* a country's letters before it: "D-", "PL-" */
			size_t j = i - 1;

			while (j && isupper((unsigned char)s[j - 1]))
				j--;
			if (i - 1 - j > 2 || (j && s[j - 1] != ' '))
				continue;
			/* no letters: an OCR speck ("-3800-246 Aveiro") */
			at = i - 1 == j ? i : j;
		}
		if (all_digits(p, 2) && p[2] == '-' && all_digits(p + 3, 3) &&
		    !isdigit((unsigned char)p[6])) {
			k = PC_PL;
			n = 6;
		} else if (all_digits(p, 4) && p[4] == '-' && all_digits(p + 5, 3) &&
			   !isdigit((unsigned char)p[8])) {
			k = PC_PT;
			n = 8;
		} else if (all_digits(p, 5) && !isdigit((unsigned char)p[5])) {
			k = PC_5;
			n = 5;
		} else {
			continue;
		}
		if (p[n] != ' ' || !city_start(p + n + 1))
			continue;
		/* after a street ("ul. Kwiatowa 3, 05-500"), not after any word
		 * ("Razem 12345 Zapłacono") */
		for (k2 = 0; k2 < at && !isalnum((unsigned char)s[k2]); k2++)
			;
		if (k2 < at && !(at >= 2 && s[at - 2] == ',') && s[at - 1] != ',' &&
		    !has_street_word(s, at))
			continue;
		pc->kind = k;
		pc->at = at;
		pc->end = i + n;
		return 1;
	}
	return 0;
}

static int upper_or_digit(int c)
{
	return isupper(c) || isdigit(c);
}

/* A British outward code: A9, A99, A9A, AA9, AA99, AA9A. */
static int gb_outward(const char *w, size_t n)
{
	size_t i = 0;

	while (i < n && i < 2 && isupper((unsigned char)w[i]))
		i++;
	if (!i || i >= n || !isdigit((unsigned char)w[i]))
		return 0;
	i++;
	if (i < n && upper_or_digit((unsigned char)w[i]))
		i++;
	return i == n;
}

/* "York YO1 7HH", "Dublin 7, D07 X2Y3": a British postcode or an Irish
 * Eircode ending the line, after the town. */
static int trail_postcode(const char *s, struct postcode *pc)
{
	size_t e2 = strlen(s), b2, e1, b1, i;
	int town = 0;

	/* specks after it: "Huddersfield HD1 6QA ©" */
	for (;;) {
		while (e2 && (s[e2 - 1] == ' ' || s[e2 - 1] == '.'))
			e2--;
		for (b2 = e2; b2 && s[b2 - 1] != ' '; b2--)
			if (isalnum((unsigned char)s[b2 - 1]))
				break;
		if (!b2 || s[b2 - 1] != ' ' || b2 == e2)
			break;
		e2 = b2 - 1;
	}
	for (b2 = e2; b2 && s[b2 - 1] != ' '; b2--)
		;
	if (b2 < 2 || s[b2 - 1] != ' ')
		return 0;
	e1 = b2 - 1;
	for (b1 = e1; b1 && s[b1 - 1] != ' '; b1--)
		;
	for (i = 0; i < b1; i++)
		town |= isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0xc3;
	if (!town || e1 == b1)
		return 0;
	if (e1 - b1 == 3 && isupper((unsigned char)s[b1]) && isdigit((unsigned char)s[b1 + 1]) &&
	    (isdigit((unsigned char)s[b1 + 2]) || s[b1 + 2] == 'W') && e2 - b2 == 4 &&
	    upper_or_digit((unsigned char)s[b2]) && upper_or_digit((unsigned char)s[b2 + 1]) &&
	    upper_or_digit((unsigned char)s[b2 + 2]) && upper_or_digit((unsigned char)s[b2 + 3]))
		pc->kind = PC_IE;
	else if (gb_outward(s + b1, e1 - b1) && e2 - b2 == 3 && isdigit((unsigned char)s[b2]) &&
		 isupper((unsigned char)s[b2 + 1]) && isupper((unsigned char)s[b2 + 2]))
		pc->kind = PC_GB;
	else
		return 0;
	pc->at = b1;
	pc->end = e2;
	return 1;
}

static int find_postcode(const char *s, struct postcode *pc)
{
	memset(pc, 0, sizeof(*pc));
	return lead_postcode(s, pc) || trail_postcode(s, pc);
}

/* A postcode line that also holds the street ("Calle Mayor 12, 28013 Madrid",
 * "12 High Street, Bath BA1 1AA"). */
static int street_in_line(const char *s, const struct postcode *pc)
{
	const char *comma;
	size_t i;

	if (pc->kind != PC_GB && pc->kind != PC_IE) {
		for (i = 0; i < pc->at; i++)
			if (isalnum((unsigned char)s[i]))
				return 1;
		return 0;
	}
	/* before the town: "Dublin 7, D07 X2Y3" is a town and its district */
	comma = memchr(s, ',', pc->at);
	return comma && (isdigit((unsigned char)s[0]) || has_street_word(s, (size_t)(comma - s)));
}

/* ISO code of a country's name in the languages folio reads, else NULL. */
static const char *country_name(const char *key)
{
	static const struct { const char *k, *cc; } c[] = {
		{ "polska", "PL" }, { "poland", "PL" }, { "polen", "PL" }, { "pologne", "PL" },
		{ "polonia", "PL" }, { "espana", "ES" }, { "spain", "ES" }, { "spanien", "ES" },
		{ "espagne", "ES" }, { "hiszpania", "ES" }, { "spagna", "ES" }, { "espanha", "ES" },
		{ "portugal", "PT" }, { "portugalia", "PT" }, { "portogallo", "PT" },
		{ "italia", "IT" }, { "italy", "IT" }, { "italien", "IT" }, { "italie", "IT" },
		{ "wlochy", "IT" }, { "deutschland", "DE" }, { "germany", "DE" }, { "niemcy", "DE" },
		{ "allemagne", "DE" }, { "alemania", "DE" }, { "germania", "DE" },
		{ "alemanha", "DE" }, { "france", "FR" }, { "frankreich", "FR" }, { "francja", "FR" },
		{ "francia", "FR" }, { "franca", "FR" }, { "unitedkingdom", "GB" }, { "uk", "GB" },
		{ "greatbritain", "GB" }, { "ireland", "IE" }, { "eire", "IE" }, { "irlanda", "IE" },
		{ "irland", "IE" }, { "irlande", "IE" }, { "irlandia", "IE" },
		{ "osterreich", "AT" }, { "austria", "AT" }, { "autriche", "AT" },
		{ "nederland", "NL" }, { "netherlands", "NL" }, { "niederlande", "NL" },
		{ "belgique", "BE" }, { "belgie", "BE" }, { "belgium", "BE" }, { "belgien", "BE" },
		{ "schweiz", "CH" }, { "suisse", "CH" }, { "switzerland", "CH" },
		{ "svizzera", "CH" }, { "czechy", "CZ" }, { "czechia", "CZ" },
		{ "tschechien", "CZ" }, { "ceskarepublika", "CZ" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(key, c[i].k))
			return c[i].cc;
	return NULL;
}

/* A line that ends a party's address before any postcode: tax ID, phone,
 * mail, bank, or another label. */
static int stop_cell(const struct pagem *pm, const struct cell *c)
{
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid", "uid",
		"contribuinte", "cf", "tva", "siret", "siren", "regon", "krs", "tel", "telefon",
		"phone", "fax", "email", "mail", "www", "iban", "steuernummer", "stnr", "pesel",
		"dni", "codicefiscale", "bdo", "konto", "bank", NULL,
	};
	size_t i, k = 0;

	for (i = c->a; i < c->b; i++) {
		if (pm->t[i].used)
			return 1;
		if (!pm->t[i].key[0])
			continue;
		if (in_list(pm->t[i].key, w))
			return 1;
		/* "P. IVA", "N° TVA": a short word first */
		if (++k == 2 || strlen(pm->t[i].key) > 2)
			break;
	}
	return 0;
}

#define BLOCK_MAX 7

/*
 * The lines under `top` in its column, one run of cells a line: the cells
 * that overlap `top` horizontally (OCR splits a monospaced receipt's line
 * into several), kept when the run is aligned with `top` (left, right or
 * centred), until a blank gap. Lines of punctuation only (specks) are
 * passed over. The runs are written to `out` as cells.
 */
static size_t block_cells(const struct pagem *pm, const struct cell *top, struct cell *out)
{
	int last = top->y1;
	size_t l, k, n = 0;

	for (l = (size_t)top->line + 1; l < pm->nl && n < BLOCK_MAX &&
	     l <= (size_t)top->line + BLOCK_MAX + 3; l++) {
		struct cell run;
		int h, dl, dr, dc, dm, keyed = 0;
		size_t i;

		memset(&run, 0, sizeof(run));
		for (k = pm->l[l].ca; k < pm->l[l].cb; k++) {
			const struct cell *d = &pm->c[k];

			if (d->x1 <= top->x0 || d->x0 >= top->x1) {
				if (run.b)
					break;
				continue;
			}
			if (!run.b) {
				run = *d;
				continue;
			}
			run.b = d->b;
			run.x1 = d->x1;
			run.y0 = d->y0 < run.y0 ? d->y0 : run.y0;
			run.y1 = d->y1 > run.y1 ? d->y1 : run.y1;
		}
		if (!run.b)
			continue;
		for (i = run.a; i < run.b; i++)
			keyed |= pm->t[i].key[0] != '\0';
		if (!keyed)
			continue;
		h = run.y1 - run.y0;
		dl = abs(run.x0 - top->x0);
		dr = abs(run.x1 - top->x1);
		dc = abs(run.x0 + run.x1 - top->x0 - top->x1) / 2;
		dm = dl < dr ? dl : dr;
		if ((dc < dm ? dc : dm) > h)
			continue;
		if (run.y0 - last > 2 * h)
			break;
		out[n++] = run;
		last = run.y1;
	}
	return n;
}

struct address {
	char *text;            /* "street, postcode city" (caller frees) */
	char country[3];       /* printed, else implied, else "" */
	int printed;           /* the country is printed */
	int bbox[4];
	float ocr;             /* mean word confidence */
};

/* OCR specks around a line: "‘Lungomare ...", ". Rua ...", "... 9 :", "301." */
static void trim_line(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && strchr(" ,;:.|_'`", s[n - 1]))
		s[--n] = '\0';
	for (;;) {
		if (i < n && strchr(" ,;:.|_'`-*", s[i]))
			i++;
		else if (i + 2 < n && !memcmp(s + i, "\xe2\x80", 2) &&
			 ((unsigned char)s[i + 2] >= 0x98 && (unsigned char)s[i + 2] <= 0x9e))
			i += 3;        /* quotes */
		else
			break;
	}
	memmove(s, s + i, n - i + 1);
}

static void bbox_add(int bb[4], const struct cell *c, int first)
{
	int x1 = bb[0] + bb[2], y1 = bb[1] + bb[3];

	if (first) {
		bb[0] = c->x0;
		bb[1] = c->y0;
		x1 = c->x1;
		y1 = c->y1;
	}
	if (c->x0 < bb[0])
		bb[0] = c->x0;
	if (c->y0 < bb[1])
		bb[1] = c->y0;
	if (c->x1 > x1)
		x1 = c->x1;
	if (c->y1 > y1)
		y1 = c->y1;
	bb[2] = x1 - bb[0];
	bb[3] = y1 - bb[1];
}

/*
 * The address in the block under `top` (a party's name or label) on page
 * `page`. Its country when printed (last line, or after the postcode line's
 * last comma), else implied by a postcode format only a tax ID in the same
 * block confirms (dd-ddd and a PL NIP; ddddd and an ES, IT, DE or FR ID).
 * Returns 1 and fills `ad`, 0 when the block has no postcode line, -1 on
 * ENOMEM.
 */
static int read_address(const struct ctx *cx, size_t page, const struct cell *top,
			const struct taxid *ids, size_t nids, struct address *ad)
{
	const struct pagem *pm = &cx->pm[page];
	struct cell bc[BLOCK_MAX];
	char *tx[BLOCK_MAX] = { NULL }, key[KEY_MAX];
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct postcode pc;
	size_t n = block_cells(pm, top, bc), i, p = n, j, nw = 0, nb = 0;
	const char *cc;
	float ocr = 0;
	int ret = -1;

	memset(ad, 0, sizeof(*ad));
	for (i = 0; i < n; i++)
		if (!(tx[i] = span_text(pm, bc[i].a, bc[i].b, NULL, 0)))
			goto out;
	for (i = 0; i < n && p == n; i++) {
		if (stop_cell(pm, &bc[i]))
			break;
		if (find_postcode(tx[i], &pc))
			p = i;
	}
	ret = 0;
	if (p == n)
		goto out;
	if (pc.kind == PC_GB || pc.kind == PC_IE)
		tx[p][pc.end] = '\0';
	/* a printed country */
	{
		char *comma = strrchr(tx[p] + pc.end, ',');

		if (comma) {
			make_key(comma + 1, key, sizeof(key));
			if ((cc = country_name(key))) {
				memcpy(ad->country, cc, 3);
				ad->printed = 1;
				*comma = '\0';
			}
		}
	}
	if (!ad->printed && p + 1 < n && !stop_cell(pm, &bc[p + 1])) {
		make_key(tx[p + 1], key, sizeof(key));
		if ((cc = country_name(key))) {
			memcpy(ad->country, cc, 3);
			ad->printed = 1;
			bbox_add(ad->bbox, &bc[p + 1], nb++ == 0);
		}
	}
	/* the street lines above it; the line right above stands for the street
	 * when the postcode line holds none, whatever it looks like ("The
	 * Slipway") */
	for (i = 0; i <= p; i++) {
		if (i < p && !has_digit(tx[i]) && !has_street_word(tx[i], strlen(tx[i])) &&
		    (i + 1 < p || street_in_line(tx[p], &pc)))
			continue;
		trim_line(tx[i]);
		if ((sb.len && folio_strbuf_adds(&sb, ", ")) || folio_strbuf_adds(&sb, tx[i]))
			goto nomem;
		bbox_add(ad->bbox, &bc[i], nb++ == 0);
		for (j = bc[i].a; j < bc[i].b; j++, nw++)
			ocr += pm->t[j].conf;
	}
	ad->ocr = nw ? ocr / (float)nw : 1.0f;
	/* implied by the postcode and the tax ID of the block */
	for (j = 0; j < nids && !ad->country[0]; j++) {
		const char *id = ids[j].id;

		if (ids[j].page != page)
			continue;
		for (i = 0; i < n; i++)
			if (ids[j].a >= bc[i].a && ids[j].a < bc[i].b)
				break;
		if (i == n)
			continue;
		if ((pc.kind == PC_PL && !strncmp(id, "PL", 2)) ||
		    (pc.kind == PC_PT && !strncmp(id, "PT", 2)) ||
		    (pc.kind == PC_GB && !strncmp(id, "GB", 2)) ||
		    (pc.kind == PC_IE && !strncmp(id, "IE", 2)) ||
		    (pc.kind == PC_5 && (!strncmp(id, "ES", 2) || !strncmp(id, "IT", 2) ||
					 !strncmp(id, "DE", 2) || !strncmp(id, "FR", 2))))
			memcpy(ad->country, id, 2);
		break;
	}
	if (!(ad->text = folio_strbuf_detach(&sb)))
		goto nomem;
	ret = 1;
	goto out;
nomem:
	ret = -1;
out:
	folio_strbuf_release(&sb);
	for (i = 0; i < n; i++)
		free(tx[i]);
	return ret;
}

static int emit_box(struct ctx *cx, const char *name, const char *value, float conf,
		    const struct pagem *pm, const int bbox[4], float ocr)
{
	enum folio_source src = pm->pg->source == FOLIO_SRC_OCR ? FOLIO_SRC_OCR : FOLIO_SRC_TEXT;

	if (src == FOLIO_SRC_OCR)
		conf *= 0.6f + 0.4f * ocr;
	if (folio_cands_add(cx->out, name, value, NULL, conf, src, pm->pg->number, bbox)) {
		cx->oom = 1;
		return -1;
	}
	return 0;
}

/* `role`_address and `role`_country from the block under `top`. `conf` is
 * the address's; a printed country has it too, an implied one less.
 * Returns 1 when an address was found, 0 if not, -1 on ENOMEM. */
static int party_address(struct ctx *cx, size_t page, const struct cell *top, const char *role,
			 const struct taxid *ids, size_t nids, float conf)
{
	const struct pagem *pm = &cx->pm[page];
	struct address ad;
	char field[32];
	int r = read_address(cx, page, top, ids, nids, &ad);

	if (r <= 0)
		return r;
	snprintf(field, sizeof(field), "%s_address", role);
	r = emit_box(cx, field, ad.text, conf, pm, ad.bbox, ad.ocr);
	snprintf(field, sizeof(field), "%s_country", role);
	if (!r && ad.country[0])
		r = emit_box(cx, field, ad.country, ad.printed ? conf : conf * 0.7f, pm, ad.bbox,
			     ad.ocr);
	free(ad.text);
	return r ? -1 : 1;
}

/* OCR misreadings of legal forms in a name: "Sp. z 0.o."; specks before
 * it or a colon after it ("_ The Corner Bookshop", "Vogt GmbH:"). */
static void clean_name(char *t)
{
	static const char *const bad[] = { "z 0.o.", "z o.0.", "z 0.0.", "z o,o.", "z o.o,", NULL };
	size_t n = strlen(t), i = 0;
	char *p;
	int k;

	for (k = 0; bad[k]; k++)
		while ((p = strstr(t, bad[k])))
			memcpy(p, "z o.o.", 6);
	while (n && strchr(" :;|_", t[n - 1]))
		t[--n] = '\0';
	/* OCR reads the l of a closing "ltd" as I */
	if (n >= 4 && !strcmp(t + n - 4, " Itd"))
		t[n - 3] = 'l';
	else if (n >= 5 && !strcmp(t + n - 5, " Itd."))
		t[n - 4] = 'l';
	while (i < n && strchr(" :;|_.,'`\"", t[i]))
		i++;
	memmove(t, t + i, n - i + 1);
}

/* Whether party label `m` heads its cell from its end: "Dati del cedente /
 * prestatore", "Informationen zum Käufer" - a short cell of words only,
 * the label its last words. */
static int party_heading(const struct pagem *pm, const struct match *m)
{
	const struct cell *c = &pm->c[m->cell];
	size_t i, b = c->b;

	while (b > m->b && !pm->t[b - 1].key[0])
		b--;
	if (b != m->b || c->b - c->a > 6)
		return 0;
	for (i = c->a; i < c->b; i++)
		if (has_digit(pm->t[i].text) || strchr(pm->t[i].text, ':'))
			return 0;
	return 1;
}

/* A name label is one of a label:value pair: "Nazwa:" with its colon, or
 * alone in its cell with the value in the next one - not the first words
 * of a column heading ("Nazwa towaru"). */
static int name_label(const struct pagem *pm, const struct match *n)
{
	const struct cell *c = &pm->c[n->cell];

	if (strchr(pm->t[n->b - 1].text, ':') || (n->b < c->b && !strcmp(pm->t[n->b].text, ":")))
		return 1;
	return n->b == c->b && n->cell + 1 < pm->nc && pm->c[n->cell + 1].line == c->line;
}

/* Whether cell `c` opens with a field label of the lexicon ("NIP:",
 * "Adres", "E-mail:") or a tax ID label: not a name. */
static int label_cell(const struct ctx *cx, const struct pagem *pm, const struct cell *c)
{
	size_t k;

	if (taxid_label(pm->t[c->a].key))
		return 1;
	for (k = 0; k < cx->nm; k++)
		if (cx->m[k].a == c->a && &cx->pm[cx->m[k].page] == pm &&
		    cx->m[k].lb->kind != V_COL && cx->m[k].lb->kind != V_ROW &&
		    (cx->m[k].lb->kind != V_PNAME || name_label(pm, &cx->m[k])))
			return 1;
	return strchr(pm->t[c->b - 1].text, ':') != NULL;
}

/* The first cell under a party heading that is not a label line. */
static const struct cell *name_below(const struct ctx *cx, const struct pagem *pm,
				     const struct cell *c)
{
	const struct cell *d = c;
	int i;

	for (i = 0; i < 4 && (d = cell_below(pm, d, 2)); i++) {
		if (d->x0 > c->x0 + 3 * (c->y1 - c->y0) + 40)
			return NULL;
		if (!label_cell(cx, pm, d))
			return d;
	}
	return NULL;
}

/*
 * A long name wraps: the next line starts where the name's value starts,
 * with no label ("Azienda Unita Sanitaria Locale di
 * Reg-" / "gio Emilia"). Appends up to three such lines to `t` (a hyphen at
 * the break is dropped); returns the new string (or NULL on ENOMEM, `t`
 * freed).
 */
static char *name_goes_on(const struct ctx *cx, const struct pagem *pm, size_t a, char *t)
{
	int x = pm->t[a].x;
	size_t l = (size_t)pm->t[a].line + 1, k;

	for (k = 0; k < 3 && l < pm->nl; k++, l++) {
		/* the line's first cell starts at the name's x (nothing in the
		 * labels' column); other columns may go on to its right */
		const struct cell *d = &pm->c[pm->l[l].ca];
		size_t n = strlen(t);
		char *u, *v;

		if (abs(d->x0 - x) > 3 || label_cell(cx, pm, d))
			break;
		if (!(u = span_text(pm, d->a, d->b, NULL, 0))) {
			free(t);
			return NULL;
		}
		if (!(v = malloc(n + strlen(u) + 2))) {
			free(u);
			free(t);
			return NULL;
		}
		if (n && t[n - 1] == '-' && n > 1 && isalpha((unsigned char)t[n - 2]) &&
		    islower((unsigned char)u[0]))
			snprintf(v, n + strlen(u) + 2, "%.*s%s", (int)(n - 1), t, u);
		else
			snprintf(v, n + strlen(u) + 2, "%s %s", t, u);
		free(u);
		free(t);
		t = v;
	}
	return t;
}

/*
 * A name label ("Nazwa:", "Denominazione:", "Firmenname:") in the block
 * under party heading `m`: the lines below it, in its column, up to the
 * next party heading. Emits `role`_name from the label's value and points
 * `*name` at the value's cell. Returns 1 when found, 0 if not, -1 ENOMEM.
 */
static int labelled_name(struct ctx *cx, const struct match *m, const struct cell **name)
{
	const struct pagem *pm = &cx->pm[m->page];
	const struct cell *h = &pm->c[m->cell];
	int lh = h->y1 - h->y0 > 4 ? h->y1 - h->y0 : 10;
	size_t k, best = (size_t)-1;
	char field[32];

	for (k = 0; k < cx->nm; k++) {
		const struct match *n = &cx->m[k];
		const struct cell *c = &pm->c[n->cell];

		if (n->page != m->page || c->line <= h->line || c->line > h->line + 12)
			continue;
		if (c->x0 < h->x0 - 2 * lh || c->x0 > h->x0 + 6 * lh)
			continue;
		if (n->lb->kind == V_PARTY && c->line < (best == (size_t)-1 ? h->line + 13 :
							  pm->c[cx->m[best].cell].line))
			break;
		if (n->lb->kind == V_PNAME && n->a == c->a && name_label(pm, n) &&
		    (best == (size_t)-1 || c->line < pm->c[cx->m[best].cell].line))
			best = k;
	}
	/* a party heading between the two: the label is the other party's */
	if (best != (size_t)-1)
		for (k = 0; k < cx->nm; k++) {
			const struct match *n = &cx->m[k];
			const struct cell *c = &pm->c[n->cell];

			if (n->page == m->page && n != m && n->lb->kind == V_PARTY &&
			    c->line > h->line && c->line <= pm->c[cx->m[best].cell].line &&
			    c->x0 >= h->x0 - 2 * lh && c->x0 <= h->x0 + 6 * lh &&
			    (n->a == c->a || party_heading(pm, n)))
				return 0;
		}
	if (best == (size_t)-1)
		return 0;
	{
		const struct match *n = &cx->m[best];
		struct span sp = { pm, 0, 0, 0 };
		char *t;
		int r = 0;

		if (!right_span(pm, n, &sp))
			return 0;
		if (!(t = span_text(pm, sp.a, sp.b, NULL, 0)))
			return -1;
		if (!(t = name_goes_on(cx, pm, sp.a, t)))
			return -1;
		clean_name(t);
		snprintf(field, sizeof(field), "%s_name", m->lb->field);
		if (strlen(t) >= 2) {
			r = 1;
			if (emit(cx, field, t, NULL, 0.9f, pm, sp.a, sp.b))
				r = -1;
			*name = &pm->c[pm->t[sp.a].cell];
		}
		free(t);
		return r;
	}
}

/* A tax ID's confidence: `conf` when its check digits hold, less when it
 * was repaired, much less when only its label vouches for it. */
static float taxid_conf(const struct taxid *t, float conf)
{
	return t->repaired == 2 ? conf * 0.45f : t->repaired ? conf * 2 / 3 : conf;
}

/* Whether party heading `m` has no other party heading on its line (so
 * its block is the page's width); `*last` gets the last line of its block:
 * the line before the next party heading, at most 8 lines down. */
static int party_alone(const struct ctx *cx, const struct match *m, size_t *last)
{
	const struct pagem *pm = &cx->pm[m->page];
	int line = pm->c[m->cell].line;
	size_t k;

	for (k = 0; k < cx->nm; k++) {
		const struct match *n = &cx->m[k];
		int nl;

		/* n's cell indexes its own page: look only on m's */
		if (n == m || n->page != m->page || n->lb->kind != V_PARTY)
			continue;
		nl = pm->c[n->cell].line;
		if (n->a != pm->c[n->cell].a && !party_heading(pm, n))
			continue;
		if (nl == line)
			return 0;
		if (nl > line && (size_t)nl <= *last)
			*last = (size_t)nl - 1;
	}
	return 1;
}

/* Party blocks: name right of or under "Sprzedawca:", tax ID in the block. */
static int legal_form(const struct pagem *pm, const struct cell *c);

static int parties(struct ctx *cx, struct taxid *ids, size_t nids, int *assigned)
{
	size_t i, j;

	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct pagem *pm = &cx->pm[m->page];
		const struct cell *c = &pm->c[m->cell], *name = NULL;
		const char *role = m->lb->field;
		char field[32];
		struct span sp;
		int x0, x1, r;
		size_t l, last;

		if (m->lb->kind != V_PARTY || (m->a != c->a && !party_heading(pm, m)))
			continue;
		/* "Seller GmbH", "Buyer AB": a name that starts with a heading's word */
		if (m->b < c->b && legal_form(pm, c))
			continue;
		/* "Destinatario PEC: ...": the first word of another label */
		if (!strchr(pm->t[m->b - 1].text, ':')) {
			size_t k;

			for (k = m->b; k < c->b && k < m->b + 4; k++)
				if (strchr(pm->t[k].text, ':'))
					break;
			if (k < c->b && k < m->b + 4 && pm->t[m->b].key[0] &&
			    strcmp(pm->t[m->b].text, ":"))
				continue;
		}
		snprintf(field, sizeof(field), "%s_name", role);
		memset(&sp, 0, sizeof(sp));
		if ((r = labelled_name(cx, m, &name)) < 0)
			return -1;
		if (r) {
			/* "Nazwa: Firma" under the heading: the value, not the label
			 * lines around it ("NIP: ...") */
		} else if (m->a != c->a) {
			/* a heading that ends its cell ("Dati del cedente /
			 * prestatore") with no name label under it: no name */
			name = NULL;
		} else if (right_span(pm, m, &sp) && sp.a >= c->a && sp.b <= c->b) {
			/* "Sprzedawca: Firma Sp. z o.o." on one line */
			char *t = span_text(pm, sp.a, sp.b, NULL, 0);

			if (t)
				clean_name(t);
			if (t && strlen(t) >= 3 && !has_digit(t) &&
			    emit(cx, field, t, NULL, 0.8f, pm, sp.a, sp.b)) {
				free(t);
				return -1;
			}
			free(t);
		} else if ((name = name_below(cx, pm, c))) {
			char *t = span_text(pm, name->a, name->b, NULL, 0);

			if (t)
				clean_name(t);
			if (t && strlen(t) >= 3 &&
			    emit(cx, field, t, NULL, 0.8f, pm, name->a, name->b)) {
				free(t);
				return -1;
			}
			free(t);
		}
		/* the block: up to 8 lines under the label in its column; a heading
		 * with no other party's beside it heads the page's width, down to
		 * the next party heading ("Informationen zum Verkäufer" over two
		 * columns of label: value pairs) */
		x0 = c->x0 - (c->y1 - c->y0);
		x1 = c->x0 + (c->x1 - c->x0 > 200 ? c->x1 - c->x0 : 200);
		if (name && name->x1 > x1)
			x1 = name->x1;
		last = (size_t)c->line + 8;
		if (party_alone(cx, m, &last)) {
			x0 = 0;
			x1 = 1 << 20;
		}
		snprintf(field, sizeof(field), "%s_tax_id", role);
		for (j = 0; j < nids; j++) {
			const struct tok *t;

			if (assigned[j] || ids[j].page != m->page)
				continue;
			t = &pm->t[ids[j].a];
			l = (size_t)t->line;
			if (l < (size_t)c->line || l > last)
				continue;
			if (t->x + t->w < x0 || t->x > x1 + 400)
				continue;
			/* nearest in x: a block on the right belongs to the other party */
			{
				const struct cell *tc = &pm->c[t->cell];
				int ov = (tc->x1 < x1 ? tc->x1 : x1) - (tc->x0 > x0 ? tc->x0 : x0);

				if (ov <= 0)
					continue;
			}
			assigned[j] = 1;
			if (emit(cx, field, ids[j].id, NULL, taxid_conf(&ids[j], 0.9f), pm,
				 ids[j].a, ids[j].b))
				return -1;
			break;
		}
		if (party_address(cx, m->page, name ? name : c, role, ids, nids, 0.7f) < 0)
			return -1;
	}
	return 0;
}

/* ---- letterheads ---------------------------------------------------------- */

/* Words of document titles, which head a page as a letterhead does. */
static int title_word(const char *key)
{
	static const char *const w[] = {
		"faktura", "rachunek", "paragon", "factura", "fatura", "fattura", "rechnung",
		"gutschrift", "kassenbon", "quittung", "invoice", "receipt", "facture", "avoir",
		"ticket", "nota", "documento", "proforma", "recibo", "ricevuta", "scontrino",
		"korekta", "credit", "bon", NULL,
	};

	return in_list(key, w);
}

/* Whether the cell's words end with a company's legal form ("Sp. z o.o.",
 * "S.L.", "Lda.", "GmbH & Co. KG", "Ltd") after a name. */
static int legal_form(const struct pagem *pm, const struct cell *c)
{
	static const char *const one[] = {
		"gmbh", "ltd", "limited", "plc", "llp", "sarl", "sas", "sa", "sl", "slu", "lda",
		"srl", "srls", "spa", "snc", "sapa", "ag", "kg", "ohg", "ek", "mbb", "ug", "gbr",
		"kgaa", "bv", "nv", "sc", "sro", "inc", "llc", "eurl", "sasu", "scs", "unipessoal",
		"spzoo", "spj", "spk", "cb", "scoop", "ab", "hb", "kb", "as", "asa", "aps",
		"oy", "oyj", "itd", NULL,
	};
	const char *k[4] = { "", "", "", "" };
	size_t i;
	int n = 0, form = 0;

	for (i = c->b; i > c->a && n < 4; i--)
		if (pm->t[i - 1].key[0])
			k[n++] = pm->t[i - 1].key;
	if (in_list(k[0], one))
		form = 1;
	/* "Sp. z o.o.", "Sp. j.", "Sp. k.", "S. A." */
	else if (!strcmp(k[0], "oo") && !strcmp(k[1], "z") && !strcmp(k[2], "sp"))
		form = 3;
	else if ((!strcmp(k[1], "sp") && (!strcmp(k[0], "j") || !strcmp(k[0], "k") ||
					  !strcmp(k[0], "p"))) ||
		 (!strcmp(k[1], "s") && (!strcmp(k[0], "a") || !strcmp(k[0], "l") ||
					 !strcmp(k[0], "c"))))
		form = 2;
	/* the form alone ("Lda." wrapped onto a line of its own) is no name */
	return form && n > form;
}

/* A cell that could be a name: letters, no label, no title, no colon. */
static int name_cell(const struct pagem *pm, const struct cell *c)
{
	size_t i;
	const char *k;
	int letters = 0;

	for (i = c->a; i < c->b; i++) {
		const struct tok *t = &pm->t[i];

		if (t->used || title_word(t->key) || strchr(t->text, ':'))
			return 0;
		for (k = t->key; *k; k++)
			letters += isalpha((unsigned char)*k) != 0;
	}
	return letters >= 3;
}

/* Emit the cell as `field` (a party's name). */
static int emit_name(struct ctx *cx, const char *field, const struct pagem *pm,
		     const struct cell *c, float conf)
{
	char *t = span_text(pm, c->a, c->b, NULL, 0);
	int r;

	if (!t)
		return -1;
	clean_name(t);
	r = emit(cx, field, t, NULL, conf, pm, c->a, c->b);
	free(t);
	return r;
}

/* Whether a text candidate (not a QR's or an e-invoice's) is named `name`. */
static int have_text(const struct ctx *cx, const char *name)
{
	return folio_cands_find(cx->out, name, FOLIO_SRC_TEXT) ||
	       folio_cands_find(cx->out, name, FOLIO_SRC_OCR);
}

/*
 * The seller printed only as a letterhead: the first cell of the first
 * page's top lines that is a name (not a title, not a label) and either
 * ends with a legal form or has an address under it. Its name only when no
 * label gave one; its address likewise. Weaker than a labelled block.
 */
static int letterhead(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	size_t l, k;

	if (!cx->npm || have_text(cx, "seller_address"))
		return 0;
	pm = &cx->pm[0];
	for (l = 0; l < pm->nl && l < 3; l++) {
		if (pm->pg->height > 0 && pm->l[l].y0 > pm->pg->height * 3 / 10)
			break;
		for (k = pm->l[l].ca; k < pm->l[l].cb; k++) {
			const struct cell *c = &pm->c[k];
			int legal, r;
			struct address ad;
			float conf;

			if (!name_cell(pm, c) || c == cx->recipient)
				continue;
			legal = legal_form(pm, c);
			if ((r = read_address(cx, 0, c, ids, nids, &ad)) < 0)
				return -1;
			if (!legal && !r)
				continue;
			free(ad.text);
			conf = legal && r ? 0.6f : legal ? 0.5f : 0.45f;
			if (!have_text(cx, "seller_name") &&
			    emit_name(cx, "seller_name", pm, c, conf))
				return -1;
			if (r && party_address(cx, 0, c, "seller", ids, nids, 0.6f) < 0)
				return -1;
			return 0;
		}
	}
	return 0;
}

/*
 * A letter: the sender's block at the top left, the recipient's block under
 * it in the left half where a window envelope shows it, set beside the
 * document's title ("Testverket / Box 88 / 10011 Stockholm" next to
 * "FACTURE") or with an address. Unlabelled, so only when no party heading
 * or name label is on the page, and weakly: the sender's name when nothing
 * else gave it, the recipient's as the buyer's.
 */
static int letter_parties(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	const struct cell *sender = NULL;
	size_t k, i, skip_to = 0;

	if (!cx->npm || have_text(cx, "buyer_name"))
		return 0;
	for (i = 0; i < cx->nm; i++) {
		const struct match *m = &cx->m[i];
		const struct cell *mc = &cx->pm[m->page].c[m->cell];

		/* headings where the parties are: not a footer's "Seller GmbH · ..." */
		if (m->page || (cx->pm[0].pg->height > 0 && mc->y0 > cx->pm[0].pg->height / 2))
			continue;
		if (m->lb->kind == V_PARTY && m->b < mc->b && legal_form(&cx->pm[m->page], mc))
			continue;
		/* "Nazwa towaru" heads a table's column, not a party's name */
		if ((m->lb->kind == V_PARTY && (m->a == mc->a || party_heading(&cx->pm[0], m))) ||
		    (m->lb->kind == V_PNAME && name_label(&cx->pm[0], m)))
			return 0;
	}
	pm = &cx->pm[0];
	if (pm->pg->width <= 0 || pm->pg->height <= 0)
		return 0;
	for (k = 0; k < pm->nc; k++) {
		const struct cell *c = &pm->c[k];
		struct cell bc[BLOCK_MAX];
		struct address ad;
		size_t nb;
		int titled = 0, r;

		if (c->y0 > pm->pg->height * 45 / 100)
			break;
		if (c->x0 > pm->pg->width * 2 / 5 || (size_t)c->line < skip_to)
			continue;
		/* "Seller GmbH": a heading's word, but a name */
		if ((!name_cell(pm, c) || label_cell(cx, pm, c)) &&
		    !(legal_form(pm, c) && !strchr(pm->t[c->b - 1].text, ':')))
			return 0;
		nb = block_cells(pm, c, bc);
		if (!sender) {
			sender = c;
			skip_to = (size_t)(nb ? bc[nb - 1].line : c->line) + 1;
			continue;
		}
		/* the title on the recipient's first line */
		for (i = pm->l[c->line].ca; i < pm->l[c->line].cb; i++) {
			const struct cell *d = &pm->c[i];

			if (d != c && d->x0 > pm->pg->width / 2 && title_word(pm->t[d->a].key))
				titled = 1;
		}
		if ((r = read_address(cx, 0, c, ids, nids, &ad)) < 0)
			return -1;
		if (r)
			free(ad.text);
		if (!titled && !r)
			return 0;
		if (!have_text(cx, "seller_name") &&
		    emit_name(cx, "seller_name", pm, sender, legal_form(pm, sender) ? 0.6f : 0.5f))
			return -1;
		if (emit_name(cx, "buyer_name", pm, c, titled && r ? 0.6f : 0.5f))
			return -1;
		cx->recipient = c;
		if (r && party_address(cx, 0, c, "buyer", ids, nids, 0.6f) < 0)
			return -1;
		return 0;
	}
	return 0;
}

/* Separators of a return address: "Firma GmbH · Hauptstraße 1 · 50667 Köln". */
static int sep_tok(const char *s)
{
	static const char *const w[] = {
		"\xc2\xb7", "\xe2\x80\xa2", "|", "-", "\xe2\x80\x93", "\xe2\x80\x94",
		"\xc2\xbb", "*", NULL,
	};

	return in_list(s, w);
}

/*
 * A window envelope's return address, one small line above the recipient
 * (DIN 5008): the block under it is the buyer's, unlabelled. Its name and
 * address only when no label gave them.
 */
static int return_address(struct ctx *cx, const struct taxid *ids, size_t nids)
{
	const struct pagem *pm;
	size_t k, i;

	if (!cx->npm || have_text(cx, "buyer_address"))
		return 0;
	pm = &cx->pm[0];
	for (k = 0; k < pm->nc; k++) {
		const struct cell *c = &pm->c[k];
		struct cell bc[BLOCK_MAX];
		struct postcode pc;
		char *t;
		int nsep = 0, r;

		if (pm->pg->height > 0 && c->y0 > pm->pg->height / 2)
			break;
		for (i = c->a; i < c->b; i++)
			nsep += sep_tok(pm->t[i].text);
		if (nsep < 2)
			continue;
		if (!(t = span_text(pm, c->a, c->b, NULL, 0)))
			return -1;
		r = find_postcode(t, &pc);
		free(t);
		if (!r || !block_cells(pm, c, bc) || !name_cell(pm, &bc[0]))
			continue;
		if (!have_text(cx, "buyer_name") && emit_name(cx, "buyer_name", pm, &bc[0], 0.5f))
			return -1;
		return party_address(cx, 0, &bc[0], "buyer", ids, nids, 0.6f) < 0 ? -1 : 0;
	}
	return 0;
}

/* Labels that name a tax ID and nothing else ("USt-IdNr.", "NIP", "Partita
 * IVA", "Umsatzsteuer-ID"), unlike "Nr." or "ID". */
static int strong_taxid_label(const char *key)
{
	static const char *const w[] = {
		"nip", "nif", "cif", "vat", "piva", "iva", "partitaiva", "ustidnr", "ustid",
		"vatno", "vatnumber", "vatid", "vatregno", "contribuinte", "steuernummer", "tva",
		"umsatzsteuerid", "umsatzsteueridentifikationsnummer", "taxid", "taxnumber",
		"fiscale", "codicefiscale", "nipue",
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(key, w[i]))
			return 1;
	return 0;
}

/*
 * A tax ID whose check digits fail or whose country has no rule here
 * ("NO123456789MVA", a sample's "IT01234567890"), right after a label that
 * names a tax ID: what the page says, marked (repaired = 2) so that it is
 * only a weak candidate and goes to review. One token of letters and
 * digits, 8 to 16 long, at least 6 digits.
 */
static size_t unchecked_taxid(const struct pagem *pm, size_t i, struct taxid *t)
{
	const char *s = pm->t[i].text;
	size_t k, n = 0, digits = 0;
	char id[32];

	/* on a scan a failed check is more likely a misread, unless the word
	 * was read with confidence and no look-alike repair checks */
	if (pm->pg->source == FOLIO_SRC_OCR && pm->t[i].conf < 0.9f)
		return 0;
	if (!i || pm->t[i - 1].line != pm->t[i].line || !strong_taxid_label(pm->t[i - 1].key))
		return 0;
	if (pm->pg->source == FOLIO_SRC_OCR) {
		char rep[32];

		if (folio_taxid_repair(s, NULL, rep) == 1)
			return 0;
	}
	for (k = 0; s[k]; k++) {
		if (isdigit((unsigned char)s[k]))
			digits++;
		else if (!isalpha((unsigned char)s[k]) && !strchr("-.", s[k]))
			return 0;
		if (isalnum((unsigned char)s[k]) && n < sizeof(id) - 1)
			id[n++] = (char)toupper((unsigned char)s[k]);
	}
	id[n] = '\0';
	if (n < 8 || n > 16 || digits < 6)
		return 0;
	memcpy(t->id, id, n + 1);
	t->repaired = 2;
	return 1;
}

static int find_taxids(struct ctx *cx, struct taxid **out, size_t *nout)
{
	struct taxid *v = NULL;
	size_t n = 0, alloc = 0, p, i;

	for (p = 0; p < cx->npm; p++) {
		const struct pagem *pm = &cx->pm[p];

		for (i = 0; i < pm->nt; i++) {
			struct taxid t;
			size_t end = pm->c[pm->t[i].cell].b, used;

			if (!pm->t[i].key[0] || pm->t[i].used)
				continue;
			/* a bare number qualifies only next to a tax-ID label, or when it
			 * carries a country prefix */
			memset(&t, 0, sizeof(t));
			if (!(used = taxid_at(cx, pm, i, end, &t)) &&
			    !(used = unchecked_taxid(pm, i, &t)))
				continue;
			t.labelled = i > 0 && pm->t[i - 1].line == pm->t[i].line &&
				     taxid_label(pm->t[i - 1].key);
			if (!t.labelled && !isalpha((unsigned char)pm->t[i].text[0]) &&
			    !(i > 1 && pm->t[i - 2].line == pm->t[i].line &&
			      taxid_label(pm->t[i - 2].key))) {
				i += used - 1;
				continue;
			}
			t.page = p;
			t.a = i;
			t.b = i + used;
			if (grow((void **)&v, &alloc, n, sizeof(*v))) {
				free(v);
				return -1;
			}
			v[n++] = t;
			i += used - 1;
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

/* IBANs anywhere: "PL29 1020 ..." even without a label. */
static int find_ibans(struct ctx *cx)
{
	size_t p, i;

	for (p = 0; p < cx->npm; p++) {
		const struct pagem *pm = &cx->pm[p];

		for (i = 0; i < pm->nt; i++) {
			const char *s = pm->t[i].text;
			struct span sp;

			if (!(isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
			      isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])))
				continue;
			sp.pm = pm;
			sp.a = i;
			sp.b = pm->c[pm->t[i].cell].b;
			sp.conf = 0.7f;
			if (read_iban(cx, &sp, 0.7f) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- tables ------------------------------------------------------------- */

struct column {
	int mask;              /* possible kinds */
	int kind;              /* chosen */
	int x0, x1;
};

/* A VAT rate: "23", "23%", "5,5 %", "0%" - one or two digits, at most two
 * decimals, nothing else (so "3.676,00" is not a rate). */
static int rate_value(const char *s, char *out, size_t n)
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

static int cell_amount(struct ctx *cx, const struct pagem *pm, const struct cell *c,
		       struct folio_amount *am)
{
	char *t = span_text(pm, c->a, c->b, NULL, 0);
	const char *s;
	size_t used;
	int ok = 0;

	if (!t)
		return 0;
	s = amount_start(t);
	used = folio_amount_parse(s, cx->dec, am);
	if (used) {
		const char *r = s + used;

		while (*r == ' ')
			r++;
		/* the rest may be a currency */
		ok = !*r || !strcmp(r, "\xe2\x82\xac") || (strlen(r) <= 3 && isalpha((unsigned char)*r)) ||
		     !strcmp(r, "z\xc5\x82");
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

		if (nt < 2 || nt > SPAN_MAX || !(t = span_text(pm, cl->a, cl->b, offs, nt))) {
			units[n] = *cl;
			orig[n++] = c;
			continue;
		}
		for (;;) {
			struct folio_amount am;
			const char *s = amount_start(t + offs[a - cl->a]);
			size_t used = folio_amount_parse(s, cx->dec, &am), k;
			const char *rest = s + used;

			while (*rest == ' ')
				rest++;
			k = used ? tok_of(offs, nt, (size_t)(rest - t)) : 0;
			if (!used || !*rest || *rest == '%' || k + cl->a <= a ||
			    !folio_amount_parse(amount_start(rest), cx->dec, &am) || n + 1 >= max)
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
	int desc_x1;           /* where its description ends on the page */
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
		const char *nm = cols[k].kind == C_NET ? "net" :
				 cols[k].kind == C_PRICE ? "unit_price" :
				 cols[k].kind == C_VAT ? "vat" : NULL;

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
			if (has_digit(pm->t[k].text))
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

/* Read the table whose heading is line `hl` of page `pm`. */
static int read_table(struct ctx *cx, const struct pagem *pm, size_t hl, struct column *cols,
		      int ncols)
{
	struct folio_strbuf bd = FOLIO_STRBUF_INIT, li = FOLIO_STRBUF_INIT;
	struct item_row row;
	int items = 0, nbd = 0, nli = 0, k, ret = 0, sum_have = 0;
	long long sum_net = 0, sum_vat = 0;
	size_t l;
	int have_rate = 0, bd_odd = 0;

	for (k = 0; k < ncols; k++) {
		if (cols[k].mask & (C_DESC | C_QTY | C_PRICE))
			items = 1;
		have_rate |= cols[k].mask & C_RATE;
	}
	if (!items && !have_rate && ncols < 3)
		return 0;
	if (getenv("FOLIO_DEBUG_LAYOUT"))
		for (k = 0; k < ncols; k++)
			fprintf(stderr, "table line %zu col %d [%d..%d] kind %d\n", hl, k, cols[k].x0,
				cols[k].x1, cols[k].kind);
	folio_strbuf_addch(&bd, '[');
	folio_strbuf_addch(&li, '[');
	memset(&row, 0, sizeof(row));
	for (l = hl + 1; l < pm->nl && l <= hl + 60; l++) {
		const struct vline *vl = &pm->l[l];
		struct folio_amount am[MAX_COLS];
		int have[MAX_COLS] = { 0 };
		char rate[16] = "", desc[256] = "", qty[32] = "";
		int total = 0, namounts = 0, desc_x1 = 0, detail = 0;
		size_t c;

		struct cell units[32];
		size_t orig[32], nu, u;

		/* the heading's second line ("netto podatku netto") */
		if (l == hl + 1 && wordy_line(pm, l))
			continue;
		/* a line of one cell inside an item table: the description going
		 * on ("Handmade Concrete" / "Chicken"), or a detail under it
		 * ("Artikelnummer: 166022"), when the table goes on after it */
		if (items && vl->cb - vl->ca == 1 && row.open && table_goes_on(pm, l)) {
			const struct cell *cl = &pm->c[vl->ca];
			int col = col_of(cols, ncols, cl);

			/* joined only when it wrapped: its first word would not have
			 * fitted after the row's description ("Paper subscription" /
			 * "Subscription fee 1st quarter" is a second text, skipped) */
			if (col >= 0 && cols[col].kind == C_DESC) {
				char *t;

				if (!row.desc_x1 || pm->t[cl->a].w + 20 <
				    next_col_x0(cols, ncols, col) - row.desc_x1)
					continue;
				if (!(t = span_text(pm, cl->a, cl->b, NULL, 0))) {
					ret = -1;
					goto out;
				}
				if (!strchr(t, ':')) {
					size_t n = strlen(row.desc);

					snprintf(row.desc + n, sizeof(row.desc) - n, " %s", t);
					row.desc_x1 = cl->x1;
				}
				free(t);
				continue;
			}
			/* a code wrapped in its own column ("4bbc175d-c8de-75b5-88a5-" /
			 * "a7c273403730" under KSeF's "UU ID"): not the table's end */
			if (col >= 0 && cols[col].kind != C_DESC && cols[col].kind != C_NET &&
			    cols[col].kind != C_GROSS && cols[col].kind != C_VAT && row.desc_x1 &&
			    cl->x1 <= row.desc_x1) {
				struct folio_amount dummy;

				if (!cell_amount(cx, pm, cl, &dummy))
					continue;
			}
		}
		if (vl->cb - vl->ca < 2 && !(vl->cb - vl->ca == 1 && items == 0))
			break;
		nu = row_units(cx, pm, vl, units, orig, 32);
		/* a code and the description set too close to be two cells
		 * ("66465935-48e0-... Refined Concrete Pants"): cut where the
		 * description's column starts */
		for (k = 0; k < ncols && items; k++) {
			size_t j;

			if (cols[k].kind != C_DESC)
				continue;
			for (u = 0; u < nu && nu < 32; u++) {
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
		if (nu < 2)
			break;
		for (u = 0; u < nu; u++) {
			const struct cell *cl = &units[u];
			int col = col_of(cols, ncols, cl);
			char *t = span_text(pm, cl->a, cl->b, NULL, 0);
			char key[KEY_MAX];
			size_t m;

			if (!t) {
				ret = -1;
				goto out;
			}
			make_key(t, key, sizeof(key));
			detail |= strchr(t, ':') != NULL;
			c = orig[u];
			for (m = 0; m < cx->nm && u == 0; m++)
				if (cx->m[m].lb->kind == V_ROW && &cx->pm[cx->m[m].page] == pm &&
				    cx->m[m].cell == c)
					total = 1;
			if (col >= 0 && (cols[col].mask & C_RATE) && !rate[0] &&
			    rate_value(t, rate, sizeof(rate))) {
				/* a rate */
			} else if (col >= 0 && (cols[col].kind == C_QTY ||
						(cols[col].kind == C_UNIT &&
						 isdigit((unsigned char)t[0]))) && !qty[0]) {
				/* "3 szt." across the quantity and unit columns */
				snprintf(qty, sizeof(qty), "%s", t);
			} else if (col >= 0 && cols[col].kind != C_DESC && col < MAX_COLS &&
				   cell_amount(cx, pm, cl, &am[col])) {
				have[col] = 1;
				namounts++;
			} else if (col >= 0 && cols[col].kind == C_DESC && !desc[0]) {
				snprintf(desc, sizeof(desc), "%s", t);
				desc_x1 = cl->x1;
			} else if (u == 0 && !desc[0] && !total && items &&
				   !rate_value(t, rate, sizeof(rate))) {
				/* a number column ("Lp.") before the description */
			}
			free(t);
		}
		/* an item's details as label: value pairs ("Nummer der
		 * Auftragsposition: 123   Kontierungshinweis: ..."): the table
		 * goes on under them */
		if (!namounts && items && detail && row.open && !rate[0])
			continue;
		if (!namounts)
			break;
		if (total) {
			for (k = 0; k < ncols && k < MAX_COLS; k++) {
				static const char *const names[] = { "net_total", "vat_total",
								     "gross_total" };
				int ci = cols[k].kind == C_NET ? 0 : cols[k].kind == C_VAT ? 1 :
					 cols[k].kind == C_GROSS ? 2 : -1;
				char buf[40];
				const struct cell *cl;

				if (ci < 0 || !have[k])
					continue;
				for (c = vl->ca; c < vl->cb; c++)
					if (col_of(cols, ncols, &pm->c[c]) == k)
						break;
				cl = &pm->c[c < vl->cb ? c : vl->ca];
				folio_amount_format(&am[k], buf, sizeof(buf));
				if (emit(cx, names[ci], buf, NULL, items ? 0.8f : 0.9f, pm, cl->a,
					 cl->b)) {
					ret = -1;
					goto out;
				}
			}
			break;
		}
		if (!items && rate[0]) {
			char buf[40];
			int role[MAX_COLS], implied = 0;
			long long vimp = 0;

			if (!bd_roles(rate, am, have, cols, ncols, role, &vimp, &implied))
				bd_odd = 1;
			folio_strbuf_addf(&bd, "%s{\"rate\":", nbd++ ? "," : "");
			folio_strbuf_add_json(&bd, rate);
			for (k = 0; k < ncols && k < MAX_COLS; k++) {
				const char *nm = role[k] == C_NET ? "net" : role[k] == C_VAT ? "vat" :
						 role[k] == C_GROSS ? "gross" : NULL;

				if (!nm || !have[k])
					continue;
				folio_amount_format(&am[k], buf, sizeof(buf));
				folio_strbuf_addf(&bd, ",\"%s\":\"%s\"", nm, buf);
				if (role[k] == C_NET) {
					sum_net += folio_amount_cents(&am[k]);
					sum_have |= 1;
				} else if (role[k] == C_VAT) {
					sum_vat += folio_amount_cents(&am[k]);
					sum_have |= 2;
				}
			}
			if (implied) {
				struct folio_amount va = { vimp, 2 };

				folio_amount_format(&va, buf, sizeof(buf));
				folio_strbuf_addf(&bd, ",\"vat\":\"%s\"", buf);
				sum_vat += vimp;
				sum_have |= 2;
			}
			folio_strbuf_addch(&bd, '}');
		} else if (items && desc[0]) {
			note_rate_net(cx, &row, cols, ncols);
			put_item(&li, &nli, &row, cols, ncols);
			memset(&row, 0, sizeof(row));
			row.open = 1;
			snprintf(row.desc, sizeof(row.desc), "%s", desc);
			row.desc_x1 = desc_x1;
			split_qty(qty, cx->dec, row.qty, sizeof(row.qty), row.unit, sizeof(row.unit));
			snprintf(row.rate, sizeof(row.rate), "%s", rate);
			memcpy(row.am, am, sizeof(am));
			memcpy(row.have, have, sizeof(have));
		}
	}
	note_rate_net(cx, &row, cols, ncols);
	put_item(&li, &nli, &row, cols, ncols);
	folio_strbuf_addch(&bd, ']');
	folio_strbuf_addch(&li, ']');
	/* a row whose amounts do not reconcile: read, but not trusted */
	if (nbd && emit(cx, "vat_breakdown", bd.buf, NULL, bd_odd ? 0.6f : 0.85f, pm, 0, 0))
		ret = -1;
	/* the rows' sums stand for totals a receipt does not print */
	if (nbd && !ret && (sum_have & 1)) {
		char buf[40];
		struct folio_amount t = { sum_net, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (emit(cx, "net_total", buf, NULL, 0.55f, pm, 0, 0))
			ret = -1;
	}
	if (nbd && !ret && (sum_have & 2)) {
		char buf[40];
		struct folio_amount t = { sum_vat, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (emit(cx, "vat_total", buf, NULL, 0.55f, pm, 0, 0))
			ret = -1;
	}
	if (nli && emit(cx, "lines", li.buf, NULL, 0.8f, pm, 0, 0))
		ret = -1;
out:
	folio_strbuf_release(&bd);
	folio_strbuf_release(&li);
	return ret;
}

/* Every column kind whose heading matches tokens [a, b) exactly. */
static int col_mask(const struct ctx *cx, const struct pagem *pm, const struct cell *c, size_t a,
		    size_t b)
{
	int mask = 0;
	size_t k;

	for (k = 0; k < cx->lx->n; k++)
		if (cx->lx->v[k].kind == V_COL && label_at(pm, c, a, &cx->lx->v[k]) == b)
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

static int tables(struct ctx *cx)
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

/* ---- VAT breakdown as label: value groups ------------------------------- */

/* "6,00%" → "6", "22.00" → "22", "5,50 %" → "5.5" into `out`; 0 if not a
 * rate. */
static int norm_rate(const char *s, char *out, size_t n)
{
	char r[16];
	size_t k;

	if (!rate_value(s, r, sizeof(r)))
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
	int kind;              /* C_RATE, C_NET, C_VAT */
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
static int breakdown_groups(struct ctx *cx)
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
		if (!kind || !right_span(pm, m, &sp))
			continue;
		/* "IVA (%): 22.00" is a rate, not an amount */
		for (k = m->b; k < sp.a && kind != C_RATE; k++)
			if (strchr(pm->t[k].text, '%'))
				kind = 0;
		if (!kind)
			continue;
		if (!(t = span_text(pm, sp.a, sp.b, NULL, 0))) {
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
			const char *a = amount_start(t);
			size_t used = folio_amount_parse(a, cx->dec, &am);

			if (!used || a[used] == '%' || (a[used] == ' ' && a[used + 1] == '%'))
				kind = 0;
			else
				folio_amount_format(&am, e.val, sizeof(e.val));
		}
		free(t);
		if (!kind)
			continue;
		if (grow((void **)&ev, &aev, nev, sizeof(*ev))) {
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
	else if (nrows && emit(cx, "vat_breakdown", bd.buf, NULL, 0.8f, &cx->pm[ev[0].page], 0, 0))
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
static int rated_vat(struct ctx *cx)
{
	struct rated ev[8];
	int n = 0, i, k, ret = 0, odd = 0, from_lines = 1, left = -1;
	long long sum = 0, nets = 0;
	const struct folio_cand *nt;
	struct folio_strbuf bd = FOLIO_STRBUF_INIT;
	char buf[40];
	size_t mi;

	for (mi = 0; mi < cx->nm && n < 8; mi++) {
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
		while (b < c->b && !pm->t[b].key[0] && !has_digit(pm->t[b].text))
			b++;
		if (!(t = span_text(pm, b, c->b, NULL, 0)))
			return -1;
		memset(&e, 0, sizeof(e));
		k = strchr(t, '%') && norm_rate(t, e.rate, sizeof(e.rate));
		free(t);
		if (!k || !cell_amount(cx, pm, &pm->c[m->cell + 1], &am))
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
		sum += e.vat;
	}
	if (!n)
		return 0;
	{
		struct folio_amount t = { sum, 2 };

		folio_amount_format(&t, buf, sizeof(buf));
		if (emit(cx, "vat_total", buf, NULL, n > 1 ? 0.75f : 0.8f, &cx->pm[ev[0].page],
			 n > 1 ? 0 : ev[0].a, n > 1 ? 0 : ev[0].b))
			return -1;
	}
	if (folio_cands_find(cx->out, "vat_breakdown", FOLIO_SRC_NONE) ||
	    !(nt = best_cand(cx, "net_total")))
		return 0;
	{
		struct folio_amount na;
		long long net_total;

		if (!folio_amount_parse(nt->value, '.', &na))
			return 0;
		net_total = folio_amount_cents(&na);
		if (n == 1) {
			ev[0].net = net_total;
			ev[0].have_net = 1;
		} else {
			for (i = 0; i < n; i++)
				for (k = 0; k < cx->nlrate && !cx->lrate_bad; k++)
					if (fabs(cx->lrate[k].rate / 100.0 - ev[i].r) < 1e-5) {
						ev[i].net = cx->lrate[k].net;
						ev[i].have_net = 1;
					}
			for (i = 0; i < n; i++)
				if (!ev[i].have_net)
					from_lines = 0;
			if (!from_lines)
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
		}
	}
	for (i = 0; i < n; i++)
		if (llabs(llround((double)ev[i].net * ev[i].r) - ev[i].vat) >
		    1 + llabs(ev[i].vat) / 500)
			odd = 1;
	if (odd)
		return 0;
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
	/* bases from VAT / rate are a guess to a cent or two */
	if (!bd.buf || emit(cx, "vat_breakdown", bd.buf, NULL,
			    n == 1 || from_lines ? 0.8f : 0.6f, &cx->pm[ev[0].page], 0, 0))
		ret = -1;
	folio_strbuf_release(&bd);
	return ret;
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
static int item_groups(struct ctx *cx)
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

		if (m->lb->kind != V_LI || m->a != c->a || !right_span(pm, m, &sp))
			continue;
		if (!(t = span_text(pm, sp.a, sp.b, NULL, 0))) {
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
			for (l = (size_t)c->line + 1; l < pm->nl && l <= (size_t)c->line + 20; l++) {
				const struct cell *d = &pm->c[pm->l[l].ca];
				size_t len = strlen(row.desc);
				char *u;

				if (pm->l[l].cb - pm->l[l].ca != 1 || abs(d->x0 - c->x0) > 4 ||
				    cell_has_label(cx, pm, pm->l[l].ca))
					break;
				if (!(u = span_text(pm, d->a, d->b, NULL, 0))) {
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
			const char *a = amount_start(t);
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
	else if (n && emit(cx, "lines", li.buf, NULL, 0.75f, first, 0, 0))
		ret = -1;
out:
	folio_strbuf_release(&li);
	return ret;
}

/* ---- the extractor ------------------------------------------------------ */

static void guess_locale(struct ctx *cx)
{
	static const struct { const char *lang, *country; } lc[] = {
		{ "pl", "PL" }, { "es", "ES" }, { "pt", "PT" }, { "it", "IT" },
		{ "de", "DE" }, { "fr", "FR" }, { "en", "GB" },
	};
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
			const char *t = cx->pm[p].t[i].text, *code = currency_of(cx->pm[p].t[i].key);

			if (!code && strstr(t, "\xe2\x82\xac"))
				code = "EUR";
			if (!code && strstr(t, "\xc2\xa3"))
				code = "GBP";
			if (!code && strstr(t, "\xe2\x82\xb9"))
				code = "INR";
			if (!code && strstr(t, "\xc2\xa5"))
				code = "JPY";
			/* "$" alone is USD's more often than any other dollar's */
			if (!code && strchr(t, '$') && (t[1] == '\0' || isdigit((unsigned char)t[1]) ||
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
	if (best >= 0 && folio_cands_add(cx->out, "currency", codes[best], NULL,
					 !strcmp(codes[best], "USD") && dollars >= votes[best] ? 0.6f :
					 votes[best] > 1 ? 0.9f : 0.7f,
					 cx->npm && cx->pm[0].pg->source == FOLIO_SRC_OCR ?
					 FOLIO_SRC_OCR : FOLIO_SRC_TEXT, 0, NULL))
		return -1;
	return 0;
}

static int markers(struct ctx *cx)
{
	size_t i;

	for (i = 0; i < cx->nm; i++)
		if (cx->m[i].lb->kind == V_MARKER) {
			const struct match *m = &cx->m[i];

			return emit(cx, "doc_type", "credit_note", NULL, 0.8f, &cx->pm[m->page], m->a,
				    m->b);
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

		if (!isdigit((unsigned char)pm->t[i].text[0]) || !(t = span_text(pm, i, i + n, offs, n)))
			continue;
		used = folio_date_parse(t, FOLIO_DMY, out);
		if (used) {
			size_t t1 = tok_of(offs, n, used - 1) + 1;
			int r = emit(cx, "issue_date", out, NULL, 0.6f, pm, i, i + t1);

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
				char *t = span_text(&cx.pm[p], c->a, c->b, NULL, 0);

				fprintf(stderr, "p%zu l%d [%d..%d] %s\n", p + 1, c->line, c->x0, c->x1,
					t ? t : "");
				free(t);
			}
	if (find_labels(&cx))
		goto oom;
	guess_locale(&cx);
	if (key_values(&cx) || tables(&cx) || breakdown_groups(&cx) || rated_vat(&cx) ||
	    item_groups(&cx) ||
	    find_ibans(&cx) ||
	    currency(&cx) || markers(&cx))
		goto oom;
	if (find_taxids(&cx, &ids, &nids))
		goto oom;
	if (nids && !(assigned = calloc(nids, sizeof(*assigned))))
		goto oom;
	if (parties(&cx, ids, nids, assigned) || return_address(&cx, ids, nids) ||
	    letter_parties(&cx, ids, nids) || letterhead(&cx, ids, nids))
		goto oom;
	if (first_date(&cx))
		goto oom;
	/* a tax ID in the footer of a page is the issuer's (company details);
	 * among the unassigned ones it comes first */
	for (i = 0; i < nids; i++) {
		const struct pagem *pm = &cx.pm[ids[i].page];
		const struct tok *t = &pm->t[ids[i].a];

		if (!assigned[i] && pm->pg->height > 0 && t->y > pm->pg->height * 85 / 100 && i > 0) {
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
				   "buyer_tax_id" : "seller_tax_id";

		/* an unchecked ID counts only inside its party's block */
		if (assigned[i] || ids[i].repaired == 2)
			continue;
		if (!strcmp(role, "buyer_tax_id") &&
		    folio_cands_find(out, "buyer_tax_id", FOLIO_SRC_NONE))
			break;
		{
			const struct folio_cand *s = folio_cands_find(out, "seller_tax_id",
								      FOLIO_SRC_NONE);

			if (s && !strcmp(s->value, ids[i].id))
				continue;
		}
		if (emit(&cx, role, ids[i].id, NULL, taxid_conf(&ids[i], 0.6f),
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
