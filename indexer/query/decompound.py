"""Query-time decompounding: a compound the archive never uses is searched as its parts.

`Flüchtlingskrise` finds nothing in an archive that writes `Flüchtlinge` and `Krise` apart, and a
searcher who typed it means those releases. So when a query finds nothing, each word the archive
does not know that splits into parts (`lang.compounds`), one of which it knows, is replaced by them,
searched as if typed (`Flüchtlinge Krise`), and the search says so ("Showing results for ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..lang import compounds

CANDIDATE = re.compile(r"(?<![\w:*?~\"'-])([^\W\d_]{7,})(?![\w:*?~\"'-])")  # a plain word, long enough to split


def decompound(text: str, known: Callable[[str], bool]) -> str:
    """`text` with each unknown compound replaced by its known parts (capitalized, as German nouns)."""
    if '"' in text:  # a phrase asks for exactly what is typed
        return text

    def parts(m: re.Match) -> str:
        word = m.group(1)
        if not word[0].isupper() or known(word):
            return word
        found = compounds.split(word)
        if len(found) < 2 or not any(known(part) for part in found):
            return word
        return " ".join(part.capitalize() for part in found)

    return CANDIDATE.sub(parts, text)
