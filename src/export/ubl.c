/*
 * ubl.c - OASIS UBL 2.1 Invoice (380) or CreditNote (381) per EN 16931,
 * one file per invoice; with `customization = peppol` Peppol BIS Billing
 * 3.0 (CustomizationID and ProfileID, endpoint IDs, a buyer or order
 * reference).
 *
 * The EN 16931 rules are checked by en16931.c before anything is written;
 * an invoice that breaks one is refused with the rule IDs. Elements follow
 * the sequence of the UBL 2.1 XSD (the CreditNote's differs: no DueDate,
 * which goes to PaymentMeans/PaymentDueDate, and AllowanceCharge after the
 * exchange rates, and TaxPointDate before the type code). Amounts,
 * quantities and allowances keep the record's signs, in a credit note too.
 *
 * When the record's lines are missing or do not add up to the VAT
 * breakdown, one line per VAT rate is written instead, named "Total at
 * 23 % VAT as on the original invoice", whose net is that rate's net
 * (less its document-level charges, plus its allowances). A unit that is
 * not a UN/ECE rec 20 code is written as C62 ("one").
 *
 * Payment means: the record's UNTDID 4461 code as it is, else 30 when the
 * payee's account is known, else 1 "instrument not defined" when only a
 * payment reference or a credit note's due date has to be written. The
 * account (BT-84) is the IBAN, else the record's other account (a Swedish
 * bankgiro), with its name (BT-85) and BIC (BT-86).
 *
 * Peppol needs electronic addresses with a scheme (EAS) code: only the
 * Polish NIP (9945, as in the Ministry of Finance's PEF sample) is mapped;
 * other parties are refused (PEPPOL-EN16931-R010/R020) rather than given
 * a scheme that could not be checked.
 */
#include "en16931.h"
#include "export_private.h"

#include <string.h>

#define NS_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CN "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

#define CUST_EN16931 "urn:cen.eu:en16931:2017"
#define CUST_PEPPOL "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#define PROFILE_PEPPOL "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

/* clang-format off */
static const char *const keys[] = {
	"customization\ten16931: EN 16931 (urn:cen.eu:en16931:2017); peppol: Peppol BIS "
	"Billing 3.0, which also needs a buyer or order reference and electronic addresses "
	"(en16931)",
	NULL,
};
/* clang-format on */

static int want_peppol(const struct folio_export *x, struct folio_err *err)
{
	const char *c = folio_export_opt(x, "customization", "en16931");

	if (!strcmp(c, "en16931"))
		return 0;
	if (!strcmp(c, "peppol"))
		return 1;
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			     "%s%s%s: customization '%s' is not en16931 or peppol",
			     x->profile ? "profile '" : "", x->profile ? x->profile : "",
			     x->profile ? "'" : "settings", c);
}

static int ubl_begin(struct folio_export *x, struct folio_strbuf *out, struct folio_err *err)
{
	(void)out;
	return want_peppol(x, err) < 0 ? FOLIO_FAILED : FOLIO_OK;
}

/* <cbc:TAG currencyID="EUR">12.50</cbc:TAG> */
static void money(struct folio_xw *sb, const char *tag, long long cents, const char *cur)
{
	char buf[32];

	folio_xw_addf(sb, "<cbc:%s currencyID=\"", tag);
	folio_xw_esc(sb, cur);
	folio_xw_addf(sb, "\">%s</cbc:%s>", folio_en16931_amount(cents, buf), tag);
}

static void tax_category(struct folio_xw *sb, const char *tag, const struct folio_en_vat *v,
			 int with_reason)
{
	folio_xw_addf(sb, "<cac:%s><cbc:ID>%s</cbc:ID>", tag, v->cat);
	if (v->rate[0])
		folio_xw_addf(sb, "<cbc:Percent>%s</cbc:Percent>", v->rate);
	if (with_reason && folio_en16931_exempt(v)) {
		folio_xw_elem(sb, "cbc:TaxExemptionReasonCode", v->code);
		folio_xw_elem(sb, "cbc:TaxExemptionReason", v->reason);
	}
	folio_xw_addf(sb, "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:%s>\n", tag);
}

