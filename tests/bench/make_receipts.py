#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""make_receipts.py - a seeded corpus of photographed and scanned till receipts.

    tests/bench/make_receipts.py OUTDIR [--count N] [--seed S]

Writes OUTDIR/{dev,heldout}/NAME.jpg (or .png for flatbed scans) and
NAME.json beside each: the truth folio should read

    {"issue_date": "2024-03-05", "gross_total": 12.34, "currency": "PLN",
     "seller_name": "...", "doc_type": "receipt", "lang": "pl",
     "family": "classic", "font": "DejaVuSansMono", "capture": "photo", ...}

What a receipt looks like is drawn from what till printers make: 58 mm
(384 dots) or 80 mm (576 dots) thermal paper at 203 dpi, monospace or
proportional fonts without anti-aliasing, double-height or double-width
total lines, a shop header (name, address, tax ID), item lines (qty x
price), a VAT summary block in the country's words (PTU A/B, IVA, MwSt,
GST, PVN), and the decoys a reader must not take for the total:
subtotals before a discount, the VAT and net sums, cash tendered, change,
tips, card slips, loyalty savings, return-by dates. Languages: pl, es,
pt, it, de, en (UK), lv, my (Malaysian English), each with its own date
formats (2024-03-05, 05.03.2024, 05/03/24, 5-Mar-2024, times beside).

Then the paper is photographed or scanned: faded thermal print, printhead
streaks, curl and crumple shading, uneven light, perspective warp,
rotation, blur, sensor noise, JPEG, a table or desk around the paper.
Photos are JPEGs that say 72 dpi or nothing (as phones write them), scans
PNGs at 300 dpi that say so or say nothing.

