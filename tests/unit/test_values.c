/* Unit tests: amounts, dates, tax IDs, IBANs, KSeF numbers (src/extract/parse.c, validate.c). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/extract.h"
#include "folio/util.h"
#include "t.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- amounts ------------------------------------------------------------ */

/* clang-format off */
static const struct amount_case {
	const char *in;
	int dec;
	int used; /* bytes consumed, 0: not an amount */
	const char *value;
} amount_cases[] = {
	{ "1 234,56", 0, 8, "1234.56" },
	{ "1\xc2\xa0" "234,56", 0, 9, "1234.56" },          /* no-break space */
	{ "1\xe2\x80\xaf" "234,56", 0, 10, "1234.56" },     /* narrow no-break space */
	{ "1\xe2\x80\x89" "234,56", 0, 10, "1234.56" },     /* thin space */
	{ "1.234,56", 0, 8, "1234.56" },
	{ "1,234.56", 0, 8, "1234.56" },
	{ "1\xe2\x80\x99" "234.50", 0, 10, "1234.50" },     /* ’ */
	{ "1'234.50", 0, 8, "1234.50" },
	{ "1234", 0, 4, "1234.00" },
	{ "-12,00", 0, 6, "-12.00" },
	{ "\xe2\x88\x92" "12,50", 0, 8, "-12.50" },         /* U+2212 */
	{ "(12.00)", 0, 7, "-12.00" },
	{ "12.00-", 0, 6, "-12.00" },
	{ "+5", 0, 2, "5.00" },
	{ "1 234 567,89", 0, 12, "1234567.89" },
	{ "1.234.567,89", 0, 12, "1234567.89" },
	{ "1,234,567.89", 0, 12, "1234567.89" },
	{ "1'234'567.89", 0, 12, "1234567.89" },
	{ "999 999 999 999,99", 0, 18, "999999999999.99" },
	{ "1.234.567", 0, 9, "1234567.00" },
	{ "0,5", 0, 3, "0.50" },
	{ "0,00", 0, 4, "0.00" },
	{ "-0,50", 0, 5, "-0.50" },
	{ ",50", 0, 3, "0.50" },
	{ ".5", 0, 2, "0.50" },
	{ "1,5", '.', 3, "1.50" },
	{ "0.125", 0, 5, "0.125" },
	{ "0,125", '.', 5, "0.125" },
	{ "1234.567", ',', 8, "1234.567" },
	{ "1 234.5", 0, 7, "1234.50" },
	{ "12,-", 0, 4, "12.00" },
	{ "12,-- zł", 0, 5, "12.00" },
	/* the ambiguous single separator before three digits */
	{ "1.234", 0, 5, "1234.00" },
	{ "1.234", ',', 5, "1234.00" },
	{ "1.234", '.', 5, "1.234" },
	{ "1,234", 0, 5, "1234.00" },
	{ "1,234", '.', 5, "1234.00" },
	{ "1,234", ',', 5, "1.234" },
	/* what follows is not swallowed */
	{ "1 234,56 23%", 0, 8, "1234.56" },
	{ "1 234,56\xc2\xa0" "23%", 0, 8, "1234.56" },
	{ "12 szt.", 0, 2, "12.00" },
	{ "  42,10 zł", 0, 7, "42.10" },
	{ "100,00 PLN", 0, 6, "100.00" },
	{ "100.00EUR", 0, 6, "100.00" },
	{ "23%", 0, 2, "23.00" },
	{ "1 23", 0, 1, "1.00" },
	{ "12 345 23", 0, 6, "12345.00" },
	{ "15 12.03.2024", 0, 2, "15.00" },
	{ "12.", 0, 2, "12.00" },
	/* not amounts */
	{ "12.03.2024", 0, 0, NULL },
	{ "12.03.24", 0, 0, NULL },
	{ "12/03/2024", 0, 0, NULL },
	{ "12-03-2024", 0, 0, NULL },
	{ "2024-03-15", 0, 0, NULL },
	{ "15-Mar-2024", 0, 0, NULL },
	{ "123/2024", 0, 0, NULL },
	{ "10:30", 0, 0, NULL },
	{ "1.234.56", 0, 0, NULL },
	{ "1,234.567.8", 0, 0, NULL },
	{ "1.2345678", 0, 0, NULL },
	{ "1234567890123", 0, 0, NULL },
	{ "(12.00", 0, 0, NULL },
	{ "abc", 0, 0, NULL },
	{ "", 0, 0, NULL },
	{ "-", 0, 0, NULL },
	{ "EUR 12", 0, 0, NULL },
	{ "\xe2\x82\xac" "12", 0, 0, NULL },
	{ ",5000", 0, 0, NULL },
};
/* clang-format on */

static void test_amount_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(amount_cases); i++) {
		const struct amount_case *c = &amount_cases[i];
		struct folio_amount a = { 0, 0 };
		size_t n = folio_amount_parse(c->in, c->dec, &a);

		T_OK((int)n == c->used, "\"%s\" dec '%c': used %zu, expected %d", c->in,
		     c->dec ? c->dec : '0', n, c->used);
		if (n && c->value) {
			char buf[32];

			T_OK(!strcmp(folio_amount_format(&a, buf, sizeof(buf)), c->value),
			     "\"%s\" dec '%c': %s, expected %s", c->in, c->dec ? c->dec : '0', buf,
			     c->value);
		}
	}
}

