#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Score folio's fields on the receipts of make_receipts.py against their truth.

    score_receipts.py [--verbose] [--title T] [--json OUT] SPLITDIR RESULTS

SPLITDIR holds NAME.jpg|png and NAME.json (the truth); RESULTS are
`folio show --json` objects with "path". Fields: issue_date (exactly),
gross_total (to the cent), currency (ISO code), doc_type (receipt) and
seller_name (case-insensitively, white space collapsed, accents kept).
Counting as score_rendered.py: right = TP; wrong = FP + FN; missing = FN.
A receipt folio did not archive counts as every field missing.

Confidence calibration: per field, values folio gives are put in bins of
their confidence (< 0.5, 0.5-0.8, 0.8-0.9, >= 0.9) with how many are right
in each; a calibrated reader is right about as often as it says.
Also per language and per capture (photo / scan) for date and total.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score_extract import read_objects, result_value  # noqa: E402

FIELDS = ["issue_date", "gross_total", "currency", "doc_type", "seller_name"]
BINS = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.01)]


def same(name, want, got):
    if got is None:
        return False
    if name == "gross_total":
        try:
            return abs(float(got) - float(want)) < 0.005
        except (TypeError, ValueError):
            return False
    if name == "seller_name":
        c = lambda s: re.sub(r"\s+", " ", str(s)).strip().casefold()
        return c(want) == c(got)
    if name == "currency":
        return str(got).upper() == str(want).upper()
    return str(got) == str(want)


def confidence(res, name):
    f = (res.get("fields") or {}).get(name)
    if isinstance(f, dict) and isinstance(f.get("confidence"), (int, float)):
        return float(f["confidence"])
    if name == "doc_type" and isinstance(res.get("doc_type_confidence"), (int, float)):
        return float(res["doc_type_confidence"])
    return None


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--title", default="receipts")
    ap.add_argument("--json", help="write the scores here too")
    ap.add_argument("splitdir")
    ap.add_argument("results")
    a = ap.parse_args()
    truth = {}
    for fn in sorted(os.listdir(a.splitdir)):
        if fn.endswith(".json"):
            with open(os.path.join(a.splitdir, fn), encoding="utf-8") as fh:
                t = json.load(fh)
            truth[t["file"]] = t
    results = {}
    for res in read_objects(a.results):
        results[os.path.basename(res.get("path", ""))] = res
    tally = {f: [0, 0, 0] for f in FIELDS}
    cal = {f: [[0, 0] for _ in BINS] for f in FIELDS}
    groups = {}  # (kind, key) -> field -> [right, n]
    mism = []
    for fn, t in sorted(truth.items()):
        res = results.get(fn)
        for f in FIELDS:
            want = t.get(f)
            if want is None:
                continue
            got = result_value(res, f) if res else None
            ok = same(f, want, got)
            x = tally[f]
            if ok:
                x[0] += 1
            elif got is None:
                x[2] += 1
            else:
                x[1] += 1
                x[2] += 1
            if got is not None:
                c = confidence(res, f)
                if c is not None:
                    for i, (lo, hi) in enumerate(BINS):
                        if lo <= c < hi:
                            cal[f][i][0] += ok
                            cal[f][i][1] += 1
            if f in ("issue_date", "gross_total"):
                for kind in ("lang", "capture", "family", "font"):
                    g = groups.setdefault((kind, t.get(kind)), {})
                    y = g.setdefault(f, [0, 0])
                    y[0] += ok
                    y[1] += 1
            if not ok:
                mism.append((fn, f, want, got, confidence(res, f) if res and got is not None else None))
    n = len(truth)
    print("%s: %d receipts, %d archived" % (a.title, n, sum(1 for k in truth if k in results)))
    print("%-12s %5s %5s %5s  %6s %6s %6s" % ("field", "TP", "FP", "FN", "prec", "recall", "F1"))
    out = {"title": a.title, "receipts": n, "fields": {}}
    for f in FIELDS:
        tp, fp, fn_ = tally[f]
        p, r, ff = f1(tp, fp, fn_)
        out["fields"][f] = {"tp": tp, "fp": fp, "fn": fn_, "precision": p, "recall": r, "f1": ff}
        print("%-12s %5d %5d %5d  %6.3f %6.3f %6.3f" % (f, tp, fp, fn_, p, r, ff))
    print("\nconfidence calibration (right/given per bin):")
    print("%-12s" % "field" + "".join("%14s" % ("[%.1f,%.1f)" % (lo, min(hi, 1.0))) for lo, hi in BINS))
    for f in FIELDS:
        print("%-12s" % f + "".join("%14s" % ("%d/%d" % tuple(b) if b[1] else "-") for b in cal[f]))
    out["calibration"] = {f: cal[f] for f in FIELDS}
    print("\ndate / total right per group:")
    for (kind, key), g in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        d, tt = g.get("issue_date", [0, 0]), g.get("gross_total", [0, 0])
        print("  %-8s %-22s date %2d/%-2d  total %2d/%-2d" % (kind, key, d[0], d[1], tt[0], tt[1]))
    if a.verbose and mism:
        print("\nmismatches (file, field, expected, got, confidence):")
        for m in mism:
            print("  %s\t%s\t%s\t%s\t%s" % m)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
