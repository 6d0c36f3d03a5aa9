"""Where twinsearch ranks a dev query's answer below a stock engine, and what turning one feature off does.

    python -m benchmarks.quality --work DIR        # builds the indexes this reads
    python -m benchmarks.losses --work DIR [--list]

For the within-language directions (de->de, en->en) of both tasks (XQuAD-dev questions, WMT-news-dev
headlines), it compares the gold's rank in twinsearch with its rank in stock Whoosh and in FTS5 (built
by `benchmarks.quality` in DIR), counts wins and losses, and for each loss tries twinsearch with one
thing turned off at query time: translation (`translate=False`), the twin scope (search all languages,
keep this language's hits), and the title fields (the words searched in the body only). A loss that one
of these fixes points at it; "none" means the cause is elsewhere (analysis, BM25 parameters, field
weights, the `*_xx` fields). `--list` prints every loss.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import indexer
from benchmarks.quality import DEFAULT_WORK, K, fts5, headlines, questions, stock

WORD = re.compile(r"[^\W_]+")


def rank(ids: list[str], gold: str) -> int | None:
    return ids.index(gold) + 1 if gold in ids[:K] else None


def worse(ours: int | None, theirs: int | None) -> bool:
    return theirs is not None and (ours is None or ours > theirs)


def switches(index: Path, question: str, lang: str) -> dict[str, Callable[[], list[str]]]:
    words = " ".join(WORD.findall(question))
    return {
        "translation": lambda: [h.id for h in indexer.search(question, index_dir=index, lang=lang, limit=K,
                                                             translate=False)],
        "twin scope": lambda: [h.id for h in indexer.search(question, index_dir=index, limit=5 * K)
                               if h.lang == lang][:K],
        "title fields": lambda: [h.id for h in indexer.search(f"body:({words})", index_dir=index, lang=lang,
                                                              limit=K)] if words else [],
    }


def analyse(work: Path, show: bool) -> list[str]:
    _, headline_queries = headlines(Path(tempfile.mkdtemp()))
    tasks = {"questions": questions(False), "headlines": headline_queries}
    lines = []
    for task, qs in tasks.items():
        index = work / f"{task}-index-twins"
        for lang in ("de", "en"):
            baselines = {"stock whoosh": stock(work / f"{task}-stock-twins", lang),
                         "fts5": fts5(work / f"{task}-fts5-twins.db", lang)}
            for name, baseline in baselines.items():
                wins = losses = 0
                causes: Counter[str] = Counter()
                for q in qs[lang]:
                    gold = f"{lang}/{q['doc']}"
                    ours = rank([h.id for h in indexer.search(q["question"], index_dir=index, lang=lang, limit=K)],
                                gold)
                    theirs = rank(baseline(q["question"]), gold)
                    wins += worse(theirs, ours)
                    if not worse(ours, theirs):
                        continue
                    losses += 1
                    fixed = [s for s, run in switches(index, q["question"], lang).items()
                             if not worse(rank(run(), gold), theirs)]
                    causes[", ".join(fixed) or "none"] += 1
                    if show:
                        lines.append(f"    {task} {lang}->{lang} vs {name}: ours {ours}, theirs {theirs}: "
                                     f"{q['question'][:80]!r} -> {', '.join(fixed) or 'none'}")
                lines.append(f"{task:9} {lang}->{lang} vs {name:12}: {wins:3} wins, {losses:3} losses of "
                             f"{len(qs[lang])}; losses fixed by turning off: {dict(causes.most_common()) or '-'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.losses", description=__doc__.split("\n")[0])
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="the work folder of a `benchmarks.quality` run")
    p.add_argument("--list", action="store_true", help="print every loss")
    args = p.parse_args(argv)
    if not (args.work / "questions-index-twins").is_dir():
        print(f"no quality indexes in {args.work}: run `python -m benchmarks.quality --work {args.work}` first",
              file=sys.stderr)
        return 2
    print("\n".join(analyse(args.work, args.list)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