static void party(struct folio_xw *sb, const char *tag, const struct folio_inv_party *p,
		  const char *vat, const struct folio_en_id *id, const struct folio_en_id *legal,
		  const char *taxreg, const char *eas, const char *endpoint)
{
	folio_xw_addf(sb, "<cac:%s>\n<cac:Party>\n", tag);
	if (eas) {
		folio_xw_addf(sb, "<cbc:EndpointID schemeID=\"%s\">", eas);
		folio_xw_esc(sb, endpoint);
		folio_xw_adds(sb, "</cbc:EndpointID>\n");
	}
	if (id->id) {
		folio_xw_adds(sb, "<cac:PartyIdentification>");
		folio_xw_id(sb, "cbc", "ID", id);
		folio_xw_adds(sb, "</cac:PartyIdentification>\n");
	}
	folio_xw_adds(sb, "<cac:PartyName>");
	folio_xw_elem(sb, "cbc:Name", p->name);
	folio_xw_adds(sb, "</cac:PartyName>\n<cac:PostalAddress>");
	folio_xw_elem(sb, "cbc:StreetName", p->address);
	folio_xw_adds(sb, "<cac:Country>");
	folio_xw_elem(sb, "cbc:IdentificationCode", p->country);
	folio_xw_adds(sb, "</cac:Country></cac:PostalAddress>\n");
	if (vat) {
		folio_xw_adds(sb, "<cac:PartyTaxScheme>");
		folio_xw_elem(sb, "cbc:CompanyID", vat);
		folio_xw_adds(sb, "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
				  "</cac:PartyTaxScheme>\n");
	}
	if (taxreg) {
		/* BT-32: a tax scheme other than VAT */
		folio_xw_adds(sb, "<cac:PartyTaxScheme>");
		folio_xw_elem(sb, "cbc:CompanyID", taxreg);
		folio_xw_adds(sb, "<cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme>"
				  "</cac:PartyTaxScheme>\n");
	}
	folio_xw_adds(sb, "<cac:PartyLegalEntity>");
	folio_xw_elem(sb, "cbc:RegistrationName", p->name);
	if (legal->id)
		folio_xw_id(sb, "cbc", "CompanyID", legal);
	folio_xw_addf(sb, "</cac:PartyLegalEntity>\n</cac:Party>\n</cac:%s>\n", tag);
}

static void allowance_charges(struct folio_xw *sb, const struct folio_en16931 *e)
{
	const char *cur = e->inv->currency;
	size_t i;

	for (i = 0; i < e->ncharges; i++) {
		const struct folio_en_charge *c = &e->charges[i];

		folio_xw_addf(sb,
			      "<cac:AllowanceCharge><cbc:ChargeIndicator>%s"
			      "</cbc:ChargeIndicator>",
			      c->charge ? "true" : "false");
		folio_xw_elem(sb, "cbc:AllowanceChargeReasonCode", c->code);
		folio_xw_elem(sb, "cbc:AllowanceChargeReason", c->reason);
		folio_xw_elem(sb, "cbc:MultiplierFactorNumeric", c->percent);
		money(sb, "Amount", c->amount, cur);
		if (c->has_base)
			money(sb, "BaseAmount", c->base, cur);
		tax_category(sb, "TaxCategory", &e->vats[c->vat], 0);
		folio_xw_adds(sb, "</cac:AllowanceCharge>\n");
	}
}

/* The root element and what precedes the parties: IDs, dates, type code, currency. */
static void head(struct folio_xw *sb, const struct folio_en16931 *e, const char *root)
{
	const struct folio_invoice *inv = e->inv;

	folio_xw_addf(sb,
		      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"%s\" "
		      "xmlns:cac=\"" NS_CAC "\" xmlns:cbc=\"" NS_CBC "\">\n",
		      root, e->credit ? NS_CN : NS_INV);
	folio_xw_elem(sb, "cbc:CustomizationID", e->peppol ? CUST_PEPPOL : CUST_EN16931);
	if (e->peppol)
		folio_xw_elem(sb, "cbc:ProfileID", PROFILE_PEPPOL);
	folio_xw_adds(sb, "\n");
	folio_xw_elem(sb, "cbc:ID", inv->number);
	folio_xw_elem(sb, "cbc:IssueDate", inv->issue_date);
	if (!e->credit) {
		folio_xw_elem(sb, "cbc:DueDate", inv->due_date);
		folio_xw_adds(sb, "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>");
		folio_xw_lines(sb, "cbc:Note", NULL, inv->note);
		folio_xw_elem(sb, "cbc:TaxPointDate", inv->tax_point_date);
	} else {
		folio_xw_elem(sb, "cbc:TaxPointDate", inv->tax_point_date);
		folio_xw_adds(sb, "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>");
		folio_xw_lines(sb, "cbc:Note", NULL, inv->note);
	}
	folio_xw_elem(sb, "cbc:DocumentCurrencyCode", inv->currency);
	folio_xw_elem(sb, "cbc:BuyerReference", inv->buyer_reference);
	folio_xw_adds(sb, "\n");
}

