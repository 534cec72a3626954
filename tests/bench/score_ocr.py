#!/usr/bin/python3
"""Score folio's page reading against the plain tesseract CLI.

usage: score_ocr.py SCANS_TRUTH_JSON SHARED_OCR_DIR WORKDIR
       score_ocr.py --split SCANS_TRUTH_JSON SPLITDIR

WORKDIR holds what tests/bench/ocr.sh left: folio.jsonl (one page per
line from tests/bench/ocr_driver), tess.tsv (set, file, wall/user/sys
seconds) and tess/SET.FILE.txt (tesseract's text).

CER: Levenshtein distance between the whitespace-normalised texts divided
by the truth's length (capped at 1 per page: a page read as garbage costs
its length, not more). Word recall: the share of the truth's words (bag of
words, punctuation stripped at the ends) found in the output. Both are
pooled per class (summed edits / summed truth length).

--split scores batch splitting: SPLITDIR holds, per batch NAME (the file
name without extension), NAME.jsonl (`folio ingest --json` of the batch),
NAME.ID.txt (`folio text ID`, pages separated by form feeds) and
NAME.ID.json (`folio show --json ID`) for each part. Part N is the one
archived as FILE#N. A page of the truth is right when part N has it at the
same position: a paper's page shows at least one of its distinctive words
and none of another part's, a blank back none at all. A part is right when
it has exactly its pages and all are right; a batch is exact when it has
exactly the truth's parts and all are right. Words: the distinctive words
found in their own part, out of all.
"""
import json
import os
import sys
from collections import Counter, defaultdict

# the shared pages with gold text: file -> (gold file, rotation cw to upright)
SHARED = {
    "phototest.tif": ("phototest.txt", 0),
    "phototest-rotated-L.png": ("phototest.gold.txt", 90),
    "phototest-rotated-R.png": ("phototest.gold.txt", 270),
    "phototest-rotated-180.png": ("phototest.gold.txt", 180),
    "eurotext.tif": ("eurotext.txt", 0),
    "8071_093.3B.tif": ("8071_093.3B.txt", 0),
    "8087_054.3B.tif": ("8087_054.3B.txt", 0),
}
CLASS_ORDER = ["clean", "rot90", "rot180", "rot270", "skew", "noise", "blur", "jpeg", "border",
               "dpi150", "dpi200", "dpi400", "dpi600", "scanner", "nearblank", "blank",
               "shared", "shared-rot"]


def norm(text):
    return " ".join(text.split())


def words(text):
    out = []
    for w in text.split():
        w = w.strip(".,:;()[]{}\"'!?«»„”“")
        if w:
            out.append(w)
    return out


def lev(a, b):
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def score(truth, got):
    t, g = norm(truth), norm(got)
    edits = min(lev(t, g), len(t)) if t else 0
    tw, gw = Counter(words(truth)), Counter(words(got))
    hit = sum(min(n, gw[w]) for w, n in tw.items())
    return edits, len(t), hit, sum(tw.values())


