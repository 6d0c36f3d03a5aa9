"""Partial dates, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the one parser for release dates and date filters.

A release often carries only a year and month (`2019-07`), and a user filtering by `2019` means
the whole year; so a partial date is a period, from its first day to its last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True)
class Period:
    """The days a partial date names, first to last."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first moment of the period."""
        return datetime.combine(self.first, time.min)

    @property
    def end(self) -> datetime:
        """The last moment of the period (`2019` ends at 2019-12-31 23:59:59.999999)."""
        return datetime.combine(self.last, time.max)

    def days_apart(self, other: Period) -> int:
        """Days between two periods, 0 when they overlap (`2019-07` and `2019-07-09`)."""
        return max(0, (max(self.first, other.first) - min(self.last, other.last)).days)


@lru_cache(maxsize=1 << 14)
def period(value: str | None) -> Period | None:
    """The period of `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (one or two digits for month and day), or
    None for anything else, including days that do not exist (`2019-02-30`)."""
    m = PARTIAL_DATE.fullmatch(value) if isinstance(value, str) else None
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if day is not None:
            first = last = date(year, month, day)
        elif month is not None:
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        else:
            first, last = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return Period(first, last)


def valid(value: str | None) -> bool:
    return period(value) is not None
