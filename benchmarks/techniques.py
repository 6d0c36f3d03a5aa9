"""Each ranking technique on and off, on both halves of the dev data, beside stock Whoosh and FTS5.

    python -m benchmarks.quality --work DIR        # builds the indexes this searches
    python -m benchmarks.techniques --work DIR [--json]

Every technique is a switch or weight in `indexer.tuning`, read at query time, so all of them run against
the same indexes (those of `benchmarks.quality`, both tasks, all six directions). For each technique it
prints MRR@10 on each half of the dev articles and releases with the technique off and on, and the mean
over tasks and directions; a technique earns its place only where it wins on both halves. The stock
engines' figures by half come from the same indexes and queries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks import machine
from benchmarks.quality import DIRECTIONS, fts5, headlines, questions, scores, stock
from benchmarks.tune import evaluate, objective

# name -> (settings with the technique off, settings with it on); {} is the shipped default
TECHNIQUES: dict[str, tuple[dict, dict]] = {
    "capitalized English words translated": ({"capitalized_translated": False}, {}),
    "translations of several words": ({"phrase_translations": False}, {}),
    "twin scope (a twin's match counts; off: weight 0)": ({"twin": 0.0, "same_language_twin": 0.0}, {}),
    "twin overlap 0.5 (off: own and twin summed)": ({"twin_overlap": 1.0}, {}),
    "coordination (share of query words)": ({"coord_power": 0.0}, {}),
    "title weight x1 (off: x0.5)": ({"title": 0.5}, {}),
    "a compound's modifier alone counts (off: all parts together)": ({"modifier_alone": False}, {}),
    "proximity 0.1": ({}, {"proximity": 0.1}),
    "proximity 0.25": ({}, {"proximity": 0.25}),
    "pseudo-relevance feedback (3 releases, 10 terms, 0.3)": ({}, {"feedback_docs": 3}),
    "twin feedback (3 twins, 10 terms, 0.3)": ({}, {"twin_feedback": 0.3}),
}


def stock_figures(work: Path) -> dict[str, dict[str, list[float]]]:
    """MRR@10 by half per (task, direction) of stock Whoosh and FTS5 on the same indexes."""
    _, headline_queries = headlines(Path(tempfile.mkdtemp()))
    tasks = {"questions": questions(False), "headlines": headline_queries}
    figures: dict[str, dict[str, list[float]]] = {"stock whoosh": {}, "fts5": {}}
    for task, qs in tasks.items():
        for direction, (q_lang, doc_lang, index) in DIRECTIONS.items():
            engines = {"stock whoosh": stock(work / f"{task}-stock-{index}", doc_lang),
                       "fts5": fts5(work / f"{task}-fts5-{index}.db", doc_lang)}
            for engine, ranked in engines.items():
                figures[engine][f"{task} {direction}"] = scores(ranked, qs[q_lang], doc_lang)["mrr@10 by half"]
    return figures


def run(work: Path, processes: int) -> dict:
    settings = {json.dumps(s, sort_keys=True): s for off, on in TECHNIQUES.values() for s in (off, on)}
    with ProcessPoolExecutor(processes) as pool:
        done = dict(zip(settings, pool.map(evaluate, [str(work)] * len(settings), settings.values()), strict=True))
    rows = {}
    for name, (off, on) in TECHNIQUES.items():
        a, b = done[json.dumps(off, sort_keys=True)], done[json.dumps(on, sort_keys=True)]
        rows[name] = {"off": {k: [round(x, 4) for x in v] for k, v in a.items()},
                      "on": {k: [round(x, 4) for x in v] for k, v in b.items()},
                      "mean off": [round(objective(a, h), 4) for h in (0, 1)],
                      "mean on": [round(objective(b, h), 4) for h in (0, 1)]}
        rows[name]["wins on both halves"] = all(rows[name]["mean on"][h] > rows[name]["mean off"][h] for h in (0, 1))
    engines = stock_figures(work)
    return {"techniques": rows, "engines": {e: {"by direction": {k: [round(x, 4) for x in v] for k, v in f.items()},
                                                "mean": [round(objective(f, h), 4) for h in (0, 1)]}
                                            for e, f in engines.items()}}


def report(data: dict) -> None:
    print(machine.header())
    print("MRR@10, mean over both tasks and six directions, half 1 / half 2:")
    for engine, f in data["engines"].items():
        print(f"  {engine:58} {f['mean'][0]:.4f} / {f['mean'][1]:.4f}")
    print(f"\n{'technique':58} {'off':>17} {'on':>17}  wins on both")
    for name, row in data["techniques"].items():
        off, on = row["mean off"], row["mean on"]
        wins = "yes" if row["wins on both halves"] else "no"
        print(f"{name:58} {off[0]:.4f} / {off[1]:.4f} {on[0]:.4f} / {on[1]:.4f}  {wins}")
    print("\nby direction, half 1 / half 2, off -> on:")
    for name, row in data["techniques"].items():
        print(f"  {name}")
        for key in row["off"]:
            a, b = row["off"][key], row["on"][key]
            if a != b:
                print(f"    {key:34} {a[0]:.3f}/{a[1]:.3f} -> {b[0]:.3f}/{b[1]:.3f}")
    print("\nstock engines by direction, half 1 / half 2:")
    keys = next(iter(data["engines"].values()))["by direction"]
    for key in keys:
        print(f"    {key:34}" + "".join(f"  {e}: {f['by direction'][key][0]:.3f}/{f['by direction'][key][1]:.3f}"
                                        for e, f in data["engines"].items()))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.techniques", description=__doc__.split("\n\n")[0])
    p.add_argument("--work", required=True, help="the work folder of a `benchmarks.quality` run")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    machine.publish("techniques", run(Path(args.work), args.processes), args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
