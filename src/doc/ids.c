/*
 * ids.c - tax identifiers, IBANs and KSeF numbers: check digits and
 * OCR repairs; see include/folio/values.h and REFERENCE.md section 2.
 *
 * Every tax ID scheme is one line of `schemes`: its country prefix, its
 * kind, the class of each position and a check function. Checking,
 * guessing the scheme of a bare number and repairing look-alike letters
 * all walk that one table, so a new scheme is a function and a line.
 */
#include <stdio.h>
#include <string.h>

#include "folio/values.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int num(const char *b, size_t n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*b++ - '0');
	return v;
}

/* sum of b[i] * w[i] over the digits of b */
static int wsum(const char *b, const int *w, size_t n)
{
	int s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (b[i] - '0') * w[i];
	return s;
}

static int luhn_ok(const char *b, size_t n)
{
	int s = 0, dbl = 0;
	size_t i;

	for (i = n; i-- > 0; dbl = !dbl) {
		int d = b[i] - '0';

		if (dbl && (d *= 2) > 9)
			d -= 9;
		s += d;
	}
	return s % 10 == 0;
}

static int all_same(const char *b, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (b[i] != b[0])
			return 0;
	return 1;
}

/* ---- check functions: b is the upper-case body, its shape already fits -- */

static int pl_nip(const char *b, size_t n)
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int c = wsum(b, w, 9) % 11;

	(void)n;
	return c != 10 && c == b[9] - '0';
}

static int pl_regon(const char *b, size_t n)
{
	static const int w9[8] = { 8, 9, 2, 3, 4, 5, 6, 7 };
	static const int w14[13] = { 2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8 };

	/* a 14-digit REGON (local unit) starts with its company's REGON */
	if (wsum(b, w9, 8) % 11 % 10 != b[8] - '0')
		return 0;
	return n == 9 || wsum(b, w14, 13) % 11 % 10 == b[13] - '0';
}

static int pl_pesel(const char *b, size_t n)
{
	static const int w[10] = { 1, 3, 7, 9, 1, 3, 7, 9, 1, 3 };
	/* the month carries the century: +80 1800s, +0 1900s, +20 2000s ... */
	static const int century[5] = { 1900, 2000, 2100, 2200, 1800 };
	int y = num(b, 2), m = num(b + 2, 2), d = num(b + 4, 2);

	(void)n;
	if (m < 1 || m > 92 || m % 20 < 1 || m % 20 > 12)
		return 0;
	y += century[m / 20];
	m %= 20;
	if (d < 1 || d > days_in_month(y, m))
		return 0;
	return (10 - wsum(b, w, 10) % 10) % 10 == b[10] - '0';
}

static const char dni_letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";

static int es_dni(const char *b, size_t n)
{
	(void)n;
	return dni_letters[num(b, 8) % 23] == b[8];
}

static int es_nie(const char *b, size_t n)
{
	const char *p = strchr("XYZ", b[0]);

	(void)n;
	if (!p)
		return 0;
	return dni_letters[((int)(p - "XYZ") * 10000000 + num(b + 1, 7)) % 23] == b[8];
}

/* Company NIF: the control is a digit or a letter of JABCDEFGHI; which one
 * depends on the entity type, but documents print both, so both pass. */
static int es_cif(const char *b, size_t n)
{
	int a = 0, s = 0, c, i;

	(void)n;
	if (!strchr("ABCDEFGHJNPQRSUVW", b[0]))
		return 0;
	for (i = 1; i <= 7; i++) {
		int d = b[i] - '0';

		if (i % 2 == 0) {
			a += d;
		} else {
			d *= 2;
			s += d / 10 + d % 10;
		}
	}
	c = (10 - (a + s) % 10) % 10;
	return b[8] == '0' + c || b[8] == "JABCDEFGHI"[c];
}

