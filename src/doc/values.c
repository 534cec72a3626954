/*
 * values.c - amounts and dates as printed on invoices; see include/folio/values.h.
 *
 * Both parsers read a prefix of their input and say how many bytes they
 * used, so the layout reader can walk a line of words. They are written for
 * OCR output: odd spaces (U+00A0, U+202F, U+2009) as thousands separators,
 * typographic minus signs and apostrophes, and diacritics that may or may
 * not have survived recognition.
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "folio/values.h"
#include "folio/util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the space character at p: ASCII space, no-break space,
 * narrow no-break space, thin space; 0 when p is not one. */
static size_t space_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == ' ')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xaf || u[2] == 0x89))
		return 3;
	return 0;
}

static const char *skip_blanks(const char *p)
{
	size_t n;

	for (;;) {
		if (*p == '\t') {
			p++;
			continue;
		}
		n = space_len(p);
		if (!n)
			return p;
		p += n;
	}
}

/* ' or ’ (U+2019), the Swiss thousands separators. */
static size_t apos_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == '\'')
		return 1;
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0x99)
		return 3;
	return 0;
}

/* '-', U+2212 minus sign, U+2013 en dash (PDF text layers use both). */
static size_t minus_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == '-')
		return 1;
	if (u[0] == 0xe2 && ((u[1] == 0x88 && u[2] == 0x92) || (u[1] == 0x80 && u[2] == 0x93)))
		return 3;
	return 0;
}

/* ---- amounts ------------------------------------------------------------ */

/*
 * How a number is read. The digits are first split greedily into groups
 * at separators that sit between two digits: '.', ',', an apostrophe or a
 * single space character. Space and apostrophe are only ever thousands
 * separators; '.' and ',' may be either. A reading is valid when
 *
 *   - there is at most one decimal separator, it is the last separator and
 *     it is followed by 1..6 digits;
 *   - every other separator is the same thousands separator (all spaces
 *     count as one kind), which differs from the decimal one;
 *   - with thousands separators, the first group has 1..3 digits and does
 *     not start with 0, and every later integer group has exactly 3 digits;
 *   - a '.' or ',' that occurs more than once is a thousands separator;
 *     a single one is decimal unless it is followed by exactly three digits
 *     after a 1..3 digit integer part ("1.234"): then `dec` decides, and
 *     without a hint it is read as thousands (invoice totals carry two
 *     decimals, so a bare "1.234" is more often 1234 than 1.234);
 *   - at most 12 integer digits.
 *
 * A space may also end the number ("1 234,56 23%"), so when the whole
 * run is not a valid reading, shorter readings that stop before a space
 * are tried, longest first. '.' and ',' never end a number that way:
 * "12.03.2024" is refused as a whole instead of read as 12.03, and a
 * number followed by '-', '/' or ':' and a digit (an ISO date, "123/2024",
 * a time, a range) is refused too.
 */

#define AMT_MAXG 16

struct amt_group {
	const char *p; /* first digit */
	int len;       /* digits */
	int sep;       /* separator before it: 0, '.', ',', ' ' or '\'' */
};

static int amt_groups(const char *p, struct amt_group *g, const char **end)
{
	int n = 0;
	size_t sl;
	int sep = 0;

	for (;;) {
		const char *q = p;

		if (n == AMT_MAXG)
			return -1;
		while (is_digit(*q))
			q++;
		g[n].p = p;
		g[n].len = (int)(q - p);
		g[n].sep = sep;
		n++;
		*end = q;
		if (*q == '.' || *q == ',') {
			sep = *q;
			sl = 1;
		} else if ((sl = space_len(q))) {
			sep = ' ';
		} else if ((sl = apos_len(q))) {
			sep = '\'';
		} else {
			return n;
		}
		if (!is_digit(q[sl]))
			return n;
		p = q + sl;
	}
}

/* Check the reading of g[0..k-1] (rules above); *frac gets the index of
 * the fraction group or -1. */
