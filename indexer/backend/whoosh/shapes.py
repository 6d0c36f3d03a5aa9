"""Query trees the array ranker evaluates in a shortcut, told by their shape."""

from __future__ import annotations

from whoosh import query as wq

from ...query.concepts import Concept
from ...query.synonyms import Synonyms


def summed_or(q: wq.Query) -> bool:
    """Whether `q` scores as the sum of its parts (times its boost): an OR or a concept, without Whoosh's
    `scale` or `minmatch`."""
    return isinstance(q, (Concept, wq.Or)) and not getattr(q, "scale", None) and not getattr(q, "minmatch", 0)


def term_leaves(q: wq.Query) -> list[wq.Term] | None:
    """The terms of a tree of ORs and synonym groups of terms (which matches where one of them does), or
    None for any other query."""
    if type(q) is wq.Term:
        return [q]
    if type(q) is wq.Or or isinstance(q, Synonyms):
        terms = []
        for sub in q.subqueries:
            found = term_leaves(sub)
            if found is None:
                return None
            terms.extend(found)
        return terms
    return None
