"""Related releases ("more like this"): a release's most distinctive words, searched in both languages.

The words that say most about a release are those it uses often and the archive rarely (tf-idf over
surface words, stop words and numbers left out). Searching them as an ordinary query finds related
releases in the release's own language and, through translation, in the other one. The release
itself and its twin are not listed: the twin has its own link.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .. import lang
from .handles import Handle

WORDS = 12  # distinctive words a release is searched by
CANDIDATES = 60  # most frequent words of the release whose rarity is looked up
DISTINCTIVE_WORD = re.compile(r"[^\W\d_]{4,}")  # letters only: no numbers, no query syntax


def distinctive_words(handle: Handle, text: str) -> list[str]:
    """The release's `WORDS` words of highest tf-idf in the archive."""
    stop = lang.search_stop_words()
    counts = Counter(w for w in DISTINCTIVE_WORD.findall(text) if w.lower() not in stop)
    documents = max(1, handle.reader.documents())
    scored = []
    for word, tf in counts.most_common(CANDIDATES):
        df = handle.reader.document_frequency(word)
        if df:
            scored.append((tf * math.log(documents / df + 1), word))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [word for _, word in scored[:WORDS]]
