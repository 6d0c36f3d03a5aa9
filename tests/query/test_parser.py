"""Query parsing: each query gets a context of its own, and the query's fields come from the index."""

from __future__ import annotations

import json

from indexer import backend as backends
from indexer import store
from indexer.errors import QueryError
from indexer.query import Parser
from indexer.query import parser as parser_module
from indexer.query.fields import groups
from indexer.translation import Translator, dictionary, learned
from tests.conftest import SHARED_EVAL, needs_eval


def test_each_parse_returns_its_own_context_and_leaves_the_parser_clean(seed_index):
    gen = store.require(seed_index)
    reader = backends.of(gen).open(gen)
    try:
        parser = Parser(reader.schema, Translator(dictionary.load(), learned.load(gen)))
        english = parser.parse("cooperation", lang_asked="de")
        german = parser.parse("Zusammenarbeit mit London")
    finally:
        reader.close()
    assert english.context.lang == "en" and german.context.lang == "de"
    assert english.context is not german.context
    assert {word for word, _ in english.context.translated.values()} == {"cooperation"}
    assert not parser.full.context.translated and parser.full.context.lang is None


def test_title_and_body_name_their_language_variants_in_registry_order():
    names = ["body_de", "body_en", "body_xx", "id", "title_de", "title_en", "title_xx"]
    assert groups(names) == {"title": ["title_de", "title_en", "title_xx"], "body": ["body_de", "body_en", "body_xx"],
                             None: ["title_de", "title_en", "title_xx", "body_de", "body_en", "body_xx"]}


QUERIES = ["Zusammenarbeit mit London", "cooperation with London", "Kooperationsvereinbarung", "Theresa Mays Regierung",
           "Theresa May government", "die Zusammenarbeit", "London", "Finanztechnologie-Branche in Shanghai",
           '"Super Bowl" Panthers', "cooperation", "title:Zusammenarbeit body:London", "Fin-Tech AND Shanghai",
           "Wer war der erste Präsident?", "Who was the first president?", "Zusammenarbeit mit London"]


def test_a_word_expanded_earlier_expands_as_a_fresh_parser_expands_it(seed_index):
    """The parser remembers each word's expansion per field for later queries: every query, in every
    language setting and in any order, parses to the tree and context that a fresh parser gives it."""
    gen = store.require(seed_index)
    reader = backends.of(gen).open(gen)
    try:
        translator = Translator(dictionary.load(), learned.load(gen))
        shared = Parser(reader.schema, translator, reader.has_term)
        for lang_asked in (None, "de", "en"):
            for text in QUERIES + QUERIES[::-1]:
                fresh = Parser(reader.schema, translator, reader.has_term).parse(text, lang_asked=lang_asked)
                again = shared.parse(text, lang_asked=lang_asked)
                assert again.q == fresh.q, text
                assert again.context == fresh.context, text
                assert again.restriction == fresh.restriction, text
    finally:
        reader.close()
    assert shared.full._expansions  # it did remember


def test_a_full_memory_of_expansions_forgets_the_least_recently_used_word(seed_index, monkeypatch):
    """A word asked for again stays remembered when the memory is full; the one not asked for longest goes.
    (Emptying the memory when full forgot a server's common words every few hundred questions.)"""
    monkeypatch.setattr(parser_module, "REMEMBERED_EXPANSIONS", 20)
    gen = store.require(seed_index)
    reader = backends.of(gen).open(gen)
    try:
        parser = Parser(reader.schema, Translator(dictionary.load(), learned.load(gen)), reader.has_term)
        concepts = lambda: {key[1] for key in parser.full._expansions if key[0] == parser_module.CONCEPT}  # noqa: E731
        parser.parse("London")
        parser.parse("Shanghai")
        parser.parse("London")  # London is now the more recently used
        assert concepts() == {"London", "Shanghai"}
        for word in ("Zusammenarbeit", "Regierung", "Präsident", "cooperation", "government"):
            parser.parse(word)
            assert {"London", word} <= concepts()
            parser.parse("London")
        assert len(parser.full._expansions) <= 20
        assert "Shanghai" not in concepts()
    finally:
        reader.close()


PLAIN = ["Zusammenarbeit mit London", "cooperation with London", "Kooperationsvereinbarung", "die Zusammenarbeit",
         "Theresa Mays Regierung", "Finanztechnologie-Branche in Shanghai", "When did BSkyB announce it's intention",
         "London London", "the the", "AND", "and London", "Luther's Schrift, 1521; Worms!", "NTL-Dienste \u00a0 Köln",
         "24-yard line", "US$ 5,5 Mrd. / 20 %", "Wer sang die Nationalhymne beim Super Bowl 50"]
SYNTAX = ['"Super Bowl" Panthers', "title:Zusammenarbeit body:London", "Fin-Tech AND Shanghai", "Finanz*",
          "(London OR Paris)", "London^2 Paris", "NOT London", "'Super Bowl'", "date:[2019 TO 2020]",
          "London ANDNOT Paris", "ab?c"]


def assert_plain_words_parse_as_whoosh_parses_them(reader, translator, texts, again: bool = True) -> None:
    """Both parsers see every text in every language setting (`again`: then once more, backwards, from what
    they remember); the one that reads words alone without Whoosh's parser gives the same tree and context
    (or error) as the one that always uses it."""
    fast = Parser(reader.schema, translator, reader.has_term)
    slow = Parser(reader.schema, translator, reader.has_term)
    slow.full.plain_words = lambda text: None
    for lang_asked in (None, "de", "en"):
        for translate in (True, False):
            for text in texts + (texts[::-1] if again else []):
                want, got = outcome(slow, text, translate, lang_asked), outcome(fast, text, translate, lang_asked)
                assert got == want, text


def outcome(parser: Parser, text: str, translate: bool, lang_asked: str | None) -> tuple:
    """A parse's tree, context and restriction, or its error message."""
    try:
        parsed = parser.parse(text, translate, lang_asked)
    except QueryError as e:
        return ("error", str(e))
    return parsed.q, parsed.context, parsed.restriction


def test_a_query_of_words_alone_parses_as_whooshs_parser_parses_it(seed_index):
    gen = store.require(seed_index)
    reader = backends.of(gen).open(gen)
    try:
        parser = Parser(reader.schema, None)
        assert all(parser.full.plain_words(text) is not None for text in PLAIN)
        assert all(parser.full.plain_words(text) is None for text in SYNTAX), \
            [text for text in SYNTAX if parser.full.plain_words(text) is not None]
        assert parser.full.plain_words("Wer sang  die\tHymne.") == ["Wer", "sang", "die", "Hymne."]
        assert_plain_words_parse_as_whoosh_parses_them(
            reader, Translator(dictionary.load(), learned.load(gen)), PLAIN + SYNTAX + QUERIES)
    finally:
        reader.close()


@needs_eval
def test_every_dev_question_and_headline_parses_as_whooshs_parser_parses_it(seed_index):
    questions = [json.loads(line)["question"] for line in
                 (SHARED_EVAL / "xquad-dev" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    headlines = [f.read_text(encoding="utf-8").partition("\n")[0]
                 for f in sorted((SHARED_EVAL / "wmt-news-dev" / "docs").glob("*/*.txt"))]
    gen = store.require(seed_index)
    reader = backends.of(gen).open(gen)
    try:
        assert_plain_words_parse_as_whoosh_parses_them(
            reader, Translator(dictionary.load(), learned.load(gen)), questions[::4] + headlines[::4], again=False)
    finally:
        reader.close()
