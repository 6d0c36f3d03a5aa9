"""The searchable text fields: a title and a body field per analyzer family (`title_de`, `body_xx`).

Each document's title and body go into the fields of its own language, so each is analyzed by the
right chain; a query is analyzed once per language and run against all of them. `title:` and
`body:` name the group of their language variants.
"""

from __future__ import annotations

from .. import lang

KINDS = ("title", "body")


def text_fields(kind: str, codes: tuple[str, ...] | None = None) -> list[str]:
    """`text_fields("title")` -> `["title_de", "title_en", "title_xx"]`, for the registered languages."""
    return [f"{kind}_{code}" for code in (codes or lang.field_languages())]


def groups(names: list[str]) -> dict[str | None, list[str]]:
    """What a field name in a query stands for, given an index's field `names`: `title` and `body` their
    language variants, no name at all every text field; in registry order (title fields first)."""
    codes = tuple(c for c in lang.field_languages() if f"body_{c}" in names) + tuple(
        sorted({n.split("_", 1)[1] for n in names if n.startswith("body_")} - set(lang.field_languages())))
    titles, bodies = text_fields("title", codes), text_fields("body", codes)
    return {None: titles + bodies, "title": titles, "body": bodies}


def field_language(fieldname: str) -> str | None:
    """The registered language whose text a field holds (`body_de` -> `de`); None for `xx` and others."""
    kind, _, code = fieldname.partition("_")
    return code if kind in KINDS and lang.get(code) is not None else None
