#!/usr/bin/env python3
"""Score folio's recognised text against the fixtures' ground truth.

usage: score.py TRUTH_JSON ARCHIVE_DIR FOLIO

For every scanned sample (text_layer false) in truth.json, compares the
words of the ground-truth page text with the words folio recognised
(`folio text ID`), as bags of words. Prints word recall overall, recall of
words with diacritics, and character error rate (Levenshtein distance of
the whitespace-normalised texts / truth length).
"""
import json
import subprocess
import sys
import unicodedata
from collections import Counter


def words(text):
    out = []
    for w in text.split():
        w = w.strip(".,:;()[]{}\"'")
        if w:
            out.append(w)
    return out


def has_diacritic(w):
    return any(c == "ł" or c == "Ł" or unicodedata.decomposition(c).split()[1:2]
               and ord(c) > 127 for c in w)


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


def main():
    truth = json.load(open(sys.argv[1]))["files"]
    archive, folio = sys.argv[2], sys.argv[3]
    ids = {}
    # map paths to documents through `show`, ids are dense from 1
    n = 1
    while True:
        r = subprocess.run([folio, "--archive", archive, "show", "--json", str(n)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            break
        d = json.loads(r.stdout)
        ids[d["path"].rsplit("/scans/", 1)[-1]] = d
        n += 1
    tot = hit = dtot = dhit = 0
    edits = chars = 0
    for name, t in sorted(truth.items()):
        if t.get("text_layer", True) or "page_text" not in t or name not in ids:
            continue
        ref = "\n".join(t["page_text"])
        got = ids[name]["text"]
        rw, gw = Counter(words(ref)), Counter(words(got))
        for w, c in rw.items():
            h = min(c, gw.get(w, 0))
            tot += c
            hit += h
            if has_diacritic(w):
                dtot += c
                dhit += h
        a, b = " ".join(ref.split()), " ".join(got.split())
        edits += lev(a, b)
        chars += len(a)
    print(f"word_recall {hit / max(tot, 1):.4f} diacritic_word_recall {dhit / max(dtot, 1):.4f} "
          f"cer {edits / max(chars, 1):.4f} words {tot} diacritic_words {dtot}")


if __name__ == "__main__":
    main()
