/* rules.c - keyword rules for the document type; see classify.h. */
#include "folio/classify.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/util.h"

struct rule {
	char *type;
	char *keyword; /* folded */
	int weight;
};

struct folio_classifier {
	struct rule *rules;
	size_t n;
	struct folio_model *model; /* NULL: rules only */
};

void folio_classify_free(struct folio_classifier *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->rules[i].type);
		free(c->rules[i].keyword);
	}
	free(c->rules);
	folio_model_free(c->model);
	free(c);
}

static int parse_line(char *s, struct rule *r)
{
	char *type, *w, *kw, *end;
	long weight;

	while (isspace((unsigned char)*s))
		s++;
	type = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	*s++ = '\0';
	while (isspace((unsigned char)*s))
		s++;
	w = s;
	weight = strtol(w, &end, 10);
	if (end == w || !isspace((unsigned char)*end) || weight <= 0 || weight > 1000)
		return -1;
	kw = end;
	while (isspace((unsigned char)*kw))
		kw++;
	end = kw + strlen(kw);
	while (end > kw && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*kw)
		return -1;
	r->type = strdup(type);
	r->keyword = folio_fold_key(kw);
	r->weight = (int)weight;
	return r->type && r->keyword ? 0 : -2;
}

struct rules_load {
	struct folio_classifier *c;
	size_t alloc;
	const char *path;
};

static int rule_line(void *ctx, char *line, int lineno, struct folio_err *err)
{
	struct rules_load *rl = ctx;
	struct folio_classifier *c = rl->c;
	int r;

	if (c->n == rl->alloc) {
		size_t cap = rl->alloc ? rl->alloc * 2 : 64;
		struct rule *nr = realloc(c->rules, cap * sizeof(*nr));

		if (!nr)
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		c->rules = nr;
		rl->alloc = cap;
	}
	memset(&c->rules[c->n], 0, sizeof(c->rules[0]));
	r = parse_line(line, &c->rules[c->n]);
	if (r == -2) {
		c->n++; /* so that free releases what was allocated */
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	if (r)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_CONFIG, 0,
				     "%s:%d: expected 'TYPE WEIGHT KEYWORD...'", rl->path, lineno);
	c->n++;
	return FOLIO_OK;
}

struct folio_classifier *folio_classify_load(const char *path, struct folio_err *err)
{
	struct rules_load rl = { calloc(1, sizeof(*rl.c)), 0, path };

	if (!rl.c) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (folio_each_line(path, "rules", rule_line, &rl, err) != FOLIO_OK) {
		folio_classify_free(rl.c);
		return NULL;
	}
	return rl.c;
}

static int is_word_char(unsigned char ch)
{
	return isalnum(ch) || ch >= 0x80;
}

/* `kw` occurs in `text` delimited by non-word characters. */
static int has_word(const char *text, const char *kw)
{
	size_t kl = strlen(kw);
	const char *p = text;

	while ((p = strstr(p, kw))) {
		if ((p == text || !is_word_char((unsigned char)p[-1])) &&
		    !is_word_char((unsigned char)p[kl]))
			return 1;
		p++;
	}
	return 0;
}

int folio_classify_rules(const struct folio_classifier *c, const char *text,
			 struct folio_rule_verdict *v, struct folio_err *err)
{
	char *folded;
	size_t i, j;
	int *score;

	memset(v, 0, sizeof(*v));
	v->type = "other";
	if (!text || !*text || !c || !c->n)
		return FOLIO_OK;
	/* doc->text separates pages with '\f' and lines with '\n' */
	if (!(folded = folio_fold_key(text)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (!(score = calloc(c->n, sizeof(*score)))) {
		free(folded);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	/* score[i] accumulates for the first rule of each type */
	for (i = 0; i < c->n; i++) {
		if (!has_word(folded, c->rules[i].keyword))
			continue;
		for (j = 0; j <= i; j++)
			if (!strcmp(c->rules[j].type, c->rules[i].type))
				break;
		score[j] += c->rules[i].weight;
	}
	for (i = 0; i < c->n; i++) {
		if (score[i] > v->score) {
			v->second = v->score;
			v->score = score[i];
			v->type = c->rules[i].type;
		} else if (score[i] > v->second) {
			v->second = score[i];
		}
	}
	/* the reason is the heaviest keyword of the winning type */
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->rules[i].type, v->type) && has_word(folded, c->rules[i].keyword) &&
		    (!v->keyword || c->rules[i].weight > v->strongest)) {
			v->keyword = c->rules[i].keyword;
			v->strongest = c->rules[i].weight;
		}
	free(score);
	free(folded);
	if (v->score) {
		v->conf = (float)(v->score - v->second) / (float)(v->score + 2);
		if (v->conf < 0.05f)
			v->conf = 0.05f;
	}
	v->confident =
		v->strongest >= FOLIO_RULE_STRONG && v->score - v->second >= FOLIO_RULE_MARGIN;
	return FOLIO_OK;
}

/* ---- the page's title ---------------------------------------------------- */

/* The words of line [s, e) into `w` (letters and digits, lowercase: the
 * text is folded), at most `max`; returns how many. */
static int line_words(const char *s, const char *e, char w[][24], int max)
{
	int n = 0;

	while (s < e && n < max) {
		size_t k = 0;

		while (s < e && !is_word_char((unsigned char)*s))
			s++;
		if (s >= e)
			break;
		while (s < e && is_word_char((unsigned char)*s)) {
			if (k < 23)
				w[n][k++] = *s;
			s++;
		}
		w[n++][k] = '\0';
	}
	return n;
}

static int in_set(const char *w, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(w, *set))
			return 1;
	return 0;
}

