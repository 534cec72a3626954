/*
 * ksef.c - the Polish KSeF e-invoice, structure FA(3) (root Faktura,
 * namespace http://crd.gov.pl/wzor/2025/06/25/13775/, schema
 * schemat_FA(3)_v1-0E.xsd of the Ministry of Finance): one XML file per
 * invoice, written so that the schema validates it.
 *
 * KSeF carries invoices issued by Polish VAT payers only. An invoice is
 * refused (FOLIO_E_REFUSED, every reason listed, each naming the FA(3)
 * element) when the seller's tax ID is not a Polish NIP, when mandatory
 * data is missing (P_1, P_2, KodWaluty, P_15, Podmiot1 NIP, Nazwa and
 * Adres, Podmiot2 Nazwa), when the VAT breakdown does not add up to P_15,
 * when a foreign-currency invoice has taxed rows (FA(3) then needs the
 * VAT in PLN, P_14_xW, and the record has no exchange rate), and when a
 * credit note lacks the corrected invoice (see below).
 *
 * VAT breakdown rows to the Fa summary fields, after the schema's
 * annotations. A rate already written as one of FA(3)'s own P_12 words
 * (what folio's reader gives for KSeF input) keeps its field; otherwise
 * the UNCL5305 category decides (no category: S when the rate is not 0):
 *   S 23 or 22 %         P_13_1 / P_14_1   (P_12 "23" or "22")
 *   S 8 or 7 %           P_13_2 / P_14_2   ("8", "7")
 *   S 5 %                P_13_3 / P_14_3   ("5")
 *   S 4 %                P_13_4 / P_14_4   ("4", the taxi lump sum)
 *   "oss"                P_13_5 / P_14_5   (OSS procedure; no P_12)
 *   Z (0 % domestic)     P_13_6_1          ("0 KR")
 *   K (intra-EU supply)  P_13_6_2          ("0 WDT")
 *   G (export)           P_13_6_3          ("0 EX")
 *   E (exempt)           P_13_7            ("zw"), Zwolnienie/P_19 = 1 and
 *                        the reason in P_19B when it cites the directive
 *                        (2006/112, "dyrektyw", "directive", a VATEX-EU-
 *                        article code), P_19A when it cites an act
 *                        ("ustaw", "rozporządz", "art.", "§"), else P_19C
 *   E with VATEX-EU-D/F/I/J (margin schemes) or "marza"
 *                        P_13_11, PMarzy/P_PMarzy with P_PMarzy_2 (travel
 *                        agents), _3_1 (second-hand goods), _3_2 (works
 *                        of art), _3_3 (collectors' items and antiques)
 *   O (not subject)      P_13_8            ("np I": outside Poland)
 *   AE (reverse charge)  P_13_10 ("oo", domestic reverse charge) when the
 *                        buyer is Polish or of unknown country; P_13_9
 *                        ("np II", services of art. 100(1)(4) taxed by an
 *                        EU buyer) when the buyer is in another member
 *                        state; P_13_8 ("np I") when outside the EU.
 *                        Adnotacje/P_18 ("odwrotne obciążenie") is 1.
 * Other categories (L, M), other rates (3 %, S 0 %) and VAT on a row
 * whose field has no P_14 are refused. Rows that land in one field are
 * added up.
 *
 * Adnotacje: P_16 (cash accounting), P_17 (self-billing), P_18A (split
 * payment), P_23 (triangulation) are 2 and NoweSrodkiTransportu/P_22N
 * is 1: the record knows none of these, and "2" is what an ordinary
 * invoice says. Podmiot2 JST and GV are 2 (no Podmiot3 is written).
 *
 * Lines: FaWiersz per invoice line when the lines' nets add up to the
 * breakdown's; otherwise (no lines, or allowances and charges at document
 * level, which FA(3) has no place for) one FaWiersz per breakdown row
 * whose P_7 says it sums the original invoice's lines at that rate and
 * whose P_11 is that row's net.
 *
 * Credit notes are RodzajFaktury KOR. FA(3) fills a correction's amounts
 * with the difference, so a credit note whose gross is positive (the
 * UBL/CII habit) has every amount and quantity negated. KOR needs
 * DaneFaKorygowanej: the corrected invoice's number and date, read from
 * the fields "preceding_invoice_number" and "preceding_invoice_date"
 * (EN 16931 BT-25, BT-26) and, when known, its KSeF number from
 * "preceding_invoice_ksef" (else NrKSeFN = 1). Without them the credit
 * note is refused. Proformas, receipts and other types are refused.
 *
 * Also written when known: P_6 (supply date, also when it is the issue
 * date), Platnosc/TerminPlatnosci/
 * Termin (due date), Platnosc/RachunekBankowy/NrRB (IBAN), Rozliczenie/
 * DoZaplaty (amount due; a difference from P_15 as Odliczenia or
 * Obciazenia), WarunkiTransakcji/Zamowienia/NrZamowienia (order
 * reference). DataWytworzeniaFa is the batch time, SystemInfo "folio".
 */
#include "export_private.h"
#include "folio/values.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KSEF_NS "http://crd.gov.pl/wzor/2025/06/25/13775/"

/* ---- the summary fields ------------------------------------------------- */

enum slot { P_1, P_2, P_3, P_4, P_5, P_6_1, P_6_2, P_6_3, P_7, P_8, P_9, P_10, P_11, NSLOTS };

