"""A query tree as OpenSearch's query DSL, for the OpenSearch backend.

The tree is what `Parser.parse` makes for every backend: its leaves hold index terms that our own
analyzers produced, and the OpenSearch backend indexes the same terms (pre-analyzed, see
`backend/opensearch/documents`), so a leaf is a `term` query, never re-analyzed. The scoring nodes map
onto their nearest DSL equivalents:

- a `Concept` or OR: a `bool` of `should` clauses (scores summed, as the array ranker sums them);
- a `Synonyms` group: a `dis_max` of its weighted terms, each rescaled from its own idf to the group's
  (Lucene's weighted synonym query, which sums the terms' frequencies, is not reachable through the DSL);
- `Coordinated`: a `function_score` that multiplies the summed score by the idf-weighted share of
  concepts matched (the default `tuning.coord_power` of 1; another power is not applied here);
- a title field's boost (`schema.TITLE_BOOST`) is in the indexed term frequencies, as in Whoosh.

BM25's idf differs slightly (Lucene's `log(1 + (N - n + 0.5) / (n + 0.5))` against Whoosh's
`log(N / (n + 1)) + 1`); `benchmarks.quality --backend opensearch` measures what that costs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from whoosh import query as wq

from ..errors import QueryError
from .concepts import Concept, Coordinated
from .synonyms import Synonyms

Estimate = Callable[[wq.Query], float]  # how many documents a query matches about (for concept weights)
Json = dict[str, Any]
MATCH_NONE: Json = {"match_none": {}}


def to_dsl(q: wq.Query, size: int, estimate: Estimate) -> Json:
    """The DSL of the query tree `q` over an index of `size` document numbers."""
    return _Translator(size, estimate).node(q)


def to_filter(q: wq.Query, size: int, estimate: Estimate) -> Json:
    """The DSL of `q` where only whether a document matches counts (masks, restrictions)."""
    return {"constant_score": {"filter": to_dsl(q, size, estimate)}}


class _Translator:
    def __init__(self, size: int, estimate: Estimate) -> None:
        self.size = max(size, 1)
        self.estimate = estimate

    def node(self, q: wq.Query) -> Json:
        if q is wq.NullQuery:
            return MATCH_NONE
        if type(q) is wq.Term:
            return _term(q.fieldname, q.text, q.boost)
        if isinstance(q, Synonyms):
            return self._synonyms(q)
        if isinstance(q, Coordinated) and len(q.subqueries) > 1:
            return self._coordinated(q)
        if isinstance(q, (Concept, wq.Or)):
            return self._compound(q, "should")
        if type(q) is wq.And:
            return self._compound(q, "must")
        if isinstance(q, wq.AndNot):
            return {"bool": {"must": [self.node(q.a)], "must_not": [self.node(q.b)]}}
        if isinstance(q, wq.AndMaybe):
            return {"bool": {"must": [self.node(q.a)], "should": [self.node(q.b)]}}
        if isinstance(q, wq.Not):
            return {"bool": {"must": [{"match_all": {}}], "must_not": [self.node(q.query)]}}
        if type(q) is wq.Phrase:
            return self._phrase(q)
        if type(q) is wq.Every:
            if q.fieldname in (None, "*"):
                return {"match_all": {"boost": q.boost}}
            return {"constant_score": {"filter": {"exists": {"field": q.fieldname}}, "boost": q.boost}}
        if isinstance(q, wq.Prefix):
            return {"prefix": {q.fieldname: {"value": q.text, "boost": q.boost}}}
        if isinstance(q, wq.Wildcard):
            return {"wildcard": {q.fieldname: {"value": q.text, "boost": q.boost}}}
        if isinstance(q, wq.NumericRange):
            return {"range": {q.fieldname: _bounds(q.start, q.end, q.startexcl, q.endexcl)}}
        if isinstance(q, wq.TermRange):
            return {"range": {q.fieldname: _bounds(q.start or None, q.end or None, q.startexcl, q.endexcl)}}
        raise QueryError(f"this part of the query cannot be searched on OpenSearch: {q}")

    def _compound(self, q: wq.CompoundQuery, how: str) -> Json:
        if not q.subqueries:
            return MATCH_NONE
        if len(q.subqueries) == 1:  # as in Whoosh, a compound of one ignores its own boost
            return self.node(q.subqueries[0])
        return {"bool": {how: [self.node(s) for s in q.subqueries], "boost": q.boost}}

    def _synonyms(self, q: Synonyms) -> Json:
        """The best of the group's terms, each weighed by the idf of the whole group rather than its own
        (what `Synonyms` scores with): a rare, wrong translation must not outscore the common right one."""
        counts = [self.estimate(t) for t in q.subqueries]
        group = _idf(self.size, sum(t.boost * n for t, n in zip(q.subqueries, counts, strict=True)))
        terms = [_term(t.fieldname, t.text, t.boost * group / _idf(self.size, n))
                 for t, n in zip(q.subqueries, counts, strict=True) if n]
        if not terms:
            return MATCH_NONE
        if len(terms) == 1:
            return {"bool": {"should": terms, "boost": q.boost}}
        return {"dis_max": {"queries": terms, "boost": q.boost}}

    def _phrase(self, q: wq.Phrase) -> Json:
        if None in q.words or len(q.words) < 2:
            return _term(q.fieldname, q.words[0], q.boost) if q.words and q.words[0] else MATCH_NONE
        clauses = [{"span_term": {q.fieldname: word}} for word in q.words]
        # Whoosh's slop is the most positions one word may follow the one before (1: next to it)
        return {"span_near": {"clauses": clauses, "slop": (max(q.slop, 1) - 1) * (len(q.words) - 1),
                              "in_order": True, "boost": q.boost}}

    def _coordinated(self, q: Coordinated) -> Json:
        weights = [math.log(self.size / (self.estimate(s) + 1)) + 1 for s in q.subqueries]
        total = sum(weights)
        concepts = [self.node(s) for s in q.subqueries]
        return {"function_score": {
            "query": {"bool": {"should": concepts}},
            "functions": [{"filter": c, "weight": w / total} for c, w in zip(concepts, weights, strict=True)],
            "score_mode": "sum", "boost_mode": "multiply", "boost": q.boost}}


def _idf(size: int, documents: float) -> float:
    """Lucene's BM25 idf, which OpenSearch scores a term with."""
    return math.log(1 + (size - documents + 0.5) / (documents + 0.5))


def _term(fieldname: str, text: str, boost: float) -> Json:
    return {"term": {fieldname: {"value": text, "boost": boost}}}


def _bounds(start: Any, end: Any, startexcl: bool, endexcl: bool) -> Json:
    bounds: Json = {}
    if start is not None:
        bounds["gt" if startexcl else "gte"] = start
    if end is not None:
        bounds["lt" if endexcl else "lte"] = end
    return bounds


def leaves(q: wq.Query) -> list[tuple[str, str]]:
    """The (field, term) leaves of `q`, for explanations."""
    return [(leaf.fieldname, leaf.text) for leaf in q.leaves() if type(leaf) is wq.Term]