def main():
    truth_path, shared_dir, work = sys.argv[1:4]
    truth = json.load(open(truth_path, encoding="utf-8"))["files"]
    pages = {}
    for line in open(os.path.join(work, "folio.jsonl"), encoding="utf-8"):
        p = json.loads(line)
        pages[(p["set"], os.path.basename(p["file"]))] = p
    times = {}
    for line in open(os.path.join(work, "tess.tsv"), encoding="utf-8"):
        s, f, t = line.rstrip("\n").split("\t")
        wall, user, sys_ = (float(x) for x in t.split())
        times[(s, f)] = (wall, user + sys_)

    items = []  # (set, file, class, truth dict)
    for f, t in truth.items():
        items.append(("scans", f, t["class"], t))
    for f, (gold, rot) in SHARED.items():
        path = os.path.join(shared_dir, gold)
        if os.path.exists(path):
            text = open(path, encoding="utf-8", errors="replace").read()
            items.append(("shared", f, "shared-rot" if rot else "shared",
                          {"text": text, "rotation": rot, "blank": False, "skew": None,
                           "lang": "", "dpi": None}))

    acc = defaultdict(lambda: [0] * 8)  # class -> folio e,n,h,w, tess e,n,h,w
    orient = [0, 0]
    blank = [0, 0]
    blank_chars = [0, 0]
    skew_err = []
    lang = [0, 0]
    dpi_ok = [0, 0]
    t_folio = [0.0, 0.0, 0]
    t_tess = [0.0, 0.0, 0]
    missing = []
    for s, f, cls, t in items:
        p = pages.get((s, f))
        if p is None:
            if (s, f) in times:
                missing.append(f)
            continue
        tess_txt = os.path.join(work, "tess", "%s.%s.txt" % (s, f))
        tt = open(tess_txt, encoding="utf-8", errors="replace").read() \
            if os.path.exists(tess_txt) else ""
        a = acc[cls]
        for k, v in enumerate(score(t["text"], p["text"]) + score(t["text"], tt)):
            a[k] += v
        blank[0] += p["blank"] == t["blank"]
        blank[1] += 1
        if t["blank"]:
            blank_chars[0] += len(norm(p["text"]))
            blank_chars[1] += len(norm(tt))
            continue
        if cls != "nearblank":
            orient[0] += p["rotation"] == t["rotation"]
            orient[1] += 1
        if t.get("skew") is not None and cls != "nearblank":
            skew_err.append(abs(p["skew"] - t["skew"]))
        if t.get("lang"):
            lang[0] += p["languages"] == t["lang"]
            lang[1] += 1
        if t.get("dpi"):
            dpi_ok[0] += p["dpi"] == (300 if t["dpi"] > 400 else t["dpi"] * 2
                                      if t["dpi"] < 200 else t["dpi"])
            dpi_ok[1] += 1
        if (s, f) in times:
            t_folio[0] += p["seconds"]
            t_folio[1] += p["cpu"]
            t_folio[2] += 1
            t_tess[0] += times[(s, f)][0]
            t_tess[1] += times[(s, f)][1]
            t_tess[2] += 1

    print("%-11s %5s  %8s %8s  %8s %8s" % ("class", "pages", "CER", "CER", "recall",
                                              "recall"))
    print("%-11s %5s  %8s %8s  %8s %8s" % ("", "", "folio", "tess", "folio", "tess"))
    tot = [0] * 8
    order = [c for c in CLASS_ORDER if c in acc] + sorted(c for c in acc if c not in CLASS_ORDER)
    counts = Counter(cls for s, f, cls, t in items if (s, f) in pages)
    for cls in order:
        a = acc[cls]
        tot = [x + y for x, y in zip(tot, a)]
        if cls == "blank":
            print("%-11s %5d  %8s %8s  %8s %8s   (characters output: folio %d, tess %d)"
                  % (cls, counts[cls], "-", "-", "-", "-", blank_chars[0], blank_chars[1]))
            continue
        print("%-11s %5d  %8.4f %8.4f  %8.3f %8.3f" % (
            cls, counts[cls], a[0] / max(a[1], 1), a[4] / max(a[5], 1),
            a[2] / max(a[3], 1), a[6] / max(a[7], 1)))
    print("%-11s %5d  %8.4f %8.4f  %8.3f %8.3f" % (
        "all", sum(counts.values()), tot[0] / max(tot[1], 1), tot[4] / max(tot[5], 1),
        tot[2] / max(tot[3], 1), tot[6] / max(tot[7], 1)))
    print()
    print("orientation  %d/%d right" % tuple(orient))
    if skew_err:
        skew_err.sort()
        print("skew         mean |error| %.2f deg, max %.2f deg (%d pages)" % (
            sum(skew_err) / len(skew_err), skew_err[-1], len(skew_err)))
    print("blank        %d/%d right" % tuple(blank))
    print("language     %d/%d pages read with their language alone" % tuple(lang))
    print("resolution   %d/%d pages at the expected dpi" % tuple(dpi_ok))
    if t_folio[2]:
        print("time/page    folio %.2f s wall, %.2f s CPU; tesseract %.2f s wall, %.2f s CPU; "
              "ratio %.2fx wall, %.2fx CPU (%d pages with text)" % (
                  t_folio[0] / t_folio[2], t_folio[1] / t_folio[2], t_tess[0] / t_tess[2],
                  t_tess[1] / t_tess[2], t_folio[0] / max(t_tess[0], 1e-9),
                  t_folio[1] / max(t_tess[1], 1e-9), t_folio[2]))
    if missing:
        print("not read by folio: %s" % " ".join(missing))


