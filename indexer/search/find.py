"""Finding a query's results, as the page, the API, exports and feeds all find them: the query as typed,
and, when that finds nothing, its compounds' parts or its spelling suggestion (unless `exact`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import QueryError
from ..query import ParsedQuery
from ..query.decompound import decompound
from .handles import Handle
from .scope import Ranked, rank
from .suggest import suggest

SUGGEST_BELOW = 3  # offer "did you mean" when a query finds fewer results than this


@dataclass
class Found:
    """The best `window` results of what was searched, every result's document number, and the suggestion."""

    searched: str  # the query, or what was searched instead of it
    parsed: ParsedQuery
    ranked: list[Ranked]
    matched: np.ndarray
    suggestion: str | None


def find(handle: Handle, query: str, lang: str | None, filters: Any | None, window: int, sort: str,
         translate: bool = True, exact: bool = False) -> Found:
    parsed = handle.parser.parse(query, translate, lang)
    ranked, matched = rank(handle, parsed, parsed.lang, filters, window, sort)
    suggestion = suggest(handle, query, parsed.lang, filters, len(matched)) if len(matched) < SUGGEST_BELOW else None
    found = Found(query, parsed, ranked, matched, suggestion)
    if len(matched) or exact:
        return found
    split = decompound(query, lambda word: handle.reader.document_frequency(word) > 0)
    for instead in dict.fromkeys(q for q in (split, suggestion) if q and q != query):
        try:
            instead_parsed = handle.parser.parse(instead, translate, lang)
        except QueryError:  # the other reading has no words to search for either
            continue
        instead_ranked, instead_matched = rank(handle, instead_parsed, instead_parsed.lang, filters, window, sort)
        if len(instead_matched):
            return Found(instead, instead_parsed, instead_ranked, instead_matched, suggestion)
    return found
