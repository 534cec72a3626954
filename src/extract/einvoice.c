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
 *    BIC (BT-86) payment_bic, for an IBAN too (see ei_emit_account()).
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
 *    written; FatturaPA from Natura, see ei_fpa_category(); KSeF from the
 *    P_13_x field, see ei_ksef()), "exemption_reason" and "exemption_code"
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
#include "einvoice_private.h"

#define XML_MAX_BYTES ((size_t)64 << 20)
#define MAX_ITEMS 100000 /* lines or tax entries read per invoice */

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

/* clang-format off */
static const struct nsmap ubl_inv_ns[] = {
	{ "cac", NS_CAC }, { "cbc", NS_CBC }, { "", NS_UBL_INV }, { NULL, NULL },
};
/* clang-format on */
/* clang-format off */
static const struct nsmap ubl_cn_ns[] = {
	{ "cac", NS_CAC }, { "cbc", NS_CBC }, { "", NS_UBL_CN }, { NULL, NULL },
};
/* clang-format on */
/* clang-format off */
static const struct nsmap cii_ns[] = {
	{ "rsm", NS_CII }, { "ram", NS_RAM }, { "udt", NS_UDT }, { "qdt", NS_QDT },
	{ NULL, NULL },
};
/* clang-format on */
/* clang-format off */
static const struct nsmap zf1_ns[] = {
	{ "rsm", NS_ZF1 }, { "ram", NS_RAM12 }, { "udt", NS_UDT15 }, { "qdt", NS_QDT12 },
	{ NULL, NULL },
};
/* clang-format on */
static const struct nsmap fpa_ns[] = { { "", NULL }, { NULL, NULL } };
static const struct nsmap fa2_ns[] = { { "", NS_FA2 }, { NULL, NULL } };
static const struct nsmap fa3_ns[] = { { "", NS_FA3 }, { NULL, NULL } };

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
 * ("a:x/b:y"), or NULL. Like ElementTree's ei_find(): every branch is
 * tried, not only the first child named x. */
xmlNode *ei_find(const struct rd *r, xmlNode *n, const char *path)
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
		if ((hit = ei_find(r, k, slash + 1)))
			return hit;
	}
	return NULL;
}

/* Every element reached by `path`, in document order (at most MAX_ITEMS).
 * *v is malloc'd; returns the count or -1 on ENOMEM. */
static int find_all_into(const struct rd *r, xmlNode *n, const char *path, xmlNode ***v, size_t *nv,
			 size_t *alloc)
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

size_t ei_find_all(struct rd *r, xmlNode *n, const char *path, xmlNode ***v)
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
 * An element's own ei_text (text and CDATA children; entity references are
 * skipped, never expanded) with runs of white space collapsed to one
 * space and trimmed. Returns a malloc'd string, or NULL when empty (or on
 * ENOMEM, which sets r->nomem).
 */
char *ei_text(struct rd *r, const xmlNode *n)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const xmlNode *k;
	const unsigned char *p;
	int space = 0;

	if (!n)
		return NULL;
	for (k = n->children; k; k = k->next) {
		if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) || !k->content)
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

char *ei_text_at(struct rd *r, xmlNode *n, const char *path)
{
	return ei_text(r, ei_find(r, n, path));
}

/* An attribute without namespace, trimmed, malloc'd or NULL. */
char *ei_attr(struct rd *r, const xmlNode *n, const char *name)
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

#define DEC_DIGITS 18

/* Parse a whole xsd:decimal ("-12.50", "+3", ".5"); 0 or -1. */
int ei_dec_parse(const char *s, struct dec *d)
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

int ei_dec_add(struct dec *a, const struct dec *b)
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
char *ei_dec_format(const struct dec *d, int min, char *buf, size_t n)
{
	unsigned long long u =
		d->units < 0 ? 0ull - (unsigned long long)d->units : (unsigned long long)d->units;
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

	if (ei_dec_parse(s, &d))
		return NULL;
	return ei_dec_format(&d, min, buf, n);
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
		if (strlen(s) < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) ||
		    s[7] != '-' || !all_digits(s + 8, 2))
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
int ei_norm_iban(const char *raw, int nrb, char out[40])
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
	if (n < 15 || n > 34 || !isalpha((unsigned char)b[0]) || !isalpha((unsigned char)b[1]) ||
	    !all_digits(b + 2, 2))
		return -1;
	for (i = 4; i < n; i++)
		if (!isalnum((unsigned char)b[i]))
			return -1;
	memcpy(out, b, n + 1);
	return 0;
}

/* ---- emitting ---------------------------------------------------------- */

void ei_emit(struct rd *r, const char *name, const char *value, const char *raw)
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

		snprintf(note, sizeof(note),
			 "%s %.40s is beyond the amounts folio holds "
			 "(at most 12 digits before the decimal point, 6 after) and was left out",
			 name, value);
		ei_emit(r, "review", note, NULL);
		return;
	}
	if (folio_cands_add(r->out, name, value, raw, 1.0f, FOLIO_SRC_XML, 0, NULL))
		r->nomem = 1;
}

