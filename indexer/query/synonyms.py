"""A Whoosh query that scores several terms of one field as one term (Pirkola's synonym operator).

The translations of one query word are alternatives, not extra words: a document that uses
`Zusammenarbeit` five times and one that uses `Kooperation` five times answer `cooperation`
equally well, and a rare, wrong translation must not outscore the common right one through its
high idf. So the group's term frequency is the weighted sum of its members' frequencies and its
document frequency the weighted sum of theirs (Darwish & Oard's probabilistic structured
queries), scored with BM25 like any single term.
"""

from __future__ import annotations

import math

from whoosh import query as wq
from whoosh.matching import NullMatcher, WrappingMatcher
from whoosh.query.compound import DefaultOr


class Synonyms(wq.CompoundQuery):
    """`Synonyms([Term("body_de", "zusammenarbeit"), Term("body_de", "kooperation", boost=0.5)])`:
    one concept in one field, each term weighted by its boost.

    Its leaves are plain `Term`s, so snippets and explanations see the words it looks for.
    """

    JOINT = " SYN "

    @classmethod
    def of(cls, fieldname: str, weights: dict[str, float], boost: float = 1.0) -> Synonyms:
        return cls([wq.Term(fieldname, text, boost=w) for text, w in weights.items()], boost=boost)

    def normalize(self) -> wq.Query:
        return self if self.subqueries else wq.NullQuery

    def with_boost(self, boost: float) -> Synonyms:
        """A copy with another boost that shares the terms (nothing changes a query's terms once made):
        Whoosh's deep copy of every term was a sixteenth of parsing a question."""
        return type(self)(list(self.subqueries), boost=boost)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        fieldname = self.subqueries[0].fieldname
        present = {t.text: t.boost for t in self.subqueries if (fieldname, t.text) in reader}
        if not present:
            return NullMatcher()
        union = DefaultOr([wq.Term(fieldname, t) for t in present]).matcher(searcher, context)
        parent = searcher.get_parent()
        df = sum(w * parent.doc_frequency(fieldname, t) for t, w in present.items())
        idf = math.log(parent.doc_count_all() / (df + 1)) + 1
        weighting = context.weighting if context is not None else searcher.weighting
        return SynonymMatcher(union, {t.encode("utf-8"): w for t, w in present.items()}, idf,
                              lambda docnum: searcher.doc_field_length(docnum, fieldname, 1),
                              parent.avg_field_length(fieldname) or 1,
                              getattr(weighting, "B", 0.75), getattr(weighting, "K1", 1.2), self.boost)


class SynonymMatcher(WrappingMatcher):
    """Walks the union of the group's postings; scores the weighted sum of member weights with BM25."""

    def __init__(self, child, weights: dict[bytes, float], idf: float, dfl, avgfl: float, b: float, k1: float,
                 boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.weights, self.idf, self.dfl, self.avgfl, self.b, self.k1 = weights, idf, dfl, avgfl, b, k1

    def _replacement(self, newchild):
        return SynonymMatcher(newchild, self.weights, self.idf, self.dfl, self.avgfl, self.b, self.k1, self.boost)

    def copy(self):
        return self._replacement(self.child.copy())

    def supports_block_quality(self) -> bool:
        return False  # the members' own quality bounds do not bound this score

    def weight(self) -> float:
        docnum = self.child.id()
        return sum(self.weights.get(m.term()[1], 0.0) * m.weight() for m in self.child.term_matchers()
                   if m.is_active() and m.id() == docnum)

    def score(self) -> float:
        tf = self.weight()
        length = self.dfl(self.child.id())
        norm = tf + self.k1 * ((1 - self.b) + self.b * length / self.avgfl)
        return self.boost * self.idf * tf * (self.k1 + 1) / norm
