"""One count: a twin that matched only through translation shares its partner's card, and `total`, the
language tabs and the facets all count cards."""

from __future__ import annotations

import numpy as np
import pytest

import indexer
from indexer.backend.postings import Postings
from indexer.search import scope
from tests.conftest import S000, S001, S002, S004


def test_a_twin_found_only_through_translation_rides_on_its_partners_card(seed_index):
    results = indexer.search("Finanztechnologie", index_dir=seed_index)
    assert [hit.id for hit in results] == [S000, S002, S004]
    assert results.total == len(results.hits) == 3
    assert results.hits[0].twin_hit is not None and results.hits[0].twin_hit.id == S001
    assert "<mark>" in results.hits[0].twin_hit.snippet  # marked with the translated words it matched
    assert not {hit.id for hit in results} & {hit.twin for hit in results if hit.twin}


def test_twins_that_both_contain_the_words_typed_are_each_a_result(seed_index):
    results = indexer.search('"Cass Business School"', index_dir=seed_index)
    assert {hit.id for hit in results} == {S000, S001}
    assert results.total == 2 and all(hit.twin_hit is None for hit in results)


@pytest.mark.parametrize("query", ["Finanztechnologie", "London", "fintech", '"Cass Business School"', "Kooperation",
                                   "Chengdu date:2019"])
def test_each_language_tab_counts_what_that_tab_shows(seed_index, query):
    results = indexer.search(query, index_dir=seed_index)
    assert results.tabs == {"": results.total,
                            "de": indexer.search(query, index_dir=seed_index, lang="de").total,
                            "en": indexer.search(query, index_dir=seed_index, lang="en").total}
    assert indexer.search(query, index_dir=seed_index, lang="de").tabs == results.tabs
    assert sum(n for _, n in results.facets["lang"]) == results.total


def test_a_filter_applies_to_the_tab_counts(seed_index):
    results = indexer.search("London", index_dir=seed_index, date_from="2023")
    assert results.tabs == {"": 2, "de": 1, "en": 1}
    assert {hit.id for hit in results} == {S002, S004}


def test_untranslated_search_folds_nothing(seed_index):
    results = indexer.search("Finanztechnologie", index_dir=seed_index, translate=False)
    assert all(hit.twin_hit is None for hit in results)
    assert S001 not in {hit.id for hit in results}


@pytest.mark.parametrize("hits", [3, 40, 700, 2_000])
def test_folding_many_hits_through_an_array_gives_what_searching_each_twin_gives(monkeypatch, hits):
    """`fold` places many hits in an array over the index and looks few up one by one: the same cards
    and riders either way, on random twin pairs, scores (with ties) and typed matches."""
    rng = np.random.default_rng(hits)
    size = 2_500
    twin_of = np.full(size, -1, np.int32)
    pairs = rng.permutation(size)[:1_600].reshape(-1, 2)
    twin_of[pairs[:, 0]], twin_of[pairs[:, 1]] = pairs[:, 1], pairs[:, 0]
    docs = np.sort(rng.choice(size, hits, replace=False)).astype(np.int32)
    found = Postings(docs, rng.integers(0, 4, hits).astype(np.float64))
    typed_docs = set(rng.choice(size, size // 3, replace=False).tolist())

    def typed(some: np.ndarray) -> np.ndarray:
        return np.array([d in typed_docs for d in some.tolist()], bool)

    folded = {}
    for dense in (0, 10**9):  # no fold dense, every fold dense
        monkeypatch.setattr(scope, "DENSE_FOLD", dense)
        folded[dense] = scope.fold(found, twin_of, typed)
    (cards, riders), (cards_b, riders_b) = folded.values()
    assert len(riders) > 0 or hits < 100
    for a, b in ((cards, cards_b), (riders, riders_b)):
        assert a.docs.tolist() == b.docs.tolist() and a.scores.tolist() == b.scores.tolist()
    assert sorted(cards.docs.tolist() + riders.docs.tolist()) == docs.tolist()
