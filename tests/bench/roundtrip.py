#!/usr/bin/env python3
"""Compare the fields of archived e-invoices with those of their exports
re-ingested (see roundtrip.sh). Usage: roundtrip.py WORKDIR"""
import collections, json, os, sqlite3, sys

W = sys.argv[1]


def fields(db):
    con = sqlite3.connect(os.path.join(db, "folio.db"))
    docs = {}
    for i, path, typ in con.execute("SELECT id, path, doc_type FROM documents"):
        docs[i] = {"_path": path, "_type": typ}
    for i, name, value in con.execute("SELECT doc_id, name, value FROM fields"):
        docs[i][name] = value
    return docs


def norm(name, value):
    if name in ("vat_breakdown", "lines", "charges"):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


a = fields(os.path.join(W, "a"))
print("round trip: %d documents in the first archive (%d invoices and credit notes)" % (
    len(a), sum(1 for d in a.values() if d["_type"] in ("invoice", "credit_note"))))
total_fail = 0
for fmt in ("ubl", "cii", "ksef"):
    notes = [json.loads(l) for l in open(os.path.join(W, "export-%s.jsonl" % fmt))]
    fates = collections.Counter(n.get("fate") for n in notes if not n.get("summary"))
    reasons = collections.Counter()
    for n in notes:
        if n.get("fate") == "refused":
            for r in n["reason"].split("; "):
                reasons[r.split(" ")[0]] += 1
    bdir = os.path.join(W, "b-" + fmt)
    b = fields(bdir) if os.path.exists(os.path.join(bdir, "folio.db")) else {}
    per_field = collections.Counter()
    diff_field = collections.Counter()
    examples = {}
    docs_equal = 0
    for d in b.values():
        base = os.path.basename(d["_path"])
        orig = a.get(int(base.split("-")[0]))
        if orig is None:
            continue
        same = True
        for k, v in orig.items():
            if k.startswith("_"):
                continue
            per_field[k] += 1
            if norm(k, d.get(k)) != norm(k, v):
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
    print("\n%s: exported %d, refused %d; re-ingested %d; documents with every field equal "
          "%d/%d; fields equal %d/%d" % (fmt, fates.get("exported", 0), fates.get("refused", 0),
                                         len(b), docs_equal, len(b), compared - differing,
                                         compared))
    for r, c in reasons.most_common():
        print("  refused by %-12s %d" % (r, c))
    for k, c in diff_field.most_common():
        f, was, now = examples[k]
        print("  differs: %-16s %3d  e.g. %s: %r -> %r" % (k, c, f, was[:80] if was else was,
                                                         now[:80] if now else now))