static void test_amount_math(void)
{
	/* clang-format off */
	static const struct {
		long long units;
		int scale;
		const char *fmt;
		long long cents;
	} cases[] = {
		{ 123450, 3, "123.45", 12345 },
		{ 5, 0, "5.00", 500 },
		{ -1, 6, "-0.000001", 0 },
		{ 1005, 3, "1.005", 101 },
		{ -1005, 3, "-1.005", -101 },
		{ 1004, 3, "1.004", 100 },
		{ 125, 3, "0.125", 13 },
		{ -125, 3, "-0.125", -13 },
		{ -5, 1, "-0.50", -50 },
		{ 1234567890123456LL, 6, "1234567890.123456", 123456789012 },
		{ LLONG_MIN, 2, "-92233720368547758.08", LLONG_MIN },
	};
	/* clang-format on */
	struct folio_amount a, b;
	char buf[32], small[6];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a.units = cases[i].units;
		a.scale = cases[i].scale;
		T_EQ_STR(folio_amount_format(&a, buf, sizeof(buf)), cases[i].fmt);
		T_EQ_INT(folio_amount_cents(&a), cases[i].cents);
	}
	/* cents saturate instead of overflowing */
	a.units = LLONG_MAX;
	a.scale = 0;
	T_EQ_INT(folio_amount_cents(&a), LLONG_MAX);
	a.units = LLONG_MIN + 1;
	T_EQ_INT(folio_amount_cents(&a), LLONG_MIN);
	/* a short buffer is truncated, never overrun */
	a.units = 123456;
	a.scale = 2;
	T_EQ_STR(folio_amount_format(&a, small, sizeof(small)), "1234.");

	a.units = 15;
	a.scale = 1;
	b.units = 150;
	b.scale = 2;
	T_EQ_INT(folio_amount_cmp(&a, &b), 0);
	b.units = 151;
	T_OK(folio_amount_cmp(&a, &b) < 0, "1.5 < 1.51");
	T_OK(folio_amount_cmp(&b, &a) > 0, "1.51 > 1.5");
	a.units = -5;
	a.scale = 1;
	b.units = 5;
	b.scale = 1;
	T_OK(folio_amount_cmp(&a, &b) < 0, "-0.5 < 0.5");
	a.units = -1234;
	a.scale = 3;
	b.units = -123;
	b.scale = 2;
	T_OK(folio_amount_cmp(&a, &b) < 0, "-1.234 < -1.23");
	a.units = 999999999999999999LL;
	a.scale = 6;
	b.units = 999999999999999999LL;
	b.scale = 0;
	T_OK(folio_amount_cmp(&a, &b) < 0, "huge values at different scales");
	T_OK(folio_amount_cmp(&b, &a) > 0, "huge values at different scales");
	/* parse and format round trip at every scale */
	T_OK(folio_amount_parse("0,000001", 0, &a) == 8 && a.scale == 6 && a.units == 1, "scale 6");
	T_EQ_STR(folio_amount_format(&a, buf, sizeof(buf)), "0.000001");
}

/* ---- dates -------------------------------------------------------------- */

