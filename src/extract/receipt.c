/*
 * receipt.c - the gross total and the date of a till receipt, read from its
 * lines as a whole.
 *
 * A till receipt is one narrow column of "LABEL ... AMOUNT" lines, and most
 * of its amounts are not the total: a subtotal before a discount, the VAT
 * summary (PTU, IVA, MwSt, GST, PVN), the cash tendered and the change, a
 * tip, a card slip, the savings. The layout reader takes the value of any
 * total-like label ("SUMA PTU", "VAT TOTAL" and "Total incl. tip" among
 * them). Here each amount line is classed by its words (total, subtotal,
 * discount, rounding, cash, change, card, tax, tip, other) and every
 * total-labelled amount is checked against what else the receipt prints:
 * the card payment, cash minus change, subtotal minus discount or plus
 * rounding. The best-supported amount is the gross total, as sure as its
 * support; the layout's other readings of the gross total are dropped.
 * The lines are Tesseract's (they follow a skewed photo's baselines); when
 * they hold no total, the words' boxes regrouped as visual lines are tried.
 *
 * The date: a receipt prints it without a label and beside the time, and
 * may print other dates (return by, valid until) that are not its own.
 *
 * Only pages that read as receipts (two or more receipt words: a receipt
 * title, cash and change, card, a cashier) are looked at.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/util.h"

#define LINE_MAX_BYTES 512
#define MAX_WORDS 24
#define WORD_MAX 32

enum kind {
	K_OTHER,
	K_TOTAL,
	K_SUB,
	K_DISCOUNT,
	K_ROUNDING,
	K_CASH,
	K_CHANGE,
	K_CARD,
	K_TAX,
	K_TIP,
	K_COUNT,
};

/* folded (lower-case ASCII) words; see folio_fold_key_to() */
/* clang-format off */
static const char *const total_w[] = {
	"suma", "razem", "total", "totale", "summe", "gesamt", "gesamtbetrag", "endsumme",
	"kopa", "kopsumma", "apmaksai", "zahlen", "zaplaty", "pagar", "pagare", "balance",
	"due", "pay", "payable", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const sub_w[] = {
	"subtotal", "sub", "subtotale", "zwischensumme", "podsuma", "starpsumma", "subtot",
	NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const discount_w[] = {
	"discount", "rabat", "rabatt", "descuento", "sconto", "desconto", "atlaide", "saved",
	"save", "sparen", "ahorro", "risparmio", "poupou", "oszczedzasz", "ietaupijums",
	"savings", "promocja", "upust", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const rounding_w[] = {
	"rounding", "adj", "adjustment", "zaokraglenie", "rundung", "arredondamento",
	"arrotondamento", "redondeo", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const cash_w[] = {
	"cash", "efectivo", "gotowka", "bar", "bargeld", "numerario", "contante", "contanti",
	"skaidra", "nauda", "tendered", "entregado", "gegeben", "dinheiro", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const change_w[] = {
	"change", "cambio", "reszta", "ruckgeld", "wechselgeld", "resto", "troco", "atlikums",
	"vuelto", "baki", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const card_w[] = {
	"karta", "card", "tarjeta", "visa", "mastercard", "master", "karte", "girocard", "ec",
	"multibanco", "cartao", "elettronico", "debit", "credit", "credito", "kartenzahlung",
	"bankas", "platnicza", "maestro", "amex", "kwota", "betrag", "importe", "importo",
	"montante", "amount", "summa", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const tax_w[] = {
	"ptu", "vat", "iva", "mwst", "ust", "gst", "pvn", "tax", "steuer", "imposta", "netto",
	"net", "nett", "excl", "excluding", "exkl", "base", "sprzedaz", "opodatkowana",
	"imponibile", "apliek", "tva", "sst", NULL,
};
/* clang-format on */
/* a tax word beside one of these names the gross: "Total (incl. GST)" */
/* clang-format off */
static const char *const incl_w[] = {
	"incl", "inkl", "inclusive", "including", "inc", "com", "con", "ivato", "ivata",
	"brutto", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const tip_w[] = {
	"tip", "tips", "propina", "trinkgeld", "mancia", "napiwek", "gratuity", "dzeramnauda",
	"gorjeta", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const count_w[] = {
	"qty", "items", "item", "artikel", "pozycji", "articulos", "artigos", "pezzi", "skaits",
	"anzahl", "ilosc", NULL,
};
/* clang-format on */
/* words that make a page a receipt (two distinct ones needed) */
/* clang-format off */
static const char *const cue_w[] = {
	"paragon", "fiskalny", "kassenbon", "bon", "ticket", "simplificada", "simplificata",
	"scontrino", "commerciale", "receipt", "beleg", "ceks", "kvits", "kasjer", "kasse",
	"cashier", "cajero", "cassa", "caixa", "operador", "change", "cambio", "reszta",
	"ruckgeld", "resto", "troco", "atlikums", "cash", "efectivo", "gotowka", "bar",
	"numerario", "contante", "karta", "card", "tarjeta", "girocard", "multibanco",
	"kartenzahlung", "karte", "visa", "mastercard", "maestro", "cartao", "bankas",
	"skaidra", "wechselgeld", "vuelto", "tendered", "rounding", "gotowka", "contanti",
	"thank", "danke", "dank", "gracias", "grazie", "obrigado", "dziekujemy", "paldies",
	"bill", "kassa", "kase", "kassier", "kassierer", "till", "pos", "terminal", NULL,
};
/* clang-format on */
/* a date after these is not the receipt's ("Umtausch bis 19.03.2024") */
/* clang-format off */
static const char *const not_issue_w[] = {
	"bis", "until", "hasta", "by", "valid", "gultig", "wazny", "scadenza", "expiry", "exp",
	"return", "returns", "devoluciones", "devolucao", "umtausch", "garantie", "garantia",
	"best", "before", "ate", "fino", "lidz", "do", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const date_label_w[] = {
	"data", "fecha", "datum", "date", "datums", NULL,
};
/* clang-format on */

static int in_set(const char *w, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(w, *set))
			return 1;
	return 0;
}

/* The folded words of `s` (letters and digits runs), at most MAX_WORDS. */
static int words_of(const char *s, char w[][WORD_MAX], int max)
{
	char f[LINE_MAX_BYTES];
	int n = 0;
	size_t i = 0;

	folio_fold_key_to(s, f, sizeof(f));
	while (f[i] && n < max) {
		size_t j = 0;

		while (f[i] && !isalnum((unsigned char)f[i]))
			i++;
		while (f[i] && isalnum((unsigned char)f[i])) {
			if (j + 1 < WORD_MAX)
				w[n][j++] = f[i];
			i++;
		}
		if (j) {
			size_t k, alpha = 0;

			w[n][j] = '\0';
			/* OCR reads 0 for O, 1 for l, 5 for S in words: "T0TAL", "5UMA" */
			for (k = 0; k < j; k++)
				alpha += isalpha((unsigned char)w[n][k]) != 0;
			for (k = 0; alpha && k < j; k++)
				w[n][k] = w[n][k] == '0' ? 'o' :
					  w[n][k] == '1' ? 'l' :
					  w[n][k] == '5' ? 's' :
							   w[n][k];
			n++;
		}
	}
	return n;
}

/* Whether `a` and `b` are at most one edit apart (OCR: "Tota1" "Tola"). */
static int one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb)
		return !strcmp(a + i + (i < la), b + i + (i < lb));
	return la > lb ? !strcmp(a + i + 1, b + i) : !strcmp(a + i, b + i + 1);
}

/* A word of `set` at one edit, for words of five letters or more. */
static int near_in(char w[][WORD_MAX], int n, const char *const *set)
{
	int i;

	for (i = 0; i < n; i++)
		for (const char *const *p = set; *p; p++)
			if (strlen(*p) >= 5 && strlen(w[i]) >= 4 && one_edit(w[i], *p))
				return 1;
	return 0;
}

static int any_in(char w[][WORD_MAX], int n, const char *const *set)
{
	int i;

	for (i = 0; i < n; i++)
		if (in_set(w[i], set))
			return 1;
	return 0;
}

static enum kind classify(char w[][WORD_MAX], int n)
{
	int total = any_in(w, n, total_w);

	if (any_in(w, n, tip_w))
		return K_TIP;
	if (any_in(w, n, sub_w) || (!total && near_in(w, n, sub_w)))
		return K_SUB;
	if (any_in(w, n, rounding_w))
		return K_ROUNDING;
	if (any_in(w, n, discount_w))
		return K_DISCOUNT;
	if (any_in(w, n, change_w))
		return K_CHANGE;
	if (any_in(w, n, count_w))
		return K_COUNT;
	if (any_in(w, n, tax_w) && !(total && any_in(w, n, incl_w)))
		return K_TAX;
	if (any_in(w, n, cash_w))
		return K_CASH;
	if (total)
		return K_TOTAL;
	if (any_in(w, n, card_w))
		return K_CARD;
	/* the label misread ("Tola", "T0TA1"): a total still */
	if (near_in(w, n, total_w))
		return K_TOTAL;
	return K_OTHER;
}

/* Whether `t` ends like a receipt amount: digits, a decimal separator and
 * exactly two digits ("12,34", "1.234,56", "-0,02"). */
static int two_decimals(const char *t, size_t n)
{
	return n >= 4 && isdigit((unsigned char)t[n - 1]) && isdigit((unsigned char)t[n - 2]) &&
	       (t[n - 3] == ',' || t[n - 3] == '.') && isdigit((unsigned char)t[n - 4]);
}

/*
 * The amount the line ends with, in cents, and where its label ends
 * (bytes of `line`). Skipped at the end: a VAT class letter ("17,10 A",
 * "17,10B", "SR"), a currency ("PLN", "EUR"), a stray mark ("|"); before
 * the number a currency symbol or code ("£0.85", "RM 12.50", "EUR
 * 101,71"). Returns 1 or 0.
 */
static int line_amount(const char *line, long long *cents, size_t *label_end)
{
	char buf[LINE_MAX_BYTES];
	size_t n = strlen(line), e, b;
	struct folio_amount a;
	int neg = 0;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, line, n + 1);
	e = n;
	for (;;) {
		while (e && isspace((unsigned char)buf[e - 1]))
			e--;
		b = e;
		while (b && !isspace((unsigned char)buf[b - 1]))
			b--;
		if (b == e)
			return 0;
		/* a class letter or a currency after the amount */
		if (e - b <= 3 && !isdigit((unsigned char)buf[b]) && b > 0) {
			int alpha = 1;
			size_t k;

			/* or OCR's stray marks: "16,58 |" */
			for (k = b; k < e; k++)
				if (!isalpha((unsigned char)buf[k]) && !strchr("*|:;)]'\"", buf[k]))
					alpha = 0;
			if (alpha) {
				e = b;
				continue;
			}
		}
		break;
	}
	/* OCR's stray marks after the number: "27,26," "15,78)" "0,18]" */
	while (e - b > 4 && strchr(",.;:)]|'\"", buf[e - 1]))
		e--;
	/* "17,10B": the class letter stuck to the amount */
	if (e - b >= 5 && isalpha((unsigned char)buf[e - 1]) && isdigit((unsigned char)buf[e - 2]))
		e--;
	buf[e] = '\0';
	/* "3, 23": OCR split the decimals off */
	if (e - b == 2 && isdigit((unsigned char)buf[b]) && isdigit((unsigned char)buf[b + 1]) &&
	    b >= 3 && buf[b - 1] == ' ' && (buf[b - 2] == ',' || buf[b - 2] == '.')) {
		memmove(&buf[b - 1], &buf[b], 3);
		e--;
		b--;
		while (b && !isspace((unsigned char)buf[b - 1]))
			b--;
	}
	if (!two_decimals(&buf[b], e - b))
		return 0;
	/* a currency before the number, in the same word or the one before */
	{
		size_t s = b;

		if (buf[s] == '-') {
			neg = 1;
			s++;
		}
		while (s < e && !isdigit((unsigned char)buf[s]))
			s++;
		if (s == e || folio_amount_parse(&buf[s], buf[e - 3], &a) != e - s)
			return 0;
		if (s > b && buf[s - 1] == '-')
			neg = 1;
	}
	*cents = folio_amount_cents(&a) * (neg ? -1 : 1);
	*label_end = b;
	return 1;
}

struct amt {
	enum kind kind;
	long long cents;
	long long row; /* a VAT breakdown row's gross (base + tax); 0 none */
};

#define MAX_AMOUNTS 256

static int fmt_cents(long long c, char *buf, size_t n)
{
	struct folio_amount a = { c, 2 };

	return folio_amount_format(&a, buf, n) != NULL;
}

/* Drop the candidates named `name` from pages (not exact sources) whose
 * value is not `keep`. */
static void drop_others(struct folio_cands *out, const char *name, const char *keep)
{
	size_t i, j = 0;

	for (i = 0; i < out->n; i++) {
		struct folio_cand *c = &out->v[i];

		if (!strcmp(c->name, name) && strcmp(c->value, keep) &&
		    (c->src == FOLIO_SRC_OCR || c->src == FOLIO_SRC_TEXT)) {
			free(c->name);
			free(c->value);
			free(c->raw);
			continue;
		}
		out->v[j++] = *c;
	}
	out->n = j;
}

/*
 * Whether the receipt supports `v` as its total, and how strongly: a total
 * line printing it counts 2; each witness 1: a card line printing it, the
 * cash minus the change, a subtotal less a discount (or with the rounding,
 * or alone when nothing was taken off), the VAT breakdown's rows (base
 * plus tax) added up. *arith (may be NULL): the witnesses of arithmetic
 * (all but the card line).
 */
static int support(const struct amt *am, size_t n, long long v, int *arith)
{
	long long cash = 0, change = 0, rows = 0;
	int have_cash = 0, have_change = 0, have_disc = 0, have_round = 0, nrows = 0, s = 0, a = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		switch (am[i].kind) {
		case K_TOTAL:
			if (am[i].cents == v)
				s += 2;
			break;
		case K_CARD:
			if (am[i].cents == v)
				s++;
			break;
		case K_CASH:
			if (!have_cash)
				cash = am[i].cents;
			have_cash = 1;
			break;
		case K_CHANGE:
			if (!have_change)
				change = am[i].cents;
			have_change = 1;
			break;
		case K_DISCOUNT: have_disc = 1; break;
		case K_ROUNDING: have_round = 1; break;
		default: break;
		}
		if (am[i].row) {
			rows += am[i].row;
			nrows++;
		}
	}
	if (have_cash && have_change && cash - change == v)
		a++;
	/* any subtotal (a receipt may print one before and one after the
	 * discounts) with any discount or rounding */
	for (i = 0; i < n; i++) {
		int ok = 0;

		if (am[i].kind != K_SUB)
			continue;
		if (!have_disc && !have_round && am[i].cents == v)
			ok = 1;
		for (j = 0; j < n && !ok; j++) {
			long long d = am[j].cents < 0 ? -am[j].cents : am[j].cents;

			if (am[j].kind == K_DISCOUNT && am[i].cents - d == v)
				ok = 1;
			if (am[j].kind == K_ROUNDING &&
			    (am[i].cents + am[j].cents == v || am[i].cents - am[j].cents == v))
				ok = 1;
		}
		if (ok) {
			a++;
			break;
		}
	}
	if (nrows && rows == v)
		a++;
	if (arith)
		*arith = a;
	return s + a;
}

/* Drop the page readings of the gross total that are amounts of decoy
 * lines (the change, the cash given, the VAT, a tip) and of no total or
 * card line: a total label whose own amount OCR lost took its neighbour's. */
static void drop_decoys(struct folio_cands *out, const struct amt *am, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < out->n; i++) {
		struct folio_cand *c = &out->v[i];
		struct folio_amount a;
		int decoy = 0, total = 0;

		if (!strcmp(c->name, "gross_total") &&
		    (c->src == FOLIO_SRC_OCR || c->src == FOLIO_SRC_TEXT) &&
		    folio_amount_parse(c->value, '.', &a) == strlen(c->value)) {
			long long v = folio_amount_cents(&a);

			for (j = 0; j < n; j++) {
				if (am[j].cents != v)
					continue;
				if (am[j].kind == K_TOTAL || am[j].kind == K_CARD)
					total = 1;
				else if (am[j].kind != K_OTHER && am[j].kind != K_SUB)
					decoy = 1;
			}
		}
		if (decoy && !total) {
			free(c->name);
			free(c->value);
			free(c->raw);
			continue;
		}
		out->v[k++] = *c;
	}
	out->n = k;
}

struct pick {
	long long cents;
	int score;     /* support(); 0: none */
	int labelled;  /* a total line prints it */
	int corrected; /* a total line prints it with one digit misread */
	int rank;      /* for ties: choose_total() */
};

/* Whether the decimal digits of `a` and `b` are one edit apart: 1 for
 * OCR's misread digit (0 for 8, 3 for 9), 2 for a digit lost or doubled,
 * 0 neither. */
static int one_digit_off(long long a, long long b)
{
	char x[24], y[24];

	snprintf(x, sizeof(x), "%lld", a < 0 ? -a : a);
	snprintf(y, sizeof(y), "%lld", b < 0 ? -b : b);
	if (!strcmp(x, y) || !one_edit(x, y))
		return 0;
	return strlen(x) == strlen(y) ? 1 : 2;
}

#define MAX_DERIVED 32
#define MAX_CANDS (MAX_AMOUNTS + MAX_DERIVED)
static void derived(long long *cand, size_t *nc, long long v)
{
	if (v > 0 && *nc < MAX_CANDS)
		cand[(*nc)++] = v;
}

/*
 * The best-supported total of the amounts `am`. The candidates: the
 * amounts of total and card lines, and what the receipt's arithmetic
 * gives (cash minus change, subtotal less discount or with rounding, the
 * VAT breakdown's sum). An amount the arithmetic gives that a total line
 * prints with one digit off ("Total 21,26" where the VAT rows add up to
 * 27,26) is that line's amount misread: it counts as printed. Ties go to
 * a printed total, then to a misread digit over a digit lost or doubled,
 * then to the larger.
 */
static void choose_total(const struct amt *am, size_t n, struct pick *p)
{
	long long cand[MAX_CANDS], rows = 0, cash = 0;
	size_t i, j, nc = 0;
	int have_cash = 0, nrows = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		if ((am[i].kind == K_TOTAL || am[i].kind == K_CARD) && am[i].cents > 0)
			cand[nc++] = am[i].cents;
		if (am[i].row) {
			rows += am[i].row;
			nrows++;
		}
	}
	if (nrows)
		derived(cand, &nc, rows);
	for (i = 0; i < n; i++) {
		if (am[i].kind == K_CASH && !have_cash) {
			have_cash = 1;
			cash = am[i].cents;
		} else if (am[i].kind == K_CHANGE && have_cash && cash > am[i].cents) {
			derived(cand, &nc, cash - am[i].cents);
			have_cash = 2;
		}
		if (am[i].kind != K_SUB)
			continue;
		derived(cand, &nc, am[i].cents);
		for (j = 0; j < n; j++) {
			long long d = am[j].cents < 0 ? -am[j].cents : am[j].cents;

			if (am[j].kind == K_DISCOUNT)
				derived(cand, &nc, am[i].cents - d);
			if (am[j].kind == K_ROUNDING) {
				derived(cand, &nc, am[i].cents + am[j].cents);
				derived(cand, &nc, am[i].cents - am[j].cents);
			}
		}
	}
	for (i = 0; i < nc; i++) {
		int arith = 0, s = support(am, n, cand[i], &arith), near = 0, rank;

		for (j = 0; j < n; j++)
			if (am[j].kind == K_TOTAL) {
				int off = one_digit_off(am[j].cents, cand[i]);

				if (am[j].cents == cand[i])
					near = -1;
				else if (off && near >= 0 && (!near || off < near))
					near = off;
			}
		/* a misread total, with a witness of its own: any for a digit
		 * misread, the arithmetic's for a digit lost or doubled (a
		 * card line's "5,84" under "GESAMT 58,44" is the tip's) */
		if ((near == 1 && s >= 1) || (near == 2 && arith >= 1))
			s += 2;
		else if (near > 0)
			near = 0;
		/* ties: printed, then misread by a digit, then a digit
		 * lost or doubled, then the larger */
		rank = near < 0 ? 3 : near == 1 ? 2 : near == 2 ? 1 : 0;
		if (s > p->score || (s == p->score && s && rank > p->rank) ||
		    (s == p->score && s && rank == p->rank && cand[i] > p->cents)) {
			p->score = s;
			p->cents = cand[i];
			p->rank = rank;
			p->labelled = near < 0;
			p->corrected = near > 0;
		}
	}
}

/* Whether no reading of the gross total from the page (OCR or text) has
 * any support among the receipt's amounts (none at all is none either). */
static int unsupported(const struct folio_cands *out, const struct amt *am, size_t n)
{
	size_t i;

	for (i = 0; i < out->n; i++) {
		const struct folio_cand *c = &out->v[i];
		struct folio_amount a;

		if (strcmp(c->name, "gross_total"))
			continue;
		if ((c->src != FOLIO_SRC_OCR && c->src != FOLIO_SRC_TEXT) ||
		    folio_amount_parse(c->value, '.', &a) != strlen(c->value) ||
		    support(am, n, folio_amount_cents(&a), NULL) > 0)
			return 0;
	}
	return 1;
}

static int emit_total(const struct amt *am, size_t n, const struct pick *p, struct folio_cands *out,
		      int page, enum folio_source src)
{
	char buf[40];
	float conf;

	drop_decoys(out, am, n);
	if (!p->score || !fmt_cents(p->cents, buf, sizeof(buf)))
		return 0;
	conf = p->score >= 4 ? 0.96f :
	       p->score == 3 ? 0.9f :
	       p->score == 2 ? (p->labelled ? 0.7f : 0.75f) :
			       0.45f;
	/* a misread total put right is as sure as its witnesses, no more */
	if (p->corrected)
		conf = p->score >= 4 ? 0.85f : 0.75f;
	/* a label, or two witnesses that agree (cash minus change and
	 * subtotal minus discount), outweigh the page's other readings; one
	 * witness (the card line) outweighs readings nothing on the receipt
	 * supports ("Total Sales 106. 72" read as 106.00) */
	if (p->labelled || p->corrected || p->score >= 2 || unsupported(out, am, n)) {
		drop_others(out, "gross_total", buf);
		return folio_cands_add(out, "gross_total", buf, NULL, conf, src, page, NULL);
	}
	return 0;
}

/*
 * A VAT breakdown row's gross: "IVA 6% 51,32 3,08", "SR @ 6% 296.77
 * 17.81", "A 19% 20,07 3,81 23,88" (a rate, then base and tax, perhaps
 * the row's gross). The tax must be the rate of the base (within a cent
 * and a percent; a rate OCR lost: at most 30% of it), or the three must
 * add up. 0 when the line is no such row.
 */
#define ROW_AMOUNTS 4
static long long tax_row(const char *line)
{
	long long a[ROW_AMOUNTS], rate = -1, base, tax, want;
	int na = 0, pct = 0;
	const char *t = line;

	while (*t) {
		size_t n, k;
		char tok[64];
		struct folio_amount am;

		while (*t && isspace((unsigned char)*t))
			t++;
		n = strcspn(t, " \t");
		if (!n)
			break;
		if (n < sizeof(tok)) {
			memcpy(tok, t, n);
			tok[n] = '\0';
			k = n;
			if (memchr(tok, '%', n)) {
				/* the rate: "21%", "23,00%", "6.0%" */
				pct = 1;
				if (isdigit((unsigned char)tok[0]) && rate < 0) {
					rate = strtol(tok, NULL, 10);
					if (rate < 0 || rate > 30)
						rate = -1;
				}
			} else {
				/* a class letter or stray mark after the amount */
				while (k > 4 && !isdigit((unsigned char)tok[k - 1]))
					tok[--k] = '\0';
				if (two_decimals(tok, k) && isdigit((unsigned char)tok[0]) &&
				    folio_amount_parse(tok, tok[k - 3], &am) == k) {
					if (na == ROW_AMOUNTS)
						return 0;
					a[na++] = folio_amount_cents(&am);
				}
			}
		}
		t += n;
	}
	if (!pct || na < 2)
		return 0;
	if (na >= 3) {
		base = a[na - 3];
		tax = a[na - 2];
		return base + tax == a[na - 1] && tax < base ? a[na - 1] : 0;
	}
	base = a[0];
	tax = a[1];
	if (tax <= 0 || tax >= base)
		return 0;
	if (rate < 0)
		return tax * 100 <= base * 30 ? base + tax : 0;
	want = base * rate;
	/* |base * rate / 100 - tax| <= 1 cent + 1% of the tax */
	return llabs(want - tax * 100) <= 100 + tax ? base + tax : 0;
}

/* Append the amount lines of `text` to *am (classed by their labels). */
static int collect(const char *s, struct amt **am, size_t *nam)
{
	while (*s) {
		char line[LINE_MAX_BYTES], w[MAX_WORDS][WORD_MAX];
		size_t len = strcspn(s, "\n"), lend;
		long long cents;

		if (len < sizeof(line)) {
			memcpy(line, s, len);
			line[len] = '\0';
			if (line_amount(line, &cents, &lend) && *nam < MAX_AMOUNTS) {
				long long row = tax_row(line);
				int nw;

				line[lend] = '\0';
				nw = words_of(line, w, MAX_WORDS);
				if (*nam % 32 == 0) {
					struct amt *na = realloc(*am, (*nam + 32) * sizeof(**am));

					if (!na)
						return -1;
					*am = na;
				}
				(*am)[*nam].kind = classify(w, nw);
				/* an amount taken off under no label of its own
				 * ("Zwischensumme 72,90" then "-0,82") */
				if ((*am)[*nam].kind == K_OTHER && cents < 0)
					(*am)[*nam].kind = K_DISCOUNT;
				(*am)[*nam].cents = cents;
				(*am)[*nam].row = row;
				(*nam)++;
			}
		}
		s += len;
		if (*s)
			s++;
	}
	return 0;
}

/*
 * A receipt's currency when nothing on it names one: the country its tax
 * words belong to ("PTU", "NIP": Poland; "GST", "SDN BHD", "RM":
 * Malaysia; "PVN", "MwSt", "IVA": the euro; "VAT No: GB": the pound).
 * Each word votes for its currency; `votes` is indexed like `cur_codes`.
 */
static const char *const cur_codes[] = { "PLN", "MYR", "EUR", "GBP" };
/* clang-format off */
static const struct {
	const char *word;
	int cur;
} cur_words[] = {
	{ "ptu", 0 }, { "nip", 0 }, { "pln", 0 }, { "zl", 0 }, { "paragon", 0 },
	{ "sdn", 1 }, { "bhd", 1 }, { "rm", 1 }, { "myr", 1 }, { "gst", 1 }, { "malaysia", 1 },
	{ "pvn", 2 }, { "mwst", 2 }, { "ust", 2 }, { "idnr", 2 }, { "iva", 2 }, { "nif", 2 },
	{ "piva", 2 }, { "eur", 2 }, { "euro", 2 }, { "kopa", 2 }, { "gb", 3 }, { "gbp", 3 },
};
/* clang-format on */

static void currency_votes(char w[][WORD_MAX], int n, int votes[4])
{
	int i;
	size_t k;

	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(cur_words) / sizeof(cur_words[0]); k++)
			if (!strcmp(w[i], cur_words[k].word))
				votes[cur_words[k].cur]++;
}

/* hh:mm somewhere in the line */
static int has_time(const char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)s[0]) && s[1] == ':' && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3]))
			return 1;
	return 0;
}

