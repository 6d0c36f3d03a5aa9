"""One word through a chain of this package, without Whoosh's token machinery.

`WordAnalyzer` analyzes each distinct word once, but a search still meets words it has not seen
(a hit's rare words) and a rebuild meets hundreds of thousands: through the generator chain each
costs ~20 us, mostly building and passing `Token` objects. `single_word(analyzer)` reads the
chain's settings once and returns a function that does what its filters do to one token, in
their order (possessives, capitals, lowercase, stop words, hyphens and compounds, stems), giving
the same (term, boost, start, end) tuples; `tests/analysis/test_single.py` holds the two to each
other. A chain of another shape gets None, and stays with the chain.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StopFilter

from .case import CaseFilter
from .hyphen import PART_BOOST, HyphenFilter
from .possessive import PossessiveFilter
from .stem import StemFilter
from .tokenizer import TOKEN, TOKEN_PATTERN

Terms = tuple[tuple[str, float, int, int], ...]


def single_word(analyzer: CompositeAnalyzer) -> Callable[[str], Terms | None] | None:
    """A function giving what `analyzer` (in index mode, with characters and boosts) makes of a word
    that its tokenizer reads as one token, and None for any other text; None if the chain is not
    one that `chain.chain` composes."""
    items = list(analyzer.items)
    if not items or not isinstance(items[0], RegexTokenizer) or items[0].expression.pattern != TOKEN_PATTERN \
            or items[0].gaps:
        return None
    filters = items[1:]
    possessives = _take(filters, PossessiveFilter) is not None
    capitals = _take(filters, CaseFilter) is not None
    if _take(filters, LowercaseFilter) is None:
        return None
    stop = _take(filters, StopFilter)
    hyphen = _take(filters, HyphenFilter)
    stemmer = _take(filters, StemFilter)
    if filters or hyphen is None or (stop is not None and (stop.max is not None or stop.min != 1)):
        return None
    stops = stop.stops if stop is not None else None
    stoplist, splitter = hyphen.stoplist, hyphen.splitter
    stem = stemmer.stem if stemmer is not None else _same

    def terms(word: str) -> Terms | None:
        token = TOKEN.match(word)  # the tokenizer's first token, which must be the whole word
        if token is None or token.end() != len(word):
            return None
        text = word
        if possessives:
            if text.endswith(("'s", "’s", "'S", "’S")):
                text = text[:-2]
            elif text.endswith(("'", "’")):
                text = text[:-1]
        capitalized = capitals and text[:1].isupper()
        text = text.lower()
        if stops is not None and (not text or text in stops):
            return ()
        end = len(word)
        if "-" not in text and "'" not in text and "’" not in text:
            found = [(stem(text), 1.0, 0, end)]
            if splitter and capitalized:
                found += [(stem(part), PART_BOOST, 0, len(text)) for part in splitter(text)]
            return tuple(found)
        parts = text.replace("’", "-").replace("'", "-").split("-")
        found = [(stem("".join(parts)), 1.0, 0, end)]
        offset = 0
        for part in parts:
            if part and part not in stoplist:
                found.append((stem(part), 1.0, offset, offset + len(part)))
                if splitter:
                    found += [(stem(p), PART_BOOST, offset, offset + len(part)) for p in splitter(part)]
            offset += len(part) + 1
        return tuple(found)

    return terms


def _take(filters: list, kind: type) -> object | None:
    """The first of `filters` if it is exactly of `kind` (removed from the list), else None."""
    if filters and type(filters[0]) is kind:
        return filters.pop(0)
    return None


def _same(text: str) -> str:
    return text
