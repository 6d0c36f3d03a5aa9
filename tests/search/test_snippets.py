"""Snippet matches: the same spans as walking every token, on real releases and real queries."""

from __future__ import annotations

import importlib
import random

import pytest

import indexer
from indexer.analysis import TOKEN
from indexer.search import snippets
from tests.conftest import SEEDS, SHARED_EVAL, needs_eval

search_module = importlib.import_module("indexer.search")  # `indexer.search` is the function


def spans_token_by_token(text, words, terms):
    """The reference: every token of the text looked up in turn (what `match_spans` did before)."""
    spans, known = [], {}
    for m in TOKEN.finditer(text):
        word = m.group()
        hits = known.get(word)
        if hits is None:
            hits = tuple((s, e, term) for term, _, s, e in words.terms(word) if terms.matches(term))
            if hits and terms.parts and all(term in terms.parts for _, _, term in hits):
                hits = tuple((s, e, snippets.PART) for s, e, _ in hits)
            known[word] = hits
        for s, e, term in hits:
            s, e = s + m.start(), e + m.start()
            if spans and s < spans[-1][1]:
                start, end, first = spans[-1]
                spans[-1] = (start, max(end, e), term if first == snippets.PART else first)
            else:
                spans.append((s, e, term))
    return spans


def check_every_release(index_dir, texts: list[str], queries: list[str]) -> int:
    handle = search_module.open_handle(index_dir)
    compared = 0
    for query in queries:
        try:
            parsed = handle.parser.parse(query)
        except indexer.QueryError:  # stop words only
            continue
        for lang in ("de", "en"):
            terms = search_module._terms(parsed, lang)
            words = handle.reader.words(lang)
            for text in texts:
                expected = spans_token_by_token(text, words, terms)
                assert snippets.match_spans(text, words, search_module._terms(parsed, lang)) == expected, query
                compared += bool(expected)
    return compared


def queries_from(texts: list[str], count: int) -> list[str]:
    """Queries of two to four words drawn from the texts, with their case, hyphens and numbers."""
    rng = random.Random(5)
    tokens = [t for text in texts for t in TOKEN.findall(text)]
    return [" ".join(rng.choice(tokens) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def test_snippets_mark_what_a_token_by_token_walk_marks_in_the_seeds(whoosh_seed_index):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += ["Fin-Tech (FinTech), 3.5 Mio. Euro; U.S. Sen. Warren's plan — London/Shenzhen: 1,5½ Finanztechnologie."]
    queries = [*queries_from(texts, 60), "fintech", "Finanztechnologie London", "Sen Warren", "5 Mio", "Tech"]
    assert check_every_release(whoosh_seed_index, texts, queries) > 50


@needs_eval
@pytest.mark.parametrize("lang", ["de", "en"])
def test_snippets_mark_what_a_token_by_token_walk_marks_in_dev_releases(whoosh_seed_index, lang):
    folder = SHARED_EVAL / "wmt-news-dev" / "docs" / lang
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    assert check_every_release(whoosh_seed_index, texts[:30], queries_from(texts, 40)) > 100
