"""The Whoosh schema: per-language text fields, stored display fields, a sortable date.

Each document's title and body go into the fields of its own language (`title_de`/`body_de`,
... or the neutral `title_xx`/`body_xx`; see `query.fields`), each analyzed by its language's
chain. Display values are stored once, unanalyzed, in `title`, `body` and friends. A query word
that analyzes into several tokens (`ots.at`, `3,5`) is searched as a phrase, not as alternatives.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from ... import lang

TITLE_BOOST = 2.0


def build_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True),
        "lang": ID(stored=True),
        "lang_prob": STORED,
        "title": STORED,
        "body": STORED,
        "date": DATETIME(sortable=True),
        "date_text": STORED,
        "place": TEXT(analyzer=lang.chain(lang.NEUTRAL_CODE), stored=True, multitoken_query="phrase"),
        "source": TEXT(analyzer=lang.chain(lang.NEUTRAL_CODE), stored=True, multitoken_query="phrase"),
        "cited": STORED,
        "editor": STORED,
        "url": STORED,
        "path": STORED,
        "file": ID,  # the absolute source file, so `update` can delete what a file produced
        "length": STORED,  # characters of the body, for display: never searched, so not indexed
    }
    for code in lang.field_languages():
        analyzer = lang.chain(code)
        fields[f"title_{code}"] = TEXT(analyzer=analyzer, field_boost=TITLE_BOOST, multitoken_query="phrase")
        fields[f"body_{code}"] = TEXT(analyzer=analyzer, multitoken_query="phrase")
    return Schema(**fields)
