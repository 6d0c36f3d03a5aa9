"""Field restrictions typed in a query restrict the results, whatever else the query says."""

from __future__ import annotations

import pytest

import indexer
from indexer.query.restrictions import date_comparisons
from tests.conftest import S000, S001, S002, S004
from web import create_app


def found(index, query, **kw):
    return [(h.id, h.lang, h.date) for h in indexer.search(query, index_dir=index, **kw)]


def test_a_date_range_in_the_query_keeps_only_releases_of_those_years(seed_index):
    assert found(seed_index, "London date:[2019 TO 2020]") == [(S001, "en", "2019-07-09"), (S000, "de", "2019-07")]


@pytest.mark.parametrize("query, ids", [
    ("London date:>2020", {S002, S004}),  # after the whole of 2020
    ("London date:>=2023-09", {S002, S004}),
    ("London date:<2020", {S000, S001}),  # before 2020 began
    ("London date:<=2019-06", set()),  # 000 is dated July 2019
    ("London date:2019-07", {S000, S001}),  # the month: `2019-07` and `2019-07-09`
])
def test_a_partial_date_compared_in_the_query_means_its_whole_period(seed_index, query, ids):
    assert {doc_id for doc_id, _, _ in found(seed_index, query)} == ids


def test_date_comparisons_become_ranges_of_whole_days():
    assert date_comparisons("x date:>2019") == "x date:[2020-01-01 TO]"
    assert date_comparisons("date:<2019-03") == "date:[TO 2019-02-28]"
    assert date_comparisons("date:2020-02 y") == "date:[2020-02-01 TO 2020-02-29] y"
    assert date_comparisons("date:>soon") == "date:>soon"  # not a date: left for the parser to refuse


def test_lang_in_the_query_is_the_language_asked_for(seed_index):
    assert {lang for _, lang, _ in found(seed_index, "London lang:de")} == {"de"}
    assert found(seed_index, "London lang:de") == found(seed_index, "London", lang="de")
    assert found(seed_index, "Luohu lang:en") == []  # 002 is German and has no English twin
    assert {doc_id for doc_id, _, _ in found(seed_index, "lang:de")} == {S000, S002}


def test_source_and_several_restrictions_must_all_hold(seed_index):
    assert found(seed_index, "source:shine London") == [(S004, "en", "2023-09-25")]
    assert found(seed_index, "lang:en date:2019") == [(S001, "en", "2019-07-09")]
    assert found(seed_index, "London source:shine", lang="de") == []  # SHINE's release is English, without a twin


def test_title_and_body_stay_field_scoped_words(seed_index):
    assert [doc_id for doc_id, _, _ in found(seed_index, "title:Chancen")] == [S002]


@pytest.mark.parametrize("query", ["date:[x TO y]", "London date:[x TO y]", "date:[2019-13 TO 2020]",
                                   "NOT OR NOT OR true", "x AND ANDMAYBE AND ANDMAYBE", "London date:>soon"])
def test_ranges_and_operators_that_cannot_be_read_degrade_to_words(seed_index, query):
    assert isinstance(indexer.search(query, index_dir=seed_index).total, int)


def test_the_web_refuses_an_operator_only_query_with_the_reason(seed_index):
    client = create_app(seed_index).test_client()
    api = client.get("/api/search?q=AND")
    assert api.status_code == 400 and "has no words to search for" in api.get_json()["error"]
    page = client.get("/?q=OR%20NOT&ui=en")
    assert page.status_code == 400 and "has no words to search for" in page.get_data(as_text=True)
