"""The query that feedback adds: weighted terms, each in its own field (see `search.feedback`)."""

from __future__ import annotations

from whoosh import query as wq


def expansion(terms: dict[tuple[str, str], float]) -> wq.Query:
    """An OR of `(field, term) -> weight`, each term boosted by its weight."""
    return wq.Or([wq.Term(fieldname, term, boost=weight) for (fieldname, term), weight in terms.items()])