#define MAX_FULL 8
struct date_pick {
	char date[11];
	int score;
	int page;
	char alt[11];		 /* the best one's year-first reading, "" none */
	char full[MAX_FULL][11]; /* dates printed with four-digit years */
	int nfull;
};

/*
 * A date of three two-digit numbers ("23-04-20") read year first
 * ("2023-04-20") into alt; "" when it is no such date or that reading is
 * no date. A receipt printer may print the year first: when the page
 * prints the same date with its four-digit year elsewhere, that reading
 * is the one (folio_date_parse() reads the day first).
 */
static void year_first(const char *s, size_t used, char alt[11])
{
	char iso[11];

	alt[0] = '\0';
	if (used != 8 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !strchr("./-", s[2]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]) || s[5] != s[2] || !isdigit((unsigned char)s[6]) ||
	    !isdigit((unsigned char)s[7]))
		return;
	snprintf(iso, sizeof(iso), "20%c%c-%c%c-%c%c", s[0], s[1], s[3], s[4], s[6], s[7]);
	if (folio_date_parse(iso, FOLIO_YMD, alt) != 10)
		alt[0] = '\0';
}

/*
 * A date as OCR misreads it on a photo: a blurred 0 read as 6, 8, 9, O,
 * D or (R); 1 as l, I or |; 5 as S. When a date-shaped run of `s` (digits
 * and those look-alikes between separators) does not parse as printed,
 * its look-alike letters are read as the digits they resemble, and then
 * each 6, 8 or 9 of the day and month in turn as 0, until it parses.
 * Only on a line that also prints the time or a date label (the caller):
 * "07/63/23 13:36" is the 7th of March. Returns the bytes of `s` used,
 * 0 when no repair gives a date.
 */
