#!/usr/bin/python3
"""score_speed.py WORKDIR SET... - the report of tests/bench/ocr_speed.sh.

Reads WORKDIR/times ("SET NAME wall user sys" per run), WORKDIR/SET/true.lst
(the pages), WORKDIR/SET/ref/DOC.txt (reference text) and the OCR text:
folio/DOC.txt per document, tess-*/DOC-xxx.txt per page. Prints per set
pages/min (best wall time), CPU seconds per page (median user+sys), the
folio/baseline ratios and word recall per contender.
"""
import collections
import os
import re
import statistics
import sys

WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text):
    return collections.Counter(w.lower() for w in WORD.findall(text))


def recall(ref, got):
    total = sum(ref.values())
    return sum(min(n, got[w]) for w, n in ref.items()) / total if total else 0.0


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def main():
    wd, sets = sys.argv[1], sys.argv[2:]
    runs = collections.defaultdict(list)
    with open(os.path.join(wd, "times")) as f:
        for line in f:
            p = line.split()
            if len(p) == 5:
                runs[(p[0], p[1])].append((float(p[2]), float(p[3]) + float(p[4])))
    names = ("folio", "tess-cfg", "tess-true")
    label = {"folio": "folio ingest --workers 2",
             "tess-cfg": "2x tesseract, configured langs",
             "tess-true": "2x tesseract, page's language"}
    for s in sets:
        lst = os.path.join(wd, s, "true.lst")
        if not os.path.exists(lst) or not runs.get((s, "folio")):
            continue
        pages = [l.split()[0] for l in open(lst) if l.strip()]
        docs = sorted(f[:-4] for f in os.listdir(os.path.join(wd, s, "ref")))
        refs = {d: words(read(os.path.join(wd, s, "ref", d + ".txt"))) for d in docs}
        print("\n%s: %d pages, %d documents, %d rounds" % (s, len(pages), len(docs),
                                                          len(runs[(s, "folio")])))
        stat = {}
        for n in names:
            r = runs.get((s, n))
            if not r:
                continue
            wall = min(x[0] for x in r)
            cpu = statistics.median(x[1] for x in r) / len(pages)
            rec = []
            for d in docs:
                if n == "folio":
                    got = words(read(os.path.join(wd, s, "folio", d + ".txt")))
                else:
                    t = "".join(read(os.path.join(wd, s, n, os.path.basename(p).rsplit(".", 1)[0]
                                                  + ".txt"))
                                for p in pages if os.path.basename(p).startswith(d + "-"))
                    got = words(t)
                rec.append(recall(refs[d], got))
            stat[n] = (60 * len(pages) / wall, cpu, statistics.mean(rec) if rec else 0)
            print("  %-32s %7.2f pages/min (best %.1f s)  %6.2f CPU-s/page  word recall %.3f"
                  % (label[n], stat[n][0], wall, cpu, stat[n][2]))
        for n in names[1:]:
            if "folio" in stat and n in stat:
                print("  ratio folio / %-10s  pages/min %.2fx   CPU-s/page %.2fx (goal >= 0.95x)"
                      % (n, stat["folio"][0] / stat[n][0], stat[n][1] / stat["folio"][1]))


if __name__ == "__main__":
    main()
