"""Our array ranking against Whoosh's own matchers, on the same parsed queries of the same index.

    python -m benchmarks.matchers --index benchmarks/work/speed/n100000/ours [--queries 60] [--json]

Why `indexer/backend/whoosh/ranking.py` exists: our queries are wide ORs (each word in six fields, its compound
parts, its translations) under a coordination factor, which Whoosh's one-document-at-a-time
matchers must score document by document. Both sides get the same parsed query (`search.parse`),
after `indexer.warm()`, and return the top 10 without snippets. It also counts the questions whose
top 10 (documents and scores) agree. On an index of one segment they all do
(`tests/backend/test_ranking.py`); over several segments Whoosh's scores for our coordinated queries
change with how the index is split, ours do not (also tested), so fewer agree there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import indexer
from benchmarks import machine
from benchmarks.speed import load_questions
from indexer.backend.postings import top as best_of

search_module = sys.modules["indexer.search"]  # `indexer.search` is the function


def measure(index: Path, questions: list[str]) -> dict:
    indexer.warm(index)
    handle = search_module.open_handle(index)
    ours, theirs, agree = [], [], 0
    for text in questions:
        q = handle.parser.parse(text).q
        started = time.perf_counter()
        top = best_of(handle.reader.search(q), 10)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hits = handle.reader.searcher.search(q, limit=10)
        theirs.append((time.perf_counter() - started) * 1000)
        agree += [(h.docnum, round(h.score, 4)) for h in hits] == [
            (int(d), round(float(s), 4)) for d, s in zip(top.docs, top.scores, strict=True)]
    reader = handle.reader.searcher.reader()
    return {"index": str(index), "releases": handle.reader.searcher.doc_count(),
            "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
            "questions": len(questions), "same_top10": agree,
            "arrays_ms": _summary(ours), "whoosh_matchers_ms": _summary(theirs)}


def _summary(ms: list[float]) -> dict:
    return {"p50": round(statistics.median(ms), 2), "mean": round(statistics.mean(ms), 2), "max": round(max(ms), 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.matchers", description=__doc__.split("\n")[0])
    p.add_argument("--index", type=Path, required=True, help="an index folder, e.g. one the speed benchmark built")
    p.add_argument("--queries", type=int, default=60, help="real dev questions to time (default 60)")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-matchers.json)")
    p.add_argument("--json", action="store_true", help="also print the result JSON")
    args = p.parse_args(argv)
    print(machine.header(), flush=True)
    data = measure(args.index, load_questions(args.queries)[0])
    a, w = data["arrays_ms"], data["whoosh_matchers_ms"]
    print(f"{data['questions']} questions, {data['releases']:,} releases in {data['segments']} segment(s): "
          f"arrays p50 {a['p50']:.1f} ms, mean {a['mean']:.1f} ms; Whoosh's matchers p50 {w['p50']:.1f} ms, "
          f"mean {w['mean']:.1f} ms; the same top 10 for {data['same_top10']}")
    path = machine.save("matchers", data, args.out)
    print(f"results: {path}")
    if args.json:
        print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
