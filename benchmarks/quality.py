"""Retrieval quality of twinsearch beside stock Whoosh and SQLite FTS5, on the dev data, within and across
languages, on two tasks.

    python -m benchmarks.quality [--json] [--no-compounds] [--no-translation] [--smoke] [--work DIR]

Questions: XQuAD-dev questions (German and English, one gold paragraph each) are asked against indexes
of the XQuAD-dev paragraphs (their first two lines, the English article key, dropped) plus every
document of WMT-news-dev as distractors. Headline -> article: each WMT-news-dev release's headline
(its first line) is removed from the indexed text and searched for, the gold being that release; the
XQuAD-dev paragraphs are the distractors. For each task:

- with twins: German and English paragraphs in one index, linked by the twin linker inside
  rebuild; de->de, en->en, en->de (English question, `lang="de"`) and de->en.
- without twins: only the German paragraphs for en->de, only the English ones for de->en; a
  question reaches the other language through its own words (names, numbers) and translation only.

For each it prints MRR@10, Recall@1 and Recall@10 (and MRR@10 on each half of the dev articles or
releases, to fit on one and check on the other), the same for a stock Whoosh baseline built in the
same run (`LanguageAnalyzer` per language, the default `QueryParser` with an OR group) and for SQLite
FTS5 as shipped (`porter unicode61`, the words OR-ed, `bm25`), and twin-linking precision, recall and
F1 on WMT-news-dev against its `twins.tsv`. `--no-compounds`
builds the indexes without compound splitting, `--no-translation` searches without the dictionary
and the learned lexicon. Writes `benchmarks/results/<date>-quality[-variant].json`; a `--smoke` run
(a sample of the questions, well under a minute) writes into its work folder instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser
from whoosh.query import Term

from benchmarks import machine
from indexer.backend import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
XQUAD = EVAL / "xquad-dev"
WMT = EVAL / "wmt-news-dev"
DEFAULT_WORK = ROOT / "benchmarks" / "work" / "quality"
K = 10
SMOKE_QUESTIONS = 40
SMOKE_SEED = 7
DIRECTIONS = {  # name -> (question language, document language, index)
    "de->de": ("de", "de", "twins"), "en->en": ("en", "en", "twins"),
    "en->de": ("en", "de", "twins"), "de->en": ("de", "en", "twins"),
    "en->de (no twins)": ("en", "de", "de-only"), "de->en (no twins)": ("de", "en", "en-only"),
}
INDEXES = {"twins": ("de", "en"), "de-only": ("de",), "en-only": ("en",)}
ENGINES = ("twinsearch", "stock whoosh", "fts5")
FTS_WORD = re.compile(r"\w+")


def paragraphs(work: Path) -> Path:
    """XQuAD-dev as a source folder `de/<pid>.txt`, `en/<pid>.txt`, the article-key lines dropped."""
    folder = work / "xquad"
    if folder.exists():
        shutil.rmtree(folder)
    for lang in ("de", "en"):
        (folder / lang).mkdir(parents=True)
        for f in sorted((XQUAD / "docs" / lang).glob("*.txt")):
            text = f.read_text(encoding="utf-8").split("\n", 2)[2]
            (folder / lang / f.name).write_text(text, encoding="utf-8")
    return folder


def sources(xquad: Path, work: Path, langs: tuple[str, ...]) -> list[Path]:
    """The source folders of one index: the paragraphs of `langs` and all of WMT-news-dev."""
    if len(langs) == 2:
        return [xquad, WMT / "docs"]
    only = work / f"xquad-{langs[0]}"
    if not only.exists():
        shutil.copytree(xquad / langs[0], only / langs[0])
    return [only, WMT / "docs"]


def questions(smoke: bool) -> dict[str, list[dict]]:
    by_lang: dict[str, list[dict]] = {"de": [], "en": []}
    with open(XQUAD / "questions.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            q["half"] = half_of(q["doc"])
            by_lang[q["lang"]].append(q)
    if smoke:
        rng = random.Random(SMOKE_SEED)
        by_lang = {lang: rng.sample(qs, SMOKE_QUESTIONS) for lang, qs in by_lang.items()}
    return by_lang


def scores(ranked: Callable[[str], list[str]], qs: list[dict], doc_lang: str) -> dict:
    """MRR@10, Recall@1 and Recall@10 of `ranked` (question -> top ids) over `qs`."""
    rr, at1, at10 = 0.0, 0, 0
    half_rr, half_n = [0.0, 0.0], [0, 0]
    started = time.perf_counter()
    for q in qs:
        ids = ranked(q["question"])
        gold = f"{doc_lang}/{q['doc']}"
        half = q["half"]
        half_n[half] += 1
        if gold in ids[:K]:
            rank = ids.index(gold) + 1
            rr += 1 / rank
            half_rr[half] += 1 / rank
            at1 += rank == 1
            at10 += 1
    n = len(qs)
    return {"mrr@10": round(rr / n, 4), "recall@1": round(at1 / n, 4), "recall@10": round(at10 / n, 4),
            "mrr@10 by half": [round(r / max(1, m), 4) for r, m in zip(half_rr, half_n, strict=True)],
            "questions": n, "ms_per_query": round((time.perf_counter() - started) * 1000 / n, 1)}


def half_of(doc: str) -> int:
    """0 or 1: the half of the dev articles a paragraph (`xq-ARTICLE-PARAGRAPH`) belongs to, so that a change
    can be fitted on one half and checked on the other (all paragraphs of an article in one half)."""
    return int(doc.split("-")[1]) % 2


def headlines(work: Path) -> tuple[Path, dict[str, list[dict]]]:
    """WMT-news-dev with each release's headline line (its first line) removed, as a source folder, and the
    headlines as queries whose gold is their own release (`doc`); halves by the pair's place in sorted order."""
    folder = work / "wmt"
    queries: dict[str, list[dict]] = {"de": [], "en": []}
    docids = sorted(f.stem for f in (WMT / "docs" / "de").glob("*.txt"))
    for lang in ("de", "en"):
        (folder / lang).mkdir(parents=True)
        for n, docid in enumerate(docids):
            headline, _, rest = (WMT / "docs" / lang / f"{docid}.txt").read_text(encoding="utf-8").partition("\n")
            (folder / lang / f"{docid}.txt").write_text(rest.lstrip("\n"), encoding="utf-8")
            queries[lang].append({"question": headline.strip(), "doc": docid, "half": n % 2})
    return folder, queries