#define REPAIR_MAX 12
static size_t date_repaired(const char *s, char out[11])
{
	char buf[REPAIR_MAX + 1];
	size_t used = 0, n = 0, k, end;
	int seps = 0;

	while (s[used] && n < REPAIR_MAX) {
		unsigned char c = (unsigned char)s[used];
		char d = isdigit(c)	   ? (char)c :
			 strchr("ODQo", c) ? '0' :
			 strchr("lI|", c)  ? '1' :
			 c == 'S'	   ? '5' :
					     0;

		/* (R) and (C) as a blurred 0: two bytes in UTF-8 */
		if (!d && c == 0xC2 &&
		    ((unsigned char)s[used + 1] == 0xAE || (unsigned char)s[used + 1] == 0xA9)) {
			buf[n++] = '0';
			used += 2;
			continue;
		}
		if (!d && (c == '.' || c == '/' || c == '-') && n && seps < 2) {
			d = (char)c;
			seps++;
		}
		if (!d)
			break;
		buf[n++] = d;
		used++;
	}
	buf[n] = '\0';
	if (seps < 2 || n < 6)
		return 0;
	if (folio_date_parse(buf, FOLIO_DMY, out) == n)
		return used;
	/* the day and month: the part before the second separator */
	for (end = 0, seps = 0; end < n; end++)
		if (strchr("./-", buf[end]) && ++seps == 2)
			break;
	for (k = 0; k < end; k++) {
		char was = buf[k];

		if (was != '6' && was != '8' && was != '9')
			continue;
		buf[k] = '0';
		if (folio_date_parse(buf, FOLIO_DMY, out) == n)
			return used;
		buf[k] = was;
	}
	return 0;
}

