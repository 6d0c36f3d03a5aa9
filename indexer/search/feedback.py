"""Feedback: the words of a query's best results extend the query (RM3-style), and across languages the
twins of its best own-language results lend theirs.

Pseudo-relevance feedback (`tuning.feedback_docs` > 0): the `feedback_docs` best results in the language
asked for are read, their terms weighted as relevance model 1 weighs them (each term's share of a
release's words, summed over the releases by their share of the score) times the term's idf, and the
`feedback_terms` best terms that the query does not already search are searched in the releases' own
body field. Their scores, scaled to the query's best score, are added `feedback_weight`-fold.

Twin feedback (`tuning.twin_feedback` > 0): for a query not in the language asked for, its best hits
in other languages that have twins lend their twins' words, chosen the same way, to the search in the
asked-for language. It reaches a release in that language that has no twin of its own
through the words the archive's translators chose for the same story.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .. import lang, tuning
from ..backend.postings import Postings, combine
from ..query import ParsedQuery
from ..query.feedback import expansion
from ..query.filters import language as filters_language
from .handles import Handle


def with_feedback(handle: Handle, parsed: ParsedQuery, found: Postings, asked: str | None,
                  twin_of: np.ndarray | None) -> Postings:
    """`found`, with the scores of the feedback words added where `tuning` turns feedback on."""
    weights = tuning.current()
    if parsed.q is None or not len(found):
        return found
    reader = handle.reader
    extra = []
    if weights.feedback_docs > 0:
        pool = found if asked is None else found.only(reader.mask(filters_language(asked)))
        extra.append((_best(pool, weights.feedback_docs), weights.feedback_weight))
    if weights.twin_feedback > 0 and twin_of is not None and asked is not None and parsed.context.lang != asked:
        other = found.only(~reader.mask(filters_language(asked)))
        paired = Postings(other.docs[twin_of[other.docs] >= 0], other.scores[twin_of[other.docs] >= 0])
        best = _best(paired, weights.feedback_docs or 3)
        extra.append((Postings(twin_of[best.docs], best.scores), weights.twin_feedback))
    for docs, weight in extra:
        terms = _terms(handle, docs, parsed, weights.feedback_terms)
        if not terms:
            continue
        added = reader.search(expansion(terms))
        if not len(added):
            continue
        scale = weight * float(found.scores.max()) / float(added.scores.max())
        merged, scores, _ = combine([found, Postings(added.docs, added.scores * scale)], reader.size)
        found = Postings(merged, scores)
    return found


def _best(found: Postings, count: int) -> Postings:
    top = np.argsort(-found.scores, kind="stable")[:count]
    return Postings(found.docs[top], found.scores[top])


def _terms(handle: Handle, docs: Postings, parsed: ParsedQuery, count: int) -> dict[tuple[str, str], float]:
    """The `count` best feedback terms of `docs`, `(field, term) -> weight` (the best 1.0)."""
    if not len(docs):
        return {}
    reader = handle.reader
    size = max(1, reader.documents())
    searched = {term for _, term in parsed.context.words} | {term for _, term in parsed.context.translated}
    relevance = docs.scores / docs.scores.sum() if docs.scores.sum() > 0 else np.full(len(docs), 1 / len(docs))
    model: Counter[tuple[str, str]] = Counter()
    for docnum, share in zip(docs.docs.tolist(), relevance.tolist(), strict=True):
        stored = reader.stored(docnum)
        code = stored.get("lang")
        fieldname = f"body_{lang.field_language(code)}"
        counts = Counter(term for term, _, _ in reader.words(code)(f"{stored.get('title') or ''}\n"
                                                                    f"{stored.get('body') or ''}"))
        length = sum(counts.values()) or 1
        for term, tf in counts.items():
            if term not in searched and not term.isdigit():
                model[fieldname, term] += share * tf / length
    scored = []
    for (fieldname, term), p in model.most_common(8 * count):
        df = reader.term_documents(fieldname, term)
        if df > 1:  # a word of one release only would only find that release again
            scored.append((p * math.log(size / df), (fieldname, term)))
    scored.sort(reverse=True)
    best = scored[:count]
    return {key: weight / best[0][0] for weight, key in best} if best and best[0][0] > 0 else {}