def headline_sources(wmt: Path, xquad: Path, work: Path, langs: tuple[str, ...]) -> list[Path]:
    """The source folders of one headline index: the headline-less releases of `langs` and, as distractors,
    all XQuAD-dev paragraphs."""
    if len(langs) == 2:
        return [wmt, xquad]
    only = work / f"wmt-{langs[0]}"
    if not only.exists():
        shutil.copytree(wmt / langs[0], only / langs[0])
    return [only, xquad]


def ours(index_dir: Path, doc_lang: str, translate: bool) -> Callable[[str], list[str]]:
    import indexer

    def ranked(question: str) -> list[str]:
        try:
            return [h.id for h in indexer.search(question, index_dir=index_dir, lang=doc_lang, limit=K,
                                                 translate=translate)]
        except indexer.QueryError:
            return []
    return ranked


def build_stock(folders: list[Path], index_dir: Path) -> None:
    """Stock Whoosh: one `LanguageAnalyzer` field per language, decided by our language detection."""
    from indexer.build.workers import prepare
    from indexer.ingest import read_file, scan

    schema = Schema(id=ID(stored=True, unique=True), lang=ID(stored=True),
                    text_de=TEXT(analyzer=LanguageAnalyzer("de")), text_en=TEXT(analyzer=LanguageAnalyzer("en")))
    index_dir.mkdir(parents=True)
    writer = whoosh_index.create_in(index_dir, schema).writer()
    for folder in folders:
        for sf in scan(folder):
            for doc in read_file(sf)[0]:
                prepare(doc)
                lang = doc.lang if doc.lang in ("de", "en") else "en"
                writer.add_document(id=doc.id, lang=lang, **{f"text_{lang}": f"{doc.title or ''}\n{doc.body}"})
    writer.commit()


