/*
 * layout_private.h - what the parts of the layout extractor share: the
 * page model (tokens, cells, lines), label matches, the context of one
 * document, and the functions one part calls in another.
 *
 *   layout.c        the lexicon, the page model, label matching, value
 *                   readers, tax IDs, the passes and the extractor
 *   layout_party.c  seller and buyer blocks, letterheads, return addresses
 *   layout_table.c  tables by column geometry, VAT breakdowns, line items
 */
#ifndef FOLIO_LAYOUT_PRIVATE_H
#define FOLIO_LAYOUT_PRIVATE_H

#include <stddef.h>

#include "folio/extract.h"

#define MAX_LABEL_TOKS 6
#define KEY_MAX 48
#define MAX_COLS 16 /* columns of a table */
#define SPAN_MAX 12

/* what a field's value looks like */
enum vkind {
	V_NONE,
	V_NUMBER,
	V_DATE,
	V_AMOUNT,
	V_IBAN,
	V_PARTY,
	V_ROW,
	V_COL,
	V_MARKER,
	V_PNAME,
	V_BD,
	V_LI,
};

enum col {
	C_NONE = 0,
	C_RATE = 1,
	C_NET = 2,
	C_VAT = 4,
	C_GROSS = 8,
	C_DESC = 16,
	C_QTY = 32,
	C_PRICE = 64,
	C_UNIT = 128,
};

struct label {
	const char *field; /* static, from field_kinds */
	enum vkind kind;
	int col;
	char lang[4];
	int ntok;
	int head; /* "^label": only where it starts its cell */
	char tok[MAX_LABEL_TOKS][KEY_MAX];
};

struct folio_lexicon {
	struct label *v;
	size_t n;
};

/* ---- page model --------------------------------------------------------- */

struct tok {
	char *text;
	char key[KEY_MAX];
	int x, y, w, h;
	float conf;
	int line, cell;
	int used; /* part of a matched label */
};

struct cell {
	size_t a, b; /* tokens [a, b) */
	int x0, x1, y0, y1;
	int line;
};

struct vline {
	size_t ca, cb; /* cells [ca, cb) */
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
	size_t a, b; /* tokens of the label */
};

struct ctx {
	const struct folio_lexicon *lx;
	const struct folio_doc *doc;
	struct folio_cands *out;
	struct pagem *pm;
	size_t npm;
	struct match *m;
	size_t nm, ma;
	int dec;	 /* ',' or '.' */
	char country[3]; /* from the language of the labels */
	int oom;
	/* the item tables' nets summed per VAT rate (rated_vat() checks a
	 * summary's nets by them) */
	struct {
		double rate;
		long long net;
	} lrate[8];
	int nlrate, lrate_bad;
	const struct cell *recipient; /* a letter's, by letter_parties() */
};

/* A span of tokens to read a value from. */
struct span {
	const struct pagem *pm;
	size_t a, b;
	float conf; /* position confidence */
};

/* ---- tax IDs ------------------------------------------------------------ */

struct taxid {
	char id[32];
	size_t page, a, b;
	int repaired;
	int labelled; /* near NIP/VAT/CIF... */
};

const struct cell *lay_cell_below(const struct pagem *pm, const struct cell *c, int maxlines);

int lay_emit(struct ctx *cx, const char *name, const char *value, const char *raw, float conf,
	     const struct pagem *pm, size_t a, size_t b);

int lay_grow(void **v, size_t *alloc, size_t n, size_t size);

int lay_has_digit(const char *s);

void lay_make_key(const char *s, char *key, size_t n);

int lay_read_iban(struct ctx *cx, const struct span *sp, float conf);

int lay_read_account(struct ctx *cx, const struct span *sp, float conf);

float lay_span_ocr_conf(const struct pagem *pm, size_t a, size_t b);

int lay_right_span(const struct pagem *pm, const struct match *m, struct span *sp);

char *lay_span_text(const struct pagem *pm, size_t a, size_t b, size_t *offs, size_t noffs);

size_t lay_taxid_at(const struct ctx *cx, const struct pagem *pm, size_t i, size_t end,
		    struct taxid *out);

int lay_taxid_label(const char *key);

const char *lay_amount_start(const char *s);

size_t lay_label_at(const struct pagem *pm, const struct cell *c, size_t i, const struct label *lb);

size_t lay_tok_of(const size_t *offs, size_t n, size_t off);

int lay_find_ibans(struct ctx *cx);

int lay_find_taxids(struct ctx *cx, struct taxid **out, size_t *nout);

int lay_letter_parties(struct ctx *cx, const struct taxid *ids, size_t nids);

int lay_letterhead(struct ctx *cx, const struct taxid *ids, size_t nids);

int lay_parties(struct ctx *cx, struct taxid *ids, size_t nids, int *assigned);

int lay_return_address(struct ctx *cx, const struct taxid *ids, size_t nids);

int lay_strong_taxid_label(const char *key);

float lay_taxid_conf(const struct taxid *t, float conf);

/* A VAT rate ("23", "5,5 %", "0%"; not "3.676,00") as "23", "5.5" into
 * `out`; 0 if `s` is no rate (layout_table.c). */
int lay_rate_value(const char *s, char *out, size_t n);

/* The amount cell `c` holds, into *out; 0 if it holds none (layout_table.c). */
int lay_cell_amount(struct ctx *cx, const struct pagem *pm, const struct cell *c,
		    struct folio_amount *out);

int lay_breakdown_groups(struct ctx *cx);

int lay_item_groups(struct ctx *cx);

int lay_rated_vat(struct ctx *cx);

int lay_tables(struct ctx *cx);

#endif
