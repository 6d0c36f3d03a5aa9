"""How a result was found, for `--explain`: its own text, translated query words, its twin."""

from __future__ import annotations

from ..query import ParsedQuery
from .handles import Handle
from .scope import Ranked


def explain(handle: Handle, parsed: ParsedQuery, r: Ranked) -> tuple[list[str], dict[str, list[str]]]:
    """Which paths found a result, and which translated words its own text contains."""
    paths: list[str] = []
    matched: dict[str, list[str]] = {}
    if r.own and parsed.q is not None:
        translated = parsed.context.translated
        terms = handle.reader.matched_terms(parsed.q, r.docnum)
        for key in terms:
            if key in translated and key not in parsed.context.words:
                word, translation = translated[key]
                if translation not in matched.setdefault(word, []):
                    matched[word].append(translation)
            elif "text" not in paths:
                paths.append("text")
        if not terms:  # a phrase, prefix or range: no single word to tell
            paths.append("text")
        if matched:
            paths.append("translation")
    if r.twin:
        paths.append("twin")
    return paths, matched