def split_main(truth_path, sdir):
    batches = json.load(open(truth_path, encoding="utf-8")).get("batches", {})
    tot = Counter()
    lines = []
    for name, b in sorted(batches.items()):
        key = os.path.splitext(os.path.basename(name))[0]
        jl = os.path.join(sdir, key + ".jsonl")
        if not os.path.exists(jl):
            continue
        got = {}  # part number -> (normalised page texts, page_info, pages)
        for line in open(jl, encoding="utf-8"):
            d = json.loads(line)
            n = int(d["path"].rpartition("#")[2]) if "#" in d["path"] else 1
            base = os.path.join(sdir, "%s.%d" % (key, d["id"]))
            txt = open(base + ".txt", encoding="utf-8", errors="replace").read() \
                if os.path.exists(base + ".txt") else ""
            show = json.load(open(base + ".json", encoding="utf-8")) \
                if os.path.exists(base + ".json") else {}
            got[n] = ([norm(t).lower() for t in txt.split("\f")],
                      show.get("page_info") or [], d.get("pages") or 0)
        parts = b["parts"]
        c = Counter()
        for i, p in enumerate(parts, 1):
            texts, info, npages = got.get(i, ([], [], 0))
            others = [w.lower() for j, q in enumerate(parts, 1) if j != i for w in q["words"]]
            ok_part = npages == len(p["pages"])
            for k, pg in enumerate(p["pages"]):
                t = texts[k] if k < len(texts) else None
                if pg in b["blank"]:  # a blank back: no paper's words
                    right = t is not None and not any(w.lower() in t for w in
                                                      others + p["words"])
                    c["backs"] += 1
                    c["backs_blank"] += k < len(info) and bool(info[k].get("blank"))
                else:
                    mine = p["page_words"][str(pg)]
                    right = t is not None and any(w.lower() in t for w in mine) and \
                        not any(w in t for w in others)
                c["pages"] += 1
                c["pages_ok"] += right
                ok_part = ok_part and right
            alltext = " ".join(texts)
            c["words"] += len(p["words"])
            c["words_ok"] += sum(w.lower() in alltext for w in p["words"])
            c["parts"] += 1
            c["parts_ok"] += ok_part
        sep_text = sum(any(m in t for m in ("patcht", "patch t", "folio-sep", "separator sheet"))
                       for n in got for t in got[n][0])
        exact = len(got) == len(parts) and c["parts_ok"] == len(parts) and not sep_text
        c["batches"] += 1
        c["exact"] += exact
        tot.update(c)
        lines.append("  %-22s %-5s parts %d/%d (folio made %d), pages %d/%d, words %d/%d, "
                     "blank backs marked blank %d/%d%s" % (
                         os.path.basename(name), "exact" if exact else "WRONG", c["parts_ok"],
                         c["parts"], len(got), c["pages_ok"], c["pages"], c["words_ok"],
                         c["words"], c["backs_blank"], c["backs"],
                         "; separator text in %d part pages" % sep_text if sep_text else ""))
    if not tot["batches"]:
        return
    print()
    print("split: %d/%d batches exact, parts %d/%d, pages %d/%d, words in their part %d/%d, "
          "blank backs marked blank %d/%d" % (
              tot["exact"], tot["batches"], tot["parts_ok"], tot["parts"], tot["pages_ok"],
              tot["pages"], tot["words_ok"], tot["words"], tot["backs_blank"], tot["backs"]))
    for line in lines:
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--split"]:
        split_main(sys.argv[2], sys.argv[3])
    else:
        main()
