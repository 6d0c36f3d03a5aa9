"""A whole result set as rows, for export (CSV, JSONL) and feeds: no snippets, up to `MAX_WINDOW` rows.

CSV is written for spreadsheets: UTF-8 with a byte-order mark (so Excel reads the umlauts), and every
text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is prefixed with an apostrophe, so an archive's text can never become a formula.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..query.filters import restriction
from ..query.limits import MAX_WINDOW, check_paging, check_query, check_sort
from .find import find
from .handles import open_handle

COLUMNS = ("id", "lang", "date", "title", "source", "place", "url", "twin", "score")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Export:
    """The rows of a result set, best first (or in the order asked for), and how many results there were."""

    rows: list[dict]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


def rows(query: str, index_dir: str | Path | None = None, lang: str | None = None, date_from: str | None = None,
         date_to: str | None = None, source: str | None = None, place: str | None = None,
         sort: str = "relevance", limit: int = MAX_WINDOW, exact: bool = False) -> Export:
    """Up to `limit` (at most `MAX_WINDOW`) results of `query` with their metadata, as `COLUMNS` dicts: the
    results `search` finds for the same arguments, in the same order."""
    query = check_query(query)
    _, _, lang = check_paging(1, 1, lang)
    handle = open_handle(index_dir)
    result = find(handle, query, lang, restriction(date_from, date_to, source, place), min(limit, MAX_WINDOW),
                  check_sort(sort), exact=exact)
    found = []
    for r in result.ranked:
        stored = handle.reader.stored(r.docnum)
        twin, _ = handle.partners.get(stored["id"], (None, 0.0))
        found.append({"id": stored["id"], "lang": stored.get("lang"), "date": stored.get("date_text"),
                      "title": stored.get("title"), "source": stored.get("source"), "place": stored.get("place"),
                      "url": stored.get("url"), "twin": twin, "score": round(r.score, 4)})
    return Export(found, len(result.matched))


def to_csv(export: Export) -> str:
    """The rows as CSV with a header line, for spreadsheets (see the module docstring)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export.rows:
        writer.writerow([_cell(row[name]) for name in COLUMNS])
    return out.getvalue()


def to_jsonl(export: Export) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in export.rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
