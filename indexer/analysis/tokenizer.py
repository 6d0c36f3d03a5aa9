"""The one tokenizer of every analyzer chain, and the word pattern it finds.

Numbers with their separators stay one token (`100.000`, `6½`, `3,5`); words keep inner hyphens
and apostrophes so the filters can decide what to do with them."""

from __future__ import annotations

import re

from whoosh.analysis import RegexTokenizer

TOKEN_PATTERN = r"\d+(?:[.,]\d+)*[½¼¾]?|\w+(?:[-'’]\w+)*"
TOKEN = re.compile(TOKEN_PATTERN)  # a token as the tokenizer finds it: what word-at-a-time analysis looks up


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN_PATTERN)
