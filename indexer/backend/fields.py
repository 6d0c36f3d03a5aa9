"""What every backend reads alike: the words of a language's text and a word's document frequency over
every language's body (from the schema's analyzers), and the stored columns that facets and sorting read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import lang
from ..analysis import WordAnalyzer, word_analyzer
from ..dates import period

COLUMNS = ("lang", "source", "place", "date")  # what `Reader.column` serves
STORED_FOR_COLUMNS = ("lang", "source", "place", "date_text")  # the stored fields they are read from


def empty_columns(size: int) -> dict[str, np.ndarray]:
    """The columns of `size` documents, none known yet: None, and -1 for a date."""
    columns = {name: np.full(size, None, dtype=object) for name in COLUMNS if name != "date"}
    return columns | {"date": np.full(size, -1, dtype=np.int64)}


def fill_columns(columns: dict[str, np.ndarray], docnum: int, stored: dict) -> None:
    """Sets document `docnum`'s entry of each column from its stored fields (a date as the ordinal of its
    first day)."""
    for name, values in columns.items():
        if name == "date":
            when = period(stored.get("date_text"))
            if when is not None:
                values[docnum] = when.first.toordinal()
        else:
            values[docnum] = stored.get(name)


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
