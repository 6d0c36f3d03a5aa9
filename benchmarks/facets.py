"""What facets cost a query: facet counting against the whole search, on an existing index.

    python -m benchmarks.facets --index DIR [--queries 500] [--out FILE] [--json]

For each of `--queries` real dev questions (both languages, after 50 warm-up questions and
`indexer.warm()`, as a server runs) it times `indexer.search` (top 10 with snippets, facets
included) and, on the same query's whole result set, the facet counting alone (`search.facets.count`):
the part facets add to a query; and the counting of cards (`scope.fold`: twins found only through
translation share a card) and of the language tabs (`scope.tab_totals`). Prints p50/p95 of each and the
machine; writes `benchmarks/results/<date>-facets.json`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import indexer
from benchmarks import machine
from benchmarks.speed import latency_summary, load_questions
from indexer.query.terms import untranslated
from indexer.search import facets
from indexer.search.handles import open_handle
from indexer.search.scope import fold, rank, tab_totals, twin_numbers


def measure(index: Path, queries: int) -> dict:
    questions, warmup = load_questions(queries)
    indexer.warm(index)
    for text in warmup:
        indexer.search(text, index_dir=index)
    handle = open_handle(index)
    search_ms, facet_ms, card_ms, sizes = [], [], [], []
    twin_of = twin_numbers(handle)
    for text in questions:
        started = time.perf_counter()
        indexer.search(text, index_dir=index)
        search_ms.append((time.perf_counter() - started) * 1000)
        parsed = handle.parser.parse(text)
        matched = rank(handle, parsed, None, None, 10).matched
        started = time.perf_counter()
        facets.count(handle.reader, matched)
        facet_ms.append((time.perf_counter() - started) * 1000)
        found = handle.reader.search(parsed.q)
        started = time.perf_counter()
        if parsed.context.translated:
            as_typed = untranslated(parsed.q, parsed.context.translated, parsed.context.words)
            fold(found, twin_of, lambda docs, q=as_typed: handle.reader.matches(q, docs) if q is not None
                 else np.zeros(len(docs), bool))
        tab_totals(handle, found, None, twin_of)
        card_ms.append((time.perf_counter() - started) * 1000)
        sizes.append(len(matched))
    return {"index": str(index), "releases": handle.reader.documents(), "queries": len(questions),
            "result_set_p50": statistics.median(sizes), "result_set_max": max(sizes),
            "search_ms": latency_summary(search_ms), "facets_ms": latency_summary(facet_ms),
            "cards_and_tabs_ms": latency_summary(card_ms), "twin_links": int((twin_of >= 0).sum() // 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.facets", description=__doc__.split("\n")[0])
    p.add_argument("--index", type=Path, required=True, help="an index folder, e.g. one the speed benchmark built")
    p.add_argument("--queries", type=int, default=500, help="real dev questions to time (default 500)")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-facets.json)")
    p.add_argument("--json", action="store_true", help="print the result JSON too")
    args = p.parse_args(argv)
    print(machine.header(), flush=True)
    data = measure(args.index, args.queries)
    print(f"{data['releases']:,} releases, {data['queries']} questions; result sets p50 "
          f"{data['result_set_p50']:,.0f}, max {data['result_set_max']:,} releases")
    for name in ("search_ms", "facets_ms", "cards_and_tabs_ms"):
        s = data[name]
        print(f"  {name.replace('_ms', ''):14} p50 {s['p50']:7.3f} ms  p95 {s['p95']:7.3f} ms"
              f"  mean {s['mean']:7.3f} ms")
    print(f"  facets are {data['facets_ms']['p50'] / data['search_ms']['p50']:.1%} of a search at p50")
    print(f"results: {machine.save('facets', data, args.out)}")
    if args.json:
        print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
