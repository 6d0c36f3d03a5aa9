"""The Whoosh schema: per-language text fields, stored display fields, a sortable date.

Each document's title and body go into the fields of its own language (`title_de`/`body_de`,
`title_en`/`body_en`, or the neutral `title_xx`/`body_xx`), so each is analyzed by the right
chain; a query is analyzed once per language and run against all of them. Display values are
stored once, unanalyzed, in `title`, `body` and friends. A query word that analyzes into several
tokens (`ots.at`, `3,5`) is searched as a phrase, not as alternatives.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from .analysis import ANALYZERS, neutral_analyzer

LANGS = ("de", "en", "xx")
TITLE_BOOST = 2.0


def text_fields(kind: str) -> list[str]:
    """`text_fields("title")` -> `["title_de", "title_en", "title_xx"]`."""
    return [f"{kind}_{lang}" for lang in LANGS]


def build_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "lang": ID(stored=True),
        "lang_prob": STORED,
        "title": STORED,
        "body": STORED,
        "date": DATETIME(sortable=True),
        "date_text": STORED,
        "place": TEXT(analyzer=neutral_analyzer(), stored=True, multitoken_query="phrase"),
        "source": TEXT(analyzer=neutral_analyzer(), stored=True, multitoken_query="phrase"),
        "cited": STORED,
        "editor": STORED,
        "url": STORED,
        "path": STORED,
        "file": ID,  # the absolute source file, so `update` can delete what a file produced
        "length": STORED,  # characters of the body, for display: never searched, so not indexed
    }
    for lang in LANGS:
        analyzer = ANALYZERS[lang]()
        fields[f"title_{lang}"] = TEXT(analyzer=analyzer, field_boost=TITLE_BOOST, multitoken_query="phrase")
        fields[f"body_{lang}"] = TEXT(analyzer=analyzer, multitoken_query="phrase")
    return Schema(**fields)
