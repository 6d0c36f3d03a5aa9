"""Ranking over both languages of a twin pair: a release is also found through its twin.

With `lang` set to a language of the twin pair, both languages are searched, and a hit in the
other language counts, `tuning.twin`-fold, for its twin in the asked-for language. Without `lang`, a
release found only through translation shares its twin's card (`fold`), so that every count is of cards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from .. import tuning
from ..backend.postings import EMPTY, Postings, combine, newest, top
from ..lang import PAIR
from ..query import ParsedQuery
from ..query.filters import both, every
from ..query.filters import language as filters_language
from .feedback import with_feedback
from .handles import Handle

Typed = Callable[[np.ndarray], np.ndarray]  # whether the words as typed (untranslated) match each of some releases

OWN, TWIN = 1.0, 2.0  # how a result was found, summed: 1 own text, 2 its twin, 3 both
DENSE_FOLD = 32  # `fold` places hits in an array over the index above one hit per this many releases


@dataclass(frozen=True)
class TwinScope:
    """What a search with `lang` runs over, one entry per document number: whether a release is in
    `lang` (`targets`), and its twin's document number, or -1 (`twin_of`)."""

    targets: np.ndarray
    twin_of: np.ndarray


@dataclass
class Ranked:
    """A result before it becomes a Hit: its score, whether its own text and its twin matched, and the
    twin that shares its card (`rider`), if any."""

    docnum: int
    score: float
    own: bool = True
    twin: bool = False
    rider: int | None = None
    rider_score: float = 0.0


@dataclass(frozen=True)
class Ranking:
    """The best `window` results, the document numbers of all results (one per card), and what the total
    would be in each language tab (`""`: all languages)."""

    ranked: list[Ranked]
    matched: np.ndarray
    tabs: dict[str, int]


def twin_numbers(handle: Handle) -> np.ndarray:
    """Each document's twin's document number, or -1; computed once per generation."""
    return handle.reader.remember("twin_numbers", lambda: _twin_numbers(handle))


def _twin_numbers(handle: Handle) -> np.ndarray:
    """Every partner's id numbered in one call, each id once (most are both a release and a twin): one
    at a time, 400,000 ids took 20-90 s at 1,000,000 releases, on the first search of every server process."""
    place = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(chain(handle.partners,
                                                                     (t for t, _ in handle.partners.values()))))}
    numbers = handle.reader.docnums(list(place))
    mine = numbers[[place[doc_id] for doc_id in handle.partners]]
    theirs = numbers[[place[twin] for twin, _ in handle.partners.values()]]
    both = (mine >= 0) & (theirs >= 0)
    twin_of = np.full(handle.reader.size, -1, dtype=np.int64)
    twin_of[mine[both]] = theirs[both]
    return twin_of


def twin_scope(handle: Handle, lang: str) -> TwinScope:
    """The releases in `lang` and their twins' document numbers; computed once per generation."""
    return handle.reader.remember(("twins", lang), lambda: TwinScope(handle.reader.mask(filters_language(lang)),
                                                                     twin_numbers(handle)))


def warm(handle: Handle) -> None:
    """Numbers the twins and flags each language's releases, which the first search of every server
    process would otherwise do (3 s and 2 s at 1,000,000 releases): a server warms, then forks."""
    if handle.partners:
        twin_numbers(handle)
        for code in PAIR:
            twin_scope(handle, code)
    pair_languages(handle)


def best(handle: Handle, found: Postings, window: int, sort: str) -> Postings:
    """The first `window` results in the order asked for: by score, or by date (undated last)."""
    if sort == "relevance":
        return top(found, window)
    return newest(found, window, handle.reader.column("date"), oldest=sort == "oldest")


def rank(handle: Handle, parsed: ParsedQuery, lang: str | None, filters: Any | None,
         window: int, sort: str = "relevance", typed: Typed | None = None) -> Ranking:
    """The best `window` results and the document numbers of all of them. With `lang` (and twin links), both
    languages are searched, and a hit in the other language counts, `tuning.twin`-fold, for its twin
    (`tuning.same_language_twin` where the query is in `lang`: then the twin matched only through
    translations, which the release's own text already had a chance at).
    Without `lang`, a release that matched only through translation shares its twin's card when the twin
    matched too (`fold`); `typed` tells which releases the words as typed match (None: all of them)."""
    reader = handle.reader
    filters = both(filters, parsed.restriction)
    twin_of = twin_numbers(handle) if handle.partners else None
    if parsed.q is not None:
        found = with_feedback(handle, parsed, reader.search(parsed.q), lang, twin_of)
    else:  # restrictions only: every release they allow, unscored
        docs = np.flatnonzero(reader.mask(every()))
        found = Postings(docs, np.zeros(len(docs)))
    allowed = reader.mask(filters) if filters is not None else None  # dates and sources: the release's own
    hits = found if allowed is None else found.only(allowed)
    cards, riders = fold(hits, twin_of, typed) if twin_of is not None and typed is not None else (hits, EMPTY)
    tabs = {"": len(cards)} | tab_totals(handle, found, allowed, twin_of)
    if lang in PAIR and twin_of is not None:
        scope = twin_scope(handle, lang)
        targets = scope.targets if allowed is None else scope.targets & allowed
        partner = scope.twin_of[found.docs]
        through_twin = (partner >= 0) & targets[np.maximum(partner, 0)] & ~targets[found.docs]
        own = found.only(targets)
        weights = tuning.current()
        twin_weight = weights.same_language_twin if parsed.context.lang == lang else weights.twin
        via = Postings(partner[through_twin], found.scores[through_twin] * twin_weight)
        docs, scores, how = combine([own, via], reader.size,
                                            [np.full(len(own), OWN), np.full(len(via), TWIN)])
        if parsed.context.lang != lang and weights.twin_overlap != 1.0:
            scores = _overlapped(docs, scores, how, own, weights.twin_overlap)
        chosen = best(handle, Postings(docs, scores), window, sort)
        found_how = how[np.searchsorted(docs, chosen.docs)]
        return Ranking([Ranked(d, s, h != TWIN, h != OWN) for d, s, h in
                        zip(chosen.docs.tolist(), chosen.scores.tolist(), found_how.tolist(), strict=True)],
                       docs, tabs)
    if lang:
        cards = hits.only(reader.mask(filters_language(lang)))
        riders = EMPTY
    chosen = best(handle, cards, window, sort)
    ranked = [Ranked(d, s) for d, s in zip(chosen.docs.tolist(), chosen.scores.tolist(), strict=True)]
    if len(riders) and twin_of is not None:
        rider_score = dict(zip(riders.docs.tolist(), riders.scores.tolist(), strict=True))
        for r in ranked:
            twin = int(twin_of[r.docnum])
            if twin in rider_score:
                r.rider, r.rider_score = twin, rider_score[twin]
    return Ranking(ranked, cards.docs, tabs)


