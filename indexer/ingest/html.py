"""HTML: the visible text of a page, a paragraph per block element; the title from `<h1>` or `<title>`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..model import Document, Skipped
from .text import read as read_text


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


def read(text: str, relpath: str) -> tuple[list[Document], list[Skipped]]:
    title, text = html_to_text(text)
    return read_text(text, relpath, title)
