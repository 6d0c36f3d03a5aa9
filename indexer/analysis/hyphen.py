"""Hyphenated words and compounds: the joined form and the parts, at one position."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from whoosh.analysis import Filter, Token

PART_BOOST = 0.5  # a compound's part counts half a word of its own: `Währung` beats `Papierwährung`


class HyphenFilter(Filter):
    """Indexes a hyphenated word as its joined form and as its parts, all at one position.

    `Fin-Tech` is indexed as `fintech`, `fin` and `tech`, so `fintech`, `FinTech`, `fin-tech` and
    `Fin-Tech` meet. A query keeps only the joined form, which keeps phrases (`"Jiaozi Fin-Tech
    Dreamworks"`) exact. Parts that are stop words are dropped. With a `splitter`, capitalized
    compounds also yield their parts (weighted `PART_BOOST`, spanning the whole word so that a
    snippet marks `Kooperationsvereinbarung` for `Kooperation`).
    """

    def __init__(self, stoplist: frozenset[str] = frozenset(),
                 splitter: Callable[[str], tuple[str, ...]] | None = None) -> None:
        self.stoplist = stoplist
        self.splitter = splitter

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, HyphenFilter) and self.stoplist == other.stoplist
                and self.splitter == other.splitter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if "-" not in text and "'" not in text and "’" not in text:
                yield t
                if self.splitter and t.mode != "query" and getattr(t, "capitalized", False):
                    yield from self._compound_parts(t, text, getattr(t, "startchar", 0), len(text))
                continue
            parts = text.replace("’", "-").replace("'", "-").split("-")
            original, start = text, getattr(t, "startchar", 0)
            t.text = "".join(parts)
            if t.mode == "query":
                yield t
                continue
            yield t
            offset = 0
            for part in parts:
                if part and part not in self.stoplist:
                    sub = t.copy()
                    sub.text = part
                    if t.chars:
                        sub.startchar = start + offset
                        sub.endchar = sub.startchar + len(part)
                    yield sub
                    if self.splitter:
                        yield from self._compound_parts(t, part, start + offset, len(part))
                offset += len(part) + 1
            t.text = original  # the shared Token must not keep our edit for the next filter

    def _compound_parts(self, t: Token, word: str, start: int, length: int) -> Iterator[Token]:
        for part in self.splitter(word):
            sub = t.copy()
            sub.text, sub.boost = part, t.boost * PART_BOOST
            if t.chars:
                sub.startchar, sub.endchar = start, start + length
            yield sub
