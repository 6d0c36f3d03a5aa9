"""Property-based: no query, parameter or id makes search, the API or the page fail in an undocumented way.
Hypothesis builds the inputs from the query language's own pieces (words, operators, fields, ranges,
wildcards, quotes, brackets) and from odd characters."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indexer
from indexer.backend.whoosh import ranking
from web import create_app

PIECES = ["London", "Luohu", "Kooperation", "finanz*", "fi?tech", "*", "?", "AND", "OR", "NOT", "ANDNOT",
          "ANDMAYBE", "TO", "(", ")", '"', "[", "]", "{", "}", ":", "title:", "body:", "lang:", "lang:de",
          "date:", "date:[", "date:>", "date:<=", "2019", "2019-13", "2019-02-30", "x", "source:", "place:",
          "path:", "^2", "~", "~2", "-", "+", "\\", "/", "und", "the", "\x00", "\udc80", "ß", "Ä", "😀", "\t", "\n"]
queries = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1, max_size=8).map(" ".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(query=queries, lang=st.one_of(st.none(), st.sampled_from(["de", "en", "xx", "", "DE", "<b>"]), st.integers()),
       sort=st.one_of(st.sampled_from(["relevance", "newest", "oldest", "x"]), st.integers()),
       date_from=st.one_of(st.none(), st.sampled_from(["2019", "2019-02-30", "x", "99999", ""]), st.text(max_size=5)))
def test_search_answers_or_raises_query_error(seed_index, query, lang, sort, date_from):
    try:
        results = indexer.search(query, index_dir=seed_index, lang=lang, sort=sort, date_from=date_from)
    except indexer.QueryError as e:
        assert str(e)
    else:
        assert results.total >= len(results.hits)


@SETTINGS
@given(doc_id=st.one_of(st.text(max_size=30), st.sampled_from(["a\udc80", "\x00", "../../etc/passwd", "x" * 5000])))
def test_get_and_related_answer_for_any_id(seed_index, doc_id):
    assert indexer.get(doc_id, index_dir=seed_index) is None or isinstance(indexer.get(doc_id, index_dir=seed_index),
                                                                           dict)
    assert isinstance(indexer.related(doc_id, index_dir=seed_index), list)


@pytest.fixture(scope="module")
def client(seed_index):
    app = create_app(index_dir=seed_index)
    app.config["TESTING"] = True
    return app.test_client()


PARAMS = ["q", "lang", "from", "to", "source", "place", "sort", "page", "limit", "exact"]
values = st.one_of(queries, st.sampled_from(["", "0", "-1", "99999999999999999999", "de", "newest", "1", "a\udc80"]))


@SETTINGS
@given(path=st.sampled_from(["/", "/api/search", "/export.csv", "/export.jsonl", "/feed.atom"]),
       params=st.dictionaries(st.sampled_from(PARAMS), values, max_size=6))
def test_the_web_never_answers_500(client, path, params):
    response = client.get(path, query_string={k: v.encode("utf-8", "surrogatepass") for k, v in params.items()})
    assert response.status_code in (200, 400, 404), (path, params, response.status_code)


@SETTINGS
@given(doc_id=st.text(min_size=1, max_size=40).filter(lambda s: s.strip("/.") != ""))
def test_document_pages_never_answer_500(client, doc_id):
    quoted = quote(doc_id.encode("utf-8", "surrogatepass"), safe="")
    for path in (f"/doc/{quoted}", f"/api/doc/{quoted}", f"/api/related/{quoted}"):
        assert client.get(path).status_code < 500, path  # 200, 404, or a redirect of `//` paths


def test_a_leading_wildcard_is_refused_with_the_reason(seed_index):
    with pytest.raises(indexer.QueryError, match="a wildcard needs at least 2 letters before its first"):
        indexer.search("*zw*", index_dir=seed_index)
    with pytest.raises(indexer.QueryError, match="has no letters before its wildcard"):
        indexer.search("*", index_dir=seed_index)


def test_a_field_wide_wildcard_is_every_release(seed_index):
    assert indexer.search("body:*", index_dir=seed_index).total == 5


def test_an_expansion_over_the_budget_is_refused(whoosh_seed_index, monkeypatch):
    """Whoosh's budget is ours (`ranking.MAX_EXPANSION`); OpenSearch's is the cluster's clause limit
    (`tests/backend/test_opensearch_backend.py`)."""
    assert indexer.search("lo*", index_dir=whoosh_seed_index).total > 0
    monkeypatch.setattr(ranking, "MAX_EXPANSION", 1)
    with pytest.raises(indexer.QueryError, match="`lo\\*` matches too many words"):
        indexer.search("lo*", index_dir=whoosh_seed_index)


def test_a_search_over_its_time_limit_stops_with_a_query_error(seed_index):
    with indexer.time_limit(1e-9), pytest.raises(indexer.QueryError, match="took longer than this server allows"):
        indexer.search("London", index_dir=seed_index)
    assert indexer.search("London", index_dir=seed_index).total == 4  # the limit ended with its block


def test_the_web_answers_400_when_a_request_outlasts_its_time_limit(seed_index):
    app = create_app(index_dir=seed_index)
    app.config["TWINSEARCH_REQUEST_SECONDS"] = 1e-9
    response = app.test_client().get("/api/search?q=London")
    assert response.status_code == 400 and "took longer" in response.get_json()["error"]
