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
