/*
 * cii.c - UN/CEFACT Cross Industry Invoice D16B as Factur-X / ZUGFeRD's
 * EN 16931 profile (guideline urn:cen.eu:en16931:2017), one file per
 * invoice: TypeCode 380 for an invoice, 381 for a credit note, dates in
 * format 102 (YYYYMMDD).
 *
 * The same model as the UBL writer (en16931.c): the EN 16931 rules are
 * checked before anything is written and an invoice that breaks one is
 * refused with the rule IDs; amounts, quantities and allowances keep the
 * record's signs, in a credit note too; when the record's lines are missing or do not add up to the
 * VAT breakdown, one line per VAT rate is written, named "Total at 23 %
 * VAT as on the original invoice", whose net is that rate's net (less its
 * document-level charges, plus its allowances). Elements follow the
 * sequence of the D16B XSD. A party identifier with a scheme is a
 * GlobalID, without one an ID; the seller's tax registration (BT-32) is
 * a tax registration of scheme FC; the VAT point date code (BT-8) is
 * written as UNTDID 2475 (5, 29, 72) and, like the VAT point date, in
 * the first ApplicableTradeTax only (CII-SR-461, CII-SR-462). The payee's
 * account is an IBANID when it is the IBAN, else a ProprietaryID (a
 * Swedish bankgiro), with its AccountName and the BICID beside it.
 */
#include "en16931.h"
#include "export_private.h"

#include <string.h>

#define NS_RSM "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
#define NS_RAM "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#define NS_UDT "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
#define NS_QDT "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

#define GUIDELINE "urn:cen.eu:en16931:2017"

static const char *const keys[] = { NULL };

/* "YYYY-MM-DD" as YYYYMMDD (format 102) */
static void date_digits(struct folio_xw *w, const char *iso)
{
	char d[9];

	memcpy(d, iso, 4);
	memcpy(d + 4, iso + 5, 2);
	memcpy(d + 6, iso + 8, 2);
	d[8] = '\0';
	folio_xw_esc(w, d);
}

/* <udt:DateTimeString format="102">YYYYMMDD</udt:DateTimeString> in `tag` */
static void date(struct folio_xw *w, const char *tag, const char *iso)
{
	if (!iso || strlen(iso) != 10)
		return;
	folio_xw_addf(w, "<ram:%s><udt:DateTimeString format=\"102\">", tag);
	date_digits(w, iso);
	folio_xw_addf(w, "</udt:DateTimeString></ram:%s>", tag);
}

static void money(struct folio_xw *w, const char *tag, long long cents)
{
	char buf[32];

	folio_xw_addf(w, "<ram:%s>%s</ram:%s>", tag, folio_en16931_amount(cents, buf), tag);
}

/* ApplicableTradeTax / CategoryTradeTax without amounts */
static void tax(struct folio_xw *w, const char *tag, const struct folio_en_vat *v)
{
	folio_xw_addf(w,
		      "<ram:%s><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>%s"
		      "</ram:CategoryCode>",
		      tag, v->cat);
	if (v->rate[0])
		folio_xw_addf(w, "<ram:RateApplicablePercent>%s</ram:RateApplicablePercent>",
			      v->rate);
	folio_xw_addf(w, "</ram:%s>", tag);
}