static int amt_valid(const struct amt_group *g, int k, int dec, int *frac)
{
	int last = k > 1 ? g[k - 1].sep : 0;
	int thou = 0, nlast = 0, nint, i, idig = 0;

	*frac = -1;
	for (i = 1; i < k; i++)
		nlast += g[i].sep == last;
	if (last == '.' || last == ',') {
		if (nlast == 1) {
			*frac = k - 1;
			if (k == 2 && g[1].len == 3 && g[0].len <= 3 && g[0].p[0] != '0') {
				int other = last == '.' ? ',' : '.';

				if (dec != last && (dec == other || dec == 0))
					*frac = -1;
			}
		}
	}
	nint = *frac >= 0 ? k - 1 : k;
	for (i = 1; i < nint; i++) {
		if (!thou)
			thou = g[i].sep;
		if (g[i].sep != thou || g[i].len != 3)
			return 0;
	}
	if (thou && (g[0].len > 3 || g[0].p[0] == '0'))
		return 0;
	for (i = 0; i < nint; i++)
		idig += g[i].len;
	if (idig > 12)
		return 0;
	if (*frac >= 0 && g[*frac].len > 6)
		return 0;
	return 1;
}

size_t folio_amount_parse(const char *s, int dec, struct folio_amount *out)
{
	struct amt_group g[AMT_MAXG];
	const char *p = skip_blanks(s), *end = NULL;
	int neg = 0, paren = 0, k, frac = -1, i, j;
	long long units = 0;
	size_t ml;

	if (*p == '(') {
		paren = 1;
		p++;
	}
	if ((ml = minus_len(p))) {
		neg = 1;
		p += ml;
	} else if (*p == '+') {
		p++;
	}
	if ((*p == '.' || *p == ',') && is_digit(p[1])) {
		/* ",50": only the two-digit tail of a price */
		for (i = 1; is_digit(p[i]); i++)
			;
		if (i > 3 || ((p[i] == '.' || p[i] == ',') && is_digit(p[i + 1])))
			return 0;
		g[0].p = p;
		g[0].len = 0;
		g[0].sep = 0;
		g[1].p = p + 1;
		g[1].len = i - 1;
		g[1].sep = *p;
		k = 2;
		frac = 1;
		end = p + i;
	} else {
		int n;

		if (!is_digit(*p))
			return 0;
		n = amt_groups(p, g, &end);
		if (n < 0)
			return 0;
		for (k = n; k > 0; k--) {
			if (k < n && g[k].sep != ' ')
				continue;
			if (amt_valid(g, k, dec, &frac))
				break;
		}
		if (!k)
			return 0;
		if (k < n)
			end = g[k - 1].p + g[k - 1].len;
	}
	/* refuse dates, ranges, fractions and times: 2024-03-15, 123/2024, 10:30 */
	if ((*end == '-' || *end == '/' || *end == ':') && is_digit(end[1]))
		return 0;
	for (i = 0; i < k; i++) {
		for (j = 0; j < g[i].len; j++)
			units = units * 10 + (g[i].p[j] - '0');
	}
	if (frac < 0 && (*end == ',' || *end == '.') && end[1] == '-') {
		/* "12,-" and "12,--": whole units, common in PL and DE */
		end += 2;
		if (*end == '-')
			end++;
	} else if (*end == '-') {
		/* "12.00-"; but "15-Mar-2024" or "12-szt" is not an amount */
		if (is_alpha(end[1]) || ((unsigned char)end[1] & 0x80) || paren || neg)
			return 0;
		neg = 1;
		end++;
	}
	if (paren) {
		if (*end != ')')
			return 0;
		neg = 1;
		end++;
	}
	out->units = neg ? -units : units;
	out->scale = frac >= 0 ? g[frac].len : 0;
	return (size_t)(end - s);
}

/* clang-format off */
static const long long pow10_tab[19] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
	1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL,
};
/* clang-format on */

char *folio_amount_format(const struct folio_amount *a, char *buf, size_t n)
{
	unsigned long long mag, ip, fp;
	int scale = a->scale;
	char frac[24];

	assert(scale >= 0 && scale <= 18);
	mag = a->units < 0 ? 0ULL - (unsigned long long)a->units : (unsigned long long)a->units;
	ip = mag / (unsigned long long)pow10_tab[scale];
	fp = mag % (unsigned long long)pow10_tab[scale];
	if (scale <= 2) {
		fp *= (unsigned long long)pow10_tab[2 - scale];
		scale = 2;
	}
	snprintf(frac, sizeof(frac), "%0*llu", scale, fp);
	/* canonical: trailing zeros beyond the second decimal dropped */
	while (scale > 2 && frac[scale - 1] == '0')
		frac[--scale] = '\0';
	snprintf(buf, n, "%s%llu.%s", a->units < 0 ? "-" : "", ip, frac);
	return buf;
}

