"""Language-specific analyzers, as Whoosh tokenizer | filter chains.

English: words and numbers, possessives removed, lowercase, stop words, hyphen joins, Snowball
English stems. German: the same chain with German stop words and Snowball German stems, followed
by a fold of ä/ö/ü/ß so that `Waehrung`, `Wahrung` and `Währung` all meet; capitalized compounds
(nouns) are also indexed as their parts (see `compounds`), at a lower weight than whole words.
Other languages: a neutral chain (lowercase, hyphen joins, no stemming).

Stemming runs through PyStemmer's C implementation and its cache. A PyStemmer object is not
thread-safe, so each thread gets its own (the web app searches from several threads).

Every filter in these chains looks at one token at a time, never at a neighbour, so a text's
terms are its words' terms: `WordAnalyzer` runs a chain once per distinct word and remembers the
result, which is what indexing and snippets use on whole texts.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator

import Stemmer
from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.lang.stopwords import stoplists

from . import compounds

# Numbers with their separators stay one token (`100.000`, `6½`, `3,5`); words keep inner
# hyphens and apostrophes so the filters below can decide what to do with them.
TOKEN_PATTERN = r"\d+(?:[.,]\d+)*[½¼¾]?|\w+(?:[-'’]\w+)*"
WORD = re.compile(TOKEN_PATTERN)
UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
STEMMER_CACHE = 100_000
PART_BOOST = 0.5  # a compound's part counts half a word of its own: `Währung` beats `Papierwährung`
COMPOUNDS_ENV = "TWINSEARCH_COMPOUNDS"  # "0" builds indexes without compound parts (for comparison)


def _with_transliterations(words: frozenset[str]) -> frozenset[str]:
    """German stop words with umlauts also in the `ae`/`oe`/`ue` spelling (`für` -> `fuer`)."""
    spelled = {w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss") for w in words}
    return frozenset(words | spelled)


# Whoosh's lists lack most question words; natural-language questions are full of them.
QUESTION_WORDS_EN = frozenset({"whose", "many", "much"})
QUESTION_WORDS_DE = frozenset({
    "ab", "wer", "wem", "wen", "wessen", "wann", "warum", "weshalb", "weswegen", "wieso", "wozu", "worum", "womit",
    "wodurch", "wofür", "wohin", "woher", "worüber", "woran", "worauf", "wobei", "viele", "vielen", "wurde",
    "wurden",
})
STOP_EN = frozenset(stoplists["en"]) | QUESTION_WORDS_EN
STOP_DE = _with_transliterations(frozenset(stoplists["de"]) | QUESTION_WORDS_DE)


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


class CaseFilter(Filter):
    """Remembers whether a token was capitalized, before lowercasing: German nouns are, so only
    they are split as compounds (verbs and participles split badly: `verein|bart`)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.capitalized = t.text[:1].isupper()
            yield t


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


def german_analyzer(split_compounds: bool | None = None):
    """`split_compounds` defaults to on unless `$TWINSEARCH_COMPOUNDS` is `0`."""
    if split_compounds is None:
        split_compounds = os.environ.get(COMPOUNDS_ENV, "1") != "0"
    splitter = compounds.split if split_compounds else None
    return (_tokenizer() | CaseFilter() | LowercaseFilter() | StopFilter(STOP_DE, minsize=1)
            | HyphenFilter(STOP_DE, splitter) | StemFilter("german", fold_umlauts=True))


def neutral_analyzer():
    return _tokenizer() | LowercaseFilter() | HyphenFilter()


ANALYZERS = {"en": english_analyzer, "de": german_analyzer, "xx": neutral_analyzer}
STOPS = {"en": STOP_EN, "de": STOP_DE}
_STEM_FILTERS = {"en": StemFilter("english"), "de": StemFilter("german", fold_umlauts=True)}


def normalize_words(lang: str, words: list[str]) -> list[str]:
    """The index term of each one-word `words` as the `lang` analyzer makes it ("" for a stop word).

    The same result as running the analyzer on each word, at a fraction of the cost (for loading
    dictionaries): `normalize_words("de", ["Märkte"])` -> `["markt"]`.
    """
    stop, stem = STOPS[lang], _STEM_FILTERS[lang].stem
    out = []
    for word in words:
        word = word.lower()
        if lang == "en" and word.endswith(("'s", "’s")):
            word = word[:-2]
        out.append("" if not word or word in stop else stem(word.replace("-", "").replace("'", "")))
    return out