Held-out rule: a receipt is held out when the first byte of
sha1(NAME) is below 0x50 (about 31 %). Held-out receipts may use the
"ticket" layout family and the FreeMono and Inconsolata fonts, which
dev receipts never use; so the held-out score says how far tuning on dev
generalises. Deterministic: the same arguments make the same bytes.
"""
import argparse
import hashlib
import io
import json
import math
import os
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ["/usr/share/fonts/truetype"]
# name -> (file, monospace?)
FONTS = {
    "DejaVuSansMono": ("dejavu/DejaVuSansMono.ttf", True),
    "DejaVuSansMono-Bold": ("dejavu/DejaVuSansMono-Bold.ttf", True),
    "LiberationMono": ("liberation/LiberationMono-Regular.ttf", True),
    "DejaVuSansCondensed": ("dejavu/DejaVuSansCondensed.ttf", False),
    "LiberationSansNarrow": ("liberation/LiberationSansNarrow-Regular.ttf", False),
    "FreeSans": ("freefont/FreeSans.ttf", False),
    # held-out only
    "FreeMono": ("freefont/FreeMono.ttf", True),
    "Inconsolata": ("inconsolata/Inconsolata.otf", True),
}
HELDOUT_FONTS = {"FreeMono", "Inconsolata"}
FAMILIES = ["classic", "compact", "table"]
HELDOUT_FAMILIES = ["ticket"]
LANGS = ["pl", "es", "pt", "it", "de", "en", "lv", "my"]

MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def font_path(name):
    rel = FONTS[name][0]
    for d in FONT_DIRS:
        p = os.path.join(d, rel)
        if os.path.exists(p):
            return p
    sys.exit("make_receipts.py: font %s not found (tests/bench/deps.sh installs it)" % rel)


# --- per-language vocabulary ------------------------------------------------
# amount style: (decimal, thousands)
L = {
    "pl": dict(cur="PLN", dec=",", shops=["BIEDRONKA", "Sklep Spożywczy \"POD LIPĄ\"", "ŻABKA POLSKA SP. Z O.O.",
                                          "Apteka Zdrowie s.c.", "PIEKARNIA JANEK", "Stacja Paliw ORLEN nr 412"],
               city=["ul. Marszałkowska 12, 00-590 Warszawa", "ul. Długa 5, 31-147 Kraków",
                     "al. Grunwaldzka 44, 80-241 Gdańsk"],
               taxid=lambda r: "NIP %s" % pl_nip(r),
               title=["PARAGON FISKALNY"],
               items=["Chleb żytni", "Mleko 3,2% 1L", "Masło ekstra", "Jabłka luz", "Woda mineralna",
                      "Ser żółty", "Kawa mielona", "Bułka kajzerka", "Jogurt natur.", "Pomidory"],
               vat=[("A", 23), ("B", 8), ("C", 5)],
               vat_head=None, vat_line="PTU {c} {r},00%", vat_sum="SUMA PTU", net_line="SPRZEDAŻ OPODATKOWANA {c}",
               total=["SUMA PLN", "SUMA: PLN", "SUMA PLN"], subtotal=["Podsuma"],
               discount="Rabat", cash="Gotówka", card=["Karta", "KARTA PŁATNICZA"], change="Reszta",
               dates=["%Y-%m-%d", "%Y-%m-%d", "%d.%m.%Y"], time_after=True,
               extra_dates=[], items_label="Nr sys.", tip=None, savings="Oszczędzasz"),
    "es": dict(cur="EUR", dec=",", shops=["MERCADONA, S.A.", "Supermercados DIA", "Bar Restaurante El Faro",
                                          "FARMACIA LDA. MARTÍN", "Panadería La Espiga"],
               city=["C/ Mayor 23, 28013 Madrid", "Av. Diagonal 210, 08018 Barcelona", "C/ Sierpes 4, 41004 Sevilla"],
               taxid=lambda r: "NIF %s" % es_cif(r),
               title=["FACTURA SIMPLIFICADA", "TICKET", "FACTURA SIMPLIFICADA"],
               items=["Pan de barra", "Leche entera", "Aceite oliva 1L", "Tomate pera", "Café solo",
                      "Caña cerveza", "Agua 1,5L", "Queso manchego", "Huevos L 12u", "Tostada"],
               vat=[("", 10), ("", 21), ("", 4)],
               vat_head="IVA  BASE  CUOTA", vat_line="{r}%", vat_sum=None, net_line=None,
               total=["TOTAL", "TOTAL A PAGAR", "TOTAL (EUR)", "TOTAL €"], subtotal=["SUBTOTAL"],
               discount="Descuento", cash="EFECTIVO", card=["TARJETA", "TARJETA CREDITO"], change="CAMBIO",
               dates=["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"], time_after=True,
               extra_dates=["Devoluciones hasta"], items_label=None, tip="Propina", savings="Ahorro"),
    "pt": dict(cur="EUR", dec=",", shops=["Pingo Doce Distribuição Alimentar", "Continente Modelo",
                                          "Pastelaria Aloma", "Farmácia Central Lda"],
               city=["Rua Augusta 120, 1100-053 Lisboa", "Av. dos Aliados 45, 4000-065 Porto"],
               taxid=lambda r: "NIF %s" % pt_nif(r),
               title=["Fatura Simplificada", "FATURA-RECIBO", "Fatura Simplificada"],
               items=["Pão de forma", "Leite meio-gordo", "Pastel de nata", "Café", "Água 1,5L",
                      "Bacalhau kg", "Queijo fresco", "Arroz agulha"],
               vat=[("A", 6), ("B", 13), ("C", 23)],
               vat_head="Taxa  Base  IVA", vat_line="IVA {r}%", vat_sum="Total IVA", net_line=None,
               total=["TOTAL", "TOTAL A PAGAR", "Total"], subtotal=["Subtotal"],
               discount="Desconto", cash="Numerário", card=["Multibanco", "Cartão"], change="Troco",
               dates=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"], time_after=True,
               extra_dates=[], items_label=None, tip=None, savings="Poupou"),
    "it": dict(cur="EUR", dec=",", shops=["COOP ALLEANZA 3.0", "Bar Pasticceria Roma", "Esselunga S.p.A.",
                                          "Farmacia San Marco", "Trattoria Da Gino"],
               city=["Via Roma 15, 20121 Milano", "Corso Vittorio Emanuele 88, 00186 Roma"],
               taxid=lambda r: "P.IVA %s" % it_piva(r),
               title=["DOCUMENTO COMMERCIALE di vendita o prestazione", "DOCUMENTO COMMERCIALE"],
               items=["Pane comune", "Latte intero", "Caffè espresso", "Cornetto", "Acqua nat. 1,5L",
                      "Parmigiano", "Pasta di semola", "Pomodori"],
               vat=[("", 10), ("", 22), ("", 4)],
               vat_head=None, vat_line="di cui IVA {r}%", vat_sum=None, net_line=None,
               total=["TOTALE COMPLESSIVO", "Totale complessivo", "TOTALE EURO"], subtotal=["SUBTOTALE"],
               discount="Sconto", cash="Pagamento contante", card=["Pagamento elettronico"], change="Resto",
               dates=["%d-%m-%Y", "%d/%m/%Y"], time_after=True,
               extra_dates=[], items_label=None, tip=None, savings="Risparmio"),
    "de": dict(cur="EUR", dec=",", shops=["REWE Markt GmbH", "EDEKA Müller", "Bäckerei Schmidt",
                                          "dm-drogerie markt", "Gasthaus Zum Löwen"],
               city=["Hauptstraße 12, 10115 Berlin", "Marienplatz 3, 80331 München", "Königstraße 7, 70173 Stuttgart"],
               taxid=lambda r: "USt-IdNr. %s" % de_ust(r),
               title=["", "Kassenbon", "Beleg"],
               items=["Vollkornbrot", "H-Milch 1,5%", "Butter", "Äpfel lose", "Mineralwasser",
                      "Pfand", "Käse Gouda", "Kaffee", "Brötchen", "Bananen"],
               vat=[("A", 19), ("B", 7)],
               vat_head="MwSt  Netto  Steuer  Brutto", vat_line="{c} {r}%", vat_sum=None, net_line=None,
               total=["SUMME EUR", "SUMME", "GESAMT", "Summe EUR", "ZU ZAHLEN"], subtotal=["Zwischensumme"],
               discount="Rabatt", cash="BAR", card=["EC-Karte", "Kartenzahlung", "girocard"], change="Rückgeld",
               dates=["%d.%m.%Y", "%d.%m.%y"], time_after=True,
               extra_dates=["Umtausch bis"], items_label=None, tip="Trinkgeld", savings="Sie sparen"),
    "en": dict(cur="GBP", dec=".", shops=["TESCO STORES LTD", "Sainsbury's Supermarkets", "The Red Lion",
                                          "Boots UK", "Pret A Manger"],
               city=["12 High Street, London SW1A 1AA", "45 Deansgate, Manchester M3 2AY"],
               taxid=lambda r: "VAT No: GB %d" % r.randrange(100000000, 999999999),
               title=["", "RECEIPT", "SALES RECEIPT"],
               items=["Semi Skim Milk", "White Bread 800g", "Free Range Eggs", "Bananas Loose", "Cheddar",
                      "Orange Juice", "Flat White", "Croissant", "Baked Beans", "Tea Bags 80"],
               vat=[("A", 20), ("B", 0), ("C", 5)],
               vat_head="VAT  RATE  NET  VAT", vat_line="{c} {r}%", vat_sum="VAT TOTAL", net_line=None,
               total=["TOTAL", "TOTAL TO PAY", "BALANCE DUE", "Total"], subtotal=["SUBTOTAL", "Sub-total"],
               discount="Discount", cash="CASH", card=["VISA", "CARD", "MASTERCARD"], change="CHANGE",
               dates=["%d/%m/%Y", "%d/%m/%y", "EN-MON"], time_after=True,
               extra_dates=["Return by"], items_label=None, tip="Tip", savings="You saved"),
    "lv": dict(cur="EUR", dec=",", shops=["SIA \"RIMI LATVIA\"", "SIA \"MAXIMA LATVIJA\"", "Kafejnīca Rīga",
                                          "SIA Mego", "Aptieka Benu"],
               city=["Brīvības iela 40, Rīga, LV-1050", "Rīgas iela 9, Daugavpils, LV-5401"],
               taxid=lambda r: "PVN reģ. Nr. LV%d" % r.randrange(40000000000, 49999999999),
               title=["", "ČEKS", "Kases čeks"],
               items=["Maize rupjmaize", "Piens 2,5%", "Sviests", "Āboli", "Ūdens 1,5L", "Siers",
                      "Kafija", "Kartupeļi", "Biezpiens"],
               vat=[("A", 21), ("B", 12), ("C", 5)],
               vat_head="PVN  Apliek.  PVN", vat_line="{c} {r}%", vat_sum="PVN kopā", net_line=None,
               total=["Kopā", "KOPĀ EUR", "Kopā apmaksai", "Summa apmaksai"], subtotal=["Starpsumma"],
               discount="Atlaide", cash="Skaidra nauda", card=["Karte", "Bankas karte"], change="Atlikums",
               dates=["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"], time_after=True,
               extra_dates=[], items_label=None, tip=None, savings="Ietaupījums"),
    "my": dict(cur="MYR", dec=".", shops=["99 SPEED MART S/B", "AEON BIG (M) SDN BHD", "RESTORAN NASI KANDAR PELITA",
                                          "KEDAI RUNCIT AH CHONG", "MR. D.I.Y. (M) SDN BHD", "POPULAR BOOK CO (M) SDN BHD"],
               city=["NO 12, JALAN SS2/24, 47300 PETALING JAYA, SELANGOR", "LOT 5, JALAN AMPANG, 50450 KUALA LUMPUR"],
               taxid=lambda r: "GST ID: %012d" % r.randrange(10 ** 11, 10 ** 12),
               title=["TAX INVOICE", "SIMPLIFIED TAX INVOICE", "RECEIPT", "CASH BILL"],
               items=["MILO 1KG", "GARDENIA BREAD", "TEH TARIK", "NASI LEMAK", "ROTI CANAI", "MAGGI CURRY 5S",
                      "DUTCH LADY UHT", "SUGAR 1KG", "EGG GRADE A 10S", "KOPI O"],
               vat=[("SR", 6), ("ZR", 0)],
               vat_head="GST Summary  Amount(RM)  Tax(RM)", vat_line="{c} @ {r}%", vat_sum="Total GST", net_line=None,
               total=["Total (incl. GST)", "TOTAL", "Total Amount", "GRAND TOTAL", "Total Inclusive GST:",
                      "ROUNDED TOTAL (RM)"],
               subtotal=["Sub Total", "Total Excl. GST", "Total Sales (Excluding GST)"],
               discount="Discount", cash="CASH", card=["VISA", "MASTERCARD", "DEBIT CARD"], change="CHANGE",
               dates=["%d/%m/%Y", "%d-%m-%Y", "EN-MON", "%d/%m/%y"], time_after=True,
               extra_dates=[], items_label=None, tip=None, savings="You Save"),
}


def pl_nip(r):
    while True:
        d = [r.randrange(1, 10)] + [r.randrange(10) for _ in range(8)]
        c = sum(a * b for a, b in zip(d, [6, 5, 7, 2, 3, 4, 5, 6, 7])) % 11
        if c != 10:
            s = "".join(map(str, d + [c]))
            return "%s-%s-%s-%s" % (s[:3], s[3:6], s[6:8], s[8:])


def pt_nif(r):
    d = [5] + [r.randrange(10) for _ in range(7)]
    c = 11 - sum(a * b for a, b in zip(d, range(9, 1, -1))) % 11
    return "".join(map(str, d + [0 if c >= 10 else c]))


def it_piva(r):
    d = [r.randrange(10) for _ in range(10)]
    s = 0
    for i, x in enumerate(d):
        if i % 2:
            x *= 2
            x = x - 9 if x > 9 else x
        s += x
    return "".join(map(str, d + [(10 - s % 10) % 10]))


def es_cif(r):
    d = [r.randrange(10) for _ in range(7)]
    a = d[1] + d[3] + d[5]
    b = sum(sum(divmod(2 * d[i], 10)) for i in (0, 2, 4, 6))
    return "B" + "".join(map(str, d)) + str((10 - (a + b) % 10) % 10)


def de_ust(r):
    d = [r.randrange(1, 10)] + [r.randrange(10) for _ in range(7)]
    p = 10
    for x in d:
        s = (x + p) % 10 or 10
        p = (2 * s) % 11
    return "DE" + "".join(map(str, d)) + str((11 - p) % 10)


def money(v, dec, thousands=False):
    s = "%.2f" % v
    ip, fp = s.split(".")
    if thousands and len(ip) > 3:
        ip = ip[:-3] + ("." if dec == "," else ",") + ip[-3:]
    return ip + dec + fp


def fmt_date(d, fmt):
    y, m, dd = d
    if fmt == "EN-MON":
        return "%d-%s-%d" % (dd, MONTHS_EN[m - 1], y) if y % 2 else "%02d %s %d" % (dd, MONTHS_EN[m - 1], y)
    return (fmt.replace("%Y", "%04d" % y).replace("%y", "%02d" % (y % 100))
            .replace("%m", "%02d" % m).replace("%d", "%02d" % dd))


def add_days(d, n):
    import datetime
    x = datetime.date(*d) + datetime.timedelta(days=n)
    return (x.year, x.month, x.day)


# --- content ---------------------------------------------------------------

def make_content(r, lang, family):
    """The receipt as a list of lines: (kind, payload, style). kind is
    'c' centered text, 'l' left text, 'lr' (left, right), 'rule' a
    separator; style 'n' normal, 'b' bold, 'dh' double height, 'dw'
    double width."""
    V = L[lang]
    dec = V["dec"]
    cur = V["cur"]
    m = lambda v: money(v, dec, thousands=r.random() < 0.3)
    shop = r.choice(V["shops"])
    out = []
    truth = {"lang": lang, "currency": cur, "doc_type": "receipt"}
    truth["seller_name"] = shop
    out.append(("c", shop, "dh" if r.random() < 0.5 else "b"))
    out.append(("c", r.choice(V["city"]), "n"))
    out.append(("c", V["taxid"](r), "n"))
    title = r.choice(V["title"])
    date = (r.choice([2023, 2024, 2025]), r.randrange(1, 13), r.randrange(1, 29))
    dfmt = r.choice(V["dates"])
    ds = fmt_date(date, dfmt)
    hh, mm, ss = r.randrange(7, 23), r.randrange(60), r.randrange(60)
    tm = "%02d:%02d" % (hh, mm) if r.random() < 0.6 else "%02d:%02d:%02d" % (hh, mm, ss)
    truth["issue_date"] = "%04d-%02d-%02d" % date
    dpos = r.choice(["top", "top", "bottom"]) if lang != "pl" else r.choice(["top", "bottom"])
    date_line = None
    dstyle = r.random()
    if dstyle < 0.45:
        date_line = ("lr", (ds, tm), "n")
    elif dstyle < 0.75:
        date_line = ("l", "%s %s" % (ds, tm), "n")
    else:
        lab = {"pl": "Data:", "es": "Fecha:", "pt": "Data:", "it": "Data", "de": "Datum:", "en": "Date:",
               "lv": "Datums:", "my": "Date:"}[lang]
        tl = {"pl": "Godz.", "es": "Hora:", "pt": "Hora:", "it": "Ora", "de": "Uhrzeit:", "en": "Time:",
              "lv": "Laiks:", "my": "Time:"}[lang]
        date_line = ("lr", ("%s %s" % (lab, ds), "%s %s" % (tl, tm)), "n")
    rule = r.choice(["-", "=", "*", "."]) if family != "ticket" else "*"
    if dpos == "top":
        out.append(date_line)
    if title:
        out.append(("rule", rule, "n"))
        out.append(("c", title, "b" if r.random() < 0.5 else "n"))
    if lang == "pl" or r.random() < 0.4:
        out.append(("lr", ({"pl": "Nr paragonu", "es": "Ticket n.", "pt": "FS", "it": "DOC. N.",
                            "de": "Bon-Nr.", "en": "Trans", "lv": "Čeks Nr.", "my": "Receipt No"}[lang],
                           "%d/%04d" % (r.randrange(1, 9), r.randrange(1, 9999))), "n"))
    out.append(("rule", rule, "n"))
    if family == "table":
        out.append(("lr", ({"my": "Qty  Description", "en": "Qty  Item"}.get(lang, "Art."),
                           {"my": "Amt(RM)", "en": "GBP"}.get(lang, cur)), "b"))
        out.append(("rule", "-", "n"))
    # items
    nitems = r.randrange(1, 9)
    rates = V["vat"]
    lines = []
    gross_by_rate = {}
    for _ in range(nitems):
        name = r.choice(V["items"])
        q = r.choice([1, 1, 1, 2, 3, 0.5]) if lang != "my" else r.choice([1, 1, 2, 3])
        if "kg" in name or "luz" in name or "lose" in name or "Loose" in name:
            q = round(r.uniform(0.2, 2.5), 3)
        price = round(r.choice([r.uniform(0.3, 9.99), r.uniform(0.3, 9.99), r.uniform(5, 60)]), 2)
        if lang == "my":
            price = round(price * 2, 2)
        amt = round(q * price, 2)
        rc, rate = rates[0] if r.random() < 0.6 else r.choice(rates)
        gross_by_rate[(rc, rate)] = round(gross_by_rate.get((rc, rate), 0) + amt, 2)
        lines.append((name, q, price, amt, rc))
        qs = ("%g" % q).replace(".", dec) if q != int(q) else "%d" % q
        tag = rc if lang in ("pl", "de", "lv", "en") else ("" if lang != "my" else " " + rc)
        if family == "compact" and q == 1:
            out.append(("lr", (name, m(amt) + (" " + tag if tag else "")), "n"))
        elif family == "table":
            out.append(("lr", ("%s  %s" % (qs, name), m(amt) + (" " + tag if tag else "")), "n"))
        elif family == "ticket":
            out.append(("l", name, "n"))
            out.append(("lr", ("  %s x %s" % (qs, m(price)), m(amt) + (" " + tag if tag else "")), "n"))
        else:
            if lang == "pl":
                out.append(("lr", (name, "%s x%s %s%s" % (qs, m(price), m(amt), tag)), "n"))
            elif q == 1 and r.random() < 0.5:
                out.append(("lr", (name, m(amt) + (" " + tag if tag else "")), "n"))
            else:
                out.append(("l", name, "n"))
                out.append(("lr", ("   %s x %s" % (qs, m(price)), m(amt) + (" " + tag if tag else "")), "n"))
    subtotal = round(sum(x[3] for x in lines), 2)
    total = subtotal
    out.append(("rule", "-", "n"))
    # discount: a subtotal decoy above it
    if r.random() < 0.3:
        disc = round(min(subtotal * 0.5, r.uniform(0.5, 5)), 2)
        out.append(("lr", (r.choice(V["subtotal"]), m(subtotal)), "n"))
        out.append(("lr", (V["discount"], "-" + m(disc)), "n"))
        total = round(subtotal - disc, 2)
        # discount is taken off the first rate's gross
        k = next(iter(gross_by_rate))
        gross_by_rate[k] = round(gross_by_rate[k] - disc, 2)
    elif r.random() < 0.35:
        out.append(("lr", (r.choice(V["subtotal"]), m(subtotal)), "n"))
    # MY: cash rounding to 5 sen
    rounding = 0.0
    if lang == "my" and r.random() < 0.5:
        rt = round(round(total * 20) / 20, 2)
        rounding = round(rt - total, 2)
    # VAT block (before or after the total)
    vat_rows = []
    for (rc, rate), g in gross_by_rate.items():
        net = round(g / (1 + rate / 100), 2)
        vat_rows.append((rc, rate, net, round(g - net, 2), g))
    vat_sum = round(sum(v[3] for v in vat_rows), 2)

    def vat_block():
        blk = []
        if lang == "pl":
            for rc, rate, net, vat, g in vat_rows:
                blk.append(("lr", (V["net_line"].format(c=rc), m(g)), "n"))
                blk.append(("lr", (V["vat_line"].format(c=rc, r=rate), m(vat)), "n"))
            blk.append(("lr", (V["vat_sum"], m(vat_sum)), "n"))
        elif lang == "it":
            for rc, rate, net, vat, g in vat_rows:
                blk.append(("lr", (V["vat_line"].format(r=rate), m(vat)), "n"))
        else:
            if V["vat_head"]:
                blk.append(("l", V["vat_head"], "n"))
            for rc, rate, net, vat, g in vat_rows:
                lab = V["vat_line"].format(c=rc, r=rate)
                if lang == "de":
                    blk.append(("l", "%-7s %8s %7s %8s" % (lab, m(net), m(vat), m(g)), "n"))
                else:
                    blk.append(("lr", (lab, "%s  %s" % (m(net), m(vat))), "n"))
            if V["vat_sum"]:
                blk.append(("lr", (V["vat_sum"], m(vat_sum)), "n"))
        return blk

    vat_first = lang in ("pl", "my") and r.random() < 0.7
    if vat_first:
        out += vat_block()
        out.append(("rule", "-", "n"))
    tl = r.choice(V["total"])
    tstyle = r.choice(["dh", "dw", "b", "n"]) if family != "ticket" else "dw"
    if rounding:
        out.append(("lr", (r.choice(V["subtotal"]), m(total)), "n"))
        out.append(("lr", ("Rounding Adj", ("-" if rounding < 0 else "") + m(abs(rounding))), "n"))
        total = round(total + rounding, 2)
    sym = {"EUR": r.choice(["", "EUR ", "€ "]), "GBP": r.choice(["", "£"]), "MYR": r.choice(["", "RM "]),
           "PLN": ""}[cur]
    if lang == "pl" and r.random() < 0.3:
        out.append(("lr", (tl, m(total)), tstyle))
    else:
        out.append(("lr", (tl, sym + m(total)), tstyle))
    truth["gross_total"] = total
    if not vat_first:
        out.append(("rule", "-", "n"))
        out += vat_block()
    # payment, change, tip: decoys
    pay = r.random()
    if pay < 0.45:
        tendered = total
        while tendered <= total:
            tendered = r.choice([5, 10, 20, 50, 100, 200]) * (4 if lang == "my" else 1)
            if tendered <= total:
                tendered = math.ceil(total / 10 + 1) * 10
        out.append(("lr", (V["cash"], m(tendered)), "n"))
        out.append(("lr", (V["change"], m(round(tendered - total, 2))), "n"))
    else:
        card = r.choice(V["card"])
        out.append(("lr", (card, m(total)), "n"))
        if r.random() < 0.4:
            out.append(("l", "**** **** **** %04d" % r.randrange(10000), "n"))
            out.append(("lr", ({"de": "Betrag", "es": "Importe", "it": "Importo", "pt": "Montante",
                                "pl": "Kwota", "lv": "Summa"}.get(lang, "Amount"), m(total)), "n"))
            out.append(("l", "AID A0000000041010", "n"))
        if V["tip"] and r.random() < 0.3:
            out.append(("lr", (V["tip"], m(round(total * 0.1, 2))), "n"))
            out.append(("lr", ({"de": "Gesamt inkl. Trinkgeld", "es": "Total con propina",
                                "en": "Total incl. tip"}[lang], m(round(total * 1.1, 2))), "n"))
            # the paid sum is not the receipt's total: the bill is
    if r.random() < 0.3:
        out.append(("lr", (V["savings"], m(round(r.uniform(0.2, 9), 2))), "n"))
    if r.random() < 0.4:
        out.append(("c", {"pl": "Ilość pozycji: %d", "es": "Artículos: %d", "pt": "N.º de artigos: %d",
                          "it": "N. pezzi %d", "de": "Anzahl Artikel: %d", "en": "Items: %d",
                          "lv": "Preču skaits: %d", "my": "Total Qty: %d"}[lang] % nitems, "n"))
    if V["extra_dates"] and r.random() < 0.4:
        out.append(("l", "%s %s" % (r.choice(V["extra_dates"]), fmt_date(add_days(date, 30), dfmt)), "n"))
    if dpos == "bottom":
        out.append(("rule", rule, "n"))
        out.append(date_line)
    if lang == "pl":
        out.append(("lr", ("#Kasa 2  Kasjer nr 7", "%s %s" % (fmt_date(date, dfmt), tm)), "n")
                   if dpos == "top" and r.random() < 0.3 else ("c", "Kasjer nr %d" % r.randrange(1, 20), "n"))
        out.append(("c", "ℙ BFK %08d" % r.randrange(10 ** 7, 10 ** 8), "n"))
    out.append(("c", {"pl": "DZIĘKUJEMY ZA ZAKUPY", "es": "GRACIAS POR SU VISITA", "pt": "Obrigado pela preferência",
                      "it": "GRAZIE E ARRIVEDERCI", "de": "Vielen Dank für Ihren Einkauf", "en": "THANK YOU",
                      "lv": "Paldies par pirkumu!", "my": "THANK YOU. PLEASE COME AGAIN"}[lang], "n"))
    return out, truth


# --- rendering -------------------------------------------------------------

def render_paper(r, lines, fontname, width_px, family):
    mono = FONTS[fontname][1]
    fp = font_path(fontname)
    cols = 32 if width_px <= 384 else 42 + r.randrange(0, 7)
    margin = 8
    # size the font so `cols` characters fill the line (thermal heads print
    # 12x24 or 9x17 dots per character)
    size = 10
    while True:
        f = ImageFont.truetype(fp, size + 1)
        if f.getlength("M" * cols if mono else "n" * int(cols * 1.1)) > width_px - 2 * margin:
            break
        size += 1
    font = ImageFont.truetype(fp, size)
    lh = int(size * 1.25)
    canvas = Image.new("L", (width_px, lh * (len(lines) * 2 + 8)), 255)
    y = lh * 2
    d = ImageDraw.Draw(canvas)
    d.fontmode = "1"  # a thermal head has no grey levels

    def text_img(s, style):
        w = int(font.getlength(s)) + 4
        im = Image.new("L", (max(w, 1), lh), 255)
        dd = ImageDraw.Draw(im)
        dd.fontmode = "1"
        dd.text((1, 0), s, font=font, fill=0)
        if style == "b":  # emphasised: the head strikes each dot twice, one dot over
            im2 = im.copy()
            im = Image.fromarray(np.minimum(np.asarray(im), np.roll(np.asarray(im2), 1, axis=1)))
        if style == "dh":
            im = im.resize((im.width, lh * 2), Image.NEAREST)
        if style == "dw":
            im = im.resize((im.width * 2, lh * 2), Image.NEAREST)
        return im

    for kind, p, style in lines:
        if kind == "rule":
            n = int((width_px - 2 * margin) / max(font.getlength(p), 1))
            canvas.paste(text_img(p * n, "n"), (margin, y))
            y += lh
            continue
        if kind == "c":
            im = text_img(p, style)
            if im.width > width_px - 2 * margin:  # wrap long headers
                words, cur_ = p.split(), ""
                parts = []
                for w_ in words:
                    t = (cur_ + " " + w_).strip()
                    if font.getlength(t) * (2 if style == "dw" else 1) > width_px - 2 * margin and cur_:
                        parts.append(cur_)
                        cur_ = w_
                    else:
                        cur_ = t
                parts.append(cur_)
                for part in parts:
                    im = text_img(part, style)
                    canvas.paste(im, (max(margin, (width_px - im.width) // 2), y))
                    y += im.height
                continue
            canvas.paste(im, (max(margin, (width_px - im.width) // 2), y))
            y += im.height
        elif kind == "l":
            im = text_img(p, style)
            canvas.paste(im, (margin, y))
            y += im.height
        else:
            a, b = p
            ia, ib = text_img(a, style), text_img(b, style)
            canvas.paste(ia, (margin, y))
            if ia.width + ib.width + 10 > width_px - 2 * margin:  # the amount goes below
                y += ia.height
            canvas.paste(ib, (width_px - margin - ib.width, y))
            y += max(ia.height, ib.height)
        if family == "ticket" and r.random() < 0.15:
            y += lh // 3
    y += lh * 3
    return canvas.crop((0, 0, width_px, y))


def thermal_fade(r, paper):
    """Thermal print: uneven darkness, printhead streaks, dropouts."""
    a = np.asarray(paper).astype(np.float32) / 255.0
    ink = 1.0 - a
    h, w = ink.shape
    strength = r.uniform(0.55, 1.0)
    cols = 1.0 - np.clip(np.random.RandomState(r.randrange(1 << 30)).normal(0, 0.12, w), 0, 0.5)
    if r.random() < 0.4:  # a worn dot line: a thin light stripe down the paper
        x = r.randrange(w)
        cols[x:x + r.randrange(1, 4)] *= r.uniform(0.0, 0.4)
    rows = np.linspace(r.uniform(0.7, 1.0), r.uniform(0.7, 1.0), h)[:, None]
    rs = np.random.RandomState(r.randrange(1 << 30))
    drop = rs.random_sample(ink.shape) < r.uniform(0.0, 0.12)
    ink = ink * strength * cols[None, :] * rows
    ink[drop] *= 0.3
    paper_tone = r.uniform(0.88, 0.98)
    out = paper_tone - ink * (paper_tone - r.uniform(0.05, 0.35))
    return np.clip(out, 0, 1)


def shade(r, a):
    """Curl and crumple: soft shading across the paper."""
    h, w = a.shape
    rs = np.random.RandomState(r.randrange(1 << 30))
    yy = np.linspace(0, 1, h)[:, None]
    xx = np.linspace(0, 1, w)[None, :]
    s = np.ones((h, w), np.float32)
    if r.random() < 0.6:  # curl: darker towards one or both edges
        k = r.uniform(0.05, 0.25)
        s *= 1 - k * (np.abs(xx - 0.5) * 2) ** 3
    if r.random() < 0.5:  # crumple: a few folds
        for _ in range(r.randrange(1, 5)):
            y0 = rs.uniform(0.1, 0.9)
            ang = rs.uniform(-0.3, 0.3)
            dist = yy - (y0 + ang * (xx - 0.5))
            s *= 1 - rs.uniform(0.03, 0.12) * np.exp(-(dist / 0.01) ** 2) * np.sign(dist + 0.001).clip(0, 1)
    return a * s


def perspective_coeffs(src, dst):
    A = []
    for (x, y), (u, v) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    A = np.array(A, dtype=np.float64)
    b = np.array([c for p in src for c in p], dtype=np.float64)
    return np.linalg.solve(A, b).tolist()


def photograph(r, paper_arr, capture):
    """Place the paper in a scene: scale, background, warp, light, optics."""
    paper = Image.fromarray((paper_arr * 255).astype(np.uint8))
    rs = np.random.RandomState(r.randrange(1 << 30))
    if capture == "scan":
        # flatbed: 300 dpi grey, slight skew, white lid around
        scale = 300 / 203 * r.uniform(0.95, 1.05)
        p = paper.resize((int(paper.width * scale), int(paper.height * scale)), Image.BICUBIC)
        W, H = p.width + 2 * r.randrange(60, 300), p.height + 2 * r.randrange(40, 120)
        bg = Image.new("L", (W, H), r.randrange(225, 250))
        bg.paste(p, ((W - p.width) // 2, (H - p.height) // 2))
        bg = bg.rotate(r.uniform(-4, 4), resample=Image.BICUBIC, fillcolor=bg.getpixel((0, 0)), expand=True)
        a = np.asarray(bg).astype(np.float32)
        a += rs.normal(0, r.uniform(1, 5), a.shape)
        out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        return out.filter(ImageFilter.GaussianBlur(r.uniform(0.2, 0.8)))
    # phone photo: paper fills 45-85 % of the frame height
    H = r.choice([1600, 2000, 2400, 3000])
    W = int(H * r.choice([0.75, 0.5625, 0.75]))
    fill = r.uniform(0.55, 0.9)
    scale = min(H * fill / paper.height, W * 0.9 / paper.width)
    scale = max(scale, 1.2)  # narrower than 1.2 px per dot is unreadable on any phone
    p = paper.resize((int(paper.width * scale), int(paper.height * scale)), Image.BICUBIC)
    if p.height > H * 0.95 or p.width > W * 0.95:
        H = int(max(H, p.height / 0.92))
        W = int(max(W, p.width / 0.7))
    # background: a table, a desk, a dark counter
    base = r.choice([(60, 45, 30), (120, 100, 80), (30, 30, 35), (170, 160, 150), (90, 110, 130)])
    bg = np.zeros((H, W, 3), np.float32)
    for c in range(3):
        bg[..., c] = base[c]
    grain = rs.normal(0, 1, (H // 8 + 1, W // 8 + 1))
    grain = np.kron(grain, np.ones((8, 8)))[:H, :W]
    bg += grain[..., None] * r.uniform(3, 15)
    if r.random() < 0.5:  # wood stripes
        bg += (np.sin(np.linspace(0, rs.uniform(20, 60), W))[None, :, None] * r.uniform(5, 20))
    # paper as RGB (warm white) with a perspective warp
    tint = np.array([r.uniform(0.95, 1.0), r.uniform(0.93, 0.99), r.uniform(0.85, 0.97)])
    pa = np.asarray(p).astype(np.float32)[..., None] * tint[None, None, :]
    pim = Image.fromarray(np.clip(pa, 0, 255).astype(np.uint8), "RGB")
    mask = Image.new("L", p.size, 255)
    x0, y0 = (W - p.width) // 2 + r.randrange(-W // 20, W // 20 + 1), (H - p.height) // 2
    j = 0.06 * p.width
    quad = [(x0 + r.uniform(-j, j), y0 + r.uniform(-j, j)),
            (x0 + p.width + r.uniform(-j, j), y0 + r.uniform(-j, j)),
            (x0 + p.width + r.uniform(-j, j), y0 + p.height + r.uniform(-j, j)),
            (x0 + r.uniform(-j, j), y0 + p.height + r.uniform(-j, j))]
    src = [(0, 0), (p.width, 0), (p.width, p.height), (0, p.height)]
    co = perspective_coeffs(src, quad)
    pw = pim.transform((W, H), Image.PERSPECTIVE, co, Image.BICUBIC)
    mw = mask.transform((W, H), Image.PERSPECTIVE, co, Image.BILINEAR)
    scene = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    # soft shadow of the paper
    sh = mw.filter(ImageFilter.GaussianBlur(12)).point(lambda v: int(v * 0.45))
    scene.paste((0, 0, 0), (r.randrange(4, 16), r.randrange(4, 16)), sh)
    scene.paste(pw, (0, 0), mw)
    scene = scene.rotate(r.uniform(-5, 5), resample=Image.BICUBIC, expand=False,
                         fillcolor=tuple(int(c) for c in base))
    a = np.asarray(scene).astype(np.float32)
    # uneven light: a gradient plus a soft hot spot or a hand's shadow
    yy = np.linspace(0, 1, H)[:, None]
    xx = np.linspace(0, 1, W)[None, :]
    g = r.uniform(0.65, 1.0) + (r.uniform(-0.25, 0.25) * xx + r.uniform(-0.25, 0.25) * yy)
    if r.random() < 0.4:
        cx, cy = rs.uniform(0.2, 0.8), rs.uniform(0.2, 0.8)
        g = g + r.uniform(0.1, 0.3) * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / 0.05))
    if r.random() < 0.25:
        cx = rs.uniform(0, 1)
        g = g * (1 - r.uniform(0.2, 0.45) / (1 + np.exp(-(xx - cx) * 40 + (yy - 0.5) * 10)))
    a *= g[..., None]
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    # optics: defocus or shake
    if r.random() < 0.3:
        k = r.choice([3, 5])
        ker = np.zeros((k, k))
        ker[k // 2, :] = 1
        out = out.filter(ImageFilter.Kernel((k, k), ker.flatten().tolist(), scale=k))
    out = out.filter(ImageFilter.GaussianBlur(r.uniform(0.4, 1.6)))
    a = np.asarray(out).astype(np.float32)
    a += rs.normal(0, r.uniform(2, 9), a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


def heldout_name(name):
    return hashlib.sha1(name.encode()).digest()[0] < 0x50


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=96, help="receipts (default 96, 12 per language)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    dev_fonts = [f for f in FONTS if f not in HELDOUT_FONTS]
    counts = {"dev": 0, "heldout": 0}
    for i in range(args.count):
        lang = LANGS[i % len(LANGS)]
        name = "r%03d-%s" % (i, lang)
        r = random.Random("%d/%s" % (args.seed, name))
        split = "heldout" if heldout_name(name) else "dev"
        fams = FAMILIES + (HELDOUT_FAMILIES if split == "heldout" else [])
        fonts = dev_fonts + (sorted(HELDOUT_FONTS) * 2 if split == "heldout" else [])
        family = r.choice(fams)
        fontname = r.choice(fonts)
        width = r.choice([384, 576, 576])
        content, truth = make_content(r, lang, family)
        paper = render_paper(r, content, fontname, width, family)
        a = thermal_fade(r, paper)
        a = shade(r, a)
        capture = "scan" if r.random() < 0.25 else "photo"
        img = photograph(r, a, capture)
        d = os.path.join(args.outdir, split)
        os.makedirs(d, exist_ok=True)
        # what the files say of their resolution: a flatbed its true 300
        # dpi (or nothing), a phone 72 dpi or nothing
        if capture == "scan":
            fn = name + ".png"
            extra = {"dpi": (300, 300)} if r.random() < 0.7 else {}
            img.save(os.path.join(d, fn), optimize=False, **extra)
        else:
            fn = name + ".jpg"
            buf = io.BytesIO()
            extra = {"dpi": (72, 72)} if r.random() < 0.5 else {}
            img.save(buf, "JPEG", quality=r.randrange(55, 92), **extra)
            with open(os.path.join(d, fn), "wb") as f:
                f.write(buf.getvalue())
        truth.update(file=fn, family=family, font=fontname, paper_mm=58 if width == 384 else 80,
                     capture=capture)
        with open(os.path.join(d, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
        counts[split] += 1
    print("make_receipts.py: %d dev, %d held-out receipts in %s" % (counts["dev"], counts["heldout"],
                                                                    args.outdir))


if __name__ == "__main__":
    main()