/* The invoice period, the order and the preceding invoice, those the record has. */
static void references(struct folio_xw *sb, const struct folio_en16931 *e)
{
	const struct folio_invoice *inv = e->inv;

	if (inv->period_start || inv->period_end || e->due_code) {
		folio_xw_adds(sb, "<cac:InvoicePeriod>");
		folio_xw_elem(sb, "cbc:StartDate", inv->period_start);
		folio_xw_elem(sb, "cbc:EndDate", inv->period_end);
		folio_xw_elem(sb, "cbc:DescriptionCode", e->due_code);
		folio_xw_adds(sb, "</cac:InvoicePeriod>\n");
	}
	if (inv->order_reference) {
		folio_xw_adds(sb, "<cac:OrderReference>");
		folio_xw_elem(sb, "cbc:ID", inv->order_reference);
		folio_xw_adds(sb, "</cac:OrderReference>\n");
	}
	if (inv->preceding_invoice_number) {
		folio_xw_adds(sb, "<cac:BillingReference><cac:InvoiceDocumentReference>");
		folio_xw_elem(sb, "cbc:ID", inv->preceding_invoice_number);
		folio_xw_elem(sb, "cbc:IssueDate", inv->preceding_invoice_date);
		folio_xw_adds(sb, "</cac:InvoiceDocumentReference></cac:BillingReference>\n");
	}
}

/* Delivery: its date, and the place and recipient when known. */
static void delivery(struct folio_xw *sb, const struct folio_invoice *inv)
{
	folio_xw_adds(sb, "<cac:Delivery>");
	folio_xw_elem(sb, "cbc:ActualDeliveryDate", inv->supply_date);
	if (inv->delivery_country) {
		folio_xw_adds(sb, "<cac:DeliveryLocation><cac:Address>");
		folio_xw_elem(sb, "cbc:StreetName", inv->delivery_address);
		folio_xw_adds(sb, "<cac:Country>");
		folio_xw_elem(sb, "cbc:IdentificationCode", inv->delivery_country);
		folio_xw_adds(sb, "</cac:Country></cac:Address></cac:DeliveryLocation>");
	}
	if (inv->delivery_name) {
		folio_xw_adds(sb, "<cac:DeliveryParty><cac:PartyName>");
		folio_xw_elem(sb, "cbc:Name", inv->delivery_name);
		folio_xw_adds(sb, "</cac:PartyName></cac:DeliveryParty>");
	}
	folio_xw_adds(sb, "</cac:Delivery>\n");
}

/* PaymentMeans when there is something to say about paying, then PaymentTerms. */
static void payment(struct folio_xw *sb, const struct folio_en16931 *e)
{
	const struct folio_invoice *inv = e->inv;
	int pay = e->means || inv->payment_reference || (e->credit && inv->due_date);

	if (pay) {
		/*
		 * The record's code as it is (en16931.c: else 30 with an
		 * account). With neither a code nor an account, a payment
		 * reference or a credit note's due date still needs a
		 * PaymentMeans, whose code is mandatory (BR-49): 1
		 * "instrument not defined" (UNTDID 4461), the one code that
		 * claims nothing the record does not say.
		 */
		folio_xw_addf(sb, "<cac:PaymentMeans><cbc:PaymentMeansCode>");
		folio_xw_esc(sb, e->means ? e->means : "1");
		folio_xw_adds(sb, "</cbc:PaymentMeansCode>");
		if (e->credit)
			folio_xw_elem(sb, "cbc:PaymentDueDate", inv->due_date);
		folio_xw_elem(sb, "cbc:PaymentID", inv->payment_reference);
		if (e->account) {
			folio_xw_adds(sb, "<cac:PayeeFinancialAccount>");
			folio_xw_elem(sb, "cbc:ID", e->account);
			folio_xw_elem(sb, "cbc:Name", inv->payment_account_name);
			if (inv->payment_bic) {
				folio_xw_adds(sb, "<cac:FinancialInstitutionBranch>");
				folio_xw_elem(sb, "cbc:ID", inv->payment_bic);
				folio_xw_adds(sb, "</cac:FinancialInstitutionBranch>");
			}
			folio_xw_adds(sb, "</cac:PayeeFinancialAccount>");
		}
		folio_xw_adds(sb, "</cac:PaymentMeans>\n");
	}
	if (inv->payment_terms) {
		folio_xw_adds(sb, "<cac:PaymentTerms>");
		folio_xw_elem(sb, "cbc:Note", inv->payment_terms);
		folio_xw_adds(sb, "</cac:PaymentTerms>\n");
	}
}

