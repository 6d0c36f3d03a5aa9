"""Queries: from what a user typed to a query tree that a backend evaluates.

`Parser.parse` reads the query syntax (README, "Query syntax") with Whoosh's query parser, whose
query nodes are the tree every backend evaluates: words become concepts over the language fields
(`parser`), with compound parts and translations (`parser`, `synonyms`) and a coordination bonus
(`concepts`). `limits` checks what a caller may ask; `filters` builds the restrictions;
`terms` gives snippets the words to mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as wq

from .. import lang, tuning
from ..errors import QueryError
from ..translation import Translator, guess_language, names, query_words
from . import restrictions
from .concepts import Concept, coordinated
from .parser import (
    ExpandingParser,
    HasTerm,
    QueryContext,
    make_parser,
    phrase_concepts,
    plain_parser,
)
from .tree import leaves

MIN_WILDCARD_PREFIX = 2
OPERATORS = frozenset({"and", "or", "not", "andnot", "andmaybe", "to"})

# A question's `?` ends a sentence; as a wildcard (`Bowl?` = `Bowl` + one character) it would lose the word
# (`AS-278?` and a lone `?` would scan the whole lexicon). Inside a word (`Me?er`) it stays a wildcard.
QUESTION_MARK = re.compile(r"\?+(?=\s|$)")


@dataclass(frozen=True)
class ParsedQuery:
    """A query tree and what parsing it found out: its language, which terms translation added, and the
    restrictions it typed. `q` is None when the query is restrictions only (`lang:de date:2019`)."""

    text: str
    q: wq.Query | None
    context: QueryContext
    restriction: wq.Query | None = None  # `lang:`, `date:`, `source:`, `place:` of the query, as one filter
    lang: str | None = None  # the language asked for: the parameter, or the query's one `lang:` term


class Parser:
    """The query parsers of one thread for one index's fields (a Whoosh parser is not shared between
    threads: it holds the context of the query it is parsing)."""

    def __init__(self, schema, translator: Translator | None, has_term: HasTerm | None = None) -> None:
        lists = translator.lists if translator is not None else None
        self.full: ExpandingParser = make_parser(schema, has_term, lists)
        self.plain: ExpandingParser = plain_parser(schema, has_term, lists)
        self.translator = translator

    def parse(self, query: str, translate: bool = True, lang_asked: str | None = None) -> ParsedQuery:
        """The full syntax where the query is well-formed, plain words where it is not. `lang_asked` is
        the language asked for: without one, translations weigh less, so that the query's own
        language leads; a query that names one language (`lang:de`) asks for it."""
        text = restrictions.date_comparisons(QUESTION_MARK.sub("", query))
        if not _has_words(text):
            if "*" in text or "?" in text:
                raise QueryError(f"the query {text[:60]!r} has no letters before its wildcard: a wildcard needs at "
                                 f"least {MIN_WILDCARD_PREFIX} (`finanz*`); `body:*` means every release, and a "
                                 "filter alone (`lang:de`, `date:2019`) finds every release it allows")
            raise QueryError(f"the query {text[:60]!r} has no words to search for (stop words and operators "
                             "alone find nothing)")
        context = self._context(text, translate, lang_asked)
        self.full.context = self.plain.context = context
        try:
            words = self.full.plain_words(text)
            try:
                q = self.full.plain_query(words) if words is not None else self.full.parse(text)
                if words is None and _has_error(q):
                    q = None
            except Exception:
                q = None
            if q is None:  # the words alone, without the operators that could not be read
                words = None
                q = self.plain.parse(" ".join(w for w in re.findall(r"\w+", text) if w.lower() not in OPERATORS))
        finally:
            self.full.context = self.plain.context = QueryContext()
        if words is None:  # words alone (most queries) hold no wildcard and no negation: their trees are not walked
            _check_wildcards(q)
            q = _exclude_negations(q)
        scored, found = restrictions.split(q)
        named = restrictions.language(found)
        if named is not None and lang_asked is None:
            return self.parse(query, translate, named)
        found = [r for r in found if not (named is not None and named == lang_asked and r == wq.Term("lang", named))]
        scored = coordinated(_with_phrases(scored, context, text, self.full.schema.names()))
        if scored is wq.NullQuery or (scored is None and not found and lang_asked is None):
            raise QueryError(f"the query {text[:60]!r} has no words to search for (stop words and operators "
                             "alone find nothing)")
        restriction = (found[0] if len(found) == 1 else wq.And(found)) if found else None
        return ParsedQuery(query, scored, context, restriction, lang_asked)

    def _context(self, text: str, translate: bool, lang_asked: str | None) -> QueryContext:
        words = query_words(text)
        qlang = guess_language(words, self.translator)
        return QueryContext(
            qlang, self.translator if translate else None, names(words, qlang, self.translator),
            tuning.current().translation if lang_asked else tuning.current().mixed_translation,
            qlang is not None and any(w.lower() not in lang.get(qlang).search_stop_words for w in words))


def _check_wildcards(q: wq.Query) -> None:
    """A wildcard needs `MIN_WILDCARD_PREFIX` letters before its first `*` or `?`: a leading one (`*ab*`)
    would read every word of the archive to find the few that match."""
    for leaf in leaves(q):
        if isinstance(leaf, (wq.Wildcard, wq.Prefix)):
            literal = re.split(r"[*?]", leaf.text, maxsplit=1)[0]
            if len(literal) < MIN_WILDCARD_PREFIX:
                shown = f"{leaf.text}*" if isinstance(leaf, wq.Prefix) else leaf.text
                raise QueryError(f"`{shown}`: a wildcard needs at least {MIN_WILDCARD_PREFIX} letters before its "
                                 "first * or ? (`finanz*`, `fi?tech`); a lone `*` with a field (`body:*`) means "
                                 "every release")


def _with_phrases(q: wq.Query | None, context: QueryContext, text: str, fieldnames: list[str]) -> wq.Query | None:
    """Words searched as words (an OR of concepts, or one concept) also as the dictionary's translation of
    the runs of them it lists together (`stock exchange` -> `Börse`, see `parser.phrase_concepts`)."""
    if q is None or any(isinstance(leaf, wq.Phrase) for leaf in leaves(q)):  # a quoted phrase is searched as typed
        return q
    if isinstance(q, wq.Or) and all(isinstance(c, Concept) for c in q.subqueries):
        concepts = list(q.subqueries)
    elif isinstance(q, Concept):
        concepts = [q]
    else:
        return q
    phrases = phrase_concepts(context, query_words(text), fieldnames)
    return wq.Or(concepts + phrases, boost=q.boost if len(concepts) > 1 else 1.0) if phrases else q


def _has_words(text: str) -> bool:
    """Whether the query holds anything but operators and stop words (of any registered language)."""
    stop = lang.search_stop_words()
    return any(token.lower() not in OPERATORS and token.lower() not in stop for token in re.findall(r"\w+", text))


def _exclude_negations(q: wq.Query) -> wq.Query:
    """`London NOT Jiaozi` excludes Jiaozi: with OR as the default group, Whoosh would read it as
    `London OR (NOT Jiaozi)` and match nearly everything."""
    if isinstance(q, wq.Or):
        positive = [_exclude_negations(c) for c in q.subqueries if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if negative and positive:
            kept = positive[0] if len(positive) == 1 else wq.Or(positive, boost=q.boost)
            return wq.AndNot(kept, negative[0] if len(negative) == 1 else wq.Or(negative))
        return q if negative else wq.Or(positive, boost=q.boost)
    if isinstance(q, wq.BinaryQuery):  # `a ANDNOT b`, `a ANDMAYBE b`: no boost of their own
        return q.__class__(_exclude_negations(q.a), _exclude_negations(q.b))
    if isinstance(q, wq.CompoundQuery):
        return q.__class__([_exclude_negations(c) for c in q.subqueries], boost=q.boost)
    return q


def _has_error(q: wq.Query) -> bool:
    """Whoosh marks what it could not parse with an `error` attribute somewhere in the tree."""
    return bool(getattr(q, "error", None)) or any(_has_error(child) for child in q.children())