/* clang-format off */
static const struct date_case {
	const char *in;
	enum folio_date_order order;
	const char *date; /* NULL: not a date */
	int used;	  /* bytes consumed; -1: the whole input */
} date_cases[] = {
	/* numeric */
	{ "15.03.2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15/03/2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15-03-2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "2024-03-15", FOLIO_DMY, "2024-03-15", -1 },
	{ "2024.03.15", FOLIO_DMY, "2024-03-15", -1 },
	{ "2024/03/15", FOLIO_DMY, "2024-03-15", -1 },
	{ "2024-03-15T10:00:00", FOLIO_DMY, "2024-03-15", 10 },
	{ "5.3.2024", FOLIO_DMY, "2024-03-05", -1 },
	{ "15. 03. 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15.03.24", FOLIO_DMY, "2024-03-15", -1 },
	{ "15/03/99", FOLIO_DMY, "2099-03-15", -1 },
	{ "  15.03.2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15.03.2024 r.", FOLIO_DMY, "2024-03-15", -1 },
	{ "15.03.2024r.", FOLIO_DMY, "2024-03-15", -1 },
	{ "15.03.2024, Kraków", FOLIO_DMY, "2024-03-15", 10 },
	{ "29.02.2024", FOLIO_DMY, "2024-02-29", -1 },
	{ "29.02.2000", FOLIO_DMY, "2000-02-29", -1 },
	{ "01.01.1900", FOLIO_DMY, "1900-01-01", -1 },
	{ "31.12.2199", FOLIO_DMY, "2199-12-31", -1 },
	/* the order hint decides only when both readings exist */
	{ "03/04/2024", FOLIO_DMY, "2024-04-03", -1 },
	{ "03/04/2024", FOLIO_MDY, "2024-03-04", -1 },
	{ "13/04/2024", FOLIO_MDY, "2024-04-13", -1 },
	{ "04/13/2024", FOLIO_DMY, "2024-04-13", -1 },
	{ "24.03.15", FOLIO_YMD, "2024-03-15", -1 },
	{ "15.03.24", FOLIO_YMD, "2015-03-24", -1 },
	{ "31.03.24", FOLIO_YMD, "2031-03-24", -1 },
	{ "15.03.45", FOLIO_YMD, "2045-03-15", -1 },      /* no yy.mm.dd reading */
	/* invalid calendar dates and non-dates */
	{ "31.02.2024", FOLIO_DMY, NULL, 0 },
	{ "29.02.2023", FOLIO_DMY, NULL, 0 },
	{ "29.02.2100", FOLIO_DMY, NULL, 0 },
	{ "31.04.2024", FOLIO_DMY, NULL, 0 },
	{ "00.03.2024", FOLIO_DMY, NULL, 0 },
	{ "15.13.2024", FOLIO_DMY, NULL, 0 },
	{ "2024-13-01", FOLIO_DMY, NULL, 0 },
	{ "15.03.1899", FOLIO_DMY, NULL, 0 },
	{ "15.03.2200", FOLIO_DMY, NULL, 0 },
	{ "15.03.202", FOLIO_DMY, NULL, 0 },
	{ "15.03.20245", FOLIO_DMY, NULL, 0 },
	{ "15.03/2024", FOLIO_DMY, NULL, 0 },
	{ "1.234,56", FOLIO_DMY, NULL, 0 },
	{ "12.03", FOLIO_DMY, NULL, 0 },
	{ "1234", FOLIO_DMY, NULL, 0 },
	{ "", FOLIO_DMY, NULL, 0 },
	/* PL, genitive and nominative, with and without diacritics */
	{ "15 marca 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15 MARCA 2024 r.", FOLIO_DMY, "2024-03-15", -1 },
	{ "15 marca 2024 r. w Krakowie", FOLIO_DMY, "2024-03-15", 16 },
	{ "1 stycznia 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "3 lutego 2024", FOLIO_DMY, "2024-02-03", -1 },
	{ "10 kwietnia 2024", FOLIO_DMY, "2024-04-10", -1 },
	{ "5 maja 2024", FOLIO_DMY, "2024-05-05", -1 },
	{ "6 czerwca 2024", FOLIO_DMY, "2024-06-06", -1 },
	{ "7 lipca 2024", FOLIO_DMY, "2024-07-07", -1 },
	{ "8 sierpnia 2024", FOLIO_DMY, "2024-08-08", -1 },
	{ "9 września 2024", FOLIO_DMY, "2024-09-09", -1 },
	{ "9 wrzesnia 2024", FOLIO_DMY, "2024-09-09", -1 },
	{ "10 października 2024", FOLIO_DMY, "2024-10-10", -1 },
	{ "10 PAŹDZIERNIKA 2024", FOLIO_DMY, "2024-10-10", -1 },
	{ "10 pazdziernika 2024", FOLIO_DMY, "2024-10-10", -1 },
	{ "11 listopada 2024", FOLIO_DMY, "2024-11-11", -1 },
	{ "24 grudnia 2024", FOLIO_DMY, "2024-12-24", -1 },
	{ "1 styczeń 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "1 kwiecień 2024", FOLIO_DMY, "2024-04-01", -1 },
	{ "1 grudzien 2024", FOLIO_DMY, "2024-12-01", -1 },
	{ "15 sty 2024", FOLIO_DMY, "2024-01-15", -1 },
	{ "15 paź. 2024", FOLIO_DMY, "2024-10-15", -1 },
	/* ES */
	{ "15 de marzo de 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1 de enero del 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "20 de septiembre de 2024", FOLIO_DMY, "2024-09-20", -1 },
	{ "20 de setiembre de 2024", FOLIO_DMY, "2024-09-20", -1 },
	{ "4 de diciembre de 2024", FOLIO_DMY, "2024-12-04", -1 },
	{ "15-mar-2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15 ene. 2024", FOLIO_DMY, "2024-01-15", -1 },
	/* PT */
	{ "15 de março de 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15 de marco de 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15 DE MARÇO DE 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1 de fevereiro de 2024", FOLIO_DMY, "2024-02-01", -1 },
	{ "12 de outubro de 2024", FOLIO_DMY, "2024-10-12", -1 },
	{ "25 de dezembro de 2024", FOLIO_DMY, "2024-12-25", -1 },
	{ "1\xc2\xba de maio de 2024", FOLIO_DMY, "2024-05-01", -1 },
	{ "1.\xc2\xba de junho de 2024", FOLIO_DMY, "2024-06-01", -1 },
	/* IT */
	{ "15 marzo 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1 gennaio 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "2 giugno 2024", FOLIO_DMY, "2024-06-02", -1 },
	{ "15 agosto 2024", FOLIO_DMY, "2024-08-15", -1 },
	{ "5 ottobre 2024", FOLIO_DMY, "2024-10-05", -1 },
	{ "8 dicembre 2024", FOLIO_DMY, "2024-12-08", -1 },
	{ "8 dic. 2024", FOLIO_DMY, "2024-12-08", -1 },
	/* DE */
	{ "15. März 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15. MÄRZ 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15. Maerz 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15. Marz 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15. Mär. 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1. Januar 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "1. Jänner 2024", FOLIO_DMY, "2024-01-01", -1 },
	{ "3. Okt. 2024", FOLIO_DMY, "2024-10-03", -1 },
	{ "24. Dezember 2024", FOLIO_DMY, "2024-12-24", -1 },
	{ "1. Febr. 2024", FOLIO_DMY, "2024-02-01", -1 },
	/* EN */
	{ "15 March 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "March 15, 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15th March 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "15th of March, 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "Mar. 15th 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1st May 2024", FOLIO_DMY, "2024-05-01", -1 },
	{ "2nd June 2024", FOLIO_DMY, "2024-06-02", -1 },
	{ "3rd July 2024", FOLIO_DMY, "2024-07-03", -1 },
	{ "Sept. 3, 2024", FOLIO_DMY, "2024-09-03", -1 },
	{ "15-Mar-24", FOLIO_DMY, "2024-03-15", -1 },
	{ "29 February 2024", FOLIO_DMY, "2024-02-29", -1 },
	/* FR */
	{ "15 mars 2024", FOLIO_DMY, "2024-03-15", -1 },
	{ "1er mars 2024", FOLIO_DMY, "2024-03-01", -1 },
	{ "3 févr. 2024", FOLIO_DMY, "2024-02-03", -1 },
	{ "3 fevr. 2024", FOLIO_DMY, "2024-02-03", -1 },
	{ "15 août 2024", FOLIO_DMY, "2024-08-15", -1 },
	{ "15 aout 2024", FOLIO_DMY, "2024-08-15", -1 },
	{ "25 décembre 2024", FOLIO_DMY, "2024-12-25", -1 },
	{ "25 DÉCEMBRE 2024", FOLIO_DMY, "2024-12-25", -1 },
	{ "25 decembre 2024", FOLIO_DMY, "2024-12-25", -1 },
	{ "14 juillet 2024", FOLIO_DMY, "2024-07-14", -1 },
	{ "11 juil. 2024", FOLIO_DMY, "2024-07-11", -1 },
	{ "1 juin 2024", FOLIO_DMY, "2024-06-01", -1 },
	/* named dates that are not dates */
	{ "31 lutego 2024", FOLIO_DMY, NULL, 0 },
	{ "30 February 2024", FOLIO_DMY, NULL, 0 },
	{ "29 febbraio 2023", FOLIO_DMY, NULL, 0 },
	{ "15 marca", FOLIO_DMY, NULL, 0 },
	{ "March 2024", FOLIO_DMY, NULL, 0 },
	{ "marzec 2024", FOLIO_DMY, NULL, 0 },
	{ "15 foo 2024", FOLIO_DMY, NULL, 0 },
	{ "15 marcas 2024", FOLIO_DMY, NULL, 0 },
	{ "12 szt.", FOLIO_DMY, NULL, 0 },
	{ "115 March 2024", FOLIO_DMY, NULL, 0 },
	{ "15 March 20245", FOLIO_DMY, NULL, 0 },
};
/* clang-format on */

static void test_date_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		char out[11] = "";
		size_t n = folio_date_parse(c->in, c->order, out);
		size_t want = c->date ? (c->used < 0 ? strlen(c->in) : (size_t)c->used) : 0;

		T_OK(n == want, "\"%s\": used %zu, expected %zu", c->in, n, want);
		if (c->date && n)
			T_OK(!strcmp(out, c->date), "\"%s\": %s, expected %s", c->in, out, c->date);
	}
}

/* ---- tax IDs ------------------------------------------------------------ */

/* clang-format off */
static const struct taxid_case {
	const char *raw, *hint;
	int ret;
	const char *out, *kind;
} taxid_cases[] = {
	/* REFERENCE.md section 2 examples, bare and prefixed */
	{ "8567346215", NULL, 1, "PL8567346215", "nip" },
	{ "PL 526-000-12-46", NULL, 1, "PL5260001246", "nip" },
	{ "PL5260001246", NULL, 1, "PL5260001246", "nip" },
	{ "pl5260001246", NULL, 1, "PL5260001246", "nip" },
	{ "5260001246", "PL", 1, "PL5260001246", "nip" },
	{ "5260001246", "pl", 1, "PL5260001246", "nip" },
	{ "526 000 12 46", NULL, 1, "PL5260001246", "nip" },
	{ "526\xc2\xa0" "000\xc2\xa0" "12\xc2\xa0" "46", NULL, 1, "PL5260001246", "nip" },
	{ "5260001246", "DE", 1, "PL5260001246", "nip" },     /* no DE shape fits: guessed */
	{ "5260001246", "US", 1, "PL5260001246", "nip" },     /* unknown hint */
	{ "192598184", "PL", 1, "PL192598184", "regon" },
	{ "19259818400015", "PL", 1, "PL19259818400015", "regon" },
	{ "12345678512347", "PL", 1, "PL12345678512347", "regon" },
	{ "44051401359", "PL", 1, "PL44051401359", "pesel" },
	{ "54362315K", NULL, 1, "ES54362315K", "dni" },
	{ "54362315-k", NULL, 1, "ES54362315K", "dni" },
	{ "ES54362315K", NULL, 1, "ES54362315K", "dni" },
	{ "X2482300W", NULL, 1, "ESX2482300W", "nie" },
	{ "ES X-2482300-W", NULL, 1, "ESX2482300W", "nie" },
	{ "B64717838", NULL, 1, "ESB64717838", "cif" },
	{ "ESB64717838", NULL, 1, "ESB64717838", "cif" },
	{ "B6471783H", "ES", 1, "ESB6471783H", "cif" },       /* letter control */
	{ "PT501964843", NULL, 1, "PT501964843", "nif" },
	{ "501964843", "PT", 1, "PT501964843", "nif" },
	{ "501 964 843", NULL, 1, "PT501964843", "nif" },
	{ "IT 00743110157", NULL, 1, "IT00743110157", "piva" },
	{ "00743110157", "IT", 1, "IT00743110157", "piva" },
	{ "RCCMNL83S18D969H", NULL, 1, "ITRCCMNL83S18D969H", "cf" },
	{ "rccmnl83s18d969h", NULL, 1, "ITRCCMNL83S18D969H", "cf" },
	{ "ITRCCMNL83S18D969H", NULL, 1, "ITRCCMNL83S18D969H", "cf" },
	{ "RCCMNL83S18D96VW", NULL, 1, "ITRCCMNL83S18D96VW", "cf" },   /* omocodia */
	{ "RCCMNL83S18D9SVI", "IT", 1, "ITRCCMNL83S18D9SVI", "cf" },
	{ "DE136695976", NULL, 1, "DE136695976", "ustid" },
	{ "DE 136 695 976", NULL, 1, "DE136695976", "ustid" },
	{ "136695976", "DE", 1, "DE136695976", "ustid" },
	{ "FR40303265045", NULL, 1, "FR40303265045", "tva" },
	{ "FR 40 303 265 045", NULL, 1, "FR40303265045", "tva" },
	{ "FRK7399859412", NULL, 1, "FRK7399859412", "tva" },        /* new-style keys */
	{ "FR4Z123456782", NULL, 1, "FR4Z123456782", "tva" },
	{ "FR05100014984", NULL, 1, "FR05100014984", "tva" },
	{ "FR0S100014984", NULL, 1, "FR0S100014984", "tva" },
	{ "16727230000197", "BR", 1, "BR16727230000197", "cnpj" },
	{ "16.727.230/0001-97", "BR", 1, "BR16727230000197", "cnpj" },
	{ "12.ABC.345/01DE-35", "BR", 1, "BR12ABC34501DE35", "cnpj" },
	{ "39053344705", "BR", 1, "BR39053344705", "cpf" },
	{ "390.533.447-05", "BR", 1, "BR39053344705", "cpf" },
	/* shape-only EU numbers, Greece as EL */
	{ "EL123456789", NULL, 1, "EL123456789", "vat" },
	{ "GR123456789", NULL, 1, "EL123456789", "vat" },
	{ "123456789", "GR", 1, "EL123456789", "vat" },
	{ "ATU12345678", NULL, 1, "ATU12345678", "vat" },
	{ "BE0403019261", NULL, 1, "BE0403019261", "vat" },
	{ "NL004495445B01", NULL, 1, "NL004495445B01", "vat" },
	{ "SE556677889901", NULL, 1, "SE556677889901", "vat" },
	{ "RO18547290", NULL, 1, "RO18547290", "vat" },
	{ "CY10259033P", NULL, 1, "CY10259033P", "vat" },
	{ "IE6388047V", NULL, 1, "IE6388047V", "vat" },
	/* guessing without prefix or hint, in the documented order */
	{ "192598184", NULL, 1, "PL192598184", "regon" },    /* not a PT NIF; also DE-valid */
	{ "136695976", NULL, 1, "DE136695976", "ustid" },
	{ "44051401359", NULL, 1, "PL44051401359", "pesel" },
	{ "39053344705", NULL, 1, "BR39053344705", "cpf" },
	{ "40303265045", NULL, 1, "FR40303265045", "tva" },
	{ "16727230000197", NULL, 1, "BR16727230000197", "cnpj" },
	{ "K7399859412", NULL, -1, NULL, NULL },         /* letters: FR only with prefix */
	{ "12ABC34501DE35", NULL, -1, NULL, NULL },      /* and CNPJ only with a hint */
	{ "12ABC34501DE35", "BR", 1, "BR12ABC34501DE35", "cnpj" },
	/* mutated check digits */
	{ "8567346216", NULL, 0, NULL, NULL },
	{ "PL5260001245", NULL, 0, NULL, NULL },
	{ "192598185", "PL", 0, NULL, NULL },
	{ "19259818400016", "PL", 0, NULL, NULL },
	{ "44051401358", "PL", 0, NULL, NULL },
	{ "44131401356", "PL", 0, NULL, NULL },     /* month 13 */
	{ "54362315J", NULL, 0, NULL, NULL },
	{ "X2482300A", NULL, 0, NULL, NULL },
	{ "B64717837", NULL, 0, NULL, NULL },
	{ "I64717838", "ES", 0, NULL, NULL },       /* I is no company letter */
	{ "PT501964842", NULL, 0, NULL, NULL },
	{ "IT00743110158", NULL, 0, NULL, NULL },
	{ "00000000000", "IT", 0, NULL, NULL },
	{ "RCCMNL83S18D969A", NULL, 0, NULL, NULL },
	{ "RCCMNL83Z18D969H", NULL, 0, NULL, NULL },  /* Z is no month */
	{ "DE136695977", NULL, 0, NULL, NULL },
	{ "DE036695976", NULL, 0, NULL, NULL },
	{ "FR41303265045", NULL, 0, NULL, NULL },
	{ "FR84323140391", NULL, 0, NULL, NULL },
	{ "FRIO334175221", NULL, 0, NULL, NULL },
	{ "16727230000198", "BR", 0, NULL, NULL },
	{ "00000000000000", "BR", 0, NULL, NULL },
	{ "39053344715", "BR", 0, NULL, NULL },
	{ "11111111111", "BR", 0, NULL, NULL },
	{ "BE0403019262", NULL, 0, NULL, NULL },
	{ "ATX12345678", NULL, 0, NULL, NULL },
	/* placeholders that pass the checksums */
	{ "0000000000", "PL", 0, NULL, NULL },
	{ "1111111111", "PL", 0, NULL, NULL },
	{ "000000000", "PT", 0, NULL, NULL },
	{ "PL00000000000000", NULL, 0, NULL, NULL },
	/* not tax IDs */
	{ "hello", NULL, -1, NULL, NULL },
	{ "PL12", NULL, -1, NULL, NULL },
	{ "12345", NULL, -1, NULL, NULL },
	{ "", NULL, -1, NULL, NULL },
	{ " - ", NULL, -1, NULL, NULL },
	{ "5260001246!", NULL, -1, NULL, NULL },
	{ "FV/2024/03/15", NULL, -1, NULL, NULL },
	{ "DE12345", NULL, -1, NULL, NULL },
	{ "1234567890123456789012345678901234567890", NULL, -1, NULL, NULL },
};
/* clang-format on */

static void test_taxid(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(taxid_cases); i++) {
		const struct taxid_case *c = &taxid_cases[i];
		char out[32] = "";
		const char *kind = NULL;
		int r = folio_taxid_check(c->raw, c->hint, out, &kind);

		T_OK(r == c->ret, "\"%s\" hint %s: %d, expected %d", c->raw,
		     c->hint ? c->hint : "-", r, c->ret);
		if (r == 1 && c->ret == 1) {
			T_OK(!strcmp(out, c->out), "\"%s\": %s, expected %s", c->raw, out, c->out);
			T_OK(kind && !strcmp(kind, c->kind), "\"%s\": kind %s, expected %s", c->raw,
			     kind ? kind : "(null)", c->kind);
		}
	}
	/* kind may be NULL */
	{
		char out[32];

		T_EQ_INT(folio_taxid_check("PL5260001246", NULL, out, NULL), 1);
	}
}

/* Each valid ID with each check character changed must fail. */
static void test_taxid_mutations(void)
{
	/* clang-format off */
	static const char *const valid[] = {
		"PL8567346215", "PL192598184", "PL19259818400015", "PL44051401359",
		"ES54362315K", "ESX2482300W", "ESB64717838", "PT501964843", "IT00743110157",
		"ITRCCMNL83S18D969H", "DE136695976", "FR40303265045", "BR16727230000197",
		"BR39053344705",
	};
	/* clang-format on */
	size_t i;
	int failures = 0, tried = 0;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		char s[32], out[32];
		size_t n = strlen(valid[i]), pos = n - 1;
		const char *alt =
			valid[i][pos] >= 'A' ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789";

		for (; *alt; alt++) {
			if (*alt == valid[i][pos])
				continue;
			snprintf(s, sizeof(s), "%s", valid[i]);
			s[pos] = *alt;
			tried++;
			if (folio_taxid_check(s, NULL, out, NULL) != 0) {
				failures++;
				fprintf(stderr, "mutated %s still %s\n", s, out);
			}
		}
	}
	T_OK(tried > 100, "%d mutations", tried);
	T_EQ_INT(failures, 0);
}

/* clang-format off */
static const struct repair_case {
	const char *raw, *hint;
	int ret;
	const char *out;
} repair_cases[] = {
	{ "S26OOO1246", NULL, 1, "PL5260001246" },
	{ "S26OOO1246", "PL", 1, "PL5260001246" },
	{ "PL 526-OOO-l2-46", NULL, 1, "PL5260001246" },
	{ "526OOO|246", NULL, 1, "PL5260001246" },
	{ "8S6734G2IS", NULL, 1, "PL8567346215" },
	{ "B64717B38", NULL, 1, "ESB64717838" },
	{ "ESB647I7838", NULL, 1, "ESB64717838" },
	{ "S4362315K", "ES", 1, "ES54362315K" },
	{ "XZ48Z3OOW", NULL, 1, "ESX2482300W" },
	{ "DE13669S976", NULL, 1, "DE136695976" },
	{ "PT5O1964843", NULL, 1, "PT501964843" },
	{ "IT OO7431IOI57", NULL, 1, "IT00743110157" },
	{ "FR4O3O3Z65O45", NULL, 1, "FR40303265045" },
	{ "RCCMNL83518D969H", NULL, 1, "ITRCCMNL83S18D969H" },   /* month letter read as 5 */
	{ "RCCMNLB3S1BD969H", NULL, 1, "ITRCCMNL83S18D969H" },   /* B in a digit place, twice */
	{ "RCCMNL83S18D9G9H", NULL, 1, "ITRCCMNL83S18D969H" },
	{ "RCCMNL83S1BD969H", "IT", 1, "ITRCCMNL83S18D969H" },
	{ "I6727230000197", "BR", 1, "BR16727230000197" },
	{ "16727Z3O000197", "BR", 1, "BR16727230000197" },
	/* read as a numeric CNPJ, every letter is a forced change */
	{ "I6727Z3OOOOI97", "BR", 1, "BR16727230000197" },
	{ "390S33447O5", "BR", 1, "BR39053344705" },
	/* already valid: returned as is */
	{ "PL5260001246", NULL, 1, "PL5260001246" },
	/* nothing to repair, or no reading validates */
	{ "5260001247", NULL, 0, NULL },
	{ "S26OOO1247", NULL, 0, NULL },
	{ "hello", NULL, 0, NULL },
	{ "", NULL, 0, NULL },
	/* two readings validate ("0S" and "05" keys): ambiguous */
	{ "FROS100014984", NULL, 0, NULL },
};
/* clang-format on */

static void test_taxid_repair(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(repair_cases); i++) {
		const struct repair_case *c = &repair_cases[i];
		char out[32] = "";
		int r = folio_taxid_repair(c->raw, c->hint, out);

		T_OK(r == c->ret, "repair \"%s\": %d (%s), expected %d", c->raw, r, out, c->ret);
		if (r == 1 && c->ret == 1)
			T_OK(!strcmp(out, c->out), "repair \"%s\": %s, expected %s", c->raw, out,
			     c->out);
	}
}

/* ---- IBAN ---------------------------------------------------------------- */

/* clang-format off */
static const struct iban_case {
	const char *raw;
	int ret;
	const char *out;
} iban_cases[] = {
	{ "PL61 1090 1014 0000 0712 1981 2874", 1, "PL61109010140000071219812874" },
	{ "pl61109010140000071219812874", 1, "PL61109010140000071219812874" },
	{ "PL61\xc2\xa0" "1090\xc2\xa0" "1014\xc2\xa0" "0000\xc2\xa0" "0712\xc2\xa0" "1981\xc2\xa0"
	  "2874", 1, "PL61109010140000071219812874" },
	{ "DE89 3704 0044 0532 0130 00", 1, "DE89370400440532013000" },
	{ "ES91 2100 0418 4502 0005 1332", 1, "ES9121000418450200051332" },
	{ "PT50 0002 0123 1234 5678 9015 4", 1, "PT50000201231234567890154" },
	{ "IT60 X054 2811 1010 0000 0123 456", 1, "IT60X0542811101000000123456" },
	{ "FR14 2004 1010 0505 0001 3M02 606", 1, "FR1420041010050500013M02606" },
	{ "BR18 0036 0305 0000 1000 9795 493C 1", 1, "BR1800360305000010009795493C1" },
	{ "GB82 WEST 1234 5698 7654 32", 1, "GB82WEST12345698765432" },
	{ "NL91ABNA0417164300", 1, "NL91ABNA0417164300" },
	{ "BE68539007547034", 1, "BE68539007547034" },
	{ "AT611904300234573201", 1, "AT611904300234573201" },
	{ "CH9300762011623852957", 1, "CH9300762011623852957" },
	{ "CZ6508000000192000145399", 1, "CZ6508000000192000145399" },
	{ "SK3112000000198742637541", 1, "SK3112000000198742637541" },
	{ "IE29AIBK93115212345678", 1, "IE29AIBK93115212345678" },
	{ "LU280019400644750000", 1, "LU280019400644750000" },
	{ "SE4550000000058398257466", 1, "SE4550000000058398257466" },
	{ "DK5000400440116243", 1, "DK5000400440116243" },
	{ "FI2112345600000785", 1, "FI2112345600000785" },
	{ "HU42117730161111101800000000", 1, "HU42117730161111101800000000" },
	{ "RO49AAAA1B31007593840000", 1, "RO49AAAA1B31007593840000" },
	{ "GR1601101250000000012300695", 1, "GR1601101250000000012300695" },
	{ "HR1210010051863000160", 1, "HR1210010051863000160" },
	{ "SI56263300012039086", 1, "SI56263300012039086" },
	{ "LT121000011101001000", 1, "LT121000011101001000" },
	{ "LV80BANK0000435195001", 1, "LV80BANK0000435195001" },
	{ "EE382200221020145685", 1, "EE382200221020145685" },
	{ "BG80BNBG96611020345678", 1, "BG80BNBG96611020345678" },
	{ "MT84MALT011000012345MTLCAST001S", 1, "MT84MALT011000012345MTLCAST001S" },
	{ "CY17002001280000001200527600", 1, "CY17002001280000001200527600" },
	{ "NO9386011117947", 1, "NO9386011117947" },
	{ "IS140159260076545510730339", 1, "IS140159260076545510730339" },
	{ "LI21088100002324013AA", 1, "LI21088100002324013AA" },
	{ "MC5811222000010123456789030", 1, "MC5811222000010123456789030" },
	{ "SM86U0322509800000000270100", 1, "SM86U0322509800000000270100" },
	{ "TR330006100519786457841326", 1, "TR330006100519786457841326" },
	{ "SA0380000000608010167519", 1, "SA0380000000608010167519" },
	{ "UA213223130000026007233566001", 1, "UA213223130000026007233566001" },
	{ "LC55HEMM000100010012001200023015", 1, "LC55HEMM000100010012001200023015" },
	{ "XK051212012345678906", 1, "XK051212012345678906" },
	/* bad checksum, length, structure, check digits */
	{ "PL61109010140000071219812875", 0, "PL61109010140000071219812875" },
	{ "PL6110901014000007121981287", 0, "PL6110901014000007121981287" },
	{ "DE89370400440532013000 1", 0, "DE893704004405320130001" },
	{ "GB82WEST12345698765432", 1, "GB82WEST12345698765432" },
	{ "GB8212345612345698765432", 0, "GB8212345612345698765432" },
	{ "PL00109010140000071219812874", 0, "PL00109010140000071219812874" },
	/* not IBANs */
	{ "FV12345678901234", -1, "" },
	{ "PL61-1090-1014-0000-0712-1981-2874", -1, "" },
	{ "12345678901234567890", -1, "" },
	{ "PL61", -1, "" },
	{ "", -1, "" },
};
/* clang-format on */

static void test_iban(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iban_cases); i++) {
		const struct iban_case *c = &iban_cases[i];
		char out[40] = "x";
		int r = folio_iban_check(c->raw, out);

		T_OK(r == c->ret, "iban \"%s\": %d, expected %d", c->raw, r, c->ret);
		T_OK(!strcmp(out, c->out), "iban \"%s\": \"%s\", expected \"%s\"", c->raw, out,
		     c->out);
	}
}