/* Emit the text at path as is (trimmed, white space collapsed). */
void ei_emit_text(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char *s = ei_text_at(r, n, path);

	ei_emit(r, name, s, NULL);
	free(s);
}

void ei_emit_amount_node(struct rd *r, const char *name, xmlNode *node)
{
	char buf[48], *s = ei_text(r, node);

	ei_emit(r, name, norm_num(s, 2, buf, sizeof(buf)), s);
	free(s);
}

void ei_emit_amount(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	ei_emit_amount_node(r, name, ei_find(r, n, path));
}

void ei_emit_date(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char out[11], *s = ei_text_at(r, n, path);

	if (!norm_date(s, 0, out))
		ei_emit(r, name, out, s);
	free(s);
}

/* CII udt:DateTimeString: format 102 (or none) is YYYYMMDD. */
void ei_emit_cii_date(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	xmlNode *node = ei_find(r, n, path);
	char out[11], *s = ei_text(r, node), *fmt = ei_attr(r, node, "format");
	int ok = -1;

	if (!fmt || !strcmp(fmt, "102"))
		ok = norm_date(s, 1, out);
	if (ok && !fmt)
		ok = norm_date(s, 0, out);
	if (!ok)
		ei_emit(r, name, out, s);
	free(s);
	free(fmt);
}

void ei_emit_taxid(struct rd *r, const char *name, const char *raw, const char *country)
{
	char out[40];

	if (!norm_taxid(raw, country, 0, out))
		ei_emit(r, name, out, raw);
}

void ei_emit_cf(struct rd *r, const char *name, const char *raw)
{
	char out[40];

	if (!norm_taxid(raw, "IT", 1, out))
		ei_emit(r, name, out, raw);
}

/* An identifier and its scheme: the element's text as `name`, its
 * schemeID as `name`_scheme (only with the identifier). */
void ei_emit_id(struct rd *r, const char *name, xmlNode *node)
{
	char scheme[64], *s = ei_text(r, node), *sc;

	if (!s)
		return;
	ei_emit(r, name, s, NULL);
	free(s);
	if ((sc = ei_attr(r, node, "schemeID"))) {
		snprintf(scheme, sizeof(scheme), "%s_scheme", name);
		ei_emit(r, scheme, sc, NULL);
		free(sc);
	}
}

static int is_credit_code(const char *code)
{
	/* clang-format off */
	static const char *const credit[] = {
		"81", "83", "261", "262", "296", "308", "381", "384", "396", "420",
		"458", "532", NULL,
	};
	/* clang-format on */
	int i;

	for (i = 0; code && credit[i]; i++)
		if (!strcmp(code, credit[i]))
			return 1;
	return 0;
}

const char *ei_untdid_doc_type(const char *code)
{
	if (is_credit_code(code))
		return "credit_note";
	if (code && !strcmp(code, "325"))
		return "proforma";
	return "invoice";
}

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
void ei_jemit(struct jobj *j, const char *name)
{
	if (j->items) {
		if (folio_strbuf_addch(&j->sb, ']'))
			j->r->nomem = 1;
		else
			ei_emit(j->r, name, j->sb.buf, NULL);
	}
	folio_strbuf_release(&j->sb);
}

void ei_jinit(struct jobj *j, struct rd *r)
{
	memset(j, 0, sizeof(*j));
	j->r = r;
	if (folio_strbuf_addch(&j->sb, '['))
		r->nomem = 1;
}

/* Add one breakdown entry from raw texts. */
void ei_breakdown_add(struct jobj *j, const char *rate, int rate_is_num, const char *net,
		      const char *vat, const struct vat_cat *vc)
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
void ei_line_add(struct jobj *j, const char *desc, const char *qty, const char *unit,
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
void ei_emit_country(struct rd *r, const char *name, const char *raw)
{
	char cc[3];

	if (!raw || strlen(raw) != 2 || !isalpha((unsigned char)raw[0]) ||
	    !isalpha((unsigned char)raw[1]) || (unsigned char)raw[0] > 127 ||
	    (unsigned char)raw[1] > 127)
		return;
	cc[0] = (char)toupper((unsigned char)raw[0]);
	cc[1] = (char)toupper((unsigned char)raw[1]);
	cc[2] = '\0';
	ei_emit(r, name, cc, raw);
}

/* Append `s` (taken: freed here) to `sb`, after `sep` when `sb` is not
 * empty. */
void ei_join_take(struct rd *r, struct folio_strbuf *sb, const char *sep, char *s)
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
void ei_emit_address(struct rd *r, const char *name, xmlNode *addr, const char *const *streets,
		     const char *pc, const char *city, const char *region)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT, place = FOLIO_STRBUF_INIT;
	xmlNode **v;
	size_t n, i;

	if (!addr)
		return;
	for (; *streets; streets++) {
		n = ei_find_all(r, addr, *streets, &v);
		for (i = 0; i < n; i++)
			ei_join_take(r, &sb, ", ", ei_text(r, v[i]));
		free(v);
	}
	ei_join_take(r, &place, " ", pc ? ei_text_at(r, addr, pc) : NULL);
	ei_join_take(r, &place, " ", city ? ei_text_at(r, addr, city) : NULL);
	if (place.len)
		ei_join_take(r, &sb, ", ", folio_strbuf_detach(&place));
	ei_join_take(r, &sb, ", ", region ? ei_text_at(r, addr, region) : NULL);
	if (sb.len)
		ei_emit(r, name, sb.buf, NULL);
	folio_strbuf_release(&sb);
	folio_strbuf_release(&place);
}

