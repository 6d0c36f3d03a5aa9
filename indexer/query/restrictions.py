"""Field restrictions typed in a query (`lang:de`, `date:[2019 TO 2020]`, `date:>2019-06`, `source:shine`,
`place:London`): they restrict the result set whatever else the query says, like the filter parameters.

Whoosh would read `London lang:de` as `London OR lang:de`, which finds every German release. Here the
restrictions are taken out of the query's top level and applied as filters; `title:` and `body:` stay
field-scoped words. A partial date means the whole period it names (`date:2019-06` is June 2019),
also compared with `>`, `>=`, `<` or `<=`: `date:>2019` is 2020 on, `date:<=2019-06` up to the end of
June 2019.
"""

from __future__ import annotations

import re
from datetime import timedelta

from whoosh import query as wq

from ..dates import period
from .tree import leaves

FIELDS = frozenset({"lang", "date", "source", "place"})
DATE_COMPARISON = re.compile(r"(?<!\S)date:(>=|<=|>|<)?(\d[\d-]*)(?=\s|$)")


def date_comparisons(text: str) -> str:
    """`date:>2019` -> `date:[2020-01-01 TO]`, `date:2019` -> `date:[2019-01-01 TO 2019-12-31]`, and so on,
    where the date is a partial date; else unchanged."""

    def rewrite(m: re.Match) -> str:
        found = period(m.group(2))
        if found is None:
            return m.group(0)
        op = m.group(1)
        if op is None:
            return f"date:[{found.first:%Y-%m-%d} TO {found.last:%Y-%m-%d}]"
        if op == ">":
            return f"date:[{found.last + timedelta(days=1):%Y-%m-%d} TO]"
        if op == ">=":
            return f"date:[{found.first:%Y-%m-%d} TO]"
        if op == "<":
            return f"date:[TO {found.first - timedelta(days=1):%Y-%m-%d}]"
        return f"date:[TO {found.last:%Y-%m-%d}]"

    return DATE_COMPARISON.sub(rewrite, text)


def is_restriction(q: wq.Query) -> bool:
    """Whether every leaf of `q` is on a restriction field; the first that is not tells (an expanded word's
    query has dozens of leaves)."""
    found = False
    for leaf in leaves(q):
        if getattr(leaf, "fieldname", None) not in FIELDS:
            return False
        found = True
    return found


def split(q: wq.Query) -> tuple[wq.Query | None, list[wq.Query]]:
    """The scored part of `q` (None if nothing is left) and the restrictions at its top level, each of
    which must hold (the query's default OR does not join them)."""
    if type(q) in (wq.Or, wq.And):
        kept: list[wq.Query] = []
        found: list[wq.Query] = []
        for s in q.subqueries:
            (found if is_restriction(s) else kept).append(s)
        if found:
            rest = None if not kept else kept[0] if len(kept) == 1 else type(q)(kept, boost=q.boost)
            return rest, found
    elif is_restriction(q):
        return None, [q]
    return q, []


def language(restrictions: list[wq.Query]) -> str | None:
    """The language a query's restrictions name, when exactly one `lang:` term is among them."""
    langs = [r.text for r in restrictions if type(r) is wq.Term and r.fieldname == "lang"]
    return langs[0] if len(langs) == 1 else None
