/*
 * einvoice.c - structured e-invoices (UBL 2.1, UN/CEFACT CII, ZUGFeRD 1,
 * FatturaPA 1.2, KSeF FA(2)/FA(3)) read exactly into candidates; see
 * include/folio/extract.h.
 *
 * The XML is untrusted: libxml2 parses it without network access, without
 * loading or validating a DTD and without substituting entities, and with
 * its built-in limits (nesting depth, text size) left on, which is what
 * XML_PARSE_HUGE would lift. Text is read from an element's own text and
 * CDATA children only, so an entity reference is never expanded by us
 * either: a declared entity, internal or external, reads as nothing.
 *
 * Elements are matched by namespace URI and local name, never by prefix.
 * Paths below are written with the usual prefixes ("cac:Party/cbc:Name");
 * each format's table maps them to URIs, and an unprefixed step means the
 * format's default namespace (KSeF) or no namespace (FatturaPA, whose
 * schema leaves child elements unqualified).
 *
 * Decisions worth knowing:
 *  - doc_type: UNTDID 1001 credit note codes (81, 83, 261, 262, 296, 308,
 *    381, 396, 420, 458, 532) and 384 "corrected invoice" are
 *    "credit_note" (REFERENCE.md lists credit_note as "correction"); 325
 *    is "proforma"; every other code is "invoice". A UBL CreditNote is a
 *    credit note whatever its code. FatturaPA TD04/TD08 and KSeF KOR,
 *    KOR_ZAL, KOR_ROZ are credit notes.
 *  - Tax IDs: only VAT identifiers (UBL TaxScheme VAT, CII schemeID VA,
 *    FatturaPA IdFiscaleIVA, KSeF NIP/NrVatUE); spaces, dots and dashes
 *    removed, upper case, the party's country prefixed when the ID lacks
 *    one (GR becomes EL). A FatturaPA party with only a CodiceFiscale gets
 *    "IT" + CF, as validate.c writes it. IDs that are not letters and digits (template
 *    placeholders such as "#nip#") are dropped.
 *  - IBANs: the first payee account shaped like an IBAN; a KSeF 26-digit
 *    NRB gets "PL". Check digits are the integrator's business. UBL and
 *    CII: without an IBAN-shaped account, the first account as written is
 *    payment_account (BT-84: a Swedish bankgiro, a CII ProprietaryID);
 *    the chosen account's name (BT-85) is payment_account_name and its
 *    BIC (BT-86) payment_bic, for an IBAN too (see emit_account()).
 *  - Amounts keep every digit: '.' decimals, at least two, trailing zeros
 *    beyond two dropped. Rates and quantities drop all trailing zeros.
 *    Sums (KSeF P_13_x, FatturaPA DatiRiepilogo) are exact.
 *  - vat_breakdown keeps the document's entries in order (no merging);
 *    a UBL/CII entry without a percentage has rate "0". KSeF rates are
 *    the schema's P_12 words: P_13_1 "23" (or "22" when a line says so),
 *    P_13_2 "8" (or "7"), P_13_3 "5", P_13_4 "4", P_13_5 "oss",
 *    P_13_6_1..3 "0 KR", "0 WDT", "0 EX", P_13_7 "zw", P_13_8 "np I",
 *    P_13_9 "np II", P_13_10 "oo", P_13_11 "marza".
 *  - A FatturaPA file with several FatturaElettronicaBody is a batch of
 *    invoices: the first is read and a "review" candidate says so.
 *  - What an export needs to write the invoice back: seller_country and
 *    buyer_country (two letters, upper case, else nothing); seller_address
 *    and buyer_address, one line: the street lines, "postcode city", the
 *    region, joined with ", " (FatturaPA's street is "Indirizzo
 *    NumeroCivico", KSeF's lines are AdresL1 and AdresL2), so that an
 *    address written back as one street line reads back the same;
 *    buyer_reference and payment_reference (UBL, CII); prepaid_amount and
 *    rounding_amount when not zero.
 *  - vat_breakdown entries carry "category" (UNCL5305: UBL and CII as
 *    written; FatturaPA from Natura, see fpa_category(); KSeF from the
 *    P_13_x field, see ksef()), "exemption_reason" and "exemption_code"
 *    when the document gives them; lines carry "category" likewise.
 *  - charges: the document-level allowances and charges in order, each
 *    {"kind":"allowance"|"charge","amount","base","percent","reason",
 *    "reason_code","rate","category"} with only the keys present (rate is
 *    the VAT rate, percent the allowance's own: UBL MultiplierFactorNumeric,
 *    CII CalculationPercent); CII EXTENDED's logistics service charges are
 *    charges too. One whose ChargeIndicator is neither true nor false is
 *    left out, with a "review" candidate saying so.
 *  - Parties' identifiers, as written (no normalisation): seller_identifier
 *    and buyer_identifier (BT-29/46: UBL's first PartyIdentification that
 *    is not a SEPA creditor ID, which is BT-90; CII's ram:ID, else its
 *    first ram:GlobalID), seller_legal_id and buyer_legal_id (BT-30/47:
 *    UBL PartyLegalEntity/CompanyID, CII SpecifiedLegalOrganization/ID),
 *    each with "<name>_scheme" from its schemeID when it has one;
 *    seller_tax_registration (BT-32: UBL's first PartyTaxScheme whose
 *    scheme is not VAT, CII's SpecifiedTaxRegistration with schemeID FC,
 *    FatturaPA's CodiceFiscale of the seller when it is not the Partita
 *    IVA again: the Codice Fiscale is the Italian tax number, not a
 *    company register entry, so it is BT-32 rather than BT-30).
 *  - delivery_name, delivery_address (one line, as the parties'),
 *    delivery_country: UBL Delivery/DeliveryParty and DeliveryLocation/
 *    Address, CII ShipToTradeParty, FatturaPA DatiTrasporto/IndirizzoResa
 *    (no name).
 *  - period_start, period_end (UBL InvoicePeriod, CII
 *    BillingSpecifiedPeriod, KSeF OkresFa); preceding_invoice_number and
 *    preceding_invoice_date (the first UBL BillingReference, CII
 *    InvoiceReferencedDocument, FatturaPA DatiFattureCollegate, KSeF
 *    DaneFaKorygowanej, whose NrKSeFFaKorygowanej is
 *    preceding_invoice_ksef); tax_point_date (BT-7); vat_due_date_code
 *    (BT-8) as a UNTDID 2005 code, UBL's as written, CII's UNTDID 2475
 *    5/29/72 turned into 3/35/432 (others dropped); payment_terms (UBL
 *    PaymentTerms/Note, CII SpecifiedTradePaymentTerms/Description, the
 *    first) and payment_means_code (UNCL4461, the first PaymentMeans).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "folio/util.h"
#include "folio/extract.h"
#include "folio/strbuf.h"

#define XML_MAX_BYTES ((size_t)64 << 20)
#define MAX_ITEMS 100000          /* lines or tax entries read per invoice */

#define NS_UBL_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_UBL_CN "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_CII "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
#define NS_RAM "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#define NS_UDT "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
#define NS_QDT "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
#define NS_ZF1 "urn:ferd:CrossIndustryDocument:invoice:1p0"
#define NS_RAM12 "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
#define NS_UDT15 "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"
#define NS_QDT12 "urn:un:unece:uncefact:data:standard:QualifiedDataType:12"
#define NS_FPA "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
#define NS_FA2 "http://crd.gov.pl/wzor/2023/06/29/12648/"
#define NS_FA3 "http://crd.gov.pl/wzor/2025/06/25/13775/"

struct nsmap {
	const char *prefix;
	const char *uri;
};

static const struct nsmap ubl_inv_ns[] = {
	{ "cac", NS_CAC }, { "cbc", NS_CBC }, { "", NS_UBL_INV }, { NULL, NULL },
};
static const struct nsmap ubl_cn_ns[] = {
	{ "cac", NS_CAC }, { "cbc", NS_CBC }, { "", NS_UBL_CN }, { NULL, NULL },
};
static const struct nsmap cii_ns[] = {
	{ "rsm", NS_CII }, { "ram", NS_RAM }, { "udt", NS_UDT }, { "qdt", NS_QDT },
	{ NULL, NULL },
};
static const struct nsmap zf1_ns[] = {
	{ "rsm", NS_ZF1 }, { "ram", NS_RAM12 }, { "udt", NS_UDT15 }, { "qdt", NS_QDT12 },
	{ NULL, NULL },
};
static const struct nsmap fpa_ns[] = { { "", NULL }, { NULL, NULL } };
static const struct nsmap fa2_ns[] = { { "", NS_FA2 }, { NULL, NULL } };
static const struct nsmap fa3_ns[] = { { "", NS_FA3 }, { NULL, NULL } };

struct rd {
	const struct nsmap *ns;
	struct folio_cands *out;
	int nomem;
};

/* ---- tree access ------------------------------------------------------- */

static int uri_eq(const xmlNode *n, const char *uri)
{
	const char *have = n->ns && n->ns->href ? (const char *)n->ns->href : NULL;

	if (!uri)
		return have == NULL;
	return have && !strcmp(have, uri);
}

/* Whether element n matches one path step "prefix:local" of len bytes. */
static int step_match(const struct rd *r, const xmlNode *n, const char *step, size_t len)
{
	const char *colon = memchr(step, ':', len);
	const char *local = colon ? colon + 1 : step;
	size_t plen = colon ? (size_t)(colon - step) : 0;
	size_t llen = len - (size_t)(local - step);
	const struct nsmap *m;

	if (n->type != XML_ELEMENT_NODE || strlen((const char *)n->name) != llen ||
	    memcmp(n->name, local, llen))
		return 0;
	for (m = r->ns; m->prefix; m++)
		if (strlen(m->prefix) == plen && !memcmp(m->prefix, step, plen))
			return uri_eq(n, m->uri);
	return 0;
}

/* The first element, in document order, reached from n by `path`
 * ("a:x/b:y"), or NULL. Like ElementTree's find(): every branch is
 * tried, not only the first child named x. */