/* clang-format off */
static const struct {
	const char *net, *vat; /* element names; vat NULL: no P_14 */
	const char *vatw;      /* the PLN VAT a foreign-currency invoice needs */
} slots[NSLOTS] = {
	{ "P_13_1", "P_14_1", "P_14_1W" }, { "P_13_2", "P_14_2", "P_14_2W" },
	{ "P_13_3", "P_14_3", "P_14_3W" }, { "P_13_4", "P_14_4", "P_14_4W" },
	{ "P_13_5", "P_14_5", NULL },      { "P_13_6_1", NULL, NULL },
	{ "P_13_6_2", NULL, NULL },        { "P_13_6_3", NULL, NULL },
	{ "P_13_7", NULL, NULL },          { "P_13_8", NULL, NULL },
	{ "P_13_9", NULL, NULL },          { "P_13_10", NULL, NULL },
	{ "P_13_11", NULL, NULL },
};
/* clang-format on */

/* FA(3)'s own P_12 words (and the reader's "oss", "marza", FA(2)'s "np"). */
/* clang-format off */
static const struct {
	const char *word;
	enum slot slot;
	const char *p12;
} words[] = {
	{ "0 KR", P_6_1, "0 KR" }, { "0 WDT", P_6_2, "0 WDT" }, { "0 EX", P_6_3, "0 EX" },
	{ "zw", P_7, "zw" },       { "np I", P_8, "np I" },     { "np", P_8, "np I" },
	{ "np II", P_9, "np II" }, { "oo", P_10, "oo" },        { "marza", P_11, NULL },
	{ "oss", P_5, NULL },
};
/* clang-format on */

/* The schema's code lists: TKodyKrajowUE (EU VAT prefixes, EL Greece, XI
 * Northern Ireland), TKodWaluty and TKodKraju (bazowe/KodyKrajow). */
static const char eu_prefixes[] =
	"AT BE BG CY CZ DK EE FI FR DE EL HR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE XI";
static const char currencies[] =
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL "
	"BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF "
	"DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GGP GHS GIP GMD GNF GTQ GYD HKD HNL HRK "
	"HTG HUF IDR ILS IMP INR IQD IRR ISK JEP JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD "
	"KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR "
	"MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR "
	"SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD "
	"TWD TZS UAH UGX USD USN UYI UYU UYW UZS VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD "
	"XCD XCG XDR XOF XPD XPF XPT XSU XUA XXX YER ZAR ZMW ZWL";
static const char countries[] =
	"AF AX AL DZ AD AO AI AQ AG AN SA AR AM AW AU AT AZ BS BH BD BB BE BZ BJ BM BT BY BO "
	"BQ BA BW BR BN IO BG BF BI XC CL CN HR CW CY TD ME DK DM DO DJ EG EC ER EE ET FK FJ "
	"PH FI FR TF GA GM GH GI GR GD GL GE GU GG GY GF GP GT GN GQ GW HT ES HN HK IN ID IQ "
	"IR IE IS IL JM JP YE JE JO KY KH CM CA QA KZ KE KG KI CO KM CG CD KP XK CR CU KW LA "
	"LS LB LR LY LI LT LV LU MK MG YT MO MW MV MY ML MT MP MA MQ MR MU MX XL FM UM MD MC "
	"MN MS MZ MM NA NR NP NL DE NE NG NI NU NF NO NC NZ PS OM PK PW PA PG PY PE PN PF PL "
	"GS PT PR CF CZ KR ZA RE RU RO RW EH BL KN LC MF VC SV WS AS SM SN RS SC SL SG SK SI "
	"SO LK PM US SZ SD SS SR SJ SH SY CH SE TJ TH TW TZ TG TK TO TT TN TR TM TV UG UA UY "
	"UZ VU WF VA HU VE GB VN IT TL CI BV CX IM SX CK VI VG HM CC MH FO SB ST TC ZM CV ZW "
	"AE XI";

