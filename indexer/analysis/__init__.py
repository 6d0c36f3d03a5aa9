"""Text analysis as Whoosh tokenizer | filter chains, one idea per module.

`tokenizer` (the one token pattern), `possessive`, `case`, `hyphen` (joins and compound parts),
`stem` (Snowball through PyStemmer): the filters; `chain`: how a language composes them;
`words`: word-at-a-time analysis with a cache, which indexing and snippets use on whole texts.
What each language uses lives in `indexer/lang/`.
"""

from __future__ import annotations

from .case import CaseFilter
from .chain import chain
from .hyphen import PART_BOOST, HyphenFilter
from .possessive import PossessiveFilter
from .stem import StemFilter
from .tokenizer import TOKEN, TOKEN_PATTERN, distinct_tokens, tokenizer
from .words import WordAnalyzer, normalize_words, remembered_words, word_analyzer, word_local

__all__ = ["PART_BOOST", "TOKEN", "TOKEN_PATTERN", "CaseFilter", "HyphenFilter", "PossessiveFilter", "StemFilter",
           "WordAnalyzer", "chain", "distinct_tokens", "normalize_words", "remembered_words", "tokenizer",
           "word_analyzer", "word_local"]
