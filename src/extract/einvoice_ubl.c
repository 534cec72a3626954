/*
 * einvoice_ubl.c - the UBL 2.1 Invoice and CreditNote reader of folio_einvoice_parse() (see einvoice.c
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
void ei_emit_account(struct rd *r, xmlNode **v, size_t n, const char *id_path, const char *alt_path,
		     const char *name_path, const char *bic_path, int bic_in_means)
{
	xmlNode *pick = NULL;
	char *s, *other = NULL, ib[40];
	size_t i;
	int iban = 0;

	for (i = 0; i < n && !iban; i++) {
		s = ei_text_at(r, v[i], id_path);
		if (s && !ei_norm_iban(s, 0, ib)) {
			ei_emit(r, "iban", ib, s);
			pick = v[i];
			iban = 1;
		} else if (!pick) {
			if (!s && alt_path)
				s = ei_text_at(r, v[i], alt_path);
			if (s) {
				pick = v[i];
				other = s;
				s = NULL;
			}
		}
		free(s);
	}
	if (!iban)
		ei_emit(r, "payment_account", other, NULL);
	free(other);
	if (!pick)
		return;
	ei_emit_text(r, "payment_account_name", pick, name_path);
	ei_emit_text(r, "payment_bic", bic_in_means ? pick->parent : pick, bic_path);
}

/* clang-format off */
static const char *const ubl_streets[] = {
	"cbc:StreetName", "cbc:AdditionalStreetName", "cac:AddressLine/cbc:Line", NULL,
};
/* clang-format on */

