"""Restrictions a search applies to the releases themselves (not scored): language, dates, sources."""

from __future__ import annotations

import re
from datetime import datetime

from whoosh import query as wq

from ..dates import period
from ..errors import QueryError


def language(code: str) -> wq.Query:
    """The releases in language `code`."""
    return wq.Term("lang", code)


def every() -> wq.Query:
    """Every release: what a query of restrictions only (`lang:de`) searches."""
    return wq.Every()


def both(a: wq.Query | None, b: wq.Query | None) -> wq.Query | None:
    """Two restrictions that must both hold; either may be None."""
    return a if b is None else b if a is None else wq.And([a, b])


def restriction(date_from: str | None, date_to: str | None, source: str | None,
                place: str | None = None) -> wq.Query | None:
    """The date, source and place restrictions as one query, or None. A source or place matches by its
    words (`shine` finds `SHINE`; `source` also finds the sources a release cites)."""
    for name, value in (("date_from", date_from), ("date_to", date_to), ("source", source), ("place", place)):
        if value is not None and not isinstance(value, str):
            raise QueryError(f"{name} must be text, not {type(value).__name__} {value!r}"[:200])
    parts: list[wq.Query] = []
    if date_from or date_to:
        start, end = _date_bound(date_from, "date_from"), _date_bound(date_to, "date_to", end=True)
        parts.append(wq.DateRange("date", start, end))
    for fieldname, value in (("source", source), ("place", place)):
        words = re.findall(r"\w+", value.lower()) if value else []
        if words:
            parts.append(wq.And([wq.Term(fieldname, w) for w in words]))
    return wq.And(parts) if parts else None


def _date_bound(value: str | None, name: str, end: bool = False) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    found = period(value)
    if found is None:
        raise QueryError(f"{name} must be a date like 2019, 2019-07 or 2019-07-09, not {value!r}")
    return found.end if end else found.start  # the whole period named: `2019` ends at the end of 2019
