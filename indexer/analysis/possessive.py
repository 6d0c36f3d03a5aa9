"""A filter that drops the English possessive."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter, Token


class PossessiveFilter(Filter):
    """`China's` -> `China`, `Chengdu’s` -> `Chengdu`, `students'` -> `students`."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if text.endswith(("'s", "’s", "'S", "’S")):
                t.text = text[:-2]
            elif text.endswith(("'", "’")):
                t.text = text[:-1]
            yield t