static void test_iban_repair(void)
{
	/* clang-format off */
	static const struct {
		const char *raw;
		int ret;
		const char *out;
	} cases[] = {
		{ "PL61 1O9O 1O14 OOOO O712 l981 2874", 1, "PL61109010140000071219812874" },
		{ "P L6I 1090 1014 0000 0712 1981 2874", 1, "PL61109010140000071219812874" },
		{ "DE89 37O4 OO44 O532 O13O OO", 1, "DE89370400440532013000" },
		{ "GB82 WE5T 1234 5698 7654 32", 1, "GB82WEST12345698765432" },
		{ "NL91 A8NA 04I7 I643 00", 1, "NL91ABNA0417164300" },
		/* a letter where digits and letters both fit (IT account part) */
		{ "IT60 XO54 2811 1010 O000 0123 456", 1, "IT60X0542811101000000123456" },
		{ "IT60 X054 2811 1010 OOOO O123 456", 1, "IT60X0542811101000000123456" },
		{ "FR14 2OO4 1O1O O5O5 OOO1 3MO2 6O6", 0, NULL },    /* 5 O among letters */
		{ "FR14 2OO4 1O1O O5O5 0001 3M02 6O6", 1, "FR1420041010050500013M02606" },
		{ "PL61109010140000071219812874", 1, "PL61109010140000071219812874" },
		{ "PL61 1090 1014 0000 0712 1981 2875", 0, NULL },
		{ "hello", 0, NULL },
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[40] = "";
		int r = folio_iban_repair(cases[i].raw, out);

		T_OK(r == cases[i].ret, "iban repair \"%s\": %d (%s), expected %d", cases[i].raw, r,
		     out, cases[i].ret);
		if (r == 1 && cases[i].ret == 1)
			T_OK(!strcmp(out, cases[i].out), "iban repair \"%s\": %s, expected %s",
			     cases[i].raw, out, cases[i].out);
	}
}

