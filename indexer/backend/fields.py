"""What every backend reads from the schema's analyzers alike: the words of a language's text, and a
word's document frequency over every language's body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import lang
from ..analysis import WordAnalyzer, word_analyzer


def words(schema: Any, code: str | None) -> WordAnalyzer:
    """The word-by-word analyzer of a document language's body field."""
    family = lang.field_language(code)
    if f"body_{family}" not in schema:  # a language registered after this index was built
        family = lang.NEUTRAL_CODE
    return word_analyzer(schema[f"body_{family}"].analyzer)


def body_frequency(schema: Any, word: str, frequency: Callable[[str, str], int]) -> int:
    """How many documents use `word` in any language's body, `frequency(field, term)` counting one term."""
    total = 0
    for fieldname in (name for name in schema.names() if name.startswith("body_")):
        for token in schema[fieldname].analyzer(word, mode="query"):
            total += frequency(fieldname, token.text)
    return total
