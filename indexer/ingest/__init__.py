"""Reading an archive: files on disk to documents, by a reader per file suffix.

Walks a source folder, decodes each file carefully (`decode`), hands the text to the reader of its
suffix (`READERS`: loose text, Markdown, HTML, JSONL), and reports every file it had to skip and
why, instead of failing the whole run. A new input format is a module with a `read(text, relpath)`
and a line in `READERS`.
"""

from __future__ import annotations

import hashlib
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
    """A file found in a source folder, with what `update` needs to notice a change."""

    path: Path
    relpath: str  # '/'-separated, relative to the source folder
    size: int
    mtime_ns: int


def scan(source: Path) -> Iterator[SourceFile]:
    """Yields the readable files under `source`, in a stable order."""
    for path in sorted(source.rglob("*")):
        if path.suffix.lower() not in READERS or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(source).parts):
            continue
        st = path.stat()
        yield SourceFile(path, path.relative_to(source).as_posix(), st.st_size, st.st_mtime_ns)


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
    return READERS[sf.path.suffix.lower()](content, sf.relpath)


__all__ = ["MAX_FILE_BYTES", "READERS", "SUFFIXES", "Document", "Skipped", "SourceFile", "doc_id", "fingerprint",
           "read_file", "scan"]
