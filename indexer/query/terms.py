"""What a parsed query looks for in one language's fields, as terms and prefixes: what snippets mark."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from .tree import leaves


@dataclass
class QueryTerms:
    """The analyzed terms of a query for one language's fields."""

    exact: set[str] = field(default_factory=set)
    prefixes: tuple[str, ...] = ()
    parts: set[str] = field(default_factory=set)  # terms the query has only as compound parts
    # word -> (start, end, term) within the word of each of its terms that the query matches; for the
    # one analyzer these terms are used with (one language's), filled as texts are marked
    hits_in_word: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def matches(self, text: str) -> bool:
        return text in self.exact or (bool(self.prefixes) and text.startswith(self.prefixes))


def query_terms(q: wq.Query, fieldnames: set[str], parts: set[tuple[str, str]] = frozenset(),
                words: set[tuple[str, str]] = frozenset()) -> QueryTerms:
    """Collects the terms and prefixes that `q` looks for in `fieldnames`; `parts` and `words` are the
    (field, term)s of compound parts and of whole words (and translations), to tell part matches apart."""
    terms = QueryTerms()
    prefixes = []
    for leaf in leaves(q):
        if getattr(leaf, "fieldname", None) not in fieldnames:
            continue
        if isinstance(leaf, wq.Prefix):
            prefixes.append(leaf.text)
        elif isinstance(leaf, wq.Phrase):
            terms.exact.update(leaf.words)
        elif isinstance(leaf, wq.Term):
            terms.exact.add(leaf.text if isinstance(leaf.text, str) else leaf.text.decode("utf-8"))
    terms.prefixes = tuple(prefixes)
    whole = {t for f, t in words if f in fieldnames}
    terms.parts = {t for f, t in parts if f in fieldnames and t not in whole}
    return terms


def untranslated(q: wq.Query, translated: dict[tuple[str, str], tuple[str, str]],
                 words: set[tuple[str, str]] = frozenset()) -> wq.Query | None:
    """The leaves of `q` that translation did not add (or that are also a query word's own term, `words`), as
    one OR (None if there are none): a release that matches none of them was found only through translated
    words, as `--explain` would say."""
    kept = [leaf for leaf in leaves(q)
            if not (type(leaf) is wq.Term and (key := (leaf.fieldname, leaf.text)) in translated
                    and key not in words)]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)
