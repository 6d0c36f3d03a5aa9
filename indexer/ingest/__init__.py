"""Reading an archive: files on disk to documents, by a reader per file suffix.

Walks a source folder, decodes each file carefully (`decode`), hands the text to the reader of its
suffix (`READERS`: loose text, Markdown, HTML, JSONL), and reports every file it had to skip and
why, instead of failing the whole run. A new input format is a module with a `read(text, relpath)`
and a line in `READERS`.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import DecodeError
from ..model import Document, Skipped
from . import html, jsonl, markdown, text
from .decode import decode
from .text import doc_id

Reader = Callable[[str, str], tuple[list[Document], list[Skipped]]]  # (text, relpath) -> documents, skipped
READERS: dict[str, Reader] = {
    ".txt": text.read, ".md": markdown.read, ".html": html.read, ".htm": html.read, ".jsonl": jsonl.read,
}
SUFFIXES = tuple(READERS)
MAX_FILE_BYTES = 50 * 1024 * 1024  # a single release is never this large; a dump is


@dataclass(frozen=True)
class SourceFile:
    """A file found in a source folder, with what `update` needs to notice a change; `problem` says why it
    cannot be read (an unreadable folder, a symlink out of the source), and such a file is retried by
    every `update`."""

    path: Path
    relpath: str  # '/'-separated, relative to the source folder
    size: int
    mtime_ns: int
    problem: str | None = None


def scan(source: Path) -> Iterator[SourceFile]:
    """Yields the files under `source` that a reader takes, in a stable order, and a `problem` entry for what
    cannot be read: a folder it may not list, a symlink that leads out of the source folder (not followed:
    a source folder is what gets published), a file it may not stat."""
    root = source.resolve()
    found: list[SourceFile] = []

    def unreadable(error: OSError) -> None:
        folder = Path(error.filename)
        found.append(SourceFile(folder, f"{folder.relative_to(source).as_posix()}/", -1, 0,
                                f"unreadable folder: {error.strerror or error}"))

    for folder, dirs, files in os.walk(source, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for d in [d for d in dirs if (Path(folder) / d).is_symlink()]:
            dirs.remove(d)
            path = Path(folder) / d
            found.append(SourceFile(path, f"{path.relative_to(source).as_posix()}/", -1, 0,
                                    f"symlink to a folder {_where(path, root)} the source folder: not followed"))
        for name in files:
            path = Path(folder) / name
            if name.startswith(".") or path.suffix.lower() not in READERS:
                continue
            relpath = path.relative_to(source).as_posix()
            if path.is_symlink() and _where(path, root) == "out of":
                found.append(SourceFile(path, relpath, -1, 0,
                                        "symlink to a file out of the source folder: not followed"))
                continue
            try:
                st = path.stat()
            except OSError as e:
                found.append(SourceFile(path, relpath, -1, 0, f"unreadable: {e.strerror or e}"))
                continue
            if stat.S_ISREG(st.st_mode):
                found.append(SourceFile(path, relpath, st.st_size, st.st_mtime_ns))
    yield from sorted(found, key=lambda sf: sf.relpath)


def _where(link: Path, root: Path) -> str:
    """Where a symlink leads: `inside` or `out of` the (resolved) source folder."""
    return "inside" if link.resolve().is_relative_to(root) else "out of"


def fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def read_file(sf: SourceFile, data: bytes | None = None) -> tuple[list[Document], list[Skipped]]:
    """Turns one file into documents. Never raises for bad content: it reports a `Skipped`."""
    if sf.size > MAX_FILE_BYTES:
        return [], [Skipped(sf.relpath, f"too large ({sf.size:,} bytes; limit {MAX_FILE_BYTES:,})")]
    try:
        if data is None:
            data = sf.path.read_bytes()
        content = decode(data, sf.relpath)
    except OSError as e:
        return [], [Skipped(sf.relpath, f"unreadable: {e.strerror or e}")]
    except DecodeError as e:
        return [], [Skipped(sf.relpath, str(e))]
    if not content.strip():
        return [], [Skipped(sf.relpath, "empty file")]
    docs, skipped = READERS[sf.path.suffix.lower()](content, sf.relpath)
    return [_clean(doc) for doc in docs], skipped


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters but tab and line breaks
TEXT_FIELDS = ("id", "title", "body", "place", "source", "editor", "url", "twin")


def _clean(doc: Document) -> Document:
    """Strips control characters (a NUL from `\\u0000` in JSONL, or deep in a text file) from what is stored
    and shown: they mean nothing in a release, and pages and terminals would show them raw."""
    for name in TEXT_FIELDS:
        value = getattr(doc, name)
        if value and CONTROL.search(value):
            setattr(doc, name, CONTROL.sub("", value))
    doc.cited = [CONTROL.sub("", c) for c in doc.cited]
    return doc


__all__ = ["MAX_FILE_BYTES", "READERS", "SUFFIXES", "Document", "Skipped", "SourceFile", "doc_id", "fingerprint",
           "read_file", "scan"]
