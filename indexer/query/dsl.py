"""A query tree as OpenSearch's query DSL, for the OpenSearch backend.

The tree is what `Parser.parse` makes for every backend: its leaves hold index terms that our own
analyzers produced, and the OpenSearch backend indexes the same terms (pre-analyzed, see
`backend/opensearch/documents`), so a leaf is a `term` query, never re-analyzed.

Scores are the array ranker's (Whoosh's BM25F), not Lucene's, so that both backends rank alike:
- length: Whoosh averages a field's length over every document, Lucene over those holding it; each
  field has its own BM25 parameters that absorb the difference (`documents.similarities`);
- idf: each term's boost is `whoosh_idf / lucene_idf` (Whoosh's `log(N / (n + 1)) + 1` over every
  document, Lucene's `log(1 + (N_f - n + 0.5) / (n + 0.5))` over the documents holding the field,
  `Statistics.fields`; searches run as `dfs_query_then_fetch`, so shards share these counts), times
  `(k1 + 1) / (k1_f + 1)`: OpenSearch's BM25 multiplies by its field's `k1_f + 1`, Whoosh by `k1 + 1`;
- a `Concept` or OR: a `bool` of `should` clauses (scores summed, as the array ranker sums them);
- a `Synonyms` group: its terms of one weight as one `span_or` (frequencies summed, as `Synonyms` sums
  them), the weights' best (`dis_max`), all with the group's idf (Lucene's weighted synonym query, which
  sums weighted frequencies, is not reachable through the DSL);
- `Coordinated`: a `function_score` that multiplies the summed score by the idf-weighted share of
  concepts matched (the default `tuning.coord_power` of 1; another power is not applied here);
- a phrase: its words' scores summed where the `span_near` matches, as the array ranker scores it;
- a title field's boost (`schema.TITLE_BOOST`) is in the indexed term frequencies, as in Whoosh.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from ..errors import QueryError
from .concepts import Concept, Coordinated
from .synonyms import Synonyms
from .tree import leaves as tree_leaves

Estimate = Callable[[wq.Query], float]  # how many documents a query matches about (for concept weights)
Json = dict[str, Any]
MATCH_NONE: Json = {"match_none": {}}


@dataclass(frozen=True)
class Statistics:
    """What scores are rescaled with: the documents in the index (`size`), those holding each text field
    (`fields`), how many documents a query matches (`estimate`) and the BM25 parameters the index was
    written with (`k1`, `b`); and how often each field's terms are written in a row (`repeats`: a title's
    boost), which phrases with a slop allow for."""

    size: int
    fields: Mapping[str, int]
    estimate: Estimate
    k1: float
    b: float
    repeats: Mapping[str, int]


def to_dsl(q: wq.Query, stats: Statistics) -> Json:
    """The DSL of the query tree `q`, scored as the array ranker scores it."""
    return _Translator(stats).node(q)


def to_filter(q: wq.Query, stats: Statistics) -> Json:
    """The DSL of `q` where only whether a document matches counts (masks, restrictions)."""
    return {"constant_score": {"filter": to_dsl(q, stats)}}


class _Translator:
    def __init__(self, stats: Statistics) -> None:
        self.stats = stats
        self.size = max(stats.size, 1)
        self.estimate = stats.estimate

    def whoosh_idf(self, documents: float) -> float:
        """Whoosh's idf (`WeightingModel.idf`), which the array ranker scores with."""
        return math.log(self.size / (documents + 1)) + 1

    def held(self, fieldname: str) -> int:
        """The documents holding `fieldname`: Lucene's N for its idf and length average."""
        return max(self.stats.fields.get(fieldname, self.size), 1)

    def lucene_idf(self, fieldname: str, documents: float) -> float:
        """Lucene's BM25 idf of a term in `documents` of the documents that hold `fieldname`."""
        held = self.held(fieldname)
        return math.log(1 + (held - documents + 0.5) / (documents + 0.5))

    def scale(self, fieldname: str, idf: float, lucene_idf: float) -> float:
        """The boost that turns a Lucene score with `lucene_idf` into BM25 with `idf` and Whoosh's `k1 + 1`."""
        k1, b = self.stats.k1, self.stats.b
        field_k1 = k1 * (1 - b + b * self.size / self.held(fieldname))  # `documents.similarities`
        return (k1 + 1) / (field_k1 + 1) * idf / lucene_idf if lucene_idf > 0 else 1.0

    def rescaled(self, fieldname: str, text: str, boost: float, idf: float, documents: float) -> Json:
        """A term query scored as BM25 with `idf` and Whoosh's `k1 + 1` factor."""
        scale = self.scale(fieldname, idf, self.lucene_idf(fieldname, documents)) if documents else 1.0
        return _term(fieldname, text, boost * scale)

    def term(self, q: wq.Term) -> Json:
        documents = self.estimate(q)
        return self.rescaled(q.fieldname, q.text, q.boost, self.whoosh_idf(documents), documents)

    def node(self, q: wq.Query) -> Json:
        if q is wq.NullQuery:
            return MATCH_NONE
        if type(q) is wq.Term:
            return self.term(q)
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
        if isinstance(q, wq.Prefix):  # each term scored and summed, as Whoosh does (Lucene's idf, though)
            return {"prefix": {q.fieldname: {"value": q.text, "boost": q.boost, "rewrite": "scoring_boolean"}}}
        if isinstance(q, wq.Wildcard):
            return {"wildcard": {q.fieldname: {"value": q.text, "boost": q.boost, "rewrite": "scoring_boolean"}}}
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
        """The group's terms weighed by the idf of the whole group rather than their own (what `Synonyms`
        scores with): a rare, wrong translation must not outscore the common right one. Terms of one
        weight are one `span_or`, whose frequency is the sum of theirs, as in `Synonyms`, and whose Lucene
        idf is the sum of theirs; the best of the weights counts (`Synonyms` would sum weighted frequencies)."""
        counts = [self.estimate(t) for t in q.subqueries]
        group = self.whoosh_idf(sum(t.boost * n for t, n in zip(q.subqueries, counts, strict=True)))
        classes: dict[float, list[tuple[wq.Term, float]]] = {}
        for t, n in zip(q.subqueries, counts, strict=True):
            if n:
                classes.setdefault(t.boost, []).append((t, n))
        if not classes:
            return MATCH_NONE
        parts = []
        for weight, members in classes.items():
            fieldname = members[0][0].fieldname
            if len(members) == 1:
                parts.append(self.rescaled(fieldname, members[0][0].text, weight, group, members[0][1]))
                continue
            lucene = sum(self.lucene_idf(fieldname, n) for _, n in members)
            parts.append({"span_or": {"clauses": [{"span_term": {fieldname: t.text}} for t, _ in members],
                                      "boost": weight * self.scale(fieldname, group, lucene)}})
        if len(parts) == 1:
            return {"bool": {"should": parts, "boost": q.boost}}
        return {"dis_max": {"queries": parts, "boost": q.boost}}

    def _phrase(self, q: wq.Phrase) -> Json:
        if None in q.words or len(q.words) < 2:
            return _term(q.fieldname, q.words[0], q.boost) if q.words and q.words[0] else MATCH_NONE
        clauses = [{"span_term": {q.fieldname: word}} for word in q.words]
        # Whoosh's slop is the most positions one word may follow the one before (1: next to it); each
        # word written `repeat` times puts `repeat` positions where Whoosh has one
        gap = (max(q.slop, 1) - 1) * self.stats.repeats.get(q.fieldname, 1)
        near = {"span_near": {"clauses": clauses, "slop": gap * (len(q.words) - 1),
                              "in_order": True}}
        words = [self.term(wq.Term(q.fieldname, word)) for word in q.words]
        return {"bool": {"filter": [near], "must": words, "boost": q.boost}}

    def _coordinated(self, q: Coordinated) -> Json:
        weights = [self.whoosh_idf(self.estimate(s)) for s in q.subqueries]
        total = sum(weights)
        concepts = [self.node(s) for s in q.subqueries]
        return {"function_score": {
            "query": {"bool": {"should": concepts}},
            "functions": [{"filter": c, "weight": w / total} for c, w in zip(concepts, weights, strict=True)],
            "score_mode": "sum", "boost_mode": "multiply", "boost": q.boost}}


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
    return [(leaf.fieldname, leaf.text) for leaf in tree_leaves(q) if type(leaf) is wq.Term]
