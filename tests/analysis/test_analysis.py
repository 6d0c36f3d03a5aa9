"""Analyzers: what each language's chain makes of words, so that the right variants meet."""

from __future__ import annotations

import threading

import pytest
from whoosh.analysis import ShingleFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.formats import Positions

from indexer.analysis import TOKEN, WordAnalyzer, distinct_tokens, word_local
from indexer.analysis import words as words_module
from indexer.lang import chain
from tests.conftest import SEEDS, SHARED_EVAL, needs_eval


def english_analyzer():
    return chain("en")


def german_analyzer():
    return chain("de")


def neutral_analyzer():
    return chain("xx")


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


def real_texts() -> list[str]:
    files = sorted((SHARED_EVAL / "xquad-dev" / "docs" / "de").iterdir())[:40]
    files += sorted((SHARED_EVAL / "xquad-dev" / "docs" / "en").iterdir())[:40]
    files += sorted(SEEDS.glob("*.txt"))
    crafted = ["Die Kooperationsvereinbarung der Fin-Tech-Branche, für die Papierwährung-Papierwährung.",
               "The the of China's Fin-Tech e-mail e-mail 3,5 100.000 Tech-tech-TECH", "und", ""]
    return [p.read_text(encoding="utf-8") for p in files] + crafted


@needs_eval
@pytest.mark.parametrize("make", [german_analyzer, english_analyzer, neutral_analyzer])
def test_word_by_word_postings_are_the_chains_own_positions_and_weights(make):
    """What `segments.ListWriter` indexes equals what Whoosh's `Positions` format collects."""
    analyzer = make()
    words = WordAnalyzer(analyzer)
    for text in real_texts():
        expected = {term: (freq, weight, Positions().decode_positions(value))
                    for term, freq, weight, value in Positions().word_values(text, analyzer, mode="index")}
        positions, off = words.postings(text)
        assert {t: (len(p), len(p) + off.get(t, 0.0), p) for t, p in positions.items()} == expected


def test_word_by_word_analysis_takes_only_chains_that_look_at_one_word_at_a_time():
    assert word_local(german_analyzer()) and word_local(neutral_analyzer())
    assert not word_local(StandardAnalyzer())
    assert not word_local(english_analyzer() | ShingleFilter())
    with pytest.raises(ValueError):
        WordAnalyzer(StemmingAnalyzer())


@pytest.mark.parametrize("remember", [200_000, 3])
def test_words_matching_query_terms_are_found_whether_analyzed_before_or_not(remember):
    """`matching` finds the words that make a query term: words met for the first time, words remembered
    from earlier texts (found through their terms), and still after the memory started anew (`remember` 3)."""
    words = WordAnalyzer(german_analyzer(), remember=remember)
    first = {"Märkte", "Markt", "Kooperationsvereinbarung", "und", "Haus"}
    assert words.matching(first, {"markt", "vereinbar"}) == {"Märkte", "Markt", "Kooperationsvereinbarung"}
    again = {"Märkte", "Maerkte", "Häuser", "Vereinbarung"}
    assert words.matching(again, {"markt", "vereinbar"}) == {"Märkte", "Maerkte", "Vereinbarung"}
    assert words.matching(again, {"haus"}) == {"Häuser"}
    assert words.matching(again, set()) == set()


def test_a_text_seen_before_is_not_tokenized_again_while_its_words_are_remembered(monkeypatch):
    """`candidates` tokenizes a text the first time; later its words are found from the query's terms
    alone, as long as the memory has not started anew since (with `remember` 3 it starts anew within the text)."""
    tokenized = []
    monkeypatch.setattr(words_module, "distinct_tokens", lambda text: tokenized.append(text) or distinct_tokens(text))
    text = "Die Märkte und der Markt: eine Kooperationsvereinbarung."
    words = WordAnalyzer(german_analyzer())
    assert words.candidates(text, {"markt"}) == {"Märkte", "Markt"}
    assert words.candidates(text, {"vereinbar"}) == {"Kooperationsvereinbarung"}
    assert words.candidates(text, {"haus"}) == set()
    assert tokenized == [text]
    other = "Häuser am Markt"
    assert words.candidates(other, {"markt", "haus"}) == {"Markt", "Häuser"}
    assert words.candidates(other, {"markt", "haus"}) == {"Markt", "Märkte", "Häuser"}  # `Märkte`: not in it
    assert tokenized == [text, other]

    forgetful = WordAnalyzer(german_analyzer(), remember=3)
    assert forgetful.candidates(text, {"markt"}) == {"Märkte", "Markt"}
    assert forgetful.candidates(text, {"markt"}) == {"Märkte", "Markt"}
    assert tokenized == [text, other, text, text]


DISTINCT_TOKEN_TEXTS = [
    "Fin-Tech (FinTech), 3.5 Mio. Euro; U.S. Sen. Warren's plan — London/Shenzhen: 1,5½ Finanztechnologie.",
    "snake_case x_1 ½ 6½ 3,5,7 „Märkte“ «Straße» don’t -Vorsilbe Nachsilbe- '' ... 2019-2020 a.b.c",
    "Cafe\u0301 e\u0301 \u00e9t\u00e9 Ωmega ß ǅ Ⅻ ² ٣ 漢字 tab\there\nnew\u00a0line\u2009thin",
    "",
]


@pytest.mark.parametrize("text", DISTINCT_TOKEN_TEXTS)
def test_distinct_tokens_are_the_tokenizers_tokens(text):
    assert distinct_tokens(text) == set(TOKEN.findall(text))


@needs_eval
def test_distinct_tokens_are_the_tokenizers_tokens_in_every_dev_release():
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED_EVAL / "wmt-news-dev" / "docs").glob("*/*.txt"))]
    assert len(texts) > 100
    assert all(distinct_tokens(text) == set(TOKEN.findall(text)) for text in texts)
