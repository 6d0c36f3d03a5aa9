"""The limits of a query, one set for the Python API, the CLI and the web: how long, how many, how deep."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from whoosh import query as wq

from ..errors import QueryError
from ..lang import codes
from .tree import leaves

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100  # hits per page
MAX_ID_CHARS = 1000  # no release id is longer
MAX_WINDOW = 10_000  # deepest result a page may reach; deeper paging means refining the query
SORTS = ("relevance", "newest", "oldest")


def check_query(query: str) -> str:
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    query = "".join(ch for ch in query if ch.isprintable() or ch in " \t\n").strip()
    if not query:
        raise QueryError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    return query


def check_paging(limit: int, page: int, lang: str | None) -> tuple[int, int, str | None]:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be a whole number from 1, not {page!r}")
    if lang is not None and not (isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang or "")):
        raise QueryError(f"lang must be a language code such as {' or '.join(codes())}, not {lang!r}")
    return limit, page, lang or None


_local = threading.local()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Searches of the calling thread that outlast `seconds` stop with a `QueryError` (checked as each node
    of a query tree is evaluated): what a server sets per request, so that no query holds a thread long."""
    before = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds if seconds else None
    try:
        yield
    finally:
        _local.deadline = before


def check_time() -> None:
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise QueryError("the search took longer than this server allows for one request; make it more specific "
                         "(fewer words, no wildcards, a filter)")


def check_doc_id(doc_id: str) -> str | None:
    """`doc_id` if it can name a stored release, None if it cannot (no release has it: too long, or not
    text that UTF-8 can hold); a non-string is a `QueryError`."""
    if not isinstance(doc_id, str):
        raise QueryError(f"a document id is text, not {type(doc_id).__name__}")
    if not doc_id or len(doc_id) > MAX_ID_CHARS or "\x00" in doc_id:
        return None
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (`a\udc80`)
        return None
    return doc_id


def check_sort(sort: str) -> str:
    if not isinstance(sort, str) or sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    return sort


def check_window(limit: int, page: int) -> int:
    """How many results the page needs ranked (`page * limit`), if that is within `MAX_WINDOW`."""
    window = page * limit
    if window > MAX_WINDOW:
        raise QueryError(f"page {page} is too deep (results are paged up to {MAX_WINDOW:,}); refine the query")
    return window


def too_many_words(q: Any, over: int) -> QueryError:
    """The error for a prefix, wildcard or range (a Whoosh `MultiTerm`, or the first in the tree `q`) that
    expands to more than `over` words: the same on every backend, naming the pattern as its user wrote it."""
    pattern = next((leaf for leaf in leaves(q) if isinstance(leaf, wq.MultiTerm)), q)
    if isinstance(pattern, wq.Prefix):
        shown = f"`{pattern.text}*`"
    elif isinstance(pattern, wq.TermRange):
        shown = f"`[{pattern.start or ''} TO {pattern.end or ''}]`"
    else:
        shown = f"`{getattr(pattern, 'text', pattern)}`"
    return QueryError(f"{shown} matches too many words (over {over:,}) to search them all: make it more specific")