/* An amount that is there and not zero. */
void ei_emit_nonzero(struct rd *r, const char *name, xmlNode *n, const char *path)
{
	char buf[48], *s = ei_text_at(r, n, path);
	struct dec d;

	if (s && !ei_dec_parse(s, &d) && d.units)
		ei_emit(r, name, ei_dec_format(&d, 2, buf, sizeof(buf)), s);
	free(s);
}

/* `kind` NULL: from the indicator. An entry whose indicator says neither
 * is left out with a review note: added or taken off, its amount would be
 * a guess (and the readers of the list once guessed differently). */
void ei_charge_add(struct jobj *j, const struct charge *c, const char *kind)
{
	char ab[48], bb[48], pb[48], rb[48], note[160];

	if (!kind && c->indicator) {
		if (!strcmp(c->indicator, "true") || !strcmp(c->indicator, "1"))
			kind = "charge";
		else if (!strcmp(c->indicator, "false") || !strcmp(c->indicator, "0"))
			kind = "allowance";
	}
	if (!kind) {
		snprintf(note, sizeof(note),
			 "an allowance or charge of %.40s whose indicator "
			 "('%.20s') says neither was left out",
			 c->amount ? c->amount : "no amount", c->indicator ? c->indicator : "");
		ei_emit(j->r, "review", note, NULL);
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

void ei_charge_free(struct charge *c)
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
xmlNode *ei_in_currency(struct rd *r, xmlNode **v, size_t n, const char *cur)
{
	size_t i;
	char *c;
	int hit;

	for (i = 0; cur && i < n; i++) {
		c = ei_attr(r, v[i], "currencyID");
		hit = !c || !strcmp(c, cur);
		free(c);
		if (hit)
			return v[i];
	}
	return n ? v[0] : NULL;
}

/* ---- entry point ---------------------------------------------------------- */

struct first_error {
	int set;
	int line;
	char msg[200];
	int nomem; /* libxml2 ran out of memory (any error) */
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

/* ---- the readers ----------------------------------------------------------- */

static void read_ubl_invoice(struct rd *r, xmlNode *root)
{
	ei_ubl(r, root, 0);
}

static void read_ubl_credit_note(struct rd *r, xmlNode *root)
{
	ei_ubl(r, root, 1);
}

static void read_cii(struct rd *r, xmlNode *root)
{
	ei_cii(r, root, &ei_cii_d16b);
}

static void read_zf1(struct rd *r, xmlNode *root)
{
	ei_cii(r, root, &ei_cii_zf1);
}

/*
 * Which reader takes a document: its root element's namespace and name,
 * the prefixes its paths are written with, and the reader (one file per
 * format; CII's two generations share one reader over two path tables,
 * ei_cii_d16b and ei_cii_zf1). A new format is one line here.
 */
/* clang-format off */
static const struct {
	const char *uri, *root;
	const struct nsmap *ns;
	void (*read)(struct rd *r, xmlNode *root);
} readers[] = {
	{ NS_UBL_INV, "Invoice",              ubl_inv_ns, read_ubl_invoice },
	{ NS_UBL_CN,  "CreditNote",           ubl_cn_ns,  read_ubl_credit_note },
	{ NS_CII,     "CrossIndustryInvoice", cii_ns,     read_cii },
	{ NS_ZF1,     "CrossIndustryDocument", zf1_ns,    read_zf1 },
	{ NS_FPA,     "FatturaElettronica",   fpa_ns,     ei_fpa },
	{ NS_FA2,     "Faktura",              fa2_ns,     ei_ksef },
	{ NS_FA3,     "Faktura",              fa3_ns,     ei_ksef },
};
/* clang-format on */

int folio_einvoice_parse(const void *xml, size_t len, struct folio_cands *out,
			 struct folio_err *err)
{
	struct rd r = { NULL, out, 0 };
	xmlDocPtr doc = NULL;
	xmlNode *root;
	size_t n0 = out->n, i, k;
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
	for (k = 0; k < sizeof(readers) / sizeof(readers[0]); k++)
		if (uri_eq(root, readers[k].uri) &&
		    !strcmp((const char *)root->name, readers[k].root))
			break;
	if (k < sizeof(readers) / sizeof(readers[0])) {
		r.ns = readers[k].ns;
		readers[k].read(&r, root);
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
