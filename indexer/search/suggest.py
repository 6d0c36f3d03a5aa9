"""Did you mean: spelling corrections from the archive's own vocabulary."""

from __future__ import annotations

import re
from typing import Any

from ..errors import QueryError
from ..query import OPERATORS
from .handles import Handle
from .scope import rank

# A word of the query that may be misspelt: letters only, not a field name, prefix or fuzzy term.
TYPED_WORD = re.compile(r"(?<![\w:*?~])[^\W\d_]{3,}(?![\w:*?~])")


def suggest(handle: Handle, query: str, lang: str | None, filters: Any | None, total: int) -> str | None:
    """A spelling correction from the index's own vocabulary, if it finds more than `query` did.

    Each unknown word is replaced by the known word nearest to it (one edit before two), and among
    equally near ones by the one the most documents use."""
    corrected, changed = query, False
    for word in set(TYPED_WORD.findall(query)):
        low = word.lower()
        if low in OPERATORS or handle.reader.known_word(low):
            continue
        candidates = handle.reader.near_words(low, 1) or handle.reader.near_words(low, 2)
        if candidates:
            best = max(candidates, key=lambda c: (handle.reader.document_frequency(c), c))
            corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", best, corrected)
            changed = True
    if not changed:
        return None
    try:
        better_q = handle.parser.parse(corrected)
    except QueryError:  # corrected into stop words only
        return None
    return corrected if len(rank(handle, better_q, lang, filters, 1).matched) > total else None