static void date_line(const char *line, int page, struct date_pick *best)
{
	size_t i, n = strlen(line);
	char w[MAX_WORDS][WORD_MAX];
	int nw = words_of(line, w, MAX_WORDS), time = has_time(line);
	int label = any_in(w, nw, date_label_w);

	for (i = 0; i < n; i++) {
		char out[11], pre[LINE_MAX_BYTES];
		size_t used;
		int score, repaired;

		if (!isdigit((unsigned char)line[i]) || (i && isalnum((unsigned char)line[i - 1])))
			continue;
		repaired = 0;
		if (!(used = folio_date_parse(&line[i], FOLIO_DMY, out))) {
			if ((!time && !label) || !(used = date_repaired(&line[i], out)))
				continue;
			repaired = 1;
		}
		if (strncmp(out, "2000", 4) < 0 || strncmp(out, "2099", 4) > 0)
			continue;
		if (!repaired && used == 10 && best->nfull < MAX_FULL)
			memcpy(best->full[best->nfull++], out, sizeof(out));
		/* the words before the date say what it is */
		memcpy(pre, line, i < sizeof(pre) ? i : sizeof(pre) - 1);
		pre[i < sizeof(pre) ? i : sizeof(pre) - 1] = '\0';
		nw = words_of(pre, w, MAX_WORDS);
		score = 1 + (time ? 2 : 0) + (any_in(w, nw, date_label_w) ? 1 : 0) -
			(any_in(w, nw, not_issue_w) ? 4 : 0) - repaired;
		if (score > best->score) {
			best->score = score;
			memcpy(best->date, out, sizeof(out));
			best->page = page;
			if (repaired)
				best->alt[0] = '\0';
			else
				year_first(&line[i], used, best->alt);
		}
		i += used - 1;
	}
}

