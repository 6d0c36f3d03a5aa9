"""The ranking's weights (`indexer.tuning`) by two-fold cross-validation on the dev data.

    python -m benchmarks.quality --work DIR        # builds the indexes this searches
    python -m benchmarks.tune --work DIR [--json] [--only k1,b]

Every weight in `indexer.tuning` is read at query time, so one set of indexes serves every setting. The
objective is twinsearch's mean MRR@10 over both tasks (XQuAD-dev questions, WMT-news-dev headlines) and
all six directions, on one half of the dev articles and releases (`quality.half_of`, the pair's place).

For each fold, coordinate ascent fits the weights on one half: one weight at a time, over its candidate
values, the others held at their best so far (one pass). The fitted weights are then scored on the other
half, beside the defaults. A weight is worth changing only where both folds move it the same way and the
change wins on both held-out halves; the report says which ones do. Candidate values are evaluated in
two processes; each setting's figures are cached in `DIR/tune-cache.json`.
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
from benchmarks.quality import DIRECTIONS, headlines, ours, questions, scores

GRID: dict[str, tuple[float, ...]] = {
    "k1": (0.6, 0.9, 1.2, 1.6, 2.0),
    "b": (0.4, 0.6, 0.75, 0.9),
    "title": (0.5, 0.75, 1.0, 1.5),
    "coord_power": (0.5, 1.0, 1.5, 2.0),
    "translation": (0.4, 0.6, 0.8, 1.0),
    "twin": (0.4, 0.6, 0.8, 1.0),
    "same_language_twin": (0.0, 0.15, 0.3, 0.5),
    "twin_overlap": (0.0, 0.5, 1.0),
    "part": (0.8, 1.2, 1.6),
    "proximity": (0.0, 0.1, 0.25),
}
PASSES = 1


def key(setting: dict[str, float]) -> str:
    return json.dumps(dict(sorted(setting.items())))


def evaluate(work: str, setting: dict[str, float]) -> dict[str, list[float]]:
    """MRR@10 on each half, per (task, direction), of twinsearch with the weights `setting`."""
    from indexer import tuning

    _, headline_queries = headlines(Path(tempfile.mkdtemp()))
    tasks = {"questions": questions(False), "headlines": headline_queries}
    with tuning.use(**setting):
        return {f"{task} {direction}": scores(ours(Path(work) / f"{task}-index-{index}", doc_lang, True),
                                              qs[q_lang], doc_lang)["mrr@10 by half"]
                for task, qs in tasks.items() for direction, (q_lang, doc_lang, index) in DIRECTIONS.items()}


def objective(figures: dict[str, list[float]], half: int) -> float:
    return sum(f[half] for f in figures.values()) / len(figures)


class Evaluator:
    """Each setting's figures, computed once (in a pool of processes) and kept on disk."""

    def __init__(self, work: Path, processes: int) -> None:
        self.work = work
        self.path = work / "tune-cache.json"
        self.cache: dict[str, dict[str, list[float]]] = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.pool = ProcessPoolExecutor(processes)

    def many(self, settings: list[dict[str, float]]) -> list[dict[str, list[float]]]:
        todo = [s for s in settings if key(s) not in self.cache]
        for s, figures in zip(todo, self.pool.map(evaluate, [str(self.work)] * len(todo), todo), strict=True):
            self.cache[key(s)] = figures
            self.path.write_text(json.dumps(self.cache))
        return [self.cache[key(s)] for s in settings]


def fit(evaluator: Evaluator, grid: dict[str, tuple[float, ...]], base: dict[str, float],
        half: int) -> dict[str, float]:
    """Coordinate ascent on `half` from `base`: each weight set to its best value, the others held, `PASSES`
    times; ties go to the value nearer the middle of its candidates."""
    best = dict(base)
    for _ in range(PASSES):
        for name, values in grid.items():
            settings = [best | {name: v} for v in values]
            scores = [objective(f, half) for f in evaluator.many(settings)]
            top = max(range(len(values)), key=lambda i: (round(scores[i], 6), -abs(i - len(values) // 2)))
            best = best | {name: values[top]}
    return best


def run(work: Path, grid: dict[str, tuple[float, ...]], processes: int) -> dict:
    from indexer.tuning import Tuning

    evaluator = Evaluator(work, processes)
    defaults = Tuning()
    base = {name: getattr(defaults, name) for name in grid}
    folds = []
    for fit_half in (0, 1):
        fitted = fit(evaluator, grid, base, fit_half)
        check = 1 - fit_half
        before, after = evaluator.many([base, fitted])
        folds.append({"fit on half": fit_half + 1, "fitted": fitted,
                      "check half": {"defaults": round(objective(before, check), 4),
                                     "fitted": round(objective(after, check), 4)},
                      "by direction": {d: [round(before[d][check], 4), round(after[d][check], 4)] for d in before}})
    agree = {name: [fold["fitted"][name] for fold in folds] for name in grid}
    both_ways = {name: values for name, values in agree.items()
                 if all(v != base[name] for v in values)
                 and len({(v > base[name]) for v in values}) == 1}
    return {"grid": {k: list(v) for k, v in grid.items()}, "defaults": base, "folds": folds,
            "moved the same way on both folds": both_ways}


def report(data: dict) -> None:
    print(machine.header())
    print(f"defaults: {data['defaults']}")
    for fold in data["folds"]:
        check = 3 - fold["fit on half"]
        print(f"\nfit on half {fold['fit on half']}: {fold['fitted']}")
        print(f"  mean MRR@10 on half {check}: defaults {fold['check half']['defaults']:.4f}, "
              f"fitted {fold['check half']['fitted']:.4f}")
        for direction, (before, after) in fold["by direction"].items():
            print(f"    {direction:34} {before:.3f} -> {after:.3f}")
    print(f"\nmoved the same way by both folds: {data['moved the same way on both folds'] or 'none'}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.tune", description=__doc__.split("\n\n")[0])
    p.add_argument("--work", required=True, help="the work folder of a `benchmarks.quality` run")
    p.add_argument("--only", help="comma-separated weights to fit (default: all of GRID)")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    grid = {k: GRID[k] for k in args.only.split(",")} if args.only else GRID
    machine.publish("tune", run(Path(args.work), grid, args.processes), args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
