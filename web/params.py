"""Reading query parameters from a request, for the two audiences that need different manners.

The HTML page is lenient: a bad value is replaced by a sensible one and the user is told why
(a notice), because a person typed or edited that URL. The JSON API is strict: a bad value is a
400 with a message, because a program sent it and should learn about its bug. Both share the
checks, so the page and the API can never disagree on what is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from indexer import dates
from indexer import lang as languages
from indexer.query.limits import MAX_LIMIT, MAX_QUERY_CHARS, MAX_WINDOW, SORTS

MAX_SOURCE_CHARS = 200
PAGE_SIZE = 10
MAX_PAGE = MAX_WINDOW // PAGE_SIZE  # the deepest page the core ranks at the page's size
API_MAX_LIMIT = MAX_LIMIT
# Control characters (NUL and friends) never belong in a query and upset some tokenizers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ParamError(ValueError):
    """A parameter the API refuses; the message names it and says what is allowed."""


@dataclass
class SearchParams:
    """What the search is asked for, after cleaning; `notices` are (i18n key, values) for the page."""

    q: str = ""
    lang: str | None = None
    page: int = 1
    limit: int = PAGE_SIZE
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    place: str | None = None
    sort: str = SORTS[0]
    exact: bool = False  # search exactly what was typed: no parts of compounds, no suggestion in its place
    asked_page: int | None = None  # the page as given, when it was a number
    notices: list[tuple[str, dict]] = field(default_factory=list)

    def filters_active(self) -> bool:
        return bool(self.date_from or self.date_to or self.source or self.place)


def clean_text(value: str) -> str:
    """Drops control characters and folds runs of whitespace."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _int(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def page_params(args: MultiDict) -> SearchParams:
    """Lenient reading for the HTML page: never fails, collects notices instead."""
    p = SearchParams()
    q = clean_text(args.get("q", ""))
    if len(q) > MAX_QUERY_CHARS:
        q = q[:MAX_QUERY_CHARS].rstrip()
        p.notices.append(("param_notice_query_long", {"max": MAX_QUERY_CHARS}))
    p.q = q
    lang = clean_text(args.get("lang", "")).lower()
    if lang in languages.codes():
        p.lang = lang
    elif lang not in ("", "all"):
        p.notices.append(("param_notice_lang", {"value": lang[:40]}))
    p.asked_page = _int(args.get("page"))
    p.page = min(max(p.asked_page or 1, 1), MAX_PAGE)  # the view clamps to the last page there is
    for name, attr in (("from", "date_from"), ("to", "date_to")):
        value = clean_text(args.get(name, ""))
        if value and dates.valid(value):
            setattr(p, attr, value)
        elif value:
            p.notices.append(("param_notice_date", {"value": value[:40]}))
    for name in ("source", "place"):
        value = clean_text(args.get(name, ""))
        if len(value) > MAX_SOURCE_CHARS:
            p.notices.append((f"param_notice_{name}_long", {}))
        elif value:
            setattr(p, name, value)
    sort = clean_text(args.get("sort", "")).lower()
    p.sort = sort if sort in SORTS else SORTS[0]  # an unknown order is the default one
    p.exact = args.get("exact", "") in ("1", "true", "yes")
    return p


def api_params(args: MultiDict) -> SearchParams:
    """Strict reading for the JSON API: raises ParamError; only `limit` is capped, as documented."""
    p = SearchParams()
    q = clean_text(args.get("q", ""))
    if not q:
        raise ParamError("parameter q is required")
    if len(q) > MAX_QUERY_CHARS:
        raise ParamError(f"parameter q is longer than {MAX_QUERY_CHARS} characters")
    p.q = q
    lang = args.get("lang", "").strip().lower()
    if lang not in ("", "all", *languages.codes()):
        raise ParamError(f"parameter lang must be one of: {', '.join(languages.codes())}, all")
    p.lang = lang if lang in languages.codes() else None
    p.page = _bounded_int(args, "page", 1, 1, MAX_PAGE)
    p.limit = min(_bounded_int(args, "limit", PAGE_SIZE, 1, None), API_MAX_LIMIT)
    for name, attr in (("from", "date_from"), ("to", "date_to")):
        value = args.get(name, "").strip()
        if value and not dates.valid(value):
            raise ParamError(f"parameter {name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
        setattr(p, attr, value or None)
    for name in ("source", "place"):
        value = clean_text(args.get(name, ""))
        if len(value) > MAX_SOURCE_CHARS:
            raise ParamError(f"parameter {name} is longer than {MAX_SOURCE_CHARS} characters")
        setattr(p, name, value or None)
    sort = args.get("sort", "").strip().lower() or SORTS[0]
    if sort not in SORTS:
        raise ParamError(f"parameter sort must be one of: {', '.join(SORTS)}")
    p.sort = sort
    exact = args.get("exact", "").strip().lower()
    if exact not in ("", "0", "1", "true", "false"):
        raise ParamError("parameter exact must be 1 or 0")
    p.exact = exact in ("1", "true")
    return p


def _bounded_int(args: MultiDict, name: str, default: int, low: int, high: int | None) -> int:
    raw = args.get(name)
    if raw is None or not raw.strip():
        return default
    value = _int(raw)
    if value is None or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ParamError(f"parameter {name} must be an integer {allowed}")
    return value
