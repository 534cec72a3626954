/*
 * layout_lexicon.c - the label lexicon (models/labels.tsv): each line a
 * field, a language and a label, folded into word keys as the page's
 * words are (lay_make_key), so that a label matches word by word whatever
 * its case, accents or punctuation.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/util.h"
#include "layout_private.h"

/* clang-format off */
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
/* clang-format on */

/* ---- keys --------------------------------------------------------------- */

/* Folded alphanumerics of `s` ("Nº" → "n", "wystawienia:" → "wystawienia"). */
void lay_make_key(const char *s, char *key, size_t n)
{
	char f[256]; /* a key is KEY_MAX bytes: the word's start is enough */
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
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s:%d: unknown field '%s'",
			      ld->path, lineno, field);
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

		lay_make_key(w, key, sizeof(key));
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
