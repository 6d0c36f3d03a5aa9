"""From source folders to a published index generation: `rebuild` and `update`.

Both write into a new generation (see `store`) and publish it only when everything, including
the twin links, is written; a failure anywhere leaves the serving index as it was.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.writing import IndexWriter

from . import store
from .analysis import field_language
from .documents import Document, Skipped, SourceFile, fingerprint, read_file, scan
from .language import detect
from .links import TwinState
from .metadata import parse_iso_date
from .progress import progress
from .schema import build_schema

log = logging.getLogger(__name__)

FILES = "files.json"
WRITER_MB = 256


class SourceNotFoundError(store.IndexerError, FileNotFoundError):
    """A source folder does not exist."""


@dataclass
class Report:
    """What a rebuild or update did; `skipped` says which files were left out and why."""

    index_dir: str
    generation: str
    sources: list[str]
    documents: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged_files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    twins: int = 0
    seconds: float = 0.0

    @property
    def skipped_reasons(self) -> dict[str, int]:
        return dict(Counter(s.reason.split(" (")[0].split(":")[0] for s in self.skipped))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["skipped_reasons"] = self.skipped_reasons
        return d


def rebuild(sources: Iterable[Path], index_dir: Path, show_progress: bool = False) -> Report:
    """Indexes every file under `sources` into a new generation and swaps it in."""
    sources = _check_sources(sources)
    started = time.perf_counter()
    building = store.new_generation(index_dir)
    try:
        ix = whoosh_index.create_in(building, build_schema())
        report = Report(str(index_dir), "", [str(s) for s in sources])
        files: dict[str, dict] = {}
        state = TwinState()
        known_ids: dict[str, str] = {}
        writer = ix.writer(limitmb=WRITER_MB)
        try:
            pending = [(root, sf) for root in sources for sf in scan(root)]
            for root, sf in progress(pending, "Indexing", show_progress):
                _index_file(writer, state, root, sf, files, report, known_ids)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return _finish(ix, state, building, index_dir, files, report, started)
    except BaseException:
        store.discard(building)
        raise


def update(index_dir: Path, sources: Iterable[Path] | None = None, show_progress: bool = False) -> Report:
    """Indexes only new and changed files and drops removed ones, in a new generation."""
    gen = store.require(index_dir)
    manifest = store.read_json(gen, store.MANIFEST, {})
    sources = _check_sources(sources if sources is not None else [Path(s) for s in manifest["sources"]])
    started = time.perf_counter()
    old_files: dict[str, dict] = store.read_json(gen, FILES, {})
    building = store.new_generation(index_dir, clone_from=gen)
    try:
        ix = whoosh_index.open_dir(building)
        report = Report(str(index_dir), "", [str(s) for s in sources])
        files: dict[str, dict] = {}
        known_ids = {i: key for key, rec in old_files.items() for i in rec["ids"]}
        state = TwinState.load(gen)
        writer = ix.writer(limitmb=WRITER_MB)
        try:
            seen = set()
            changed: list[tuple[Path, SourceFile, bytes]] = []
            for root in sources:
                for sf in scan(root):
                    key = str(sf.path.resolve())
                    seen.add(key)
                    old = old_files.get(key)
                    data = _changed_bytes(sf, old)
                    if data is None:
                        files[key] = old
                        report.unchanged_files += 1
                        report.skipped += [Skipped(s, r) for s, r in old.get("skipped", [])]
                    else:
                        changed.append((root, sf, data))
            for key in set(old_files) - seen:
                report.removed += _delete_file(writer, state, key, old_files[key], known_ids)
            for root, sf, data in progress(changed, "Updating", show_progress):
                key = str(sf.path.resolve())
                if key in old_files:
                    report.removed += _delete_file(writer, state, key, old_files[key], known_ids)
                _index_file(writer, state, root, sf, files, report, known_ids, data)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return _finish(ix, state, building, index_dir, files, report, started)
    except BaseException:
        store.discard(building)
        raise


def _check_sources(sources: Iterable[Path]) -> list[Path]:
    checked = []
    for source in sources:
        source = Path(source)
        if not source.is_dir():
            raise SourceNotFoundError(f"source folder {source}/ does not exist or is not a folder")
        checked.append(source.absolute())
    if not checked:
        raise SourceNotFoundError("no source folder given")
    return checked


def _changed_bytes(sf: SourceFile, old: dict | None) -> bytes | None:
    """The file's bytes when it is new or changed, None when it is as indexed."""
    if old and old["size"] == sf.size and old["mtime_ns"] == sf.mtime_ns:
        return None
    data = sf.path.read_bytes()
    if old and old["hash"] == fingerprint(data):
        old["mtime_ns"] = sf.mtime_ns
        return None
    return data


def _delete_file(writer: IndexWriter, state: TwinState, key: str, record: dict,
                 known_ids: dict[str, str]) -> int:
    writer.delete_by_term("file", key)
    for doc_id in record["ids"]:
        known_ids.pop(doc_id, None)
        state.remove(doc_id)
    return len(record["ids"])


def _index_file(writer: IndexWriter, state: TwinState, root: Path, sf: SourceFile, files: dict[str, dict],
                report: Report, known_ids: dict[str, str], data: bytes | None = None) -> None:
    key = str(sf.path.resolve())
    if data is None:
        try:
            data = sf.path.read_bytes()
        except OSError as e:
            data = b""
            log.warning("%s: unreadable (%s)", sf.path, e)
    docs, skipped = read_file(sf, data)
    ids = []
    for doc in docs:
        owner = known_ids.get(doc.id)
        if owner is not None and owner != key:
            skipped.append(Skipped(f"{sf.relpath}", f"duplicate id {doc.id!r} (already read from {owner})"))
            continue
        known_ids[doc.id] = key
        prepare(doc)
        writer.add_document(**document_fields(doc, key))
        state.add(doc)
        ids.append(doc.id)
        report.added += 1
    for s in skipped:
        log.warning("skipped %s: %s", root / s.path, s.reason)
    report.skipped += skipped
    files[key] = {"size": sf.size, "mtime_ns": sf.mtime_ns, "hash": fingerprint(data), "ids": ids,
                  "skipped": [(s.path, s.reason) for s in skipped]}


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
        "cited": doc.cited, "url": doc.url, "path": doc.path, "file": file_key,
        "length": len(doc.body), "spell": f"{doc.title or ''}\n{doc.body}",
        f"title_{fl}": doc.title or "", f"body_{fl}": doc.body,
    }
    when = parse_iso_date(doc.date)
    if when is not None:
        fields["date"] = when
    return fields


def _finish(ix, state: TwinState, building: Path, index_dir: Path, files: dict[str, dict], report: Report,
            started: float) -> Report:
    """Counts, links twins, writes the manifest and publishes the generation."""
    with ix.searcher() as s:
        report.documents = s.doc_count()
        report.languages = {lang: len(list(s.docs_for_query(Term("lang", lang))))
                            for lang in s.lexicon("lang") for lang in [lang.decode()]}
    report.twins = len(state.link_and_save(building))
    store.write_json(building, FILES, files)
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
