#!/usr/bin/env python3
"""einvoice_truth.py - an independent reader of the e-invoice formats folio
parses (UBL 2.1 Invoice/CreditNote, UN/CEFACT CII, ZUGFeRD 1, FatturaPA 1.2,
KSeF FA(2)/FA(3)), written with the standard library only (xml.etree), so
the bench can check folio's values against a second implementation.

    einvoice_truth.py DIR            one JSON line per XML/PDF under DIR:
                                     {"file": ..., "fields": {...}}
    einvoice_truth.py --compare DIR FOLIO.jsonl
                                     compare with folio's lines (same shape)

Canonical names and normalisation follow src/extract/einvoice.c and
REFERENCE.md section 1: dates YYYY-MM-DD, amounts '.' decimals with at
least two decimals and exact, rates and quantities without trailing zeros,
tax IDs upper case with the country prefix, vat_breakdown and lines as JSON
arrays. Files that are not one of these e-invoices get "fields": null.

PDFs: the embedded factur-x.xml / zugferd-invoice.xml / ZUGFeRD-invoice.xml
/ xrechnung.xml is extracted with `pdfdetach` (Debian package
poppler-utils); without it PDFs are skipped with a note on stderr.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

UBL_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
ZF1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
RAM12 = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
UDT15 = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
QDT12 = "urn:un:unece:uncefact:data:standard:QualifiedDataType:12"
FPA = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
FA2 = "http://crd.gov.pl/wzor/2023/06/29/12648/"
FA3 = "http://crd.gov.pl/wzor/2025/06/25/13775/"

ATTACHMENT_NAMES = {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}
CREDIT_CODES = {"81", "83", "261", "262", "296", "308", "381", "384", "396", "420",
                "458", "532"}
DEC_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


# ---- values --------------------------------------------------------------

def txt(el):
    """An element's own text, white space runs collapsed, or None."""
    if el is None:
        return None
    # only the white space XML itself knows; a no-break space is text
    s = " ".join(x for x in re.split(r"[ \t\n\r]+", el.text or "") if x)
    return s or None


def dec(s):
    if s is None or not DEC_RE.match(s):
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    digits = s.lstrip("+-").replace(".", "").lstrip("0").rstrip("0") if "." in s \
        else s.lstrip("+-").lstrip("0")
    if len(digits) > 18:
        return None
    return d


def fmt(d, minimum):
    if d is None:
        return None
    d = d.normalize() if d != 0 else Decimal(0)
    sign, digits, exp = d.as_tuple()
    scale = max(-exp, 0)
    q = Decimal(1).scaleb(-max(scale, minimum))
    s = format(d.quantize(q), "f")
    if s.startswith("-") and Decimal(s) == 0:
        s = s[1:]
    return s


def amount(s):
    return fmt(dec(s), 2)


def number(s):
    return fmt(dec(s), 0)


def date(s, compact=False):
    if s is None:
        return None
    if compact:
        m = re.match(r"^(\d{4})(\d{2})(\d{2})$", s)
    else:
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T+\-Z ])", s)
    if not m:
        return None
    y, mo, d = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return "%s-%s-%s" % (y, mo, d)


def taxid(raw, country, force=False):
    if raw is None:
        return None
    body = re.sub(r"[ .\-]", "", raw)
    if not body or not body.isascii() or not body.isalnum() or len(body) >= 39:
        return None
    body = body.upper()
    if not force and len(body) >= 2 and body[:2].isalpha():
        return body
    if country and len(country) == 2 and country.isascii() and country.isalpha():
        c = country.upper()
        return ("EL" if c == "GR" else c) + body
    return body


def iban(raw, nrb=False):
    if raw is None:
        return None
    b = raw.replace(" ", "").upper()
    if not b.isascii() or not b.isalnum():
        return None
    if nrb and len(b) == 26 and b.isdigit():
        b = "PL" + b
    if not (15 <= len(b) <= 34 and b[:2].isalpha() and b[2:4].isdigit()):
        return None
    return b


def doc_type(code):
    if code in CREDIT_CODES:
        return "credit_note"
    if code == "325":
        return "proforma"
    return "invoice"


def jarr(items):
    if not items:
        return None
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def line(desc, qty, unit, price, net, rate, rate_word=False, category=None):
    o = {}
    for k, v in (("description", desc), ("quantity", number(qty) if qty else None),
                 ("unit", unit), ("unit_price", amount(price) if price else None),
                 ("net", amount(net) if net else None),
                 ("vat_rate", (rate if rate_word else number(rate)) if rate else None),
                 ("category", category)):
        if v is not None:
            o[k] = v
    return o


def bd(rate, net, vat, rate_is_num=True, category=None, reason=None, code=None):
    r = (number(rate) if rate else "0") if rate_is_num else rate
    o = {"rate": r or "0"}
    n = amount(net)
    if n is not None:
        o["net"] = n
    v = amount(vat) if vat is not None else "0.00"
    if v is not None:
        o["vat"] = v
    for k, x in (("category", category), ("exemption_reason", reason),
                 ("exemption_code", code)):
        if x:
            o[k] = x
    return o