static int pt_nif(const char *b, size_t n)
{
	static const int w[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	int c = 11 - wsum(b, w, 8) % 11;

	(void)n;
	return (c >= 10 ? 0 : c) == b[8] - '0';
}

static int it_piva(const char *b, size_t n)
{
	return !all_same(b, n) && luhn_ok(b, n);
}

/* Codice Fiscale: omocodia replaces digits by LMNPQRSTUV; the check letter
 * is computed over the characters as printed. */
static int it_cf(const char *b, size_t n)
{
	static const int odd_digit[10] = { 1, 0, 5, 7, 9, 13, 15, 17, 19, 21 };
	/* clang-format off */
	static const int odd_letter[26] = {
		1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10,
		22, 25, 24, 23,
	};
	/* clang-format on */
	int s = 0, i;

	(void)n;
	if (!strchr("ABCDEHLMPRST", b[8]))
		return 0;
	for (i = 0; i < 15; i++) {
		int c = b[i], v = is_digit(c) ? c - '0' : c - 'A';

		if (i % 2 == 0) /* 1-based odd position */
			s += is_digit(c) ? odd_digit[v] : odd_letter[v];
		else
			s += v;
	}
	return b[15] == 'A' + s % 26;
}

/* ISO 7064 MOD 11,10 */
static int de_ustid(const char *b, size_t n)
{
	int p = 10, i, c;

	(void)n;
	if (b[0] == '0')
		return 0;
	for (i = 0; i < 8; i++) {
		int s = (b[i] - '0' + p) % 10;

		p = (2 * (s ? s : 10)) % 11;
	}
	c = 11 - p;
	return (c == 10 ? 0 : c) == b[8] - '0';
}

/* FR: a two-character key and the SIREN (Luhn, except Monaco's "000..."
 * numbers). Numeric keys are (12 + 3 * SIREN) mod 97; the newer keys with
 * letters use the alphabet without I and O. */
static int fr_tva(const char *b, size_t n)
{
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	long siren = num(b + 2, 9);
	const char *k0 = strchr(alpha, b[0]), *k1 = strchr(alpha, b[1]);
	long check;

	(void)n;
	if (!k0 || !k1)
		return 0;
	if (memcmp(b + 2, "000", 3) && !luhn_ok(b + 2, 9))
		return 0;
	if (is_digit(b[0]) && is_digit(b[1]))
		return num(b, 2) == (12 + 3 * (siren % 97)) % 97;
	if (is_digit(b[0]))
		check = (k0 - alpha) * 24 + (k1 - alpha) - 10;
	else
		check = (k0 - alpha) * 34 + (k1 - alpha) - 100;
	return (siren + 1 + check / 11) % 11 == check % 11;
}

/* CNPJ: characters count as ASCII - 48, so the alphanumeric roots issued
 * from July 2026 check the same way as numeric ones. */
static int br_cnpj(const char *b, size_t n)
{
	static const int w[13] = { 6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2 };
	int k, i;

	if (all_same(b, n))
		return 0;
	for (k = 12; k <= 13; k++) {
		int s = 0, dv;

		for (i = 0; i < k; i++)
			s += (b[i] - '0') * w[i + 13 - k];
		dv = s % 11 < 2 ? 0 : 11 - s % 11;
		if (b[k] - '0' != dv)
			return 0;
	}
	return 1;
}

static int br_cpf(const char *b, size_t n)
{
	int k, i;

	if (all_same(b, n))
		return 0;
	for (k = 9; k <= 10; k++) {
		int s = 0;

		for (i = 0; i < k; i++)
			s += (b[i] - '0') * (k + 1 - i);
		if (s * 10 % 11 % 10 != b[k] - '0')
			return 0;
	}
	return 1;
}

static int at_uid(const char *b, size_t n)
{
	(void)n;
	return b[0] == 'U';
}

static int be_vat(const char *b, size_t n)
{
	(void)n;
	return b[0] <= '1' && 97 - num(b, 8) % 97 == num(b + 8, 2);
}

/* UK VAT (HMRC): weights 8..2 on the first seven digits plus the last two
 * is 0 mod 97 (old numbers) or 42 mod 97, i.e. +55 (numbers from 2010). */
static int gb_vat(const char *b, size_t n)
{
	int i, sum = 0;

	(void)n;
	for (i = 0; i < 7; i++)
		sum += (b[i] - '0') * (8 - i);
	sum += (int)num(b + 7, 2);
	return sum % 97 == 0 || (sum + 55) % 97 == 0;
}

static int nl_btw(const char *b, size_t n)
{
	(void)n;
	return b[9] == 'B';
}

/* ---- the scheme table ---------------------------------------------------- */

enum { GUESS = 1 };

/*
 * Position classes: 'd' digit, 'a' letter, 'x' either, 'o' digit or an
 * omocodia letter (LMNPQRSTUV). A body fits when its length is strlen(pat)
 * (or minlen..strlen(pat) for variable-length all-digit numbers).
 *
 * Order matters twice. Within a country, the first scheme that validates
 * wins. A number without prefix or usable hint is tried against the GUESS
 * lines in table order: PL NIP (10 digits), ES DNI, NIE, CIF, IT Codice
 * Fiscale, PT NIF (9), PL REGON (9), DE USt-IdNr (9), IT Partita IVA (11),
 * PL PESEL (11), BR CPF (11), FR TVA (11), PL REGON (14), BR CNPJ (14),
 * all digits. Letters in a French key or a CNPJ root, and the shape-only
 * schemes, need a prefix or hint: too many strings would pass.
 * Bodies of one repeated character never validate.
 */
/* clang-format off */
static const struct scheme {
	char cc[3];
	const char *kind;
	const char *pat;
	int minlen;
	int (*valid)(const char *b, size_t n);
	int flags;
} schemes[] = {
	{ "PL", "nip", "dddddddddd", 0, pl_nip, GUESS },
	{ "ES", "dni", "dddddddda", 0, es_dni, GUESS },
	{ "ES", "nie", "addddddda", 0, es_nie, GUESS },
	{ "ES", "cif", "adddddddx", 0, es_cif, GUESS },
	{ "IT", "cf", "aaaaaaooaooaoooa", 0, it_cf, GUESS },
	{ "PT", "nif", "ddddddddd", 0, pt_nif, GUESS },
	{ "PL", "regon", "ddddddddd", 0, pl_regon, GUESS },
	{ "DE", "ustid", "ddddddddd", 0, de_ustid, GUESS },
	{ "IT", "piva", "ddddddddddd", 0, it_piva, GUESS },
	{ "PL", "pesel", "ddddddddddd", 0, pl_pesel, GUESS },
	{ "BR", "cpf", "ddddddddddd", 0, br_cpf, GUESS },
	{ "FR", "tva", "ddddddddddd", 0, fr_tva, GUESS },
	{ "PL", "regon", "dddddddddddddd", 0, pl_regon, GUESS },
	{ "BR", "cnpj", "dddddddddddddd", 0, br_cnpj, GUESS },
	/* letters in FR keys and CNPJ roots only with a prefix or hint */
	{ "FR", "tva", "xxddddddddd", 0, fr_tva, 0 },
	{ "BR", "cnpj", "xxxxxxxxxxxxdd", 0, br_cnpj, 0 },
	/* EU member states checked by shape (and a letter or mod 97 where
	 * that is all it takes) */
	{ "AT", "vat", "adddddddd", 0, at_uid, 0 },
	{ "BE", "vat", "dddddddddd", 0, be_vat, 0 },
	{ "BG", "vat", "dddddddddd", 9, NULL, 0 },
	{ "CY", "vat", "dddddddda", 0, NULL, 0 },
	{ "CZ", "vat", "dddddddddd", 8, NULL, 0 },
	{ "DK", "vat", "dddddddd", 0, NULL, 0 },
	{ "EE", "vat", "ddddddddd", 0, NULL, 0 },
	{ "EL", "vat", "ddddddddd", 0, NULL, 0 },
	{ "FI", "vat", "dddddddd", 0, NULL, 0 },
	{ "HR", "vat", "ddddddddddd", 0, NULL, 0 },
	{ "HU", "vat", "dddddddd", 0, NULL, 0 },
	{ "IE", "vat", "ddddddda", 0, NULL, 0 },
	{ "IE", "vat", "dddddddaa", 0, NULL, 0 },
	{ "IE", "vat", "dxddddda", 0, NULL, 0 },
	{ "LT", "vat", "ddddddddd", 0, NULL, 0 },
	{ "LT", "vat", "dddddddddddd", 0, NULL, 0 },
	{ "LU", "vat", "dddddddd", 0, NULL, 0 },
	{ "LV", "vat", "ddddddddddd", 0, NULL, 0 },
	{ "MT", "vat", "dddddddd", 0, NULL, 0 },
	{ "NL", "vat", "dddddddddadd", 0, nl_btw, 0 },
	{ "RO", "vat", "dddddddddd", 2, NULL, 0 },
	{ "SE", "vat", "dddddddddddd", 0, NULL, 0 },
	{ "SI", "vat", "dddddddd", 0, NULL, 0 },
	{ "SK", "vat", "dddddddddd", 0, NULL, 0 },
	{ "XI", "vat", "ddddddddd", 0, gb_vat, 0 },
	{ "GB", "vat", "ddddddddd", 0, gb_vat, 0 },
	{ "GB", "vat", "dddddddddddd", 0, NULL, 0 },
	{ "XI", "vat", "dddddddddddd", 0, NULL, 0 },
};
/* clang-format on */

#define TAXID_MAX 24 /* longest compact body we look at */

static int fits_class(int c, int cls)
{
	switch (cls) {
	case 'd': return is_digit(c);
	case 'a': return is_upper(c);
	case 'x': return is_digit(c) || is_upper(c);
	case 'o': return is_digit(c) || (c && strchr("LMNPQRSTUV", c));
	}
	return 0;
}

static int shape_fits(const struct scheme *sc, const char *b, size_t n)
{
	size_t len = strlen(sc->pat), i;

	if (n > len || n < (sc->minlen ? (size_t)sc->minlen : len))
		return 0;
	for (i = 0; i < n; i++)
		if (!fits_class(b[i], sc->pat[i]))
			return 0;
	return 1;
}

/* "GR" is Greece's ISO code; its VAT prefix is "EL". */
static const char *country_of(const char *cc)
{
	char u[3];
	size_t i;

	if (!cc || !cc[0] || !cc[1])
		return NULL;
	u[0] = (char)upper(cc[0]);
	u[1] = (char)upper(cc[1]);
	u[2] = '\0';
	if (!strcmp(u, "GR"))
		return "EL";
	for (i = 0; i < ARRAY_SIZE(schemes); i++)
		if (!strcmp(schemes[i].cc, u))
			return schemes[i].cc;
	return NULL;
}

int folio_taxid_country_known(const char *cc)
{
	return country_of(cc) != NULL;
}

/*
 * Try the schemes of country `cc` (or the guess list when cc is NULL) on
 * body b: 1 and `out`/`kind` set when one validates, 0 when a shape fitted
 * but no check passed, -1 when no shape fitted.
 */
static int check_body(const char *cc, const char *b, size_t n, char out[32], const char **kind)
{
	int fitted = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		const struct scheme *sc = &schemes[i];

		if (cc ? strcmp(sc->cc, cc) : !(sc->flags & GUESS))
			continue;
		if (!shape_fits(sc, b, n))
			continue;
		fitted = 1;
		/* 0000000000 and 1111111111 pass several checksums; they are
		 * placeholders on forms, never real numbers */
		if (all_same(b, n) || (sc->valid && !sc->valid(b, n)))
			continue;
		snprintf(out, 32, "%s%.*s", sc->cc, (int)n, b);
		if (kind)
			*kind = sc->kind;
		return 1;
	}
	return fitted ? 0 : -1;
}

