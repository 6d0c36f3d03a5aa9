"""A filter that remembers capitalization before the lowercase filter loses it."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter, Token


class CaseFilter(Filter):
    """Remembers whether a token was capitalized, before lowercasing: German nouns are, so only
    they are split as compounds (verbs and participles split badly: `verein|bart`)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.capitalized = t.text[:1].isupper()
            yield t