static void ubl_party(struct rd *r, xmlNode *root, const char *path, const char *who)
{
	xmlNode *party = ei_find(r, root, path), **v;
	char name[32], *s, *country, *scheme;
	size_t n, i;

	if (!party)
		return;
	snprintf(name, sizeof(name), "%s_name", who);
	s = ei_text_at(r, party, "cac:PartyLegalEntity/cbc:RegistrationName");
	if (!s)
		s = ei_text_at(r, party, "cac:PartyName/cbc:Name");
	ei_emit(r, name, s, NULL);
	free(s);

	snprintf(name, sizeof(name), "%s_tax_id", who);
	country = ei_text_at(r, party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode");
	n = ei_find_all(r, party, "cac:PartyTaxScheme", &v);
	for (i = 0; i < n; i++) {
		scheme = ei_text_at(r, v[i], "cac:TaxScheme/cbc:ID");
		if (scheme && !strcasecmp(scheme, "VAT")) {
			s = ei_text_at(r, v[i], "cbc:CompanyID");
			ei_emit_taxid(r, name, s, country);
			free(s);
			free(scheme);
			break;
		}
		free(scheme);
	}
	/* BT-32: the seller's registration under another tax scheme */
	for (i = 0; i < n && !strcmp(who, "seller"); i++) {
		scheme = ei_text_at(r, v[i], "cac:TaxScheme/cbc:ID");
		s = scheme && strcasecmp(scheme, "VAT") ? ei_text_at(r, v[i], "cbc:CompanyID") :
							  NULL;
		free(scheme);
		if (s) {
			ei_emit(r, "seller_tax_registration", s, NULL);
			free(s);
			break;
		}
	}
	free(v);
	/* BT-29/BT-46: the first identifier; a SEPA creditor identifier is
	 * BT-90, not the seller's */
	n = ei_find_all(r, party, "cac:PartyIdentification/cbc:ID", &v);
	for (i = 0; i < n; i++) {
		scheme = ei_attr(r, v[i], "schemeID");
		if (scheme && !strcasecmp(scheme, "SEPA")) {
			free(scheme);
			continue;
		}
		free(scheme);
		snprintf(name, sizeof(name), "%s_identifier", who);
		ei_emit_id(r, name, v[i]);
		break;
	}
	free(v);
	snprintf(name, sizeof(name), "%s_legal_id", who);
	ei_emit_id(r, name, ei_find(r, party, "cac:PartyLegalEntity/cbc:CompanyID"));
	snprintf(name, sizeof(name), "%s_country", who);
	ei_emit_country(r, name, country);
	free(country);
	snprintf(name, sizeof(name), "%s_address", who);
	ei_emit_address(r, name, ei_find(r, party, "cac:PostalAddress"), ubl_streets,
			"cbc:PostalZone", "cbc:CityName", "cbc:CountrySubentity");
}

/* The type, number, dates and currency of the document and its two
 * parties; returns the currency (the VAT total is the one in it). */
static char *ubl_header(struct rd *r, xmlNode *root, int credit)
{
	char *code, *cur;

	code = ei_text_at(r, root, credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode");
	ei_emit(r, "doc_type", credit ? "credit_note" : ei_untdid_doc_type(code), code);
	free(code);
	ei_emit_text(r, "invoice_number", root, "cbc:ID");
	ei_emit_date(r, "issue_date", root, "cbc:IssueDate");
	ei_emit_date(r, "supply_date", root, "cac:Delivery/cbc:ActualDeliveryDate");
	if (ei_find(r, root, "cbc:DueDate"))
		ei_emit_date(r, "due_date", root, "cbc:DueDate");
	else
		ei_emit_date(r, "due_date", root, "cac:PaymentMeans/cbc:PaymentDueDate");
	cur = ei_text_at(r, root, "cbc:DocumentCurrencyCode");
	ei_emit(r, "currency", cur, NULL);
	ubl_party(r, root, "cac:AccountingSupplierParty/cac:Party", "seller");
	ubl_party(r, root, "cac:AccountingCustomerParty/cac:Party", "buyer");
	return cur;
}

/* The document totals; returns the TaxTotal whose TaxAmount is in `cur`,
 * as its subtotals are the VAT breakdown (NULL without one). */
static xmlNode *ubl_totals(struct rd *r, xmlNode *root, const char *cur)
{
	xmlNode **v, *q, *tax = NULL;
	size_t n;

	ei_emit_amount(r, "net_total", root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount");
	n = ei_find_all(r, root, "cac:TaxTotal/cbc:TaxAmount", &v);
	if ((q = ei_in_currency(r, v, n, cur))) {
		ei_emit_amount_node(r, "vat_total", q);
		tax = q->parent;
	}
	free(v);
	ei_emit_amount(r, "gross_total", root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount");
	ei_emit_amount(r, "amount_due", root, "cac:LegalMonetaryTotal/cbc:PayableAmount");
	return tax;
}

/* The payee's account, the references, the periods, the payment terms
 * and the delivery. */
static void ubl_references(struct rd *r, xmlNode *root)
{
	xmlNode **v, *q;
	char *s;
	size_t n;

	n = ei_find_all(r, root, "cac:PaymentMeans/cac:PayeeFinancialAccount", &v);
	ei_emit_account(r, v, n, "cbc:ID", NULL, "cbc:Name",
			"cac:FinancialInstitutionBranch/cbc:ID", 0);
	free(v);
	ei_emit_text(r, "order_reference", root, "cac:OrderReference/cbc:ID");
	ei_emit_text(r, "buyer_reference", root, "cbc:BuyerReference");
	ei_emit_text(r, "payment_reference", root, "cac:PaymentMeans/cbc:PaymentID");
	ei_emit_nonzero(r, "prepaid_amount", root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount");
	ei_emit_nonzero(r, "rounding_amount", root,
			"cac:LegalMonetaryTotal/cbc:PayableRoundingAmount");
	q = ei_find(r, root, "cac:BillingReference/cac:InvoiceDocumentReference");
	ei_emit_text(r, "preceding_invoice_number", q, "cbc:ID");
	ei_emit_date(r, "preceding_invoice_date", q, "cbc:IssueDate");
	ei_emit_date(r, "period_start", root, "cac:InvoicePeriod/cbc:StartDate");
	ei_emit_date(r, "period_end", root, "cac:InvoicePeriod/cbc:EndDate");
	ei_emit_date(r, "tax_point_date", root, "cbc:TaxPointDate");
	ei_emit_text(r, "vat_due_date_code", root, "cac:InvoicePeriod/cbc:DescriptionCode");
	ei_emit_text(r, "payment_terms", root, "cac:PaymentTerms/cbc:Note");
	ei_emit_text(r, "payment_means_code", root, "cac:PaymentMeans/cbc:PaymentMeansCode");
	ei_emit_text(r, "delivery_name", root,
		     "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name");
	q = ei_find(r, root, "cac:Delivery/cac:DeliveryLocation/cac:Address");
	s = ei_text_at(r, q, "cac:Country/cbc:IdentificationCode");
	ei_emit_country(r, "delivery_country", s);
	free(s);
	ei_emit_address(r, "delivery_address", q, ubl_streets, "cbc:PostalZone", "cbc:CityName",
			"cbc:CountrySubentity");
}

/* vat_breakdown: the TaxSubtotals of `tax` (the TaxTotal ubl_totals()
 * chose; none without it). */
static void ubl_breakdown(struct rd *r, xmlNode *tax)
{
	xmlNode **sub = NULL;
	char *a, *b, *c, *d, *e, *f;
	struct vat_cat vc;
	struct jobj j;
	size_t n, i;

	ei_jinit(&j, r);
	n = tax ? ei_find_all(r, tax, "cac:TaxSubtotal", &sub) : 0;
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, sub[i], "cac:TaxCategory/cbc:Percent");
		b = ei_text_at(r, sub[i], "cbc:TaxableAmount");
		c = ei_text_at(r, sub[i], "cbc:TaxAmount");
		d = ei_text_at(r, sub[i], "cac:TaxCategory/cbc:ID");
		e = ei_text_at(r, sub[i], "cac:TaxCategory/cbc:TaxExemptionReason");
		f = ei_text_at(r, sub[i], "cac:TaxCategory/cbc:TaxExemptionReasonCode");
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
	free(sub);
	ei_jemit(&j, "vat_breakdown");
}

/* charges: the document-level allowances and charges (line ones stay in
 * the lines' net). */
static void ubl_charges(struct rd *r, xmlNode *root)
{
	xmlNode **v;
	struct charge ch;
	struct jobj j;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, root, "cac:AllowanceCharge", &v);
	for (i = 0; i < n; i++) {
		ch.indicator = ei_text_at(r, v[i], "cbc:ChargeIndicator");
		ch.amount = ei_text_at(r, v[i], "cbc:Amount");
		ch.base = ei_text_at(r, v[i], "cbc:BaseAmount");
		ch.percent = ei_text_at(r, v[i], "cbc:MultiplierFactorNumeric");
		ch.reason = ei_text_at(r, v[i], "cbc:AllowanceChargeReason");
		ch.code = ei_text_at(r, v[i], "cbc:AllowanceChargeReasonCode");
		ch.rate = ei_text_at(r, v[i], "cac:TaxCategory/cbc:Percent");
		ch.category = ei_text_at(r, v[i], "cac:TaxCategory/cbc:ID");
		ei_charge_add(&j, &ch, NULL);
		ei_charge_free(&ch);
	}
	free(v);
	ei_jemit(&j, "charges");
}

/* lines: the InvoiceLines, or a credit note's CreditNoteLines. */
static void ubl_lines(struct rd *r, xmlNode *root, int credit)
{
	const char *line_tag = credit ? "cac:CreditNoteLine" : "cac:InvoiceLine";
	const char *qty_tag = credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity";
	xmlNode **v, *q;
	char *a, *b, *c, *d, *e, *f, *g;
	struct jobj j;
	size_t n, i;

	ei_jinit(&j, r);
	n = ei_find_all(r, root, line_tag, &v);
	for (i = 0; i < n; i++) {
		a = ei_text_at(r, v[i], "cac:Item/cbc:Name");
		if (!a)
			a = ei_text_at(r, v[i], "cac:Item/cbc:Description");
		q = ei_find(r, v[i], qty_tag);
		b = ei_text(r, q);
		c = ei_attr(r, q, "unitCode");
		d = ei_text_at(r, v[i], "cac:Price/cbc:PriceAmount");
		e = ei_text_at(r, v[i], "cbc:LineExtensionAmount");
		f = ei_text_at(r, v[i], "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent");
		g = ei_text_at(r, v[i], "cac:Item/cac:ClassifiedTaxCategory/cbc:ID");
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

void ei_ubl(struct rd *r, xmlNode *root, int credit)
{
	xmlNode *tax;
	char *cur;

	cur = ubl_header(r, root, credit);
	tax = ubl_totals(r, root, cur);
	ubl_references(r, root);
	ubl_breakdown(r, tax);
	ubl_charges(r, root);
	ubl_lines(r, root, credit);
	free(cur);
}
