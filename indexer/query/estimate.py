"""How many documents a query tree matches, about: what a `Coordinated` query weighs each concept by.

Whoosh's `estimate_size`, from term counts that each backend supplies (its postings, or its cluster's
counts), so that both backends weigh the concepts of a query alike: a term is its document count, an
AND or a phrase its rarest part, an OR (a concept, a synonym group) or an AND-MAYBE the sum of its
parts, at most every document. Other nodes (prefixes, ranges, negations) are the backend's to estimate (`other`).
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as wq

from .concepts import Concept
from .synonyms import Synonyms

Count = Callable[[str, str], float]  # the documents a (field, term) is in


def estimate(q: wq.Query, count: Count, documents: int, other: Callable[[wq.Query], float]) -> float:
    """About how many of `documents` the query tree `q` matches."""
    if type(q) is wq.Term:
        return count(q.fieldname, q.text)
    if type(q) is wq.Phrase:
        return min((count(q.fieldname, word) for word in q.words if word is not None), default=0)
    if type(q) is wq.And:
        return min((estimate(s, count, documents, other) for s in q.subqueries), default=0)
    if isinstance(q, (Concept, Synonyms, wq.Or, wq.AndMaybe)):
        return min(sum(estimate(s, count, documents, other) for s in q.subqueries), documents)
    return other(q)
