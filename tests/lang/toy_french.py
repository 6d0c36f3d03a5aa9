"""A toy third language, written as a contributor would add one: data and an analyzer chain.

Used by `test_registry.py` (registered there for one test only); French is not part of twinsearch."""

from __future__ import annotations

from indexer.lang.base import Language, words

STOP_WORDS = words("le la les de des du et un une est dans pour que qui sur au aux en ce cette il elle")


def analyzer():
    from indexer.analysis import chain

    return chain(stop=LANGUAGE.search_stop_words, stemmer="french")


LANGUAGE = Language(
    code="fr",
    names={"de": "Französisch", "en": "French"},
    analyzer=analyzer,
    stop_words=STOP_WORDS,
    search_stop_words=STOP_WORDS,
    stemmer="french",
    markers=words("le la les des du et est dans pour que qui sur une"),
)
