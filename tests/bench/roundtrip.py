#!/usr/bin/env python3
"""Compare the fields of archived e-invoices with those of their exports
re-ingested (see roundtrip.sh). Usage: roundtrip.py WORKDIR"""
import collections, hashlib, json, os, re, sqlite3, sys

W = sys.argv[1]
FORMATS = sys.argv[2:] or ["ubl", "cii", "ksef"]


def fields(db):
    con = sqlite3.connect(os.path.join(db, "folio.db"))
    docs = {}
    for i, path, typ, sha in con.execute("SELECT id, path, doc_type, sha256 FROM documents"):
        docs[i] = {"_path": path, "_type": typ, "_sha": sha}
    for i, name, value in con.execute("SELECT doc_id, name, value FROM fields"):
        docs[i][name] = value
    return docs


def norm(name, value, orig=None):
    """Comparable form. A breakdown read from a page may carry a per-rate
    gross (net + VAT, which e-invoice formats do not write) and no VAT
    category (which the exporter derives: S for a rate above 0): those two
    are not counted as differences."""
    if name in ("vat_breakdown", "lines", "charges"):
        try:
            v = json.loads(value)
        except (TypeError, ValueError):
            return value
        if name == "vat_breakdown":
            o = json.loads(orig) if orig else []
            for i, e in enumerate(v):
                e.pop("gross", None)
                if i < len(o) and "category" not in o[i]:
                    e.pop("category", None)
        return json.dumps(v, sort_keys=True)
    return value


a = fields(os.path.join(W, "a"))
print("round trip: %d documents in the first archive (%d invoices and credit notes)" % (
    len(a), sum(1 for d in a.values() if d["_type"] in ("invoice", "credit_note"))))
total_fail = 0
for fmt in FORMATS:
    notes = [json.loads(l) for l in open(os.path.join(W, "export-%s.jsonl" % fmt))]
    fates = collections.Counter(n.get("fate") for n in notes if not n.get("summary"))
    reasons = collections.Counter()
    for n in notes:
        if n.get("fate") == "refused":
            for r in n["reason"].split("; "):
                if "is not Polish" in r:
                    reasons["the seller is not Polish"] += 1
                    continue
                m = re.match(r"(?:ksef: )?((?:BR|PEPPOL)-[A-Z0-9-]+|[A-Z][A-Za-z_0-9/]+)", r)
                reasons[m.group(1) if m else r[:40]] += 1
    bdir = os.path.join(W, "b-" + fmt)
    b = fields(bdir) if os.path.exists(os.path.join(bdir, "folio.db")) else {}
    by_sha = {d["_sha"]: d for d in b.values()}
    per_field = collections.Counter()
    diff_field = collections.Counter()
    examples = {}
    docs_equal = 0
    pairs = 0
    # every exported file, found in the second archive by its bytes (two
    # samples with the same content give the same file)
    for n in notes:
        if n.get("fate") != "exported" or not n.get("file"):
            continue
        path = os.path.join(W, "out-" + fmt, n["file"])
        sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        d, orig = by_sha.get(sha), a.get(n["id"])
        if d is None or orig is None:
            continue
        pairs += 1
        base = n["file"]
        same = True
        for k, v in orig.items():
            if k.startswith("_"):
                continue
            per_field[k] += 1
            if norm(k, d.get(k), v) != norm(k, v, v):
                diff_field[k] += 1
                examples.setdefault(k, (base, v, d.get(k)))
                same = False
        if orig["_type"] != d["_type"]:
            diff_field["doc_type"] += 1
            same = False
        docs_equal += same
    compared = sum(per_field.values())
    differing = sum(diff_field.values())
    total_fail += differing
    print("\n%s: exported %d, refused %d; re-ingested and compared %d; documents with every "
          "field equal %d/%d; fields equal %d/%d" % (
              fmt, fates.get("exported", 0), fates.get("refused", 0), pairs, docs_equal, pairs,
              compared - differing, compared))
    for r, c in reasons.most_common():
        print("  refused: %-40s %d" % (r, c))
    for k, c in diff_field.most_common():
        f, was, now = examples[k]
        print("  differs: %-16s %3d  e.g. %s: %r -> %r" % (k, c, f, was[:80] if was else was,
                                                         now[:80] if now else now))
