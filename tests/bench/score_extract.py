#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Score folio's extracted invoice fields against ground truth.

    score_extract.py [--truth TRUTH.json | --truth-lines TRUTH.jsonl]
                     [--ingest INGEST.jsonl] [--verbose] RESULTS...

RESULTS hold what `folio show --json ID` printed, one object per document
(JSON lines, or objects simply concatenated): {"path": ..., "doc_type": ...,
"fields": {"name": {"value": ..., "confidence": ..., "source": ...}}}.
Values may be strings, JSON numbers (amounts) or arrays (vat_breakdown,
lines; a string holding a JSON array is read as that array).

Ground truth is either tests/fixtures/invoices/truth.json (default; files
are matched by base name and scored separately as "text" PDFs and "scan"s)
or, with --truth-lines, lines {"file": ..., "fields": {...}} as printed by
tests/bench/einvoice_truth.py (scored as "xml" and "pdf" by extension; a
line with "fields": null is not an invoice and is skipped).

Comparison: amounts numerically to the cent; dates exactly; tax IDs and
IBANs compact upper case; names case-insensitively after white space is
normalised; invoice and order numbers after white space is normalised;
vat_breakdown as a set of (rate, net, vat), plus category,
exemption_reason and exemption_code when the truth has them; lines in
order, each on the keys the truth row has among description, quantity,
unit_price, net, vat_rate and category (the whole list must match; "lines
(rows)" also counts rows); charges in order, every key of every entry.
With --truth-lines the fields only e-invoices carry (countries, addresses,
buyer and payment references, charges, prepaid and rounding amounts, the
parties' identifiers, legal and tax registrations, delivery, invoicing
period, preceding invoice, tax point date and VAT due date code, payment
terms and means, the payee's account when not an IBAN, its name and BIC)
are scored too.
Against truth.json the parties' addresses and countries are scored too
(a country the page does not print is "derived": optional).
doc_type falls back to the document's top-level doc_type.

Counting per field: right value = TP; wrong value = FP and FN; missing =
FN; a value where the truth has none = FP (null values are ignored).
Fields the truth marks "derived" (not printed as such) are optional: right
= TP, wrong = FP, missing = nothing. A truth file with no result counts all
its fields as FN.
"""
import argparse
import json
import os
import re
import statistics
import sys
from decimal import Decimal, InvalidOperation

FIELDS = ["doc_type", "invoice_number", "issue_date", "supply_date", "due_date",
          "currency", "seller_name", "seller_tax_id", "buyer_name", "buyer_tax_id",
          "net_total", "vat_total", "gross_total", "amount_due", "iban",
          "order_reference", "vat_breakdown", "lines"]
# what only e-invoices carry; scored with --truth-lines only
EI_FIELDS = ["seller_country", "seller_address", "buyer_country", "buyer_address",
             "buyer_reference", "payment_reference", "charges", "prepaid_amount",
             "rounding_amount", "seller_identifier", "seller_identifier_scheme",
             "seller_legal_id", "seller_legal_id_scheme", "seller_tax_registration",
             "buyer_identifier", "buyer_identifier_scheme", "buyer_legal_id",
             "buyer_legal_id_scheme", "delivery_name", "delivery_address", "delivery_country",
             "period_start", "period_end", "preceding_invoice_number", "preceding_invoice_date",
             "preceding_invoice_ksef", "tax_point_date", "vat_due_date_code", "payment_terms",
             "payment_means_code", "payment_account", "payment_account_name", "payment_bic"]
# what a printed page's party blocks give; scored against truth.json
PARTY_FIELDS = ["seller_address", "seller_country", "buyer_address", "buyer_country"]
KEY_FIELDS = ["invoice_number", "issue_date", "due_date", "seller_tax_id", "buyer_tax_id",
              "net_total", "vat_total", "gross_total"]
AMOUNTS = {"net_total", "vat_total", "gross_total", "amount_due", "prepaid_amount",
           "rounding_amount"}
JSON_FIELDS = ("vat_breakdown", "lines", "charges")
# breakdown keys beyond (rate, net, vat), compared when the truth has them
BD_EXTRA = ["category", "exemption_reason", "exemption_code"]
DATES = {"issue_date", "supply_date", "due_date", "period_start", "period_end",
         "preceding_invoice_date", "tax_point_date"}
COMPACT = {"seller_tax_id", "buyer_tax_id", "iban"}
NAMES = {"seller_name", "buyer_name"}
LINE_KEYS = ["description", "quantity", "unit_price", "net", "vat_rate", "category"]
CHARGE_AMOUNTS = {"amount", "base"}
CENT = Decimal("0.01")


# ---- reading -------------------------------------------------------------

def read_objects(path):
    """JSON objects from a file: JSON lines or concatenated objects."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    dec = json.JSONDecoder()
    i, out = 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def result_value(res, name):
    f = (res.get("fields") or {}).get(name)
    if isinstance(f, dict) and "value" in f:
        v = f["value"]
    else:
        v = f
    if v is None and name == "doc_type":
        v = res.get("doc_type")
    if isinstance(v, str) and name in JSON_FIELDS:
        try:
            v = json.loads(v)
        except ValueError:
            pass
    return v


# ---- comparing -----------------------------------------------------------

def num(v):
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v).strip())
    except InvalidOperation:
        return None


