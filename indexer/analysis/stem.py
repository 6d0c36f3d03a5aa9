"""Snowball stemming through PyStemmer's C implementation and its cache.

A PyStemmer object is not thread-safe, so each thread gets its own (the web app searches from
several threads)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import Stemmer
from whoosh.analysis import Filter, Token

STEMMER_CACHE = 100_000
UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


class StemFilter(Filter):
    """Snowball stemming through PyStemmer, one stemmer per thread, numbers left alone."""

    def __init__(self, language: str, fold_umlauts: bool = False) -> None:
        self.language = language
        self.fold_umlauts = fold_umlauts
        self._local = threading.local()

    def __getstate__(self) -> dict:
        return {"language": self.language, "fold_umlauts": self.fold_umlauts}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, StemFilter) and self.language == other.language
                and self.fold_umlauts == other.fold_umlauts)

    def stemmer(self) -> Stemmer.Stemmer:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer(self.language, STEMMER_CACHE)
        return stemmer

    def stem(self, word: str) -> str:
        if word[0].isdigit():
            return word
        stem = self.stemmer().stemWord(word)
        return stem.translate(UMLAUT_FOLD) if self.fold_umlauts else stem

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t