/* The stages of reading an ID: its own prefix, then the hint, then a
 * guess. The first stage in which some shape fits decides. */
struct stage {
	const char *cc; /* NULL: the guess list */
	size_t skip;	/* bytes of prefix to skip */
};

static int stages(const char *c, size_t n, const char *hint, struct stage st[3])
{
	int k = 0;
	const char *pc;

	if (n > 2 && is_upper(c[0]) && is_upper(c[1]) && (pc = country_of(c))) {
		st[k].cc = pc;
		st[k++].skip = 2;
	}
	if ((pc = country_of(hint))) {
		st[k].cc = pc;
		st[k++].skip = 0;
	}
	st[k].cc = NULL;
	st[k++].skip = 0;
	return k;
}

static int check_compact(const char *c, size_t n, const char *hint, char out[32], const char **kind)
{
	struct stage st[3];
	int k = stages(c, n, hint, st), i;

	for (i = 0; i < k; i++) {
		int r = check_body(st[i].cc, c + st[i].skip, n - st[i].skip, out, kind);
		if (r >= 0)
			return r;
	}
	return -1;
}

/* Length of a separator the IDs are printed with: blanks, . - / and the
 * no-break spaces; 0 for anything else. */
static size_t sep_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] == ' ' || u[0] == '\t' || u[0] == '.' || u[0] == '-' || u[0] == '/')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xaf || u[2] == 0x89))
		return 3;
	return 0;
}