/* Whether `code` is one of the space-separated codes of `list`. */
static int in_list(const char *list, const char *code)
{
	size_t n = code ? strlen(code) : 0;
	const char *p;

	if (!n)
		return 0;
	for (p = list; (p = strstr(p, code)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static int eu_prefix(const char *cc)
{
	return in_list(eu_prefixes, cc);
}

static int country_ok(const char *cc)
{
	return cc && strlen(cc) == 2 && in_list(countries, cc);
}

/* An ISO country (GR, not EL) of the EU. */
static int eu_country(const char *cc)
{
	if (!cc || !strcmp(cc, "EL"))
		return 0;
	return !strcmp(cc, "GR") || eu_prefix(cc);
}

/* ---- the state of one write ---------------------------------------------- */

struct ksef {
	const struct folio_invoice *inv;
	struct folio_strbuf why; /* refusal reasons, "; "-separated */
	int sign;		 /* -1: a credit note's positive amounts negated */
	long long net[NSLOTS], vat[NSLOTS];
	int used[NSLOTS];
	const char *row_p12[64]; /* per breakdown row, for summary lines */
	int exempt_kind;	 /* 'A', 'B', 'C' */
	struct folio_strbuf exempt;
	const char *margin; /* the P_PMarzy_x element */
	int reverse;	    /* P_18 */
};

static void reason(struct ksef *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reason(struct ksef *k, const char *fmt, ...)
{
	va_list ap;

	if (k->why.len)
		folio_strbuf_adds(&k->why, "; ");
	va_start(ap, fmt);
	folio_strbuf_vaddf(&k->why, fmt, ap);
	va_end(ap);
}

static const char *str_or(const char *s, const char *def)
{
	return s ? s : def;
}

/* ---- values ---------------------------------------------------------------- */

/* The length in characters of `s` once XML's token type has collapsed
 * its white space. */
static size_t token_len(const char *s)
{
	size_t n = 0;
	int space = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (((unsigned char)*s & 0xc0) == 0x80)
			continue;
		n += 1 + space;
		space = 0;
	}
	return n;
}

/* A date YYYY-MM-DD between `lo` and `hi` (string order is date order). */
static int date_ok(const char *s, const char *lo, const char *hi)
{
	int i, m, d;

	if (!s || strlen(s) != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	m = (s[5] - '0') * 10 + s[6] - '0';
	d = (s[8] - '0') * 10 + s[9] - '0';
	return m >= 1 && m <= 12 && d >= 1 && d <= 31 && strcmp(s, lo) >= 0 && strcmp(s, hi) <= 0;
}

/*
 * A decimal written the way FA(3)'s TKwotowy2/TIlosci patterns accept:
 * -?([1-9]\d{0,k}|0)(\.\d{1,frac})?. Leading zeros and a '+' dropped,
 * trailing fraction zeros dropped when there are more than `frac`.
 * `negate` flips the sign. NULL when `s` is not such a number.
 */
static const char *decimal(const char *s, int frac, int maxint, int negate, char *buf, size_t n)
{
	const char *ip, *fp = NULL;
	size_t il = 0, fl = 0, o = 0;
	int neg = 0, zero = 1;
	size_t i;

	if (!s)
		return NULL;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s == '0' && isdigit((unsigned char)s[1]))
		s++;
	for (ip = s; isdigit((unsigned char)s[il]); il++)
		zero &= s[il] == '0';
	s += il;
	if (*s == '.') {
		fp = ++s;
		for (; isdigit((unsigned char)fp[fl]); fl++)
			zero &= fp[fl] == '0';
		s += fl;
	}
	if (*s || !il || (fp && !fl) || il > (size_t)maxint)
		return NULL;
	while (fl > (size_t)frac && fp[fl - 1] == '0')
		fl--;
	if (fl > (size_t)frac || il + fl + 3 > n)
		return NULL;
	if ((neg ^ negate) && !zero)
		buf[o++] = '-';
	for (i = 0; i < il; i++)
		buf[o++] = ip[i];
	if (fl) {
		buf[o++] = '.';
		for (i = 0; i < fl; i++)
			buf[o++] = fp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* The NIP check digit (weights 6 5 7 2 3 4 5 6 7) and the schema's
 * TNrNIP pattern [1-9]((\d[1-9])|([1-9]\d))\d{7}. */
static int nip_ok(const char *s)
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int i, sum = 0;

	if (strlen(s) != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[0] == '0' || (s[1] == '0' && s[2] == '0'))
		return 0;
	for (i = 0; i < 9; i++)
		sum += w[i] * (s[i] - '0');
	return sum % 11 != 10 && sum % 11 == s[9] - '0';
}

/* A Polish NIP from a record tax ID: "PL" + 10 digits, or 10 bare digits
 * when the party's country is Poland or unknown. NULL otherwise. */
static const char *polish_nip(const struct folio_inv_party *p)
{
	const char *t = p->tax_id;

	if (!t)
		return NULL;
	if (!strncmp(t, "PL", 2))
		return t + 2;
	if (isdigit((unsigned char)t[0]) && (!p->country || !strcmp(p->country, "PL")))
		return t;
	return NULL;
}

static const char *field_value(const struct folio_invoice *inv, const char *name)
{
	size_t i;

	for (i = 0; i < inv->nfields; i++)
		if (inv->fields[i].name && !strcmp(inv->fields[i].name, name))
			return inv->fields[i].value && *inv->fields[i].value ?
				       inv->fields[i].value :
				       NULL;
	return NULL;
}

/* ---- rates ------------------------------------------------------------------ */

static int has_word(const char *s, const char *w)
{
	return s && strcasestr(s, w) != NULL;
}

/*
 * The summary field of one rate (a breakdown row or a line) and its P_12
 * word (NULL where FA(3) has none). -1 when FA(3) has no field for it;
 * `what` then receives why.
 */
static int classify(const struct folio_invoice *inv, const char *rate, const char *cat,
		    const char *code, const char **p12, char *what, size_t n)
{
	long long r = 0;
	size_t i;
	int ok = 0;

	*p12 = NULL;
	if (rate)
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (!strcasecmp(rate, words[i].word)) {
				*p12 = words[i].p12;
				return (int)words[i].slot;
			}
	if (rate) {
		r = folio_cents(rate, &ok);
		if (!ok) {
			snprintf(what, n, "the VAT rate '%s' is not one FA(3) knows", rate);
			return -1;
		}
	}
	if (!cat && rate)
		cat = r ? "S" : NULL;
	if (!cat) {
		snprintf(what, n,
			 "the category of the %s %% row is unknown (0 KR domestic, "
			 "0 WDT intra-EU or 0 EX export)",
			 str_or(rate, "0"));
		return -1;
	}
	if (strcmp(cat, "S") && r) {
		snprintf(what, n, "category %s with a %s %% rate has no FA(3) field", cat, rate);
		return -1;
	}
	if (!strcmp(cat, "S")) {
		switch (r) {
		case 2300: *p12 = "23"; return P_1;
		case 2200: *p12 = "22"; return P_1;
		case 800: *p12 = "8"; return P_2;
		case 700: *p12 = "7"; return P_2;
		case 500: *p12 = "5"; return P_3;
		case 400: *p12 = "4"; return P_4;
		}
		snprintf(what, n,
			 "the VAT rate %s %% has no field in FA(3) (P_13_1 23/22 %%, "
			 "P_13_2 8/7 %%, P_13_3 5 %%)",
			 str_or(rate, "?"));
		return -1;
	}
	if (!strcmp(cat, "Z"))
		return *p12 = "0 KR", P_6_1;
	if (!strcmp(cat, "K"))
		return *p12 = "0 WDT", P_6_2;
	if (!strcmp(cat, "G"))
		return *p12 = "0 EX", P_6_3;
	if (!strcmp(cat, "E")) {
		if (code && (!strcmp(code, "VATEX-EU-D") || !strcmp(code, "VATEX-EU-F") ||
			     !strcmp(code, "VATEX-EU-I") || !strcmp(code, "VATEX-EU-J")))
			return P_11;
		return *p12 = "zw", P_7;
	}
	if (!strcmp(cat, "O"))
		return *p12 = "np I", P_8;
	if (!strcmp(cat, "AE")) {
		const char *cc = inv->buyer.country;

		if (!cc || !strcmp(cc, "PL"))
			return *p12 = "oo", P_10;
		if (eu_country(cc))
			return *p12 = "np II", P_9;
		return *p12 = "np I", P_8;
	}
	snprintf(what, n, "VAT category %s has no field in FA(3)", cat);
	return -1;
}

/* Which PMarzy flag a margin row names. */
static const char *margin_flag(const struct folio_inv_rate *e)
{
	const char *c = e->exemption_code, *w = e->exemption_reason;

	if ((c && !strcmp(c, "VATEX-EU-D")) || has_word(w, "biur podróży") ||
	    has_word(w, "travel agen"))
		return "P_PMarzy_2";
	if ((c && !strcmp(c, "VATEX-EU-F")) || has_word(w, "towary używane") ||
	    has_word(w, "second-hand") || has_word(w, "second hand"))
		return "P_PMarzy_3_1";
	if ((c && !strcmp(c, "VATEX-EU-I")) || has_word(w, "dzieła sztuki") ||
	    has_word(w, "works of art"))
		return "P_PMarzy_3_2";
	if ((c && !strcmp(c, "VATEX-EU-J")) || has_word(w, "kolekcjoner") || has_word(w, "antyk") ||
	    has_word(w, "antique"))
		return "P_PMarzy_3_3";
	return NULL;
}

/* P_19A (an act), P_19B (the directive) or P_19C (another basis). */
static int exempt_kind(const char *text)
{
	if (has_word(text, "2006/112") || has_word(text, "dyrektyw") ||
	    has_word(text, "directive") ||
	    (!strncmp(text, "VATEX-EU-", 9) && isdigit((unsigned char)text[9])))
		return 'B';
	if (has_word(text, "ustaw") || has_word(text, "rozporz") || has_word(text, "art.") ||
	    has_word(text, "§"))
		return 'A';
	return 'C';
}

static void breakdown(struct ksef *k)
{
	const struct folio_invoice *inv = k->inv;
	char what[200], b1[32];
	const char *p12, *text;
	long long net, vat;
	int s, ok1, ok2;
	size_t i;

	if (!inv->nrates)
		reason(k, "P_13_x/P_14_x (the VAT breakdown) is missing");
	if (inv->nrates > sizeof(k->row_p12) / sizeof(k->row_p12[0])) {
		reason(k, "the VAT breakdown has %zu rows, more than folio writes", inv->nrates);
		return;
	}
	for (i = 0; i < inv->nrates; i++) {
		const struct folio_inv_rate *e = &inv->rates[i];

		s = classify(inv, e->rate, e->category, e->exemption_code, &p12, what,
			     sizeof(what));
		if (s < 0) {
			reason(k, "P_13_x %s", what);
			continue;
		}
		k->row_p12[i] = p12;
		net = folio_cents(e->net, &ok1) * k->sign;
		vat = folio_cents(e->vat, &ok2) * k->sign;
		if (!ok1 || !ok2) {
			reason(k, "%s the row's amounts (%s, %s) are not numbers", slots[s].net,
			       e->net, e->vat);
			continue;
		}
		if (!slots[s].vat && vat) {
			reason(k, "%s carries no VAT but the %s row has VAT %s", slots[s].net,
			       str_or(e->rate, str_or(e->category, "?")),
			       folio_cents_format(vat, b1, sizeof(b1)));
			continue;
		}
		k->net[s] += net;
		k->vat[s] += vat;
		k->used[s] = 1;
		/* P_18: the buyer accounts for the VAT */
		if (s == P_9 || s == P_10 || (e->category && !strcmp(e->category, "AE")))
			k->reverse = 1;
		if (s == P_7) {
			text = e->exemption_reason ? e->exemption_reason : e->exemption_code;
			if (!text) {
				reason(k, "P_19A/P_19B/P_19C (the legal basis of the exemption) "
					  "is missing");
				continue;
			}
			if (k->exempt.len && strstr(k->exempt.buf, text))
				continue;
			if (!k->exempt.len)
				k->exempt_kind = exempt_kind(text);
			else
				folio_strbuf_adds(&k->exempt, "; ");
			folio_strbuf_adds(&k->exempt, text);
		}
		if (s == P_11) {
			const char *f = margin_flag(e);

			if (!f)
				reason(k, "P_PMarzy_x (which margin scheme) is unknown");
			else if (k->margin && strcmp(k->margin, f))
				reason(k, "PMarzy: two margin schemes on one invoice");
			else
				k->margin = f;
		}
	}
	if (k->used[P_7] && k->exempt.len && token_len(k->exempt.buf) > 256)
		reason(k,
		       "P_19%c (the legal basis of the exemption) is longer than 256 "
		       "characters",
		       k->exempt_kind);
}

/* ---- the checks ---------------------------------------------------------------- */

static void check_totals(struct ksef *k)
{
	const struct folio_invoice *inv = k->inv;
	long long net = 0, vat = 0, gross, t;
	char b1[32], b2[32];
	int ok, s;

	for (s = 0; s < NSLOTS; s++)
		net += k->net[s], vat += k->vat[s];
	if (!inv->gross_total) {
		reason(k, "P_15 (the gross total) is missing");
		return;
	}
	gross = folio_cents(inv->gross_total, &ok) * k->sign;
	if (!ok) {
		reason(k, "P_15 (the gross total '%s') is not an amount", inv->gross_total);
		return;
	}
	if (inv->nrates && net + vat != gross)
		reason(k, "P_15 %s is not the sum of P_13_x and P_14_x (%s)",
		       folio_cents_format(gross, b1, sizeof(b1)),
		       folio_cents_format(net + vat, b2, sizeof(b2)));
	if (inv->nrates && inv->net_total) {
		t = folio_cents(inv->net_total, &ok) * k->sign;
		if (ok && t != net)
			reason(k, "P_13_x add up to %s, not to the net total %s",
			       folio_cents_format(net, b1, sizeof(b1)),
			       folio_cents_format(t, b2, sizeof(b2)));
	}
	if (inv->nrates && inv->vat_total) {
		t = folio_cents(inv->vat_total, &ok) * k->sign;
		if (ok && t != vat)
			reason(k, "P_14_x add up to %s, not to the VAT total %s",
			       folio_cents_format(vat, b1, sizeof(b1)),
			       folio_cents_format(t, b2, sizeof(b2)));
	}
}

static void check_text(struct ksef *k, const char *s, const char *what, size_t max)
{
	if (!s || !token_len(s))
		reason(k, "%s is missing", what);
	else if (token_len(s) > max)
		reason(k, "%s is longer than %zu characters", what, max);
}

static void check(struct ksef *k, const struct folio_export *x)
{
	const struct folio_invoice *inv = k->inv;
	const char *nip, *cur = inv->currency;
	int s;

	if (!inv->seller.tax_id) {
		reason(k, "Podmiot1 NIP (the seller's tax ID) is missing");
	} else if (!(nip = polish_nip(&inv->seller))) {
		reason(k, "the seller is not Polish (tax ID %s)", inv->seller.tax_id);
	} else if (!nip_ok(nip)) {
		reason(k, "Podmiot1 NIP %s is not a valid NIP", inv->seller.tax_id);
	}
	check_text(k, inv->seller.name, "Podmiot1 Nazwa (the seller's name)", 512);
	if (!inv->seller.address || !token_len(inv->seller.address))
		reason(k, "Podmiot1 Adres (the seller's address) is missing");
	else if (inv->seller.country && !country_ok(inv->seller.country))
		reason(k, "Podmiot1 Adres/KodKraju '%s' is not a country code",
		       inv->seller.country);
	check_text(k, inv->buyer.name, "Podmiot2 Nazwa (the buyer's name)", 512);
	if ((nip = polish_nip(&inv->buyer)) && !nip_ok(nip))
		reason(k, "Podmiot2 NIP %s is not a valid NIP", inv->buyer.tax_id);
	check_text(k, inv->number, "P_2 (the invoice number)", 256);
	if (!inv->issue_date)
		reason(k, "P_1 (the issue date) is missing");
	else if (!date_ok(inv->issue_date, "2006-01-01", "2050-01-01"))
		reason(k, "P_1 (the issue date %s) is not a date from 2006-01-01 to 2050-01-01",
		       inv->issue_date);
	if (inv->supply_date && !date_ok(inv->supply_date, "2006-01-01", "2050-01-01"))
		reason(k, "P_6 (the supply date %s) is not a date from 2006-01-01 to 2050-01-01",
		       inv->supply_date);
	if (inv->due_date && !date_ok(inv->due_date, "2006-01-01", "2050-01-01"))
		reason(k,
		       "TerminPlatnosci (the due date %s) is not a date from 2006-01-01 to "
		       "2050-01-01",
		       inv->due_date);
	if (!x->now || strlen(x->now) != 20 || x->now[10] != 'T' || x->now[19] != 'Z' ||
	    strcmp(x->now, "2025-09-01T00:00:00Z") < 0 ||
	    strcmp(x->now, "2050-01-01T23:59:59Z") > 0)
		reason(k,
		       "DataWytworzeniaFa (the batch time %s) is not from 2025-09-01 to "
		       "2050-01-01, as FA(3) requires",
		       str_or(x->now, "(none)"));
	if (!cur) {
		reason(k, "KodWaluty (the currency) is missing");
	} else if (strlen(cur) != 3 || !in_list(currencies, cur)) {
		reason(k, "KodWaluty '%s' is not an ISO 4217 code", cur);
	} else if (strcmp(cur, "PLN")) {
		for (s = P_1; s <= P_4; s++)
			if (k->used[s]) {
				reason(k,
				       "%s (the VAT of %s in PLN) is needed for a %s "
				       "invoice and the exchange rate is unknown",
				       slots[s].vatw, slots[s].net, cur);
				break;
			}
	}
}

/* ---- writing ----------------------------------------------------------------- */

struct w {
	struct folio_strbuf *sb;
	int depth;
};

static void indent(struct w *w)
{
	int i;

	for (i = 0; i < w->depth; i++)
		folio_strbuf_adds(w->sb, "  ");
}

static void open_el(struct w *w, const char *tag)
{
	indent(w);
	folio_strbuf_addf(w->sb, "<%s>\n", tag);
	w->depth++;
}

static void close_el(struct w *w, const char *tag)
{
	w->depth--;
	indent(w);
	folio_strbuf_addf(w->sb, "</%s>\n", tag);
}

/* A leaf with `s` collapsed as xsd:token does and cut after `max`
 * characters (never inside a UTF-8 sequence). */
static void leaf_n(struct w *w, const char *tag, const char *s, size_t max)
{
	struct folio_strbuf t = FOLIO_STRBUF_INIT;
	size_t n = 0;
	int space = 0;

	if (!s)
		return;
	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (((unsigned char)*s & 0xc0) != 0x80) {
			if (n + space + 1 > max)
				break;
			n += space + 1;
		}
		if (space)
			folio_strbuf_addch(&t, ' ');
		space = 0;
		folio_strbuf_addch(&t, *s);
	}
	if (t.len) {
		indent(w);
		folio_xml_elem(w->sb, tag, t.buf);
		folio_strbuf_addch(w->sb, '\n');
	}
	folio_strbuf_release(&t);
}

static void leaf(struct w *w, const char *tag, const char *s)
{
	leaf_n(w, tag, s, 512);
}

static void leaf_cents(struct w *w, const char *tag, long long c)
{
	char b[32];

	leaf(w, tag, folio_cents_format(c, b, sizeof(b)));
}

/* "street, postcode city" as AdresL1 (before the first comma) and
 * AdresL2 (the rest), as the official samples lay it out. */
static void address(struct w *w, const char *country, const char *adr)
{
	const char *comma = strchr(adr, ',');
	char *l1 = comma ? strndup(adr, (size_t)(comma - adr)) : NULL;

	if (!strcmp(country, "EL"))
		country = "GR";
	open_el(w, "Adres");
	leaf(w, "KodKraju", country);
	if (l1 && token_len(l1) && token_len(comma + 1)) {
		leaf(w, "AdresL1", l1);
		leaf(w, "AdresL2", comma + 1);
	} else {
		leaf(w, "AdresL1", adr);
	}
	free(l1);
	close_el(w, "Adres");
}

static void buyer_id(struct w *w, const struct folio_inv_party *b)
{
	const char *t = b->tax_id, *nip = polish_nip(b), *body;
	char cc[3] = "";
	size_t i;
	int vatue = 1;

	if (!t) {
		leaf(w, "BrakID", "1");
		return;
	}
	if (nip) {
		leaf(w, "NIP", nip);
		return;
	}
	body = t;
	if (isupper((unsigned char)t[0]) && isupper((unsigned char)t[1])) {
		cc[0] = t[0];
		cc[1] = t[1];
		cc[2] = '\0';
		body = t + 2;
	}
	for (i = 0; body[i]; i++)
		if (!isdigit((unsigned char)body[i]) && !isupper((unsigned char)body[i]) &&
		    body[i] != '+' && body[i] != '*')
			vatue = 0;
	if (*cc && eu_prefix(cc) && vatue && i >= 1 && i <= 12) {
		leaf(w, "KodUE", cc);
		leaf(w, "NrVatUE", body);
		return;
	}
	if (*cc && country_ok(!strcmp(cc, "EL") ? "GR" : cc)) {
		leaf(w, "KodKraju", !strcmp(cc, "EL") ? "GR" : cc);
		leaf_n(w, "NrID", body, 50);
	} else {
		if (country_ok(b->country))
			leaf(w, "KodKraju", b->country);
		leaf_n(w, "NrID", t, 50);
	}
}

static void header(struct w *w, const struct folio_export *x)
{
	folio_strbuf_adds(w->sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				 "<Faktura xmlns=\"" KSEF_NS "\">\n");
	w->depth = 1;
	open_el(w, "Naglowek");
	indent(w);
	folio_strbuf_adds(w->sb, "<KodFormularza kodSystemowy=\"FA (3)\" wersjaSchemy=\"1-0E\">"
				 "FA</KodFormularza>\n");
	leaf(w, "WariantFormularza", "3");
	leaf(w, "DataWytworzeniaFa", x->now);
	leaf(w, "SystemInfo", "folio");
	close_el(w, "Naglowek");
}

static void parties(struct w *w, const struct folio_invoice *inv)
{
	const char *cc;

	open_el(w, "Podmiot1");
	open_el(w, "DaneIdentyfikacyjne");
	leaf(w, "NIP", polish_nip(&inv->seller));
	leaf(w, "Nazwa", inv->seller.name);
	close_el(w, "DaneIdentyfikacyjne");
	/* no country said: the NIP's, Poland */
	address(w, inv->seller.country ? inv->seller.country : "PL", inv->seller.address);
	close_el(w, "Podmiot1");

	open_el(w, "Podmiot2");
	open_el(w, "DaneIdentyfikacyjne");
	buyer_id(w, &inv->buyer);
	leaf(w, "Nazwa", inv->buyer.name);
	close_el(w, "DaneIdentyfikacyjne");
	cc = inv->buyer.country;
	if (!cc && polish_nip(&inv->buyer))
		cc = "PL";
	if (inv->buyer.address && token_len(inv->buyer.address) && country_ok(cc))
		address(w, cc, inv->buyer.address);
	leaf(w, "JST", "2");
	leaf(w, "GV", "2");
	close_el(w, "Podmiot2");
}

static void annotations(struct w *w, const struct ksef *k)
{
	char tag[8];

	open_el(w, "Adnotacje");
	leaf(w, "P_16", "2");
	leaf(w, "P_17", "2");
	leaf(w, "P_18", k->reverse ? "1" : "2");
	leaf(w, "P_18A", "2");
	open_el(w, "Zwolnienie");
	if (k->used[P_7]) {
		leaf(w, "P_19", "1");
		snprintf(tag, sizeof(tag), "P_19%c", k->exempt_kind);
		leaf_n(w, tag, k->exempt.buf, 256);
	} else {
		leaf(w, "P_19N", "1");
	}
	close_el(w, "Zwolnienie");
	open_el(w, "NoweSrodkiTransportu");
	leaf(w, "P_22N", "1");
	close_el(w, "NoweSrodkiTransportu");
	leaf(w, "P_23", "2");
	open_el(w, "PMarzy");
	if (k->used[P_11]) {
		leaf(w, "P_PMarzy", "1");
		leaf(w, k->margin, "1");
	} else {
		leaf(w, "P_PMarzyN", "1");
	}
	close_el(w, "PMarzy");
	close_el(w, "Adnotacje");
}

static void correction(struct w *w, const struct folio_invoice *inv)
{
	const char *ksef = field_value(inv, "preceding_invoice_ksef");

	leaf(w, "RodzajFaktury", "KOR");
	open_el(w, "DaneFaKorygowanej");
	leaf(w, "DataWystFaKorygowanej", field_value(inv, "preceding_invoice_date"));
	leaf_n(w, "NrFaKorygowanej", field_value(inv, "preceding_invoice_number"), 256);
	if (ksef) {
		leaf(w, "NrKSeF", "1");
		leaf(w, "NrKSeFFaKorygowanej", ksef);
	} else {
		leaf(w, "NrKSeFN", "1");
	}
	close_el(w, "DaneFaKorygowanej");
}

/* Whether the lines can be written as they are: every net known and
 * their sum the breakdown's. */
static int lines_usable(const struct folio_invoice *inv)
{
	long long sum = 0, want = 0;
	size_t i;
	int ok;

	if (!inv->nlines)
		return 0;
	for (i = 0; i < inv->nlines; i++) {
		sum += folio_cents(inv->lines[i].net, &ok);
		if (!ok)
			return 0;
	}
	for (i = 0; i < inv->nrates; i++)
		want += folio_cents(inv->rates[i].net, &ok);
	return sum == want;
}

/* A line's P_12: its own rate and category when they land in a field the
 * breakdown uses; else the word of the breakdown rows with the same rate
 * when they all have one word (a line "0" on an invoice whose only 0 %
 * row is "0 WDT"; an exempt-looking line of a margin invoice); else none. */
static const char *line_p12(const struct ksef *k, const struct folio_inv_line *l)
{
	const struct folio_invoice *inv = k->inv;
	const char *p12 = NULL, *found = NULL;
	char what[200];
	long long r;
	size_t i;
	int ok, ok2, s, seen = 0;

	if (l->vat_rate || l->category) {
		s = classify(inv, l->vat_rate, l->category, NULL, &p12, what, sizeof(what));
		if (s >= 0 && k->used[s])
			return p12;
	}
	r = folio_cents(l->vat_rate, &ok);
	for (i = 0; i < inv->nrates; i++) {
		if (l->vat_rate && (!ok || folio_cents(inv->rates[i].rate, &ok2) != r || !ok2))
			continue;
		if (seen && found != k->row_p12[i] &&
		    (!found || !k->row_p12[i] || strcmp(found, k->row_p12[i])))
			return NULL;
		found = k->row_p12[i];
		seen = 1;
	}
	return found;
}

static void lines(struct w *w, const struct ksef *k)
{
	const struct folio_invoice *inv = k->inv;
	char b[64], no[24], desc[200];
	const char *p12, *r;
	size_t i;

	if (!lines_usable(inv)) {
		for (i = 0; i < inv->nrates; i++) {
			const struct folio_inv_rate *e = &inv->rates[i];

			p12 = k->row_p12[i];
			r = p12 ? p12 : str_or(e->rate, "?");
			snprintf(desc, sizeof(desc),
				 "Suma pozycji ze stawką %s%s jak na fakturze źródłowej "
				 "(total at %s%s VAT as on the original invoice)",
				 r, isdigit((unsigned char)r[strlen(r) - 1]) ? "%" : "", r,
				 isdigit((unsigned char)r[strlen(r) - 1]) ? " %" : "");
			open_el(w, "FaWiersz");
			snprintf(no, sizeof(no), "%zu", i + 1);
			leaf(w, "NrWierszaFa", no);
			leaf(w, "P_7", desc);
			leaf_cents(w, "P_11", folio_cents(e->net, NULL) * k->sign);
			leaf(w, "P_12", p12);
			close_el(w, "FaWiersz");
		}
		return;
	}
	for (i = 0; i < inv->nlines; i++) {
		const struct folio_inv_line *l = &inv->lines[i];

		open_el(w, "FaWiersz");
		snprintf(no, sizeof(no), "%zu", i + 1);
		leaf(w, "NrWierszaFa", no);
		leaf_n(w, "P_7", l->description, 512);
		leaf_n(w, "P_8A", l->unit, 256);
		leaf(w, "P_8B", decimal(l->quantity, 6, 16, k->sign < 0, b, sizeof(b)));
		leaf(w, "P_9A", decimal(l->unit_price, 8, 14, 0, b, sizeof(b)));
		leaf_cents(w, "P_11", folio_cents(l->net, NULL) * k->sign);
		p12 = line_p12(k, l);
		leaf(w, "P_12", p12);
		close_el(w, "FaWiersz");
	}
}

static void settlement(struct w *w, const struct ksef *k)
{
	const struct folio_invoice *inv = k->inv;
	long long gross, due, prepaid;
	const char *why;
	int ok, okp;

	if (!inv->amount_due || k->sign < 0)
		return;
	due = folio_cents(inv->amount_due, &ok);
	gross = folio_cents(inv->gross_total, NULL);
	if (!ok || due < 0)
		return;
	prepaid = folio_cents(inv->prepaid_amount, &okp);
	open_el(w, "Rozliczenie");
	if (due < gross) {
		why = okp && prepaid == gross - due ?
			      "kwota zapłacona przed wystawieniem faktury (prepaid amount)" :
			      "różnica między należnością ogółem a kwotą do zapłaty "
			      "(amount due below the invoice total)";
		open_el(w, "Odliczenia");
		leaf_cents(w, "Kwota", gross - due);
		leaf(w, "Powod", why);
		close_el(w, "Odliczenia");
		leaf_cents(w, "SumaOdliczen", gross - due);
	} else if (due > gross) {
		open_el(w, "Obciazenia");
		leaf_cents(w, "Kwota", due - gross);
		leaf(w, "Powod",
		     "różnica między kwotą do zapłaty a należnością ogółem "
		     "(amount due above the invoice total)");
		close_el(w, "Obciazenia");
		leaf_cents(w, "SumaObciazen", due - gross);
	}
	leaf_cents(w, "DoZaplaty", due);
	close_el(w, "Rozliczenie");
}

static void payment(struct w *w, const struct folio_invoice *inv)
{
	size_t n = inv->iban ? strlen(inv->iban) : 0;
	int iban = n >= 10 && n <= 34;

	if (!inv->due_date && !iban)
		return;
	open_el(w, "Platnosc");
	if (inv->due_date) {
		open_el(w, "TerminPlatnosci");
		leaf(w, "Termin", inv->due_date);
		close_el(w, "TerminPlatnosci");
	}
	if (iban) {
		open_el(w, "RachunekBankowy");
		leaf(w, "NrRB", inv->iban);
		close_el(w, "RachunekBankowy");
	}
	close_el(w, "Platnosc");
}

static void body(struct w *w, const struct ksef *k)
{
	const struct folio_invoice *inv = k->inv;
	int s;

	open_el(w, "Fa");
	leaf(w, "KodWaluty", inv->currency);
	leaf(w, "P_1", inv->issue_date);
	leaf_n(w, "P_2", inv->number, 256);
	/* P_6 is required only when it differs from the issue date (its
	 * annotation); a known supply date is written anyway, equal or not,
	 * so the date is not lost (the schema accepts it, and a reader of the
	 * file cannot tell "the same day" from "not stated" otherwise) */
	if (inv->supply_date)
		leaf(w, "P_6", inv->supply_date);
	for (s = 0; s < NSLOTS; s++) {
		if (!k->used[s])
			continue;
		leaf_cents(w, slots[s].net, k->net[s]);
		if (slots[s].vat)
			leaf_cents(w, slots[s].vat, k->vat[s]);
	}
	leaf_cents(w, "P_15", folio_cents(inv->gross_total, NULL) * k->sign);
	annotations(w, k);
	if (folio_invoice_is_credit(inv))
		correction(w, inv);
	else
		leaf(w, "RodzajFaktury", "VAT");
	lines(w, k);
	settlement(w, k);
	payment(w, inv);
	if (inv->order_reference && token_len(inv->order_reference)) {
		open_el(w, "WarunkiTransakcji");
		open_el(w, "Zamowienia");
		leaf_n(w, "NrZamowienia", inv->order_reference, 256);
		close_el(w, "Zamowienia");
		close_el(w, "WarunkiTransakcji");
	}
	close_el(w, "Fa");
}

static int ksef_write(struct folio_export *x, const struct folio_invoice *inv,
		      struct folio_strbuf *out, struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct ksef k;
	struct w w = { &sb, 0 };
	const char *type = inv->doc_type, *ks;
	int credit = folio_invoice_is_credit(inv), ok, r = FOLIO_OK;
	long long gross;

	memset(&k, 0, sizeof(k));
	k.inv = inv;
	k.sign = 1;
	if (!type || (strcmp(type, "invoice") && !credit)) {
		reason(&k, "RodzajFaktury: a %s is not an invoice, and KSeF carries invoices only",
		       str_or(type, "document of unknown type"));
	}
	gross = folio_cents(inv->gross_total, &ok);
	if (credit && ok && gross > 0)
		k.sign = -1;
	if (credit) {
		const char *d = field_value(inv, "preceding_invoice_date");

		if (!field_value(inv, "preceding_invoice_number"))
			reason(&k, "DaneFaKorygowanej/NrFaKorygowanej (the number of the "
				   "corrected invoice) is unknown");
		if (!d)
			reason(&k, "DaneFaKorygowanej/DataWystFaKorygowanej (the date of the "
				   "corrected invoice) is unknown");
		else if (!date_ok(d, "2006-01-01", "2050-01-01"))
			reason(&k,
			       "DataWystFaKorygowanej %s is not a date from 2006-01-01 to "
			       "2050-01-01",
			       d);
		if ((ks = field_value(inv, "preceding_invoice_ksef")) &&
		    !folio_ksef_number_check(ks))
			reason(&k, "NrKSeFFaKorygowanej %s is not a KSeF number", ks);
	}
	breakdown(&k);
	check(&k, x);
	check_totals(&k);
	if (k.why.len) {
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0, "ksef: %s", k.why.buf);
		goto out;
	}
	header(&w, x);
	parties(&w, inv);
	body(&w, &k);
	folio_strbuf_adds(&sb, "</Faktura>\n");
	if (!sb.buf || folio_strbuf_add(out, sb.buf, sb.len)) {
		r = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
		goto out;
	}
out:
	folio_strbuf_release(&sb);
	folio_strbuf_release(&k.why);
	folio_strbuf_release(&k.exempt);
	return r;
}

/* clang-format off */
const struct folio_export_module folio_export_ksef = {
	.name = "ksef",
	.ext = "xml",
	.summary = "Polish KSeF e-invoice, structure FA(3) (schema 1-0E), Polish sellers only",
	.file_per_invoice = 1,
	.keys = NULL,
	.begin = NULL,
	.write = ksef_write,
	.end = NULL,
	.release = NULL,
};
/* clang-format on */
