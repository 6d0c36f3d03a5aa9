"""The language registry: which document languages twinsearch analyzes, and what it knows of each.

A language is one module of this package (`de.py`, `en.py`) holding a :class:`Language`: its stop
words, stemmer, month and number words, the function words that detect it, and its analyzer
chain. Everything that depends on a language (index fields, query parsing, detection, dates in
datelines, twin signals, the web's language tabs) asks this registry, so a language is added by
adding a module and one line in `MODULES` (or, for a test, by calling `register`).

`xx` is the neutral fallback: documents in a language without a module of its own are indexed
with it (lowercase, hyphen joins, no stop words, no stemming).

Twins are one fixed pair, German and English (`PAIR`): the twin linker's model was fitted on
German-English data, and translation has a German-English dictionary. Other languages are
searched, not linked.
"""

from __future__ import annotations

import importlib

from .base import Language

MODULES = ("de", "en")  # the document languages, in the order the interface lists them
NEUTRAL_CODE = "xx"
PAIR = ("de", "en")  # the twin pair: linked and translated into each other

_languages: dict[str, Language] = {}
_stop_words: list[frozenset[str]] = []  # every registered language's search stop words, once computed
_markers: list[dict[str, tuple[str, ...]]] = []  # marker word -> the languages it marks, once computed


def register(language: Language) -> Language:
    """Adds a language (or replaces one of the same code); returns it."""
    _languages[language.code] = language
    _stop_words.clear()
    _markers.clear()
    return language


def unregister(code: str) -> None:
    """Removes a registered language (for tests that add one)."""
    _languages.pop(code, None)
    _stop_words.clear()
    _markers.clear()


def search_stop_words() -> frozenset[str]:
    """The words a search drops in any registered language: a query of only these has nothing to search for."""
    if not _stop_words:
        _stop_words.append(frozenset().union(*(language.search_stop_words for language in _languages.values())))
    return _stop_words[0]


def marker_words() -> dict[str, tuple[str, ...]]:
    """Each registered language's marker words, each with the codes of the languages it marks: detection
    looks every word of a text up once here instead of in every language's set."""
    if not _markers:
        index: dict[str, tuple[str, ...]] = {}
        for language in _languages.values():
            for word in language.markers:
                index[word] = (*index.get(word, ()), language.code)
        _markers.append(index)
    return _markers[0]


def languages() -> tuple[Language, ...]:
    """The document languages with an analyzer of their own, in registry order."""
    return tuple(_languages.values())


def codes() -> tuple[str, ...]:
    return tuple(_languages)


def get(code: str | None) -> Language | None:
    """The language of `code`, or None when it has no module."""
    return _languages.get(code or "")


def field_language(code: str | None) -> str:
    """The analyzer family for a document language: its own code, or `xx` for any other."""
    return code if code in _languages else NEUTRAL_CODE


def field_languages() -> tuple[str, ...]:
    """Every analyzer family an index has fields for: the registered languages, then `xx`."""
    return (*_languages, NEUTRAL_CODE)


def chain(code: str):
    """A fresh analyzer chain of the analyzer family `code` (`xx` for the neutral one)."""
    language = _languages.get(code)
    return (language or _neutral).analyzer()


def other(code: str | None) -> str | None:
    """The other language of the twin pair: `other("de")` -> `en`; None outside the pair."""
    if code not in PAIR:
        return None
    return PAIR[1 - PAIR.index(code)]


for _name in MODULES:
    register(importlib.import_module(f"{__name__}.{_name}").LANGUAGE)
_neutral: Language = importlib.import_module(f"{__name__}.xx").LANGUAGE

__all__ = ["MODULES", "NEUTRAL_CODE", "PAIR", "Language", "chain", "codes", "field_language", "field_languages",
           "get", "languages", "other", "register", "search_stop_words", "unregister"]
