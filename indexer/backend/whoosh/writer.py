"""Writing a Whoosh generation: each worker writes a segment of its own, the parent commits them.

This is what Whoosh's multiprocessing writer does, with our `segments.ListWriter` in the workers.
Segments stay as separate files (`compound=False`): Whoosh reads a compound segment file through
a BytesIO over its mmap, which copies every posting into each reader's private memory (200 MB per
open searcher at 100,000 documents); separate files are read from the page cache, which all
processes share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import And, Term
from whoosh.writing import SegmentWriter

from ... import lang
from ...config import writer_mb
from ...dates import period
from ...model import Document
from . import sidecar
from .schema import build_schema
from .segments import ListWriter

WRITER_OPTIONS = {"compound": False}


def create(gen: Path) -> None:
    whoosh_index.create_in(gen, build_schema())


class WhooshWriter:
    """The parent's writer: it holds the index's write lock while the workers write their segments."""

    def __init__(self, gen: Path) -> None:
        self.ix = whoosh_index.open_dir(gen)
        self.writer = self.ix.writer(**WRITER_OPTIONS)
        self.committed = False

    def delete_file(self, key: str) -> None:
        self.writer.delete_by_term("file", key)

    def commit(self, parts: list[Any], duplicates: list[tuple[str, str]]) -> None:
        commit_segments(self.writer, parts)
        self.committed = True
        if duplicates:
            with self.ix.writer(**WRITER_OPTIONS) as fix:
                for doc_id, key in duplicates:
                    fix.delete_by_query(And([Term("id", doc_id), Term("file", key)]))
        sidecar.complete(whoosh_index.open_dir(self.ix.storage.folder))  # segments Whoosh merged

    def cancel(self) -> None:
        if not self.committed:
            self.writer.cancel()


def commit_segments(writer: SegmentWriter, segments: list) -> None:
    """Commits the writer's deletions together with segments written by workers.

    This is what `whoosh.multiproc.MpWriter` does with its sub-writers' segments: merge the
    existing small segments as usual, add the new ones, write one table of contents. Whoosh's merge
    policy copies the small segments it merges into the writer's own segment, which must then be
    written too (as `SegmentWriter.commit` does), or their documents are lost."""
    final = writer._merge_segments(None, None, None)
    if writer._added:
        writer._finalize_segment()
        final.append(writer.get_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


class SegmentPart:
    """A worker's share: one new segment. Its temporary folder is shared with the parent's writer,
    which removes it at its commit."""

    def __init__(self, gen: Path) -> None:
        self.writer = ListWriter(whoosh_index.open_dir(gen), _lk=False, limitmb=writer_mb(), **WRITER_OPTIONS)

    def add(self, doc: Document, file_key: str) -> None:
        self.writer.add_document(**document_fields(doc, file_key))

    def finish(self) -> Any:
        """The finished segment, or None if nothing was added."""
        if not self.writer.docnum:
            self.writer._close_segment()
            return None
        return self.writer._finalize_segment()

    def abandon(self) -> None:
        self.writer._close_segment()


def document_fields(doc: Document, file_key: str) -> dict:
    fl = lang.field_language(doc.lang)
    fields = {
        "id": doc.id, "lang": doc.lang, "lang_prob": doc.lang_prob,
        "title": doc.title, "body": doc.body, "date_text": doc.date,
        "place": doc.place or "", "_stored_place": doc.place,
        "source": " ".join([doc.source or "", *doc.cited]), "_stored_source": doc.source,
        "cited": doc.cited, "editor": doc.editor, "url": doc.url, "path": doc.path, "file": file_key,
        "length": len(doc.body),
        f"title_{fl}": doc.title or "", f"body_{fl}": doc.body,
    }
    when = period(doc.date)
    if when is not None:
        fields["date"] = when.start
    return fields