/* a word's place: twice its vertical centre (no halves), its left edge */
struct place {
	int c2, x, h;
	size_t i;
};

static int by_centre(const void *a, const void *b)
{
	const struct place *x = a, *y = b;

	return x->c2 < y->c2 ? -1 : x->c2 > y->c2;
}

static int by_x(const void *a, const void *b)
{
	const struct place *x = a, *y = b;

	return x->x < y->x ? -1 : x->x > y->x;
}

/*
 * The page's text as visual lines: words whose vertical centres agree,
 * left to right. Tesseract puts a receipt's right-aligned amounts in a
 * block of their own ("SUMA PLN" on one line, "52,81" lines later): the
 * words' boxes put them back beside their labels. NULL on ENOMEM; the
 * page's own text (a copy) when it has no word boxes.
 */
static char *visual_text(const struct folio_page *pg)
{
	struct place *pl;
	size_t i, start, len = 0, cap = 1;
	char *buf;

	if (!pg->nwords)
		return strdup(pg->text ? pg->text : "");
	for (i = 0; i < pg->nwords; i++)
		cap += strlen(pg->words[i].text) + 1;
	if (!(pl = malloc(pg->nwords * sizeof(*pl))) || !(buf = malloc(cap))) {
		free(pl);
		return NULL;
	}
	for (i = 0; i < pg->nwords; i++) {
		pl[i].c2 = 2 * pg->words[i].y + pg->words[i].h;
		pl[i].x = pg->words[i].x;
		pl[i].h = pg->words[i].h > 0 ? pg->words[i].h : 1;
		pl[i].i = i;
	}
	folio_sort(pl, pg->nwords, sizeof(*pl), by_centre);
	for (start = 0; start < pg->nwords;) {
		size_t end = start + 1;

		/* the same line: centre within half the first word's height */
		while (end < pg->nwords && pl[end].c2 - pl[start].c2 <= pl[start].h)
			end++;
		folio_sort(pl + start, end - start, sizeof(*pl), by_x);
		for (i = start; i < end; i++) {
			const char *t = pg->words[pl[i].i].text;
			size_t n = strlen(t);

			memcpy(buf + len, t, n);
			len += n;
			buf[len++] = i + 1 < end ? ' ' : '\n';
		}
		start = end;
	}
	buf[len] = '\0';
	free(pl);
	return buf;
}

