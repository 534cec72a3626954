/*
 * en16931.c - the EN 16931 model of an invoice record and the business
 * rules checked before UBL or CII is written (see en16931.h).
 */
#include "en16931.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------ */

/*
 * A decimal "-12.345" as an integer scaled by 10^scale. More decimals than
 * `scale` are allowed only when they are zeros. 0 or -1 when not a number.
 */
static int dec_parse(const char *s, int scale, long long *out)
{
	long long v = 0;
	int neg = 0, digits = 0, fd = 0;

	if (!s)
		return -1;
	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (v > 900000000000LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, fd++) {
			if (fd < scale)
				v = v * 10 + (*s - '0');
			else if (*s != '0')
				return -1;
		}
	if (*s || !(digits || fd))
		return -1;
	for (; fd < scale; fd++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
}

/* An integer scaled by 10^scale as a decimal without trailing zeros. */
static void dec_format(long long v, int scale, char *buf, size_t n)
{
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	unsigned long long p = 1;
	char tmp[64];
	size_t len;
	int i;

	for (i = 0; i < scale; i++)
		p *= 10;
	snprintf(tmp, sizeof(tmp), "%s%llu.%0*llu", v < 0 ? "-" : "", a / p, scale, a % p);
	len = strlen(tmp);
	while (len && tmp[len - 1] == '0')
		tmp[--len] = '\0';
	if (len && tmp[len - 1] == '.')
		tmp[--len] = '\0';
	if (len >= n)
		len = n - 1;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
}

char *folio_en16931_amount(long long cents, char *buf)
{
	return folio_cents_format(cents, buf, 32);
}

/* ---- reasons ------------------------------------------------------------ */

static void why(struct folio_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why(struct folio_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	if (sb->len)
		folio_strbuf_adds(sb, "; ");
	va_start(ap, fmt);
	folio_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* ---- codes ---------------------------------------------------------------- */

static int has_prefix(const char *tax_id)
{
	return tax_id && isupper((unsigned char)tax_id[0]) && isupper((unsigned char)tax_id[1]) &&
	       tax_id[2];
}

static int is_country(const char *c)
{
	return c && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) && !c[2];
}

static int is_currency(const char *c)
{
	return c && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) &&
	       isupper((unsigned char)c[2]) && !c[3];
}

/* UNCL5305 as EN 16931's validators list it (BR-CL-18); B is Italy's
 * split payment (BR-B-01, BR-B-02). */
static const char *const categories[] = { "S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B", NULL };

/* The rule prefix of a category: BR-IC for K, BR-AF for L, BR-AG for M. */
static const char *rule_of(const char *cat)
{
	if (!strcmp(cat, "K"))
		return "BR-IC";
	if (!strcmp(cat, "L"))
		return "BR-AF";
	if (!strcmp(cat, "M"))
		return "BR-AG";
	return NULL;
}

static void rule_id(const char *cat, int n, char *buf, size_t size)
{
	const char *r = rule_of(cat);

	if (r)
		snprintf(buf, size, "%s-%02d", r, n);
	else
		snprintf(buf, size, "BR-%s-%02d", cat, n);
}

/*
 * The VATEX code that only restates the category (reverse charge, intra-
 * community supply, export, not subject to VAT): written when the record
 * has neither a reason nor a code, as BR-AE/IC/G/O-10 require one.
 */
static const char *vatex_of(const char *cat)
{
	if (!strcmp(cat, "AE"))
		return "VATEX-EU-AE";
	if (!strcmp(cat, "K"))
		return "VATEX-EU-IC";
	if (!strcmp(cat, "G"))
		return "VATEX-EU-G";
	if (!strcmp(cat, "O"))
		return "VATEX-EU-O";
	return NULL;
}

/* The CEF VATEX list as the validators have it (BR-CL-22). */
static const char vatex_list[] =
	" VATEX-EU-79-C VATEX-EU-132 VATEX-EU-132-1A VATEX-EU-132-1B VATEX-EU-132-1C "
	"VATEX-EU-132-1D VATEX-EU-132-1E VATEX-EU-132-1F VATEX-EU-132-1G VATEX-EU-132-1H "
	"VATEX-EU-132-1I VATEX-EU-132-1J VATEX-EU-132-1K VATEX-EU-132-1L VATEX-EU-132-1M "
	"VATEX-EU-132-1N VATEX-EU-132-1O VATEX-EU-132-1P VATEX-EU-132-1Q VATEX-EU-135-1 "
	"VATEX-EU-143 VATEX-EU-143-1A VATEX-EU-143-1B VATEX-EU-143-1C VATEX-EU-143-1D "
	"VATEX-EU-143-1E VATEX-EU-143-1F VATEX-EU-143-1FA VATEX-EU-143-1G VATEX-EU-143-1H "
	"VATEX-EU-143-1I VATEX-EU-143-1J VATEX-EU-143-1K VATEX-EU-143-1L VATEX-EU-144 "
	"VATEX-EU-146-1E VATEX-EU-159 VATEX-EU-309 VATEX-EU-148 VATEX-EU-148-A VATEX-EU-148-B "
	"VATEX-EU-148-C VATEX-EU-148-D VATEX-EU-148-E VATEX-EU-148-F VATEX-EU-148-G VATEX-EU-151 "
	"VATEX-EU-151-1A VATEX-EU-151-1AA VATEX-EU-151-1B VATEX-EU-151-1C VATEX-EU-151-1D "
	"VATEX-EU-151-1E VATEX-EU-G VATEX-EU-O VATEX-EU-IC VATEX-EU-AE VATEX-EU-D VATEX-EU-F "
	"VATEX-EU-I VATEX-EU-J VATEX-FR-FRANCHISE VATEX-FR-CNWVAT VATEX-EU-153 VATEX-FR-CGI261-1 "
	"VATEX-FR-CGI261-2 VATEX-FR-CGI261-3 VATEX-FR-CGI261-4 VATEX-FR-CGI261-5 VATEX-FR-CGI261-7 "
	"VATEX-FR-CGI261-8 VATEX-FR-CGI261A VATEX-FR-CGI261B VATEX-FR-CGI261C-1 VATEX-FR-CGI261C-2 "
	"VATEX-FR-CGI261C-3 VATEX-FR-CGI261D-1 VATEX-FR-CGI261D-1BIS VATEX-FR-CGI261D-2 "
	"VATEX-FR-CGI261D-3 VATEX-FR-CGI261D-4 VATEX-FR-CGI261E-1 VATEX-FR-CGI261E-2 "
	"VATEX-FR-CGI277A VATEX-FR-CGI275 VATEX-FR-298SEXDECIESA VATEX-FR-CGI295 VATEX-FR-AE ";

static int in_list(const char *list, const char *code);

/*
 * A code of the VATEX list. The validators compare it upper-cased, so a
 * code as some samples write it ("vatex-eu-132-1g") is accepted and kept
 * as given; other schemes (FatturaPA's N3.1) are not EN 16931 codes.
 */
static int is_vatex(const char *code)
{
	char up[40];
	size_t i, n;

	if (!code || (n = strlen(code)) >= sizeof(up))
		return 0;
	for (i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)code[i]);
	return in_list(vatex_list, up);
}

