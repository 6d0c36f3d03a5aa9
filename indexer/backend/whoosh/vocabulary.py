"""The archive's vocabulary of surface words, for "did you mean".

A suggestion must read as a word (`shanghai`, `großbritannien`), not as a stem, so each generation
keeps every distinct lowercased word once, as the terms of a one-document Whoosh index beside the
main one. That costs one posting per distinct word, where a spelling field in every document
would cost one per word per document (it made rebuilds a third slower), and Whoosh's
automaton-based `terms_within` still finds the words within an edit distance quickly.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import KEYWORD, Schema
from whoosh.searching import Searcher

FOLDER = "vocabulary"


def write(gen: Path, words: set[str]) -> None:
    """Adds `words` to the generation's vocabulary. A generation cloned for `update` has its
    predecessor's, which gains one small segment of the update's words (a word it already has is merged
    away with the segments; a removed release's words stay, as a suggestion may still find them in
    another); a new one gets all. Whoosh writes new files and unlinks old ones, never changing a file
    in place, so the predecessor's hard-linked files stay as they were."""
    folder = gen / FOLDER
    if whoosh_index.exists_in(folder):
        ix = whoosh_index.open_dir(folder)
    else:
        folder.mkdir(exist_ok=True)
        ix = whoosh_index.create_in(folder, Schema(word=KEYWORD))
    if words:
        with ix.writer() as writer:
            writer.add_document(word=" ".join(sorted(words)))


class Vocabulary:
    """Read side: is a word known, and which known words are near it."""

    def __init__(self, gen: Path) -> None:
        self.searcher: Searcher | None = None
        if whoosh_index.exists_in(gen / FOLDER):
            self.searcher = whoosh_index.open_dir(gen / FOLDER).searcher()

    def __contains__(self, word: str) -> bool:
        return self.searcher is not None and self.searcher.reader().frequency("word", word) > 0

    def near(self, word: str, maxdist: int, prefix: int = 1) -> list[str]:
        """Known words within `maxdist` edits, sharing the first `prefix` letters (typos rarely hit those).
        Asked of each segment: a segment walks its words with an automaton, while Whoosh's reader of
        several segments (an updated vocabulary) computes the distance to every word with the prefix,
        which made a query with a suggestion ten times slower."""
        if self.searcher is None:
            return []
        found: set[str] = set()
        for segment, _ in self.searcher.reader().leaf_readers():
            found.update(segment.terms_within("word", word, maxdist, prefix=prefix))
        return sorted(found)

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
