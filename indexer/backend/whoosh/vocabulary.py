"""The archive's vocabulary of surface words, for "did you mean".

A suggestion must read as a word (`shanghai`, `großbritannien`), not as a stem, so each generation
keeps every distinct lowercased word once, as the terms of a one-document Whoosh index beside the
main one. That costs one posting per distinct word, where a spelling field in every document
would cost one per word per document (it made rebuilds a third slower).

The words near a misspelt one are found by `Spellings`, the vocabulary in memory grouped by first
letter and length, with RapidFuzz's Levenshtein distance: Whoosh's automaton (`terms_within`) took 10-20
ms a word for one edit and 50-90 ms for two at 100,000 releases (the slowest questions of the speed
benchmark were those with two unknown words), RapidFuzz 0.1-1 ms, with the same words found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import index as whoosh_index
from whoosh.fields import KEYWORD, Schema
from whoosh.searching import Searcher

from .segments import ListWriter

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
        if words:
            with ix.writer() as writer:  # Whoosh's own: it merges the segments
                writer.add_document(word=" ".join(sorted(words)))
        return
    folder.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(folder, Schema(word=KEYWORD))
    if words:
        # all of them in one segment, by our list writer: 1.7x less CPU than Whoosh's for so many terms (each
        # a posting list of one; the step took 50 s of the 1M rebuild); no sidecars, as nothing ranks them
        writer = ListWriter(ix, sidecars=False)
        try:
            writer.add_document(word=" ".join(sorted(words)))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()


class Spellings:
    """Every word of the vocabulary by first letter and length, each group one string of its words one after
    the other (a word is a slice: a million words take megabytes, not the 60 bytes of a string object each).
    Typos rarely hit a word's first letter, so only words that share it are near (as before, with Whoosh)."""

    def __init__(self, words: Iterable[str]) -> None:
        groups: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in words:
            groups[word[0], len(word)].append(word)
        self._groups = {key: "".join(group) for key, group in groups.items()}

    def near(self, word: str, maxdist: int) -> list[str]:
        """Words within `maxdist` insertions, deletions or substitutions of `word` (as Whoosh's Levenshtein
        automaton), beginning with its first letter; in order."""
        found: list[str] = []
        for length in range(max(1, len(word) - maxdist), len(word) + maxdist + 1):
            packed = self._groups.get((word[:1], length))
            if packed:
                candidates = [packed[i:i + length] for i in range(0, len(packed), length)]
                found += [c for c, _, _ in process.extract(word, candidates, scorer=Levenshtein.distance,
                                                           score_cutoff=maxdist, limit=None)]
        return sorted(found)


class Vocabulary:
    """Read side: is a word known, and which known words are near it. `remember` keeps the generation's
    `Spellings` for all threads (`Reader.remember`)."""

    def __init__(self, gen: Path, remember: Callable[[tuple, Callable[[], Any], bool], Any]) -> None:
        self.searcher: Searcher | None = None
        self._remember = remember
        if whoosh_index.exists_in(gen / FOLDER):
            self.searcher = whoosh_index.open_dir(gen / FOLDER).searcher()

    def __contains__(self, word: str) -> bool:
        return self.searcher is not None and self.searcher.reader().frequency("word", word) > 0

    def near(self, word: str, maxdist: int) -> list[str]:
        """Known words within `maxdist` edits, sharing the first letter (see `Spellings`)."""
        return self.spellings().near(word, maxdist)

    def spellings(self) -> Spellings:
        """The generation's words in memory, read once (0.6 s at 100,000 releases: servers warm it)."""
        return self._remember(("spellings",), self._read, True)

    def _read(self) -> Spellings:
        if self.searcher is None:
            return Spellings(())
        return Spellings(term.decode("utf-8") for term in self.searcher.reader().lexicon("word"))

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