int folio_amount_cmp(const struct folio_amount *a, const struct folio_amount *b)
{
	long long qa, qb, ra, rb;
	int s;

	assert(a->scale >= 0 && a->scale <= 18 && b->scale >= 0 && b->scale <= 18);
	/* integer parts first, then the remainders (same sign as the value,
	 * magnitude below 10^scale) brought to the larger scale: no overflow */
	qa = a->units / pow10_tab[a->scale];
	qb = b->units / pow10_tab[b->scale];
	if (qa != qb)
		return qa < qb ? -1 : 1;
	s = a->scale > b->scale ? a->scale : b->scale;
	ra = (a->units % pow10_tab[a->scale]) * pow10_tab[s - a->scale];
	rb = (b->units % pow10_tab[b->scale]) * pow10_tab[s - b->scale];
	return ra < rb ? -1 : ra > rb;
}

long long folio_amount_cents(const struct folio_amount *a)
{
	long long d, q, r;

	assert(a->scale >= 0 && a->scale <= 18);
	if (a->scale <= 2) {
		if (__builtin_mul_overflow(a->units, pow10_tab[2 - a->scale], &q))
			return a->units < 0 ? LLONG_MIN : LLONG_MAX;
		return q;
	}
	d = pow10_tab[a->scale - 2];
	q = a->units / d;
	r = a->units % d;
	if (r >= d - r)
		q++;
	else if (-r >= d + r)
		q--;
	return q;
}

/* ---- dates -------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int date_ok(int y, int m, int d)
{
	return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Read a run of digits: its value and length (0 when none, or too long). */
static int read_num(const char *p, int *val)
{
	int n = 0, v = 0;

	while (is_digit(p[n])) {
		if (n == 6)
			return 0;
		v = v * 10 + (p[n] - '0');
		n++;
	}
	*val = v;
	return n;
}

static int year_of(int v, int len)
{
	if (len == 4)
		return v;
	if (len == 2)
		return 2000 + v;
	return -1;
}

/* The Polish "r." (roku) after a year: "15 marca 2024 r." */
static const char *skip_roku(const char *p)
{
	const char *q = skip_blanks(p);

	if (*q == 'r' && q[1] == '.')
		return q + 2;
	if (*q == 'r' && !is_alpha(q[1]) && !((unsigned char)q[1] & 0x80))
		return q + 1;
	return p;
}

/*
 * Month names, folded with folio_fold_key (lower case, no diacritics):
 * nominative and genitive (PL), ES, PT, IT, DE (with the "ae" spelling),
 * EN, FR, and the usual abbreviations of each. A name may be shared by
 * languages ("mar", "set") but never by two months.
 */
