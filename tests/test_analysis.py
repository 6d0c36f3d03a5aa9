"""Analyzers: what each language's chain makes of words, so that the right variants meet."""

from __future__ import annotations

import threading

import pytest

from indexer.analysis import english_analyzer, german_analyzer, neutral_analyzer


def terms(analyzer, text, mode="index"):
    return [t.text for t in analyzer(text, mode=mode)]


@pytest.mark.parametrize("spelling", ["Fin-Tech", "FinTech", "fintech", "fin-tech"])
def test_english_fintech_spellings_meet_in_one_query_term(spelling):
    assert terms(english_analyzer(), spelling, mode="query") == ["fintech"]


def test_english_hyphenated_word_is_indexed_joined_and_as_parts_at_one_position():
    tokens = [(t.text, t.pos) for t in english_analyzer()("Jiaozi Fin-Tech Dreamworks", positions=True)]
    assert tokens == [("jiaozi", 0), ("fintech", 1), ("fin", 1), ("tech", 1), ("dreamwork", 2)]


def test_english_possessives_stop_words_and_stems():
    assert terms(english_analyzer(), "The city’s cooperation with China's banks") == [
        "citi", "cooper", "china", "bank"]


def test_english_keeps_numbers_whole():
    assert terms(english_analyzer(), "100,000 square meters in 2019") == ["100,000", "squar", "meter", "2019"]


@pytest.mark.parametrize("a, b", [("Waehrung", "Währung"), ("Strasse", "Straße"), ("Maerkte", "Märkte"),
                                  ("Grossbritannien", "Großbritannien"), ("Foerderung", "Förderung")])
def test_german_transliterations_meet_the_umlaut_spelling(a, b):
    assert terms(german_analyzer(), a) == terms(german_analyzer(), b)


def test_german_stop_words_also_in_transliterated_spelling():
    assert terms(german_analyzer(), "für die Märkte und fuer den Handel") == ["markt", "handel"]


def test_german_stems():
    assert terms(german_analyzer(), "Kooperationen Finanztechnologie", mode="query") == [
        "kooperation", "finanztechnologi"]


def test_neutral_analyzer_lowercases_without_stemming():
    assert terms(neutral_analyzer(), "Les Marchés financiers") == ["les", "marchés", "financiers"]


def test_stemmer_is_separate_per_thread():
    analyzer = german_analyzer()
    stem_filter = analyzer.items[-1]
    seen = []
    worker = threading.Thread(target=lambda: seen.append(stem_filter.stemmer()))
    worker.start()
    worker.join()
    assert seen[0] is not stem_filter.stemmer()
