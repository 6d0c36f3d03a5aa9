"""Ranked bilingual search over the serving generation, with snippets, twins and "did you mean".

A query is analyzed once per language and run against every language's title and body fields
(BM25F, titles boosted), so names and numbers find releases in either language and each
language's words find their own stems; German compounds also search their parts, and words also
search their translations (see `indexer.query`). With `lang` set, a release is found through three
paths: its own text, its translated query words, and its twin in the other language (`scope`).
Everything here talks to the backend through its `Reader` (`indexer.backend`).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from .. import lang as languages
from ..analysis import remembered_words
from ..errors import QueryError
from ..model import Hit, Results
from ..query import ParsedQuery
from ..query.filters import restriction
from ..query.limits import check_doc_id, check_paging, check_query, check_sort, check_window
from ..query.terms import QueryTerms, query_terms
from . import facets, scope, snippets
from .explain import explain as explain_hit
from .find import find
from .handles import Handle, close_handles, in_use, open_handle, release_stale
from .related import distinctive_words
from .scope import Ranked, twin_numbers

WARM_WORD_DOCUMENTS = 2000  # releases whose words `warm` analyzes in advance

__all__ = ["close_handles", "get", "highlight", "in_use", "open_handle", "related", "release_stale", "search", "warm"]


def search(query: str, index_dir: str | Path | None = None, lang: str | None = None, limit: int = 10,
           page: int = 1, date_from: str | None = None, date_to: str | None = None,
           source: str | None = None, translate: bool = True, explain: bool = False,
           sort: str = "relevance", place: str | None = None, exact: bool = False) -> Results:
    """Ranked hits for `query` in either language; see the README for the query syntax.

    `sort`: `relevance`, or `newest`/`oldest` by the releases' dates (undated ones last). The results'
    `facets` count the whole result set by language, year, source and place. Unless `exact`, a compound the
    archive never uses is searched as its parts, and a query that finds nothing but has a spelling
    suggestion is searched as the suggestion; `showing` then says what was searched instead.
    `translate=False` searches the words only as typed (no dictionary); `explain=True` fills each
    hit's `paths` and `matched` (at some cost: every matching document records its terms).
    """
    started = time.perf_counter()
    query = check_query(query)
    limit, page, lang = check_paging(limit, page, lang)
    sort = check_sort(sort)
    handle = open_handle(index_dir)
    window = check_window(limit, page)
    filters = restriction(date_from, date_to, source, place)
    found = find(handle, query, lang, filters, window, sort, translate, exact)
    total = len(found.matched)
    marks: dict[str, QueryTerms] = {}  # what to mark, per language: the same for every hit
    shown = found.ranked[(page - 1) * limit: window]
    _preload(handle, shown)
    hits = [_hit(handle, found.parsed, r, explain, marks) for r in shown]
    return Results(query=query, total=total, page=page, pages=max(1, math.ceil(total / limit)), limit=limit,
                   suggestion=found.suggestion, elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
                   hits=hits, facets=facets.count(handle.reader, found.matched),
                   showing=found.searched if found.searched != query else None, tabs=found.tabs)


def _terms(parsed: ParsedQuery, family: str) -> QueryTerms:
    """What the query looks for in the fields of one analyzer family."""
    if parsed.q is None:
        return QueryTerms()
    context = parsed.context
    return query_terms(parsed.q, {f"body_{family}", f"title_{family}"}, context.parts,
                       context.words | context.translated.keys())


def _preload(handle: Handle, shown: list[Ranked]) -> None:
    """Lets the backend read the page's releases and their twins at once."""
    docnums = [r.docnum for r in shown] + [r.rider for r in shown if r.rider is not None]
    if handle.partners:
        twin_of = twin_numbers(handle)
        docnums += [int(twin_of[d]) for d in docnums if twin_of[d] >= 0]
    handle.reader.preload(docnums)


