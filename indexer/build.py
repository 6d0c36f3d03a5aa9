"""From source folders to a published index generation: `rebuild` and `update`.

Both write into a new generation (see `store`) and publish it only when everything, including
the twin links, is written; a failure anywhere leaves the serving index as it was.

Indexing is CPU-bound Python (parsing, language detection, Whoosh's analysis), so a large build
runs one worker process per core. Each worker reads, detects and analyzes its share of the files
into a Whoosh segment of its own, the way Whoosh's multiprocessing writer does, and sends back
only what the parent needs (ids, vocabulary, skipped files; the twin signals go through a file
per worker); the parent then commits all segments in one table of contents. Small jobs (most updates) run in-process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import queue
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import And, Term
from whoosh.writing import SegmentWriter

from . import compounds, lexicon, store, vocabulary
from .analysis import field_language
from .config import check_settings, writer_mb
from .documents import Document, Skipped, SourceFile, fingerprint, read_file, scan
from .language import detect, preload
from .links import TwinState
from .metadata import parse_iso_date
from .progress import progress
from .schema import build_schema
from .segments import ListWriter
from .twins import Signals, signals

log = logging.getLogger(__name__)

FILES = "files.json"
# Per worker: postings beyond this go to sorted runs on disk (see `segments`); less saves memory, costs CPU.
# Segments stay as separate files. Whoosh reads a compound segment file through a BytesIO over its
# mmap, which copies every posting into each reader's private memory (200 MB per open searcher at
# 100,000 documents); separate files are read from the page cache, which all processes share.
WRITER_OPTIONS = {"compound": False}
BATCH_BYTES = 256 * 1024  # files are handed to workers in batches of about this size
PARALLEL_FROM_BYTES = 1024 * 1024  # below this, worker start-up costs more than it saves


class SourceNotFoundError(store.IndexerError, FileNotFoundError):
    """A source folder does not exist."""


class WorkerError(store.IndexerError):
    """A worker process failed; the message carries its traceback."""


@dataclass
class Report:
    """What a rebuild or update did; `skipped` says which files were left out and why."""

    index_dir: str
    generation: str
    sources: list[str]
    documents: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    unchanged_files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    twins: int = 0
    learned_translations: int = 0  # entries of the lexicon learned from the twins (see `lexicon`)
    workers: int = 1
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step: where a long build goes

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.perf_counter() - started, 3)

    @property
    def skipped_reasons(self) -> dict[str, int]:
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reason = s.reason.split(" (")[0].split(":")[0]
            reasons[reason] = reasons.get(reason, 0) + 1
        return reasons

    def to_dict(self) -> dict:
        d = asdict(self)
        d["skipped_reasons"] = self.skipped_reasons
        return d


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


def rebuild(sources: Iterable[Path], index_dir: Path, show_progress: bool = False,
            workers: int | None = None) -> Report:
    """Indexes every file under `sources` into a new generation and swaps it in."""
    check_settings()
    sources = check_sources(sources)
    started = time.perf_counter()
    building = store.new_generation(index_dir)
    try:
        ix = whoosh_index.create_in(building, build_schema())
        report = Report(str(index_dir), "", [str(s) for s in sources])
        jobs = [Job(n, str(root), sf) for n, root in enumerate(sources) for sf in scan(root)]
        build = Build(ix, report, TwinState(), {}, set())
        build.run(jobs, show_progress, workers, "Indexing")
        return build.finish(building, index_dir, started)
    except BaseException:
        store.discard(building)
        raise


def update(index_dir: Path, sources: Iterable[Path] | None = None, show_progress: bool = False,
           workers: int | None = None) -> Report:
    """Indexes only new and changed files and drops removed ones, in a new generation."""
    check_settings()
    gen = store.require(index_dir)
    manifest = store.read_json(gen, store.MANIFEST, {})
    sources = check_sources(sources if sources is not None else [Path(s) for s in manifest["sources"]])
    started = time.perf_counter()
    old_files: dict[str, dict] = store.read_json(gen, FILES, {})
    building = store.new_generation(index_dir, clone_from=gen)
    try:
        ix = whoosh_index.open_dir(building)
        report = Report(str(index_dir), "", [str(s) for s in sources])
        with report.phase("load"):
            build = Build(ix, report, TwinState.load(gen), {}, vocabulary.load(gen))
        seen, jobs = set(), []
        for n, root in enumerate(sources):
            for sf in scan(root):
                key = str(sf.path.resolve())
                seen.add(key)
                if unchanged(sf, old_files.get(key)):
                    build.keep(key, old_files[key])
                else:
                    jobs.append(Job(n, str(root), sf))
        replaced = [key for key in old_files if key not in seen or key not in build.files]
        build.run(jobs, show_progress, workers, "Updating", delete={k: old_files[k] for k in replaced})
        return build.finish(building, index_dir, started)
    except BaseException:
        store.discard(building)
        raise


def check_sources(sources: Iterable[Path]) -> list[Path]:
    checked = []
    for source in sources:
        source = Path(source)
        if not source.is_dir():
            raise SourceNotFoundError(f"source folder {source}/ does not exist or is not a folder")
        checked.append(source.absolute())
    if not checked:
        raise SourceNotFoundError("no source folder given")
    return checked


def unchanged(sf: SourceFile, old: dict | None) -> bool:
    """Whether a file is as it was indexed: same size and time, or failing that, same bytes."""
    if old is None:
        return False
    if old["size"] == sf.size and old["mtime_ns"] == sf.mtime_ns:
        return True
    if old["size"] == sf.size and old["hash"] == fingerprint(sf.path.read_bytes()):
        old["mtime_ns"] = sf.mtime_ns
        return True
    return False


@dataclass
class Build:
    """The state of one rebuild or update while it runs."""

    ix: whoosh_index.Index
    report: Report
    state: TwinState
    files: dict[str, dict]
    words: set[str]
    owners: dict[str, str] = field(default_factory=dict)  # doc id -> file key

    def keep(self, key: str, record: dict) -> None:
        """An unchanged file: its documents stay as they are."""
        self.files[key] = record
        self.report.unchanged_files += 1
        self.report.skipped += [Skipped(p, r) for p, r in record.get("skipped", [])]
        for doc_id in record["ids"]:
            self.owners[doc_id] = key

    def run(self, jobs: list[Job], show_progress: bool, workers: int | None, label: str,
            delete: dict[str, dict] | None = None) -> None:
        """Indexes `jobs` into new segments, deletes what `delete` names, and commits both."""
        with self.report.phase("index"):
            self._run(jobs, show_progress, workers, label, delete or {})

    def _run(self, jobs: list[Job], show_progress: bool, workers: int | None, label: str,
             delete: dict[str, dict]) -> None:
        writer = self.ix.writer(**WRITER_OPTIONS)
        try:
            for key, record in delete.items():
                writer.delete_by_term("file", key)
                self.report.removed += len(record["ids"])
                for doc_id in record["ids"]:
                    self.state.remove(doc_id)
                    if self.owners.get(doc_id) == key:
                        del self.owners[doc_id]
            workers = workers or _default_workers(jobs)
            self.report.workers = workers
            runner = _in_process if workers == 1 else _in_workers
            segments, results, signal_source = runner(self.ix.storage.folder, jobs, workers, show_progress, label,
                                                      self._absorb)
            duplicates = self._collect(results)
            self._take_signals(signal_source)
            commit_segments(writer, segments)
        except BaseException:
            writer.cancel()
            raise
        if duplicates:
            with self.ix.writer(**WRITER_OPTIONS) as fix:
                for doc_id, key in duplicates:
                    fix.delete_by_query(And([Term("id", doc_id), Term("file", key)]))

    def _absorb(self, results: list[FileResult]) -> None:
        """Shrinks results as they arrive, before the build waits for the rest: the words join the
        vocabulary."""
        for result in results:
            self.words |= result.words
            result.words = set()

    def _collect(self, results: list[FileResult]) -> list[tuple[str, str]]:
        """Takes in the workers' results in source order; returns the (id, file) pairs that lost an id."""
        duplicates = []
        for result in sorted(results, key=lambda r: r.order):
            ids = []
            skipped = [Skipped(p, r) for p, r in result.record["skipped"]]
            for doc_id in result.record["ids"]:
                owner = self.owners.get(doc_id)
                if owner is not None and owner != result.key:
                    skipped.append(Skipped(result.relpath, f"duplicate id {doc_id!r} (already read from {owner})"))
                    duplicates.append((doc_id, result.key))
                    continue
                self.owners[doc_id] = result.key
                ids.append(doc_id)
                if doc_id in result.stated:
                    self.state.stated[doc_id] = result.stated[doc_id]
            for s in skipped:
                log.warning("skipped %s: %s", s.path, s.reason)
            result.record.update(ids=ids, skipped=[(s.path, s.reason) for s in skipped])
            self.files[result.key] = result.record
            self.report.added += len(ids)
            self.report.skipped += skipped
        return duplicates

    def _take_signals(self, source: Iterable[tuple[str, dict[str, Signals]]]) -> None:
        """The twin signals of the documents that `_collect` kept, streamed into the table: (file key,
        its documents' signals) pairs."""
        for key, sigs in source:
            for doc_id, sig in sigs.items():
                if self.owners.get(doc_id) == key:
                    self.state.signals[doc_id] = sig

    def finish(self, building: Path, index_dir: Path, started: float) -> Report:
        """Counts, links twins, writes the vocabulary and manifest, and publishes the generation."""
        report = self.report
        with self.ix.searcher() as s:
            report.documents = s.doc_count()
            report.languages = {lang: sum(1 for _ in s.docs_for_query(Term("lang", lang)))
                                for lang in (t.decode() for t in s.lexicon("lang"))}
            report.languages = {k: v for k, v in report.languages.items() if v}
        with report.phase("link"):
            found = self.state.link_and_save(building)
        report.twins = len(found)
        with report.phase("lexicon"):
            report.learned_translations = lexicon.learn_and_save(self.ix, found, building).entries
        with report.phase("vocabulary"):
            vocabulary.write(building, self.words)
        store.write_json(building, FILES, self.files)
        report.seconds = round(time.perf_counter() - started, 3)
        manifest = report.to_dict() | {"built_at": datetime.now().astimezone().isoformat(timespec="seconds")}
        manifest.pop("skipped")
        store.write_json(building, store.MANIFEST, manifest)
        gen = store.publish(index_dir, building)
        report.generation = gen.name
        log.info("indexed %d documents (%s) into %s; %d skipped; %d twin links; %.1fs",
                 report.documents, ", ".join(f"{k}: {v}" for k, v in sorted(report.languages.items())),
                 gen, len(report.skipped), report.twins, report.seconds)
        return report


