"""Reading an archive: files on disk to :class:`Document` objects.

Walks a source folder, decodes each file carefully (UTF-8, then cp1252/latin-1 with a note),
turns HTML, Markdown, plain text and JSONL into documents, and reports every file it had to skip
and why, instead of failing the whole run.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .metadata import extract

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MAX_FILE_BYTES = 50 * 1024 * 1024  # a single release is never this large; a dump is


@dataclass
class Document:
    """One release, as the index stores it."""

    id: str
    title: str | None
    body: str
    lang: str | None = None  # set by the source (JSONL) or by language detection
    lang_prob: float | None = None
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    place: str | None = None
    source: str | None = None
    cited: list[str] = field(default_factory=list)  # sources the release itself names
    editor: str | None = None
    url: str | None = None
    path: str = ""  # file, relative to the source folder
    twin: str | None = None  # stated twin (JSONL `twin`); computed links live in the index

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Skipped:
    """A file (or JSONL line) that could not become a document, and why."""

    path: str
    reason: str


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
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(source).parts):
            continue
        st = path.stat()
        yield SourceFile(path, path.relative_to(source).as_posix(), st.st_size, st.st_mtime_ns)


def fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept."""


def decode(data: bytes, relpath: str) -> str:
    """UTF-8 (BOM stripped), else cp1252, else latin-1; binary data is refused."""
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > len(text) / 100:
            raise DecodeError("undecodable: neither UTF-8 nor a single-byte text encoding")
        log.info("%s: not UTF-8, read as %s", relpath, encoding)
        return text
    raise DecodeError("undecodable: neither UTF-8 nor a single-byte text encoding")


def doc_id(relpath: str) -> str:
    """`de/report-7.txt` -> `de/report-7`."""
    stem, _, suffix = relpath.rpartition(".")
    return stem if stem and "/" not in suffix else relpath


def read_file(sf: SourceFile, data: bytes | None = None) -> tuple[list[Document], list[Skipped]]:
    """Turns one file into documents. Never raises for bad content: it reports a `Skipped`."""
    if sf.size > MAX_FILE_BYTES:
        return [], [Skipped(sf.relpath, f"too large ({sf.size:,} bytes; limit {MAX_FILE_BYTES:,})")]
    try:
        if data is None:
            data = sf.path.read_bytes()
        text = decode(data, sf.relpath)
    except OSError as e:
        return [], [Skipped(sf.relpath, f"unreadable: {e.strerror or e}")]
    except DecodeError as e:
        return [], [Skipped(sf.relpath, str(e))]
    if not text.strip():
        return [], [Skipped(sf.relpath, "empty file")]
    suffix = sf.path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(text, sf.relpath)
    if suffix in (".html", ".htm"):
        title, text = html_to_text(text)
    elif suffix == ".md":
        title, text = markdown_to_text(text)
    else:
        title = None
    doc = loose_text_document(doc_id(sf.relpath), text, sf.relpath, title)
    if not doc.body.strip() and not doc.title:
        return [], [Skipped(sf.relpath, "no text left after removing markup and boilerplate")]
    return [doc], []


def loose_text_document(id_: str, text: str, relpath: str, title: str | None = None) -> Document:
    meta = extract(text, title_hint=title)
    return Document(
        id=id_, title=meta.title, body=meta.body, date=meta.date, place=meta.place,
        source=meta.source, cited=meta.cited, editor=meta.editor, url=meta.url, path=relpath,
    )


JSONL_FIELDS = ("title", "body", "lang", "date", "place", "source", "url", "twin")


def read_jsonl(text: str, relpath: str) -> tuple[list[Document], list[Skipped]]:
    docs, skipped = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{relpath}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            skipped.append(Skipped(where, f"invalid JSON ({e.msg})"))
            continue
        if not isinstance(rec, dict) or not str(rec.get("id") or "").strip():
            skipped.append(Skipped(where, "a JSONL release needs an `id`"))
            continue
        values = {k: str(rec[k]).strip() or None for k in JSONL_FIELDS if rec.get(k) is not None}
        if not values.get("body") and not values.get("title"):
            skipped.append(Skipped(where, "a JSONL release needs a `title` or `body`"))
            continue
        body = values.pop("body", None) or ""
        lang = values.pop("lang", None)
        docs.append(Document(id=str(rec["id"]).strip(), body=body, path=relpath,
                             lang=lang.lower() if lang else None, lang_prob=1.0 if lang else None,
                             **{"title": None, **values}))
    return docs, skipped


class _HTMLText(HTMLParser):
    """Collects visible text, one block element a paragraph; drops script, style and friends."""

    HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "nav", "footer", "form"})
    BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
              "section", "article", "header", "blockquote", "pre", "dd", "dt", "figcaption", "main"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title: str | None = None
        self.h1: str | None = None
        self._capture: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in ("title", "h1") and self._capture is None:
            self._capture, self._buf = tag, []
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag == self._capture:
            text = " ".join("".join(self._buf).split())
            if tag == "title":
                self.title = self.title or text
            else:
                self.h1 = self.h1 or text
            self._capture = None
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buf.append(data)
        if self._capture == "title" or self.hidden:
            return
        self.parts.append(data)


def html_to_text(source: str) -> tuple[str | None, str]:
    """Visible text of an HTML page with paragraph breaks, and its title (h1 before <title>)."""
    parser = _HTMLText()
    parser.feed(source)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = parser.h1 or parser.title
    if title and text.startswith(title):
        text = text[len(title):].lstrip()
    return title, text


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def markdown_to_text(source: str) -> tuple[str | None, str]:
    """Plain text of a Markdown release; the first heading is its title."""
    title = None
    m = _MD_HEADING.search(source)
    if m and not source[: m.start()].strip():
        title, source = m.group(1).strip(), source[m.end():]
    text = _MD_LINK.sub(r"\1", source)
    text = _MD_HEADING.sub(r"\1", text)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"`{1,3}", "", text)
    return title, html.unescape(text)
