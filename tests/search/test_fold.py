"""`scope.fold` and `scope.tab_totals`: which release of a twin pair rides on its twin's card, and what
each language tab counts, checked release by release."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from indexer.backend.postings import Postings

scope = importlib.import_module("indexer.search.scope")
search_module = importlib.import_module("indexer.search")  # `indexer.search` is the function


def twins(size: int, rng: np.random.Generator) -> np.ndarray:
    """Each document's twin or -1: two thirds of the documents in pairs, links both ways."""
    order = rng.permutation(size)
    twin_of = np.full(size, -1, np.int64)
    pairs = order[: 2 * (size // 3)].reshape(-1, 2)
    twin_of[pairs[:, 0]], twin_of[pairs[:, 1]] = pairs[:, 1], pairs[:, 0]
    return twin_of


def riders_pair_by_pair(found: Postings, twin_of: np.ndarray, own: dict[int, bool]) -> set[int]:
    """The reference: a hit rides when its twin is a hit too, it matched only through translation, and
    the twin matched as typed or scored higher (or the same, with the lower number)."""
    score = dict(zip(found.docs.tolist(), found.scores.tolist(), strict=True))
    riding = set()
    for doc, s in score.items():
        twin = int(twin_of[doc])
        if twin in score and not own[doc] and (own[twin] or score[twin] > s or (score[twin] == s and twin < doc)):
            riding.add(doc)
    return riding


@pytest.mark.parametrize("share", [0.01, 0.5, 1.0], ids=["few hits (searched)", "many hits (an array)", "all"])
@pytest.mark.parametrize("seed", range(5))
def test_a_release_rides_on_its_twins_card_exactly_where_the_rule_says(share, seed):
    rng = np.random.default_rng(seed)
    size = 3000
    twin_of = twins(size, rng)
    chosen = rng.random(size) < share
    with_twin = np.flatnonzero(chosen & (rng.random(size) < 0.5) & (twin_of >= 0))
    chosen[twin_of[with_twin]] = True  # so that few hits hold pairs too
    docs = np.flatnonzero(chosen)
    found = Postings(docs, rng.integers(0, 4, len(docs)).astype(np.float64))  # few values: many ties
    typed_flags = rng.random(size) < 0.4
    asked: list[np.ndarray] = []

    def typed(which: np.ndarray) -> np.ndarray:
        asked.append(which)
        return typed_flags[which]

    cards, riders = scope.fold(found, twin_of, typed)

    expected = riders_pair_by_pair(found, twin_of, dict(enumerate(typed_flags.tolist())))
    assert set(riders.docs.tolist()) == expected
    assert cards.docs.tolist() == [d for d in docs.tolist() if d not in expected]
    assert cards.scores.tolist() == found.scores[np.isin(docs, list(expected), invert=True)].tolist()
    assert riders.scores.tolist() == found.scores[np.isin(docs, list(expected))].tolist()
    assert all(np.all(np.diff(which) > 0) for which in asked)  # typed is asked about sorted documents


def test_each_language_tab_counts_its_releases_that_matched_or_whose_twin_did(seed_index):
    """`tab_totals` on every subset of the seeds as results, under every filter: a release of the tab's
    language counts where it matched, or its twin did, once."""
    handle = search_module.open_handle(seed_index)
    size = handle.reader.size
    twin_of = scope.twin_numbers(handle)
    assert (twin_of >= 0).sum() >= 2
    languages = {code: scope.twin_scope(handle, code).targets for code in ("de", "en")}
    for results in range(2 ** size):
        docs = np.array([d for d in range(size) if results >> d & 1], np.intp)
        for allowing in [None, *range(2 ** size)]:
            allowed = None if allowing is None else np.array([bool(allowing >> d & 1) for d in range(size)])
            expected = {code: sum(1 for d in range(size) if targets[d] and (allowed is None or allowed[d])
                                  and (d in docs or twin_of[d] in docs)) for code, targets in languages.items()}
            found = Postings(docs, np.ones(len(docs)))
            assert scope.tab_totals(handle, found, allowed, twin_of) == expected
            assert scope.tab_totals(handle, found, allowed, None) == {
                code: sum(1 for d in docs.tolist() if targets[d] and (allowed is None or allowed[d]))
                for code, targets in languages.items()}