def commit_segments(writer: SegmentWriter, segments: list) -> None:
    """Commits the writer's deletions together with segments written by workers.

    This is what `whoosh.multiproc.MpWriter` does with its sub-writers' segments: merge the
    existing small segments as usual, add the new ones, write one table of contents."""
    final = writer._merge_segments(None, None, None)
    writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


def _default_workers(jobs: list[Job]) -> int:
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


class SegmentBuilder:
    """Turns files into documents in one new Whoosh segment; runs in a worker or in-process."""

    def __init__(self, folder: str) -> None:
        self.writer = ListWriter(whoosh_index.open_dir(folder), _lk=False, limitmb=writer_mb(), **WRITER_OPTIONS)

    def index(self, job: Job) -> FileResult:
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
            self.writer.add_document(**document_fields(doc, key))
            result.record["ids"].append(doc.id)
            result.signals[doc.id] = signals(doc)
            if doc.twin:
                result.stated[doc.id] = doc.twin
            result.words |= vocabulary.words(f"{doc.title or ''}\n{doc.body}")
        return result

    def finish(self):
        """The finished segment, or None if nothing was added.

        The temporary folder is shared with the parent's writer, which removes it at its commit."""
        if not self.writer.docnum:
            self.writer._close_segment()
            return None
        return self.writer._finalize_segment()


