"""Facets: how the whole result set divides by language, year, source and place, with counts.

Each facet's values are coded as integers once per generation (`Coded`, shared by all threads), so
counting a result set of any size is one `bincount` over its document numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..backend import Reader

FACETS = ("lang", "year", "source", "place")
TOP = 10  # values listed per facet, the most frequent first (years: every year, in order)
EPOCH = 719_163  # date(1970, 1, 1).toordinal(): numpy's day 0

Facets = dict[str, list[tuple[str, int]]]


@dataclass(frozen=True)
class Coded:
    """A facet's value per document number as an index into `values` (-1: none)."""

    codes: np.ndarray
    values: list[str]


def count(reader: Reader, docs: np.ndarray, top: int = TOP) -> Facets:
    """(value, count) per facet over the documents `docs`."""
    found: Facets = {}
    for name in FACETS:
        coded = _coded(reader, name)
        codes = coded.codes[docs]
        counts = np.bincount(codes[codes >= 0], minlength=len(coded.values))
        present = np.flatnonzero(counts)
        if name != "year":  # years stay in order, for a histogram
            present = present[np.lexsort((present, -counts[present]))][:top]
        found[name] = [(coded.values[i], int(counts[i])) for i in present.tolist()]
    return found


def warm(reader: Reader) -> None:
    for name in FACETS:
        _coded(reader, name)


def _coded(reader: Reader, name: str) -> Coded:
    return reader.remember(("facet", name), lambda: _code(reader, name), keep=True)


def _code(reader: Reader, name: str) -> Coded:
    if name == "year":
        days = reader.column("date")
        present = days >= 0
        keys = (days[present] - EPOCH).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        values, inverse = np.unique(keys, return_inverse=True)
        codes = np.full(len(present), -1, dtype=np.int32)
        codes[present] = inverse
        return Coded(codes, [str(v) for v in values.tolist()])
    column = reader.column(name)
    seen: dict[str, int] = {}  # a dict, not `np.unique`: sorting a million strings took 0.9 s a column
    codes = np.fromiter((seen.setdefault(v, len(seen)) if v else -1 for v in column.tolist()),
                        dtype=np.int32, count=len(column))
    values = sorted(seen)  # in order, so that equal counts list alphabetically
    rank = np.empty(len(values) + 1, dtype=np.int32)
    rank[[seen[v] for v in values]] = np.arange(len(values), dtype=np.int32)
    rank[-1] = -1  # none stays none
    return Coded(rank[codes], [str(v) for v in values])