static xmlNode *find(const struct rd *r, xmlNode *n, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	xmlNode *k, *hit;

	if (!n)
		return NULL;
	for (k = n->children; k; k = k->next) {
		if (!step_match(r, k, path, len))
			continue;
		if (!slash)
			return k;
		if ((hit = find(r, k, slash + 1)))
			return hit;
	}
	return NULL;
}

/* Every element reached by `path`, in document order (at most MAX_ITEMS).
 * *v is malloc'd; returns the count or -1 on ENOMEM. */
static int find_all_into(const struct rd *r, xmlNode *n, const char *path, xmlNode ***v,
			 size_t *nv, size_t *alloc)
{
	const char *slash = strchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	xmlNode *k;

	for (k = n ? n->children : NULL; k; k = k->next) {
		if (!step_match(r, k, path, len))
			continue;
		if (slash) {
			if (find_all_into(r, k, slash + 1, v, nv, alloc))
				return -1;
			continue;
		}
		if (*nv >= MAX_ITEMS)
			return 0;
		if (*nv == *alloc) {
			size_t na = *alloc ? *alloc * 2 : 16;
			xmlNode **nvv = realloc(*v, na * sizeof(**v));

			if (!nvv)
				return -1;
			*v = nvv;
			*alloc = na;
		}
		(*v)[(*nv)++] = k;
	}
	return 0;
}

static size_t find_all(struct rd *r, xmlNode *n, const char *path, xmlNode ***v)
{
	size_t nv = 0, alloc = 0;

	*v = NULL;
	if (find_all_into(r, n, path, v, &nv, &alloc)) {
		r->nomem = 1;
		free(*v);
		*v = NULL;
		return 0;
	}
	return nv;
}

/*
 * An element's own text (text and CDATA children; entity references are
 * skipped, never expanded) with runs of white space collapsed to one
 * space and trimmed. Returns a malloc'd string, or NULL when empty (or on
 * ENOMEM, which sets r->nomem).
 */
static char *text(struct rd *r, const xmlNode *n)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const xmlNode *k;
	const unsigned char *p;
	int space = 0;

	if (!n)
		return NULL;
	for (k = n->children; k; k = k->next) {
		if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) ||
		    !k->content)
			continue;
		for (p = k->content; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				space = 1;
				continue;
			}
			if ((space && sb.len && folio_strbuf_addch(&sb, ' ')) ||
			    folio_strbuf_addch(&sb, *p)) {
				r->nomem = 1;
				folio_strbuf_release(&sb);
				return NULL;
			}
			space = 0;
		}
	}
	if (!sb.len) {
		folio_strbuf_release(&sb);
		return NULL;
	}
	return folio_strbuf_detach(&sb);
}

static char *text_at(struct rd *r, xmlNode *n, const char *path)
{
	return text(r, find(r, n, path));
}

/* An attribute without namespace, trimmed, malloc'd or NULL. */
static char *attr(struct rd *r, const xmlNode *n, const char *name)
{
	xmlChar *v;
	char *s, *e, *out;

	if (!n || !(v = xmlGetNoNsProp(n, (const xmlChar *)name)))
		return NULL;
	for (s = (char *)v; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	out = e > s ? strndup(s, (size_t)(e - s)) : NULL;
	if (e > s && !out)
		r->nomem = 1;
	xmlFree(v);
	return out;
}

/* ---- values ----------------------------------------------------------- */

/* An exact decimal: units / 10^scale. */
struct dec {
	long long units;
	int scale;
};

#define DEC_DIGITS 18

/* Parse a whole xsd:decimal ("-12.50", "+3", ".5"); 0 or -1. */
static int dec_parse(const char *s, struct dec *d)
{
	int neg = 0, digits = 0, scale = 0, frac = 0, any = 0;
	long long u = 0;

	if (!s)
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		any = 1;
		if (frac && *s == '0') {
			/* trailing zeros of the fraction cost no precision */
			const char *t = s;

			while (*t == '0')
				t++;
			if (!*t)
				break;
		}
		if (!digits && *s == '0' && !frac)
			continue;
		if (++digits > DEC_DIGITS)
			return -1;
		u = u * 10 + (*s - '0');
		if (frac)
			scale++;
	}
	if (!any)
		return -1;
	d->units = neg ? -u : u;
	d->scale = scale;
	return 0;
}

static int dec_add(struct dec *a, const struct dec *b)
{
	struct dec x = *a, y = *b;

	while (x.scale < y.scale) {
		if (x.units > INT64_MAX / 10 || x.units < INT64_MIN / 10)
			return -1;
		x.units *= 10;
		x.scale++;
	}
	while (y.scale < x.scale) {
		if (y.units > INT64_MAX / 10 || y.units < INT64_MIN / 10)
			return -1;
		y.units *= 10;
		y.scale++;
	}
	if ((y.units > 0 && x.units > INT64_MAX - y.units) ||
	    (y.units < 0 && x.units < INT64_MIN - y.units))
		return -1;
	x.units += y.units;
	*a = x;
	return 0;
}

/* Format with at least `min` decimals and no trailing zeros beyond them. */
static char *dec_format(const struct dec *d, int min, char *buf, size_t n)
{
	unsigned long long u = d->units < 0 ? 0ull - (unsigned long long)d->units
					    : (unsigned long long)d->units;
	char digits[32];
	int len, scale = d->scale, intlen, i;
	size_t o = 0;

	while (scale > min && u % 10 == 0) {
		u /= 10;
		scale--;
	}
	len = snprintf(digits, sizeof(digits), "%llu", u);
	if (u && d->units < 0 && o + 1 < n)
		buf[o++] = '-';
	intlen = len - scale;
	if (intlen <= 0) {
		if (o + 1 < n)
			buf[o++] = '0';
	} else {
		for (i = 0; i < intlen && o + 1 < n; i++)
			buf[o++] = digits[i];
	}
	if (scale > 0 || min > 0) {
		if (o + 1 < n)
			buf[o++] = '.';
		for (i = intlen; i < 0 && o + 1 < n; i++)
			buf[o++] = '0';
		for (i = intlen < 0 ? 0 : intlen; i < len && o + 1 < n; i++)
			buf[o++] = digits[i];
		for (i = scale; i < min && o + 1 < n; i++)
			buf[o++] = '0';
	}
	buf[o] = '\0';
	return buf;
}

/* Normalise an amount (min 2 decimals) or a rate/quantity (min 0) into
 * buf; returns buf or NULL when s is not a decimal. */
