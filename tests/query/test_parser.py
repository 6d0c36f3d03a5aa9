"""Query parsing: each query gets a context of its own, and the query's fields come from the index."""

from __future__ import annotations

from indexer import backend as backends
from indexer import store
from indexer.query import Parser
from indexer.query.fields import groups
from indexer.translation import Translator, dictionary, learned


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