def country(s):
    """ISO 3166-1 alpha-2 upper case, or None."""
    if s and len(s) == 2 and s.isascii() and s.isalpha():
        return s.upper()
    return None


def address(streets, postcode, city, region):
    """Street lines, "postcode city", region, joined with ", "."""
    parts = [x for x in streets if x]
    place = " ".join(x for x in (postcode, city) if x)
    if place:
        parts.append(place)
    if region:
        parts.append(region)
    return ", ".join(parts) or None


def nonzero(s):
    d = dec(s)
    return fmt(d, 2) if d is not None and d != 0 else None


def charge(ind, amt, base, pct, reason, code, rate, cat):
    o = {}
    kind = {"true": "charge", "1": "charge", "false": "allowance", "0": "allowance"}.get(ind)
    for k, v in (("kind", kind), ("amount", amount(amt) if amt else None),
                 ("base", amount(base) if base else None),
                 ("percent", number(pct) if pct else None), ("reason", reason),
                 ("reason_code", code), ("rate", number(rate) if rate else None),
                 ("category", cat)):
        if v is not None:
            o[k] = v
    return o


def ident(el):
    """(text, schemeID) of an identifier element; the scheme only with a text."""
    v = txt(el)
    if v is None:
        return None, None
    sc = el.get("schemeID")
    sc = (sc.strip() or None) if sc is not None else None
    return v, sc


# CII's UNTDID 2475 VAT due date codes as EN 16931's UNTDID 2005 ones
DUE_2475 = {"5": "3", "29": "35", "72": "432"}


class Out(dict):
    def put(self, k, v):
        if v and k not in self:
            self[k] = v

    def put_id(self, k, el):
        v, sc = ident(el)
        if v:
            self.put(k, v)
            self.put(k + "_scheme", sc)


def in_currency(els, cur):
    for e in els:
        c = e.get("currencyID")
        if c is not None:
            c = c.strip() or None
        if cur and (c is None or c == cur):
            return e
    return els[0] if els else None


def payee_account(f, accounts, ns, id_path, alt_path, name_path, bic_path):
    """BT-84..86 from the payee accounts [(account element, element its BIC
    path starts from)] in document order: the first ID shaped like an IBAN
    is "iban"; without one, the first account's ID (else alt_path) as
    written is "payment_account"; that account's name and BIC go with it."""
    pick, other = None, None
    for a, b in accounts:
        s = txt(a.find(id_path, ns))
        v = iban(s)
        if v:
            f.put("iban", v)
            pick = (a, b)
            other = None
            break
        if pick is None:
            if s is None and alt_path:
                s = txt(a.find(alt_path, ns))
            if s:
                pick, other = (a, b), s
    if pick is None:
        return
    f.put("payment_account", other)
    f.put("payment_account_name", txt(pick[0].find(name_path, ns)))
    f.put("payment_bic", txt(pick[1].find(bic_path, ns)))


# ---- UBL -----------------------------------------------------------------