static const char *norm_num(const char *s, int min, char *buf, size_t n)
{
	struct dec d;

	if (dec_parse(s, &d))
		return NULL;
	return dec_format(&d, min, buf, n);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "YYYY-MM-DD" (optionally followed by a time or zone) or, for CII,
 * "YYYYMMDD": writes "YYYY-MM-DD" to out and returns 0, or -1 unless
 * the day exists in the calendar (years 1900..2199, as folio_date_parse
 * reads them: "2024-02-30" is no date). */
static int norm_date(const char *s, int compact, char out[11])
{
	char check[11];

	if (!s)
		return -1;
	if (compact) {
		if (strlen(s) != 8 || !all_digits(s, 8))
			return -1;
		memcpy(out, s, 4);
		out[4] = '-';
		memcpy(out + 5, s + 4, 2);
		out[7] = '-';
		memcpy(out + 8, s + 6, 2);
	} else {
		if (strlen(s) < 10 || !all_digits(s, 4) || s[4] != '-' ||
		    !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
			return -1;
		if (s[10] && !strchr("T+-Z ", s[10]))
			return -1;
		memcpy(out, s, 10);
	}
	out[10] = '\0';
	if (folio_date_parse(out, FOLIO_YMD, check) != 10 || strcmp(check, out))
		return -1;
	return 0;
}

/* Tax ID: drop spaces, dots, dashes; upper case; prefix `country` when
 * the ID does not start with two letters, or always when `force` (an
 * Italian Codice Fiscale starts with letters of the name). Returns 0 or
 * -1 (not letters and digits, or too long). */
static int norm_taxid(const char *raw, const char *country, int force, char out[40])
{
	char body[40];
	size_t n = 0;
	const char *p;

	if (!raw)
		return -1;
	for (p = raw; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if (!isalnum((unsigned char)*p) || n + 1 >= sizeof(body))
			return -1;
		body[n++] = (char)toupper((unsigned char)*p);
	}
	body[n] = '\0';
	if (!n)
		return -1;
	if (!force && n >= 2 && isalpha((unsigned char)body[0]) &&
	    isalpha((unsigned char)body[1])) {
		memcpy(out, body, n + 1);
		return 0;
	}
	if (country && strlen(country) == 2 && isalpha((unsigned char)country[0]) &&
	    isalpha((unsigned char)country[1])) {
		if (n + 3 > 40)
			return -1;
		if (!strcasecmp(country, "GR")) {
			out[0] = 'E';
			out[1] = 'L';
		} else {
			out[0] = (char)toupper((unsigned char)country[0]);
			out[1] = (char)toupper((unsigned char)country[1]);
		}
		memcpy(out + 2, body, n + 1);
		return 0;
	}
	memcpy(out, body, n + 1);
	return 0;
}

/* IBAN shape (2 letters, 2 digits, 11..30 letters/digits) after removing
 * spaces; a 26-digit Polish NRB gets "PL" when `nrb` is set. */
static int norm_iban(const char *raw, int nrb, char out[40])
{
	char b[40];
	size_t n = 0, i;
	const char *p;

	if (!raw)
		return -1;
	for (p = raw; *p; p++) {
		if (*p == ' ')
			continue;
		if (!isalnum((unsigned char)*p) || n + 3 >= sizeof(b))
			return -1;
		b[n++] = (char)toupper((unsigned char)*p);
	}
	b[n] = '\0';
	if (nrb && n == 26 && all_digits(b, 26)) {
		memmove(b + 2, b, n + 1);
		b[0] = 'P';
		b[1] = 'L';
		n += 2;
	}
	if (n < 15 || n > 34 || !isalpha((unsigned char)b[0]) ||
	    !isalpha((unsigned char)b[1]) || !all_digits(b + 2, 2))
		return -1;
	for (i = 4; i < n; i++)
		if (!isalnum((unsigned char)b[i]))
			return -1;
	memcpy(out, b, n + 1);
	return 0;
}

/* ---- emitting ---------------------------------------------------------- */

static void emit(struct rd *r, const char *name, const char *value, const char *raw)
{
	const char *kind;
	struct folio_amount a;

	if (!value || !*value)
		return;
	if (folio_field_known(name, &kind) && !strcmp(kind, "amount") &&
	    folio_amount_parse(value, '.', &a) != strlen(value)) {
		/* beyond what an amount of the archive holds (12 integer digits,
		 * 6 decimals): stored, no export or check could read it back */
		char note[160];

		snprintf(note, sizeof(note), "%s %.40s is beyond the amounts folio holds "
			 "(at most 12 digits before the decimal point, 6 after) and was left out",
			 name, value);
		emit(r, "review", note, NULL);
		return;
	}
	if (folio_cands_add(r->out, name, value, raw, 1.0f, FOLIO_SRC_XML, 0, NULL))
		r->nomem = 1;
}

/* Emit the text at path as is (trimmed, white space collapsed). */
static void emit_text(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char *s = text_at(r, n, path);

	emit(r, name, s, NULL);
	free(s);
}

static void emit_amount_node(struct rd *r, const char *name, xmlNode *node)
{
	char buf[48], *s = text(r, node);

	emit(r, name, norm_num(s, 2, buf, sizeof(buf)), s);
	free(s);
}

static void emit_amount(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	emit_amount_node(r, name, find(r, n, path));
}

static void emit_date(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char out[11], *s = text_at(r, n, path);

	if (!norm_date(s, 0, out))
		emit(r, name, out, s);
	free(s);
}

/* CII udt:DateTimeString: format 102 (or none) is YYYYMMDD. */
static void emit_cii_date(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	xmlNode *node = find(r, n, path);
	char out[11], *s = text(r, node), *fmt = attr(r, node, "format");
	int ok = -1;

	if (!fmt || !strcmp(fmt, "102"))
		ok = norm_date(s, 1, out);
	if (ok && !fmt)
		ok = norm_date(s, 0, out);
	if (!ok)
		emit(r, name, out, s);
	free(s);
	free(fmt);
}

static void emit_taxid(struct rd *r, const char *name, const char *raw, const char *country)
{
	char out[40];

	if (!norm_taxid(raw, country, 0, out))
		emit(r, name, out, raw);
}

static void emit_cf(struct rd *r, const char *name, const char *raw)
{
	char out[40];

	if (!norm_taxid(raw, "IT", 1, out))
		emit(r, name, out, raw);
}

/* An identifier and its scheme: the element's text as `name`, its
 * schemeID as `name`_scheme (only with the identifier). */
static void emit_id(struct rd *r, const char *name, xmlNode *node)
{
	char scheme[64], *s = text(r, node), *sc;

	if (!s)
		return;
	emit(r, name, s, NULL);
	free(s);
	if ((sc = attr(r, node, "schemeID"))) {
		snprintf(scheme, sizeof(scheme), "%s_scheme", name);
		emit(r, scheme, sc, NULL);
		free(sc);
	}
}

static int is_credit_code(const char *code)
{
	static const char *const credit[] = {
		"81", "83", "261", "262", "296", "308", "381", "384", "396", "420",
		"458", "532", NULL,
	};
	int i;

	for (i = 0; code && credit[i]; i++)
		if (!strcmp(code, credit[i]))
			return 1;
	return 0;
}

static const char *untdid_doc_type(const char *code)
{
	if (is_credit_code(code))
		return "credit_note";
	if (code && !strcmp(code, "325"))
		return "proforma";
	return "invoice";
}

/* JSON object builder for vat_breakdown and lines: only present keys. */
struct jobj {
	struct folio_strbuf sb;
	size_t items;
	int fields;
	struct rd *r;
};

static void jbegin(struct jobj *j)
{
	if (folio_strbuf_adds(&j->sb, j->items++ ? ",{" : "{"))
		j->r->nomem = 1;
	j->fields = 0;
}

static void jfield(struct jobj *j, const char *key, const char *value)
{
	if (!value)
		return;
	if ((j->fields++ && folio_strbuf_addch(&j->sb, ',')) ||
	    folio_strbuf_add_json(&j->sb, key) || folio_strbuf_addch(&j->sb, ':') ||
	    folio_strbuf_add_json(&j->sb, value))
		j->r->nomem = 1;
}

static void jend(struct jobj *j)
{
	if (folio_strbuf_addch(&j->sb, '}'))
		j->r->nomem = 1;
}

/* Emit the array (when it has items) as `name` and release it. */
static void jemit(struct jobj *j, const char *name)
{
	if (j->items) {
		if (folio_strbuf_addch(&j->sb, ']'))
			j->r->nomem = 1;
		else
			emit(j->r, name, j->sb.buf, NULL);
	}
	folio_strbuf_release(&j->sb);
}

static void jinit(struct jobj *j, struct rd *r)
{
	memset(j, 0, sizeof(*j));
	j->r = r;
	if (folio_strbuf_addch(&j->sb, '['))
		r->nomem = 1;
}

/* What a breakdown entry or a line says about its VAT beyond the rate:
 * the UNCL5305 category and, for exempt entries, the reason and its
 * VATEX code. Any may be NULL. */
struct vat_cat {
	const char *category, *reason, *code;
};

/* Add one breakdown entry from raw texts. */
static void breakdown_add(struct jobj *j, const char *rate, int rate_is_num,
			  const char *net, const char *vat, const struct vat_cat *vc)
{
	char rb[48], nb[48], vb[48];
	const char *rv = rate;

	if (rate_is_num)
		rv = rate ? norm_num(rate, 0, rb, sizeof(rb)) : "0";
	if (!rv)
		rv = "0";
	jbegin(j);
	/* rate, net and vat first: extract.c's reader looks them up by key
	 * before the first '}', which free text further on may hold */
	jfield(j, "rate", rv);
	jfield(j, "net", norm_num(net, 2, nb, sizeof(nb)));
	jfield(j, "vat", vat ? norm_num(vat, 2, vb, sizeof(vb)) : "0.00");
	if (vc) {
		jfield(j, "category", vc->category);
		jfield(j, "exemption_reason", vc->reason);
		jfield(j, "exemption_code", vc->code);
	}
	jend(j);
}

/* One invoice line from raw texts (any may be NULL); `rate_word` keeps
 * the rate as written (KSeF's P_12 is a word as often as a number). */
static void line_add(struct jobj *j, const char *desc, const char *qty, const char *unit,
		     const char *price, const char *net, const char *rate, int rate_word,
		     const char *category)
{
	char qb[48], pb[48], nb[48], rb[48];

	jbegin(j);
	jfield(j, "description", desc);
	jfield(j, "quantity", qty ? norm_num(qty, 0, qb, sizeof(qb)) : NULL);
	jfield(j, "unit", unit);
	jfield(j, "unit_price", price ? norm_num(price, 2, pb, sizeof(pb)) : NULL);
	jfield(j, "net", net ? norm_num(net, 2, nb, sizeof(nb)) : NULL);
	if (rate && rate_word)
		jfield(j, "vat_rate", rate);
	else
		jfield(j, "vat_rate", rate ? norm_num(rate, 0, rb, sizeof(rb)) : NULL);
	jfield(j, "category", category);
	jend(j);
}

/* ---- parties' addresses, charges ------------------------------------------ */

/* ISO 3166-1 alpha-2, upper case; anything else is dropped. */
static void emit_country(struct rd *r, const char *name, const char *raw)
{
	char cc[3];

	if (!raw || strlen(raw) != 2 || !isalpha((unsigned char)raw[0]) ||
	    !isalpha((unsigned char)raw[1]) || (unsigned char)raw[0] > 127 ||
	    (unsigned char)raw[1] > 127)
		return;
	cc[0] = (char)toupper((unsigned char)raw[0]);
	cc[1] = (char)toupper((unsigned char)raw[1]);
	cc[2] = '\0';
	emit(r, name, cc, raw);
}

/* Append `s` (taken: freed here) to `sb`, after `sep` when `sb` is not
 * empty. */
static void join_take(struct rd *r, struct folio_strbuf *sb, const char *sep, char *s)
{
	if (s && *s && ((sb->len && folio_strbuf_adds(sb, sep)) || folio_strbuf_adds(sb, s)))
		r->nomem = 1;
	free(s);
}

/*
 * One address line: the street lines (`streets` paths, each may match
 * several elements), then "postcode city", then the region, joined with
 * ", ". Every part is already white-space collapsed, so an address written
 * back as one street line reads back the same.
 */
static void emit_address(struct rd *r, const char *name, xmlNode *addr,
			 const char *const *streets, const char *pc, const char *city,
			 const char *region)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT, place = FOLIO_STRBUF_INIT;
	xmlNode **v;
	size_t n, i;

	if (!addr)
		return;
	for (; *streets; streets++) {
		n = find_all(r, addr, *streets, &v);
		for (i = 0; i < n; i++)
			join_take(r, &sb, ", ", text(r, v[i]));
		free(v);
	}
	join_take(r, &place, " ", pc ? text_at(r, addr, pc) : NULL);
	join_take(r, &place, " ", city ? text_at(r, addr, city) : NULL);
	if (place.len)
		join_take(r, &sb, ", ", folio_strbuf_detach(&place));
	join_take(r, &sb, ", ", region ? text_at(r, addr, region) : NULL);
	if (sb.len)
		emit(r, name, sb.buf, NULL);
	folio_strbuf_release(&sb);
	folio_strbuf_release(&place);
}

/* An amount that is there and not zero. */
static void emit_nonzero(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char buf[48], *s = text_at(r, n, path);
	struct dec d;

	if (s && !dec_parse(s, &d) && d.units)
		emit(r, name, dec_format(&d, 2, buf, sizeof(buf)), s);
	free(s);
}

/* Raw texts of one document-level allowance or charge (any may be NULL). */
struct charge {
	char *indicator, *amount, *base, *percent, *reason, *code, *rate, *category;
};

/* `kind` NULL: from the indicator. An entry whose indicator says neither
 * is left out with a review note: added or taken off, its amount would be
 * a guess (and the readers of the list once guessed differently). */
static void charge_add(struct jobj *j, const struct charge *c, const char *kind)
{
	char ab[48], bb[48], pb[48], rb[48], note[160];

	if (!kind && c->indicator) {
		if (!strcmp(c->indicator, "true") || !strcmp(c->indicator, "1"))
			kind = "charge";
		else if (!strcmp(c->indicator, "false") || !strcmp(c->indicator, "0"))
			kind = "allowance";
	}
	if (!kind) {
		snprintf(note, sizeof(note), "an allowance or charge of %.40s whose indicator "
			 "('%.20s') says neither was left out", c->amount ? c->amount : "no amount",
			 c->indicator ? c->indicator : "");
		emit(j->r, "review", note, NULL);
		return;
	}
	jbegin(j);
	jfield(j, "kind", kind);
	jfield(j, "amount", c->amount ? norm_num(c->amount, 2, ab, sizeof(ab)) : NULL);
	jfield(j, "base", c->base ? norm_num(c->base, 2, bb, sizeof(bb)) : NULL);
	jfield(j, "percent", c->percent ? norm_num(c->percent, 0, pb, sizeof(pb)) : NULL);
	jfield(j, "reason", c->reason);
	jfield(j, "reason_code", c->code);
	jfield(j, "rate", c->rate ? norm_num(c->rate, 0, rb, sizeof(rb)) : NULL);
	jfield(j, "category", c->category);
	jend(j);
}

static void charge_free(struct charge *c)
{
	free(c->indicator);
	free(c->amount);
	free(c->base);
	free(c->percent);
	free(c->reason);
	free(c->code);
	free(c->rate);
	free(c->category);
	memset(c, 0, sizeof(*c));
}

/* The node among `v` (all amounts) whose currencyID is `cur`, else v[0]. */
static xmlNode *in_currency(struct rd *r, xmlNode **v, size_t n, const char *cur)
{
	size_t i;
	char *c;
	int hit;

	for (i = 0; cur && i < n; i++) {
		c = attr(r, v[i], "currencyID");
		hit = !c || !strcmp(c, cur);
		free(c);
		if (hit)
			return v[i];
	}
	return n ? v[0] : NULL;
}

/* ---- UBL ---------------------------------------------------------------- */

/*
 * The payee's account (BT-84) among the accounts `v` (UBL
 * PayeeFinancialAccount, CII PayeePartyCreditorFinancialAccount), in
 * document order: the first whose `id_path` is shaped like an IBAN is
 * "iban"; without one, the first account's `id_path` (else `alt_path`,
 * CII's ProprietaryID) is "payment_account" as written. The chosen
 * account's `name_path` is "payment_account_name" (BT-85) and its BIC
 * (BT-86: `bic_path` below the account, or below its PaymentMeans when
 * `bic_in_means`, as CII has it) is "payment_bic".
 */
static void emit_account(struct rd *r, xmlNode **v, size_t n, const char *id_path,
			 const char *alt_path, const char *name_path, const char *bic_path,
			 int bic_in_means)
{
	xmlNode *pick = NULL;
	char *s, *other = NULL, ib[40];
	size_t i;
	int iban = 0;

	for (i = 0; i < n && !iban; i++) {
		s = text_at(r, v[i], id_path);
		if (s && !norm_iban(s, 0, ib)) {
			emit(r, "iban", ib, s);
			pick = v[i];
			iban = 1;
		} else if (!pick) {
			if (!s && alt_path)
				s = text_at(r, v[i], alt_path);
			if (s) {
				pick = v[i];
				other = s;
				s = NULL;
			}
		}
		free(s);
	}
	if (!iban)
		emit(r, "payment_account", other, NULL);
	free(other);
	if (!pick)
		return;
	emit_text(r, "payment_account_name", pick, name_path);
	emit_text(r, "payment_bic", bic_in_means ? pick->parent : pick, bic_path);
}

static const char *const ubl_streets[] = {
	"cbc:StreetName", "cbc:AdditionalStreetName", "cac:AddressLine/cbc:Line", NULL,
};

static void ubl_party(struct rd *r, xmlNode *root, const char *path, const char *who)
{
	xmlNode *party = find(r, root, path), **v;
	char name[32], *s, *country, *scheme;
	size_t n, i;

	if (!party)
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	s = text_at(r, party, "cac:PartyLegalEntity/cbc:RegistrationName");
	if (!s)
		s = text_at(r, party, "cac:PartyName/cbc:Name");
	emit(r, name, s, NULL);
	free(s);

	snprintf(name, sizeof(name), "%s_tax_id", who);
	country = text_at(r, party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode");
	n = find_all(r, party, "cac:PartyTaxScheme", &v);
	for (i = 0; i < n; i++) {
		scheme = text_at(r, v[i], "cac:TaxScheme/cbc:ID");
		if (scheme && !strcasecmp(scheme, "VAT")) {
			s = text_at(r, v[i], "cbc:CompanyID");
			emit_taxid(r, name, s, country);
			free(s);
			free(scheme);
			break;
		}
		free(scheme);
	}
	/* BT-32: the seller's registration under another tax scheme */
	for (i = 0; i < n && !strcmp(who, "seller"); i++) {
		scheme = text_at(r, v[i], "cac:TaxScheme/cbc:ID");
		s = scheme && strcasecmp(scheme, "VAT") ? text_at(r, v[i], "cbc:CompanyID") : NULL;
		free(scheme);
		if (s) {
			emit(r, "seller_tax_registration", s, NULL);
			free(s);
			break;
		}
	}
	free(v);
	/* BT-29/BT-46: the first identifier; a SEPA creditor identifier is
	 * BT-90, not the seller's */
	n = find_all(r, party, "cac:PartyIdentification/cbc:ID", &v);
	for (i = 0; i < n; i++) {
		scheme = attr(r, v[i], "schemeID");
		if (scheme && !strcasecmp(scheme, "SEPA")) {
			free(scheme);
			continue;
		}
		free(scheme);
		snprintf(name, sizeof(name), "%s_identifier", who);
		emit_id(r, name, v[i]);
		break;
	}
	free(v);
	snprintf(name, sizeof(name), "%s_legal_id", who);
	emit_id(r, name, find(r, party, "cac:PartyLegalEntity/cbc:CompanyID"));
	snprintf(name, sizeof(name), "%s_country", who);
	emit_country(r, name, country);
	free(country);
	snprintf(name, sizeof(name), "%s_address", who);
	emit_address(r, name, find(r, party, "cac:PostalAddress"), ubl_streets, "cbc:PostalZone",
		     "cbc:CityName", "cbc:CountrySubentity");
}

static void ubl(struct rd *r, xmlNode *root, int credit)
{
	const char *line_tag = credit ? "cac:CreditNoteLine" : "cac:InvoiceLine";
	const char *qty_tag = credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity";
	xmlNode **v = NULL, **sub = NULL, *tax = NULL, *q;
	char *code, *cur, *s;
	char *a, *b, *c, *d, *e, *f, *g;
	struct vat_cat vc;
	struct charge ch;
	struct jobj j;
	size_t n, i;

	code = text_at(r, root, credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode");
	emit(r, "doc_type", credit ? "credit_note" : untdid_doc_type(code), code);
	free(code);
	emit_text(r, "invoice_number", root, "cbc:ID");
	emit_date(r, "issue_date", root, "cbc:IssueDate");
	emit_date(r, "supply_date", root, "cac:Delivery/cbc:ActualDeliveryDate");
	if (find(r, root, "cbc:DueDate"))
		emit_date(r, "due_date", root, "cbc:DueDate");
	else
		emit_date(r, "due_date", root, "cac:PaymentMeans/cbc:PaymentDueDate");
	cur = text_at(r, root, "cbc:DocumentCurrencyCode");
	emit(r, "currency", cur, NULL);
	ubl_party(r, root, "cac:AccountingSupplierParty/cac:Party", "seller");
	ubl_party(r, root, "cac:AccountingCustomerParty/cac:Party", "buyer");

	emit_amount(r, "net_total", root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount");
	n = find_all(r, root, "cac:TaxTotal/cbc:TaxAmount", &v);
	if ((q = in_currency(r, v, n, cur))) {
		emit_amount_node(r, "vat_total", q);
		tax = q->parent;
	}
	free(v);
	emit_amount(r, "gross_total", root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount");
	emit_amount(r, "amount_due", root, "cac:LegalMonetaryTotal/cbc:PayableAmount");

	n = find_all(r, root, "cac:PaymentMeans/cac:PayeeFinancialAccount", &v);
	emit_account(r, v, n, "cbc:ID", NULL, "cbc:Name", "cac:FinancialInstitutionBranch/cbc:ID",
		     0);
	free(v);
	emit_text(r, "order_reference", root, "cac:OrderReference/cbc:ID");
	emit_text(r, "buyer_reference", root, "cbc:BuyerReference");
	emit_text(r, "payment_reference", root, "cac:PaymentMeans/cbc:PaymentID");
	emit_nonzero(r, "prepaid_amount", root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount");
	emit_nonzero(r, "rounding_amount", root,
		     "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount");
	q = find(r, root, "cac:BillingReference/cac:InvoiceDocumentReference");
	emit_text(r, "preceding_invoice_number", q, "cbc:ID");
	emit_date(r, "preceding_invoice_date", q, "cbc:IssueDate");
	emit_date(r, "period_start", root, "cac:InvoicePeriod/cbc:StartDate");
	emit_date(r, "period_end", root, "cac:InvoicePeriod/cbc:EndDate");
	emit_date(r, "tax_point_date", root, "cbc:TaxPointDate");
	emit_text(r, "vat_due_date_code", root, "cac:InvoicePeriod/cbc:DescriptionCode");
	emit_text(r, "payment_terms", root, "cac:PaymentTerms/cbc:Note");
	emit_text(r, "payment_means_code", root, "cac:PaymentMeans/cbc:PaymentMeansCode");
	emit_text(r, "delivery_name", root,
		  "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name");
	q = find(r, root, "cac:Delivery/cac:DeliveryLocation/cac:Address");
	s = text_at(r, q, "cac:Country/cbc:IdentificationCode");
	emit_country(r, "delivery_country", s);
	free(s);
	emit_address(r, "delivery_address", q, ubl_streets, "cbc:PostalZone", "cbc:CityName",
		     "cbc:CountrySubentity");

	jinit(&j, r);
	n = tax ? find_all(r, tax, "cac:TaxSubtotal", &sub) : 0;
	for (i = 0; i < n; i++) {
		a = text_at(r, sub[i], "cac:TaxCategory/cbc:Percent");
		b = text_at(r, sub[i], "cbc:TaxableAmount");
		c = text_at(r, sub[i], "cbc:TaxAmount");
		d = text_at(r, sub[i], "cac:TaxCategory/cbc:ID");
		e = text_at(r, sub[i], "cac:TaxCategory/cbc:TaxExemptionReason");
		f = text_at(r, sub[i], "cac:TaxCategory/cbc:TaxExemptionReasonCode");
		vc.category = d;
		vc.reason = e;
		vc.code = f;
		breakdown_add(&j, a, 1, b, c, &vc);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	free(sub);
	jemit(&j, "vat_breakdown");

	/* document-level allowances and charges (line ones stay in the
	 * lines' net) */
	jinit(&j, r);
	n = find_all(r, root, "cac:AllowanceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.indicator = text_at(r, v[i], "cbc:ChargeIndicator");
		ch.amount = text_at(r, v[i], "cbc:Amount");
		ch.base = text_at(r, v[i], "cbc:BaseAmount");
		ch.percent = text_at(r, v[i], "cbc:MultiplierFactorNumeric");
		ch.reason = text_at(r, v[i], "cbc:AllowanceChargeReason");
		ch.code = text_at(r, v[i], "cbc:AllowanceChargeReasonCode");
		ch.rate = text_at(r, v[i], "cac:TaxCategory/cbc:Percent");
		ch.category = text_at(r, v[i], "cac:TaxCategory/cbc:ID");
		charge_add(&j, &ch, NULL);
		charge_free(&ch);
	}
	free(v);
	jemit(&j, "charges");

	jinit(&j, r);
	n = find_all(r, root, line_tag, &v);
	for (i = 0; i < n; i++) {
		a = text_at(r, v[i], "cac:Item/cbc:Name");
		if (!a)
			a = text_at(r, v[i], "cac:Item/cbc:Description");
		q = find(r, v[i], qty_tag);
		b = text(r, q);
		c = attr(r, q, "unitCode");
		d = text_at(r, v[i], "cac:Price/cbc:PriceAmount");
		e = text_at(r, v[i], "cbc:LineExtensionAmount");
		f = text_at(r, v[i], "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent");
		g = text_at(r, v[i], "cac:Item/cac:ClassifiedTaxCategory/cbc:ID");
		line_add(&j, a, b, c, d, e, f, 0, g);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
	}
	free(v);
	jemit(&j, "lines");
	free(cur);
}

/* ---- CII and ZUGFeRD 1 ----------------------------------------------------- */

/* The element names that differ between CII D16B and ZUGFeRD 1.0. */
struct cii_names {
	const char *doc, *trans, *agreement, *delivery, *settlement, *summation, *percent;
	const char *order_id;
	const char *l_agreement, *l_delivery, *l_settlement, *l_summation;
};

static const struct cii_names cii_d16b = {
	.doc = "rsm:ExchangedDocument",
	.trans = "rsm:SupplyChainTradeTransaction",
	.agreement = "ram:ApplicableHeaderTradeAgreement",
	.delivery = "ram:ApplicableHeaderTradeDelivery",
	.settlement = "ram:ApplicableHeaderTradeSettlement",
	.summation = "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
	.percent = "ram:RateApplicablePercent",
	.order_id = "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
	.l_agreement = "ram:SpecifiedLineTradeAgreement",
	.l_delivery = "ram:SpecifiedLineTradeDelivery",
	.l_settlement = "ram:SpecifiedLineTradeSettlement",
	.l_summation = "ram:SpecifiedTradeSettlementLineMonetarySummation",
};

static const struct cii_names cii_zf1 = {
	.doc = "rsm:HeaderExchangedDocument",
	.trans = "rsm:SpecifiedSupplyChainTradeTransaction",
	.agreement = "ram:ApplicableSupplyChainTradeAgreement",
	.delivery = "ram:ApplicableSupplyChainTradeDelivery",
	.settlement = "ram:ApplicableSupplyChainTradeSettlement",
	.summation = "ram:SpecifiedTradeSettlementMonetarySummation",
	.percent = "ram:ApplicablePercent",
	.order_id = "ram:BuyerOrderReferencedDocument/ram:ID",
	.l_agreement = "ram:SpecifiedSupplyChainTradeAgreement",
	.l_delivery = "ram:SpecifiedSupplyChainTradeDelivery",
	.l_settlement = "ram:SpecifiedSupplyChainTradeSettlement",
	.l_summation = "ram:SpecifiedTradeSettlementMonetarySummation",
};

static const char *const cii_streets[] = {
	"ram:LineOne", "ram:LineTwo", "ram:LineThree", NULL,
};

static void cii_party(struct rd *r, xmlNode *agr, const char *tag, const char *who)
{
	xmlNode *party = find(r, agr, tag), **v, *q;
	char name[32], *s, *country, *scheme;
	size_t n, i;

	if (!party)
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	emit_text(r, name, party, "ram:Name");
	snprintf(name, sizeof(name), "%s_tax_id", who);
	country = text_at(r, party, "ram:PostalTradeAddress/ram:CountryID");
	n = find_all(r, party, "ram:SpecifiedTaxRegistration/ram:ID", &v);
	for (i = 0; i < n; i++) {
		scheme = attr(r, v[i], "schemeID");
		if (scheme && !strcmp(scheme, "VA")) {
			s = text(r, v[i]);
			emit_taxid(r, name, s, country);
			free(s);
			free(scheme);
			break;
		}
		free(scheme);
	}
	/* BT-32: the seller's tax number (schemeID FC) */
	for (i = 0; i < n && !strcmp(who, "seller"); i++) {
		scheme = attr(r, v[i], "schemeID");
		s = scheme && !strcmp(scheme, "FC") ? text(r, v[i]) : NULL;
		free(scheme);
		if (s) {
			emit(r, "seller_tax_registration", s, NULL);
			free(s);
			break;
		}
	}
	free(v);
	/* BT-29/BT-46: ram:ID (no scheme), else the first ram:GlobalID */
	snprintf(name, sizeof(name), "%s_identifier", who);
	if ((q = find(r, party, "ram:ID")))
		emit_id(r, name, q);
	else
		emit_id(r, name, find(r, party, "ram:GlobalID"));
	snprintf(name, sizeof(name), "%s_legal_id", who);
	emit_id(r, name, find(r, party, "ram:SpecifiedLegalOrganization/ram:ID"));
	snprintf(name, sizeof(name), "%s_country", who);
	emit_country(r, name, country);
	free(country);
	snprintf(name, sizeof(name), "%s_address", who);
	emit_address(r, name, find(r, party, "ram:PostalTradeAddress"), cii_streets,
		     "ram:PostcodeCode", "ram:CityName", "ram:CountrySubDivisionName");
}

/*
 * BT-8 is a UNTDID 2005 code (3 invoice date, 35 delivery date, 432 paid
 * date) as UBL writes it; CII writes UNTDID 2475 (5, 29, 72) instead.
 * Other CII codes have no EN 16931 meaning: NULL.
 */
static const char *due_date_code(const char *cii)
{
	if (!cii)
		return NULL;
	if (!strcmp(cii, "5"))
		return "3";
	if (!strcmp(cii, "29"))
		return "35";
	if (!strcmp(cii, "72"))
		return "432";
	return NULL;
}

static void cii(struct rd *r, xmlNode *root, const struct cii_names *k)
{
	char path[256], *code, *cur, *s, *a, *b, *c, *d, *e, *f, *g;
	xmlNode *doc, *tr, *agr, *dlv, *set, *sum, **v, *q;
	struct vat_cat vc;
	struct charge ch;
	struct jobj j;
	size_t n, i;

	doc = find(r, root, k->doc);
	tr = find(r, root, k->trans);
	agr = find(r, tr, k->agreement);
	dlv = find(r, tr, k->delivery);
	set = find(r, tr, k->settlement);
	sum = find(r, set, k->summation);

	code = text_at(r, doc, "ram:TypeCode");
	emit(r, "doc_type", untdid_doc_type(code), code);
	free(code);
	emit_text(r, "invoice_number", doc, "ram:ID");
	emit_cii_date(r, "issue_date", doc, "ram:IssueDateTime/udt:DateTimeString");
	emit_cii_date(r, "supply_date", dlv,
		      "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
		      "udt:DateTimeString");
	emit_cii_date(r, "due_date", set,
		      "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString");
	cur = text_at(r, set, "ram:InvoiceCurrencyCode");
	emit(r, "currency", cur, NULL);
	cii_party(r, agr, "ram:SellerTradeParty", "seller");
	cii_party(r, agr, "ram:BuyerTradeParty", "buyer");

	emit_amount(r, "net_total", sum, "ram:TaxBasisTotalAmount");
	n = find_all(r, sum, "ram:TaxTotalAmount", &v);
	if ((q = in_currency(r, v, n, cur)))
		emit_amount_node(r, "vat_total", q);
	free(v);
	emit_amount(r, "gross_total", sum, "ram:GrandTotalAmount");
	emit_amount(r, "amount_due", sum, "ram:DuePayableAmount");

	n = find_all(r, set, "ram:SpecifiedTradeSettlementPaymentMeans/"
		     "ram:PayeePartyCreditorFinancialAccount", &v);
	emit_account(r, v, n, "ram:IBANID", "ram:ProprietaryID", "ram:AccountName",
		     "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", 1);
	free(v);
	emit_text(r, "order_reference", agr, k->order_id);
	emit_text(r, "buyer_reference", agr, "ram:BuyerReference");
	emit_text(r, "payment_reference", set, "ram:PaymentReference");
	emit_nonzero(r, "prepaid_amount", sum, "ram:TotalPrepaidAmount");
	emit_nonzero(r, "rounding_amount", sum, "ram:RoundingAmount");
	q = find(r, set, "ram:InvoiceReferencedDocument");
	emit_text(r, "preceding_invoice_number", q, "ram:IssuerAssignedID");
	emit_cii_date(r, "preceding_invoice_date", q,
		      "ram:FormattedIssueDateTime/qdt:DateTimeString");
	emit_cii_date(r, "period_start", set,
		      "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString");
	emit_cii_date(r, "period_end", set,
		      "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString");
	emit_cii_date(r, "tax_point_date", set,
		      "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString");
	s = text_at(r, set, "ram:ApplicableTradeTax/ram:DueDateTypeCode");
	emit(r, "vat_due_date_code", due_date_code(s), s);
	free(s);
	emit_text(r, "payment_terms", set, "ram:SpecifiedTradePaymentTerms/ram:Description");
	emit_text(r, "payment_means_code", set,
		  "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode");
	q = find(r, dlv, "ram:ShipToTradeParty");
	emit_text(r, "delivery_name", q, "ram:Name");
	q = find(r, q, "ram:PostalTradeAddress");
	s = text_at(r, q, "ram:CountryID");
	emit_country(r, "delivery_country", s);
	free(s);
	emit_address(r, "delivery_address", q, cii_streets, "ram:PostcodeCode", "ram:CityName",
		     "ram:CountrySubDivisionName");

	jinit(&j, r);
	n = find_all(r, set, "ram:ApplicableTradeTax", &v);
	for (i = 0; i < n; i++) {
		a = text_at(r, v[i], k->percent);
		b = text_at(r, v[i], "ram:BasisAmount");
		c = text_at(r, v[i], "ram:CalculatedAmount");
		d = text_at(r, v[i], "ram:CategoryCode");
		e = text_at(r, v[i], "ram:ExemptionReason");
		f = text_at(r, v[i], "ram:ExemptionReasonCode");
		vc.category = d;
		vc.reason = e;
		vc.code = f;
		breakdown_add(&j, a, 1, b, c, &vc);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	free(v);
	jemit(&j, "vat_breakdown");

	jinit(&j, r);
	n = find_all(r, set, "ram:SpecifiedTradeAllowanceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.indicator = text_at(r, v[i], "ram:ChargeIndicator/udt:Indicator");
		ch.amount = text_at(r, v[i], "ram:ActualAmount");
		ch.base = text_at(r, v[i], "ram:BasisAmount");
		ch.percent = text_at(r, v[i], "ram:CalculationPercent");
		ch.reason = text_at(r, v[i], "ram:Reason");
		ch.code = text_at(r, v[i], "ram:ReasonCode");
		snprintf(path, sizeof(path), "ram:CategoryTradeTax/%s", k->percent);
		ch.rate = text_at(r, v[i], path);
		ch.category = text_at(r, v[i], "ram:CategoryTradeTax/ram:CategoryCode");
		charge_add(&j, &ch, NULL);
		charge_free(&ch);
	}
	free(v);
	/* EXTENDED's freight and the like: charges of the document too,
	 * counted in its ChargeTotalAmount */
	memset(&ch, 0, sizeof(ch));
	n = find_all(r, set, "ram:SpecifiedLogisticsServiceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.amount = text_at(r, v[i], "ram:AppliedAmount");
		ch.reason = text_at(r, v[i], "ram:Description");
		snprintf(path, sizeof(path), "ram:AppliedTradeTax/%s", k->percent);
		ch.rate = text_at(r, v[i], path);
		ch.category = text_at(r, v[i], "ram:AppliedTradeTax/ram:CategoryCode");
		charge_add(&j, &ch, "charge");
		charge_free(&ch);
	}
	free(v);
	jemit(&j, "charges");

	jinit(&j, r);
	n = find_all(r, tr, "ram:IncludedSupplyChainTradeLineItem", &v);
	for (i = 0; i < n; i++) {
		a = text_at(r, v[i], "ram:SpecifiedTradeProduct/ram:Name");
		snprintf(path, sizeof(path), "%s/ram:BilledQuantity", k->l_delivery);
		q = find(r, v[i], path);
		b = text(r, q);
		c = attr(r, q, "unitCode");
		snprintf(path, sizeof(path), "%s/ram:NetPriceProductTradePrice/ram:ChargeAmount",
			 k->l_agreement);
		d = text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/%s/ram:LineTotalAmount", k->l_settlement,
			 k->l_summation);
		e = text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/ram:ApplicableTradeTax/%s", k->l_settlement,
			 k->percent);
		f = text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/ram:ApplicableTradeTax/ram:CategoryCode",
			 k->l_settlement);
		g = text_at(r, v[i], path);
		line_add(&j, a, b, c, d, e, f, 0, g);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
	}
	free(v);
	jemit(&j, "lines");
	free(cur);
}

/* ---- FatturaPA ----------------------------------------------------------- */

/*
 * The UNCL5305 category of a FatturaPA summary or line: without a Natura
 * a rate above zero is standard; N3.1 (exports) G, N3.2 (intra-community
 * supplies) K, the other N3.x (non imponibili: San Marino, treated as
 * exports, declarations of intent) and N4 (esenti) and N5 (margin scheme,
 * VAT not shown) E, N6.x (inversione contabile) AE, N1 (excluded by
 * art. 15), N2.x (non soggette) and N7 (VAT paid in another EU state) O.
 * E rather than Z for the plain N3.x: FatturaPA always gives a legal
 * reference, which EN 16931 forbids with Z (BR-Z-10) and asks for with E.
 */
static const char *fpa_category(const char *natura, const char *rate)
{
	struct dec d;

	if (!natura)
		return rate && !dec_parse(rate, &d) && d.units > 0 ? "S" : NULL;
	if (!strcmp(natura, "N3.1"))
		return "G";
	if (!strcmp(natura, "N3.2"))
		return "K";
	if (!strncmp(natura, "N3", 2) || !strcmp(natura, "N4") || !strcmp(natura, "N5"))
		return "E";
	if (!strncmp(natura, "N6", 2))
		return "AE";
	if (!strcmp(natura, "N1") || !strncmp(natura, "N2", 2) || !strcmp(natura, "N7"))
		return "O";
	return NULL;
}

/* `who`_country and `who`_address of a FatturaPA address (Sede,
 * IndirizzoResa). */
static void fpa_address(struct rd *r, xmlNode *sede, const char *who)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT, part = FOLIO_STRBUF_INIT;
	char name[32], *s;

	snprintf(name, sizeof(name), "%s_country", who);
	s = text_at(r, sede, "Nazione");
	emit_country(r, name, s);
	free(s);
	/* "Via Roma 1, 00100 Roma, RM": the street and its number make one
	 * line */
	join_take(r, &part, " ", text_at(r, sede, "Indirizzo"));
	join_take(r, &part, " ", text_at(r, sede, "NumeroCivico"));
	if (part.len)
		join_take(r, &sb, ", ", folio_strbuf_detach(&part));
	join_take(r, &part, " ", text_at(r, sede, "CAP"));
	join_take(r, &part, " ", text_at(r, sede, "Comune"));
	if (part.len)
		join_take(r, &sb, ", ", folio_strbuf_detach(&part));
	join_take(r, &sb, ", ", text_at(r, sede, "Provincia"));
	snprintf(name, sizeof(name), "%s_address", who);
	if (sb.len)
		emit(r, name, sb.buf, NULL);
	folio_strbuf_release(&part);
	folio_strbuf_release(&sb);
}

static void fpa_party(struct rd *r, xmlNode *hdr, const char *tag, const char *who)
{
	xmlNode *da, *sede;
	char path[128], name[32], *s, *c, *nome, *cognome;

	snprintf(path, sizeof(path), "%s/Sede", tag);
	if ((sede = find(r, hdr, path)))
		fpa_address(r, sede, who);
	snprintf(path, sizeof(path), "%s/DatiAnagrafici", tag);
	if (!(da = find(r, hdr, path)))
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	s = text_at(r, da, "Anagrafica/Denominazione");
	if (s) {
		emit(r, name, s, NULL);
	} else {
		struct folio_strbuf full = FOLIO_STRBUF_INIT;

		nome = text_at(r, da, "Anagrafica/Nome");
		cognome = text_at(r, da, "Anagrafica/Cognome");
		if ((nome && folio_strbuf_adds(&full, nome)) ||
		    (nome && cognome && folio_strbuf_addch(&full, ' ')) ||
		    (cognome && folio_strbuf_adds(&full, cognome)))
			r->nomem = 1;
		else if (full.len)
			emit(r, name, full.buf, NULL);
		folio_strbuf_release(&full);
		free(nome);
		free(cognome);
	}
	free(s);

	snprintf(name, sizeof(name), "%s_tax_id", who);
	s = text_at(r, da, "IdFiscaleIVA/IdCodice");
	if (s) {
		c = text_at(r, da, "IdFiscaleIVA/IdPaese");
		emit_taxid(r, name, s, c);
		free(c);
		/* BT-32: the seller's Codice Fiscale, when it is not the
		 * Partita IVA again (a company's usually is) */
		c = !strcmp(who, "seller") ? text_at(r, da, "CodiceFiscale") : NULL;
		if (c && strcmp(c, s))
			emit(r, "seller_tax_registration", c, NULL);
		free(c);
	} else if ((s = text_at(r, da, "CodiceFiscale"))) {
		emit_cf(r, name, s);
	}
	free(s);
}

static void fpa(struct rd *r, xmlNode *root)
{
	xmlNode *hdr, *body, *dg, *dgd, *pay, *fc, **v, **lv;
	char *s, *cond, ib[40], nb[48], note[128], *a, *b, *c, *d, *e, *f, *g;
	struct vat_cat vc;
	struct dec net = { 0, 0 }, vat = { 0, 0 }, x, due = { 0, 0 };
	int net_ok = 0, vat_ok = 0, bad = 0, due_ok = 0, due_bad = 0;
	struct jobj j;
	size_t n, i, nbody;

	hdr = find(r, root, "FatturaElettronicaHeader");
	nbody = find_all(r, root, "FatturaElettronicaBody", &v);
	body = nbody ? v[0] : NULL;
	free(v);
	dg = find(r, body, "DatiGenerali");
	dgd = find(r, dg, "DatiGeneraliDocumento");

	s = text_at(r, dgd, "TipoDocumento");
	emit(r, "doc_type", s && (!strcmp(s, "TD04") || !strcmp(s, "TD08")) ? "credit_note"
								   : "invoice", s);
	free(s);
	emit_text(r, "invoice_number", dgd, "Numero");
	emit_date(r, "issue_date", dgd, "Data");
	emit_date(r, "supply_date", dg, "DatiTrasporto/DataOraConsegna");
	emit_date(r, "due_date", body, "DatiPagamento/DettaglioPagamento/DataScadenzaPagamento");
	emit_text(r, "currency", dgd, "Divisa");
	fpa_party(r, hdr, "CedentePrestatore", "seller");
	fpa_party(r, hdr, "CessionarioCommittente", "buyer");

	jinit(&j, r);
	n = find_all(r, body, "DatiBeniServizi/DatiRiepilogo", &v);
	for (i = 0; i < n; i++) {
		a = text_at(r, v[i], "AliquotaIVA");
		b = text_at(r, v[i], "ImponibileImporto");
		c = text_at(r, v[i], "Imposta");
		if (b && !dec_parse(b, &x) && !dec_add(&net, &x))
			net_ok = 1;
		else
			bad = 1;
		if (c && !dec_parse(c, &x) && !dec_add(&vat, &x))
			vat_ok = 1;
		else if (c)
			bad = 1;
		d = text_at(r, v[i], "Natura");
		e = text_at(r, v[i], "RiferimentoNormativo");
		vc.category = fpa_category(d, a);
		vc.reason = e;
		vc.code = NULL;
		breakdown_add(&j, a, 1, b, c, &vc);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
	}
	free(v);
	if (net_ok && !bad)
		emit(r, "net_total", dec_format(&net, 2, nb, sizeof(nb)), NULL);
	if (vat_ok && !bad)
		emit(r, "vat_total", dec_format(&vat, 2, nb, sizeof(nb)), NULL);
	emit_amount(r, "gross_total", dgd, "ImportoTotaleDocumento");

	/* Installments (TP01) add up; otherwise several details are
	 * alternative ways to pay the same amount. */
	pay = find(r, body, "DatiPagamento");
	cond = text_at(r, pay, "CondizioniPagamento");
	n = find_all(r, pay, "DettaglioPagamento/ImportoPagamento", &v);
	for (i = 0; i < n; i++) {
		s = text(r, v[i]);
		if (s && !dec_parse(s, &x) && !dec_add(&due, &x))
			due_ok = 1;
		else
			due_bad = 1;
		free(s);
		if (!cond || strcmp(cond, "TP01"))
			break;
	}
	free(v);
	free(cond);
	if (due_ok && !due_bad)
		emit(r, "amount_due", dec_format(&due, 2, nb, sizeof(nb)), NULL);

	n = find_all(r, body, "DatiPagamento/DettaglioPagamento/IBAN", &v);
	for (i = 0; i < n; i++) {
		s = text(r, v[i]);
		if (!norm_iban(s, 0, ib)) {
			emit(r, "iban", ib, s);
			free(s);
			break;
		}
		free(s);
	}
	free(v);
	emit_text(r, "order_reference", dg, "DatiOrdineAcquisto/IdDocumento");
	fc = find(r, dg, "DatiFattureCollegate");
	emit_text(r, "preceding_invoice_number", fc, "IdDocumento");
	emit_date(r, "preceding_invoice_date", fc, "Data");
	/* where the goods went (BT-75..80) */
	if ((fc = find(r, dg, "DatiTrasporto/IndirizzoResa")))
		fpa_address(r, fc, "delivery");
	jemit(&j, "vat_breakdown");

	jinit(&j, r);
	n = find_all(r, body, "DatiBeniServizi/DettaglioLinee", &lv);
	for (i = 0; i < n; i++) {
		a = text_at(r, lv[i], "Descrizione");
		b = text_at(r, lv[i], "Quantita");
		c = text_at(r, lv[i], "UnitaMisura");
		d = text_at(r, lv[i], "PrezzoUnitario");
		e = text_at(r, lv[i], "PrezzoTotale");
		f = text_at(r, lv[i], "AliquotaIVA");
		g = text_at(r, lv[i], "Natura");
		line_add(&j, a, b, c, d, e, f, 0, fpa_category(g, f));
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
	}
	free(lv);
	jemit(&j, "lines");

	if (nbody > 1) {
		snprintf(note, sizeof(note),
			 "FatturaPA file holds %zu invoices; only the first was read", nbody);
		emit(r, "review", note, NULL);
	}
}

/* ---- KSeF FA(2)/FA(3) ----------------------------------------------------- */

static const char *const ksef_streets[] = { "AdresL1", "AdresL2", NULL };

static void ksef_party(struct rd *r, xmlNode *root, const char *tag, const char *who)
{
	xmlNode *id, *adr;
	char path[64], name[32], *s, *c;

	snprintf(path, sizeof(path), "%s/Adres", tag);
	if ((adr = find(r, root, path))) {
		snprintf(name, sizeof(name), "%s_country", who);
		s = text_at(r, adr, "KodKraju");
		emit_country(r, name, s);
		free(s);
		snprintf(name, sizeof(name), "%s_address", who);
		emit_address(r, name, adr, ksef_streets, NULL, NULL, NULL);
	}
	snprintf(path, sizeof(path), "%s/DaneIdentyfikacyjne", tag);
	if (!(id = find(r, root, path)))
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	emit_text(r, name, id, "Nazwa");
	snprintf(name, sizeof(name), "%s_tax_id", who);
	if ((s = text_at(r, id, "NIP"))) {
		emit_taxid(r, name, s, "PL");
	} else if ((s = text_at(r, id, "NrVatUE"))) {
		c = text_at(r, id, "KodUE");
		emit_taxid(r, name, s, c);
		free(c);
	} else if ((s = text_at(r, id, "NrID"))) {
		c = text_at(r, id, "KodKraju");
		emit_taxid(r, name, s, c);
		free(c);
	}
	free(s);
}

/*
 * The UNCL5305 category of a KSeF line's P_12 word (FA(3) TStawkaPodatku;
 * FA(2) has a bare "0" and "np"), as the summary fields map below.
 */
static const char *ksef_line_category(const char *p12)
{
	static const struct {
		const char *word, *cat;
	} words[] = {
		{ "0 KR", "Z" }, { "0", "Z" }, { "0 WDT", "K" }, { "0 EX", "G" },
		{ "zw", "E" }, { "oo", "AE" }, { "np I", "O" }, { "np", "O" },
		{ "np II", "AE" },
	};
	struct dec d;
	size_t i;

	if (!p12)
		return NULL;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(p12, words[i].word))
			return words[i].cat;
	return !dec_parse(p12, &d) && d.units > 0 ? "S" : NULL;
}

/*
 * The margin scheme (P_13_11) has no category of its own in EN 16931: it
 * is E with the VATEX code of the scheme the annotations flag (travel
 * agents, art. 119, have none; the words the invoice must carry are the
 * reason).
 */
static void ksef_margin(struct rd *r, xmlNode *fa, struct vat_cat *vc)
{
	static const struct {
		const char *flag, *code, *words;
	} schemes[] = {
		{ "P_PMarzy_2", NULL, "procedura marży dla biur podróży" },
		{ "P_PMarzy_3_1", "VATEX-EU-F", "procedura marży - towary używane" },
		{ "P_PMarzy_3_2", "VATEX-EU-I", "procedura marży - dzieła sztuki" },
		{ "P_PMarzy_3_3", "VATEX-EU-J",
		  "procedura marży - przedmioty kolekcjonerskie i antyki" },
	};
	char path[64], *s;
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		snprintf(path, sizeof(path), "Adnotacje/PMarzy/%s", schemes[i].flag);
		s = text_at(r, fa, path);
		if (s && !strcmp(s, "1")) {
			vc->code = schemes[i].code;
			vc->reason = schemes[i].words;
			free(s);
			return;
		}
		free(s);
	}
}

static void ksef(struct rd *r, xmlNode *root)
{
	/*
	 * Categories from the FA(3) schema's annotations: P_13_1..3 (basic
	 * and reduced rates), P_13_4 (taxi lump sum) and P_13_5 (OSS, the
	 * other state's VAT shown in P_14_5) carry VAT: S. P_13_6_1 (0 %
	 * domestic) Z, P_13_6_2 (0 % intra-community supply) K, P_13_6_3
	 * (0 % export) G, P_13_7 (exempt) E, P_13_8 (outside the country) O,
	 * P_13_9 (services of art. 100(1)(4), taxed by the buyer in another
	 * member state: reverse charge, "odwrotne obciążenie" on the
	 * invoice) AE, P_13_10 (domestic reverse charge) AE, P_13_11
	 * (margin) E, see ksef_margin().
	 */
	static const struct {
		const char *net, *vat, *rate, *cat;
	} rates[] = {
		{ "P_13_1", "P_14_1", NULL, "S" }, { "P_13_2", "P_14_2", NULL, "S" },
		{ "P_13_3", "P_14_3", "5", "S" }, { "P_13_4", "P_14_4", "4", "S" },
		{ "P_13_5", "P_14_5", "oss", "S" }, { "P_13_6_1", NULL, "0 KR", "Z" },
		{ "P_13_6_2", NULL, "0 WDT", "K" }, { "P_13_6_3", NULL, "0 EX", "G" },
		{ "P_13_7", NULL, "zw", "E" }, { "P_13_8", NULL, "np I", "O" },
		{ "P_13_9", NULL, "np II", "AE" }, { "P_13_10", NULL, "oo", "AE" },
		{ "P_13_11", NULL, "marza", "E" },
	};
	xmlNode *fa, **v, *q;
	char *s, *a, *b, *c, *d, *e, *f, ib[40], nb[48], *why = NULL;
	const char *rate, *hi = "23", *lo = "8";
	struct vat_cat vc;
	struct dec net = { 0, 0 }, vat = { 0, 0 }, x;
	int net_ok = 0, vat_ok = 0, bad = 0;
	struct jobj j;
	size_t n, i;

	fa = find(r, root, "Fa");
	s = text_at(r, fa, "RodzajFaktury");
	emit(r, "doc_type", s && (!strcmp(s, "KOR") || !strcmp(s, "KOR_ZAL") ||
				  !strcmp(s, "KOR_ROZ")) ? "credit_note" : "invoice", s);
	free(s);
	emit_text(r, "invoice_number", fa, "P_2");
	emit_date(r, "issue_date", fa, "P_1");
	emit_date(r, "supply_date", fa, "P_6");
	emit_date(r, "due_date", fa, "Platnosc/TerminPlatnosci/Termin");
	emit_text(r, "currency", fa, "KodWaluty");
	ksef_party(r, root, "Podmiot1", "seller");
	ksef_party(r, root, "Podmiot2", "buyer");

	/* The basic and first reduced rates changed in 2011 (22/7 to 23/8):
	 * the lines say which one the invoice used. */
	n = find_all(r, fa, "FaWiersz/P_12", &v);
	for (i = 0; i < n; i++) {
		s = text(r, v[i]);
		if (s && !strcmp(s, "22"))
			hi = "22";
		if (s && !strcmp(s, "7"))
			lo = "7";
		free(s);
	}
	free(v);

	jinit(&j, r);
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (!(a = text_at(r, fa, rates[i].net)))
			continue;
		b = rates[i].vat ? text_at(r, fa, rates[i].vat) : NULL;
		if (!dec_parse(a, &x) && !dec_add(&net, &x))
			net_ok = 1;
		else
			bad = 1;
		if (b && !dec_parse(b, &x) && !dec_add(&vat, &x))
			vat_ok = 1;
		else if (b)
			bad = 1;
		rate = rates[i].rate ? rates[i].rate : i == 0 ? hi : lo;
		memset(&vc, 0, sizeof(vc));
		vc.category = rates[i].cat;
		if (!strcmp(rates[i].net, "P_13_7")) {
			/* the legal basis of the exemption: the act, the
			 * directive or another */
			why = text_at(r, fa, "Adnotacje/Zwolnienie/P_19A");
			if (!why)
				why = text_at(r, fa, "Adnotacje/Zwolnienie/P_19B");
			if (!why)
				why = text_at(r, fa, "Adnotacje/Zwolnienie/P_19C");
			vc.reason = why;
		} else if (!strcmp(rates[i].net, "P_13_11")) {
			ksef_margin(r, fa, &vc);
		}
		breakdown_add(&j, rate, 0, a, b, &vc);
		free(a);
		free(b);
		free(why);
		why = NULL;
	}
	if (net_ok && !bad)
		emit(r, "net_total", dec_format(&net, 2, nb, sizeof(nb)), NULL);
	if (vat_ok && !bad)
		emit(r, "vat_total", dec_format(&vat, 2, nb, sizeof(nb)), NULL);
	emit_amount(r, "gross_total", fa, "P_15");
	emit_amount(r, "amount_due", fa, "Rozliczenie/DoZaplaty");

	s = text_at(r, fa, "Platnosc/RachunekBankowy/NrRB");
	if (!s)
		s = text_at(r, fa, "Platnosc/RachunekBankowyFaktora/NrRB");
	if (!norm_iban(s, 1, ib))
		emit(r, "iban", ib, s);
	free(s);
	emit_text(r, "order_reference", fa, "WarunkiTransakcji/Zamowienia/NrZamowienia");
	emit_date(r, "period_start", fa, "OkresFa/P_6_Od");
	emit_date(r, "period_end", fa, "OkresFa/P_6_Do");
	q = find(r, fa, "DaneFaKorygowanej");
	emit_text(r, "preceding_invoice_number", q, "NrFaKorygowanej");
	emit_date(r, "preceding_invoice_date", q, "DataWystFaKorygowanej");
	emit_text(r, "preceding_invoice_ksef", q, "NrKSeFFaKorygowanej");
	jemit(&j, "vat_breakdown");

	jinit(&j, r);
	n = find_all(r, fa, "FaWiersz", &v);
	for (i = 0; i < n; i++) {
		a = text_at(r, v[i], "P_7");
		b = text_at(r, v[i], "P_8B");
		c = text_at(r, v[i], "P_8A");
		d = text_at(r, v[i], "P_9A");
		e = text_at(r, v[i], "P_11");
		f = text_at(r, v[i], "P_12");
		line_add(&j, a, b, c, d, e, f, 1, ksef_line_category(f));
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	free(v);
	jemit(&j, "lines");
}

/* ---- entry point ---------------------------------------------------------- */

struct first_error {
	int set;
	int line;
	char msg[200];
	int nomem;             /* libxml2 ran out of memory (any error) */
};

/* libxml2 reports every error here (the parser context is `user`); keep
 * the first one, which is the cause, not a consequence. */
static void on_error(void *user, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = user;
	struct first_error *fe = ctxt ? ctxt->_private : NULL;
	size_t n;

	if (fe && e && e->code == XML_ERR_NO_MEMORY)
		fe->nomem = 1;
	if (!fe || fe->set || !e || e->level < XML_ERR_ERROR)
		return;
	fe->set = 1;
	fe->line = e->line;
	snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "malformed XML");
	n = strlen(fe->msg);
	while (n && (fe->msg[n - 1] == '\n' || fe->msg[n - 1] == ' '))
		fe->msg[--n] = '\0';
}

static int parse_xml(const void *xml, size_t len, xmlDocPtr *out, struct folio_err *err)
{
	struct first_error fe = { 0, 0, "", 0 };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int wf;

	*out = NULL;
	if (folio_xml_guard(xml, len, err) != FOLIO_OK)
		return FOLIO_FAILED;
	ctxt = xmlCreateMemoryParserCtxt(xml, (int)len);
	if (!ctxt)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	/* No XML_PARSE_NOENT, DTDLOAD, DTDVALID or HUGE: entities stay
	 * unexpanded, no DTD is fetched, the depth and size limits hold. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			  XML_PARSE_NOCDATA);
	ctxt->_private = &fe;
	ctxt->sax->serror = on_error;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	wf = ctxt->wellFormed;
	if (!fe.set && ctxt->lastError.code != XML_ERR_OK) {
		fe.set = 1;
		fe.line = ctxt->lastError.line;
		snprintf(fe.msg, sizeof(fe.msg), "%s",
			 ctxt->lastError.message ? ctxt->lastError.message : "malformed XML");
	}
	if (ctxt->errNo == XML_ERR_NO_MEMORY || ctxt->lastError.code == XML_ERR_NO_MEMORY)
		fe.nomem = 1;
	xmlFreeParserCtxt(ctxt);
	/* short of memory, the text is not to blame: no "line N: malformed" */
	if (fe.nomem) {
		xmlFreeDoc(doc);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	if (!wf || !doc || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		if (!fe.set)
			snprintf(fe.msg, sizeof(fe.msg), "not well-formed");
		{
			size_t n = strlen(fe.msg);

			while (n && (fe.msg[n - 1] == '\n' || fe.msg[n - 1] == ' '))
				fe.msg[--n] = '\0';
		}
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "line %d: %s",
				     fe.line > 0 ? fe.line : 1, fe.msg);
	}
	*out = doc;
	return FOLIO_OK;
}

int folio_einvoice_parse(const void *xml, size_t len, struct folio_cands *out,
			 struct folio_err *err)
{
	struct rd r = { NULL, out, 0 };
	xmlDocPtr doc = NULL;
	xmlNode *root;
	size_t n0 = out->n, i;
	int status;

	if (!xml || !len)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "line 1: empty XML");
	if (len > XML_MAX_BYTES)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "XML of %zu bytes is larger than the 64 MiB limit", len);
	status = parse_xml(xml, len, &doc, err);
	if (status != FOLIO_OK)
		return status;
	root = xmlDocGetRootElement(doc);
	if (uri_eq(root, NS_UBL_INV) && !strcmp((const char *)root->name, "Invoice")) {
		r.ns = ubl_inv_ns;
		ubl(&r, root, 0);
	} else if (uri_eq(root, NS_UBL_CN) && !strcmp((const char *)root->name, "CreditNote")) {
		r.ns = ubl_cn_ns;
		ubl(&r, root, 1);
	} else if (uri_eq(root, NS_CII) &&
		   !strcmp((const char *)root->name, "CrossIndustryInvoice")) {
		r.ns = cii_ns;
		cii(&r, root, &cii_d16b);
	} else if (uri_eq(root, NS_ZF1) &&
		   !strcmp((const char *)root->name, "CrossIndustryDocument")) {
		r.ns = zf1_ns;
		cii(&r, root, &cii_zf1);
	} else if (uri_eq(root, NS_FPA) &&
		   !strcmp((const char *)root->name, "FatturaElettronica")) {
		r.ns = fpa_ns;
		fpa(&r, root);
	} else if ((uri_eq(root, NS_FA2) || uri_eq(root, NS_FA3)) &&
		   !strcmp((const char *)root->name, "Faktura")) {
		r.ns = uri_eq(root, NS_FA2) ? fa2_ns : fa3_ns;
		ksef(&r, root);
	} else {
		status = folio_err_set(err, FOLIO_WARN, FOLIO_E_TYPE, 0,
				       "XML root <%s> is not a known e-invoice",
				       (const char *)root->name);
	}
	xmlFreeDoc(doc);
	if (r.nomem) {
		/* leave the list as it was */
		for (i = n0; i < out->n; i++) {
			free(out->v[i].name);
			free(out->v[i].value);
			free(out->v[i].raw);
		}
		out->n = n0;
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	return status;
}
