"""A thread's latest postings, kept for its next queries: a question asks for most of its terms several
times (their counts for the concept weights, then their postings), and the next question shares many."""

from __future__ import annotations

import numpy as np

RECENT_POSTINGS = 2_000_000  # postings (16 MB) of the latest terms a thread keeps for its next queries
RECENT_TERMS = 20_000  # and terms: short lists and absent terms outlive the long lists (`forget`)
SHORT_LIST = 256  # postings of a list that `forget` keeps

Key = tuple[str, bytes]  # (field name, term)
Found = tuple[np.ndarray, np.ndarray]  # (document numbers, weights)


class RecentPostings:
    """Postings by term, within `RECENT_POSTINGS` postings and `RECENT_TERMS` terms; one per thread."""

    def __init__(self) -> None:
        self.terms: dict[Key, Found] = {}
        self.postings = 0  # held, counting one for each term (absent ones too)

    def get(self, key: Key) -> Found | None:
        return self.terms.get(key)

    def put(self, key: Key, found: Found) -> None:
        if self.postings > RECENT_POSTINGS or len(self.terms) >= RECENT_TERMS:
            self.forget()
        self.terms[key] = found
        self.postings += len(found[0]) + 1

    def forget(self) -> None:
        """Makes room: the long lists go, the short ones and the absent terms stay (two thirds of a
        question's lookups find a term absent from a field, and each costs a search of every segment's
        table), unless they alone fill half the room."""
        kept = {key: found for key, found in self.terms.items() if len(found[0]) < SHORT_LIST}
        postings = sum(len(found[0]) + 1 for found in kept.values())
        if len(kept) >= RECENT_TERMS // 2 or postings > RECENT_POSTINGS // 2:
            kept, postings = {}, 0
        self.terms, self.postings = kept, postings
