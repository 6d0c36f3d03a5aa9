"""Indexing files: in-process for small jobs, in one worker process per core for large ones.

Indexing is CPU-bound Python (parsing, language detection, analysis), so a large build runs one
worker per core. Each worker reads, detects and analyzes its share of the files into a part of
its own (a Whoosh segment) and sends back only what the parent needs (ids, vocabulary, skipped
files); the twin signals go through a file per worker.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from ..backend import Backend, PartWriter
from ..errors import WorkerError
from ..ingest import MAX_FILE_BYTES, SourceFile, fingerprint, read_file
from ..lang import compounds
from ..lang.detect import detect, preload
from ..model import Document, Skipped
from ..progress import progress
from ..twins import Signals, signals

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often the parent checks that its workers are alive while it waits for them
EXIT_GRACE_SECONDS = 5.0  # a worker that exited cleanly has this long for its last message to arrive
STOP_SECONDS = 5.0  # how long stopped workers have to end before they are killed
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
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
    key = str(sf.path.absolute() if sf.problem else sf.path.resolve())
    size, data = sf.size, b""
    if sf.problem:
        docs, skipped = [], [Skipped(sf.relpath, sf.problem)]
    elif sf.size > MAX_FILE_BYTES:  # refused before reading: the size is known from the folder listing
        docs, skipped = [], [Skipped(sf.relpath, f"too large ({sf.size:,} bytes; limit {MAX_FILE_BYTES:,})")]
    else:
        try:
            data = sf.path.read_bytes()
        except OSError as e:
            docs, skipped = [], [Skipped(sf.relpath, f"unreadable: {e.strerror or e}")]
            size = -1  # never "unchanged": the next update tries it again
        else:
            docs, skipped = read_file(sf, data)
    result = FileResult(key, sf.relpath, (job.order, sf.relpath),
                        {"size": size, "mtime_ns": sf.mtime_ns, "hash": fingerprint(data), "ids": [],
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
    _bound_to(parent)
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
                results.put(("files", os.getpid(), done))
        results.put(("part", os.getpid(), (part.finish(), str(spill))))
    except BaseException as e:
        log.debug("indexing worker %d failed", os.getpid(), exc_info=True)
        results.put(("error", os.getpid(), f"{type(e).__name__}: {e}"))


def _bound_to(parent: int) -> None:
    """A worker leaves interrupts to its parent (Ctrl-C reaches the whole process group; the parent stops
    the workers) and dies with it: Linux kills it when the parent dies (`PR_SET_PDEATHSIG`), however the
    parent ends; elsewhere it notices between batches."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


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
        parts, results, spills = [], [], []
        bar = progress(range(len(jobs)), label, show_progress)
        done: set[int] = set()  # the workers that handed back their part
        exited: dict[int, float] = {}
        while len(done) < workers:
            try:
                kind, sender, payload = result_queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                _check_alive(procs, done, exited)
                continue
            if kind == "error":
                raise WorkerError(f"an indexing worker (PID {sender}) failed: {payload}")
            if kind == "part":
                done.add(sender)
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
        _stop(procs, job_queue, result_queue)


def _check_alive(procs: list, done: set[int], exited: dict[int, float]) -> None:
    """Fails the build when a worker died before handing back its part (killed, out of memory). One that
    exited cleanly may still have its last message in the pipe: it has `EXIT_GRACE_SECONDS` (`exited`
    remembers when it was first seen gone)."""
    now = time.monotonic()
    for p in procs:
        if p.exitcode is None or p.pid in done:
            continue
        if p.exitcode == 0 and now - exited.setdefault(p.pid, now) < EXIT_GRACE_SECONDS:
            continue
        raise WorkerError(f"an indexing worker (PID {p.pid}) {_death(p.exitcode)} before it finished; "
                          "nothing was published")


def _death(exitcode: int) -> str:
    if exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"was killed by {name}" + (" (out of memory?)" if exitcode == -signal.SIGKILL else "")
    return f"exited with status {exitcode}"


def _stop(procs: list, job_queue, result_queue) -> None:
    """Ends every worker (at once on failure or interrupt) and lets the queues go without waiting for
    data nobody will read: a queue's feeder thread would otherwise block the exit of the process."""
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for p in procs:
        if p.pid is not None:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
    for q in (job_queue, result_queue):
        q.cancel_join_thread()
        q.close()