def stock(index_dir: Path, doc_lang: str) -> Callable[[str], list[str]]:
    ix = whoosh_index.open_dir(index_dir)
    searcher = ix.searcher()
    parser = QueryParser(f"text_{doc_lang}", ix.schema, group=OrGroup)

    def ranked(question: str) -> list[str]:
        hits = searcher.search(parser.parse(question), limit=K, filter=Term("lang", doc_lang))
        return [h["id"] for h in hits]
    return ranked


def build_fts5(folders: list[Path], db: Path) -> None:
    """SQLite FTS5 as shipped: one table, `porter unicode61` (English stemming for every language), the
    language from our detection."""
    from indexer.build.workers import prepare
    from indexer.ingest import read_file, scan

    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, lang UNINDEXED, text, "
                "tokenize='porter unicode61')")
    with con:
        for folder in folders:
            for sf in scan(folder):
                for doc in read_file(sf)[0]:
                    prepare(doc)
                    text = f"{doc.title or ''}\n{doc.body}"
                    con.execute("INSERT INTO docs VALUES (?, ?, ?)", (doc.id, doc.lang, text))
    con.close()


def fts5(db: Path, doc_lang: str) -> Callable[[str], list[str]]:
    con = sqlite3.connect(db)

    def ranked(question: str) -> list[str]:
        words = FTS_WORD.findall(question)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = con.execute("SELECT id FROM docs WHERE docs MATCH ? AND lang = ? ORDER BY bm25(docs) LIMIT ?",
                           (match, doc_lang, K)).fetchall()
        return [row[0] for row in rows]
    return ranked


def twin_linking(work: Path) -> dict:
    """Precision, recall and F1 of the twin linker on WMT-news-dev, as `rebuild` links it."""
    import indexer

    index_dir = work / "index-wmt"
    indexer.rebuild(source=WMT / "docs", index_dir=index_dir)
    found = {(link.de, link.en) for link in indexer.twins(index_dir=index_dir)}
    gold = {tuple(line.split("\t")) for line in (WMT / "twins.tsv").read_text().split("\n") if line}
    right = len(found & gold)
    precision = right / len(found) if found else 0.0
    recall = right / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if right else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "links": len(found), "gold": len(gold)}


def run(args: argparse.Namespace) -> dict:
    import indexer

    work = Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if args.no_compounds:
        os.environ["TWINSEARCH_COMPOUNDS"] = "0"
    xquad = paragraphs(work)
    wmt, headline_queries = headlines(work)
    tasks = {"questions": (questions(args.smoke), lambda langs: sources(xquad, work, langs)),
             "headlines": (headline_queries, lambda langs: headline_sources(wmt, xquad, work, langs))}
    built: dict[str, float] = {}
    found: dict[str, dict] = {}
    for task, (qs, folders) in tasks.items():
        for name, langs in INDEXES.items():
            started = time.perf_counter()
            indexer.rebuild(source=folders(langs), index_dir=work / f"{task}-index-{name}")
            built[f"{task} {name}"] = round(time.perf_counter() - started, 2)
            if args.backend != "whoosh":
                started = time.perf_counter()
                indexer.rebuild(source=folders(langs), index_dir=work / f"{task}-{args.backend}-{name}",
                                backend=args.backend)
                built[f"{task} {name} ({args.backend})"] = round(time.perf_counter() - started, 2)
            build_stock(folders(langs), work / f"{task}-stock-{name}")
            build_fts5(folders(langs), work / f"{task}-fts5-{name}.db")
        results: dict[str, dict] = {engine: {} for engine in engines_of(args.backend)}
        for direction, (q_lang, doc_lang, index) in DIRECTIONS.items():
            engines = {"twinsearch": ours(work / f"{task}-index-{index}", doc_lang, not args.no_translation),
                       "stock whoosh": stock(work / f"{task}-stock-{index}", doc_lang),
                       "fts5": fts5(work / f"{task}-fts5-{index}.db", doc_lang)}
            if args.backend != "whoosh":
                engines[f"twinsearch on {args.backend}"] = ours(work / f"{task}-{args.backend}-{index}", doc_lang,
                                                                not args.no_translation)
            for engine, ranked in engines.items():
                results[engine][direction] = scores(ranked, qs[q_lang], doc_lang)
        found[task] = results
    return {"variant": variant(args), "smoke": args.smoke, "backend": args.backend, "build_seconds": built,
            "results": found["questions"],
            "headlines": found["headlines"], "twin_linking": twin_linking(work)}