SignalSource = Iterable[tuple[str, dict[str, Signals]]]


def _in_process(folder: str, jobs: list[Job], workers: int, show_progress: bool, label: str,
                absorb: Callable[[list[FileResult]], None]) -> tuple[list, list[FileResult], SignalSource]:
    builder = SegmentBuilder(folder)
    try:
        results = [builder.index(job) for job in progress(jobs, label, show_progress)]
        absorb(results)
    except BaseException:
        builder.writer._close_segment()
        raise
    segment = builder.finish()
    return [segment] if segment else [], results, ((r.key, r.signals) for r in results)


def _worker(folder: str, jobs: multiprocessing.Queue, results: multiprocessing.Queue, parent: int) -> None:
    """A worker process: index batches until told to stop, then hand back the segment.

    The twin signals go to a file of the worker's own rather than back to the parent, which reads
    them when the workers are done: otherwise the parent would hold them all while the workers are at
    their largest."""
    try:
        builder = SegmentBuilder(folder)
        spill = Path(folder) / f"signals-{os.getpid()}.pickle"
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
                done = [builder.index(job) for job in batch]
                pickle.dump({r.key: r.signals for r in done}, signals_file, protocol=pickle.HIGHEST_PROTOCOL)
                for r in done:
                    r.signals = {}
                results.put(("files", done))
        results.put(("segment", (builder.finish(), str(spill))))
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