def ubl(root, credit):
    ns = {"cac": CAC, "cbc": CBC}
    f = Out()
    t = lambda el, p: txt(el.find(p, ns)) if el is not None else None
    code = t(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
    f.put("doc_type", "credit_note" if credit else doc_type(code))
    f.put("invoice_number", t(root, "cbc:ID"))
    f.put("issue_date", date(t(root, "cbc:IssueDate")))
    f.put("supply_date", date(t(root, "cac:Delivery/cbc:ActualDeliveryDate")))
    if root.find("cbc:DueDate", ns) is not None:
        f.put("due_date", date(t(root, "cbc:DueDate")))
    else:
        f.put("due_date", date(t(root, "cac:PaymentMeans/cbc:PaymentDueDate")))
    cur = t(root, "cbc:DocumentCurrencyCode")
    f.put("currency", cur)
    for who, path in (("seller", "cac:AccountingSupplierParty/cac:Party"),
                      ("buyer", "cac:AccountingCustomerParty/cac:Party")):
        p = root.find(path, ns)
        if p is None:
            continue
        f.put(who + "_name", t(p, "cac:PartyLegalEntity/cbc:RegistrationName")
              or t(p, "cac:PartyName/cbc:Name"))
        country_ = t(p, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        for ts in p.findall("cac:PartyTaxScheme", ns):
            s = t(ts, "cac:TaxScheme/cbc:ID")
            if s and s.upper() == "VAT":
                f.put(who + "_tax_id", taxid(t(ts, "cbc:CompanyID"), country_))
                break
        if who == "seller":
            for ts in p.findall("cac:PartyTaxScheme", ns):
                s = t(ts, "cac:TaxScheme/cbc:ID")
                if s and s.upper() != "VAT" and t(ts, "cbc:CompanyID"):
                    f.put("seller_tax_registration", t(ts, "cbc:CompanyID"))
                    break
        for i in p.findall("cac:PartyIdentification/cbc:ID", ns):
            if (i.get("schemeID") or "").strip().upper() == "SEPA":
                continue
            f.put_id(who + "_identifier", i)
            break
        f.put_id(who + "_legal_id", p.find("cac:PartyLegalEntity/cbc:CompanyID", ns))
        f.put(who + "_country", country(country_))
        a = p.find("cac:PostalAddress", ns)
        if a is not None:
            f.put(who + "_address", address(
                [t(a, "cbc:StreetName"), t(a, "cbc:AdditionalStreetName")]
                + [txt(x) for x in a.findall("cac:AddressLine/cbc:Line", ns)],
                t(a, "cbc:PostalZone"), t(a, "cbc:CityName"), t(a, "cbc:CountrySubentity")))
    f.put("net_total", amount(t(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")))
    tax = None
    taxes = []
    for tt in root.findall("cac:TaxTotal", ns):
        for ta in tt.findall("cbc:TaxAmount", ns):
            taxes.append((ta, tt))
    chosen = in_currency([a for a, _ in taxes], cur)
    if chosen is not None:
        f.put("vat_total", amount(txt(chosen)))
        tax = dict((id(a), tt) for a, tt in taxes)[id(chosen)]
    f.put("gross_total", amount(t(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")))
    f.put("amount_due", amount(t(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")))
    payee_account(f, [(a, a) for a in root.findall("cac:PaymentMeans/cac:PayeeFinancialAccount",
                                                   ns)],
                  ns, "cbc:ID", None, "cbc:Name", "cac:FinancialInstitutionBranch/cbc:ID")
    f.put("order_reference", t(root, "cac:OrderReference/cbc:ID"))
    f.put("buyer_reference", t(root, "cbc:BuyerReference"))
    f.put("payment_reference", t(root, "cac:PaymentMeans/cbc:PaymentID"))
    f.put("prepaid_amount", nonzero(t(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount")))
    f.put("rounding_amount", nonzero(t(root, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount")))
    br = root.find("cac:BillingReference/cac:InvoiceDocumentReference", ns)
    if br is not None:
        f.put("preceding_invoice_number", t(br, "cbc:ID"))
        f.put("preceding_invoice_date", date(t(br, "cbc:IssueDate")))
    f.put("period_start", date(t(root, "cac:InvoicePeriod/cbc:StartDate")))
    f.put("period_end", date(t(root, "cac:InvoicePeriod/cbc:EndDate")))
    f.put("tax_point_date", date(t(root, "cbc:TaxPointDate")))
    f.put("vat_due_date_code", t(root, "cac:InvoicePeriod/cbc:DescriptionCode"))
    f.put("payment_terms", t(root, "cac:PaymentTerms/cbc:Note"))
    f.put("payment_means_code", t(root, "cac:PaymentMeans/cbc:PaymentMeansCode"))
    f.put("delivery_name", t(root, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name"))
    a = root.find("cac:Delivery/cac:DeliveryLocation/cac:Address", ns)
    if a is not None:
        f.put("delivery_country", country(t(a, "cac:Country/cbc:IdentificationCode")))
        f.put("delivery_address", address(
            [t(a, "cbc:StreetName"), t(a, "cbc:AdditionalStreetName")]
            + [txt(x) for x in a.findall("cac:AddressLine/cbc:Line", ns)],
            t(a, "cbc:PostalZone"), t(a, "cbc:CityName"), t(a, "cbc:CountrySubentity")))
    if tax is not None:
        f.put("vat_breakdown", jarr([bd(t(s, "cac:TaxCategory/cbc:Percent"),
                                        t(s, "cbc:TaxableAmount"), t(s, "cbc:TaxAmount"),
                                        category=t(s, "cac:TaxCategory/cbc:ID"),
                                        reason=t(s, "cac:TaxCategory/cbc:TaxExemptionReason"),
                                        code=t(s, "cac:TaxCategory/cbc:TaxExemptionReasonCode"))
                                     for s in tax.findall("cac:TaxSubtotal", ns)]))
    f.put("charges", jarr([charge(t(a, "cbc:ChargeIndicator"), t(a, "cbc:Amount"),
                                  t(a, "cbc:BaseAmount"), t(a, "cbc:MultiplierFactorNumeric"),
                                  t(a, "cbc:AllowanceChargeReason"),
                                  t(a, "cbc:AllowanceChargeReasonCode"),
                                  t(a, "cac:TaxCategory/cbc:Percent"),
                                  t(a, "cac:TaxCategory/cbc:ID"))
                           for a in root.findall("cac:AllowanceCharge", ns)]))
    lines = []
    for ln in root.findall("cac:CreditNoteLine" if credit else "cac:InvoiceLine", ns):
        q = ln.find("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", ns)
        unit = q.get("unitCode") if q is not None else None
        unit = unit.strip() or None if unit is not None else None
        lines.append(line(t(ln, "cac:Item/cbc:Name") or t(ln, "cac:Item/cbc:Description"),
                          txt(q), unit, t(ln, "cac:Price/cbc:PriceAmount"),
                          t(ln, "cbc:LineExtensionAmount"),
                          t(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
                          category=t(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID")))
    f.put("lines", jarr(lines))
    return f


# ---- CII / ZUGFeRD 1 -------------------------------------------------------

def cii(root, v1):
    ns = {"rsm": ZF1 if v1 else CII, "ram": RAM12 if v1 else RAM, "udt": UDT15 if v1 else UDT,
          "qdt": QDT12 if v1 else QDT}
    if v1:
        k = dict(doc="rsm:HeaderExchangedDocument", tr="rsm:SpecifiedSupplyChainTradeTransaction",
                 agr="ram:ApplicableSupplyChainTradeAgreement",
                 dlv="ram:ApplicableSupplyChainTradeDelivery",
                 set="ram:ApplicableSupplyChainTradeSettlement",
                 sum="ram:SpecifiedTradeSettlementMonetarySummation", pct="ram:ApplicablePercent",
                 order="ram:BuyerOrderReferencedDocument/ram:ID",
                 la="ram:SpecifiedSupplyChainTradeAgreement",
                 ld="ram:SpecifiedSupplyChainTradeDelivery",
                 ls="ram:SpecifiedSupplyChainTradeSettlement",
                 lsum="ram:SpecifiedTradeSettlementMonetarySummation")
    else:
        k = dict(doc="rsm:ExchangedDocument", tr="rsm:SupplyChainTradeTransaction",
                 agr="ram:ApplicableHeaderTradeAgreement", dlv="ram:ApplicableHeaderTradeDelivery",
                 set="ram:ApplicableHeaderTradeSettlement",
                 sum="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
                 pct="ram:RateApplicablePercent",
                 order="ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
                 la="ram:SpecifiedLineTradeAgreement", ld="ram:SpecifiedLineTradeDelivery",
                 ls="ram:SpecifiedLineTradeSettlement",
                 lsum="ram:SpecifiedTradeSettlementLineMonetarySummation")
    f = Out()

    def fnd(el, p):
        return el.find(p, ns) if el is not None else None

    def t(el, p):
        return txt(fnd(el, p))

    def cdate(el, p):
        n = fnd(el, p)
        s = txt(n)
        fm = n.get("format") if n is not None else None
        fm = (fm.strip() or None) if fm is not None else None
        v = None
        if fm is None or fm == "102":
            v = date(s, True)
        if v is None and fm is None:
            v = date(s)
        return v

    doc = fnd(root, k["doc"])
    tr = fnd(root, k["tr"])
    agr, dlv, st = fnd(tr, k["agr"]), fnd(tr, k["dlv"]), fnd(tr, k["set"])
    sm = fnd(st, k["sum"])
    f.put("doc_type", doc_type(t(doc, "ram:TypeCode")))
    f.put("invoice_number", t(doc, "ram:ID"))
    f.put("issue_date", cdate(doc, "ram:IssueDateTime/udt:DateTimeString"))
    f.put("supply_date", cdate(dlv, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
                                    "udt:DateTimeString"))
    f.put("due_date", cdate(st, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/"
                                "udt:DateTimeString"))
    cur = t(st, "ram:InvoiceCurrencyCode")
    f.put("currency", cur)
    for who, tag in (("seller", "ram:SellerTradeParty"), ("buyer", "ram:BuyerTradeParty")):
        p = fnd(agr, tag)
        if p is None:
            continue
        f.put(who + "_name", t(p, "ram:Name"))
        country_ = t(p, "ram:PostalTradeAddress/ram:CountryID")
        for i in p.findall("ram:SpecifiedTaxRegistration/ram:ID", ns):
            sc = i.get("schemeID")
            if sc is not None and sc.strip() == "VA":
                f.put(who + "_tax_id", taxid(txt(i), country_))
                break
        if who == "seller":
            for i in p.findall("ram:SpecifiedTaxRegistration/ram:ID", ns):
                sc = i.get("schemeID")
                if sc is not None and sc.strip() == "FC" and txt(i):
                    f.put("seller_tax_registration", txt(i))
                    break
        i = p.find("ram:ID", ns)
        f.put_id(who + "_identifier", i if i is not None else p.find("ram:GlobalID", ns))
        f.put_id(who + "_legal_id", p.find("ram:SpecifiedLegalOrganization/ram:ID", ns))
        f.put(who + "_country", country(country_))
        a = p.find("ram:PostalTradeAddress", ns)
        if a is not None:
            f.put(who + "_address", address(
                [t(a, "ram:LineOne"), t(a, "ram:LineTwo"), t(a, "ram:LineThree")],
                t(a, "ram:PostcodeCode"), t(a, "ram:CityName"),
                t(a, "ram:CountrySubDivisionName")))
    f.put("net_total", amount(t(sm, "ram:TaxBasisTotalAmount")))
    if sm is not None:
        ch = in_currency(sm.findall("ram:TaxTotalAmount", ns), cur)
        if ch is not None:
            f.put("vat_total", amount(txt(ch)))
    f.put("gross_total", amount(t(sm, "ram:GrandTotalAmount")))
    f.put("amount_due", amount(t(sm, "ram:DuePayableAmount")))
    f.put("buyer_reference", t(agr, "ram:BuyerReference"))
    f.put("payment_reference", t(st, "ram:PaymentReference"))
    f.put("prepaid_amount", nonzero(t(sm, "ram:TotalPrepaidAmount")))
    f.put("rounding_amount", nonzero(t(sm, "ram:RoundingAmount")))
    ref = fnd(st, "ram:InvoiceReferencedDocument")
    f.put("preceding_invoice_number", t(ref, "ram:IssuerAssignedID"))
    f.put("preceding_invoice_date", cdate(ref, "ram:FormattedIssueDateTime/qdt:DateTimeString"))
    f.put("period_start", cdate(st, "ram:BillingSpecifiedPeriod/ram:StartDateTime/"
                                    "udt:DateTimeString"))
    f.put("period_end", cdate(st, "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"))
    f.put("tax_point_date", cdate(st, "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString"))
    f.put("vat_due_date_code", DUE_2475.get(t(st, "ram:ApplicableTradeTax/ram:DueDateTypeCode")))
    f.put("payment_terms", t(st, "ram:SpecifiedTradePaymentTerms/ram:Description"))
    f.put("payment_means_code", t(st, "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"))
    ship = fnd(dlv, "ram:ShipToTradeParty")
    f.put("delivery_name", t(ship, "ram:Name"))
    a = fnd(ship, "ram:PostalTradeAddress")
    if a is not None:
        f.put("delivery_country", country(t(a, "ram:CountryID")))
        f.put("delivery_address", address(
            [t(a, "ram:LineOne"), t(a, "ram:LineTwo"), t(a, "ram:LineThree")],
            t(a, "ram:PostcodeCode"), t(a, "ram:CityName"), t(a, "ram:CountrySubDivisionName")))
    if st is not None:
        payee_account(f, [(a, m) for m in st.findall("ram:SpecifiedTradeSettlementPaymentMeans",
                                                     ns)
                          for a in m.findall("ram:PayeePartyCreditorFinancialAccount", ns)],
                      ns, "ram:IBANID", "ram:ProprietaryID", "ram:AccountName",
                      "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID")
        f.put("vat_breakdown", jarr([bd(t(x, k["pct"]), t(x, "ram:BasisAmount"),
                                        t(x, "ram:CalculatedAmount"),
                                        category=t(x, "ram:CategoryCode"),
                                        reason=t(x, "ram:ExemptionReason"),
                                        code=t(x, "ram:ExemptionReasonCode"))
                                     for x in st.findall("ram:ApplicableTradeTax", ns)]))
        f.put("charges", jarr([charge(t(a, "ram:ChargeIndicator/udt:Indicator"),
                                      t(a, "ram:ActualAmount"), t(a, "ram:BasisAmount"),
                                      t(a, "ram:CalculationPercent"), t(a, "ram:Reason"),
                                      t(a, "ram:ReasonCode"),
                                      t(a, "ram:CategoryTradeTax/" + k["pct"]),
                                      t(a, "ram:CategoryTradeTax/ram:CategoryCode"))
                               for a in st.findall("ram:SpecifiedTradeAllowanceCharge", ns)]
                              + [charge("true", t(a, "ram:AppliedAmount"), None, None,
                                        t(a, "ram:Description"), None,
                                        t(a, "ram:AppliedTradeTax/" + k["pct"]),
                                        t(a, "ram:AppliedTradeTax/ram:CategoryCode"))
                                 for a in st.findall("ram:SpecifiedLogisticsServiceCharge",
                                                     ns)]))
    f.put("order_reference", t(agr, k["order"]))
    lines = []
    if tr is not None:
        for li in tr.findall("ram:IncludedSupplyChainTradeLineItem", ns):
            q = li.find(k["ld"] + "/ram:BilledQuantity", ns)
            unit = q.get("unitCode") if q is not None else None
            unit = unit.strip() or None if unit is not None else None
            lines.append(line(t(li, "ram:SpecifiedTradeProduct/ram:Name"), txt(q), unit,
                              t(li, k["la"] + "/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
                              t(li, k["ls"] + "/" + k["lsum"] + "/ram:LineTotalAmount"),
                              t(li, k["ls"] + "/ram:ApplicableTradeTax/" + k["pct"]),
                              category=t(li, k["ls"] + "/ram:ApplicableTradeTax/ram:CategoryCode")))
    f.put("lines", jarr(lines))
    return f


# ---- FatturaPA ---------------------------------------------------------------

def fpa_category(natura, rate):
    """UNCL5305 for a Natura code (or, without one, a rate above zero)."""
    if not natura:
        d = dec(rate)
        return "S" if d is not None and d > 0 else None
    if natura == "N3.1":
        return "G"
    if natura == "N3.2":
        return "K"
    if natura.startswith("N3") or natura in ("N4", "N5"):
        return "E"
    if natura.startswith("N6"):
        return "AE"
    if natura == "N1" or natura.startswith("N2") or natura == "N7":
        return "O"
    return None


def fpa(root):
    f = Out()

    def t(el, p):
        return txt(el.find(p)) if el is not None else None

    hdr = root.find("FatturaElettronicaHeader")
    bodies = root.findall("FatturaElettronicaBody")
    body = bodies[0] if bodies else None
    dg = body.find("DatiGenerali") if body is not None else None
    dgd = dg.find("DatiGeneraliDocumento") if dg is not None else None
    tipo = t(dgd, "TipoDocumento")
    f.put("doc_type", "credit_note" if tipo in ("TD04", "TD08") else "invoice")
    f.put("invoice_number", t(dgd, "Numero"))
    f.put("issue_date", date(t(dgd, "Data")))
    f.put("supply_date", date(t(dg, "DatiTrasporto/DataOraConsegna")))
    f.put("due_date", date(t(body, "DatiPagamento/DettaglioPagamento/DataScadenzaPagamento")))
    f.put("currency", t(dgd, "Divisa"))
    def fpa_address(who, sede):
        f.put(who + "_country", country(t(sede, "Nazione")))
        street = " ".join(x for x in (t(sede, "Indirizzo"), t(sede, "NumeroCivico")) if x)
        f.put(who + "_address", address([street], t(sede, "CAP"), t(sede, "Comune"),
                                        t(sede, "Provincia")))

    for who, tag in (("seller", "CedentePrestatore"), ("buyer", "CessionarioCommittente")):
        sede = hdr.find(tag + "/Sede") if hdr is not None else None
        if sede is not None:
            fpa_address(who, sede)
        da = hdr.find(tag + "/DatiAnagrafici") if hdr is not None else None
        if da is None:
            continue
        name = t(da, "Anagrafica/Denominazione")
        if not name:
            parts = [x for x in (t(da, "Anagrafica/Nome"), t(da, "Anagrafica/Cognome")) if x]
            name = " ".join(parts) or None
        f.put(who + "_name", name)
        code = t(da, "IdFiscaleIVA/IdCodice")
        if code:
            f.put(who + "_tax_id", taxid(code, t(da, "IdFiscaleIVA/IdPaese")))
            cf = t(da, "CodiceFiscale")
            if who == "seller" and cf and cf != code:
                f.put("seller_tax_registration", cf)
        elif t(da, "CodiceFiscale"):
            f.put(who + "_tax_id", taxid(t(da, "CodiceFiscale"), "IT", force=True))
    riep = body.findall("DatiBeniServizi/DatiRiepilogo") if body is not None else []
    nets = [dec(t(r, "ImponibileImporto")) for r in riep]
    vats = [(t(r, "Imposta"), dec(t(r, "Imposta"))) for r in riep]
    bad = any(n is None for n in nets) or any(raw is not None and d is None for raw, d in vats)
    if riep and not bad:
        f.put("net_total", fmt(sum(nets, Decimal(0)), 2))
        if any(raw is not None for raw, _ in vats):
            f.put("vat_total", fmt(sum((d for _, d in vats if d is not None), Decimal(0)), 2))
    f.put("gross_total", amount(t(dgd, "ImportoTotaleDocumento")))
    pay = body.find("DatiPagamento") if body is not None else None
    if pay is not None:
        cond = t(pay, "CondizioniPagamento")
        amts = [txt(x) for x in pay.findall("DettaglioPagamento/ImportoPagamento")]
        if cond != "TP01":
            amts = amts[:1]
        ds = [dec(a) for a in amts]
        if ds and all(d is not None for d in ds):
            f.put("amount_due", fmt(sum(ds, Decimal(0)), 2))
    if body is not None:
        for a in body.findall("DatiPagamento/DettaglioPagamento/IBAN"):
            v = iban(txt(a))
            if v:
                f.put("iban", v)
                break
    f.put("order_reference", t(dg, "DatiOrdineAcquisto/IdDocumento"))
    fc = dg.find("DatiFattureCollegate") if dg is not None else None
    f.put("preceding_invoice_number", t(fc, "IdDocumento"))
    f.put("preceding_invoice_date", date(t(fc, "Data")))
    resa = dg.find("DatiTrasporto/IndirizzoResa") if dg is not None else None
    if resa is not None:
        fpa_address("delivery", resa)
    f.put("vat_breakdown", jarr([bd(t(r, "AliquotaIVA"), t(r, "ImponibileImporto"),
                                    t(r, "Imposta"),
                                    category=fpa_category(t(r, "Natura"), t(r, "AliquotaIVA")),
                                    reason=t(r, "RiferimentoNormativo")) for r in riep]))
    lines = [line(t(d, "Descrizione"), t(d, "Quantita"), t(d, "UnitaMisura"),
                  t(d, "PrezzoUnitario"), t(d, "PrezzoTotale"), t(d, "AliquotaIVA"),
                  category=fpa_category(t(d, "Natura"), t(d, "AliquotaIVA")))
             for d in (body.findall("DatiBeniServizi/DettaglioLinee") if body is not None else [])]
    f.put("lines", jarr(lines))
    if len(bodies) > 1:
        f.put("review", "FatturaPA file holds %d invoices; only the first was read" % len(bodies))
    return f


# ---- KSeF ------------------------------------------------------------------------

# (net, VAT, rate word, UNCL5305 category); why each category: see einvoice.c
KSEF_RATES = [("P_13_1", "P_14_1", None, "S"), ("P_13_2", "P_14_2", None, "S"),
              ("P_13_3", "P_14_3", "5", "S"), ("P_13_4", "P_14_4", "4", "S"),
              ("P_13_5", "P_14_5", "oss", "S"), ("P_13_6_1", None, "0 KR", "Z"),
              ("P_13_6_2", None, "0 WDT", "K"), ("P_13_6_3", None, "0 EX", "G"),
              ("P_13_7", None, "zw", "E"), ("P_13_8", None, "np I", "O"),
              ("P_13_9", None, "np II", "AE"), ("P_13_10", None, "oo", "AE"),
              ("P_13_11", None, "marza", "E")]
KSEF_LINE_CATEGORY = {"0 KR": "Z", "0": "Z", "0 WDT": "K", "0 EX": "G", "zw": "E", "oo": "AE",
                      "np I": "O", "np": "O", "np II": "AE"}
KSEF_MARGIN = [("P_PMarzy_2", None, "procedura marży dla biur podróży"),
               ("P_PMarzy_3_1", "VATEX-EU-F", "procedura marży - towary używane"),
               ("P_PMarzy_3_2", "VATEX-EU-I", "procedura marży - dzieła sztuki"),
               ("P_PMarzy_3_3", "VATEX-EU-J",
                "procedura marży - przedmioty kolekcjonerskie i antyki")]


def ksef_line_category(p12):
    if p12 is None:
        return None
    if p12 in KSEF_LINE_CATEGORY:
        return KSEF_LINE_CATEGORY[p12]
    d = dec(p12)
    return "S" if d is not None and d > 0 else None


def ksef(root, ns_uri):
    ns = {"k": ns_uri}
    f = Out()

    def t(el, p):
        if el is None:
            return None
        return txt(el.find("/".join("k:" + s for s in p.split("/")), ns))

    fa = root.find("k:Fa", ns)
    kind = t(fa, "RodzajFaktury")
    f.put("doc_type", "credit_note" if kind in ("KOR", "KOR_ZAL", "KOR_ROZ") else "invoice")
    f.put("invoice_number", t(fa, "P_2"))
    f.put("issue_date", date(t(fa, "P_1")))
    f.put("supply_date", date(t(fa, "P_6")))
    f.put("due_date", date(t(fa, "Platnosc/TerminPlatnosci/Termin")))
    f.put("currency", t(fa, "KodWaluty"))
    for who, tag in (("seller", "Podmiot1"), ("buyer", "Podmiot2")):
        adr = root.find("k:%s/k:Adres" % tag, ns)
        if adr is not None:
            f.put(who + "_country", country(t(adr, "KodKraju")))
            f.put(who + "_address", address([t(adr, "AdresL1"), t(adr, "AdresL2")],
                                            None, None, None))
        di = root.find("k:%s/k:DaneIdentyfikacyjne" % tag, ns)
        if di is None:
            continue
        f.put(who + "_name", t(di, "Nazwa"))
        if t(di, "NIP"):
            f.put(who + "_tax_id", taxid(t(di, "NIP"), "PL"))
        elif t(di, "NrVatUE"):
            f.put(who + "_tax_id", taxid(t(di, "NrVatUE"), t(di, "KodUE")))
        elif t(di, "NrID"):
            f.put(who + "_tax_id", taxid(t(di, "NrID"), t(di, "KodKraju")))
    rows = fa.findall("k:FaWiersz", ns) if fa is not None else []
    p12 = [t(r, "P_12") for r in rows]
    hi = "22" if "22" in p12 else "23"
    lo = "7" if "7" in p12 else "8"
    entries, nets, vats, bad = [], [], [], False
    for i, (n, v, rate, cat) in enumerate(KSEF_RATES):
        a = t(fa, n)
        if not a:
            continue
        b = t(fa, v) if v else None
        d = dec(a)
        bad |= d is None
        nets.append(d)
        if b is not None:
            dv = dec(b)
            bad |= dv is None
            vats.append(dv)
        reason = code = None
        if n == "P_13_7":
            reason = (t(fa, "Adnotacje/Zwolnienie/P_19A") or t(fa, "Adnotacje/Zwolnienie/P_19B")
                      or t(fa, "Adnotacje/Zwolnienie/P_19C"))
        elif n == "P_13_11":
            for flag, c, words in KSEF_MARGIN:
                if t(fa, "Adnotacje/PMarzy/" + flag) == "1":
                    reason, code = words, c
                    break
        entries.append(bd(rate or (hi if i == 0 else lo), a, b, rate_is_num=False,
                          category=cat, reason=reason, code=code))
    if nets and not bad:
        f.put("net_total", fmt(sum(nets, Decimal(0)), 2))
        if vats:
            f.put("vat_total", fmt(sum(vats, Decimal(0)), 2))
    f.put("gross_total", amount(t(fa, "P_15")))
    f.put("amount_due", amount(t(fa, "Rozliczenie/DoZaplaty")))
    acct = t(fa, "Platnosc/RachunekBankowy/NrRB") or t(fa, "Platnosc/RachunekBankowyFaktora/NrRB")
    f.put("iban", iban(acct, nrb=True))
    f.put("order_reference", t(fa, "WarunkiTransakcji/Zamowienia/NrZamowienia"))
    f.put("period_start", date(t(fa, "OkresFa/P_6_Od")))
    f.put("period_end", date(t(fa, "OkresFa/P_6_Do")))
    kor = fa.find("k:DaneFaKorygowanej", ns) if fa is not None else None
    f.put("preceding_invoice_number", t(kor, "NrFaKorygowanej"))
    f.put("preceding_invoice_date", date(t(kor, "DataWystFaKorygowanej")))
    f.put("preceding_invoice_ksef", t(kor, "NrKSeFFaKorygowanej"))
    f.put("vat_breakdown", jarr(entries))
    f.put("lines", jarr([line(t(r, "P_7"), t(r, "P_8B"), t(r, "P_8A"), t(r, "P_9A"),
                              t(r, "P_11"), t(r, "P_12"), rate_word=True,
                              category=ksef_line_category(t(r, "P_12"))) for r in rows]))
    return f


# ---- files --------------------------------------------------------------------------

def parse_bytes(data):
    root = ET.fromstring(data)
    tag = root.tag
    if tag == "{%s}Invoice" % UBL_INV:
        return ubl(root, False)
    if tag == "{%s}CreditNote" % UBL_CN:
        return ubl(root, True)
    if tag == "{%s}CrossIndustryInvoice" % CII:
        return cii(root, False)
    if tag == "{%s}CrossIndustryDocument" % ZF1:
        return cii(root, True)
    if tag == "{%s}FatturaElettronica" % FPA:
        return fpa(root)
    if tag in ("{%s}Faktura" % FA2, "{%s}Faktura" % FA3):
        return ksef(root, tag[1:tag.index("}")])
    return None


def pdf_attachment(path):
    """The embedded e-invoice XML of a PDF, via pdfdetach, or None."""
    try:
        out = subprocess.run(["pdfdetach", "-list", path], capture_output=True, text=True,
                             check=False).stdout
    except FileNotFoundError:
        return None
    for ln in out.splitlines()[1:]:
        m = re.match(r"\s*(\d+):\s*(.*)$", ln)
        if m and m.group(2).strip().lower() in ATTACHMENT_NAMES:
            with tempfile.TemporaryDirectory() as d:
                dest = os.path.join(d, "a.xml")
                subprocess.run(["pdfdetach", "-save", m.group(1), "-o", dest, path],
                               capture_output=True, check=False)
                if os.path.exists(dest):
                    with open(dest, "rb") as fh:
                        return fh.read()
    return None


def files(top):
    for dirpath, _, names in sorted(os.walk(top)):
        for n in sorted(names):
            if n.lower().endswith((".xml", ".pdf")):
                yield os.path.join(dirpath, n)


def truth(top):
    if shutil.which("pdfdetach") is None:
        print("einvoice_truth: pdfdetach (poppler-utils) missing: PDFs skipped", file=sys.stderr)
    for p in files(top):
        if p.lower().endswith(".pdf"):
            data = pdf_attachment(p)
            if data is None:
                continue
        else:
            with open(p, "rb") as fh:
                data = fh.read()
        try:
            fields = parse_bytes(data)
        except ET.ParseError as e:
            print(json.dumps({"file": p, "fields": None, "error": str(e)}))
            continue
        print(json.dumps({"file": p, "fields": dict(fields) if fields is not None else None},
                         ensure_ascii=False))


def compare(top, folio_jsonl):
    """Match folio's lines ({"file", "fields"}) against the truth."""
    want = {}
    for p in files(top):
        if p.lower().endswith(".pdf"):
            data = pdf_attachment(p)
            if data is None:
                continue
        else:
            with open(p, "rb") as fh:
                data = fh.read()
        try:
            want[p] = parse_bytes(data)
        except ET.ParseError:
            want[p] = None
    got = {}
    with open(folio_jsonl, encoding="utf-8") as fh:
        for ln in fh:
            d = json.loads(ln)
            got[d["file"]] = d.get("fields")
    nfiles = same_files = nfields = same_fields = 0
    for p, w in want.items():
        g = got.get(p)
        nfiles += 1
        w = dict(w) if w else {}
        g = g or {}
        ok = True
        for k in sorted(set(w) | set(g)):
            nfields += 1
            a, b = w.get(k), g.get(k)
            if k in ("vat_breakdown", "lines") and a and b:
                a, b = json.loads(a), json.loads(b)
            if a == b:
                same_fields += 1
            else:
                ok = False
                print("DIFF %s %s: truth=%r folio=%r" % (p, k, w.get(k), g.get(k)))
        same_files += ok
    print("files %d/%d identical, fields %d/%d identical" % (same_files, nfiles, same_fields,
                                                             nfields))
    return 0 if same_files == nfiles else 1


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        return compare(argv[2], argv[3])
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: einvoice_truth.py DIR | --compare DIR FOLIO.jsonl", file=sys.stderr)
        return 2
    truth(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
