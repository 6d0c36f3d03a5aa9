"""Search across the language boundary: own text, translated query words, and the twin."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import pytest

import indexer
from indexer import store
from indexer.cli import main
from indexer.config import dictionary_path
from indexer.search import open_handle
from indexer.translation import dictionary, guess_language, learned, names
from tests.conftest import S000, S001, S002, S004


def test_an_english_query_finds_german_releases_through_the_twin_and_through_translation(seed_index):
    hits = {h.id: h for h in indexer.search("cooperation", index_dir=seed_index, lang="de", explain=True)}
    assert set(hits) == {S000, S002}
    assert "twin" in hits[S000].paths  # 001, its English twin, says cooperation
    assert hits[S002].paths == ["translation"]  # no twin: Zusammenarbeit, Kooperationsmöglichkeiten
    assert "kooperation" in hits[S002].matched["cooperation"]


def test_a_german_query_finds_english_releases(seed_index):
    hits = indexer.search("Finanzen", index_dir=seed_index, lang="en")
    assert {h.id for h in hits} == {S001, S004}


def test_translated_words_are_marked_in_snippets_and_highlights(seed_index):
    hits = {h.id: h for h in indexer.search("cooperation", index_dir=seed_index, lang="de")}
    assert "<mark>Kooperationsmöglichkeiten</mark>" in hits[S002].snippet
    body = indexer.get(S002, index_dir=seed_index)["body"]
    assert "<mark>Zusammenarbeit</mark>" in indexer.highlight(body, "cooperation", "de", index_dir=seed_index)


def test_without_translation_only_the_twin_path_is_left(seed_index):
    hits = indexer.search("cooperation", index_dir=seed_index, lang="de", translate=False, explain=True)
    assert [(h.id, h.paths) for h in hits] == [(S000, ["twin"])]


def test_phrases_are_not_translated(seed_index):
    hits = indexer.search('"cooperation agreement"', index_dir=seed_index, lang="de", explain=True)
    assert [(h.id, h.paths) for h in hits] == [(S000, ["twin"])]


def test_without_lang_the_hit_itself_is_shown_not_its_twin(seed_index):
    ids = [h.id for h in indexer.search("Jiaozi", index_dir=seed_index)]
    assert set(ids) == {S000, S001}


@pytest.mark.parametrize("words, lang", [
    (["How", "many", "points", "did", "the", "defense", "give", "up"], "en"),
    (["Wie", "viele", "Punkte", "gab", "die", "Verteidigung", "ab"], "de"),
    (["cooperation"], "en"),
    (["Finanzen"], "de"),
    (["Luohu"], None),
])
def test_the_query_language_is_guessed_from_stop_words_then_vocabulary(seed_index, words, lang):
    translator = open_handle(seed_index).translator
    assert guess_language(words, translator) == lang


def test_without_a_dictionary_capitalized_english_words_and_acronyms_are_names():
    assert names(["Super", "Bowl", "50", "for", "the", "NFL"], "en") == {"Super", "Bowl", "NFL"}
    assert names(["Wer", "gewann", "den", "Super", "Bowl"], "de") == frozenset()


def test_the_dictionary_is_read_from_its_installed_path(monkeypatch, tmp_path):
    ding = tmp_path / "de-en"
    ding.write_text("# Version :: test\nZusammenarbeit {f}; Kooperation {f} [adm.] | Zusammenarbeiten {pl} :: "
                    "co-operation; cooperation (with sb.) | co-operations; cooperations\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    found = dictionary.load(ding)
    assert found.translations("en", "cooperation", "cooper") == (("zusammenarbeit", 2), ("kooperation", 2))
    assert found.translations("de", "Kooperation", "kooperation") == (("cooper", 4),)  # co-operation, cooperation


@pytest.fixture
def phrase_dictionary(monkeypatch, tmp_path):
    """A dictionary whose translations are several words long, and an English archive without twins."""
    ding = tmp_path / "de-en"
    ding.write_text("# Version :: test\n"
                    "Premierminister {m} [pol.] | Premierminister {pl} :: Prime Minister /PM/ | Prime Ministers\n"
                    "Dampfmaschine {f} [techn.] :: steam engine\n"
                    "Indikator {m} :: indicator\n", encoding="utf-8")
    monkeypatch.setenv("TWINSEARCH_DICTIONARY", str(ding))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "source"
    source.mkdir()
    records = [
        {"id": "pm", "lang": "en", "title": "Visit", "body": "The prime minister visited the harbour today."},
        {"id": "minister", "lang": "en", "title": "Visit", "body": "The minister visited the harbour today."},
        {"id": "engine", "lang": "en", "title": "Museum", "body": "An indicator for the steam engine was shown."},
        {"id": "steam", "lang": "en", "title": "Museum", "body": "Steam rose from the kettle in the museum."},
    ]
    (source / "archive.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    indexer.rebuild(source=source, index_dir=index_dir)
    return index_dir


def test_a_translation_of_several_words_finds_releases_with_all_of_them(phrase_dictionary):
    found = dictionary.load()
    assert found.translations("de", "Premierminister", "premierminist") == (("prime minist", 3),)  # 2 + plural
    assert [h.id for h in indexer.search("Premierminister", index_dir=phrase_dictionary, lang="en")] == ["pm"]


def test_a_hyphenated_compound_is_translated_piece_by_piece_each_piece_whole(phrase_dictionary):
    hits = indexer.search("Dampfmaschinen-Indikator", index_dir=phrase_dictionary, lang="en")
    assert [h.id for h in hits] == ["engine"]


def test_query_words_the_dictionary_lists_together_are_translated_as_one(monkeypatch, tmp_path):
    """`stock exchange` is `Börse`, which neither `stock` (`Vorrat`) nor `exchange` (`Austausch`) translates to."""
    ding = tmp_path / "de-en"
    ding.write_text("# Version :: test\nBörse {f} | Börsen {pl} :: stock exchange | stock exchanges\n"
                    "Vorrat {m} :: stock\nAustausch {m} :: exchange\n", encoding="utf-8")
    monkeypatch.setenv("TWINSEARCH_DICTIONARY", str(ding))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "source"
    source.mkdir()
    records = [{"id": "borse", "lang": "de", "title": "Handel", "body": "Die Börse in Warschau schloss heute früher."},
               {"id": "vorrat", "lang": "de", "title": "Lager", "body": "Der Vorrat an Getreide reicht bis Mai."},
               {"id": "andere", "lang": "de", "title": "Haushalt", "body": "Der Ausschuss tagte bis zum Abend."}]
    (source / "archive.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                          encoding="utf-8")
    indexer.rebuild(source=source, index_dir=tmp_path / "index")
    hits = indexer.search("When did the stock exchange close?", index_dir=tmp_path / "index", lang="de")
    assert [h.id for h in hits] == ["borse", "vorrat"]
    assert dictionary.load().phrase_translations("en", "stock exchang") == (("bors", 3),)  # 2 + plural


@pytest.fixture
def no_dictionary(monkeypatch, tmp_path):
    monkeypatch.setenv("TWINSEARCH_DICTIONARY", str(tmp_path / "missing" / "de-en"))


def test_without_the_dictionary_search_degrades_to_the_learned_lexicon_and_says_so(
        no_dictionary, seed_copy, tmp_path, caplog):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    with caplog.at_level(logging.WARNING, logger="indexer.translation.dictionary"):
        hits = indexer.search("cooperation", index_dir=index_dir, lang="de")
    assert [h.id for h in hits] == [S000]  # through its twin; 002 has none and nothing translates it
    assert "trans-de-en" in caplog.text
    state = indexer.status(index_dir)["translation"]
    assert (state["dictionary"], state["dictionary_package"]) == (None, "trans-de-en")


@pytest.fixture(scope="module")
def twin_archive(tmp_path_factory):
    """Four stated German/English twin pairs that share only `Nachmittag`/`afternoon`, and a German
    release without a twin."""
    source = tmp_path_factory.mktemp("twin-archive")
    pairs = [("Das Rathaus öffnet", "The town hall opens"), ("Der Bahnhof schließt", "The station closes"),
             ("Der Hafen feiert", "The harbour celebrates"), ("Der Flughafen wächst", "The airport grows")]
    records = []
    for n, (de, en) in enumerate(pairs):
        records.append({"id": f"de-{n}", "lang": "de", "twin": f"en-{n}", "body": f"{de} am Nachmittag."})
        records.append({"id": f"en-{n}", "lang": "en", "body": f"{en} in the afternoon."})
    records.append({"id": "de-alone", "lang": "de", "title": "Konzert", "body": "Das Konzert beginnt am Nachmittag."})
    (source / "archive.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                          encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("twin-index")
    indexer.rebuild(source=source, index_dir=index_dir)
    return index_dir


def test_the_lexicon_learns_words_that_co_occur_across_twins(twin_archive):
    lexicon = learned.load(store.require(twin_archive))
    assert lexicon.pairs == 4
    assert lexicon.translations("en", "afternoon") == [("nachmittag", 1.0)]


def test_the_learned_lexicon_translates_when_the_dictionary_is_missing(no_dictionary, twin_archive):
    hits = indexer.search("afternoon", index_dir=twin_archive, lang="de", explain=True)
    alone = {h.id: h for h in hits}["de-alone"]
    assert (alone.paths, alone.matched) == (["translation"], {"afternoon": ["nachmittag"]})


def test_cli_explain_shows_the_paths_and_the_translated_words(seed_index):
    def run(*argv: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main([*argv, "--index", str(seed_index)]) == 0
        return " ".join(out.getvalue().split())

    found = run("search", "cooperation", "--lang", "de", "--explain")
    assert "found through: translation (cooperation → zusammenarbeiten, kooperation), its twin" in found
    stats = run("stats")
    assert f"dictionary: {dictionary_path()}" in stats
    assert "learned: 0 translations from 1 twin pairs" in stats