/* clang-format off */
static const struct month_name {
	const char *name;
	int month;
} month_names[] = {
	{ "january", 1 }, { "jan", 1 }, { "styczen", 1 }, { "stycznia", 1 }, { "sty", 1 },
	{ "enero", 1 }, { "ene", 1 }, { "janeiro", 1 }, { "gennaio", 1 }, { "gen", 1 },
	{ "januar", 1 }, { "janner", 1 }, { "jaenner", 1 }, { "janvier", 1 }, { "janv", 1 },
	{ "february", 2 }, { "feb", 2 }, { "luty", 2 }, { "lutego", 2 }, { "lut", 2 },
	{ "febrero", 2 }, { "fevereiro", 2 }, { "fev", 2 }, { "febbraio", 2 },
	{ "februar", 2 }, { "febr", 2 }, { "fevrier", 2 }, { "fevr", 2 },
	{ "march", 3 }, { "mar", 3 }, { "marzec", 3 }, { "marca", 3 }, { "marzo", 3 },
	{ "marco", 3 }, { "marz", 3 }, { "maerz", 3 }, { "mars", 3 },
	{ "april", 4 }, { "apr", 4 }, { "kwiecien", 4 }, { "kwietnia", 4 }, { "kwi", 4 },
	{ "abril", 4 }, { "abr", 4 }, { "aprile", 4 }, { "avril", 4 }, { "avr", 4 },
	{ "may", 5 }, { "maj", 5 }, { "maja", 5 }, { "mayo", 5 }, { "maio", 5 },
	{ "maggio", 5 }, { "mag", 5 }, { "mai", 5 },
	{ "june", 6 }, { "jun", 6 }, { "czerwiec", 6 }, { "czerwca", 6 }, { "cze", 6 },
	{ "junio", 6 }, { "junho", 6 }, { "giugno", 6 }, { "giu", 6 }, { "juni", 6 },
	{ "juin", 6 },
	{ "july", 7 }, { "jul", 7 }, { "lipiec", 7 }, { "lipca", 7 }, { "lip", 7 },
	{ "julio", 7 }, { "julho", 7 }, { "luglio", 7 }, { "lug", 7 }, { "juli", 7 },
	{ "juillet", 7 }, { "juil", 7 },
	{ "august", 8 }, { "aug", 8 }, { "sierpien", 8 }, { "sierpnia", 8 }, { "sie", 8 },
	{ "agosto", 8 }, { "ago", 8 }, { "aout", 8 },
	{ "september", 9 }, { "sep", 9 }, { "sept", 9 }, { "wrzesien", 9 },
	{ "wrzesnia", 9 }, { "wrz", 9 }, { "septiembre", 9 }, { "setiembre", 9 },
	{ "set", 9 }, { "setembro", 9 }, { "settembre", 9 }, { "septembre", 9 },
	{ "october", 10 }, { "oct", 10 }, { "pazdziernik", 10 }, { "pazdziernika", 10 },
	{ "paz", 10 }, { "octubre", 10 }, { "outubro", 10 }, { "out", 10 },
	{ "ottobre", 10 }, { "ott", 10 }, { "oktober", 10 }, { "okt", 10 },
	{ "octobre", 10 },
	{ "november", 11 }, { "nov", 11 }, { "listopad", 11 }, { "listopada", 11 },
	{ "lis", 11 }, { "noviembre", 11 }, { "novembro", 11 }, { "novembre", 11 },
	{ "december", 12 }, { "dec", 12 }, { "grudzien", 12 }, { "grudnia", 12 },
	{ "gru", 12 }, { "diciembre", 12 }, { "dic", 12 }, { "dezembro", 12 },
	{ "dez", 12 }, { "dicembre", 12 }, { "dezember", 12 }, { "decembre", 12 },
};
/* clang-format on */

/* Bytes of the word at p: ASCII letters and two-byte UTF-8 Latin letters. */
static size_t word_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n = 0;

	for (;;) {
		if (is_alpha(u[n]))
			n++;
		else if (u[n] >= 0xc3 && u[n] <= 0xc5 && (u[n + 1] & 0xc0) == 0x80)
			n += 2;
		else
			return n;
	}
}

/* The word at p folded into buf (lower case ASCII), or 0 when it is not
 * a plain Latin word of at most 24 bytes. Returns its length in bytes. */
static size_t word_fold(const char *p, char *buf, size_t n)
{
	size_t len = word_len(p);
	char raw[32];

	if (!len || len > 24)
		return 0;
	memcpy(raw, p, len);
	raw[len] = '\0';
	/* into the caller's buffer: a date never fails for want of memory */
	folio_fold_key_to(raw, buf, n);
	return len;
}

/* Month number of the name at *pp (and past an abbreviation's dot), or 0. */
static int month_word(const char **pp)
{
	char w[32];
	size_t len = word_fold(*pp, w, sizeof(w)), i;

	if (!len)
		return 0;
	for (i = 0; i < ARRAY_SIZE(month_names); i++) {
		if (!strcmp(w, month_names[i].name)) {
			*pp += len;
			if (**pp == '.')
				(*pp)++;
			return month_names[i].month;
		}
	}
	return 0;
}

/* Between the parts of a written date: blanks and - / , . (at most 4). */
static const char *skip_dsep(const char *p)
{
	int i;

	for (i = 0; i < 4; i++) {
		const char *q = skip_blanks(p);

		if (*q == '-' || *q == '/' || *q == ',' || *q == '.')
			q++;
		if (q == p)
			break;
		p = q;
	}
	return p;
}

/* Skip one of the filler words "de", "del" (ES, PT) or "of" (EN). */
static const char *skip_filler(const char *p)
{
	static const char *const fill[] = { "de", "del", "of" };
	char w[32];
	size_t len = word_fold(p, w, sizeof(w)), i;

	for (i = 0; len && i < ARRAY_SIZE(fill); i++)
		if (!strcmp(w, fill[i]))
			return skip_dsep(p + len);
	return p;
}