/* The VAT total with a subtotal per rate, then the document's monetary totals. */
static void totals(struct folio_xw *sb, const struct folio_en16931 *e)
{
	const char *cur = e->inv->currency;
	size_t i;

	folio_xw_adds(sb, "<cac:TaxTotal>");
	money(sb, "TaxAmount", e->vat, cur);
	folio_xw_adds(sb, "\n");
	for (i = 0; i < e->nvats; i++) {
		folio_xw_adds(sb, "<cac:TaxSubtotal>");
		money(sb, "TaxableAmount", e->vats[i].net, cur);
		money(sb, "TaxAmount", e->vats[i].vat, cur);
		tax_category(sb, "TaxCategory", &e->vats[i], 1);
		folio_xw_adds(sb, "</cac:TaxSubtotal>\n");
	}
	folio_xw_adds(sb, "</cac:TaxTotal>\n<cac:LegalMonetaryTotal>");
	money(sb, "LineExtensionAmount", e->line_total, cur);
	money(sb, "TaxExclusiveAmount", e->net, cur);
	money(sb, "TaxInclusiveAmount", e->gross, cur);
	if (e->nallowances)
		money(sb, "AllowanceTotalAmount", e->allowance_total, cur);
	if (e->ncharges > e->nallowances)
		money(sb, "ChargeTotalAmount", e->charge_total, cur);
	if (e->has_prepaid && e->prepaid)
		money(sb, "PrepaidAmount", e->prepaid, cur);
	if (e->has_rounding && e->rounding)
		money(sb, "PayableRoundingAmount", e->rounding, cur);
	money(sb, "PayableAmount", e->payable, cur);
	folio_xw_adds(sb, "</cac:LegalMonetaryTotal>\n");
}

/* One InvoiceLine (CreditNoteLine) per line the check kept or made. */
static void invoice_lines(struct folio_xw *sb, const struct folio_en16931 *e, const char *root)
{
	const char *cur = e->inv->currency;
	size_t i;

	for (i = 0; i < e->nlines; i++) {
		const struct folio_en_line *l = &e->lines[i];

		folio_xw_addf(sb, "<cac:%sLine><cbc:ID>%zu</cbc:ID><cbc:%sQuantity unitCode=\"",
			      root, i + 1, e->credit ? "Credited" : "Invoiced");
		folio_xw_esc(sb, l->unit);
		folio_xw_addf(sb, "\">%s</cbc:%sQuantity>", l->qty,
			      e->credit ? "Credited" : "Invoiced");
		money(sb, "LineExtensionAmount", l->net, cur);
		folio_xw_adds(sb, "<cac:Item>");
		folio_xw_elem(sb, "cbc:Name", l->name);
		tax_category(sb, "ClassifiedTaxCategory", &e->vats[l->vat], 0);
		folio_xw_adds(sb, "</cac:Item><cac:Price><cbc:PriceAmount currencyID=\"");
		folio_xw_esc(sb, cur);
		folio_xw_addf(sb, "\">%s</cbc:PriceAmount></cac:Price></cac:%sLine>\n", l->price,
			      root);
	}
}

static void write_ubl(struct folio_xw *sb, const struct folio_en16931 *e)
{
	const struct folio_invoice *inv = e->inv;
	const char *root = e->credit ? "CreditNote" : "Invoice";

	head(sb, e, root);
	references(sb, e);
	party(sb, "AccountingSupplierParty", &inv->seller, e->seller_vat, &e->seller_id,
	      &e->seller_legal, e->seller_taxreg, e->seller_eas, e->seller_endpoint);
	party(sb, "AccountingCustomerParty", &inv->buyer, e->buyer_vat, &e->buyer_id,
	      &e->buyer_legal, NULL, e->buyer_eas, e->buyer_endpoint);
	if (e->delivery)
		delivery(sb, inv);
	payment(sb, e);
	allowance_charges(sb, e);
	totals(sb, e);
	invoice_lines(sb, e, root);
	folio_xw_addf(sb, "</%s>\n", root);
}

static int ubl_write(struct folio_export *x, const struct folio_invoice *inv,
		     struct folio_strbuf *out, struct folio_err *err)
{
	struct folio_xw w = { FOLIO_STRBUF_INIT, 0 };
	struct folio_en16931 e;
	int peppol, r;

	if ((peppol = want_peppol(x, err)) < 0)
		return FOLIO_FAILED;
	if ((r = folio_en16931_build(&e, inv, peppol, err)) != FOLIO_OK)
		return r;
	write_ubl(&w, &e);
	folio_en16931_release(&e);
	if (w.bad || !w.sb.buf || folio_strbuf_add(out, w.sb.buf, w.sb.len)) {
		folio_strbuf_release(&w.sb);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	folio_strbuf_release(&w.sb);
	return FOLIO_OK;
}

/* clang-format off */
const struct folio_export_module folio_export_ubl = {
	.name = "ubl",
	.ext = "xml",
	.summary = "UBL 2.1 Invoice or CreditNote per EN 16931 (or Peppol BIS 3.0), "
		   "a file per invoice",
	.file_per_invoice = 1,
	.keys = keys,
	.begin = ubl_begin,
	.write = ubl_write,
};
/* clang-format on */