def field_language(lang: str | None) -> str:
    """The analyzer family for a document language: `de`, `en`, or `xx` for everything else."""
    return lang if lang in ("de", "en") else "xx"


class WordAnalyzer:
    """A word-local analyzer chain applied word by word, each distinct word analyzed once.

    A text's terms are its words' terms (no filter of ours looks at a neighbour), and texts share
    most of their words, so analyzing a text is mostly looking words up. The results are the
    chain's own: the same terms, positions, boosts and character spans. Threads may share one:
    the chain's stemmer is per thread, and the remembered words are a dict.
    """

    def __init__(self, analyzer: CompositeAnalyzer, remember: int = 200_000) -> None:
        if not word_local(analyzer):
            raise ValueError(f"{analyzer!r} is not a word-local chain of this module")
        self.analyzer = analyzer
        # A StopFilter renumbers: the first kept word keeps its place, later ones follow it without gaps.
        self.renumber = any(isinstance(f, StopFilter) and f.renumber for f in analyzer.items[1:])
        self.remember = remember
        self._terms: dict[str, tuple[tuple[str, float, int, int], ...]] = {}
        self._postings: dict[str, tuple] = {}

    def __len__(self) -> int:
        """How many distinct words it remembers."""
        return len(self._terms)

    def terms(self, word: str) -> tuple[tuple[str, float, int, int], ...]:
        """(term, boost, start, end) of each token the chain makes of `word`; () for a stop word."""
        terms = self._terms.get(word)
        if terms is None:
            if len(self._terms) >= self.remember:
                self._terms.clear()
            terms = self._terms[word] = tuple(
                (t.text, t.boost, t.startchar, t.endchar)
                for t in self.analyzer(word, mode="index", chars=True, positions=False, boosts=True))
        return terms

    def __call__(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(term, start, end) of every term of `text`, in order."""
        remembered = self._terms
        for m in WORD.finditer(text):
            word = m.group()
            terms = remembered.get(word)
            if terms is None:
                terms = self.terms(word)
            start = m.start()
            for term, _, s, e in terms:
                yield term, start + s, start + e

    def postings(self, text: str) -> tuple[dict[str, list[int]], dict[str, float]]:
        """Each term's positions in `text`, as Whoosh's `Positions` format collects them from the
        chain's tokens, and for the terms that some token gave a boost other than 1 (compound
        parts), the sum of (boost - 1) over their tokens: a term's weight is its number of
        positions plus that (exactly Whoosh's sum of boosts, for boosts such as 0.5)."""
        positions: dict[str, list[int]] = {}
        off: dict[str, float] = {}
        remembered, renumber = self._postings, self.renumber
        first, kept = -1, 0
        for i, word in enumerate(WORD.findall(text)):
            entry = remembered.get(word)
            if entry is None:
                entry = self._posting_terms(word)
            if not entry:
                continue
            if renumber:
                if first < 0:
                    first = i
                pos = first + kept
                kept += 1
            else:
                pos = i
            for term in entry[0]:
                found = positions.get(term)
                if found is None:
                    positions[term] = [pos]
                else:
                    found.append(pos)
            for term, boost in entry[1]:
                found = positions.get(term)
                if found is None:
                    positions[term] = [pos]
                else:
                    found.append(pos)
                off[term] = off.get(term, 0.0) + boost - 1.0
        return positions, off

    def _posting_terms(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[str, float], ...]] | tuple[()]:
        """A word's terms as `postings` wants them: those of boost 1, then the others with theirs."""
        terms = self.terms(word)
        if len(self._postings) >= self.remember:
            self._postings.clear()
        entry = self._postings[word] = (
            (tuple(t for t, boost, _, _ in terms if boost == 1.0),
             tuple((t, boost) for t, boost, _, _ in terms if boost != 1.0)) if terms else ())
        return entry


WORD_LOCAL_FILTERS = (PossessiveFilter, CaseFilter, LowercaseFilter, StopFilter, HyphenFilter, StemFilter)


def word_local(analyzer: object) -> bool:
    """Whether `analyzer` is one of this module's chains: our tokenizer, then filters that each
    look at one token at a time."""
    if not isinstance(analyzer, CompositeAnalyzer) or not analyzer.items:
        return False
    tokenizer, *filters = analyzer.items
    return (isinstance(tokenizer, RegexTokenizer) and tokenizer.expression.pattern == TOKEN_PATTERN
            and not tokenizer.gaps and all(type(f) in WORD_LOCAL_FILTERS for f in filters))