/* A day of the month with an optional ordinal suffix: 15, 15th, 1st, 1er,
 * 1º, 1.º, 15. Returns the end, or NULL. */
static const char *read_day(const char *p, int *day)
{
	/* clang-format off */
	static const char *const suf[] = {
		"st", "nd", "rd", "th", "er", "\xc2\xba", "\xc2\xaa", ".\xc2\xba", "\xc2\xb0",
	};
	/* clang-format on */
	int n = read_num(p, day);
	size_t i;

	if (n < 1 || n > 2)
		return NULL;
	p += n;
	for (i = 0; i < ARRAY_SIZE(suf); i++) {
		size_t l = strlen(suf[i]);

		if (!strncasecmp(p, suf[i], l) && !is_alpha(p[l]))
			return p + l;
	}
	return p;
}

static const char *read_year(const char *p, int *year)
{
	int v, n = read_num(p, &v);

	*year = year_of(v, n);
	return *year < 0 ? NULL : p + n;
}

/* "15 marca 2024", "15 de marzo de 2024", "15. März 2024", "15th of
 * March, 2024", "15-Mar-2024" */
static const char *date_day_month(const char *p, int *y, int *m, int *d)
{
	p = read_day(p, d);
	if (!p)
		return NULL;
	p = skip_filler(skip_dsep(p));
	*m = month_word(&p);
	if (!*m)
		return NULL;
	p = skip_filler(skip_dsep(p));
	return read_year(p, y);
}

/* "March 15, 2024", "Mar. 15th 2024" */
static const char *date_month_day(const char *p, int *y, int *m, int *d)
{
	*m = month_word(&p);
	if (!*m)
		return NULL;
	p = read_day(skip_dsep(p), d);
	if (!p)
		return NULL;
	return read_year(skip_dsep(p), y);
}

/* dd.mm.yyyy and friends; `order` picks the reading of an ambiguous one. */
static const char *date_numeric(const char *p, enum folio_date_order order, int *y, int *m, int *d)
{
	int a, b, c, na, nb, nc, sep, i, j;
	int cand[3][3];

	na = read_num(p, &a);
	if (!na)
		return NULL;
	p += na;
	sep = *p;
	if (sep != '.' && sep != '/' && sep != '-')
		return NULL;
	p++;
	if (sep == '.' && *p == ' ') /* "15. 03. 2024" */
		p++;
	nb = read_num(p, &b);
	if (nb < 1 || nb > 2 || p[nb] != sep)
		return NULL;
	p += nb + 1;
	if (sep == '.' && *p == ' ')
		p++;
	nc = read_num(p, &c);
	if (!nc)
		return NULL;
	p += nc;
	if (na == 4) {
		*y = a;
		*m = b;
		*d = c;
		return nc <= 2 && date_ok(a, b, c) ? p : NULL;
	}
	if (na > 2 || (nc != 2 && nc != 4))
		return NULL;
	/* candidate readings in order of preference: {y, m, d} */
	i = 0;
	if (order == FOLIO_YMD && nc == 2) {
		cand[i][0] = year_of(a, na == 2 ? 2 : -1);
		cand[i][1] = b;
		cand[i++][2] = c;
	}
	if (order == FOLIO_MDY) {
		cand[i][0] = year_of(c, nc);
		cand[i][1] = a;
		cand[i++][2] = b;
	}
	cand[i][0] = year_of(c, nc);
	cand[i][1] = b;
	cand[i++][2] = a;
	if (order != FOLIO_MDY) {
		cand[i][0] = year_of(c, nc);
		cand[i][1] = a;
		cand[i++][2] = b;
	}
	for (j = 0; j < i; j++) {
		if (date_ok(cand[j][0], cand[j][1], cand[j][2])) {
			*y = cand[j][0];
			*m = cand[j][1];
			*d = cand[j][2];
			return p;
		}
	}
	return NULL;
}

size_t folio_date_parse(const char *s, enum folio_date_order order, char out[11])
{
	const char *p = skip_blanks(s), *e;
	int y = 0, m = 0, d = 0;

	e = date_numeric(p, order, &y, &m, &d);
	if (!e)
		e = date_day_month(p, &y, &m, &d);
	if (!e)
		e = date_month_day(p, &y, &m, &d);
	if (!e || is_digit(*e) || !date_ok(y, m, d))
		return 0;
	e = skip_roku(e);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return (size_t)(e - s);
}
