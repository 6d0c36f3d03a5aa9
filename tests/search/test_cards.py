"""One count: a twin that matched only through translation shares its partner's card, and `total`, the
language tabs and the facets all count cards."""

from __future__ import annotations

import pytest

import indexer
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
