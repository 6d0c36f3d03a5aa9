"""Indexing files: in-process for small jobs, in one worker process per core for large ones.

Indexing is CPU-bound Python (parsing, language detection, analysis), so a large build runs one
worker per core. Each worker reads, detects and analyzes its share of the files into a part of
its own (a Whoosh segment) and sends back only what the parent needs (ids, vocabulary, skipped
files); the twin signals go through a file per worker.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import queue
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from ..backend import Backend, PartWriter
from ..errors import WorkerError
from ..ingest import SourceFile, fingerprint, read_file
from ..lang import compounds
from ..lang.detect import detect, preload
from ..model import Document
from ..progress import progress
from ..twins import Signals, signals

log = logging.getLogger(__name__)

BATCH_BYTES = 256 * 1024  # files are handed to workers in batches of about this size
PARALLEL_FROM_BYTES = 1024 * 1024  # below this, worker start-up costs more than it saves
SURFACE_WORD = re.compile(r"[^\W\d_]{3,}")  # a word "did you mean" may offer: letters only, three or more


@dataclass
class FileResult:
    """What indexing one file produced, without the text (that went into the segment)."""

    key: str  # the file's absolute path: the `file` term its documents carry
    relpath: str
    order: tuple[int, str]  # (source number, relpath): who wins when two files claim one id
    record: dict  # size, mtime_ns, hash, ids, skipped: kept in files.json for `update`
    signals: dict[str, Signals]
    stated: dict[str, str]
    words: set[str]


@dataclass(frozen=True)
class Job:
    order: int
    root: str
    sf: SourceFile


def default_workers(jobs: list[Job]) -> int:
    size = sum(job.sf.size for job in jobs)
    return 1 if size < PARALLEL_FROM_BYTES else max(1, min(os.cpu_count() or 1, 8))


def _batches(jobs: list[Job]) -> Iterator[list[Job]]:
    batch, size = [], 0
    for job in jobs:
        batch.append(job)
        size += job.sf.size
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def index_file(part: PartWriter, job: Job) -> FileResult:
    """Reads one file into documents, adds them to `part`, and returns what the parent needs of them."""
    sf = job.sf
    key = str(sf.path.resolve())
    try:
        data = sf.path.read_bytes()
    except OSError as e:
        data = b""
        log.warning("%s: unreadable (%s)", sf.path, e)
    docs, skipped = read_file(sf, data)
    result = FileResult(key, sf.relpath, (job.order, sf.relpath),
                        {"size": sf.size, "mtime_ns": sf.mtime_ns, "hash": fingerprint(data), "ids": [],
                         "skipped": [(s.path, s.reason) for s in skipped]}, {}, {}, set())
    seen = set()
    for doc in docs:
        if doc.id in seen:
            result.record["skipped"].append((f"{sf.relpath}", f"duplicate id {doc.id!r} (twice in this file)"))
            continue
        seen.add(doc.id)
        prepare(doc)
        part.add(doc, key)
        result.record["ids"].append(doc.id)
        result.signals[doc.id] = signals(doc)
        if doc.twin:
            result.stated[doc.id] = doc.twin
        result.words |= surface_words(f"{doc.title or ''}\n{doc.body}")
    return result


def surface_words(text: str) -> set[str]:
    return set(SURFACE_WORD.findall(text.lower()))


def prepare(doc: Document) -> Document:
    """Fills in what the source did not say: the language."""
    if not doc.lang:
        doc.lang, doc.lang_prob = detect(f"{doc.title or ''}\n{doc.body}")
    return doc


SignalSource = Iterable[tuple[str, dict[str, Signals]]]


def in_process(backend: Backend, gen: Path, jobs: list[Job], workers: int, show_progress: bool, label: str,
               absorb: Callable[[list[FileResult]], None]) -> tuple[list, list[FileResult], SignalSource]:
    part = backend.part(gen)
    try:
        results = [index_file(part, job) for job in progress(jobs, label, show_progress)]
        absorb(results)
    except BaseException:
        part.abandon()
        raise
    finished = part.finish()
    return [finished] if finished is not None else [], results, ((r.key, r.signals) for r in results)


def _worker(backend: Backend, gen: Path, jobs: multiprocessing.Queue, results: multiprocessing.Queue,
            parent: int) -> None:
    """A worker process: index batches until told to stop, then hand back its part (a segment).

    The twin signals go to a file of the worker's own rather than back to the parent, which reads
    them when the workers are done: otherwise the parent would hold them all while the workers are at
    their largest."""
    try:
        part = backend.part(gen)
        spill = gen / f"signals-{os.getpid()}.pickle"
        with open(spill, "wb") as signals_file:
            while True:
                try:
                    batch = jobs.get(timeout=1.0)
                except queue.Empty:
                    if os.getppid() != parent:  # the parent was killed: stop writing into its build
                        return
                    continue
                if batch is None:
                    break
                done = [index_file(part, job) for job in batch]
                pickle.dump({r.key: r.signals for r in done}, signals_file, protocol=pickle.HIGHEST_PROTOCOL)
                for r in done:
                    r.signals = {}
                results.put(("files", done))
        results.put(("part", (part.finish(), str(spill))))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _read_signals(path: str) -> Iterator[tuple[str, dict[str, Signals]]]:
    """(file key, its documents' signals) from a worker's signals file, which it then deletes."""
    with open(path, "rb") as f:
        while True:
            try:
                yield from pickle.load(f).items()
            except EOFError:
                break
    os.unlink(path)


def in_workers(backend: Backend, gen: Path, jobs: list[Job], workers: int, show_progress: bool, label: str,
               absorb: Callable[[list[FileResult]], None]) -> tuple[list, list[FileResult], SignalSource]:
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    job_queue, result_queue = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(backend, gen, job_queue, result_queue, os.getpid()), daemon=True)
             for _ in range(workers)]
    if ctx.get_start_method() == "fork":
        # What every worker reads (the compound lexicon, langdetect's profiles: 130 MB) is loaded once
        # here and shared copy-on-write; frozen, the garbage collector does not write to its pages.
        compounds.word_frequencies()
        preload()
        gc.freeze()
    try:
        try:
            for p in procs:
                p.start()
        finally:
            gc.unfreeze()
        for batch in _batches(jobs):
            job_queue.put(batch)
        for _ in procs:
            job_queue.put(None)
        parts, results, spills, finished = [], [], [], 0
        bar = progress(range(len(jobs)), label, show_progress)
        while finished < workers:
            kind, payload = result_queue.get()
            if kind == "error":
                raise WorkerError(f"an indexing worker failed:\n{payload}")
            if kind == "part":
                finished += 1
                part, spill = payload
                if part is not None:
                    parts.append(part)
                spills.append(spill)
                continue
            absorb(payload)
            results += payload
            for _ in payload:
                next(bar, None)
        for _ in bar:
            pass
        for p in procs:
            p.join()
        return parts, results, chain.from_iterable(map(_read_signals, spills))
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