/*
 * What the first page's title says: a line near its top that opens with
 * the word for invoice ("FATTURA ELETTRONICA", "Faktura VAT nr 1/2024",
 * "RECHNUNG") is an invoice whatever else the document says - unless the
 * title itself says credit note, pro forma or simplified (a receipt). A
 * printed EN 16931 / FatturaPA type code ("Rechnungsart: 381", "Invoice
 * type code: 380", "Tipologia documento: TD04") anywhere tells the same.
 * Returns the type or NULL; `why` gets the words.
 */
static const char *title_type(const char *folded, char *why, size_t nwhy)
{
	/* clang-format off */
	static const char *const inv[] = {
		"faktura", "factura", "fatura", "fattura", "rechnung", "invoice", "facture",
		NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const credit[] = {
		"korygujaca", "korekta", "rectificativa", "gutschrift", "rechnungskorrektur",
		"stornorechnung", "avoir", "credito", "credit", NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const credit_title[] = {
		"gutschrift", "rechnungskorrektur", "stornorechnung", "avoir", NULL,
	};
	/* clang-format on */
	static const char *const proforma[] = { "proforma", "pro", NULL };
	static const char *const code_label[] = { "rechnungsart", "tipologia", "tipo", "type",
						  NULL };
	/* clang-format off */
	static const char *const credit_code[] = {
		"81", "83", "261", "262", "296", "308", "381", "384", "396", "420", "458", "532",
		"td04", "td08", NULL,
	};
	/* clang-format on */
	/* clang-format off */
	static const char *const inv_code[] = {
		"380", "383", "386", "389", "393", "395", "575", "623", "780", "td01", "td02",
		"td06", "td24", "td25", NULL,
	};
	/* clang-format on */
	const char *s = folded, *e;
	const char *type = NULL;
	int lines = 0, pending = 0;

	for (; *s && (type == NULL || lines < 0); s = *e ? e + 1 : e) {
		char w[10][24];
		int n, i;

		e = s + strcspn(s, "\n\f");
		n = line_words(s, e, w, 10);
		if (!n)
			goto next;
		/* a type code line, anywhere; the code may be the next line's
		 * first word (a label and its value in two text runs) */
		if (pending && (in_set(w[0], credit_code) || in_set(w[0], inv_code))) {
			snprintf(why, nwhy, "type code %s", w[0]);
			return in_set(w[0], credit_code) ? "credit_note" : "invoice";
		}
		pending = 0;
		for (i = 0; i < n && i < 4; i++)
			if (in_set(w[i], code_label)) {
				int k;

				if (i + 1 == n || (i + 2 == n && !strcmp(w[i + 1], "code")))
					pending = 1;
				for (k = i + 1; k < n && k < i + 4; k++) {
					if (in_set(w[k], credit_code) || in_set(w[k], inv_code)) {
						snprintf(why, nwhy, "type code %s", w[k]);
						return in_set(w[k], credit_code) ? "credit_note" :
										   "invoice";
					}
				}
			}
		if (lines >= 0 && lines < 15 && n <= 8) {
			if (in_set(w[0], inv) || in_set(w[0], credit_title) ||
			    (n > 1 && !strcmp(w[0], "nota") &&
			     (!strcmp(w[1], "di") || !strcmp(w[1], "de"))) ||
			    (n > 1 && !strcmp(w[0], "credit") && !strcmp(w[1], "note"))) {
				const char *t = "invoice";

				for (i = 0; i < n; i++) {
					if (in_set(w[i], credit) || in_set(w[0], credit_title))
						t = "credit_note";
					else if (in_set(w[i], proforma) && strcmp(t, "credit_note"))
						t = "proforma";
					else if (!strcmp(w[i], "simplificada") ||
						 !strcmp(w[i], "simplificata"))
						t = "receipt";
				}
				if (!strcmp(w[0], "nota") && strcmp(t, "credit_note"))
					goto next;
				type = t;
				snprintf(why, nwhy, "title '%.40s'", w[0]);
				lines = -1; /* keep looking for a type code only */
				continue;
			}
		}
next:
		if (lines >= 0 && n)
			lines++;
		if (*e == '\f' && lines >= 0)
			lines = 15;
	}
	return type;
}

int folio_classify_doc(const struct folio_classifier *c, struct folio_doc *doc,
		       struct folio_err *err)
{
	struct folio_rule_verdict v;
	const char *type, *title = NULL;
	char buf[160];
	float conf;
	int ret;

	if (doc->also_document) {
		/* an e-mail message is correspondence, a signed envelope is
		 * none of the types; what they carry is typed on its own */
		int mail = doc->mime && (!strcmp(doc->mime, "message/rfc822") ||
					 !strcmp(doc->mime, "application/vnd.ms-outlook") ||
					 !strcmp(doc->mime, "application/vnd.ms-tnef"));

		const struct folio_field *sdi = folio_doc_field(doc, "sdi_notice");
		char why[48];

		snprintf(why, sizeof(why), "SDI notice (%.8s)", sdi ? sdi->value : "");
		if (folio_doc_set_str(&doc->doc_type, mail ? "letter" : "other") ||
		    folio_doc_set_str(&doc->type_reason, mail ? "e-mail message" :
							 sdi  ? why :
								"signed envelope (CMS)"))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		doc->type_conf = 1.0f;
		return FOLIO_OK;
	}
	ret = folio_classify_rules(c, doc->text.len ? doc->text.buf : NULL, &v, err);
	if (ret != FOLIO_OK)
		return ret;
	type = v.type;
	conf = v.conf;
	if (v.keyword)
		snprintf(buf, sizeof(buf), "rule: '%s'", v.keyword);
	else
		snprintf(buf, sizeof(buf), "no rule matched");
	if (doc->text.len) {
		char *folded = folio_fold_key(doc->text.buf), why[64];
		const char *tt;

		if (!folded)
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		tt = title_type(folded, why, sizeof(why));
		free(folded);
		/* the rules agree: they and the model go on as usual, but the
		 * model may not overrule the title */
		if (tt && strcmp(tt, v.type)) {
			if (folio_doc_set_str(&doc->doc_type, tt) ||
			    folio_doc_set_str(&doc->type_reason, why))
				return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
						     "out of memory");
			doc->type_conf = 0.95f;
			return FOLIO_OK;
		}
		title = tt;
	}
	if (c && c->model && doc->text.len && !v.confident) {
		float p;

		const char *mt;

		ret = folio_model_predict(c->model, doc->text.buf, &mt, &p, err);
		if (ret != FOLIO_OK)
			return ret;
		/* an unsure model does not overrule a rule that matched, nor any
		 * model the page's title */
		if (mt && (p >= FOLIO_MODEL_MIN_PROB || !v.keyword) &&
		    (!title || !strcmp(mt, title))) {
			type = mt;
			conf = p;
			snprintf(buf, sizeof(buf), "model: %.2f", (double)p);
		}
	}
	if (folio_doc_set_str(&doc->doc_type, type) || folio_doc_set_str(&doc->type_reason, buf))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	doc->type_conf = conf;
	return FOLIO_OK;
}

void folio_classify_set_model(struct folio_classifier *c, struct folio_model *m)
{
	if (c->model != m)
		folio_model_free(c->model);
	c->model = m;
}

int folio_classify_load_model(struct folio_classifier *c, const char *path, struct folio_err *err)
{
	struct folio_err tmp = { 0 };
	struct folio_model *m;

	if (!err)
		err = &tmp;
	if (access(path, F_OK) && errno == ENOENT)
		return folio_err_set(err, FOLIO_WARN, FOLIO_E_NOTFOUND, ENOENT,
				     "no model '%s': classifying by rules only", path);
	if (!(m = folio_model_load(path, err)))
		return err->kind == FOLIO_E_NOMEM ? FOLIO_FATAL : FOLIO_FAILED;
	folio_classify_set_model(c, m);
	return FOLIO_OK;
}

const struct folio_model *folio_classify_model(const struct folio_classifier *c)
{
	return c ? c->model : NULL;
}