/* Whether the page's text reads as a receipt: two distinct receipt words
 * (cue_w) among its lines. */
static int is_receipt(const char *s)
{
	char seen[64][WORD_MAX];
	int nseen = 0;

	while (*s && nseen < 2) {
		char line[LINE_MAX_BYTES], w[MAX_WORDS][WORD_MAX];
		size_t len = strcspn(s, "\n");
		int nw, k, j;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		nw = words_of(line, w, MAX_WORDS);
		for (k = 0; k < nw && nseen < 64; k++)
			if (in_set(w[k], cue_w)) {
				for (j = 0; j < nseen && strcmp(seen[j], w[k]); j++)
					;
				if (j == nseen)
					memcpy(seen[nseen++], w[k], WORD_MAX);
			}
		s += strcspn(s, "\n");
		if (*s)
			s++;
	}
	return nseen >= 2;
}

/* The date candidates (into *dp) and the currency votes of the lines of
 * `s`, page `page`. */
static void scan_lines(const char *s, int page, struct date_pick *dp, int votes[4])
{
	while (*s) {
		char line[LINE_MAX_BYTES], w[MAX_WORDS][WORD_MAX];
		size_t len = strcspn(s, "\n");

		if (len < sizeof(line)) {
			memcpy(line, s, len);
			line[len] = '\0';
			date_line(line, page, dp);
			currency_votes(w, words_of(line, w, MAX_WORDS), votes);
		}
		s += len;
		if (*s)
			s++;
	}
}

