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
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing.connection import Connection, wait
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
    sizes: list[int] = field(default_factory=list)  # each document's number of twin signal keys, as in ids


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
        result.signals[doc.id] = sig = signals(doc)
        result.sizes.append(len(sig.keys))
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


def _worker(backend: Backend, gen: Path, jobs: multiprocessing.Queue, results: Connection, parent: int) -> None:
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
                results.send(("files", done))
        results.send(("part", (part.finish(), str(spill))))
    except BaseException as e:
        log.debug("indexing worker %d failed", os.getpid(), exc_info=True)
        results.send(("error", f"{type(e).__name__}: {e}"))


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
    job_queue = ctx.Queue()
    if ctx.get_start_method() == "fork":
        # What every worker reads (the compound lexicon, langdetect's profiles: 130 MB) is loaded once
        # here and shared copy-on-write; frozen, the garbage collector does not write to its pages.
        compounds.word_frequencies()
        preload()
        gc.freeze()
    pipes: dict[Connection, multiprocessing.process.BaseProcess] = {}
    try:
        try:
            for _ in range(workers):
                pipes.update([_start(ctx, backend, gen, job_queue)])
        finally:
            gc.unfreeze()
        for batch in _batches(jobs):
            job_queue.put(batch)
        for _ in pipes:
            job_queue.put(None)
        parts, results, spills = [], [], []
        bar = progress(range(len(jobs)), label, show_progress)
        waiting = dict(pipes)  # the workers that have not handed back their part yet
        while waiting:
            for conn in wait(list(waiting)):  # a signal's handler still runs, and raises, while it waits
                kind, payload = _receive(conn, waiting[conn])
                if kind == "part":
                    del waiting[conn]
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
        for p in pipes.values():
            p.join()
        return parts, results, chain.from_iterable(map(_read_signals, spills))
    finally:
        _stop(list(pipes.values()), job_queue)
        for conn in pipes:
            conn.close()


def _start(ctx, backend: Backend, gen: Path, job_queue) -> tuple[Connection, multiprocessing.process.BaseProcess]:
    """Starts a worker with a pipe of its own for its results. The parent closes its copy of the writing
    end before the next worker starts, so the worker is the only writer: when it dies, even in the middle
    of a message, the parent reads the end of the pipe instead of waiting for the rest forever (as it
    would on a queue all workers share, whose lock a killed worker may hold)."""
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(backend, gen, job_queue, writer, os.getpid()), daemon=True)
    try:
        proc.start()
    except BaseException:
        reader.close()
        raise
    finally:
        writer.close()
    return reader, proc


def _receive(conn: Connection, proc) -> tuple[str, object]:
    """The next message from a worker; a WorkerError when it failed, or died before it handed back its part
    (killed, out of memory)."""
    try:
        kind, payload = conn.recv()
    except (EOFError, OSError):  # the pipe ended: the worker is gone
        proc.join(STOP_SECONDS)
        raise WorkerError(f"an indexing worker (PID {proc.pid}) {_death(proc.exitcode)} before it finished; "
                          "nothing was published") from None
    if kind == "error":
        raise WorkerError(f"an indexing worker (PID {proc.pid}) failed: {payload}")
    return kind, payload


def _death(exitcode: int | None) -> str:
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"was killed by {name}" + (" (out of memory?)" if exitcode == -signal.SIGKILL else "")
    return f"exited with status {exitcode}"


def _stop(procs: list, job_queue) -> None:
    """Ends every worker (at once on failure or interrupt) and lets the job queue go without waiting for
    data nobody will read: its feeder thread would otherwise block the exit of the process."""
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
    job_queue.cancel_join_thread()
    job_queue.close()
