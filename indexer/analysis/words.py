"""Word-at-a-time analysis: a chain run once per distinct word, and the terms of single words.

Every filter of our chains looks at one token at a time, never at a neighbour, so a text's terms
are its words' terms: `WordAnalyzer` runs a chain once per distinct word and remembers the result,
which is what indexing and snippets use on whole texts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StopFilter

from .. import lang
from .case import CaseFilter
from .hyphen import HyphenFilter
from .possessive import PossessiveFilter
from .single import Terms, single_word
from .stem import StemFilter
from .tokenizer import TOKEN, TOKEN_PATTERN, distinct_tokens

_stem_filters: dict[str, StemFilter] = {}

COVERED_TEXTS = 50_000  # texts `candidates` records as analyzed whole, before it starts the record anew


def normalize_words(code: str, words: list[str]) -> list[str]:
    """The index term of each one-word `words` as the analyzer of language `code` makes it ("" for a
    stop word).

    The same result as running the analyzer on each word, at a fraction of the cost (for loading
    dictionaries): `normalize_words("de", ["Märkte"])` -> `["markt"]`.
    """
    language = lang.get(code)
    stop = language.search_stop_words
    stem_filter = _stem_filters.get(code)
    if stem_filter is None:
        stem_filter = _stem_filters[code] = StemFilter(language.stemmer, fold_umlauts=language.fold_umlauts)
    stem = stem_filter.stem
    out = []
    for word in words:
        word = word.lower()
        if language.possessives and word.endswith(("'s", "’s")):
            word = word[:-2]
        out.append("" if not word or word in stop else stem(word.replace("-", "").replace("'", "")))
    return out


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
        self._single = single_word(analyzer)  # the chain's filters for one word, without its Tokens
        self.remember = remember
        # word -> its terms, term -> the remembered words the chain makes it of, and the hashes of texts
        # whose every word is remembered: one attribute, so that a thread always reads a matching triple,
        # also while another starts a new one
        self._memory: tuple[dict[str, Terms], dict[str, list[str]], set[int]] = ({}, {}, set())
        self._postings: dict[str, tuple] = {}

    def __len__(self) -> int:
        """How many distinct words it remembers."""
        return len(self._memory[0])

    def terms(self, word: str) -> Terms:
        """(term, boost, start, end) of each token the chain makes of `word`; () for a stop word."""
        remembered, words_of, _ = self._memory
        terms = remembered.get(word)
        if terms is None:
            if len(remembered) >= self.remember:
                remembered, words_of, _ = self._memory = ({}, {}, set())
            terms = self._single(word) if self._single is not None else None
            if terms is None:
                terms = tuple((t.text, t.boost, t.startchar, t.endchar)
                              for t in self.analyzer(word, mode="index", chars=True, positions=False, boosts=True))
            for term in {t for t, _, _, _ in terms}:
                words_of.setdefault(term, []).append(word)
            remembered[word] = terms  # after `words_of`: a remembered word is always found by its terms
        return terms

    def matching(self, words: set[str], exact: set[str]) -> set[str]:
        """Those of `words` of which the chain makes a term in `exact`. Only the words it has not seen
        before are analyzed; the others are found from `exact`'s side, through the words remembered
        for each term, which is what makes marking a page of results cheap (a release has hundreds
        of distinct words, a query a few dozen terms)."""
        remembered, words_of, _ = self._memory
        found = {word for word in words.difference(remembered)
                 if any(term in exact for term, _, _, _ in self.terms(word))}
        for term in exact:
            for word in words_of.get(term, ()):
                if word in words:
                    found.add(word)
        return found

    def candidates(self, text: str, exact: set[str]) -> set[str]:
        """Words of which the chain makes a term in `exact`, among them every such word of `text` (others
        may not occur in it: look them up). A text seen before, all of whose words are still remembered,
        is not tokenized again: its words are found from `exact`'s side alone. Tokenizing a release's body
        was two thirds of marking it, and a server shows the same releases again and again."""
        memory = self._memory
        words_of, covered = memory[1], memory[2]
        key = hash(text)
        if key in covered:
            return {word for term in exact for word in words_of.get(term, ())}
        found = self.matching(distinct_tokens(text), exact)
        if self._memory is memory:  # no word was forgotten while the text was analyzed
            if len(covered) >= COVERED_TEXTS:
                covered.clear()
            covered.add(key)
        return found

    def __call__(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(term, start, end) of every term of `text`, in order."""
        remembered = self._memory[0]
        for m in TOKEN.finditer(text):
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
        for i, word in enumerate(TOKEN.findall(text)):
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


_word_analyzers: list[WordAnalyzer] = []
_word_analyzers_lock = threading.Lock()


def word_analyzer(analyzer: CompositeAnalyzer) -> WordAnalyzer:
    """The process's word-by-word analyzer for an analyzer chain: one for all threads and
    generations, so the words that snippets analyze are remembered for every later search (and,
    filled by `warm` before a server forks, shared by its processes)."""
    for known in _word_analyzers:
        if known.analyzer == analyzer:
            return known
    with _word_analyzers_lock:
        for known in _word_analyzers:
            if known.analyzer == analyzer:
                return known
        made = WordAnalyzer(analyzer)
        _word_analyzers.append(made)
        return made


def remembered_words() -> int:
    """How many distinct words the process's word analyzers remember."""
    return sum(map(len, _word_analyzers))
