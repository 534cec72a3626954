#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""render_invoices.py - print e-invoice samples the way invoicing software does.

    render_invoices.py EINVOICE_DIR RENDERED_DIR OUT_DIR

Reads the e-invoice XMLs under EINVOICE_DIR with tests/bench/einvoice_truth.py
(an independent Python reader, not folio's), leaves out the ones the shared
rendered corpus (RENDERED_DIR, MANIFEST.tsv) already holds and those with
template placeholders or without both parties, and prints each one as a text
PDF in two layouts and languages chosen from its name (seeded, so every run
makes the same files):

  grid     title and number top left, label:value meta block on the right,
           the parties side by side under their headings, a line table,
           a VAT summary table, totals label-left-of-value on the right
  boxes    label above value in ruled boxes, parties one under the other with
           "Name:" / "Tax ID:" lines, totals as a one-row table
  letter   the seller as a letterhead (name, address, tax ID in the footer),
           the buyer in the address window without a heading, meta on the
           right, totals as "Subtotal / VAT 23 % / Total / Amount due" lines

Languages pl, de, it, es, pt, fr, en, each with several label vocabularies.
Output: OUT_DIR/{dev,heldout}/LANG/{pdf,truth,xml}/NAME.* with truth in the
keys of ../shared/data/rendered (score_rendered.py). The split is fixed by a
hash of the source file name: about a third of the XMLs are "heldout" (all
of their renders), to be scored, not studied.
"""
import hashlib
import json
import os
import random
import re
import sys
from decimal import Decimal

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import einvoice_truth  # noqa: E402

FONTS = "/usr/share/fonts/truetype/dejavu/"
pdfmetrics.registerFont(TTFont("Sans", FONTS + "DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("SansB", FONTS + "DejaVuSans-Bold.ttf"))
pdfmetrics.registerFont(TTFont("Serif", FONTS + "DejaVuSerif.ttf"))
pdfmetrics.registerFont(TTFont("SerifB", FONTS + "DejaVuSerif-Bold.ttf"))

W, H = 595.0, 842.0
LANGS = ["pl", "de", "it", "es", "pt", "fr", "en"]

# each entry: alternatives; a document draws one per label
V = {
    "invoice": {"pl": ["Faktura VAT", "Faktura"], "de": ["Rechnung"], "it": ["Fattura"],
                "es": ["Factura"], "pt": ["Fatura"], "fr": ["Facture"], "en": ["Invoice", "Tax invoice"]},
    "credit": {"pl": ["Faktura korygująca"], "de": ["Gutschrift", "Rechnungskorrektur"],
               "it": ["Nota di credito"], "es": ["Factura rectificativa"], "pt": ["Nota de crédito"],
               "fr": ["Avoir", "Facture d'avoir"], "en": ["Credit note"]},
    "number": {"pl": ["Numer faktury", "Nr faktury"], "de": ["Rechnungsnummer", "Rechnung Nr."],
               "it": ["Numero", "Numero fattura", "N. documento"], "es": ["Nº de factura", "Número"],
               "pt": ["Nº da fatura", "Número"], "fr": ["N° de facture", "Numéro"],
               "en": ["Invoice number", "Invoice no.", "Number"]},
    "issue": {"pl": ["Data wystawienia"], "de": ["Rechnungsdatum", "Datum"],
              "it": ["Data documento", "Data"], "es": ["Fecha de expedición", "Fecha de emisión", "Fecha"],
              "pt": ["Data de emissão", "Data"], "fr": ["Date de facture", "Date d'émission", "Date"],
              "en": ["Invoice date", "Date of issue", "Date"]},
    "supply": {"pl": ["Data sprzedaży", "Data dostawy"], "de": ["Lieferdatum", "Leistungsdatum"],
               "it": ["Data consegna"], "es": ["Fecha de operación", "Fecha de entrega"],
               "pt": ["Data de entrega"], "fr": ["Date de livraison"],
               "en": ["Delivery date", "Supply date"]},
    "due": {"pl": ["Termin płatności"], "de": ["Fälligkeitsdatum", "Zahlbar bis"],
            "it": ["Scadenza", "Data scadenza"], "es": ["Vencimiento", "Fecha de vencimiento"],
            "pt": ["Data de vencimento", "Vencimento"], "fr": ["Date d'échéance", "Échéance"],
            "en": ["Due date", "Payment due"]},
    "currency": {"pl": ["Waluta"], "de": ["Währung"], "it": ["Valuta", "Divisa"], "es": ["Moneda"],
                 "pt": ["Moeda"], "fr": ["Devise"], "en": ["Currency"]},
    "seller": {"pl": ["Sprzedawca", "Sprzedawca:"], "de": ["Verkäufer", "Rechnungssteller", "Lieferant"],
               "it": ["Cedente/prestatore", "Fornitore"], "es": ["Emisor", "Proveedor", "Vendedor"],
               "pt": ["Fornecedor", "Vendedor"], "fr": ["Vendeur", "Fournisseur", "Émetteur"],
               "en": ["Seller", "Supplier", "From"]},
    "buyer": {"pl": ["Nabywca", "Nabywca:"], "de": ["Käufer", "Rechnungsempfänger", "Kunde"],
              "it": ["Cessionario/committente", "Cliente"], "es": ["Cliente", "Receptor", "Comprador"],
              "pt": ["Cliente", "Adquirente"], "fr": ["Client", "Acheteur", "Destinataire"],
              "en": ["Buyer", "Customer", "Bill to"]},
    "name": {"pl": ["Nazwa"], "de": ["Name", "Firma"], "it": ["Denominazione"],
             "es": ["Razón social", "Nombre"], "pt": ["Nome", "Denominação"],
             "fr": ["Raison sociale", "Nom"], "en": ["Name", "Company"]},
    "address": {"pl": ["Adres"], "de": ["Anschrift", "Adresse"], "it": ["Indirizzo"],
                "es": ["Dirección", "Domicilio"], "pt": ["Morada", "Endereço"],
                "fr": ["Adresse"], "en": ["Address"]},
    "taxid": {"pl": ["NIP"], "de": ["USt-IdNr.", "USt-ID"], "it": ["Partita IVA", "P.IVA"],
              "es": ["NIF", "CIF"], "pt": ["NIF", "Contribuinte"], "fr": ["N° TVA", "TVA intracom."],
              "en": ["VAT number", "VAT ID", "VAT reg. no."]},
    "desc": {"pl": ["Nazwa towaru lub usługi", "Opis"], "de": ["Bezeichnung", "Beschreibung"],
             "it": ["Descrizione"], "es": ["Descripción", "Concepto"], "pt": ["Descrição"],
             "fr": ["Désignation", "Description"], "en": ["Description", "Item"]},
    "qty": {"pl": ["Ilość"], "de": ["Menge"], "it": ["Quantità"], "es": ["Cantidad"],
            "pt": ["Quantidade", "Qtd."], "fr": ["Quantité", "Qté"], "en": ["Quantity", "Qty"]},
    "price": {"pl": ["Cena jedn. netto", "Cena netto"], "de": ["Einzelpreis", "Preis"],
              "it": ["Prezzo unitario", "Prezzo"], "es": ["Precio unitario", "Precio"],
              "pt": ["Preço unitário", "Preço"], "fr": ["Prix unitaire", "P.U. HT"],
              "en": ["Unit price", "Price"]},
    "rate": {"pl": ["Stawka VAT", "Stawka"], "de": ["USt.-Satz", "MwSt. %"], "it": ["Aliquota IVA", "% IVA"],
             "es": ["% IVA", "Tipo IVA"], "pt": ["Taxa IVA", "% IVA"], "fr": ["Taux TVA", "TVA %"],
             "en": ["VAT rate", "VAT %"]},
    "linenet": {"pl": ["Wartość netto"], "de": ["Betrag netto", "Gesamt netto", "Nettobetrag"],
                "it": ["Importo", "Prezzo totale"], "es": ["Importe", "Base imponible"],
                "pt": ["Valor", "Total s/ IVA"], "fr": ["Montant HT", "Total HT"],
                "en": ["Amount", "Net amount", "Line total"]},
    "vatamt": {"pl": ["Kwota VAT"], "de": ["Steuerbetrag", "USt.-Betrag", "MwSt."],
               "it": ["Imposta", "IVA"], "es": ["Cuota IVA", "Cuota"], "pt": ["Valor IVA", "IVA"],
               "fr": ["Montant TVA", "TVA"], "en": ["VAT amount", "VAT"]},
    "vatgross": {"pl": ["Wartość brutto"], "de": ["Brutto"], "it": ["Totale"], "es": ["Total"],
                 "pt": ["Total"], "fr": ["Montant TTC", "TTC"], "en": ["Gross", "Total"]},
    "vatsummary": {"pl": ["Podsumowanie stawek VAT", "Zestawienie VAT"], "de": ["Umsatzsteuer", "Steuerübersicht"],
                   "it": ["Riepilogo IVA"], "es": ["Desglose de IVA", "Resumen de impuestos"],
                   "pt": ["Resumo do IVA", "Quadro de IVA"], "fr": ["Récapitulatif TVA", "Détail TVA"],
                   "en": ["VAT summary", "VAT analysis"]},
    "net": {"pl": ["Razem netto", "Wartość netto", "Suma netto"], "de": ["Summe netto", "Nettobetrag", "Gesamtbetrag netto"],
            "it": ["Totale imponibile", "Imponibile"], "es": ["Base imponible", "Total base imponible", "Subtotal"],
            "pt": ["Total ilíquido", "Base tributável", "Total sem IVA"], "fr": ["Total HT", "Montant HT"],
            "en": ["Subtotal", "Total net", "Net total", "Total excl. VAT"]},
    "vat": {"pl": ["Razem VAT", "Kwota VAT", "Suma VAT"], "de": ["Umsatzsteuer", "MwSt. gesamt", "Summe USt."],
            "it": ["Totale IVA", "Totale imposta"], "es": ["Total IVA", "Cuota IVA"],
            "pt": ["Total IVA", "Total do IVA"], "fr": ["Total TVA", "Montant TVA"],
            "en": ["Total VAT", "VAT total", "Tax"]},
    "gross": {"pl": ["Razem brutto", "Wartość brutto", "Kwota należności ogółem"],
              "de": ["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto", "Bruttobetrag"],
              "it": ["Totale documento", "Totale fattura"], "es": ["Total factura", "Importe total", "Total"],
              "pt": ["Total", "Total do documento", "Total c/ IVA"], "fr": ["Total TTC", "Montant TTC"],
              "en": ["Total", "Invoice total", "Total incl. VAT", "Grand total"]},
    "due_amt": {"pl": ["Do zapłaty", "Pozostało do zapłaty"], "de": ["Zahlbetrag", "Zu zahlender Betrag", "Offener Betrag"],
                "it": ["Netto a pagare", "Importo da pagare"], "es": ["Total a pagar", "Importe a pagar"],
                "pt": ["Total a pagar", "Valor a pagar"], "fr": ["Net à payer", "Montant à payer"],
                "en": ["Amount due", "Balance due", "Total due"]},
    "iban": {"pl": ["Numer rachunku (IBAN)", "IBAN"], "de": ["IBAN", "Bankverbindung IBAN"], "it": ["IBAN"],
             "es": ["IBAN", "Cuenta IBAN"], "pt": ["IBAN"], "fr": ["IBAN"], "en": ["IBAN", "Bank account (IBAN)"]},
    "page": {"pl": ["Strona"], "de": ["Seite"], "it": ["Pagina"], "es": ["Página"], "pt": ["Página"],
             "fr": ["Page"], "en": ["Page"]},
}


def pick(rng, key, lang):
    return rng.choice(V[key][lang])


def amt(x, lang):
    d = Decimal(str(x)).quantize(Decimal("0.01"))
    neg = d < 0
    s = "%.2f" % abs(d)
    ip, fp = s.split(".")
    groups = []
    while len(ip) > 3:
        groups.insert(0, ip[-3:])
        ip = ip[:-3]
    groups.insert(0, ip)
    sep, dec = {"en": (",", "."), "pl": ("\u00a0", ","), "pt": ("\u00a0", ","),
                "fr": ("\u202f", ",")}.get(lang, (".", ","))
    out = sep.join(groups) + dec + fp
    return ("-" if neg else "") + out


def qty(x, lang):
    d = Decimal(str(x)).normalize()
    s = format(d, "f")
    return s if lang == "en" else s.replace(".", ",")


def date(iso, lang, rng):
    y, m, d = iso.split("-")
    if lang in ("pl", "de"):
        return "%s.%s.%s" % (d, m, y) if rng.random() < 0.8 else iso
    if lang == "en":
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        return "%d %s %s" % (int(d), months[int(m) - 1], y) if rng.random() < 0.5 else \
            "%s/%s/%s" % (d, m, y)
    return "%s/%s/%s" % (d, m, y)


def rate_txt(r, lang):
    s = format(Decimal(str(r)).normalize(), "f")
    return (s if lang == "en" else s.replace(".", ",")) + "%"


class Doc:
    def __init__(self, path, font):
        self.c = canvas.Canvas(path, pagesize=(W, H), invariant=1, pageCompression=1)
        self.f, self.fb = font, font + "B"
        self.y = 50
        self.pageno = 1

    def text(self, x, y, s, size=9, bold=False, align="left"):
        f = self.fb if bold else self.f
        w = pdfmetrics.stringWidth(s, f, size)
        if align == "right":
            x -= w
        self.c.setFont(f, size)
        self.c.drawString(x, H - y, s)
        return w

    def wrap(self, s, width, size=9):
        words, lines, cur = s.split(), [], ""
        for w in words:
            t = (cur + " " + w).strip()
            if pdfmetrics.stringWidth(t, self.f, size) > width and cur:
                lines.append(cur)
                cur = w
            else:
                cur = t
        if cur:
            lines.append(cur)
        return lines or [""]

    def rule(self, x1, y1, x2, y2, w=0.5):
        self.c.setLineWidth(w)
        self.c.line(x1, H - y1, x2, H - y2)

    def box(self, x, y, w, h):
        self.c.setLineWidth(0.5)
        self.c.rect(x, H - y - h, w, h)

    def newpage(self, footer):
        if footer:
            footer(self)
        self.c.showPage()
        self.pageno += 1
        self.y = 50

    def save(self, footer):
        if footer:
            footer(self)
        self.c.showPage()
        self.c.save()


def addr_lines(f, role):
    a = f.get(role + "_address")
    if not a:
        return []
    parts = [p.strip() for p in a.split(",") if p.strip()]
    return parts[:3]


def line_table(d, lang, rng, x0, x1, cols_style):
    """Draw the line items; paginates with the heading repeated."""
    lines = d.lines
    if not lines:
        return
    heads = [pick(rng, "desc", lang), pick(rng, "qty", lang), pick(rng, "price", lang),
             pick(rng, "rate", lang), pick(rng, "linenet", lang)]
    xs = [x0, x0 + 250, x0 + 310, x0 + 380, x1]

    def head():
        d.y += 4
        hy = d.y
        d.text(x0 + 18, hy, "Lp." if lang == "pl" else "#", 8, True)
        d.text(xs[0] + 18 + 20, hy, heads[0], 8, True)
        d.text(xs[1] + 45, hy, heads[1], 8, True, "right")
        d.text(xs[2] + 65, hy, heads[2], 8, True, "right")
        d.text(xs[3] + 45, hy, heads[3], 8, True, "right")
        d.text(xs[4], hy, heads[4], 8, True, "right")
        d.rule(x0, hy + 4, x1, hy + 4)
        d.y += 16
    head()
    for i, ln in enumerate(lines):
        desc = d.wrap(ln.get("description", ""), 190, 8)
        if d.y + 12 * len(desc) > H - 70:
            d.newpage(d.footer)
            head()
        d.text(x0 + 18, d.y, "%d" % (i + 1), 8)
        for k, t in enumerate(desc):
            d.text(xs[0] + 38, d.y + 11 * k, t, 8)
        if ln.get("quantity") is not None:
            d.text(xs[1] + 45, d.y, qty(ln["quantity"], lang), 8, align="right")
        if ln.get("unit_price") is not None:
            d.text(xs[2] + 65, d.y, amt(ln["unit_price"], lang), 8, align="right")
        if ln.get("vat_rate") is not None:
            d.text(xs[3] + 45, d.y, rate_txt(ln["vat_rate"], lang), 8, align="right")
        if ln.get("net") is not None:
            d.text(xs[4], d.y, amt(ln["net"], lang), 8, align="right")
        d.y += 11 * len(desc) + 4
        if cols_style == "ruled":
            d.rule(x0, d.y - 9, x1, d.y - 9, 0.2)
    d.y += 8


def vat_table(d, lang, rng, x0, x1):
    bd = d.bd
    if not bd:
        return
    if d.y + 30 + 14 * len(bd) > H - 70:
        d.newpage(d.footer)
    d.text(x0, d.y, pick(rng, "vatsummary", lang), 9, True)
    d.y += 16
    heads = [pick(rng, "rate", lang), pick(rng, "linenet", lang), pick(rng, "vatamt", lang),
             pick(rng, "vatgross", lang)]
    xs = [x0 + 80, x0 + 190, x0 + 290, x0 + 390]
    for h, x in zip(heads, xs):
        d.text(x, d.y, h, 8, True, "right")
    d.rule(x0, d.y + 4, x0 + 400, d.y + 4)
    d.y += 16
    for r in bd:
        net, vat = Decimal(str(r["net"])), Decimal(str(r["vat"]))
        for v, x in zip([rate_txt(r["rate"], lang), amt(net, lang), amt(vat, lang),
                         amt(net + vat, lang)], xs):
            d.text(x, d.y, v, 8, align="right")
        d.y += 13
    d.y += 10


def totals_lines(d, lang, rng, xl, xr, f):
    """Totals as label ... value lines, right block."""
    rows = []
    if "net_total" in f:
        rows.append((pick(rng, "net", lang), f["net_total"], False))
    if "vat_total" in f:
        rows.append((pick(rng, "vat", lang), f["vat_total"], False))
    if "gross_total" in f:
        rows.append((pick(rng, "gross", lang), f["gross_total"], True))
    if "amount_due" in f and (Decimal(str(f["amount_due"])) != Decimal(str(f.get("gross_total", "0")))
                              or rng.random() < 0.5):
        rows.append((pick(rng, "due_amt", lang), f["amount_due"], True))
    if d.y + 16 * len(rows) > H - 70:
        d.newpage(d.footer)
    cur = f.get("currency", "")
    for lab, v, bold in rows:
        d.text(xl, d.y, lab + ":", 9, bold)
        d.text(xr, d.y, amt(v, lang) + (" " + cur if cur and d.curpos == "after" else ""), 9,
               bold, "right")
        d.y += 15
    d.y += 8


def meta_rows(f, lang, rng, title_has_number):
    rows = []
    if not title_has_number:
        rows.append((pick(rng, "number", lang), f["invoice_number"]))
    rows.append((pick(rng, "issue", lang), date(f["issue_date"], lang, rng)))
    if "supply_date" in f:
        rows.append((pick(rng, "supply", lang), date(f["supply_date"], lang, rng)))
    if "due_date" in f:
        rows.append((pick(rng, "due", lang), date(f["due_date"], lang, rng)))
    if "currency" in f:
        rows.append((pick(rng, "currency", lang), f["currency"]))
    return rows


def party_block(d, x, y, heading, f, role, lang, rng, style):
    """Heading, name, address, tax ID; returns the y under it."""
    d.text(x, y, heading, 9, True)
    y += 14
    name = f.get(role + "_name", "")
    if style == "labelled":
        d.text(x, y, pick(rng, "name", lang) + ": " + name, 9)
        y += 12
        al = addr_lines(f, role)
        if al:
            d.text(x, y, pick(rng, "address", lang) + ": " + ", ".join(al[:2]), 8)
            y += 12
    else:
        for t in d.wrap(name, 220, 10)[:2]:
            d.text(x, y, t, 10, True)
            y += 13
        for a in addr_lines(f, role):
            d.text(x, y, a, 8)
            y += 11
    if f.get(role + "_tax_id"):
        d.text(x, y, pick(rng, "taxid", lang) + ": " + f[role + "_tax_id"], 8)
        y += 12
    return y


def title_of(f, lang, rng):
    return pick(rng, "credit" if f.get("doc_type") == "credit_note" else "invoice", lang)


def render(f, lang, style, path, seed):
    rng = random.Random(seed)
    d = Doc(path, rng.choice(["Sans", "Serif"]))
    d.lines = json.loads(f["lines"]) if isinstance(f.get("lines"), str) else f.get("lines") or []
    d.bd = json.loads(f["vat_breakdown"]) if isinstance(f.get("vat_breakdown"), str) \
        else f.get("vat_breakdown") or []
    d.curpos = rng.choice(["after", "none"])
    x0, x1 = 50, W - 50
    pg = pick(rng, "page", lang)

    def footer(dd):
        dd.text(W / 2, H - 30, "%s %d" % (pg, dd.pageno), 7)
        if style == "letter":
            s = f.get("seller_name", "")
            if f.get("seller_tax_id"):
                s += "  ·  " + pick(random.Random(seed + 1), "taxid", lang) + " " + f["seller_tax_id"]
            if f.get("iban"):
                s += "  ·  IBAN " + f["iban"]
            dd.text(x0, H - 44, s[:110], 7)
    d.footer = footer
    title = title_of(f, lang, rng)
    if style == "grid":
        with_no = rng.random() < 0.6
        d.text(x0, d.y, title + ((" " + ("nr " if lang == "pl" else "") + f["invoice_number"])
                                 if with_no else ""), 16, True)
        my = d.y
        for lab, v in meta_rows(f, lang, rng, with_no):
            d.text(340, my, lab + ":", 8)
            d.text(x1, my, v, 8, align="right")
            my += 12
        d.y = max(d.y + 30, my + 14)
        sh, bh = pick(rng, "seller", lang), pick(rng, "buyer", lang)
        y1 = party_block(d, x0, d.y, sh.rstrip(":"), f, "seller", lang, rng, "plain")
        y2 = party_block(d, 310, d.y, bh.rstrip(":"), f, "buyer", lang, rng, "plain")
        d.y = max(y1, y2) + 18
        line_table(d, lang, rng, x0, x1, "ruled")
        vat_table(d, lang, rng, x0, x1)
        totals_lines(d, lang, rng, 330, x1, f)
        if f.get("iban"):
            d.text(x0, d.y, pick(rng, "iban", lang) + ": " + f["iban"], 9)
            d.y += 14
    elif style == "boxes":
        d.text(W / 2 - 60, d.y, title, 18, True)
        d.y += 24
        rows = meta_rows(f, lang, rng, False)
        bw = (x1 - x0) / len(rows)
        for i, (lab, v) in enumerate(rows):
            bx = x0 + i * bw
            d.box(bx, d.y, bw, 30)
            d.text(bx + 4, d.y + 10, lab, 7)
            d.text(bx + 4, d.y + 24, v, 9, True)
        d.y += 48
        for role in ("seller", "buyer"):
            d.y = party_block(d, x0, d.y, pick(rng, role, lang).rstrip(":"), f, role, lang, rng,
                              "labelled") + 12
        line_table(d, lang, rng, x0, x1, "plain")
        vat_table(d, lang, rng, x0, x1)
        # totals as one table row
        cols = [("net", "net_total"), ("vat", "vat_total"), ("gross", "gross_total")]
        if "amount_due" in f:
            cols.append(("due_amt", "amount_due"))
        cols = [(pick(rng, k, lang), f[v]) for k, v in cols if v in f]
        if d.y + 40 > H - 70:
            d.newpage(footer)
        cw = (x1 - x0) / len(cols)
        for i, (lab, v) in enumerate(cols):
            d.text(x0 + (i + 1) * cw - 6, d.y, lab, 8, True, "right")
            d.text(x0 + (i + 1) * cw - 6, d.y + 14, amt(v, lang), 9, False, "right")
        d.rule(x0, d.y + 4, x1, d.y + 4)
        d.y += 34
        if f.get("iban"):
            d.text(x0, d.y, "IBAN", 7)
            d.text(x0, d.y + 12, f["iban"], 9)
            d.y += 26
    else:  # letter
        d.text(x0, d.y, f.get("seller_name", ""), 14, True)
        yy = d.y + 14
        for a in addr_lines(f, "seller"):
            d.text(x0, yy, a, 8)
            yy += 10
        d.y = max(yy, d.y + 30) + 30
        by = d.y
        d.text(x0, by, f.get("buyer_name", ""), 10)
        by += 13
        for a in addr_lines(f, "buyer"):
            d.text(x0, by, a, 10)
            by += 13
        if f.get("buyer_tax_id"):
            d.text(x0, by, pick(rng, "taxid", lang) + " " + f["buyer_tax_id"], 9)
            by += 13
        my = d.y
        d.text(340, my, title.upper(), 14, True)
        my += 20
        for lab, v in meta_rows(f, lang, rng, False):
            d.text(340, my, lab, 8)
            d.text(450, my, v, 8)
            my += 12
        d.y = max(by, my) + 24
        line_table(d, lang, rng, x0, x1, "plain")
        rows = []
        if "net_total" in f:
            rows.append((pick(rng, "net", lang), f["net_total"]))
        for r in d.bd:
            rows.append(("%s %s" % (pick(rng, "vatamt", lang), rate_txt(r["rate"], lang)), r["vat"]))
        if "gross_total" in f:
            rows.append((pick(rng, "gross", lang), f["gross_total"]))
        if "amount_due" in f:
            rows.append((pick(rng, "due_amt", lang), f["amount_due"]))
        if d.y + 15 * len(rows) > H - 70:
            d.newpage(footer)
        for lab, v in rows:
            d.text(330, d.y, lab, 9)
            d.text(x1, d.y, amt(v, lang), 9, align="right")
            d.y += 14
        if f.get("iban"):
            d.y += 10
            d.text(x0, d.y, pick(rng, "iban", lang) + ": " + f["iban"], 9)
    d.save(footer)


KEYS = ["invoice_number", "issue_date", "supply_date", "due_date", "currency", "seller_name",
        "buyer_name", "seller_tax_id", "buyer_tax_id", "net_total", "vat_total", "gross_total",
        "amount_due", "iban", "vat_breakdown", "lines", "doc_type"]


def truth_of(f):
    t = {}
    for k in KEYS:
        v = f.get(k)
        if v is None or v == "":
            continue
        if k in ("vat_breakdown", "lines"):
            v = json.loads(v) if isinstance(v, str) else v
            if k == "lines":
                v = [{kk: r[kk] for kk in ("description", "quantity", "unit_price", "net")
                      if r.get(kk) is not None} for r in v]
            else:
                v = [{kk: r[kk] for kk in ("rate", "net", "vat") if r.get(kk) is not None}
                     for r in v]
        t[k] = v
    return t


def usable(f):
    need = ("invoice_number", "issue_date", "seller_name", "buyer_name", "gross_total")
    if any(not f.get(k) for k in need):
        return False
    if any("#" in str(v) for v in f.values()):
        return False
    if f.get("doc_type") not in ("invoice", "credit_note"):
        return False
    return True


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, rendered, out = sys.argv[1:4]
    skip = set()
    man = os.path.join(rendered, "MANIFEST.tsv")
    if os.path.exists(man):
        for ln in open(man, encoding="utf-8").read().splitlines()[1:]:
            cols = ln.split("\t")
            if len(cols) > 3:
                skip.add(os.path.basename(cols[3]).lower())
    files = []
    for root, _, names in os.walk(src):
        for n in names:
            if n.lower().endswith(".xml"):
                files.append(os.path.join(root, n))
    n = 0
    for p in sorted(files):
        if os.path.basename(p).lower() in skip:
            continue
        try:
            f = einvoice_truth.parse_bytes(open(p, "rb").read())
        except Exception:  # noqa: BLE001 - not an e-invoice this reader knows
            continue
        if not f or not usable(f):
            continue
        h = int(hashlib.sha256(os.path.basename(p).encode()).hexdigest()[:8], 16)
        split = "heldout" if h % 3 == 0 else "dev"
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(os.path.basename(p))[0])
        styles = ["grid", "boxes", "letter"]
        for k in range(2):
            lang = LANGS[(h >> (4 * k)) % len(LANGS)] if k == 0 else \
                LANGS[(h // 7 + 3) % len(LANGS)]
            style = styles[(h + k) % 3]
            name = "%s_%s" % (stem, style)
            base = os.path.join(out, split, lang)
            for sub in ("pdf", "truth", "xml"):
                os.makedirs(os.path.join(base, sub), exist_ok=True)
            render(f, lang, style, os.path.join(base, "pdf", name + ".pdf"), h + k)
            with open(os.path.join(base, "truth", name + ".json"), "w", encoding="utf-8") as fh:
                json.dump(truth_of(f), fh, ensure_ascii=False, indent=1)
            with open(os.path.join(base, "xml", name + ".xml"), "wb") as fh:
                fh.write(open(p, "rb").read())
            n += 1
    print("render_invoices.py: %d PDFs in %s" % (n, out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
