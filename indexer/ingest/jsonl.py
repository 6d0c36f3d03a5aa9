"""JSONL: one release a line, with `id`, `title`, `body` and optional metadata."""

from __future__ import annotations

import json
import logging

from .. import dates
from ..lang.detect import known_codes
from ..model import Document, Skipped

log = logging.getLogger(__name__)

JSONL_FIELDS = ("title", "body", "lang", "date", "place", "source", "url", "twin")


def read(text: str, relpath: str) -> tuple[list[Document], list[Skipped]]:
    docs, skipped = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{relpath}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            skipped.append(Skipped(where, f"invalid JSON ({e.msg})"))
            continue
        if not isinstance(rec, dict) or not str(rec.get("id") or "").strip():
            skipped.append(Skipped(where, "a JSONL release needs an `id`"))
            continue
        values = {k: str(rec[k]).strip() or None for k in JSONL_FIELDS if rec.get(k) is not None}
        if not values.get("body") and not values.get("title"):
            skipped.append(Skipped(where, "a JSONL release needs a `title` or `body`"))
            continue
        body = values.pop("body", None) or ""
        lang = values.pop("lang", None)
        if lang is not None and lang.lower() not in known_codes():
            log.warning("%s: %r is not a language code (ISO 639-1, as `de` or `en`): detected instead", where,
                        lang[:40])
            lang = None
        if values.get("date") and not dates.valid(values["date"]):
            log.warning("%s: %r is not a date (YYYY, YYYY-MM or YYYY-MM-DD that exists): left out", where,
                        values["date"][:40])
            values.pop("date")
        docs.append(Document(id=str(rec["id"]).strip(), body=body, path=relpath,
                             lang=lang.lower() if lang else None, lang_prob=1.0 if lang else None,
                             **{"title": None, **values}))
    return docs, skipped
