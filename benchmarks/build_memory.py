"""Where a rebuild's memory peaks: the main process's resident memory, sampled through each step.

    python -m benchmarks.build_memory --docs 100000             # the speed benchmark's wire archive
    python -m benchmarks.build_memory --archive /tmp/wire1m/archive --work /tmp/mem
    python -m benchmarks.build_memory --smoke --work /tmp/x     # seconds, for CI

Runs `indexer.rebuild` in this process while a thread reads the process's resident memory every
`--interval` seconds, and files each reading under the rebuild step running at the time (`Report.phase`
is wrapped to know it). A rebuild's own report says the high-water mark *after* each step; this says
the peak *within* each one, and which part of a step (the table's reordering, the linker, saving) holds
it. The peak of the worker processes comes from `RUSAGE_CHILDREN`. The reference is the twin signal
table itself (its key and position arrays), which linking must hold: the peak over it is the build's
own cost. Linux only (it reads /proc/self/status).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import indexer
from benchmarks import machine
from benchmarks.speed import DEFAULT_WORK, ensure_archive
from indexer import model
from indexer.twins import state as twin_state
from indexer.twins.table import SignalTable

OUTSIDE = "outside the steps"  # before the first, between them and after the last


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status: this benchmark needs Linux")


class Sampler:
    """The peak resident memory under each label, read every `interval` seconds by a thread."""

    def __init__(self, interval: float) -> None:
        self.interval, self.label = interval, OUTSIDE
        self.peaks = {OUTSIDE: resident_mb()}
        self.table_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.take()

    def take(self) -> None:
        label, now = self.label, resident_mb()
        self.peaks[label] = max(self.peaks.get(label, 0.0), now)

    @contextlib.contextmanager
    def under(self, label: str) -> Iterator[None]:
        outer = self.label
        self.take()
        self.label = label
        try:
            yield
        finally:
            self.take()
            self.label = outer

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def labelled(sampler: Sampler) -> Iterator[None]:
    """Files readings under the rebuild's steps, and under the parts of linking."""
    phase, in_id_order, link_twins = model.Report.phase, SignalTable.in_id_order, twin_state.link_twins

    @contextlib.contextmanager
    def each_phase(report, name):
        with sampler.under(name), phase(report, name):
            yield

    def reordering(table):
        sampler.table_mb = (len(table.occurrences) * table.occurrences.itemsize + len(table.where)) / 2**20
        with sampler.under("link: reordering the signal table"):
            in_id_order(table)

    def linking(*args, **kwargs):
        with sampler.under("link: linker"):
            return link_twins(*args, **kwargs)

    model.Report.phase, SignalTable.in_id_order, twin_state.link_twins = each_phase, reordering, linking
    try:
        yield
    finally:
        model.Report.phase, SignalTable.in_id_order, twin_state.link_twins = phase, in_id_order, link_twins


def measure(archive: Path, index: Path, interval: float) -> dict:
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    with Sampler(interval) as sampler, labelled(sampler):
        report = indexer.rebuild(archive, index)
    return {"documents": report.documents, "twins": report.twins, "seconds": round(time.perf_counter() - started, 1),
            "phases": report.phases, "peak_mb_by_step": {k: round(v) for k, v in sampler.peaks.items()},
            "high_water_mb": model.high_water_mb(), "workers_high_water_mb": model.high_water_mb(children=True),
            "signal_table_mb": round(sampler.table_mb)}


def report(data: dict) -> None:
    print(f"{data['documents']:,} releases, {data['twins']:,} twin links, {data['seconds']:,.1f} s; "
          f"the twin signal table: {data['signal_table_mb']:,} MB")
    print("  peak resident memory of the main process within each step:")
    for label, mb in data["peak_mb_by_step"].items():
        print(f"    {label:36} {mb:>7,} MB")
    print(f"  high-water mark {data['high_water_mb']:,} MB; worker processes {data['workers_high_water_mb']:,} MB")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.build_memory", description=__doc__.split("\n")[0])
    p.add_argument("--docs", type=int, default=100_000, help="releases in the wire archive (default 100000)")
    p.add_argument("--archive", type=Path, help="an archive folder to rebuild instead (not written)")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"scratch folder (default {DEFAULT_WORK})")
    p.add_argument("--interval", type=float, default=0.1, help="seconds between readings (default 0.1)")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-build_memory.json; "
                   "with --smoke, in the scratch folder)")
    p.add_argument("--json", action="store_true", help="print the result as JSON instead")
    p.add_argument("--smoke", action="store_true", help="tiny run for CI: a 300-release archive")
    args = p.parse_args(argv)
    if args.smoke:
        args.docs = 300
        args.out = args.out or args.work / f"{time.strftime('%Y-%m-%d')}-build_memory.json"
    print(machine.header(), flush=True)
    archive = args.archive
    if archive is None:
        archive = args.work / f"n{args.docs}" / "archive"
        ensure_archive(archive, args.docs)
    data = {"archive": str(archive), **measure(archive, args.work / "build_memory_index", args.interval)}
    machine.publish("build_memory", data, args.json, report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