/*
 * Copy the letters and digits of raw to c, dropping separators. With
 * keep_case, characters stay as printed and '|' is kept (for repairs);
 * otherwise letters are upper-cased. Returns the length, or -1 for any
 * other character or a body too long.
 */
static int compact(const char *raw, char *c, size_t cap, int keep_case)
{
	size_t n = 0;

	while (*raw) {
		int ch = (unsigned char)*raw;
		size_t sl;

		if ((sl = sep_len(raw))) {
			raw += sl;
			continue;
		}
		if (!is_digit(ch) && !is_upper(upper(ch)) && !(keep_case && ch == '|'))
			return -1;
		if (n + 1 >= cap)
			return -1;
		c[n++] = (char)(keep_case ? ch : upper(ch));
		raw++;
	}
	c[n] = '\0';
	return (int)n;
}

int folio_taxid_check(const char *raw, const char *country, char out[32], const char **kind)
{
	char c[TAXID_MAX + 3];
	int n = compact(raw, c, sizeof(c), 0);

	if (n <= 0)
		return -1;
	return check_compact(c, (size_t)n, country, out, kind);
}

/* ---- repairs --------------------------------------------------------------- */

/*
 * OCR look-alikes. A character that does not fit its position's class
 * must be replaced by a look-alike that does (a forced change, free); a
 * letter that fits a position that also takes digits ('x', 'o') may be
 * read as its digit (an optional change, at most two per reading). Digits
 * are never turned into letters unless the position needs a letter: IDs
 * are mostly digits, and the other direction would invent alphanumeric
 * CNPJ roots out of mistyped numeric ones.
 */
