"""Query words as concepts, and a coordination bonus for documents that match more of them.

A natural-language question (`Wie viele Punkte gab die Verteidigung der Panthers ab?`) is an OR of
many words. Plain BM25 lets one word that a document repeats outweigh three words that the right
document has once each. So each query word stays one `Concept` (its fields, parts and
translations, which Whoosh would otherwise flatten into one big OR), and `Coordinated` multiplies a
document's score by the share of the query's concepts it matches, raised to `tuning.coord_power`. Each
concept counts by its idf, so that matching the one rare word of a question (`Oxygenium`) counts
for more than matching three common ones (`ersten`, `Mal`, `Wort`).

Searches evaluate these queries with arrays (`backend.whoosh.ranking`); the matchers here give the same scores
through Whoosh's own search, and `tests/backend/test_ranking.py` holds the two to each other.
"""

from __future__ import annotations

import math

from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher
from whoosh.qparser import syntax
from whoosh.query.compound import DefaultOr

from .. import tuning


class Concept(wq.CompoundQuery):
    """One query word: an OR over what it searches for, kept apart from the other words."""

    JOINT = " OR "

    def _matcher(self, subs, searcher, context):
        return DefaultOr(subs, boost=self.boost).matcher(searcher, context)


class ConceptGroup(syntax.OrGroup):
    """The syntax node of one query word spread over fields; becomes a `Concept`."""

    qclass = Concept


class Coordinated(wq.CompoundQuery):
    """An OR of concepts whose scores are scaled by the share of concepts a document matches."""

    JOINT = " OR "

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        docs = reader.doc_count_all()
        weights = [math.log(docs / (q.estimate_size(reader) + 1)) + 1 for q in subs]
        matchers = [q.matcher(searcher, context) for q in subs]
        children = [(m, w) for m, w in zip(matchers, weights, strict=True) if m.is_active()]
        if not children:
            return NullMatcher()
        return CoordMatcher(children, sum(weights), self.boost)


def coordinated(q: wq.Query) -> wq.Query:
    """`q` with the coordination bonus, where it is an OR of two or more concepts."""
    if isinstance(q, wq.Or) and sum(isinstance(c, Concept) for c in q.subqueries) >= 2:
        return Coordinated(q.subqueries, boost=q.boost)
    return q


class CoordMatcher(Matcher):
    """The union of the concepts' matchers; each document's score summed and coordinated."""

    def __init__(self, children: list[tuple[Matcher, float]], total: float, boost: float = 1.0) -> None:
        self._children = children  # (matcher, the concept's idf)
        self._total = total
        self._boost = boost

    def is_active(self) -> bool:
        return bool(self._children)

    def id(self) -> int:
        return min(m.id() for m, _ in self._children)

    def _prune(self) -> None:
        self._children = [(m, w) for m, w in self._children if m.is_active()]

    def next(self) -> None:
        current = self.id()
        for m, _ in self._children:
            if m.id() == current:
                m.next()
        self._prune()

    def skip_to(self, id: int) -> None:
        for m, _ in self._children:
            if m.id() < id:
                m.skip_to(id)
        self._prune()

    def children(self) -> list[Matcher]:
        return [m for m, _ in self._children]

    def copy(self) -> CoordMatcher:
        return CoordMatcher([(m.copy(), w) for m, w in self._children], self._total, self._boost)

    def replace(self, minquality=0) -> Matcher:
        return self if self._children else NullMatcher()

    def supports_block_quality(self) -> bool:
        return False

    def supports(self, astype: str) -> bool:
        return False

    def weight(self) -> float:
        current = self.id()
        return sum(m.weight() for m, _ in self._children if m.id() == current)

    def score(self) -> float:
        current = self.id()
        matching = [(m, w) for m, w in self._children if m.id() == current]
        share = sum(w for _, w in matching) / self._total
        return self._boost * sum(m.score() for m, _ in matching) * share ** tuning.current().coord_power

    def matching_terms(self, id: int | None = None):
        current = self.id() if id is None else id
        for m, _ in self._children:
            if m.is_active() and m.id() == current:
                yield from m.matching_terms(current)