/* ---- KSeF numbers --------------------------------------------------------- */

static void test_ksef(void)
{
	static const char ok[] = "5265877635-20250826-0100001AF629-AF";
	char s[64];
	size_t i;
	int bad = 0;

	T_EQ_INT(folio_ksef_number_check(ok), 1);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250826-0100001af629-af"), 1);
	T_EQ_INT(folio_ksef_number_check("  5265877635-20250826-0100001AF629-AF\n"), 1);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250826-0100001AF629-AE"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250826-0100001AF629"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250826-0100001AF629-AF0"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877635 20250826 0100001AF629 AF"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250826-0100001AG629-AF"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877636-20250826-0100001AF629-AF"), 0);
	T_EQ_INT(folio_ksef_number_check("5265877635-20250230-0100001AF629-AF"), 0);
	T_EQ_INT(folio_ksef_number_check(""), 0);
	/* every single-character change of the first 32 is caught */
	for (i = 0; i < 32; i++) {
		if (ok[i] == '-')
			continue;
		snprintf(s, sizeof(s), "%s", ok);
		s[i] = ok[i] == '1' ? '2' : '1';
		bad += folio_ksef_number_check(s);
	}
	T_EQ_INT(bad, 0);
}

/* The KSeF numbers printed in the Ministry's own UPO examples. */
static void scan_ksef(const char *dir, int *n, int *valid)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *path, *p;
		unsigned char *data = NULL;
		size_t size;

		if (e->d_name[0] == '.')
			continue;
		path = folio_path_join(dir, e->d_name);
		if (!path)
			break;
		if (e->d_type == DT_DIR) {
			scan_ksef(path, n, valid);
			free(path);
			continue;
		}
		if (!strstr(e->d_name, ".xml") ||
		    folio_read_file(path, 1 << 22, &data, &size, NULL) != FOLIO_OK) {
			free(path);
			continue;
		}
		/* files are NUL-terminated? copy to be sure */
		p = malloc(size + 1);
		if (p) {
			const char *q;

			memcpy(p, data, size);
			p[size] = '\0';
			for (q = p; (q = strstr(q, "<NumerKSeFDokumentu>")); q++) {
				char num[40];
				const char *v = q + strlen("<NumerKSeFDokumentu>");
				const char *end = strchr(v, '<');

				if (!end || end - v >= (long)sizeof(num))
					continue;
				memcpy(num, v, (size_t)(end - v));
				num[end - v] = '\0';
				(*n)++;
				*valid += folio_ksef_number_check(num);
			}
			free(p);
		}
		free(data);
		free(path);
	}
	closedir(d);
}

static void test_ksef_shared(void)
{
	const char *sd = t_shared_data();
	char *dir;
	int n = 0, valid = 0;

	if (!sd)
		return;
	dir = folio_path_join(sd, "einvoice/ksef_fa3_schema/faktury/upo");
	T_OK(dir != NULL, "path");
	if (!dir)
		return;
	scan_ksef(dir, &n, &valid);
	free(dir);
	if (n == 0) {
		printf("note: no UPO examples under shared data\n");
		return;
	}
	T_OK(n >= 3, "%d KSeF numbers found", n);
	T_EQ_INT(valid, n);
}

int main(void)
{
	test_amount_parse();
	test_amount_math();
	test_date_parse();
	test_taxid();
	test_taxid_mutations();
	test_taxid_repair();
	test_iban();
	test_iban_repair();
	test_ksef();
	test_ksef_shared();
	return t_done();
}