/* clang-format off */
static const struct lookalike {
	char from;
	const char *to;
} lookalikes[] = {
	{ 'O', "0" }, { 'o', "0" }, { 'D', "0" }, { 'Q', "0" },
	{ 'I', "1" }, { 'i', "1" }, { 'l', "1" }, { '|', "1IL" },
	{ 'S', "5" }, { 's', "5" }, { 'B', "8" }, { 'Z', "2" }, { 'z', "2" }, { 'G', "6" },
	{ '0', "ODQ" }, { '1', "IL" }, { '5', "S" }, { '8', "B" }, { '2', "Z" }, { '6', "G" },
};
/* clang-format on */

#define FIX_MAX_READINGS 20000
#define FIX_MAX_SUBS 2

struct fix {
	const char *orig; /* as printed, compact */
	const char *pat;  /* class per position */
	size_t n;
	char cur[40];
	long left; /* readings we may still try */
	/* called for each reading; returns nonzero to stop */
	int (*emit)(struct fix *f);
	void *arg;
};

/* Options for position i: the character itself when it fits, then its
 * look-alikes that fit. *keep says whether the first option is "as is". */
static int fix_options(int ch, int cls, char opt[8], int *keep)
{
	int k = 0;
	size_t i;
	const char *t;

	*keep = 0;
	if ((is_digit(ch) || is_upper(upper(ch))) && fits_class(upper(ch), cls)) {
		opt[k++] = (char)upper(ch);
		*keep = 1;
	}
	for (i = 0; i < ARRAY_SIZE(lookalikes); i++) {
		if (lookalikes[i].from != ch)
			continue;
		for (t = lookalikes[i].to; *t; t++) {
			if (!fits_class(*t, cls) || (*keep && !is_digit(*t)))
				continue;
			if (k < 7 && !memchr(opt, *t, (size_t)k))
				opt[k++] = *t;
		}
	}
	return k;
}

static int fix_walk(struct fix *f, size_t i, int subs)
{
	char opt[8];
	int keep, k, j;

	if (f->left <= 0)
		return 1;
	if (i == f->n) {
		f->left--;
		f->cur[i] = '\0';
		return f->emit(f);
	}
	k = fix_options(f->orig[i], f->pat[i], opt, &keep);
	for (j = 0; j < k; j++) {
		int cost = keep && j > 0;

		if (subs + cost > FIX_MAX_SUBS)
			continue;
		f->cur[i] = opt[j];
		if (fix_walk(f, i + 1, subs + cost))
			return 1;
	}
	return 0;
}