/* The amounts of the receipt pages `recp` read as visual lines: they replace
 * *am and *pk when their total is better supported. -1 on ENOMEM. */
static int try_visual(const struct folio_doc *doc, const size_t *recp, size_t nrecp,
		      struct amt **am, size_t *nam, struct pick *pk)
{
	struct amt *av = NULL;
	size_t nav = 0, k;
	struct pick pv;
	char *text;

	for (k = 0; k < nrecp; k++) {
		if (!(text = visual_text(&doc->pages[recp[k]])) || collect(text, &av, &nav)) {
			free(text);
			free(av);
			return -1;
		}
		free(text);
	}
	choose_total(av, nav, &pv);
	if (pv.score > pk->score) {
		free(*am);
		*am = av;
		*nam = nav;
		*pk = pv;
	} else {
		free(av);
	}
	return 0;
}

/* The currency most tax words voted for, when nothing on the page named
 * one. -1 on ENOMEM. */
static int emit_currency(struct folio_cands *out, const int votes[4], enum folio_source src,
			 int page)
{
	int k, best = 0;

	if (folio_cands_find(out, "currency", FOLIO_SRC_NONE))
		return 0;
	for (k = 1; k < 4; k++)
		if (votes[k] > votes[best])
			best = k;
	if (votes[best] &&
	    folio_cands_add(out, "currency", cur_codes[best], NULL, 0.6f, src, page, NULL))
		return -1;
	return 0;
}

