"""Markdown: plain text, with the first heading as the title."""

from __future__ import annotations

import html
import re

from ..model import Document, Skipped
from .text import read as read_text

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


def read(text: str, relpath: str) -> tuple[list[Document], list[Skipped]]:
    title, text = markdown_to_text(text)
    return read_text(text, relpath, title)
