"""Highlighted snippets: the best ~300 characters of a body, matches in `<mark>`, the rest escaped.

Matches are found by running the document language's own analyzer over the stored text and
comparing the analyzed tokens with the query's analyzed terms, so a stemmed or normalized match
(`cooperate` -> `cooperation`, `Maerkte` -> `Märkte`) is marked exactly like a literal one.
"""

from __future__ import annotations

import re
from html import escape

from ..analysis import TOKEN, WordAnalyzer, distinct_tokens
from ..query.terms import QueryTerms

SNIPPET_CHARS = 300
LEAD_CONTEXT = 60  # characters shown before the first match of a window


PART = "part"  # the class of a mark on a word that shares only a compound part with the query
IN_TOKEN = re.compile(r"[\w.,\-'’½¼¾]")  # a character a token may hold (`analysis.tokenizer.TOKEN_PATTERN`)


def match_spans(text: str, words: WordAnalyzer, terms: QueryTerms) -> list[tuple[int, int, str]]:
    """(start, end, term) of every token of `text` that the query matches, merged where they overlap; the
    term is `PART` where a word matched only through a compound part of the query's words.

    The words that make a query term are found as sets (`WordAnalyzer.candidates`: the text's distinct
    words narrowed by the query's terms, or for a text seen before, the query's terms' words alone), and
    only those are then found in the text (`str.find`, each hit checked to be a whole token): walking
    every token in Python was most of the time of a page of results (ten hits and their twins)."""
    if not terms or not text:
        return []
    # a prefix has no terms to look words up by: every word is checked then
    distinct = distinct_tokens(text) if terms.prefixes else words.candidates(text, terms.exact)
    known = terms.hits_in_word
    found: list[tuple[int, tuple[tuple[int, int, str], ...]]] = []
    for word in distinct:
        hits = known.get(word)
        if hits is None:
            hits = tuple((s, e, term) for term, _, s, e in words.terms(word) if terms.matches(term))
            if hits and terms.parts and all(term in terms.parts for _, _, term in hits):
                hits = tuple((s, e, PART) for s, e, _ in hits)
            known[word] = hits
        if hits:
            at = text.find(word)
            while at >= 0:
                if _token_at(text, at, word):
                    found.append((at, hits))
                at = text.find(word, at + 1)
    found.sort()
    spans: list[tuple[int, int, str]] = []
    for offset, hits in found:
        for s, e, term in hits:
            s, e = s + offset, e + offset
            if spans and s < spans[-1][1]:
                start, end, first = spans[-1]
                spans[-1] = (start, max(end, e), term if first == PART else first)
            else:
                spans.append((s, e, term))
    return spans


def _token_at(text: str, pos: int, word: str) -> bool:
    """Whether the tokenizer makes a token `word` at `pos`: it tokenizes from the last character before
    `pos` that no token holds (a space, a bracket), which gives the tokens a scan from the start would."""
    start = pos
    while start > 0 and IN_TOKEN.match(text, start - 1):
        start -= 1
    for m in TOKEN.finditer(text, start):
        if m.start() >= pos:
            return m.start() == pos and m.group() == word
    return False


def render(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` as HTML: spans in `<mark>`, everything escaped."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e, term in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f'<mark class="{PART}">' if term == PART else "<mark>")
        out.append(f"{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def snippet(text: str, words: WordAnalyzer, terms: QueryTerms, max_chars: int = SNIPPET_CHARS) -> str:
    """The window of `text` that shows the most distinct matches; its opening when nothing matches."""
    text = " ".join(text.split())
    spans = match_spans(text, words, terms)
    if not spans:
        start = 0
    else:
        best, best_score = 0, -1
        for i, (s, _, _) in enumerate(spans):
            window_end = s + max_chars - LEAD_CONTEXT
            distinct = {term for s2, e2, term in spans[i:] if e2 <= window_end}
            if len(distinct) > best_score:
                best, best_score = i, len(distinct)
        start = _word_start(text, max(0, spans[best][0] - LEAD_CONTEXT))
    end = _word_end(text, min(len(text), start + max_chars))
    html = render(text, spans, start, end)
    return ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")


def highlight(text: str, words: WordAnalyzer, terms: QueryTerms) -> str:
    """All of `text` as HTML with every match marked."""
    return render(text, match_spans(text, words, terms))


def _word_start(text: str, pos: int) -> int:
    if pos == 0:
        return 0
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 30 else pos


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", pos - 40, pos)
    return space if space > 0 else pos