/* The best date as issue_date; a sure one (printed beside the time) drops
 * the other readings. -1 on ENOMEM. */
static int emit_date(struct folio_cands *out, const struct date_pick *dp, enum folio_source src)
{
	float conf;

	if (dp->score <= 0)
		return 0;
	conf = dp->score >= 3 ? 0.85f : 0.7f;
	if (dp->score >= 3)
		drop_others(out, "issue_date", dp->date);
	if (folio_cands_add(out, "issue_date", dp->date, NULL, conf, src, dp->page, NULL))
		return -1;
	return 0;
}

int folio_receipt_extract(const struct folio_doc *doc, struct folio_cands *out)
{
	struct amt *am = NULL;
	size_t nam = 0, p;
	struct date_pick dp;
	int ret = 0, page = 0;
	enum folio_source src = FOLIO_SRC_OCR;
	int votes[4] = { 0 };
	size_t recp[4], nrecp = 0;
	struct pick pk;
	int k;

	memset(&dp, 0, sizeof(dp));
	for (p = 0; p < doc->npages && p < 4; p++) {
		const struct folio_page *pg = &doc->pages[p];
		const char *s = pg->text;

		if (!s || pg->source == FOLIO_SRC_NONE || !is_receipt(s))
			continue;
		page = pg->number;
		src = pg->source;
		recp[nrecp++] = p;
		/* Tesseract's own lines: they follow a skewed photo's baselines */
		if (collect(s, &am, &nam))
			goto oom;
		scan_lines(s, pg->number, &dp, votes);
	}
	if (!page)
		goto out;
	/* "23-04-20" read day first, and "2023-04-20" printed too */
	for (k = 0; dp.alt[0] && k < dp.nfull; k++)
		if (!strcmp(dp.full[k], dp.alt))
			memcpy(dp.date, dp.alt, sizeof(dp.date));
	choose_total(am, nam, &pk);
	/* no total there (Tesseract put the right-aligned amounts in a block
	 * of their own, lines away from their labels): the words' boxes as
	 * visual lines, when they say more */
	if (!pk.labelled && pk.score < 2 && try_visual(doc, recp, nrecp, &am, &nam, &pk))
		goto oom;
	if (emit_total(am, nam, &pk, out, page, src))
		goto oom;
	if (emit_currency(out, votes, src, page) || emit_date(out, &dp, src))
		goto oom;
	goto out;
oom:
	ret = -1;
out:
	free(am);
	return ret;
}
