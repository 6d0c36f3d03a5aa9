"""Loose release text (`.txt`, and what HTML and Markdown become): metadata by press-release conventions."""

from __future__ import annotations

from ..model import Document, Skipped
from .release import extract


def loose_text_document(id_: str, text: str, relpath: str, title: str | None = None) -> Document:
    meta = extract(text, title_hint=title)
    return Document(
        id=id_, title=meta.title, body=meta.body, date=meta.date, place=meta.place,
        source=meta.source, cited=meta.cited, editor=meta.editor, url=meta.url, path=relpath,
    )


def doc_id(relpath: str) -> str:
    """`de/report-7.txt` -> `de/report-7`."""
    stem, _, suffix = relpath.rpartition(".")
    return stem if stem and "/" not in suffix else relpath


def read(text: str, relpath: str, title: str | None = None) -> tuple[list[Document], list[Skipped]]:
    doc = loose_text_document(doc_id(relpath), text, relpath, title)
    if not doc.body.strip() and not doc.title:
        return [], [Skipped(relpath, "no text left after removing markup and boilerplate")]
    return [doc], []
