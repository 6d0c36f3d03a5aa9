"""Finding a query's results, as the page, the API, exports and feeds all find them: the query as typed,
and, when that finds nothing, its compounds' parts or its spelling suggestion (unless `exact`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import QueryError
from ..query import ParsedQuery
from ..query.decompound import decompound
from ..query.terms import untranslated
from .handles import Handle
from .scope import Ranked, Ranking, rank
from .suggest import suggest

SUGGEST_BELOW = 3  # offer "did you mean" when a query finds fewer results than this


@dataclass
class Found:
    """The best `window` results of what was searched, every result's document number, and the suggestion."""

    searched: str  # the query, or what was searched instead of it
    parsed: ParsedQuery
    ranked: list[Ranked]
    matched: np.ndarray
    tabs: dict[str, int]
    suggestion: str | None


def find(handle: Handle, query: str, lang: str | None, filters: Any | None, window: int, sort: str,
         translate: bool = True, exact: bool = False) -> Found:
    parsed = handle.parser.parse(query, translate, lang)
    ranking = _rank(handle, parsed, filters, window, sort)
    total = len(ranking.matched)
    suggestion = suggest(handle, query, parsed.lang, filters, total) if total < SUGGEST_BELOW else None
    found = Found(query, parsed, ranking.ranked, ranking.matched, ranking.tabs, suggestion)
    if total or exact:
        return found
    split = decompound(query, lambda word: handle.reader.document_frequency(word) > 0)
    for instead in dict.fromkeys(q for q in (split, suggestion) if q and q != query):
        try:
            instead_parsed = handle.parser.parse(instead, translate, lang)
        except QueryError:  # the other reading has no words to search for either
            continue
        instead_ranking = _rank(handle, instead_parsed, filters, window, sort)
        if len(instead_ranking.matched):
            return Found(instead, instead_parsed, instead_ranking.ranked, instead_ranking.matched,
                         instead_ranking.tabs, suggestion)
    return found


def _rank(handle: Handle, parsed: ParsedQuery, filters: Any | None, window: int, sort: str) -> Ranking:
    """`rank`, told which releases the words as typed match where translation added words (`scope.fold`)."""
    typed = None
    if parsed.q is not None and parsed.context.translated and handle.partners:
        as_typed = untranslated(parsed.q, parsed.context.translated, parsed.context.words)
        typed = (lambda docs: handle.reader.matches(as_typed, docs)) if as_typed is not None else \
            (lambda docs: np.zeros(len(docs), bool))
    return rank(handle, parsed, parsed.lang, filters, window, sort, typed)