def cents(v):
    n = num(v)
    return None if n is None else n.quantize(CENT)


def ws(v):
    return " ".join(str(v).split())


def norm(name, v):
    if name in AMOUNTS:
        return cents(v)
    if name in COMPACT:
        return re.sub(r"[\s.\-/]", "", str(v)).upper()
    if name in NAMES:
        return ws(v).casefold()
    if name in ("currency", "seller_country", "buyer_country", "delivery_country"):
        return str(v).strip().upper()
    if name in DATES or name == "doc_type":
        return str(v).strip()
    return ws(v)


def rate(v):
    n = num(str(v).rstrip("%").strip()) if v is not None else None
    return None if n is None else n.normalize()


def br_set(v, extra=()):
    if not isinstance(v, list):
        return None
    try:
        return sorted((rate(r.get("rate")), cents(r.get("net")), cents(r.get("vat")))
                      + tuple(ws(r[k]) if r.get(k) is not None else "" for k in extra)
                      for r in v)
    except (AttributeError, TypeError):
        return None


def charge_key(c):
    """One allowance or charge, amounts to the cent, rates as numbers."""
    out = []
    for k in sorted(c):
        v = c[k]
        if k in CHARGE_AMOUNTS:
            v = cents(v)
        elif k in ("rate", "percent"):
            v = rate(v)
        else:
            v = ws(v)
        out.append((k, str(v)))
    return tuple(out)


def line_eq(t, g):
    if not isinstance(g, dict):
        return False
    for k in LINE_KEYS:
        if k not in t:
            continue
        if k == "description":
            if ws(g.get(k, "")).casefold() != ws(t[k]).casefold():
                return False
        elif k == "vat_rate":
            if rate(g.get(k)) != rate(t[k]):
                return False
        elif k == "quantity":
            a, b = num(g.get(k)), num(t[k])
            if a is None or a != b:
                return False
        elif cents(g.get(k)) != cents(t[k]):
            return False
    return True


def equal(name, want, got):
    if name == "vat_breakdown":
        extra = [k for k in BD_EXTRA if any(isinstance(r, dict) and k in r for r in want)]
        return br_set(got, extra) is not None and br_set(got, extra) == br_set(want, extra)
    if name == "charges":
        try:
            return (isinstance(got, list) and len(got) == len(want)
                    and [charge_key(g) for g in got] == [charge_key(t) for t in want])
        except (AttributeError, TypeError):
            return False
    if name == "lines":
        return (isinstance(got, list) and len(got) == len(want)
                and all(line_eq(t, g) for t, g in zip(want, got)))
    n = norm(name, got)
    return n is not None and n == norm(name, want)


def line_rows(want, got):
    """(matched, truth rows, result rows), each truth row matched once."""
    want = want or []
    got = got if isinstance(got, list) else []
    left = list(got)
    hit = 0
    for t in want:
        for i, g in enumerate(left):
            if line_eq(t, g):
                hit += 1
                del left[i]
                break
    return hit, len(want), len(got)


def show(v):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return s if len(s) <= 160 else s[:157] + "..."


# ---- scoring -------------------------------------------------------------