int folio_en16931_exempt(const struct folio_en_vat *v)
{
	return strcmp(v->cat, "S") && strcmp(v->cat, "Z") && strcmp(v->cat, "L") &&
	       strcmp(v->cat, "M") && strcmp(v->cat, "B");
}

/* ISO 6523 ICD codes as the validators list them (BR-CL-10, BR-CL-11):
 * 0002..0248 but 0092, 0103, 0181 and 0182. */
static int is_icd(const char *s)
{
	long v = 0;
	int i;

	if (!s || strlen(s) != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 2 && v <= 248 && v != 92 && v != 103 && v != 181 && v != 182;
}

static struct folio_en_id en_id(const char *id, const char *scheme)
{
	struct folio_en_id r = { id, id && is_icd(scheme) ? scheme : NULL };

	return r;
}

/* UNTDID 4461 as the validators list it (BR-CL-16). */
static const char uncl4461[] =
	" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32"
	" 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61"
	" 62 63 64 65 66 67 68 69 70 74 75 76 77 78 91 92 93 94 95 96 97 98 ZZZ ";

/*
 * Units (BT-130) are UN/ECE rec 20 codes and the validators check them
 * against the list (BR-CL-23). A unit read from an e-invoice's unitCode
 * passes when it has a code's shape; a printed unit ("szt", "Stk", "PCS")
 * is no code, so only a few common codes pass and anything else is C62
 * ("one").
 */
/* clang-format off */
static const char *const common_units[] = {
	"C62", "H87", "EA", "KGM", "GRM", "TNE", "MTR", "KMT", "MTK", "MTQ", "LTR", "HUR",
	"MIN", "DAY", "WEE", "MON", "ANN", "KWH", "SET", "PR", NULL,
};
/* clang-format on */

static const char *unit_of(const char *u, int from_xml)
{
	size_t i, n;

	if (!u)
		return "C62";
	n = strlen(u);
	if (n < 2 || n > 3)
		return "C62";
	for (i = 0; i < n; i++)
		if (!isupper((unsigned char)u[i]) && !isdigit((unsigned char)u[i]))
			return "C62";
	if (from_xml)
		return u;
	for (i = 0; common_units[i]; i++)
		if (!strcmp(common_units[i], u))
			return u;
	return "C62";
}

/* ---- the model ------------------------------------------------------------ */

static int amount(struct folio_strbuf *w, const char *what, const char *s, long long *out,
		  int *known)
{
	int ok;

	*known = 0;
	*out = 0;
	if (!s)
		return 0;
	*out = folio_cents(s, &ok);
	if (!ok) {
		why(w, "the %s '%s' is not an amount", what, s);
		return -1;
	}
	*known = 1;
	return 0;
}

/* The row for a category and/or rate: its index, or -1 when none or
 * several match. */
static long find_vat(const struct folio_en16931 *e, const char *cat, const char *rate)
{
	long long m = 0;
	long hit = -1;
	size_t i;

	if (rate && dec_parse(rate, 3, &m))
		return -1;
	for (i = 0; i < e->nvats; i++) {
		if (cat && strcmp(cat, e->vats[i].cat))
			continue;
		if (rate && e->vats[i].mrate != m)
			continue;
		if (hit >= 0)
			return -1;
		hit = (long)i;
	}
	return hit;
}

static int vat_rows(struct folio_en16931 *e, const struct folio_invoice *inv,
		    struct folio_strbuf *w)
{
	size_t i, j, k;

	if (!inv->nrates) {
		why(w, "BR-CO-18 the VAT breakdown is unknown");
		return 0;
	}
	if (!(e->vats = calloc(inv->nrates, sizeof(*e->vats))))
		return -1;
	for (i = 0; i < inv->nrates; i++) {
		const struct folio_inv_rate *r = &inv->rates[i];
		struct folio_en_vat v;
		int ok1, ok2;

		memset(&v, 0, sizeof(v));
		if (r->rate && dec_parse(r->rate, 3, &v.mrate)) {
			why(w, "BR-48 the VAT rate '%s' is not a number", r->rate);
			continue;
		}
		if (r->category) {
			for (k = 0; categories[k] && strcmp(categories[k], r->category); k++)
				;
			if (!categories[k]) {
				why(w, "BR-CL-18 '%s' is not a VAT category of EN 16931",
				    r->category);
				continue;
			}
			snprintf(v.cat, sizeof(v.cat), "%s", r->category);
		} else if (!r->rate) {
			why(w, "BR-48 a VAT breakdown row has neither a rate nor a category");
			continue;
		} else if (v.mrate > 0) {
			snprintf(v.cat, sizeof(v.cat), "S");
		} else {
			why(w, "BR-Z/BR-E: the category of the 0 %% rate is unknown");
			continue;
		}
		if (!r->rate && strcmp(v.cat, "O")) {
			why(w, "BR-48 the VAT rate of the %s row is unknown", v.cat);
			continue;
		}
		if (strcmp(v.cat, "O"))
			dec_format(v.mrate, 3, v.rate, sizeof(v.rate));
		v.net = folio_cents(r->net, &ok1);
		v.vat = folio_cents(r->vat, &ok2);
		if (!ok1 || !ok2) {
			why(w, "a VAT breakdown row's amounts '%s' and '%s' are not amounts",
			    r->net, r->vat);
			continue;
		}
		v.reason = r->exemption_reason;
		v.code = is_vatex(r->exemption_code) ? r->exemption_code : NULL;
		/* the same category and rate twice: one row */
		for (j = 0; j < e->nvats; j++)
			if (!strcmp(e->vats[j].cat, v.cat) && e->vats[j].mrate == v.mrate)
				break;
		if (j < e->nvats) {
			e->vats[j].net += v.net;
			e->vats[j].vat += v.vat;
			if (!e->vats[j].reason)
				e->vats[j].reason = v.reason;
			if (!e->vats[j].code)
				e->vats[j].code = v.code;
		} else {
			e->vats[e->nvats++] = v;
		}
	}
	return 0;
}

/* Per-category rules on the rows and the parties. */
static void category_rules(struct folio_en16931 *e, const struct folio_invoice *inv,
			   struct folio_strbuf *w)
{
	char id[16], buf[32], rbuf[32];
	int seller_told = 0, buyer_told = 0, has_o = 0, has_other = 0, has_b = 0, has_s = 0;
	size_t i;

	for (i = 0; i < e->nvats; i++) {
		struct folio_en_vat *v = &e->vats[i];
		const char *c = v->cat;
		long long expect;

		if (!strcmp(c, "O"))
			has_o = 1;
		else
			has_other = 1;
		has_b |= !strcmp(c, "B");
		has_s |= !strcmp(c, "S");
		if (!strcmp(c, "S") && v->mrate <= 0) {
			why(w, "BR-S-05 a standard-rated row has the rate %s %%", v->rate);
		} else if (!strcmp(c, "B")) {
			/* split payment: the VAT of a standard rate, paid by the buyer */
		} else if (strcmp(c, "S") && strcmp(c, "L") && strcmp(c, "M") && v->mrate != 0) {
			rule_id(c, 5, id, sizeof(id));
			why(w, "%s the rate of category %s is %s %%, not 0", id, c, v->rate);
		} else if ((!strcmp(c, "L") || !strcmp(c, "M")) && v->mrate < 0) {
			rule_id(c, 5, id, sizeof(id));
			why(w, "%s the rate of category %s is negative", id, c);
		}
		/* BR-CO-17 within the validators' tolerance of one unit */
		expect = llround((double)v->net * (double)v->mrate / 100000.0);
		if ((v->mrate == 0 && v->vat != 0) ||
		    (v->mrate != 0 && llabs(llabs(v->vat) - llabs(expect)) >= 100))
			why(w, "BR-CO-17 VAT %s at %s %% of %s is not %s",
			    folio_en16931_amount(v->vat, buf), v->rate[0] ? v->rate : "0",
			    folio_en16931_amount(v->net, rbuf), folio_en16931_amount(expect, id));
		if (!folio_en16931_exempt(v)) {
			if (v->reason || v->code) {
				rule_id(c, 10, id, sizeof(id));
				why(w, "%s a row of category %s has an exemption reason", id, c);
			}
		} else if (!v->reason && !v->code) {
			if (!(v->code = vatex_of(c))) {
				rule_id(c, 10, id, sizeof(id));
				why(w, "%s the exemption reason of the %s row is unknown", id, c);
			}
		}
		/* BR-x-02: the seller's VAT ID; a registration under another tax
		 * scheme (BT-32) also does for S, Z, E, AE, L and M, not for G
		 * and K; B has no such rule (BR-CO-26 asks for an ID) */
		if (strcmp(c, "O") && strcmp(c, "B") && !e->seller_vat && !seller_told &&
		    (!e->seller_taxreg || !strcmp(c, "G") || !strcmp(c, "K"))) {
			rule_id(c, 2, id, sizeof(id));
			why(w, "%s the seller's VAT ID is unknown (category %s)", id, c);
			seller_told = 1;
		}
		/* AE: the buyer's VAT ID or legal registration; K: its VAT ID */
		if (((!strcmp(c, "AE") && !e->buyer_legal.id) || !strcmp(c, "K")) &&
		    !e->buyer_vat && !buyer_told) {
			rule_id(c, 2, id, sizeof(id));
			why(w, "%s the buyer's VAT ID is unknown (category %s)", id, c);
			buyer_told = 1;
		}
		if (!strcmp(c, "K")) {
			if (!inv->supply_date && !inv->period_start && !inv->period_end)
				why(w, "BR-IC-11 neither the delivery date nor the invoicing "
				       "period of the intra-community supply is known");
			if (!inv->delivery_country)
				why(w, "BR-IC-12 the deliver-to country of the intra-community "
				       "supply is unknown");
		}
	}
	if (has_o && has_other)
		why(w, "BR-O-11 an invoice not subject to VAT has rows of other categories");
	if (has_o && !has_other) {
		/* BR-O-02..04: no VAT IDs; without an identifier the tax IDs
		 * identify the parties */
		if (!e->seller_id.id)
			e->seller_id = en_id(inv->seller.tax_id, NULL);
		if (!e->buyer_id.id)
			e->buyer_id = en_id(inv->buyer.tax_id, NULL);
		e->seller_vat = e->buyer_vat = NULL;
	}
	if (has_b) {
		if (has_s)
			why(w, "BR-B-02 an invoice with split payment (B) has standard-rated "
			       "(S) rows");
		if (strcmp(inv->seller.country ? inv->seller.country : "", "IT") ||
		    strcmp(inv->buyer.country ? inv->buyer.country : "", "IT") ||
		    (inv->delivery_country && strcmp(inv->delivery_country, "IT")))
			why(w, "BR-B-01 an invoice with split payment (B) is not a domestic "
			       "Italian one");
	}
	if (!seller_told && !e->seller_vat && !e->seller_id.id && !e->seller_legal.id)
		why(w, "BR-CO-26 neither the seller's VAT ID, nor its identifier, nor its legal "
		       "registration is known");
}

/*
 * Reason codes of allowances (UNCL 5189, BR-CL-19) and charges (UNCL
 * 7161, BR-CL-20) as EN 16931's validation artefacts list them. A code
 * from another list is not written; without a reason text the allowance
 * or charge is then refused (BR-33, BR-38).
 */
static const char uncl5189[] = " 41 42 60 62 63 64 65 66 67 68 70 71 88 95 100 102 103 104 105 ";
static const char uncl7161[] =
	" AA AAA AAC AAD AAE AAF AAH AAI AAS AAT AAV AAY AAZ ABA ABB ABC ABD ABF ABK ABL ABN ABR"
	" ABS ABT ABU ACF ACG ACH ACI ACJ ACK ACL ACM ACS ADC ADE ADJ ADK ADL ADM ADN ADO ADP ADQ"
	" ADR ADT ADW ADY ADZ AEA AEB AEC AED AEF AEH AEI AEJ AEK AEL AEM AEN AEO AEP AES AET AEU"
	" AEV AEW AEX AEY AEZ AJ AU CA CAB CAD CAE CAF CAI CAJ CAK CAL CAM CAN CAO CAP CAQ CAR CAS"
	" CAT CAU CAV CAW CAX CAY CAZ CD CG CS CT DAB DAD DAC DAF DAG DAH DAI DAJ DAK DAL DAM DAN"
	" DAO DAP DAQ DL EG EP ER FAA FAB FAC FC FH FI GAA HAA HD HH IAA IAB ID IF IR IS KO L1 LA"
	" LAA LAB LF MAE MI ML NAA OA PA PAA PC PL PRV RAB RAC RAD RAF RE RF RH RV SA SAA SAD SAE"
	" SAI SG SH SM SU TAB TAC TT TV V1 V2 WH XAA YY ZZZ ";

static int in_list(const char *list, const char *code)
{
	const char *p;
	size_t n;

	if (!code || !*code || strchr(code, ' '))
		return 0;
	n = strlen(code);
	for (p = list; (p = strstr(p, code)); p++)
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

static int charges(struct folio_en16931 *e, const struct folio_invoice *inv, struct folio_strbuf *w)
{
	size_t i;
	long long pct;
	long v;

	if (!inv->ncharges)
		return 0;
	if (!(e->charges = calloc(inv->ncharges, sizeof(*e->charges))))
		return -1;
	for (i = 0; i < inv->ncharges; i++) {
		const struct folio_inv_charge *c = &inv->charges[i];
		struct folio_en_charge *d = &e->charges[e->ncharges];
		int ok;

		/* as the record has it: a negative allowance stays one */
		d->charge = c->charge;
		d->amount = folio_cents(c->amount, &ok);
		if (!ok) {
			why(w, "the %s amount '%s' is not an amount",
			    c->charge ? "charge" : "allowance", c->amount);
			continue;
		}
		if (c->base) {
			d->base = folio_cents(c->base, &d->has_base);
			if (!d->has_base)
				why(w, "the base amount '%s' of the %s of %s is not an amount",
				    c->base, c->charge ? "charge" : "allowance", c->amount);
		}
		if (c->percent) {
			if (dec_parse(c->percent, 6, &pct))
				why(w, "the percentage '%s' of the %s of %s is not a number",
				    c->percent, c->charge ? "charge" : "allowance", c->amount);
			else
				dec_format(pct, 6, d->percent, sizeof(d->percent));
		}
		d->reason = c->reason;
		d->code = in_list(d->charge ? uncl7161 : uncl5189, c->reason_code) ?
				  c->reason_code :
				  NULL;
		if (!d->reason && !d->code)
			why(w, "%s the %s of %s has no reason%s%s%s", d->charge ? "BR-38" : "BR-33",
			    d->charge ? "charge" : "allowance", c->amount,
			    c->reason_code ? " (its code '" : "",
			    c->reason_code ? c->reason_code : "",
			    c->reason_code ? "' is not in the code list)" : "");
		v = find_vat(e, c->category, c->rate);
		if (v < 0 && !c->category && !c->rate && e->nvats == 1)
			v = 0;
		if (v < 0) {
			why(w, "%s the VAT category of the %s of %s is unknown",
			    d->charge ? "BR-37" : "BR-32", d->charge ? "charge" : "allowance",
			    c->amount);
			continue;
		}
		d->vat = (size_t)v;
		if (d->charge) {
			e->charge_total += d->amount;
		} else {
			e->allowance_total += d->amount;
			e->nallowances++;
		}
		e->ncharges++;
	}
	return 0;
}

/* cents of charges minus allowances in row `v` */
static long long charges_of(const struct folio_en16931 *e, size_t v)
{
	long long s = 0;
	size_t i;

	for (i = 0; i < e->ncharges; i++)
		if (e->charges[i].vat == v)
			s += e->charges[i].charge ? e->charges[i].amount : -e->charges[i].amount;
	return s;
}

static int lines_from_xml(const struct folio_invoice *inv)
{
	size_t i;

	for (i = 0; i < inv->nfields; i++)
		if (!strcmp(inv->fields[i].name, "lines"))
			return inv->fields[i].source == FOLIO_SRC_XML;
	return 0;
}

/*
 * Quantity and price of a line with net `net`, as the record has them (no
 * rule ties them to the net, and a return line may well be "6 x 18.33 =
 * -109.98"). Without a quantity it is 1, signed like the net; without a
 * price it is the net's size over the quantity's. -1 when the record's
 * price is negative (BR-27) or a number is unreadable.
 */
static int qty_price(struct folio_en_line *l, const char *qs, const char *ps, int peppol,
		     struct folio_strbuf *w, size_t no)
{
	long long q = l->net < 0 ? -1000000 : 1000000, p;
	int have_p;
	char *dot;
	size_t n;

	if (qs && dec_parse(qs, 6, &q))
		return -1;
	have_p = ps != NULL;
	if (have_p && (dec_parse(ps, 6, &p) || p < 0))
		return -1;
	if (!have_p && q == 0)
		return -1;
	if (have_p) {
		if (peppol && llabs(llround((double)q * (double)p / 1e10) - l->net) > 0)
			why(w,
			    "PEPPOL-EN16931-R120 line %zu: quantity %s x price %s is not the "
			    "net",
			    no, qs ? qs : "1", ps);
	} else {
		p = llround((double)llabs(l->net) * 1e10 / (double)llabs(q));
	}
	dec_format(q, 6, l->qty, sizeof(l->qty));
	dec_format(p, 6, l->price, sizeof(l->price));
	/* at least two decimals, as prices are printed */
	dot = strchr(l->price, '.');
	n = strlen(l->price);
	if (!dot && n + 3 < sizeof(l->price))
		memcpy(l->price + n, ".00", 4);
	else if (dot && dot[2] == '\0' && n + 1 < sizeof(l->price))
		memcpy(l->price + n, "0", 2);
	return 0;
}

/*
 * The record's lines when each can be written and they add up with the
 * document-level allowances and charges: to the net total (BR-CO-13) and
 * to each VAT row's taxable amount (BR-S-08 and its siblings). The UBL
 * validator allows a unit's difference per row, the CII one none: exact,
 * so that both syntaxes write the same lines.
 */
static int real_lines(struct folio_en16931 *e, const struct folio_invoice *inv,
		      struct folio_strbuf *w)
{
	struct folio_strbuf lw = FOLIO_STRBUF_INIT;
	long long *sum = NULL, total = 0;
	int xml = lines_from_xml(inv), r = 0;
	size_t i;
	long v;

	if (!inv->nlines)
		return 0;
	if (!(e->lines = calloc(inv->nlines, sizeof(*e->lines))) ||
	    !(sum = calloc(e->nvats, sizeof(*sum)))) {
		r = -1;
		goto out;
	}
	for (i = 0; i < inv->nlines; i++) {
		const struct folio_inv_line *s = &inv->lines[i];
		struct folio_en_line *l = &e->lines[i];
		int ok;

		l->net = folio_cents(s->net, &ok);
		if (!ok || !s->description || !*s->description)
			goto no;
		v = find_vat(e, s->category, s->vat_rate);
		if (v < 0 && !s->category && !s->vat_rate && e->nvats == 1)
			v = 0;
		if (v < 0)
			goto no;
		l->vat = (size_t)v;
		l->name = s->description;
		l->unit = unit_of(s->unit, xml);
		if (qty_price(l, s->quantity, s->unit_price, e->peppol, &lw, i + 1))
			goto no;
		sum[v] += l->net;
		total += l->net;
	}
	if (total + e->charge_total - e->allowance_total != e->net)
		goto no;
	for (i = 0; i < e->nvats; i++)
		if (sum[i] + charges_of(e, i) != e->vats[i].net)
			goto no;
	e->nlines = inv->nlines;
	e->line_total = total;
	if (lw.len)
		why(w, "%s", lw.buf);
	goto out;
no:
	free(e->lines);
	e->lines = NULL;
out:
	folio_strbuf_release(&lw);
	free(sum);
	return r;
}

static int summary_lines(struct folio_en16931 *e)
{
	const size_t n = 112;
	size_t i;

	free(e->lines);
	if (!(e->lines = calloc(e->nvats, sizeof(*e->lines))) || !(e->pool_ = malloc(e->nvats * n)))
		return -1;
	e->line_total = 0;
	for (i = 0; i < e->nvats; i++) {
		struct folio_en_line *l = &e->lines[i];
		const struct folio_en_vat *v = &e->vats[i];
		char *name = e->pool_ + i * n;

		if (!strcmp(v->cat, "O"))
			snprintf(name, n, "Total not subject to VAT as on the original invoice");
		else if (!strcmp(v->cat, "S"))
			snprintf(name, n, "Total at %s %% VAT as on the original invoice", v->rate);
		else
			snprintf(name, n,
				 "Total at %s %% VAT (category %s) as on the original "
				 "invoice",
				 v->rate, v->cat);
		l->name = name;
		l->net = v->net - charges_of(e, i);
		l->vat = i;
		l->unit = "C62";
		qty_price(l, NULL, NULL, 0, NULL, i + 1);
		e->line_total += l->net;
	}
	e->nlines = e->nvats;
	e->summary = 1;
	return 0;
}

/* Peppol BIS 3.0: an electronic address for each party. Only schemes seen
 * in the shared samples are used: 9945 is the Polish VAT number (NIP) in
 * the Ministry of Finance's PEF sample. */
static const char *endpoint(const char *tax_id, char *buf, size_t n)
{
	size_t i;

	if (!tax_id || strncmp(tax_id, "PL", 2) || strlen(tax_id) != 12)
		return NULL;
	for (i = 2; i < 12; i++)
		if (!isdigit((unsigned char)tax_id[i]))
			return NULL;
	snprintf(buf, n, "%s", tax_id + 2);
	return "9945";
}

/* Identifiers (BT-29/30/32/46/47) and the deliver-to place (BG-13/15).
 * A scheme outside the ICD list is not written (BR-CL-10, BR-CL-11). */
static void parties(struct folio_en16931 *e, const struct folio_invoice *inv,
		    struct folio_strbuf *w)
{
	e->seller_id = en_id(inv->seller_identifier, inv->seller_identifier_scheme);
	e->buyer_id = en_id(inv->buyer_identifier, inv->buyer_identifier_scheme);
	e->seller_legal = en_id(inv->seller_legal_id, inv->seller_legal_id_scheme);
	e->buyer_legal = en_id(inv->buyer_legal_id, inv->buyer_legal_id_scheme);
	e->seller_taxreg = inv->seller_tax_registration;
	if (inv->delivery_country && !is_country(inv->delivery_country))
		why(w, "BR-CL-14 the deliver-to country '%s' is not a country code",
		    inv->delivery_country);
	if (inv->delivery_address && !inv->delivery_country)
		why(w, "BR-57 the deliver-to address has no country");
	e->delivery = inv->supply_date || inv->delivery_name || inv->delivery_address ||
		      inv->delivery_country;
}

/* BT-7/8 (BR-CO-03, BR-CL-06), the period (BR-29), the preceding invoice
 * (BR-55) and the payment means and account (BR-CL-16, BR-61, BR-50). */
static void dates_and_payment(struct folio_en16931 *e, const struct folio_invoice *inv,
			      struct folio_strbuf *w)
{
	static const char *const due[][2] = { { "3", "5" }, { "35", "29" }, { "432", "72" } };
	const char *code = inv->vat_due_date_code;
	size_t i;

	if (inv->tax_point_date && code)
		why(w, "BR-CO-03 both the VAT point date and its code (%s) are given", code);
	for (i = 0; code && i < sizeof(due) / sizeof(due[0]); i++)
		if (!strcmp(code, due[i][0])) {
			e->due_code = due[i][0];
			e->due_code_cii = due[i][1];
		}
	if (code && !e->due_code)
		why(w, "BR-CL-06 the VAT point date code '%s' is not 3, 35 or 432", code);
	if (inv->period_start && inv->period_end && strcmp(inv->period_end, inv->period_start) < 0)
		why(w, "BR-29 the invoicing period ends (%s) before it starts (%s)",
		    inv->period_end, inv->period_start);
	if (inv->preceding_invoice_date && !inv->preceding_invoice_number)
		why(w, "BR-55 the preceding invoice of %s has no number",
		    inv->preceding_invoice_date);
	/*
	 * The payee's account (BT-84) is the IBAN, else the record's other
	 * account (a Swedish bankgiro, a proprietary number): BR-61 takes
	 * either. The record's code is written as it is, else 30 credit
	 * transfer when an account is known. A credit transfer (30, 58)
	 * without any account (BR-61), or an account's name or BIC without
	 * the account (BR-50), is refused rather than written without them.
	 */
	e->account = inv->iban ? inv->iban : inv->payment_account;
	e->account_iban = inv->iban != NULL;
	code = inv->payment_means_code;
	if (code)
		e->means = code;
	else if (e->account)
		e->means = "30";
	if (e->means && !in_list(uncl4461, e->means))
		why(w, "BR-CL-16 the payment means '%s' is not a UNTDID 4461 code", e->means);
	if (code && (!strcmp(code, "30") || !strcmp(code, "58")) && !e->account)
		why(w, "BR-61 the credit transfer (payment means %s) has no payee account", code);
	if (!e->account && (inv->payment_account_name || inv->payment_bic))
		why(w, "BR-50 the payee account's %s is given without the account",
		    inv->payment_bic ? "BIC" : "name");
}

int folio_en16931_build(struct folio_en16931 *e, const struct folio_invoice *inv, int peppol,
			struct folio_err *err)
{
	struct folio_strbuf w = FOLIO_STRBUF_INIT;
	long long due = 0, rnet = 0, rvat = 0;
	int has_net, has_vat, has_gross, has_due, r;
	char a[32], b[32], c[32], d[32];
	size_t i;

	memset(e, 0, sizeof(*e));
	e->inv = inv;
	e->peppol = peppol;
	if (!inv->doc_type || strcmp(inv->doc_type, "invoice")) {
		if (!folio_invoice_is_credit(inv))
			why(&w, "BR-CL-01 a %s is not an invoice or a credit note",
			    inv->doc_type ? inv->doc_type : "document of unknown type");
		e->credit = 1;
	}
	if (!inv->number)
		why(&w, "BR-02 the invoice number is unknown");
	if (!inv->issue_date)
		why(&w, "BR-03 the issue date is unknown");
	if (!is_currency(inv->currency))
		why(&w, "BR-05 the currency is unknown");
	if (!inv->seller.name)
		why(&w, "BR-06 the seller's name is unknown");
	if (!inv->buyer.name)
		why(&w, "BR-07 the buyer's name is unknown");
	if (!is_country(inv->seller.country))
		why(&w, "BR-09 the seller's country is unknown");
	if (!is_country(inv->buyer.country))
		why(&w, "BR-11 the buyer's country is unknown");
	if (inv->seller.tax_id && !has_prefix(inv->seller.tax_id))
		why(&w, "BR-CO-09 the seller's VAT ID '%s' has no country prefix",
		    inv->seller.tax_id);
	e->seller_vat = has_prefix(inv->seller.tax_id) ? inv->seller.tax_id : NULL;
	e->buyer_vat = has_prefix(inv->buyer.tax_id) ? inv->buyer.tax_id : NULL;
	parties(e, inv, &w);
	dates_and_payment(e, inv, &w);

	if (vat_rows(e, inv, &w))
		goto nomem;
	if (amount(&w, "net total", inv->net_total, &e->net, &has_net) ||
	    amount(&w, "VAT total", inv->vat_total, &e->vat, &has_vat) ||
	    amount(&w, "gross total", inv->gross_total, &e->gross, &has_gross) ||
	    amount(&w, "amount due", inv->amount_due, &due, &has_due) ||
	    amount(&w, "prepaid amount", inv->prepaid_amount, &e->prepaid, &e->has_prepaid) ||
	    amount(&w, "rounding amount", inv->rounding_amount, &e->rounding, &e->has_rounding))
		goto refuse;
	for (i = 0; i < e->nvats; i++) {
		rnet += e->vats[i].net;
		rvat += e->vats[i].vat;
	}
	if (!has_net)
		e->net = rnet;
	if (!has_vat)
		e->vat = rvat;
	if (!has_gross)
		e->gross = e->net + e->vat;
	if (e->nvats && e->net != rnet)
		why(&w, "BR-CO-13 the net total %s is not the VAT breakdown's %s",
		    folio_en16931_amount(e->net, a), folio_en16931_amount(rnet, b));
	if (e->nvats && e->vat != rvat)
		why(&w, "BR-CO-14 the VAT total %s is not the VAT breakdown's %s",
		    folio_en16931_amount(e->vat, a), folio_en16931_amount(rvat, b));
	if (e->gross != e->net + e->vat)
		why(&w, "BR-CO-15 gross %s is not net %s + VAT %s",
		    folio_en16931_amount(e->gross, a), folio_en16931_amount(e->net, b),
		    folio_en16931_amount(e->vat, c));
	if (has_due && !e->has_prepaid && !e->has_rounding && due != e->gross) {
		/* what was paid before is the difference */
		e->prepaid = e->gross - due;
		e->has_prepaid = 1;
	}
	e->payable = e->gross - e->prepaid + e->rounding;
	if (has_due && due != e->payable)
		why(&w, "BR-CO-16 the amount due %s is not gross %s - prepaid %s + rounding %s",
		    folio_en16931_amount(due, a), folio_en16931_amount(e->gross, b),
		    folio_en16931_amount(e->prepaid, c), folio_en16931_amount(e->rounding, d));

	category_rules(e, inv, &w);
	if (charges(e, inv, &w))
		goto nomem;
	if (e->nvats && real_lines(e, inv, &w))
		goto nomem;
	if (e->nvats && !e->lines && summary_lines(e))
		goto nomem;

	if (peppol) {
		if (!inv->buyer_reference && !inv->order_reference)
			why(&w, "PEPPOL-EN16931-R003 neither a buyer reference nor an order "
				"reference is known");
		if (!(e->seller_eas = endpoint(inv->seller.tax_id, e->seller_endpoint,
					       sizeof(e->seller_endpoint))))
			why(&w, "PEPPOL-EN16931-R020 the seller has no electronic address (only "
				"a Polish NIP maps to a verified scheme, 9945)");
		if (!(e->buyer_eas = endpoint(inv->buyer.tax_id, e->buyer_endpoint,
					      sizeof(e->buyer_endpoint))))
			why(&w, "PEPPOL-EN16931-R010 the buyer has no electronic address (only "
				"a Polish NIP maps to a verified scheme, 9945)");
	}
	if (w.len)
		goto refuse;
	folio_strbuf_release(&w);
	return FOLIO_OK;
refuse:
	r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_REFUSED, 0, "%s", w.buf ? w.buf : "");
	folio_strbuf_release(&w);
	folio_en16931_release(e);
	return r;
nomem:
	folio_strbuf_release(&w);
	folio_en16931_release(e);
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
}

void folio_en16931_release(struct folio_en16931 *e)
{
	free(e->vats);
	free(e->lines);
	free(e->charges);
	free(e->pool_);
	memset(e, 0, sizeof(*e));
}

/* ---- the XML writer --------------------------------------------------------- */

void folio_xw_adds(struct folio_xw *w, const char *s)
{
	if (folio_strbuf_adds(&w->sb, s))
		w->bad = 1;
}

void folio_xw_addf(struct folio_xw *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (folio_strbuf_vaddf(&w->sb, fmt, ap))
		w->bad = 1;
	va_end(ap);
}

void folio_xw_esc(struct folio_xw *w, const char *s)
{
	if (folio_xml_escape(&w->sb, s))
		w->bad = 1;
}

void folio_xw_lines(struct folio_xw *w, const char *tag, const char *inner, const char *text)
{
	const char *p = text;

	while (p && *p) {
		size_t n = strcspn(p, "\n");
		char *one = n ? strndup(p, n) : NULL;

		if (one) {
			if (inner) {
				folio_xw_addf(w, "<%s>", tag);
				folio_xw_elem(w, inner, one);
				folio_xw_addf(w, "</%s>", tag);
			} else {
				folio_xw_elem(w, tag, one);
			}
		}
		free(one);
		p += n;
		if (*p)
			p++;
	}
}

void folio_xw_elem(struct folio_xw *w, const char *tag, const char *text)
{
	if (folio_xml_elem(&w->sb, tag, text))
		w->bad = 1;
}

void folio_xw_id(struct folio_xw *w, const char *ns, const char *tag, const struct folio_en_id *id)
{
	folio_xw_addf(w, "<%s:%s", ns, tag);
	if (id->scheme) {
		folio_xw_adds(w, " schemeID=\"");
		folio_xw_esc(w, id->scheme);
		folio_xw_adds(w, "\"");
	}
	folio_xw_adds(w, ">");
	folio_xw_esc(w, id->id);
	folio_xw_addf(w, "</%s:%s>", ns, tag);
}
