/*
 * einvoice_cii.c - the UN/CEFACT CII (D16B) and ZUGFeRD 1 reader of folio_einvoice_parse() (see einvoice.c
 * for what every reader reads and how).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "folio/util.h"
#include "folio/extract.h"
#include "folio/strbuf.h"
#include "einvoice_private.h"

/* ---- CII and ZUGFeRD 1 ----------------------------------------------------- */

const struct cii_names ei_cii_d16b = {
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

const struct cii_names ei_cii_zf1 = {
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

/* clang-format off */
static const char *const cii_streets[] = {
	"ram:LineOne", "ram:LineTwo", "ram:LineThree", NULL,
};
/* clang-format on */

static void cii_party(struct rd *r, xmlNode *agr, const char *tag, const char *who)
{
	xmlNode *party = ei_find(r, agr, tag), **v, *q;
	char name[32], *s, *country, *scheme;
	size_t n, i;

	if (!party)
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	ei_emit_text(r, name, party, "ram:Name");
	snprintf(name, sizeof(name), "%s_tax_id", who);
	country = ei_text_at(r, party, "ram:PostalTradeAddress/ram:CountryID");
	n = ei_find_all(r, party, "ram:SpecifiedTaxRegistration/ram:ID", &v);
	for (i = 0; i < n; i++) {
		scheme = ei_attr(r, v[i], "schemeID");
		if (scheme && !strcmp(scheme, "VA")) {
			s = ei_text(r, v[i]);
			ei_emit_taxid(r, name, s, country);
			free(s);
			free(scheme);
			break;
		}
		free(scheme);
	}
	/* BT-32: the seller's tax number (schemeID FC) */
	for (i = 0; i < n && !strcmp(who, "seller"); i++) {
		scheme = ei_attr(r, v[i], "schemeID");
		s = scheme && !strcmp(scheme, "FC") ? ei_text(r, v[i]) : NULL;
		free(scheme);
		if (s) {
			ei_emit(r, "seller_tax_registration", s, NULL);
			free(s);
			break;
		}
	}
	free(v);
	/* BT-29/BT-46: ram:ID (no scheme), else the first ram:GlobalID */
	snprintf(name, sizeof(name), "%s_identifier", who);
	if ((q = ei_find(r, party, "ram:ID")))
		ei_emit_id(r, name, q);
	else
		ei_emit_id(r, name, ei_find(r, party, "ram:GlobalID"));
	snprintf(name, sizeof(name), "%s_legal_id", who);
	ei_emit_id(r, name, ei_find(r, party, "ram:SpecifiedLegalOrganization/ram:ID"));
	snprintf(name, sizeof(name), "%s_country", who);
	ei_emit_country(r, name, country);
	free(country);
	snprintf(name, sizeof(name), "%s_address", who);
	ei_emit_address(r, name, ei_find(r, party, "ram:PostalTradeAddress"), cii_streets,
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

/* The type, number, dates and currency of the document and its two
 * parties; returns the currency (the VAT total is the one in it). */
static char *cii_header(struct rd *r, xmlNode *doc, xmlNode *agr, xmlNode *dlv, xmlNode *set)
{
	char *code, *cur;

	code = ei_text_at(r, doc, "ram:TypeCode");
	ei_emit(r, "doc_type", ei_untdid_doc_type(code), code);
	free(code);
	ei_emit_text(r, "invoice_number", doc, "ram:ID");
	ei_emit_cii_date(r, "issue_date", doc, "ram:IssueDateTime/udt:DateTimeString");
	ei_emit_cii_date(r, "supply_date", dlv,
			 "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
			 "udt:DateTimeString");
	ei_emit_cii_date(r, "due_date", set,
			 "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString");
	cur = ei_text_at(r, set, "ram:InvoiceCurrencyCode");
	ei_emit(r, "currency", cur, NULL);
	cii_party(r, agr, "ram:SellerTradeParty", "seller");
	cii_party(r, agr, "ram:BuyerTradeParty", "buyer");
	return cur;
}

/* The document totals of the monetary summation `sum`; the VAT total is
 * the one in `cur`. */
static void cii_totals(struct rd *r, xmlNode *sum, const char *cur)
{
	xmlNode **v, *q;
	size_t n;

	ei_emit_amount(r, "net_total", sum, "ram:TaxBasisTotalAmount");
	n = ei_find_all(r, sum, "ram:TaxTotalAmount", &v);
	if ((q = ei_in_currency(r, v, n, cur)))
		ei_emit_amount_node(r, "vat_total", q);
	free(v);
	ei_emit_amount(r, "gross_total", sum, "ram:GrandTotalAmount");
	ei_emit_amount(r, "amount_due", sum, "ram:DuePayableAmount");
}

/* The payee's account, the references, the periods and the payment
 * terms. */
static void cii_references(struct rd *r, const struct cii_names *k, xmlNode *agr, xmlNode *set,
			   xmlNode *sum)
{
	xmlNode **v, *q;
	char *s;
	size_t n;

	n = ei_find_all(r, set,
			"ram:SpecifiedTradeSettlementPaymentMeans/"
			"ram:PayeePartyCreditorFinancialAccount",
			&v);
	ei_emit_account(r, v, n, "ram:IBANID", "ram:ProprietaryID", "ram:AccountName",
			"ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", 1);
	free(v);
	ei_emit_text(r, "order_reference", agr, k->order_id);
	ei_emit_text(r, "buyer_reference", agr, "ram:BuyerReference");
	ei_emit_text(r, "payment_reference", set, "ram:PaymentReference");
	ei_emit_nonzero(r, "prepaid_amount", sum, "ram:TotalPrepaidAmount");
	ei_emit_nonzero(r, "rounding_amount", sum, "ram:RoundingAmount");
	q = ei_find(r, set, "ram:InvoiceReferencedDocument");
	ei_emit_text(r, "preceding_invoice_number", q, "ram:IssuerAssignedID");
	ei_emit_cii_date(r, "preceding_invoice_date", q,
			 "ram:FormattedIssueDateTime/qdt:DateTimeString");
	ei_emit_cii_date(r, "period_start", set,
			 "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString");
	ei_emit_cii_date(r, "period_end", set,
			 "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString");
	ei_emit_cii_date(r, "tax_point_date", set,
			 "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString");
	s = ei_text_at(r, set, "ram:ApplicableTradeTax/ram:DueDateTypeCode");
	ei_emit(r, "vat_due_date_code", due_date_code(s), s);
	free(s);
	ei_emit_text(r, "payment_terms", set, "ram:SpecifiedTradePaymentTerms/ram:Description");
	ei_emit_text(r, "payment_means_code", set,
		     "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode");
}

/* Where the goods went: the ShipToTradeParty of the delivery `dlv`. */
static void cii_delivery(struct rd *r, xmlNode *dlv)
{
	xmlNode *q;
	char *s;

	q = ei_find(r, dlv, "ram:ShipToTradeParty");
	ei_emit_text(r, "delivery_name", q, "ram:Name");
	q = ei_find(r, q, "ram:PostalTradeAddress");
	s = ei_text_at(r, q, "ram:CountryID");
	ei_emit_country(r, "delivery_country", s);
	free(s);
	ei_emit_address(r, "delivery_address", q, cii_streets, "ram:PostcodeCode", "ram:CityName",
			"ram:CountrySubDivisionName");
}

/* vat_breakdown: the settlement's ApplicableTradeTax entries. */
static void cii_breakdown(struct rd *r, xmlNode *set, const struct cii_names *k)
{
	char *a, *b, *c, *d, *e, *f;
	struct vat_cat vc;
	struct jobj j;
	xmlNode **v;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, set, "ram:ApplicableTradeTax", &v);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, v[i], k->percent);
		b = ei_text_at(r, v[i], "ram:BasisAmount");
		c = ei_text_at(r, v[i], "ram:CalculatedAmount");
		d = ei_text_at(r, v[i], "ram:CategoryCode");
		e = ei_text_at(r, v[i], "ram:ExemptionReason");
		f = ei_text_at(r, v[i], "ram:ExemptionReasonCode");
		vc.category = d;
		vc.reason = e;
		vc.code = f;
		ei_breakdown_add(&j, a, 1, b, c, &vc);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	free(v);
	ei_jemit(&j, "vat_breakdown");
}

/* charges: the settlement's allowances and charges, then its logistics
 * service charges. */
static void cii_charges(struct rd *r, xmlNode *set, const struct cii_names *k)
{
	char path[256];
	struct charge ch;
	struct jobj j;
	xmlNode **v;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, set, "ram:SpecifiedTradeAllowanceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.indicator = ei_text_at(r, v[i], "ram:ChargeIndicator/udt:Indicator");
		ch.amount = ei_text_at(r, v[i], "ram:ActualAmount");
		ch.base = ei_text_at(r, v[i], "ram:BasisAmount");
		ch.percent = ei_text_at(r, v[i], "ram:CalculationPercent");
		ch.reason = ei_text_at(r, v[i], "ram:Reason");
		ch.code = ei_text_at(r, v[i], "ram:ReasonCode");
		snprintf(path, sizeof(path), "ram:CategoryTradeTax/%s", k->percent);
		ch.rate = ei_text_at(r, v[i], path);
		ch.category = ei_text_at(r, v[i], "ram:CategoryTradeTax/ram:CategoryCode");
		ei_charge_add(&j, &ch, NULL);
		ei_charge_free(&ch);
	}
	free(v);
	/* EXTENDED's freight and the like: charges of the document too,
	 * counted in its ChargeTotalAmount */
	memset(&ch, 0, sizeof(ch));
	n = ei_find_all(r, set, "ram:SpecifiedLogisticsServiceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.amount = ei_text_at(r, v[i], "ram:AppliedAmount");
		ch.reason = ei_text_at(r, v[i], "ram:Description");
		snprintf(path, sizeof(path), "ram:AppliedTradeTax/%s", k->percent);
		ch.rate = ei_text_at(r, v[i], path);
		ch.category = ei_text_at(r, v[i], "ram:AppliedTradeTax/ram:CategoryCode");
		ei_charge_add(&j, &ch, "charge");
		ei_charge_free(&ch);
	}
	free(v);
	ei_jemit(&j, "charges");
}

/* lines: the transaction's IncludedSupplyChainTradeLineItems. */
static void cii_lines(struct rd *r, xmlNode *tr, const struct cii_names *k)
{
	char path[256], *a, *b, *c, *d, *e, *f, *g;
	xmlNode **v, *q;
	struct jobj j;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, tr, "ram:IncludedSupplyChainTradeLineItem", &v);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, v[i], "ram:SpecifiedTradeProduct/ram:Name");
		snprintf(path, sizeof(path), "%s/ram:BilledQuantity", k->l_delivery);
		q = ei_find(r, v[i], path);
		b = ei_text(r, q);
		c = ei_attr(r, q, "unitCode");
		snprintf(path, sizeof(path), "%s/ram:NetPriceProductTradePrice/ram:ChargeAmount",
			 k->l_agreement);
		d = ei_text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/%s/ram:LineTotalAmount", k->l_settlement,
			 k->l_summation);
		e = ei_text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/ram:ApplicableTradeTax/%s", k->l_settlement,
			 k->percent);
		f = ei_text_at(r, v[i], path);
		snprintf(path, sizeof(path), "%s/ram:ApplicableTradeTax/ram:CategoryCode",
			 k->l_settlement);
		g = ei_text_at(r, v[i], path);
		ei_line_add(&j, a, b, c, d, e, f, 0, g);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
	}
	free(v);
	ei_jemit(&j, "lines");
}

void ei_cii(struct rd *r, xmlNode *root, const struct cii_names *k)
{
	xmlNode *doc, *tr, *agr, *dlv, *set, *sum;
	char *cur;

	doc = ei_find(r, root, k->doc);
	tr = ei_find(r, root, k->trans);
	agr = ei_find(r, tr, k->agreement);
	dlv = ei_find(r, tr, k->delivery);
	set = ei_find(r, tr, k->settlement);
	sum = ei_find(r, set, k->summation);

	cur = cii_header(r, doc, agr, dlv, set);
	cii_totals(r, sum, cur);
	cii_references(r, k, agr, set, sum);
	cii_delivery(r, dlv);
	cii_breakdown(r, set, k);
	cii_charges(r, set, k);
	cii_lines(r, tr, k);
	free(cur);
}
