"""German compounds: split on a frequency lexicon, indexed as whole word plus lighter parts."""

from __future__ import annotations

import json

import pytest

import indexer
from indexer.analysis import PART_BOOST
from indexer.lang import chain, compounds
from tests.conftest import S000, S002


@pytest.mark.parametrize("word, parts", [
    ("Kooperationsvereinbarung", ("kooperation", "vereinbarung")),  # linking s
    ("Wirtschaftsförderung", ("wirtschaft", "förderung")),
    ("Tageszeitung", ("tag", "zeitung")),  # linking es
    ("Hilfsbereitschaft", ("hilfe", "bereitschaft")),  # s in place of the base's e
    ("Papierwährung", ("papier", "währung")),
    ("Finanztechnologiebranche", ("finanz", "technologie", "branche")),
    ("Investmentfonds", ("investment", "fonds")),
    ("Lagerbestand", ("lager", "bestand")),  # a word in -er, not `Lag` + linker
])
def test_compounds_split_into_their_parts_with_linking_elements_undone(word, parts):
    assert compounds.split(word) == parts


@pytest.mark.parametrize("word", [
    "Verbraucher",  # far more frequent than `Verb` and `Raucher` together
    "Mitglied",  # `mit` is a stop word, never a part
    "Ortschaft", "Freiheit",  # `schaft` and `heit` are suffixes, not parts
    "Ölpreis",  # `Öl` is shorter than the minimum part length
    "Kommission",  # no reading as parts at all
])
def test_words_that_are_not_compounds_stay_whole(word):
    assert compounds.split(word) == ()


def test_splits_are_memoized_per_word():
    compounds.split.cache_clear()
    compounds.split("Kooperationsvereinbarung")
    compounds.split("Kooperationsvereinbarung")
    assert compounds.split.cache_info().hits == 1


def test_index_mode_adds_lighter_parts_at_the_position_and_span_of_the_whole_word():
    tokens = [(t.text, t.pos, t.startchar, t.endchar, t.boost) for t in
              chain("de")("Die Kooperationsvereinbarung gilt", positions=True, chars=True, boosts=True)]
    assert tokens == [("kooperationsvereinbar", 1, 4, 28, 1.0), ("kooperation", 1, 4, 28, PART_BOOST),
                      ("vereinbar", 1, 4, 28, PART_BOOST), ("gilt", 2, 29, 33, 1.0)]


def test_query_mode_and_lowercase_words_are_not_split():
    analyzer = chain("de")
    assert [t.text for t in analyzer("Kooperationsvereinbarung", mode="query")] == ["kooperationsvereinbar"]
    assert [t.text for t in analyzer("kooperationsvereinbarung")] == ["kooperationsvereinbar"]


def test_a_part_finds_the_compound(seed_index):
    hits = indexer.search("Währung", index_dir=seed_index, lang="de", translate=False)
    assert [h.id for h in hits] == [S000]


def test_the_snippet_marks_the_compound_a_part_matched(seed_index):
    hits = {h.id: h for h in indexer.search("Kooperation", index_dir=seed_index, lang="de")}
    assert "<mark>Kooperationsvereinbarung</mark>" in hits[S000].snippet


def test_a_compound_finds_a_longer_compound_that_contains_it(seed_index):
    hits = indexer.search("Technologiebranche", index_dir=seed_index, lang="de", translate=False)
    assert S000 in [h.id for h in hits]


def test_a_compound_still_finds_itself_alone(seed_index):
    assert [h.id for h in indexer.search("Investmentfonds", index_dir=seed_index)] == [S002]


@pytest.fixture(scope="module")
def fonds_index(tmp_path_factory):
    """German releases that use a compound, its parts apart, or only one part, many times."""
    source = tmp_path_factory.mktemp("fonds-source")
    docs = [
        ("compound", "Der neue Investmentfonds der Bank wächst seit Jahren stetig weiter."),
        ("apart", "Das Investment der Bank in einen Fonds wächst seit Jahren stetig weiter."),
        ("noise", "Fonds, Fonds und noch ein Fonds: der Fonds der Fonds wächst weiter."),
        ("whole", "Die Währung des Landes verliert seit Jahren stetig an Wert gegenüber dem Dollar."),
        ("part", "Die Papierwährung des Landes verliert seit Jahren stetig an Wert gegenüber dem Dollar."),
        ("phrase", "Die Förderung der Wirtschaft im Land ist seit Jahren das Ziel der Regierung."),
    ]
    lines = [json.dumps({"id": i, "lang": "de", "title": "", "body": body}, ensure_ascii=False) for i, body in docs]
    (source / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("fonds-index")
    indexer.rebuild(source=source, index_dir=index_dir)
    return index_dir


def test_the_whole_compound_ranks_above_its_parts_apart_and_part_noise_is_not_found(fonds_index):
    assert [h.id for h in indexer.search("Investmentfonds", index_dir=fonds_index)] == ["compound", "apart"]


def test_a_word_of_its_own_ranks_above_the_same_word_as_a_part(fonds_index):
    assert [h.id for h in indexer.search("Währung", index_dir=fonds_index)] == ["whole", "part"]


def test_a_compound_finds_its_parts_written_apart(fonds_index):
    assert [h.id for h in indexer.search("Wirtschaftsförderung", index_dir=fonds_index)] == ["phrase"]


def test_compound_splitting_can_be_switched_off_for_comparison(tmp_path, monkeypatch, seed_copy):
    monkeypatch.setenv("TWINSEARCH_COMPOUNDS", "0")
    indexer.rebuild(source=seed_copy, index_dir=tmp_path / "index")
    hits = indexer.search("Währung", index_dir=tmp_path / "index", lang="de", translate=False)
    assert [h.id for h in hits] == []
