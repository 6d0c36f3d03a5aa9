"""Search on a real on-disk index of the seeds: ranking, languages, syntax, snippets, suggestions."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import os
import re
import threading

import pytest

import indexer
from indexer import tuning
from indexer.search.handles import Handle, close_handles, open_handle
from tests.conftest import S000, S001, S002, S003, S004, seeds_with


def ids(seed_index, query, **kw):
    return [h.id for h in indexer.search(query, index_dir=seed_index, **kw)]


def test_finanztechnologie_ranks_000_first(seed_index):
    assert ids(seed_index, "Finanztechnologie")[0] == S000


def test_fintech_in_english_finds_001_and_003_only(seed_index):
    assert sorted(ids(seed_index, "fintech", lang="en")) == [S001, S003]


def test_phrase_cass_business_school_finds_the_two_twins_only(seed_index):
    assert sorted(ids(seed_index, '"Cass Business School"')) == [S000, S001]


def test_luohu_finds_only_002(seed_index):
    assert ids(seed_index, "Luohu") == [S002]


@pytest.mark.parametrize("query, doc", [("Grossbritannien", S000), ("Maerkte", S002)])
def test_transliterated_german_finds_the_umlaut_spelling(seed_index, query, doc):
    assert doc in ids(seed_index, query)


def test_misspelling_suggests_the_index_vocabulary(seed_index):
    results = indexer.search("Shangai", index_dir=seed_index, exact=True)
    assert (results.total, results.suggestion, results.showing) == (0, "shanghai", None)


def test_a_query_that_finds_nothing_shows_the_suggestions_results_instead(seed_index):
    results = indexer.search("Shangai", index_dir=seed_index)
    assert (results.suggestion, results.showing) == ("shanghai", "shanghai")
    assert [h.id for h in results] == [S004] and results.query == "Shangai"


def test_an_unknown_compound_finds_its_modifier_or_else_is_searched_as_its_known_parts(tmp_path):
    records = [{"id": "fl", "lang": "de", "title": "Flüchtlinge an der Grenze",
                "body": "Viele Flüchtlinge warten."},
               {"id": "kr", "lang": "de", "title": "Die Krise der Banken", "body": "Eine Krise trifft die Banken."},
               {"id": "x", "lang": "de", "title": "Wetter", "body": "Morgen regnet es in Hamburg."}]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    indexer.rebuild(source=tmp_path / "src", index_dir=tmp_path / "index")
    results = indexer.search("Flüchtlingskrise", index_dir=tmp_path / "index")
    assert results.showing is None and [h.id for h in results] == ["fl"]  # the modifier; `Krise` alone is any crisis
    with tuning.use(modifier_alone=False):  # parts count only all together: nothing, so the parts are searched
        results = indexer.search("Flüchtlingskrise", index_dir=tmp_path / "index")
        assert results.showing == "Flüchtlinge Krise" and sorted(h.id for h in results) == ["fl", "kr"]
        assert indexer.search("Flüchtlingskrise", index_dir=tmp_path / "index", exact=True).total == 0
    assert indexer.search("Bankenkrise", index_dir=tmp_path / "index").showing is None  # found as it is


def test_suggestion_keeps_the_rest_of_the_query(seed_index):
    assert indexer.search("Shangai mayor", index_dir=seed_index).suggestion is None  # `mayor` finds 004
    assert indexer.search("Shangai Lyonss", index_dir=seed_index).suggestion == "shanghai lyons"


def test_no_suggestion_for_a_query_that_finds_enough(seed_index):
    assert indexer.search("London", index_dir=seed_index).suggestion is None


def test_lang_field_query_returns_exactly_the_german_releases(seed_index):
    assert sorted(ids(seed_index, "lang:de")) == [S000, S002]


def test_lang_filter_keeps_one_language(seed_index):
    assert sorted(ids(seed_index, "London", lang="de")) == [S000, S002]
    assert sorted(ids(seed_index, "London", lang="en")) == [S001, S004]


def test_german_name_query_crosses_into_english_releases(seed_index):
    assert sorted(ids(seed_index, "Jiaozi")) == [S000, S001]


@pytest.mark.parametrize("query, expected", [
    ("title:shanghai", [S004]),
    ("source:shine", [S004]),
    ("source:ots.at", [S002]),
    ("date:[2019 TO 2020]", [S000, S001]),
    ("date:[2023-09-01 TO 2025-12-31]", [S002, S004]),
    ("Luohu OR Shanghai", [S002, S004]),
    ("London AND Jiaozi", [S000, S001]),
    ("London NOT Jiaozi", [S002, S004]),
    ("finanz*", [S000, S002]),
    ('"Jiaozi Fin-Tech Dreamworks"', [S000, S001]),
])
def test_query_syntax(seed_index, query, expected):
    assert sorted(ids(seed_index, query)) == expected


def test_title_matches_rank_above_body_matches(seed_index):
    assert ids(seed_index, "Shanghai", lang="en")[0] == S004


@pytest.mark.parametrize("query", ['"unbalanced quote', "title:", "foo:bar", "date:[2019 TO", ")))London(((",
                                   "OR London"])
def test_malformed_queries_degrade_to_a_word_search(seed_index, query):
    results = indexer.search(query, index_dir=seed_index)
    assert isinstance(results.total, int)


def test_malformed_query_with_words_still_finds_them(seed_index):
    assert ids(seed_index, ')))Luohu"(((') == [S002]


@pytest.mark.parametrize("query, message", [
    ("x" * 10_000, "the query is 10,000 characters long; the limit is 1,000"),
    (":::", "has no words to search for"),
    ("(((", "has no words to search for"),
    ("AND", "has no words to search for"),
    ("OR NOT", "has no words to search for"),
    ("und", "has no words to search for"),
    ("the of", "has no words to search for"),
    ("   ", "the query is empty"),
])
def test_queries_that_cannot_be_answered_raise_query_error(seed_index, query, message):
    with pytest.raises(indexer.QueryError, match=re.escape(message)):
        indexer.search(query, index_dir=seed_index)


@pytest.mark.parametrize("kw, message", [
    ({"limit": 0}, "limit must be a whole number from 1 to 100"),
    ({"limit": 1_000_000}, "limit must be a whole number from 1 to 100"),
    ({"page": 0}, "page must be a whole number from 1"),
    ({"page": 10**9}, "is too deep"),
    ({"lang": "xx1"}, "lang must be a language code"),
    ({"date_from": "yesterday"}, "date_from must be a date like 2019"),
])
def test_bad_parameters_raise_query_error(seed_index, kw, message):
    with pytest.raises(indexer.QueryError, match=re.escape(message)):
        indexer.search("London", index_dir=seed_index, **kw)


def test_query_error_is_a_value_error_of_the_indexer_package():
    assert issubclass(indexer.QueryError, ValueError)
    assert indexer.QueryError.__module__.startswith("indexer")


def test_paging(seed_index):
    first = indexer.search("London", index_dir=seed_index, limit=2, page=1)
    second = indexer.search("London", index_dir=seed_index, limit=2, page=2)
    beyond = indexer.search("London", index_dir=seed_index, limit=2, page=3)
    assert (first.total, first.pages, len(first), len(second), len(beyond)) == (4, 2, 2, 2, 0)
    assert not {h.id for h in first} & {h.id for h in second}


def test_date_and_source_filters(seed_index):
    assert sorted(ids(seed_index, "London", date_from="2020", date_to="2024")) == [S004]
    assert sorted(ids(seed_index, "London", date_to="2019-07")) == [S000, S001]
    assert sorted(ids(seed_index, "London", source="PRNewswire")) == [S000, S001]


def test_hit_carries_metadata_and_score(seed_index):
    hit = indexer.search("Luohu", index_dir=seed_index).hits[0]
    assert (hit.id, hit.lang, hit.title, hit.date, hit.place, hit.source) == (
        S002, "de", "Luohu und London: Neue Chancen in Finanzen und Technologie!", "2025-05-12",
        "Luohu, Shenzhen, China", "die-nachrichten.at")
    assert hit.score > 0


def test_snippet_marks_stemmed_matches(seed_index):
    hit = indexer.search("cooperate", index_dir=seed_index, lang="en").hits[0]
    assert "<mark>cooperation</mark>" in hit.snippet


def test_snippet_marks_normalized_german_matches(seed_index):
    hit = indexer.search("Maerkte", index_dir=seed_index).hits[0]
    assert "<mark>Märkte</mark>" in hit.snippet


def test_snippet_marks_the_whole_hyphenated_word(seed_index):
    hits = {h.id: h for h in indexer.search("fintech", index_dir=seed_index, lang="en")}
    assert "<mark>Fin-Tech</mark>" in hits[S001].snippet


def test_a_word_sharing_only_a_compound_part_is_marked_as_a_part_match(seed_index):
    body = indexer.get(S000, index_dir=seed_index)["body"]
    marked = re.findall(r"<mark( class=\"part\")?>([^<]*)</mark>", indexer.highlight(body, "Finanztechnologie", "de",
                                                                                  index_dir=seed_index))
    assert ("", "Finanztechnologie") in marked
    assert (' class="part"', "Finanzbereich") in marked and ("", "Finanzbereich") not in marked
    marked = re.findall(r"<mark( class=\"part\")?>([^<]*)</mark>", indexer.highlight(body, "Finanz", "de",
                                                                                  index_dir=seed_index))
    assert ("", "Finanzbereich") in marked  # `Finanz` typed as a word of its own: a whole match


def test_snippet_is_short_and_escaped(seed_index):
    for hit in indexer.search("Jiaozi", index_dir=seed_index):
        text = re.sub(r"</?mark[^>]*>", "", hit.snippet)
        assert len(text.replace("&quot;", '"').replace("&amp;", "&")) <= 302
        assert "<" not in text
    hit = indexer.search("betrifft", index_dir=seed_index).hits[0]
    assert "Was &quot;Jiaozi&quot; <mark>betrifft</mark>, so handelt es sich" in hit.snippet


def test_snippet_shows_the_opening_when_only_the_title_matched(seed_index):
    hit = indexer.search("title:Chancen", index_dir=seed_index).hits[0]
    assert hit.snippet.startswith("Luohu und London diskutieren am 12. Mai 2025")
    assert "<mark>" not in hit.snippet


def test_get_returns_every_field(seed_index):
    doc = indexer.get(S004, index_dir=seed_index)
    assert doc["title"] == "Shanghai and City of London seek to strengthen financial ties"
    assert (doc["lang"], doc["date"], doc["source"], doc["path"]) == ("en", "2023-09-25", "SHINE", f"{S004}.txt")
    assert doc["body"].startswith("Shanghai Mayor Gong Zheng met with a delegation")
    assert doc["editor"] == "Xu Fang"


def test_get_unknown_id_is_none(seed_index):
    assert indexer.get("no-such-id", index_dir=seed_index) is None


def test_highlight_marks_the_whole_text(seed_index):
    html = indexer.highlight("Die <b>Märkte</b> und der Markt.", "Maerkte", "de", index_dir=seed_index)
    assert html == "Die &lt;b&gt;<mark>Märkte</mark>&lt;/b&gt; und der <mark>Markt</mark>."


def test_search_without_an_index_says_how_to_build_one(tmp_path):
    with pytest.raises(indexer.IndexNotFoundError, match=r"python -m indexer rebuild"):
        indexer.search("x", index_dir=tmp_path / "none")


def test_results_serialize_to_json_ready_dicts(seed_index):
    data = indexer.search("Luohu", index_dir=seed_index).to_dict()
    assert set(data) == {"query", "total", "page", "pages", "limit", "suggestion", "elapsed_ms", "hits", "facets",
                         "showing", "tabs"}
    assert data["hits"][0]["id"] == S002


@pytest.mark.parametrize("query", ["Finanztechnologie", "fintech", "Shenzhen", "Luohu Cass"])
def test_results_serialize_as_dataclasses_asdict_does_with_explanations_twins_and_facets(seed_index, query):
    results = indexer.search(query, index_dir=seed_index, explain=True)
    data = results.to_dict()
    assert data == dataclasses.asdict(results)
    assert data["hits"] and data["facets"]["lang"]
    assert data["hits"][0]["paths"] is not results.hits[0].paths  # a copy, as asdict's


def test_a_translation_only_twin_serializes_inside_its_card(seed_index):
    results = indexer.search("Finanztechnologie", index_dir=seed_index, explain=True)
    carded = [h for h in results.hits if h.twin_hit is not None]
    assert carded, "the seeds' twin pair should share a card"
    at = results.hits.index(carded[0])
    assert results.to_dict()["hits"][at]["twin_hit"] == dataclasses.asdict(carded[0].twin_hit)


def test_threads_share_a_generations_twin_links_and_lexicon_and_an_update_brings_new_ones(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    other: list[Handle] = []
    thread = threading.Thread(target=lambda: other.append(open_handle(index_dir)))
    thread.start()
    thread.join()
    mine = open_handle(index_dir)
    assert mine.reader is not other[0].reader  # a reader per thread
    assert mine.partners is other[0].partners and mine.translator.learned is other[0].translator.learned
    assert mine.partners[S000][0] == S001
    (seed_copy / f"{S001}.txt").unlink()
    indexer.update(index_dir=index_dir)
    fresh = open_handle(index_dir)
    assert fresh.gen != mine.gen and S000 not in fresh.partners


@pytest.mark.parametrize("sort, expected", [
    ("relevance", [S004, S002, S001, S000]),
    ("newest", [S002, S004, S001, S000]),
    ("oldest", [S000, S001, S004, S002]),
])
def test_results_sort_by_relevance_or_by_date(seed_index, sort, expected):
    assert ids(seed_index, "London", sort=sort) == expected


def test_undated_releases_come_last_in_either_date_order(seed_index):
    for sort in ("newest", "oldest"):
        hits = indexer.search("China", index_dir=seed_index, sort=sort).hits
        dates = [h.date for h in hits]
        assert S003 in [h.id for h in hits] and dates[-1] is None and None not in dates[:-1], sort


def test_an_unknown_sort_is_a_query_error(seed_index):
    with pytest.raises(indexer.QueryError, match="sort must be one of relevance, newest, oldest"):
        indexer.search("London", index_dir=seed_index, sort="random")


def test_facets_count_the_whole_result_set_not_just_the_page(seed_index):
    results = indexer.search("London", index_dir=seed_index, limit=1)
    assert len(results.hits) == 1 and results.total == 4
    assert results.facets == {
        "lang": [("de", 2), ("en", 2)],
        "year": [("2019", 2), ("2023", 1), ("2025", 1)],  # in order, for a histogram
        "source": [("PRNewswire", 1), ("SHINE", 1), ("die-nachrichten.at", 1), ("ots/PRNewswire", 1)],
        "place": [("Chengdu, China", 2), ("Luohu, Shenzhen, China", 1)],  # 004 names no place
    }
    assert sum(n for _, n in results.facets["lang"]) == results.total


def test_facets_follow_the_filters_and_a_place_filter_narrows(seed_index):
    results = indexer.search("London", index_dir=seed_index, place="Chengdu")
    assert sorted(h.id for h in results) == [S000, S001]
    assert results.facets["place"] == [("Chengdu, China", 2)] and results.facets["year"] == [("2019", 2)]
    assert indexer.search("London", index_dir=seed_index, lang="de").facets["lang"] == [("de", 2)]


def test_related_releases_come_in_both_languages_without_the_release_and_its_twin(seed_index):
    related = indexer.related(S000, index_dir=seed_index)
    ids = [h.id for h in related]
    assert 0 < len(ids) <= 5 and S000 not in ids and S001 not in ids
    assert {h.lang for h in related} == {"de", "en"} and ids[:2] == [S004, S002]
    assert indexer.related("nope", index_dir=seed_index) == []
    assert len(indexer.related(S004, index_dir=seed_index, limit=2)) == 2


def test_related_releases_list_a_story_once_not_a_release_and_its_twin(tmp_path):
    stories = [("Windpark Nordsee liefert Strom für Bremerhaven", "North Sea wind farm powers Bremerhaven"),
               ("Neuer Windpark vor Bremerhaven geplant", "New wind farm planned off Bremerhaven"),
               ("Windpark Bremerhaven erweitert Netz", "Bremerhaven wind farm extends grid")]
    records = []
    for n, (de, en) in enumerate(stories):
        records.append({"id": f"s{n}-de", "lang": "de", "twin": f"s{n}-en", "title": de,
                        "body": f"{de}. Der Windpark in der Nordsee versorgt Bremerhaven mit Strom."})
        records.append({"id": f"s{n}-en", "lang": "en", "twin": f"s{n}-de", "title": en,
                        "body": f"{en}. The wind farm in the North Sea supplies Bremerhaven with power."})
    indexer.rebuild(source=seeds_with(tmp_path / "src", records), index_dir=tmp_path / "index")
    ids = [h.id for h in indexer.related("s0-de", index_dir=tmp_path / "index")]
    stories_listed = [i.split("-")[0] for i in ids if i.startswith("s")]
    assert sorted(stories_listed) == ["s1", "s2"]  # each once, in one language or the other


def test_a_compound_finds_the_release_that_uses_one_of_its_parts(seed_index):
    results = indexer.search("Technologiewandel", index_dir=seed_index)
    assert results.showing is None and results.hits[0].id == S002  # `Technologie`; `Wandel` is in none


def test_a_compound_that_finds_nothing_is_searched_as_its_parts_with_a_note(seed_index):
    with tuning.use(modifier_alone=False):  # parts count only all together: `Wandel` is in no release
        results = indexer.search("Technologiewandel", index_dir=seed_index)
    assert results.showing == "Technologie Wandel" and results.total > 0


def test_parameters_of_the_wrong_type_are_query_errors(seed_index):
    for kwargs in ({"source": 5}, {"place": []}, {"date_from": -1}, {"lang": 5}, {"sort": None}, {"limit": "10"}):
        with pytest.raises(indexer.QueryError):
            indexer.search("London", index_dir=seed_index, **kwargs)
    with pytest.raises(indexer.QueryError, match="a document id is text"):
        indexer.get(5, index_dir=seed_index)
    assert indexer.get("a\udc80", index_dir=seed_index) is None
    assert indexer.get("x" * 5000, index_dir=seed_index) is None


def test_an_idle_threads_handle_on_a_replaced_generation_is_released(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    opened: list[Handle] = []
    ready, done = threading.Event(), threading.Event()

    def idle_thread() -> None:  # searches once, then waits, as an idle server thread does
        opened.append(open_handle(index_dir))
        ready.set()
        done.wait(30)

    idle = threading.Thread(target=idle_thread)
    idle.start()
    ready.wait(30)
    old = opened[0].gen
    busy = open_handle(index_dir)
    assert busy.gen == old and files_open_in(old) > 0
    with indexer.in_use():  # this thread is in a request: its handle stays
        indexer.rebuild(source=seed_copy, index_dir=index_dir)
        assert indexer.release_stale() == 1
        assert files_open_in(old) > 0  # this thread's, still in its request
    close_handles()
    assert files_open_in(old) == 0  # the idle thread's were closed for it
    assert indexer.search("Luohu", index_dir=index_dir).total == 1
    done.set()
    idle.join()


def files_open_in(folder) -> int:
    """How many of this process's open files are in `folder` (Linux)."""
    fds = os.listdir("/proc/self/fd")
    return sum(1 for fd in fds if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(folder) + os.sep))


