"""Ranking over both languages of a twin pair: a release is also found through its twin.

With `lang` set to a language of the twin pair, both languages are searched, and a hit in the
other language counts, `TWIN_WEIGHT`-fold, for its twin in the asked-for language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend.postings import Postings, combine, newest, top
from ..lang import PAIR
from ..query import ParsedQuery
from ..query.filters import both, every
from ..query.filters import language as filters_language
from .handles import Handle

TWIN_WEIGHT = 0.6  # a twin's score counts this much, added, for the release in the asked-for language
# ... and this much where the query is in the asked-for language: then the twin matched only through
# translations, which the release's own text already had a chance at.
SAME_LANGUAGE_TWIN_WEIGHT = 0.3
OWN, TWIN = 1.0, 2.0  # how a result was found, summed: 1 own text, 2 its twin, 3 both


@dataclass(frozen=True)
class TwinScope:
    """What a search with `lang` runs over, one entry per document number: whether a release is in
    `lang` (`targets`), and its twin's document number, or -1 (`twin_of`)."""

    targets: np.ndarray
    twin_of: np.ndarray


@dataclass
class Ranked:
    """A result before it becomes a Hit: its score, and whether its own text and its twin matched."""

    docnum: int
    score: float
    own: bool = True
    twin: bool = False


def twin_scope(handle: Handle, lang: str) -> TwinScope:
    """The releases in `lang` and their twins' document numbers; computed once per generation."""
    return handle.reader.remember(("twins", lang), lambda: _twin_scope(handle, lang))


def _twin_scope(handle: Handle, lang: str) -> TwinScope:
    number = handle.reader.docnum
    twin_of = np.full(handle.reader.size, -1, dtype=np.int64)
    for doc_id, (twin, _) in handle.partners.items():
        a, b = number(doc_id), number(twin)
        if a is not None and b is not None:
            twin_of[a] = b
    return TwinScope(handle.reader.mask(filters_language(lang)), twin_of)


def best(handle: Handle, found: Postings, window: int, sort: str) -> Postings:
    """The first `window` results in the order asked for: by score, or by date (undated last)."""
    if sort == "relevance":
        return top(found, window)
    return newest(found, window, handle.reader.column("date"), oldest=sort == "oldest")


def rank(handle: Handle, parsed: ParsedQuery, lang: str | None, filters: Any | None,
         window: int, sort: str = "relevance") -> tuple[list[Ranked], np.ndarray]:
    """The best `window` results and the document numbers of all of them. With `lang` (and twin links), both
    languages are searched, and a hit in the other language counts, `TWIN_WEIGHT`-fold, for its twin."""
    reader = handle.reader
    filters = both(filters, parsed.restriction)
    if parsed.q is not None:
        found = reader.search(parsed.q)
    else:  # restrictions only: every release they allow, unscored
        docs = np.flatnonzero(reader.mask(every())).astype(np.int32)
        found = Postings(docs, np.zeros(len(docs)))
    allowed = reader.mask(filters) if filters is not None else None  # dates and sources: the release's own
    if lang in PAIR and handle.partners:
        scope = twin_scope(handle, lang)
        targets = scope.targets if allowed is None else scope.targets & allowed
        partner = scope.twin_of[found.docs]
        through_twin = (partner >= 0) & targets[np.maximum(partner, 0)] & ~targets[found.docs]
        own = found.only(targets)
        twin_weight = SAME_LANGUAGE_TWIN_WEIGHT if parsed.context.lang == lang else TWIN_WEIGHT
        via = Postings(partner[through_twin], found.scores[through_twin] * twin_weight)
        docs, scores, how = combine([own, via], reader.size,
                                            [np.full(len(own), OWN), np.full(len(via), TWIN)])
        chosen = best(handle, Postings(docs, scores), window, sort)
        found_how = how[np.searchsorted(docs, chosen.docs)]
        return [Ranked(d, s, h != TWIN, h != OWN) for d, s, h in
                zip(chosen.docs.tolist(), chosen.scores.tolist(), found_how.tolist(), strict=True)], docs
    if lang:
        language = reader.mask(filters_language(lang))
        allowed = language if allowed is None else language & allowed
    if allowed is not None:
        found = found.only(allowed)
    chosen = best(handle, found, window, sort)
    return [Ranked(d, s) for d, s in zip(chosen.docs.tolist(), chosen.scores.tolist(), strict=True)], found.docs
