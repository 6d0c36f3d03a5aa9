"""One word through a chain without Whoosh's tokens gives exactly what the chain gives."""

from __future__ import annotations

import pytest
from whoosh.analysis import ShingleFilter, StandardAnalyzer

from indexer.analysis.chain import chain as compose
from indexer.analysis.single import single_word
from indexer.analysis.tokenizer import TOKEN
from indexer.lang import chain, compounds, de, en
from tests.conftest import SEEDS, SHARED_EVAL, needs_eval

CRAFTED = ["China's", "Chengdu’s", "CHINA'S", "students", "rock'n'roll", "Fin-Tech", "E-Mail-Adresse", "fin-tech",
           "Kooperationsvereinbarung", "Papierwährung-Papierwährung", "İstanbul", "STRASSE", "Straße", "Ärzte",
           "3,5", "100.000", "6½", "The", "the", "Der", "der", "US-Präsident", "x", "Tech-tech-TECH", "O'Neill",
           "d'Alembert", "l’Europe", "Mays", "1990er", "Die-Welt", "Finanztechnologie-Branche", "Dampfmaschinen",
           "ΑΘΗΝΑ", "naïve", "Ǆemal", "ﬁnance", "Bundesländer", "bundesländer", "Und-oder", "of-the"]


def chains() -> dict[str, object]:
    """Every language's chain, and the shapes `chain.compose` makes besides (no compounds, no stop words)."""
    return {"de": chain("de"), "en": chain("en"), "xx": chain("xx"),
            "de without compounds": compose(de.STOP_WORDS, mark_capitals=True, stemmer="german", fold_umlauts=True),
            "de compounds, no stems": compose(de.STOP_WORDS, mark_capitals=True, splitter=compounds.split),
            "en without stop words": compose(None, possessives=True, stemmer="english"),
            "capitals without a splitter": compose(en.STOP_WORDS, mark_capitals=True)}


def through_chain(analyzer, word: str) -> tuple:
    return tuple((t.text, t.boost, t.startchar, t.endchar)
                 for t in analyzer(word, mode="index", chars=True, positions=False, boosts=True))


def assert_same_terms(words: set[str]) -> None:
    for name, analyzer in chains().items():
        single = single_word(analyzer)
        assert single is not None, name
        for word in sorted(words):
            got = single(word)
            assert (got is None) == ([m.group() for m in TOKEN.finditer(word)] != [word]), (name, word)
            if got is not None:
                assert got == through_chain(analyzer, word), (name, word)


def test_each_crafted_and_seed_word_gets_the_chains_terms_spans_and_boosts():
    words = set(CRAFTED)
    for path in SEEDS.glob("*.txt"):
        words.update(TOKEN.findall(path.read_text(encoding="utf-8")))
    assert_same_terms(words)


@needs_eval
def test_each_word_of_the_dev_articles_gets_the_chains_terms_spans_and_boosts():
    words: set[str] = set()
    for code in ("de", "en"):
        for path in (SHARED_EVAL / "xquad-dev" / "docs" / code).iterdir():
            words.update(TOKEN.findall(path.read_text(encoding="utf-8")))
    assert len(words) > 5_000
    assert_same_terms(words)


def test_a_compound_gives_its_parts_at_half_weight_over_the_whole_word():
    if not compounds.available():
        pytest.skip("wordfreq is not installed: German compounds are not split")
    assert single_word(chain("de"))("Kooperationsvereinbarung") == (
        ("kooperationsvereinbar", 1.0, 0, 24), ("kooperation", 0.5, 0, 24), ("vereinbar", 0.5, 0, 24))


def test_text_that_is_not_one_token_and_chains_of_another_shape_are_left_to_the_chain():
    single = single_word(chain("en"))
    assert single("3abc") is None and single("two words") is None and single("") is None
    assert single_word(StandardAnalyzer()) is None
    assert single_word(chain("en") | ShingleFilter()) is None