def _in_workers(folder: str, jobs: list[Job], workers: int, show_progress: bool, label: str,
                absorb: Callable[[list[FileResult]], None]) -> tuple[list, list[FileResult], SignalSource]:
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    job_queue, result_queue = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(folder, job_queue, result_queue, os.getpid()), daemon=True)
             for _ in range(workers)]
    if ctx.get_start_method() == "fork":
        # What every worker reads (the compound lexicon, langdetect's profiles: 130 MB) is loaded once
        # here and shared copy-on-write; frozen, the garbage collector does not write to its pages.
        compounds.lexicon()
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
        segments, results, spills, finished = [], [], [], 0
        bar = progress(range(len(jobs)), label, show_progress)
        while finished < workers:
            kind, payload = result_queue.get()
            if kind == "error":
                raise WorkerError(f"an indexing worker failed:\n{payload}")
            if kind == "segment":
                finished += 1
                segment, spill = payload
                if segment is not None:
                    segments.append(segment)
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
        return segments, results, chain.from_iterable(map(_read_signals, spills))
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()


def prepare(doc: Document) -> Document:
    """Fills in what the source did not say: the language."""
    if not doc.lang:
        doc.lang, doc.lang_prob = detect(f"{doc.title or ''}\n{doc.body}")
    return doc


def document_fields(doc: Document, file_key: str) -> dict:
    fl = field_language(doc.lang)
    fields = {
        "id": doc.id, "lang": doc.lang, "lang_prob": doc.lang_prob,
        "title": doc.title, "body": doc.body, "date_text": doc.date,
        "place": doc.place or "", "_stored_place": doc.place,
        "source": " ".join([doc.source or "", *doc.cited]), "_stored_source": doc.source,
        "cited": doc.cited, "editor": doc.editor, "url": doc.url, "path": doc.path, "file": file_key,
        "length": len(doc.body),
        f"title_{fl}": doc.title or "", f"body_{fl}": doc.body,
    }
    when = parse_iso_date(doc.date)
    if when is not None:
        fields["date"] = when
    return fields