def _overlapped(docs: np.ndarray, scores: np.ndarray, how: np.ndarray, own: Postings, share: float) -> np.ndarray:
    """The summed scores of releases matched both by their own text and through their twin replaced by the
    larger of the two plus `share` of the smaller (`tuning.twin_overlap`)."""
    both = np.flatnonzero(how == OWN + TWIN)
    if not len(both):
        return scores
    mine = own.scores[np.searchsorted(own.docs, docs[both])]
    theirs = scores[both] - mine
    scores = scores.copy()
    scores[both] = np.maximum(mine, theirs) + share * np.minimum(mine, theirs)
    return scores


def fold(found: Postings, twin_of: np.ndarray, typed: Typed) -> tuple[Postings, Postings]:
    """One card per twin pair whose one release matched only through translation: that release (the rider)
    goes on its twin's card. Where both matched only so, the lower-scored one rides; where both matched
    the words as typed (a name, a phrase both share), each keeps its own card. Gives (cards, riders)."""
    if not len(found):
        return found, EMPTY
    docs, partner = found.docs, twin_of[found.docs]
    twin = np.maximum(partner, 0)
    if len(docs) * DENSE_FOLD >= len(twin_of):  # many hits: each release's place read from one array
        place = np.full(len(twin_of), -1, np.intp)
        place[docs] = np.arange(len(docs))
        at = place[twin]  # the twin's place among the hits, -1 where it is not one
        paired = np.flatnonzero((partner >= 0) & (at >= 0))
    else:  # few: each twin searched for among them
        at = np.minimum(np.searchsorted(docs, twin), len(docs) - 1)
        paired = np.flatnonzero((partner >= 0) & (docs[at] == twin))
    if not len(paired):
        return found, EMPTY
    mine, theirs, twin_at = docs[paired], twin[paired], at[paired]
    own = typed(mine)
    among_paired = np.full(len(docs), -1, np.intp)  # a hit's place in `paired`: its twin's is read through it
    among_paired[paired] = np.arange(len(paired))
    twin_in_paired = among_paired[twin_at]  # every twin is paired too, as links go both ways
    own_twin = own[twin_in_paired] & (twin_in_paired >= 0)
    score, twin_score = found.scores[paired], found.scores[twin_at]
    rides = ~own & (own_twin | (twin_score > score) | ((twin_score == score) & (theirs < mine)))
    riding = paired[rides]
    keep = np.ones(len(docs), bool)
    keep[riding] = False
    return Postings(docs[keep], found.scores[keep]), Postings(docs[riding], found.scores[riding])


def tab_totals(handle: Handle, found: Postings, allowed: np.ndarray | None,
               twin_of: np.ndarray | None) -> dict[str, int]:
    """What the total would be with `lang=code`, for each language of the pair: its releases that matched,
    or whose twin did (each once). Counted by each release's language of the pair (`pair_languages`),
    one `bincount` for all languages rather than a pass over the results per language."""
    langs = pair_languages(handle)
    if allowed is not None:
        langs = np.where(allowed, langs, 0)
    counts = np.bincount(langs[found.docs], minlength=len(PAIR) + 1)
    if twin_of is not None:
        matched = np.zeros(len(twin_of), bool)
        matched[found.docs] = True
        partner = twin_of[found.docs]
        partner = partner[partner >= 0]
        partner = partner[~matched[partner]]  # a twin that matched itself is counted already
        counts = counts + np.bincount(langs[partner], minlength=len(PAIR) + 1)
    return {code: int(counts[i + 1]) for i, code in enumerate(PAIR)}


def pair_languages(handle: Handle) -> np.ndarray:
    """Each document's language of the pair as 1 + its place in `PAIR`, 0 for any other; once per generation."""
    def compute() -> np.ndarray:
        langs = np.zeros(handle.reader.size, np.int8)
        for i, code in enumerate(PAIR):
            langs[twin_scope(handle, code).targets] = i + 1
        return langs
    return handle.reader.remember(("pair languages",), compute)
