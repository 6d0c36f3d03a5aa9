"""How far to trust the lexicon learned from the twins: its precision on a judged sample, and how often
a name search marks or finds text that does not contain the name.

    python -m benchmarks.lexicon [--work DIR] [--sample] [--names N] [--out FILE] [--json]

It indexes the dev archives (`wmt-news-dev` and `xquad-dev`, 284 releases in 142 twin pairs) as a user
would, then reports:

- **precision**: the share of the learned German->English pairs in `benchmarks/data/lexicon-judged.tsv`
  judged right (a translation of the word, as a dictionary would give it). The sample was drawn at random
  from the lexicon learned at the commit named in the file, and judged by hand; pairs the lexicon no
  longer holds are counted apart. `--sample` prints a fresh random sample of the current lexicon to judge.
- **false marks and false hits of name searches**: every name (a capitalized word that releases of both
  languages use, 2 to 30 of them, and none in lower case: `Brexit`, `Kavanaugh`) is searched in all
  languages (50 results);
  a hit is false when neither it nor its twin contains the name (as its German or English stem: `Adams`
  finds `Adam`), and a mark (`<mark>` in a snippet) is false when the marked text does not contain it.
  A translation of a name is what makes both happen (`Brexit → minister` marked "Außenminister").
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from benchmarks import machine
from benchmarks.quality import EVAL, ROOT

JUDGED = ROOT / "benchmarks" / "data" / "lexicon-judged.tsv"
DEFAULT_WORK = ROOT / "benchmarks" / "work" / "lexicon"
SAMPLE = 100
SEED = 13
NAME = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+[A-ZÄÖÜa-zäöüß]*\b")
MARK = re.compile(r"<mark>(.*?)</mark>")
WORD = re.compile(r"[^\W\d_]+")
MIN_DOCS, MAX_DOCS = 2, 30


def build(work: Path) -> Path:
    import indexer

    if work.exists():
        shutil.rmtree(work)
    index = work / "index"
    indexer.rebuild(source=[EVAL / "wmt-news-dev" / "docs", EVAL / "xquad-dev" / "docs"], index_dir=index)
    return index


def learned_pairs(index: Path) -> list[tuple[str, str]]:
    from indexer.search.handles import open_handle

    lexicon = open_handle(index).translator.learned
    return sorted((de, en) for de, found in lexicon.de.items() for en, _ in found)


def precision(pairs: list[tuple[str, str]]) -> dict:
    """Each judged sample's precision (the lexicon it was drawn from), and that of the judged pairs the
    current lexicon still holds."""
    with open(JUDGED, encoding="utf-8") as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    present = set(pairs)
    held = [r for r in rows if (r["de"], r["en"]) in present]
    by_sample = {}
    for name in sorted({n for r in rows for n in r["sample"].split(",")}):
        drawn = [r for r in rows if name in r["sample"].split(",")]
        by_sample[name] = {"pairs": len(drawn), "right": sum(r["right"] == "1" for r in drawn),
                           "precision": round(sum(r["right"] == "1" for r in drawn) / len(drawn), 3)}
    right = sum(r["right"] == "1" for r in held)
    return {"judged": len(rows), "samples": by_sample, "still_learned": len(held), "right": right,
            "precision": round(right / len(held), 3) if held else None,
            "judged_right_dropped": sum(r["right"] == "1" for r in rows if (r["de"], r["en"]) not in present),
            "judged_wrong_dropped": sum(r["right"] == "0" for r in rows if (r["de"], r["en"]) not in present)}


def names(index: Path) -> list[str]:
    """Names: capitalized words that releases of both languages use, each in MIN_DOCS..MAX_DOCS releases,
    and that no release writes in lower case (so not `Agency` of a headline, which is also `agency`)."""
    from indexer.search.handles import open_handle

    reader = open_handle(index).reader
    seen: dict[str, dict[str, set[int]]] = {}
    lower: set[str] = set()
    for docnum in range(reader.size):
        stored = reader.stored(docnum)
        text = f"{stored.get('title') or ''} {stored.get('body') or ''}"
        for word in set(NAME.findall(text)):
            seen.setdefault(word, {}).setdefault(stored.get("lang") or "", set()).add(docnum)
        lower.update(w for w in WORD.findall(text) if w.islower())
    found = []
    for word, by_lang in seen.items():
        docs = set().union(*by_lang.values())
        if {"de", "en"} <= by_lang.keys() and MIN_DOCS <= len(docs) <= MAX_DOCS and len(word) > 3 \
                and word.lower() not in lower:
            found.append(word)
    return sorted(found)


def name_searches(index: Path, words: list[str]) -> dict:
    import indexer
    from indexer.analysis import normalize_words

    def stems(text: str) -> set[str]:
        words_ = WORD.findall(text)
        return {t for code in ("de", "en") for t in normalize_words(code, words_) if t}

    texts: dict[str, set[str]] = {}

    def terms_of(doc_id: str) -> set[str]:
        if doc_id not in texts:
            d = indexer.get(doc_id, index_dir=index) or {}
            texts[doc_id] = stems(f"{d.get('title') or ''} {d.get('body') or ''}")
        return texts[doc_id]

    counts: Counter[str] = Counter()
    examples: list[str] = []
    for word in words:
        name = stems(word)
        try:
            hits = indexer.search(word, index_dir=index, limit=50).hits
        except indexer.QueryError:  # a stop word of one of the languages
            continue
        for hit in hits:
            for h in (hit, hit.twin_hit) if hit.twin_hit else (hit,):
                counts["hits"] += 1
                if not (name & terms_of(h.id) or (h.twin and name & terms_of(h.twin))):
                    counts["false_hits"] += 1
                    examples.append(f"{word}: {h.id}")
                for marked in MARK.findall(h.snippet):
                    counts["marks"] += 1
                    if not (name & stems(marked) or word.lower() in marked.lower()):
                        counts["false_marks"] += 1
                        examples.append(f"{word}: marked {marked!r} in {h.id}")
    return {"names": len(words), "hits": counts["hits"], "false_hits": counts["false_hits"],
            "false_hit_rate": round(counts["false_hits"] / max(1, counts["hits"]), 4),
            "marks": counts["marks"], "false_marks": counts["false_marks"],
            "false_mark_rate": round(counts["false_marks"] / max(1, counts["marks"]), 4),
            "examples": examples[:15]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.lexicon", description=__doc__.split("\n")[0])
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"scratch folder (default {DEFAULT_WORK})")
    p.add_argument("--sample", action="store_true", help=f"print {SAMPLE} random learned pairs to judge, and stop")
    p.add_argument("--names", type=int, help="search only the first N names (default: all)")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-lexicon.json)")
    p.add_argument("--json", action="store_true", help="print the result JSON too")
    args = p.parse_args(argv)
    if not (EVAL / "wmt-news-dev").is_dir():
        print(f"the dev archives are not at {EVAL}", file=sys.stderr)
        return 2
    print(machine.header(), flush=True)
    index = build(args.work)
    pairs = learned_pairs(index)
    if args.sample:
        for de, en in sorted(random.Random(SEED).sample(pairs, min(SAMPLE, len(pairs)))):
            print(f"{de}\t{en}")
        return 0
    data = {"learned_pairs": len(pairs), "precision": precision(pairs),
            "name_searches": name_searches(index, names(index)[:args.names])}
    pr, ns = data["precision"], data["name_searches"]
    print(f"learned pairs (German -> English): {len(pairs)}")
    for name, sample in pr["samples"].items():
        print(f"judged sample {name!r}: {sample['right']} of {sample['pairs']} right, precision {sample['precision']}")
    print(f"judged pairs: {pr['still_learned']} of {pr['judged']} still learned, {pr['right']} right: precision "
          f"{pr['precision']} ({pr['judged_wrong_dropped']} judged wrong and {pr['judged_right_dropped']} judged "
          "right are no longer learned)")
    print(f"name searches: {ns['names']} names, {ns['hits']} hits, false hits {ns['false_hits']} "
          f"({ns['false_hit_rate']:.1%}), marks {ns['marks']}, false marks {ns['false_marks']} "
          f"({ns['false_mark_rate']:.1%})")
    for example in ns["examples"]:
        print(f"  {example}")
    print(f"results: {machine.save('lexicon', data, args.out)}")
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
