"""The embedded default backend, on Whoosh. Every use of Whoosh's internals lives in this folder.

`schema` (the fields), `segments` (a segment writer that pools posting lists), `writer` (workers'
segments, one commit), `ranking` (queries evaluated a posting list at a time with numpy) over
`decode` (Whoosh's blocks read into arrays) and `postings` (the decoded-postings cache and
per-generation state), `vocabulary` (the surface words for "did you mean"), `reader` (what a
search opens).
"""

from __future__ import annotations

from pathlib import Path

from . import vocabulary
from .reader import WhooshReader
from .writer import SegmentPart, WhooshWriter, create


class WhooshBackend:
    name = "whoosh"

    def create(self, gen: Path) -> None:
        create(gen)

    def writer(self, gen: Path) -> WhooshWriter:
        return WhooshWriter(gen)

    def part(self, gen: Path) -> SegmentPart:
        return SegmentPart(gen)

    def open(self, gen: Path) -> WhooshReader:
        return WhooshReader(gen)

    def write_words(self, gen: Path, words: set[str]) -> None:
        vocabulary.write(gen, words)

    def publish(self, gen: Path) -> None:
        """Nothing to do: the generation folder is the whole index."""

    def drop(self, gen: Path) -> None:
        """Nothing to do: removing the generation folder removes the index."""


BACKEND = WhooshBackend()

__all__ = ["BACKEND", "WhooshBackend"]
