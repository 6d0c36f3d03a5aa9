"""Analyzer chains, composed from the tokenizer and the filters of this package.

Each language module (`indexer/lang/`) asks for its chain by what it needs: English drops
possessives and stems; German remembers capitals (only capitalized words, nouns, are split as
compounds), folds umlauts after stemming and splits compounds; the neutral chain only lowercases
and joins hyphens. Every filter here looks at one token at a time (see `words`).
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, StopFilter

from .case import CaseFilter
from .hyphen import HyphenFilter
from .possessive import PossessiveFilter
from .stem import StemFilter
from .tokenizer import tokenizer


def chain(stop: frozenset[str] | None = None, possessives: bool = False, mark_capitals: bool = False,
          splitter: Callable[[str], tuple[str, ...]] | None = None, stemmer: str | None = None,
          fold_umlauts: bool = False) -> CompositeAnalyzer:
    """tokenizer | [possessives] | [capitals] | lowercase | [stop words] | hyphens and compounds | [stems]."""
    analyzer = tokenizer()
    if possessives:
        analyzer |= PossessiveFilter()
    if mark_capitals:
        analyzer |= CaseFilter()
    analyzer |= LowercaseFilter()
    if stop is not None:
        analyzer |= StopFilter(stop, minsize=1)
        analyzer |= HyphenFilter(stop, splitter)
    else:
        analyzer |= HyphenFilter(splitter=splitter)
    if stemmer:
        analyzer |= StemFilter(stemmer, fold_umlauts=fold_umlauts)
    return analyzer
