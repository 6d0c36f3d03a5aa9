"""The neutral fallback for languages without a module: lowercase, hyphen joins, no stop words,
no stemming (a wrong stemmer would do more harm than none)."""

from __future__ import annotations

from .base import Language


def analyzer():
    from ..analysis import chain

    return chain()


LANGUAGE = Language(code="xx", names={"de": "Andere Sprache", "en": "Other language"}, analyzer=analyzer)