class Tally:
    def __init__(self):
        self.c = {}

    def add(self, field, tp=0, fp=0, fn=0):
        x = self.c.setdefault(field, [0, 0, 0])
        x[0] += tp
        x[1] += fp
        x[2] += fn

    @staticmethod
    def prf(tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def row(self, label, fields):
        tp = sum(self.c.get(f, [0, 0, 0])[0] for f in fields)
        fp = sum(self.c.get(f, [0, 0, 0])[1] for f in fields)
        fn = sum(self.c.get(f, [0, 0, 0])[2] for f in fields)
        p, r, f1 = self.prf(tp, fp, fn)
        return "%-20s %5d %5d %5d   %5.3f  %5.3f  %5.3f" % (label, tp, fp, fn, p, r, f1)


def score_doc(tally, truth_fields, derived, res, label, mism, fields=FIELDS):
    for name in fields:
        want = truth_fields.get(name)
        got = result_value(res, name) if res is not None else None
        if got in ("", []) and name not in JSON_FIELDS:
            got = None
        if want is None:
            if got is not None:
                tally.add(name, fp=1)
                mism.append((label, name, None, got))
            continue
        if got is None:
            if name not in derived:
                tally.add(name, fn=1)
                mism.append((label, name, want, None))
            continue
        if equal(name, want, got):
            tally.add(name, tp=1)
        else:
            tally.add(name, fp=1, fn=0 if name in derived else 1)
            mism.append((label, name, want, got))
    if "lines" in truth_fields:
        hit, nt, ng = line_rows(truth_fields["lines"],
                                result_value(res, "lines") if res is not None else None)
        tally.add("lines (rows)", tp=hit, fp=ng - hit, fn=nt - hit)


def match_results(results, keys):
    """Map each truth key (a path) to its result: exact path, then real path,
    then a path suffix, then a unique base name."""
    by_path = {}
    for r in results:
        p = r.get("path")
        if p:
            by_path.setdefault(p, r)
    real = {os.path.realpath(p): r for p, r in by_path.items()}
    base = {}
    for p, r in by_path.items():
        base.setdefault(os.path.basename(p), []).append(r)
    out = {}
    for k in keys:
        if k in by_path:
            out[k] = by_path[k]
        elif os.path.realpath(k) in real:
            out[k] = real[os.path.realpath(k)]
        else:
            suf = [r for p, r in by_path.items()
                   if k.endswith("/" + p.lstrip("./")) or p.endswith("/" + k.lstrip("./"))]
            if len(suf) == 1:
                out[k] = suf[0]
            elif len(base.get(os.path.basename(k), [])) == 1:
                out[k] = base[os.path.basename(k)][0]
    return out


def load_truth(args):
    """[(file key, variant, fields, derived)]"""
    items = []
    if args.truth_lines:
        for o in read_objects(args.truth_lines):
            if o.get("fields") is None:
                continue
            ext = os.path.splitext(o["file"])[1].lower().lstrip(".") or "other"
            fields = dict(o["fields"])
            for k in JSON_FIELDS:
                if isinstance(fields.get(k), str):
                    fields[k] = json.loads(fields[k])
            items.append((o["file"], ext, fields, set()))
        return items
    t = json.load(open(args.truth, encoding="utf-8"))
    for doc_id, d in sorted(t["documents"].items()):
        for variant in ("text", "scan"):
            if variant in d["files"]:
                items.append((d["files"][variant], variant, d["fields"],
                              set(d.get("derived", []))))
    return items


def timing(path, variants):
    rows = {}
    for o in read_objects(path):
        p, s = o.get("path"), o.get("seconds")
        if p is None or not isinstance(s, (int, float)):
            continue
        v = variants.get(os.path.basename(p), "other")
        rows.setdefault(v, []).append(float(s))
    print("\nseconds per document (folio ingest --json):")
    for v, xs in sorted(rows.items()):
        print("  %-6s n=%-4d mean %6.2f  median %6.2f  max %6.2f" % (
            v, len(xs), statistics.mean(xs), statistics.median(xs), max(xs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--truth", default=os.path.join(here, "..", "fixtures", "invoices",
                                                    "truth.json"))
    ap.add_argument("--truth-lines", help="einvoice_truth.py output instead of truth.json")
    ap.add_argument("--ingest", help="folio ingest --json output, for time per document")
    ap.add_argument("--verbose", "-v", action="store_true", help="list the mismatches")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()

    results = []
    for p in args.results:
        results += read_objects(p)
    items = load_truth(args)
    fields = FIELDS + EI_FIELDS if args.truth_lines else FIELDS + PARTY_FIELDS
    found = match_results(results, [k for k, _, _, _ in items])
    tallies, ndocs, missing, mism = {}, {}, [], []
    for key, variant, truth, derived in items:
        res = found.get(key)
        if res is None:
            missing.append(key)
        ndocs[variant] = ndocs.get(variant, 0) + 1
        score_doc(tallies.setdefault(variant, Tally()), truth, derived, res,
                  os.path.basename(key) if not args.truth_lines else key, mism, fields)

    head = "%-20s %5s %5s %5s   %5s  %5s  %5s" % ("field", "tp", "fp", "fn", "prec",
                                                 "rec", "f1")
    names = {"text": "text PDFs", "scan": "scans", "xml": "XML e-invoices",
             "pdf": "PDF e-invoices"}
    overall = Tally()
    for variant in sorted(tallies, key=lambda v: ["text", "scan", "xml", "pdf"].index(v)
                          if v in ("text", "scan", "xml", "pdf") else 9):
        t = tallies[variant]
        print("== %s (%d files) ==" % (names.get(variant, variant), ndocs[variant]))
        print(head)
        for f in fields + ["lines (rows)"]:
            if f in t.c:
                print(t.row(f, [f]))
                overall.add(f, *t.c[f])
        print(t.row("KEY FIELDS", KEY_FIELDS))
        print()
    print("== all (%d files) ==" % sum(ndocs.values()))
    print(head)
    print(overall.row("KEY FIELDS", KEY_FIELDS))
    print(overall.row("ALL FIELDS", fields))
    if missing:
        print("\n%d file(s) without a result: %s" % (len(missing), " ".join(
            os.path.basename(m) for m in missing[:20]) + (" ..." if len(missing) > 20 else "")))
    if args.ingest and not args.truth_lines:
        variants = {os.path.basename(k): v for k, v, _, _ in items}
        timing(args.ingest, variants)
    elif args.ingest:
        timing(args.ingest, {os.path.basename(k): v for k, v, _, _ in items})
    if args.verbose and mism:
        print("\nmismatches (file, field, expected, got):")
        for label, name, want, got in mism:
            print("  %s\t%s\t%s\t%s" % (label, name, show(want) if want is not None else "-",
                                        show(got) if got is not None else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