def test_a_servers_frozen_start_up_is_unfrozen_when_a_generation_stops_serving(tmp_path, seed_copy):
    """The web server freezes what start-up loaded (`gc.freeze`); once a rebuild replaces the generation,
    closing its handle unfreezes it, so that the collector can reclaim the old generation's cycles."""
    from web.__main__ import _freeze

    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    try:
        indexer.warm(index_dir)
        _freeze()
        assert gc.get_freeze_count() > 0
        indexer.rebuild(source=seed_copy, index_dir=index_dir)
        assert gc.get_freeze_count() > 0  # nothing has closed the old generation yet
        assert indexer.search("Luohu", index_dir=index_dir).total == 1  # reopens on the new one
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        close_handles()


def test_a_warmed_server_numbers_the_twins_and_flags_the_languages_before_its_first_search(
        tmp_path, seed_copy, monkeypatch):
    """At 1,000,000 releases these took a forked server process's first search 5 s (90 s before the
    ids were numbered in one pass): the warm-up does them once, before the fork."""
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir, workers=1)
    indexer.warm(index_dir)
    close_handles()
    scope = importlib.import_module("indexer.search.scope")
    ranking = importlib.import_module("indexer.backend.whoosh.ranking")
    monkeypatch.setattr(scope, "_twin_numbers", lambda handle: pytest.fail("twins numbered after the warm-up"))
    monkeypatch.setattr(ranking.Ranker, "mask", lambda self, q: pytest.fail(f"{q} flagged after the warm-up"))
    assert ids(index_dir, "Finanztechnologie", lang="en")[0] == S001
    assert ids(index_dir, "Finanztechnologie")[0] == S000