def engines_of(backend: str) -> tuple[str, ...]:
    """The engines measured: ours (on Whoosh), the stock ones, and ours on `backend` where it is another."""
    return ENGINES if backend == "whoosh" else (*ENGINES, f"twinsearch on {backend}")


def variant(args: argparse.Namespace) -> str:
    from indexer.translation import dictionary

    return "-".join(name for name, on in (("no-compounds", args.no_compounds),
                                           ("no-translation", args.no_translation),
                                           ("no-dictionary", dictionary.load() is None),
                                           (args.backend, args.backend != "whoosh")) if on) or "full"


def report(data: dict) -> None:
    print(machine.header())
    print(f"variant: {data['variant']}{' (smoke sample)' if data['smoke'] else ''}; "
          f"index builds: {data['build_seconds']} s")
    engines = engines_of(data.get("backend", "whoosh"))
    for task, results in (("questions (XQuAD-dev)", data["results"]),
                          ("headline -> article (WMT-news-dev)", data["headlines"])):
        print(f"\n{task}")
        print(f"{'':22}" + "".join(f"{engine:>28}" for engine in engines))
        print(f"{'direction':22}" + f"{'MRR@10':>10}{'R@1':>9}{'R@10':>9}" * len(engines))
        for direction in DIRECTIONS:
            print(f"{direction:22}" + "".join(
                f"{r['mrr@10']:>10.3f}{r['recall@1']:>9.3f}{r['recall@10']:>9.3f}"
                for r in (results[engine][direction] for engine in engines)))
        print("MRR@10 by half (fit on one, check on the other):" + "".join(f"{engine:>18}" for engine in engines))
        for direction in DIRECTIONS:
            print(f"  {direction:46}" + "".join(
                "{:>9.3f}{:>9.3f}".format(*results[engine][direction]["mrr@10 by half"]) for engine in engines))
    t = data["twin_linking"]
    print(f"\ntwin linking (wmt-news-dev): precision {t['precision']:.3f}, recall {t['recall']:.3f}, "
          f"F1 {t['f1']:.3f} ({t['links']} links, {t['gold']} gold)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--no-compounds", action="store_true", help="build the indexes without compound splitting")
    p.add_argument("--no-translation", action="store_true", help="search without query translation")
    p.add_argument("--smoke", action="store_true", help=f"{SMOKE_QUESTIONS} questions per language, for CI")
    p.add_argument("--work", default=str(DEFAULT_WORK), help=f"scratch folder (default {DEFAULT_WORK})")
    p.add_argument("--backend", choices=sorted(BACKENDS), default="whoosh",
                   help="also measure twinsearch on this backend, beside Whoosh (opensearch: the cluster at "
                        "$TWINSEARCH_OPENSEARCH_URL)")
    args = p.parse_args(argv)
    data = run(args)
    name = "quality" if data["variant"] == "full" else f"quality-{data['variant']}"
    machine.publish(name, data, args.json, report, Path(args.work) / f"{name}.json" if args.smoke else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
