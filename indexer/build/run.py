"""One rebuild or update while it runs: deletions, indexing, duplicate ids, twins, and publishing."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import store
from ..backend import Backend
from ..errors import WorkerError
from ..model import Report, Skipped
from ..translation import learned
from ..twins import Signals, TwinState
from .workers import FileResult, Job, default_workers, in_process, in_workers

log = logging.getLogger(__name__)

FILES = "files.json"  # per source file: size, time, hash, ids and skipped entries, for `update`


@dataclass
class Build:
    """The state of one rebuild or update while it runs."""

    backend: Backend
    gen: Path  # the generation being written
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
        writer = self.backend.writer(self.gen)
        try:
            for key, record in delete.items():
                writer.delete_file(key)
                self.report.removed += len(record["ids"])
                for doc_id in record["ids"]:
                    self.state.remove(doc_id)
                    if self.owners.get(doc_id) == key:
                        del self.owners[doc_id]
            workers = workers or default_workers(jobs)
            self.report.workers = workers
            runner = in_process if workers == 1 else in_workers
            parts, results, signal_source = runner(self.backend, self.gen, jobs, workers, show_progress, label,
                                                   self._absorb)
            fresh = not self.state.signals  # a rebuild: the table can be laid out in id order from the start
            duplicates, kept = self._collect(results)
            if fresh:
                self.state.signals.reserve(kept)
            del results, kept  # not held while the signals stream in (at 1M, 1M results and pairs)
            self._take_signals(signal_source, fresh)
            writer.commit(parts, duplicates)
        except BaseException as failure:
            try:
                writer.cancel()
            except Exception as e:  # the folder is discarded anyway: the build's own failure is what to tell
                log.warning("could not cancel the index writer after %s: %s", type(failure).__name__, e)
            raise

    def _absorb(self, results: list[FileResult]) -> None:
        """Shrinks results as they arrive, before the build waits for the rest: the words join the
        vocabulary."""
        for result in results:
            self.words |= result.words
            result.words = set()

    def _collect(self, results: list[FileResult]) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
        """Takes in the workers' results in source order; returns the (id, file) pairs that lost an id, and
        the (id, number of twin signal keys) of the documents kept."""
        duplicates, kept = [], []
        for result in sorted(results, key=lambda r: r.order):
            ids = []
            skipped = [Skipped(p, r) for p, r in result.record["skipped"]]
            for doc_id, size in zip(result.record["ids"], result.sizes, strict=True):
                owner = self.owners.get(doc_id)
                if owner is not None and owner != result.key:
                    skipped.append(Skipped(result.relpath, f"duplicate id {doc_id!r} (already read from {owner})"))
                    duplicates.append((doc_id, result.key))
                    continue
                self.owners[doc_id] = result.key
                ids.append(doc_id)
                kept.append((doc_id, size))
                if doc_id in result.stated:
                    self.state.stated[doc_id] = result.stated[doc_id]
            for s in skipped:
                log.warning("skipped %s: %s", s.path, s.reason)
            result.record.update(ids=ids, skipped=[(s.path, s.reason) for s in skipped])
            self.files[result.key] = result.record
            self.report.added += len(ids)
            self.report.skipped += skipped
        return duplicates, kept

    def _take_signals(self, source: Iterable[tuple[str, dict[str, Signals]]], reserved: bool) -> None:
        """The twin signals of the documents that `_collect` kept, streamed into the table: (file key,
        its documents' signals) pairs; into the rows `reserve` made when `reserved`."""
        table = self.state.signals
        put = table.fill if reserved else table.__setitem__
        for key, sigs in source:
            for doc_id, sig in sigs.items():
                if self.owners.get(doc_id) == key:
                    try:
                        put(doc_id, sig)
                    except ValueError as e:
                        raise WorkerError(f"an indexing worker's twin signals do not match its results: {e}") from e
        if reserved and (missing := table.unfilled()):
            raise WorkerError(f"an indexing worker's twin signals lack {len(missing):,} documents "
                              f"(the first: {missing[0]!r})")

    def finish(self, index_dir: Path, started: float) -> Report:
        """Writes the vocabulary, counts, links twins, learns translations, writes the manifest, and
        publishes the generation."""
        report, building = self.report, self.gen
        with report.phase("vocabulary"):
            self.backend.write_words(building, self.words)
        self.words, self.owners = set(), {}  # written, and done with: not held while linking (0.3 GB at 1M)
        reader = self.backend.open(building)
        try:
            report.documents = reader.documents()
            report.languages = reader.languages()
            with report.phase("link"):
                found = self.state.link_and_save(building)
            report.twins = len(found)
            with report.phase("lexicon"):
                report.learned_translations = learned.learn_and_save(reader.document, found, building,
                                                                     report.workers or 1).entries
        finally:
            reader.close()
        store.write_json(building, FILES, self.files)
        report.seconds = round(time.perf_counter() - started, 3)
        manifest = report.to_dict() | {"built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                                        "backend": self.backend.name}
        manifest.pop("skipped")
        store.write_json(building, store.MANIFEST, manifest)
        self.backend.publish(building)
        gen = store.publish(index_dir, building, self.backend.drop)
        report.generation = gen.name
        log.info("indexed %d documents (%s) into %s; %d skipped; %d twin links; %.1fs",
                 report.documents, ", ".join(f"{k}: {v}" for k, v in sorted(report.languages.items())),
                 gen, len(report.skipped), report.twins, report.seconds)
        return report