/* Whether the letter position holding ch may be read as letter `want`. */
static int reads_as(int ch, int want)
{
	char opt[8];
	int keep, k = fix_options(ch, 'a', opt, &keep);

	return memchr(opt, want, (size_t)k) != NULL;
}

/* Whether every position has some option (a loose shape match). */
static int fix_fits(const char *orig, const char *pat, size_t n)
{
	char opt[8];
	int keep;
	size_t i;

	for (i = 0; i < n; i++)
		if (!fix_options(orig[i], pat[i], opt, &keep))
			return 0;
	return 1;
}

/* Distinct results of the readings; more than one means "ambiguous". */
struct fix_found {
	const struct scheme *sc;
	const char *cc; /* the stage's country, NULL when guessing */
	char first[40];
	int count; /* distinct results, 0..2 */
};

static void found_add(struct fix_found *ff, const char *res)
{
	if (ff->count == 0) {
		snprintf(ff->first, sizeof(ff->first), "%.39s", res);
		ff->count = 1;
	} else if (strcmp(ff->first, res)) {
		ff->count = 2;
	}
}

static int taxid_emit(struct fix *f)
{
	struct fix_found *ff = f->arg;
	char res[32];

	if (ff->sc->valid && !ff->sc->valid(f->cur, f->n))
		return 0;
	/* report what a check of this reading says: the first scheme that
	 * validates in this stage, as folio_taxid_check would */
	if (check_body(ff->cc, f->cur, f->n, res, NULL) != 1)
		return 0;
	found_add(ff, res);
	return ff->count > 1;
}

int folio_taxid_repair(const char *raw, const char *country, char out[32])
{
	char c[TAXID_MAX + 3], up[TAXID_MAX + 3];
	struct stage st[3];
	struct fix_found ff = { 0 };
	int n, k, i, fitted = 0;
	size_t j;

	if (folio_taxid_check(raw, country, out, NULL) == 1)
		return 1;
	n = compact(raw, c, sizeof(c), 1);
	if (n <= 0)
		return 0;
	for (i = 0; i <= n; i++)
		up[i] = (char)upper(c[i]);
	k = stages(up, (size_t)n, country, st);
	for (i = 0; i < k && !fitted; i++) {
		const char *b = c + st[i].skip;
		size_t bn = (size_t)n - st[i].skip;

		ff.cc = st[i].cc;
		for (j = 0; j < ARRAY_SIZE(schemes); j++) {
			const struct scheme *sc = &schemes[j];
			struct fix f = { 0 };
			size_t plen = strlen(sc->pat);

			if (st[i].cc ? strcmp(sc->cc, st[i].cc) : !(sc->flags & GUESS))
				continue;
			if (bn > plen || bn < (sc->minlen ? (size_t)sc->minlen : plen) ||
			    !fix_fits(b, sc->pat, bn))
				continue;
			fitted = 1;
			ff.sc = sc;
			f.orig = b;
			f.pat = sc->pat;
			f.n = bn;
			f.left = FIX_MAX_READINGS;
			f.emit = taxid_emit;
			f.arg = &ff;
			if (fix_walk(&f, 0, 0) && ff.count > 1)
				return 0;
			if (f.left <= 0)
				return 0; /* too many readings to be sure */
		}
	}
	if (ff.count != 1)
		return 0;
	snprintf(out, 32, "%.31s", ff.first);
	return 1;
}

/* ---- IBAN ------------------------------------------------------------------ */

/*
 * Lengths from the SWIFT IBAN registry, and the BBAN structure (n digits,
 * a letters, c either) where we are sure of it; NULL means "any letters
 * and digits".
 */