static void party(struct folio_xw *w, const char *tag, const struct folio_inv_party *p,
		  const char *vat, const struct folio_en_id *id, const struct folio_en_id *legal,
		  const char *taxreg)
{
	folio_xw_addf(w, "<ram:%s>", tag);
	if (id->id)
		folio_xw_id(w, "ram", id->scheme ? "GlobalID" : "ID", id);
	folio_xw_elem(w, "ram:Name", p->name);
	if (legal->id) {
		folio_xw_adds(w, "<ram:SpecifiedLegalOrganization>");
		folio_xw_id(w, "ram", "ID", legal);
		folio_xw_adds(w, "</ram:SpecifiedLegalOrganization>");
	}
	folio_xw_adds(w, "<ram:PostalTradeAddress>");
	folio_xw_elem(w, "ram:LineOne", p->address);
	folio_xw_elem(w, "ram:CountryID", p->country);
	folio_xw_adds(w, "</ram:PostalTradeAddress>");
	if (vat) {
		folio_xw_adds(w, "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">");
		folio_xw_esc(w, vat);
		folio_xw_adds(w, "</ram:ID></ram:SpecifiedTaxRegistration>");
	}
	if (taxreg) {
		folio_xw_adds(w, "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"FC\">");
		folio_xw_esc(w, taxreg);
		folio_xw_adds(w, "</ram:ID></ram:SpecifiedTaxRegistration>");
	}
	folio_xw_addf(w, "</ram:%s>\n", tag);
}

static void line(struct folio_xw *w, const struct folio_en16931 *e, size_t i)
{
	const struct folio_en_line *l = &e->lines[i];

	folio_xw_addf(w,
		      "<ram:IncludedSupplyChainTradeLineItem>"
		      "<ram:AssociatedDocumentLineDocument><ram:LineID>%zu</ram:LineID>"
		      "</ram:AssociatedDocumentLineDocument>",
		      i + 1);
	folio_xw_adds(w, "<ram:SpecifiedTradeProduct>");
	folio_xw_elem(w, "ram:Name", l->name);
	folio_xw_addf(w,
		      "</ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement>"
		      "<ram:NetPriceProductTradePrice><ram:ChargeAmount>%s</ram:ChargeAmount>"
		      "</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>",
		      l->price);
	folio_xw_adds(w, "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"");
	folio_xw_esc(w, l->unit);
	folio_xw_addf(w, "\">%s</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>", l->qty);
	folio_xw_adds(w, "<ram:SpecifiedLineTradeSettlement>");
	tax(w, "ApplicableTradeTax", &e->vats[l->vat]);
	folio_xw_adds(w, "<ram:SpecifiedTradeSettlementLineMonetarySummation>");
	money(w, "LineTotalAmount", l->net);
	folio_xw_adds(w, "</ram:SpecifiedTradeSettlementLineMonetarySummation>"
			 "</ram:SpecifiedLineTradeSettlement>"
			 "</ram:IncludedSupplyChainTradeLineItem>\n");
}

static void settlement(struct folio_xw *w, const struct folio_en16931 *e)
{
	const struct folio_invoice *inv = e->inv;
	char buf[32];
	size_t i;

	folio_xw_adds(w, "<ram:ApplicableHeaderTradeSettlement>");
	folio_xw_elem(w, "ram:PaymentReference", inv->payment_reference);
	folio_xw_elem(w, "ram:InvoiceCurrencyCode", inv->currency);
	folio_xw_adds(w, "\n");
	if (e->means) {
		folio_xw_adds(w, "<ram:SpecifiedTradeSettlementPaymentMeans>");
		folio_xw_elem(w, "ram:TypeCode", e->means);
		if (e->account) {
			folio_xw_adds(w, "<ram:PayeePartyCreditorFinancialAccount>");
			if (e->account_iban)
				folio_xw_elem(w, "ram:IBANID", e->account);
			folio_xw_elem(w, "ram:AccountName", inv->payment_account_name);
			if (!e->account_iban)
				folio_xw_elem(w, "ram:ProprietaryID", e->account);
			folio_xw_adds(w, "</ram:PayeePartyCreditorFinancialAccount>");
			if (inv->payment_bic) {
				folio_xw_adds(w,
					      "<ram:PayeeSpecifiedCreditorFinancialInstitution>");
				folio_xw_elem(w, "ram:BICID", inv->payment_bic);
				folio_xw_adds(w, "</ram:PayeeSpecifiedCreditor"
						 "FinancialInstitution>");
			}
		}
		folio_xw_adds(w, "</ram:SpecifiedTradeSettlementPaymentMeans>\n");
	}
	for (i = 0; i < e->nvats; i++) {
		const struct folio_en_vat *v = &e->vats[i];

		folio_xw_adds(w, "<ram:ApplicableTradeTax>");
		money(w, "CalculatedAmount", v->vat);
		folio_xw_adds(w, "<ram:TypeCode>VAT</ram:TypeCode>");
		if (folio_en16931_exempt(v))
			folio_xw_elem(w, "ram:ExemptionReason", v->reason);
		money(w, "BasisAmount", v->net);
		folio_xw_addf(w, "<ram:CategoryCode>%s</ram:CategoryCode>", v->cat);
		if (folio_en16931_exempt(v))
			folio_xw_elem(w, "ram:ExemptionReasonCode", v->code);
		/* once per invoice (CII-SR-461, CII-SR-462): in the first row */
		if (i == 0 && inv->tax_point_date && strlen(inv->tax_point_date) == 10) {
			folio_xw_adds(w, "<ram:TaxPointDate><udt:DateString format=\"102\">");
			date_digits(w, inv->tax_point_date);
			folio_xw_adds(w, "</udt:DateString></ram:TaxPointDate>");
		}
		if (i == 0)
			folio_xw_elem(w, "ram:DueDateTypeCode", e->due_code_cii);
		if (v->rate[0])
			folio_xw_addf(w,
				      "<ram:RateApplicablePercent>%s"
				      "</ram:RateApplicablePercent>",
				      v->rate);
		folio_xw_adds(w, "</ram:ApplicableTradeTax>\n");
	}
	if (inv->period_start || inv->period_end) {
		folio_xw_adds(w, "<ram:BillingSpecifiedPeriod>");
		date(w, "StartDateTime", inv->period_start);
		date(w, "EndDateTime", inv->period_end);
		folio_xw_adds(w, "</ram:BillingSpecifiedPeriod>\n");
	}
	for (i = 0; i < e->ncharges; i++) {
		const struct folio_en_charge *c = &e->charges[i];

		folio_xw_addf(w,
			      "<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator>"
			      "<udt:Indicator>%s</udt:Indicator></ram:ChargeIndicator>",
			      c->charge ? "true" : "false");
		folio_xw_elem(w, "ram:CalculationPercent", c->percent);
		if (c->has_base)
			money(w, "BasisAmount", c->base);
		money(w, "ActualAmount", c->amount);
		folio_xw_elem(w, "ram:ReasonCode", c->code);
		folio_xw_elem(w, "ram:Reason", c->reason);
		tax(w, "CategoryTradeTax", &e->vats[c->vat]);
		folio_xw_adds(w, "</ram:SpecifiedTradeAllowanceCharge>\n");
	}
	if (inv->due_date || inv->payment_terms) {
		folio_xw_adds(w, "<ram:SpecifiedTradePaymentTerms>");
		folio_xw_elem(w, "ram:Description", inv->payment_terms);
		date(w, "DueDateDateTime", inv->due_date);
		folio_xw_adds(w, "</ram:SpecifiedTradePaymentTerms>\n");
	}
	folio_xw_adds(w, "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
	money(w, "LineTotalAmount", e->line_total);
	if (e->ncharges > e->nallowances)
		money(w, "ChargeTotalAmount", e->charge_total);
	if (e->nallowances)
		money(w, "AllowanceTotalAmount", e->allowance_total);
	money(w, "TaxBasisTotalAmount", e->net);
	/* BT-110 may be left out when the record has none and there is no VAT
	 * (BR-CO-15 then wants gross = net), as invoices outside VAT do */
	if (inv->vat_total || e->vat) {
		folio_xw_adds(w, "<ram:TaxTotalAmount currencyID=\"");
		folio_xw_esc(w, inv->currency);
		folio_xw_addf(w, "\">%s</ram:TaxTotalAmount>", folio_en16931_amount(e->vat, buf));
	}
	if (e->has_rounding && e->rounding)
		money(w, "RoundingAmount", e->rounding);
	money(w, "GrandTotalAmount", e->gross);
	if (e->has_prepaid && e->prepaid)
		money(w, "TotalPrepaidAmount", e->prepaid);
	money(w, "DuePayableAmount", e->payable);
	folio_xw_adds(w, "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>\n");
	if (inv->preceding_invoice_number) {
		folio_xw_adds(w, "<ram:InvoiceReferencedDocument>");
		folio_xw_elem(w, "ram:IssuerAssignedID", inv->preceding_invoice_number);
		if (inv->preceding_invoice_date && strlen(inv->preceding_invoice_date) == 10) {
			folio_xw_adds(w, "<ram:FormattedIssueDateTime><qdt:DateTimeString "
					 "format=\"102\">");
			date_digits(w, inv->preceding_invoice_date);
			folio_xw_adds(w, "</qdt:DateTimeString></ram:FormattedIssueDateTime>");
		}
		folio_xw_adds(w, "</ram:InvoiceReferencedDocument>\n");
	}
	folio_xw_adds(w, "</ram:ApplicableHeaderTradeSettlement>\n");
}

static void write_cii(struct folio_xw *w, const struct folio_en16931 *e)
{
	const struct folio_invoice *inv = e->inv;
	size_t i;

	folio_xw_adds(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rsm:CrossIndustryInvoice "
			 "xmlns:rsm=\"" NS_RSM "\" xmlns:qdt=\"" NS_QDT "\" xmlns:ram=\"" NS_RAM
			 "\" xmlns:udt=\"" NS_UDT "\">\n");
	folio_xw_adds(w, "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContext"
			 "Parameter><ram:ID>" GUIDELINE "</ram:ID></ram:GuidelineSpecified"
			 "DocumentContextParameter></rsm:ExchangedDocumentContext>\n");
	folio_xw_adds(w, "<rsm:ExchangedDocument>");
	folio_xw_elem(w, "ram:ID", inv->number);
	folio_xw_addf(w, "<ram:TypeCode>%s</ram:TypeCode>", e->credit ? "381" : "380");
	date(w, "IssueDateTime", inv->issue_date);
	folio_xw_lines(w, "ram:IncludedNote", "ram:Content", inv->note);
	folio_xw_adds(w, "</rsm:ExchangedDocument>\n<rsm:SupplyChainTradeTransaction>\n");
	for (i = 0; i < e->nlines; i++)
		line(w, e, i);
	folio_xw_adds(w, "<ram:ApplicableHeaderTradeAgreement>");
	folio_xw_elem(w, "ram:BuyerReference", inv->buyer_reference);
	folio_xw_adds(w, "\n");
	party(w, "SellerTradeParty", &inv->seller, e->seller_vat, &e->seller_id, &e->seller_legal,
	      e->seller_taxreg);
	party(w, "BuyerTradeParty", &inv->buyer, e->buyer_vat, &e->buyer_id, &e->buyer_legal, NULL);
	if (inv->order_reference) {
		folio_xw_adds(w, "<ram:BuyerOrderReferencedDocument>");
		folio_xw_elem(w, "ram:IssuerAssignedID", inv->order_reference);
		folio_xw_adds(w, "</ram:BuyerOrderReferencedDocument>");
	}
	folio_xw_adds(w, "</ram:ApplicableHeaderTradeAgreement>\n"
			 "<ram:ApplicableHeaderTradeDelivery>");
	if (inv->delivery_name || inv->delivery_country) {
		folio_xw_adds(w, "<ram:ShipToTradeParty>");
		folio_xw_elem(w, "ram:Name", inv->delivery_name);
		if (inv->delivery_country) {
			folio_xw_adds(w, "<ram:PostalTradeAddress>");
			folio_xw_elem(w, "ram:LineOne", inv->delivery_address);
			folio_xw_elem(w, "ram:CountryID", inv->delivery_country);
			folio_xw_adds(w, "</ram:PostalTradeAddress>");
		}
		folio_xw_adds(w, "</ram:ShipToTradeParty>");
	}
	if (inv->supply_date) {
		folio_xw_adds(w, "<ram:ActualDeliverySupplyChainEvent>");
		date(w, "OccurrenceDateTime", inv->supply_date);
		folio_xw_adds(w, "</ram:ActualDeliverySupplyChainEvent>");
	}
	folio_xw_adds(w, "</ram:ApplicableHeaderTradeDelivery>\n");
	settlement(w, e);
	folio_xw_adds(w, "</rsm:SupplyChainTradeTransaction>\n</rsm:CrossIndustryInvoice>\n");
}

static int cii_write(struct folio_export *x, const struct folio_invoice *inv,
		     struct folio_strbuf *out, struct folio_err *err)
{
	struct folio_xw w = { FOLIO_STRBUF_INIT, 0 };
	struct folio_en16931 e;
	int r;

	(void)x;
	if ((r = folio_en16931_build(&e, inv, 0, err)) != FOLIO_OK)
		return r;
	write_cii(&w, &e);
	folio_en16931_release(&e);
	if (w.bad || !w.sb.buf || folio_strbuf_add(out, w.sb.buf, w.sb.len)) {
		folio_strbuf_release(&w.sb);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0, "out of memory");
	}
	folio_strbuf_release(&w.sb);
	return FOLIO_OK;
}

/* clang-format off */
const struct folio_export_module folio_export_cii = {
	.name = "cii",
	.ext = "xml",
	.summary = "UN/CEFACT CII D16B, Factur-X/ZUGFeRD EN 16931 profile, a file per invoice",
	.file_per_invoice = 1,
	.keys = keys,
	.write = cii_write,
};
/* clang-format on */