def _hit(handle: Handle, parsed: ParsedQuery, r: Ranked, explain: bool, marks: dict[str, QueryTerms]) -> Hit:
    stored = handle.reader.stored(r.docnum)
    lang = stored.get("lang") or "und"
    family = languages.field_language(lang)
    terms = marks.get(family)
    if terms is None:
        terms = marks[family] = _terms(parsed, family)
    twin_doc = None
    if handle.partners and (twin_number := int(twin_numbers(handle)[r.docnum])) >= 0:
        twin_doc = handle.reader.stored(twin_number)  # preloaded with the page, as `document(id)` is not
    hit = Hit(
        id=stored["id"], lang=lang, title=stored.get("title"), date=stored.get("date_text"),
        place=stored.get("place"), source=stored.get("source"), score=round(r.score, 4),
        snippet=snippets.snippet(stored.get("body") or "", handle.reader.words(lang), terms),
        twin=twin_doc["id"] if twin_doc else None, twin_title=twin_doc.get("title") if twin_doc else None,
        twin_lang=twin_doc.get("lang") if twin_doc else None, url=stored.get("url"), path=stored.get("path"),
    )
    if explain:
        hit.paths, hit.matched = explain_hit(handle, parsed, r)
    if r.rider is not None:
        hit.twin_hit = _hit(handle, parsed, Ranked(r.rider, r.rider_score), explain, marks)
    return hit


def warm(index_dir: str | Path | None = None, budget: int | None = None) -> dict:
    """Loads the serving generation's most used postings (up to `budget` postings, by default as
    many as the cache holds), so that the first searches after it are as fast as later ones. For servers: a
    search also works, just slower, without it."""
    started = time.perf_counter()
    handle = open_handle(index_dir)
    terms, postings = handle.reader.warm(budget)
    facets.warm(handle.reader)  # what facets and sorting by date read
    scope.warm(handle)
    words = _warm_words(handle)
    return {"generation": handle.gen.name, "terms": terms, "postings": postings, "words": words,
            "seconds": round(time.perf_counter() - started, 2)}


def _warm_words(handle: Handle, sample: int = WARM_WORD_DOCUMENTS) -> int:
    """Analyzes the words of an even sample of stored releases, as snippets will: the common words of
    the archive are then known to the word analyzers, and a snippet mostly looks its words up."""
    for stored in handle.reader.sample(sample):
        for _ in handle.reader.words(stored.get("lang") or languages.NEUTRAL_CODE)(stored.get("body") or ""):
            pass
    return remembered_words()


def get(doc_id: str, index_dir: str | Path | None = None) -> dict | None:
    """One document with all its fields, or None."""
    handle = open_handle(index_dir)
    doc_id = check_doc_id(doc_id)
    stored = handle.reader.document(doc_id) if doc_id is not None else None
    if stored is None:
        return None
    twin, score = handle.partners.get(doc_id, (None, None))
    return {
        "id": stored["id"], "lang": stored.get("lang"), "lang_prob": stored.get("lang_prob"),
        "title": stored.get("title"), "body": stored.get("body"), "date": stored.get("date_text"),
        "place": stored.get("place"), "source": stored.get("source"), "cited": stored.get("cited") or [],
        "editor": stored.get("editor"),
        "url": stored.get("url"), "path": stored.get("path"), "twin": twin, "twin_score": score,
    }


def related(doc_id: str, index_dir: str | Path | None = None, limit: int = 5) -> list[Hit]:
    """Up to `limit` releases most like `doc_id` ("more like this"), in either language, one per story (not a
    release and its twin), without it and its twin (which has a link of its own); [] for an unknown id. See
    `related.py`."""
    handle = open_handle(index_dir)
    doc_id = check_doc_id(doc_id)
    stored = handle.reader.document(doc_id) if doc_id is not None else None
    if stored is None:
        return []
    words = distinctive_words(handle, f"{stored.get('title') or ''}\n{stored.get('body') or ''}")
    twin, _ = handle.partners.get(doc_id, (None, 0.0))
    try:
        results = search(" ".join(words), index_dir=index_dir, limit=2 * limit + 2)
    except QueryError:  # no distinctive word at all
        return []
    found: list[Hit] = []
    seen = {doc_id, twin}
    for hit in results.hits:  # one entry per story: a release whose twin is listed already is left out
        if hit.id not in seen:
            found.append(hit)
        seen.update((hit.id, hit.twin))
    return found[:limit]


def highlight(text: str, query: str, lang: str | None, index_dir: str | Path | None = None) -> str:
    """All of `text` as escaped HTML with what `query` matches in the language `lang` marked."""
    handle = open_handle(index_dir)
    family = languages.field_language(lang)
    try:
        parsed = handle.parser.parse(check_query(query))
    except QueryError:
        return snippets.render(text, [])
    return snippets.highlight(text, handle.reader.words(family), _terms(parsed, family))