/* clang-format off */
static const struct iban_country {
	char cc[3];
	int len;
	const char *bban;
} iban_countries[] = {
	{ "AD", 24, NULL }, { "AE", 23, NULL }, { "AL", 28, NULL }, { "AT", 20, "16n" },
	{ "AZ", 28, NULL }, { "BA", 20, NULL }, { "BE", 16, "12n" }, { "BG", 22, "4a6n8c" },
	{ "BH", 22, NULL }, { "BR", 29, "23n1a1c" }, { "BY", 28, NULL },
	{ "CH", 21, "5n12c" }, { "CR", 22, NULL }, { "CY", 28, "8n16c" }, { "CZ", 24, "20n" },
	{ "DE", 22, "18n" }, { "DK", 18, "14n" }, { "DO", 28, NULL }, { "EE", 20, "16n" },
	{ "EG", 29, NULL }, { "ES", 24, "20n" }, { "FI", 18, "14n" }, { "FO", 18, NULL },
	{ "FR", 27, "10n11c2n" }, { "GB", 22, "4a14n" }, { "GE", 22, NULL }, { "GI", 23, NULL },
	{ "GL", 18, NULL }, { "GR", 27, "7n16c" }, { "GT", 28, NULL }, { "HR", 21, "17n" },
	{ "HU", 28, "24n" }, { "IE", 22, "4a14n" }, { "IL", 23, NULL }, { "IQ", 23, NULL },
	{ "IS", 26, "22n" }, { "IT", 27, "1a10n12c" }, { "JO", 30, NULL }, { "KW", 30, NULL },
	{ "KZ", 20, NULL }, { "LB", 28, NULL }, { "LC", 32, NULL }, { "LI", 21, "5n12c" },
	{ "LT", 20, "16n" }, { "LU", 20, "3n13c" }, { "LV", 21, "4a13c" }, { "MC", 27, "10n11c2n" },
	{ "MD", 24, NULL }, { "ME", 22, NULL }, { "MK", 19, NULL }, { "MR", 27, NULL },
	{ "MT", 31, "4a5n18c" }, { "MU", 30, NULL }, { "NL", 18, "4a10n" }, { "NO", 15, "11n" },
	{ "PK", 24, NULL }, { "PL", 28, "24n" }, { "PS", 29, NULL }, { "PT", 25, "21n" },
	{ "QA", 29, NULL }, { "RO", 24, "4a16c" }, { "RS", 22, NULL }, { "SA", 24, NULL },
	{ "SC", 31, NULL }, { "SE", 24, "20n" }, { "SI", 19, "15n" }, { "SK", 24, "20n" },
	{ "SM", 27, "1a10n12c" }, { "ST", 25, NULL }, { "SV", 28, NULL }, { "TL", 23, NULL },
	{ "TN", 24, NULL }, { "TR", 26, NULL }, { "UA", 29, NULL }, { "VA", 22, NULL },
	{ "VG", 24, NULL }, { "XK", 20, NULL },
};
/* clang-format on */

static const struct iban_country *iban_country(const char *cc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iban_countries); i++)
		if (iban_countries[i].cc[0] == cc[0] && iban_countries[i].cc[1] == cc[1])
			return &iban_countries[i];
	return NULL;
}

/* Position classes of a whole IBAN of this country into pat[len + 1]. */
static void iban_pattern(const struct iban_country *ic, char *pat)
{
	const char *p = ic->bban;
	int k = 4, i;

	memcpy(pat, "aadd", 4);
	while (p && *p) {
		int cnt = 0;

		while (is_digit(*p))
			cnt = cnt * 10 + (*p++ - '0');
		for (i = 0; i < cnt && k < ic->len; i++)
			pat[k++] = *p == 'n' ? 'd' : *p == 'a' ? 'a' : 'x';
		if (*p)
			p++;
	}
	while (k < ic->len)
		pat[k++] = 'x';
	pat[k] = '\0';
}

static int iban_mod97(const char *s, size_t n)
{
	int r = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = s[(i + 4) % n];

		if (is_digit(c))
			r = (r * 10 + (c - '0')) % 97;
		else
			r = (r * 100 + (c - 'A' + 10)) % 97;
	}
	return r;
}

/* 1 valid, 0 wrong length, structure or checksum (c is compact upper). */
static int iban_valid(const char *c, size_t n)
{
	const struct iban_country *ic = iban_country(c);
	char pat[40];
	size_t i;

	if (!ic || (size_t)ic->len != n)
		return 0;
	iban_pattern(ic, pat);
	for (i = 0; i < n; i++)
		if (!fits_class(c[i], pat[i]))
			return 0;
	/* check digits are 02..98; 00, 01 and 99 can pass mod 97 by accident */
	if (!memcmp(c + 2, "00", 2) || !memcmp(c + 2, "01", 2) || !memcmp(c + 2, "99", 2))
		return 0;
	return iban_mod97(c, n) == 1;
}

