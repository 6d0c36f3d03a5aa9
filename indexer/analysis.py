"""Language-specific analyzers, as Whoosh tokenizer | filter chains.

English: words and numbers, possessives removed, lowercase, stop words, hyphen joins, Snowball
English stems. German: the same chain with German stop words and Snowball German stems, followed
by a fold of ä/ö/ü/ß so that `Waehrung`, `Wahrung` and `Währung` all meet. Other languages: a
neutral chain (lowercase, hyphen joins, no stemming).

Stemming runs through PyStemmer's C implementation and its cache. A PyStemmer object is not
thread-safe, so each thread gets its own (the web app searches from several threads).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.lang.stopwords import stoplists

# Numbers with their separators stay one token (`100.000`, `6½`, `3,5`); words keep inner
# hyphens and apostrophes so the filters below can decide what to do with them.
TOKEN_PATTERN = r"\d+(?:[.,]\d+)*[½¼¾]?|\w+(?:[-'’]\w+)*"
UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
STEMMER_CACHE = 100_000


def _with_transliterations(words: frozenset[str]) -> frozenset[str]:
    """German stop words with umlauts also in the `ae`/`oe`/`ue` spelling (`für` -> `fuer`)."""
    spelled = {w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss") for w in words}
    return frozenset(words | spelled)


STOP_EN = frozenset(stoplists["en"])
STOP_DE = _with_transliterations(frozenset(stoplists["de"]))


class PossessiveFilter(Filter):
    """`China's` -> `China`, `Chengdu’s` -> `Chengdu`, `students'` -> `students`."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if text.endswith(("'s", "’s", "'S", "’S")):
                t.text = text[:-2]
            elif text.endswith(("'", "’")):
                t.text = text[:-1]
            yield t


class HyphenFilter(Filter):
    """Indexes a hyphenated word as its joined form and as its parts, all at one position.

    `Fin-Tech` is indexed as `fintech`, `fin` and `tech`, so `fintech`, `FinTech`, `fin-tech` and
    `Fin-Tech` meet. A query keeps only the joined form, which keeps phrases (`"Jiaozi Fin-Tech
    Dreamworks"`) exact. Parts that are stop words are dropped.
    """

    def __init__(self, stoplist: frozenset[str] = frozenset()) -> None:
        self.stoplist = stoplist

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HyphenFilter) and self.stoplist == other.stoplist

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if "-" not in text and "'" not in text and "’" not in text:
                yield t
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
                offset += len(part) + 1
            t.text = original  # the shared Token must not keep our edit for the next filter


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


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)


def english_analyzer():
    return (_tokenizer() | PossessiveFilter() | LowercaseFilter() | StopFilter(STOP_EN, minsize=1)
            | HyphenFilter(STOP_EN) | StemFilter("english"))


def german_analyzer():
    return (_tokenizer() | LowercaseFilter() | StopFilter(STOP_DE, minsize=1)
            | HyphenFilter(STOP_DE) | StemFilter("german", fold_umlauts=True))


def neutral_analyzer():
    return _tokenizer() | LowercaseFilter() | HyphenFilter()


def vocabulary_analyzer():
    """Surface words for "did you mean": lowercase, letters only, no stems (stems read badly)."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter()


ANALYZERS = {"en": english_analyzer, "de": german_analyzer, "xx": neutral_analyzer}


def field_language(lang: str | None) -> str:
    """The analyzer family for a document language: `de`, `en`, or `xx` for everything else."""
    return lang if lang in ("de", "en") else "xx"
