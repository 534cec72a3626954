#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Score folio's fields on rendered invoices (other tools' prints) against truth.

    score_rendered.py [--verbose] [--title T] CORPUS RESULTS...

CORPUS is a folder laid out like ../shared/data/rendered: LANG/truth/NAME.json
(canonical keys: invoice_number, issue_date, supply_date, due_date, currency,
seller_name, buyer_name, seller_tax_id[_country], buyer_tax_id[_country],
net_total, vat_total, gross_total, amount_due, iban, vat_breakdown, lines and,
optionally, doc_type), LANG/xml/NAME.xml (the document type is read from it
when the truth has none: a UBL CreditNote, FatturaPA TD04/TD08 or KSeF KOR*
is a credit_note, anything else an invoice), LANG/pdf/NAME.pdf and
LANG/scan/NAME.tif. RESULTS are `folio show --json` objects with "path".

Files are scored as "text" (pdf/) or "scan" (scan/), per field, per language
and over all fields (micro F1). Comparison rules (the same for every
language and renderer):
  - amounts to the cent; dates exactly (YYYY-MM-DD); currency upper case;
  - names case-insensitively with white space collapsed;
  - invoice numbers with white space collapsed;
  - tax IDs and IBANs letters and digits only, upper case; a tax ID matches
    with or without its country prefix (the truth's *_tax_id_country, or any
    two leading letters of folio's value that the truth lacks); a truth
    account of digits only (a Polish NRB) matches the IBAN made of it;
  - vat_breakdown as a set of (rate, net, vat); lines in order on the keys
    the truth has (description case/space-insensitive, quantity as a number,
    unit_price and net to the cent); "lines (rows)" counts matching rows;
  - doc_type: invoice / credit_note.
Counting: right = TP; wrong = FP + FN; missing = FN; a value where the truth
has none = FP.

Confidence: every scored value folio gives carries a confidence; the report
says how often values at >= 0.9 (and below) are right.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score_extract import Tally, equal, read_objects, result_value, show  # noqa: E402

FIELDS = ["doc_type", "invoice_number", "issue_date", "supply_date", "due_date", "currency",
          "seller_name", "seller_tax_id", "buyer_name", "buyer_tax_id", "net_total",
          "vat_total", "gross_total", "amount_due", "iban", "vat_breakdown", "lines"]
JSON_FIELDS = ("vat_breakdown", "lines")


def xml_doc_type(path):
    try:
        head = open(path, "rb").read(400000).decode("utf-8", "replace")
    except OSError:
        return None
    if re.search(r"<(\w+:)?CreditNote[\s>]", head):
        return "credit_note"
    if re.search(r"<(\w+:)?TipoDocumento>\s*TD0[48]\s*<", head):
        return "credit_note"
    if re.search(r"<(\w+:)?RodzajFaktury>\s*KOR", head):
        return "credit_note"
    return "invoice"


def compact(v):
    return re.sub(r"[^0-9A-Za-z]", "", str(v)).upper()


def taxid_eq(want, country, got):
    w, g = compact(want), compact(got)
    if not g:
        return False
    if g == w:
        return True
    if country and compact(country) + w == g:
        return True
    # folio writes the prefix it knows; the truth may hold the bare number
    if len(g) > 2 and g[:2].isalpha() and g[2:] == w:
        return True
    if len(w) > 2 and w[:2].isalpha() and w[2:] == g:
        return True
    return False


def same(name, want, got, truth):
    if name in ("seller_tax_id", "buyer_tax_id"):
        return taxid_eq(want, truth.get(name + "_country"), got)
    if name == "iban":
        # a domestic account number (KSeF stores the Polish NRB) matches the
        # IBAN made of it
        w, g = compact(want), compact(got)
        return w == g or (w.isdigit() and len(g) == len(w) + 2 and g[2:] == w)
    if name == "doc_type":
        return str(want).strip() == str(got).strip()
    return equal(name, want, got)


def confidence(res, name):
    f = (res.get("fields") or {}).get(name)
    if isinstance(f, dict) and isinstance(f.get("confidence"), (int, float)):
        return float(f["confidence"])
    if name == "doc_type" and isinstance(res.get("doc_type_confidence"), (int, float)):
        return float(res["doc_type_confidence"])
    return None


def load(corpus):
    items = []
    for lang in sorted(os.listdir(corpus)):
        td = os.path.join(corpus, lang, "truth")
        if not os.path.isdir(td):
            continue
        for fn in sorted(os.listdir(td)):
            if not fn.endswith(".json"):
                continue
            name = fn[:-5]
            truth = json.load(open(os.path.join(td, fn), encoding="utf-8"))
            if "doc_type" not in truth:
                dt = xml_doc_type(os.path.join(corpus, lang, "xml", name + ".xml"))
                if dt:
                    truth["doc_type"] = dt
            for variant, sub, ext in (("text", "pdf", ".pdf"), ("scan", "scan", ".tif")):
                p = os.path.join(corpus, lang, sub, name + ext)
                if os.path.exists(p):
                    items.append((p, variant, lang, name, truth))
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--title", default="rendered")
    ap.add_argument("corpus")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    results = {}
    for p in a.results:
        for o in read_objects(p):
            if o.get("path"):
                results[os.path.realpath(o["path"])] = o
    items = load(a.corpus)
    # a kind of file never ingested (SCANS=0) is not scored
    seen = {v for p, v, _, _, _ in items if os.path.realpath(p) in results}
    items = [it for it in items if it[1] in seen]
    tallies = {}
    conf = {}   # variant -> [hi_right, hi_n, lo_right, lo_n]
    mism = []
    langs = sorted({it[2] for it in items})
    for path, variant, lang, name, truth in items:
        res = results.get(os.path.realpath(path))
        for key in ((variant, "all"), (variant, lang)):
            t = tallies.setdefault(key, Tally())
            for f in FIELDS:
                want = truth.get(f)
                got = result_value(res, f) if res is not None else None
                if got in ("", []) and f not in JSON_FIELDS:
                    got = None
                ok = None
                if want is None:
                    if got is not None:
                        t.add(f, fp=1)
                        ok = False
                elif got is None:
                    t.add(f, fn=1)
                elif same(f, want, got, truth):
                    t.add(f, tp=1)
                    ok = True
                else:
                    t.add(f, fp=1, fn=1)
                    ok = False
                if key[1] != "all":
                    continue
                if ok is not None:
                    c = confidence(res, f)
                    x = conf.setdefault(variant, [0, 0, 0, 0])
                    hi = c is not None and c >= 0.9
                    x[0 if hi else 2] += 1 if ok else 0
                    x[1 if hi else 3] += 1
                if ok is not True and (want is not None or got is not None):
                    mism.append((variant, lang, name, f, want, got, confidence(res, f)
                                 if res else None))
            if "lines" in truth:
                got = result_value(res, "lines") if res is not None else None
                got = got if isinstance(got, list) else []
                left, hit = list(got), 0
                from score_extract import line_eq
                for tr in truth["lines"]:
                    for i, g in enumerate(left):
                        if line_eq(tr, g):
                            hit += 1
                            del left[i]
                            break
                t.add("lines (rows)", tp=hit, fp=len(got) - hit, fn=len(truth["lines"]) - hit)
    head = "%-20s %5s %5s %5s   %5s  %5s  %5s" % ("field", "tp", "fp", "fn", "prec", "rec", "f1")
    for variant in ("text", "scan"):
        if (variant, "all") not in tallies:
            continue
        n = sum(1 for it in items if it[1] == variant)
        print("== %s: %s (%d files) ==" % (a.title, "text PDFs" if variant == "text"
                                           else "scans", n))
        t = tallies[(variant, "all")]
        print(head + "  " + "  ".join("%5s" % lg for lg in langs))
        for f in FIELDS + ["lines (rows)"]:
            if f in t.c:
                per = []
                for lg in langs:
                    tl = tallies.get((variant, lg))
                    if tl is None or f not in tl.c:
                        per.append("    -")
                    else:
                        per.append("%5.2f" % Tally.prf(*tl.c[f])[2])
                print(t.row(f, [f]) + "  " + "  ".join(per))
        per = []
        for lg in langs:
            tl = tallies.get((variant, lg))
            per.append("%5.2f" % Tally.prf(*[sum(tl.c.get(f, [0, 0, 0])[i] for f in FIELDS)
                                            for i in range(3)])[2] if tl else "    -")
        print(t.row("MICRO (all fields)", FIELDS) + "  " + "  ".join(per))
        x = conf.get(variant)
        if x:
            print("confidence >= 0.9: %d/%d right (%.3f); below: %d/%d right (%.3f)" % (
                x[0], x[1], x[0] / x[1] if x[1] else 0, x[2], x[3], x[2] / x[3] if x[3] else 0))
        print()
    if a.verbose and mism:
        print("mismatches (variant, lang, file, field, expected, got, confidence):")
        for v, lg, name, f, want, got, c in mism:
            print("  %s\t%s\t%s\t%s\t%s\t%s\t%s" % (
                v, lg, name, f, show(want) if want is not None else "-",
                show(got) if got is not None else "-", "%.2f" % c if c is not None else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