int folio_iban_check(const char *raw, char out[40])
{
	char c[40];
	int n = 0;
	size_t i;

	out[0] = '\0';
	while (*raw) {
		size_t sl;

		if (*raw != '.' && *raw != '/' && *raw != '-' && (sl = sep_len(raw))) {
			raw += sl;
			continue;
		}
		if (n == 34 || (!is_digit(*raw) && !is_upper(upper(*raw))))
			return -1;
		c[n++] = (char)upper(*raw++);
	}
	c[n] = '\0';
	if (n < 15 || !is_upper(c[0]) || !is_upper(c[1]) || !is_digit(c[2]) || !is_digit(c[3]))
		return -1;
	/* an unknown country is not an IBAN (invoice numbers look alike) */
	if (!iban_country(c))
		return -1;
	for (i = 0; i <= (size_t)n; i++)
		out[i] = c[i];
	return iban_valid(c, (size_t)n);
}

static int iban_emit(struct fix *f)
{
	struct fix_found *ff = f->arg;

	if (!iban_valid(f->cur, f->n))
		return 0;
	found_add(ff, f->cur);
	return ff->count > 1;
}

int folio_iban_repair(const char *raw, char out[40])
{
	char c[40], pat[40];
	struct fix_found ff = { 0 };
	int n = 0;
	size_t i;

	if (folio_iban_check(raw, out) == 1)
		return 1;
	out[0] = '\0';
	while (*raw) {
		size_t sl;

		if (*raw != '.' && *raw != '/' && *raw != '-' && (sl = sep_len(raw))) {
			raw += sl;
			continue;
		}
		if (n == 34 || (!is_digit(*raw) && !is_upper(upper(*raw)) && *raw != '|'))
			return 0;
		c[n++] = *raw++;
	}
	c[n] = '\0';
	/*
	 * The country code may itself be misread: try every country whose
	 * code and length fit. Where a BBAN takes letters and digits, also
	 * try it as all digits (every letter there a forced change): most
	 * account numbers are, and mod 97 catches a wrong guess.
	 */
	for (i = 0; i < 2 * ARRAY_SIZE(iban_countries); i++) {
		const struct iban_country *ic = &iban_countries[i / 2];
		struct fix f = { 0 };

		if (ic->len != n || !reads_as(c[0], ic->cc[0]) || !reads_as(c[1], ic->cc[1]))
			continue;
		iban_pattern(ic, pat);
		if (i % 2) {
			char *x = strchr(pat, 'x');

			if (!x)
				continue;
			for (; x; x = strchr(x, 'x'))
				*x = 'd';
		}
		if (!fix_fits(c + 2, pat + 2, (size_t)n - 2))
			continue;
		f.orig = c;
		f.pat = pat;
		f.n = (size_t)n;
		f.left = FIX_MAX_READINGS;
		f.emit = iban_emit;
		f.arg = &ff;
		if (fix_walk(&f, 0, 0) && ff.count > 1)
			return 0;
		if (f.left <= 0)
			return 0;
	}
	if (ff.count != 1)
		return 0;
	snprintf(out, 40, "%s", ff.first);
	return 1;
}

/* ---- KSeF number ------------------------------------------------------------ */

static unsigned crc8(const char *s, size_t n)
{
	unsigned crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= (unsigned char)s[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 0x80) ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
	}
	return crc;
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c = upper(c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* NIP-YYYYMMDD-12HEX-CRC8: the NIP's own check digit, a real date and the
 * CRC-8 (poly 0x07, init 0) of the first 32 characters. Surrounding blanks
 * are allowed. */
int folio_ksef_number_check(const char *s)
{
	static const char shape[] = "dddddddddd-dddddddd-hhhhhhhhhhhh-hh";
	char k[36];
	size_t n, i;
	int y, m, d;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < n; i++) {
		int ok = shape[i] == 'd' ? is_digit(s[i]) :
			 shape[i] == 'h' ? hexval(s[i]) >= 0 :
					   s[i] == '-';

		if (!ok)
			return 0;
		k[i] = (char)upper(s[i]);
	}
	k[n] = '\0';
	if (!pl_nip(k, 10))
		return 0;
	y = num(k + 11, 4);
	m = num(k + 15, 2);
	d = num(k + 17, 2);
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return 0;
	return (unsigned)(hexval(k[33]) * 16 + hexval(k[34])) == crc8(k, 32);
}
