"""Term proximity: a bonus for the best results where neighbouring query words stand near each other.

BM25 scores a bag of words: `Summer Theatre` finds a release about a summer festival and a theatre
as readily as one about the Summer Theatre. Here, among the `CANDIDATES` best-scored documents, each
pair of neighbouring query concepts (`Summer`/`Theatre`, after stop words are dropped) counts when
some term of one (the word, its parts, its translations) occurs within `WINDOW` positions of some term
of the other, in the same field. A document's score is multiplied by `1 + tuning.proximity * share`,
`share` being the idf-weighted share of neighbouring pairs found near each other.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from whoosh import query as wq

from ...query.tree import leaves
from ..postings import Postings, contains

CANDIDATES = 100  # the best documents by score that may get the bonus; the rest keep their scores
WINDOW = 4  # positions apart, either order: room for a dropped stop word or two (`Bank of England`)

Positions = Callable[[str, bytes, np.ndarray], tuple[np.ndarray, np.ndarray]]
PostingsOf = Callable[[str, bytes], tuple[np.ndarray, np.ndarray]]


def bonus(found: Postings, concepts: list[wq.Query], weights: list[float], weight: float, schema,
          postings: PostingsOf, positions: Positions) -> Postings:
    """`found` with the proximity bonus applied to its best `CANDIDATES` documents."""
    if weight <= 0 or len(concepts) < 2 or not len(found):
        return found
    top = np.sort(np.argsort(-found.scores, kind="stable")[:CANDIDATES])
    candidates = found.docs[top]
    places = [_places(concept, candidates, schema, postings, positions) for concept in concepts]
    near = np.zeros(len(candidates))
    total = 0.0
    for i in range(len(places) - 1):
        pair = weights[i] + weights[i + 1]
        total += pair
        hit = np.zeros(len(candidates), bool)
        for fieldname, a in places[i].items():
            b = places[i + 1].get(fieldname)
            if b is None:
                continue
            for gap in range(1, WINDOW + 1):
                hit[(a[np.isin(a + gap, b) | np.isin(a - gap, b)] >> 32)] = True
        near += pair * hit
    scores = found.scores.copy()
    scores[top] *= 1 + weight * near / total
    return Postings(found.docs, scores)


def _places(concept: wq.Query, candidates: np.ndarray, schema, postings: PostingsOf,
            positions: Positions) -> dict[str, np.ndarray]:
    """Per field, where the concept's terms occur in the candidates: codes `candidate index << 32 | position`."""
    terms: dict[str, set[bytes]] = {}
    for leaf in leaves(concept):
        if type(leaf) is wq.Term and leaf.fieldname in schema and schema[leaf.fieldname].scorable:
            field = schema[leaf.fieldname]
            if field.format.supports("positions"):
                terms.setdefault(leaf.fieldname, set()).add(field.to_bytes(leaf.text))
    places = {}
    for fieldname, texts in terms.items():
        codes = []
        for btext in texts:
            docs, _ = postings(fieldname, btext)
            holds = np.flatnonzero(contains(docs, candidates))
            if not len(holds):
                continue
            index, where = positions(fieldname, btext, candidates[holds])
            codes.append(holds[index].astype(np.int64) << 32 | where)
        if codes:
            places[fieldname] = np.unique(np.concatenate(codes))
    return places
