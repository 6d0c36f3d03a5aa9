"""Ranked bilingual search over an index generation, with snippets, twins and "did you mean".

A query is analyzed once per language and run against every language's title and body fields
(BM25F, titles boosted), so names and numbers find releases in either language and each
language's words find their own stems; German compounds also search their parts, and words also
search their translations (see `expand`). With `lang` set, a release is found through three paths:
its own text, its translated query words, and its twin in the other language (a hit on the twin
counts for it). Open searchers are cached per thread and per generation: a rebuild that swaps
generations is picked up by the next query.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.qparser import (
    FieldsPlugin,
    GtLtPlugin,
    OrGroup,
    PhrasePlugin,
    Plugin,
    RangePlugin,
    WildcardPlugin,
    syntax,
)
from whoosh.qparser.common import QueryParserError
from whoosh.searching import Searcher
from whoosh.util.times import adatetime

from . import dictionary, lexicon, links, ranking, snippets, store
from .analysis import STOPS, WordAnalyzer
from .concepts import ConceptGroup, coordinated
from .config import resolve_index_dir
from .expand import MIXED_TRANSLATION_BOOST, TRANSLATION_BOOST, ExpandingParser, QueryContext
from .metadata import parse_iso_date
from .schema import LANGS, text_fields
from .translate import OTHER, Translator, guess_language, names, query_words
from .vocabulary import Vocabulary

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100
MAX_WINDOW = 10_000  # deepest result a page may reach; deeper paging means refining the query
SUGGEST_BELOW = 3  # offer "did you mean" when a query finds fewer hits than this
ALL_TEXT = text_fields("title") + text_fields("body")
FIELD_GROUPS: dict[str | None, list[str]] = {
    None: ALL_TEXT, "title": text_fields("title"), "body": text_fields("body"),
}
OPERATORS = {"and", "or", "not", "andnot", "andmaybe", "to"}
# A question's `?` ends a sentence; as a wildcard (`Bowl?` = `Bowl` + one character) it would lose the word
# (`AS-278?` and a lone `?` would scan the whole lexicon). Inside a word (`Me?er`) it stays a wildcard.
QUESTION_MARK = re.compile(r"\?+(?=\s|$)")
TWIN_WEIGHT = 0.6  # a twin's score counts this much, added, for the release in the asked-for language
# ... and this much where the query is in the asked-for language: then the twin matched only through
# translations, which the release's own text already had a chance at.
SAME_LANGUAGE_TWIN_WEIGHT = 0.3


class QueryError(store.IndexerError, ValueError):
    """The one exception search raises for a query or parameter it cannot answer; the message says why."""


@dataclass
class Hit:
    id: str
    lang: str
    title: str | None
    date: str | None
    place: str | None
    source: str | None
    score: float
    snippet: str
    twin: str | None = None
    twin_title: str | None = None
    twin_lang: str | None = None
    url: str | None = None
    path: str | None = None
    # With `explain=True`: how the hit was found ("text", "translation", "twin") and which
    # translations of which query words it contains ({"cooperation": ["zusammenarbeit"]}).
    paths: list[str] | None = None
    matched: dict[str, list[str]] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Results:
    query: str
    total: int
    page: int
    pages: int
    limit: int
    suggestion: str | None
    elapsed_ms: float
    hits: list[Hit] = field(default_factory=list)

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def to_dict(self) -> dict:
        return asdict(self)


class FieldGroupsPlugin(Plugin):
    """Spreads unfielded words over all text fields, and `title:`/`body:` over their language variants.

    Whoosh's MultifieldPlugin does the first; this also treats `title` and `body` as names for
    groups of fields. An unknown field name (`http:`, `foo:`) goes back to being plain text.
    """

    def filters(self, parser):
        return [(self.expand, 110)]

    def expand(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
                continue
            if not node.has_fieldname:
                continue
            name = node.fieldname
            if name not in FIELD_GROUPS and name in parser.schema and parser.schema[name].indexed:
                continue
            if name not in FIELD_GROUPS:
                if isinstance(node, syntax.WordNode):
                    node.text = f"{name} {node.text}"
                name = None
            variants = []
            for fieldname in FIELD_GROUPS[name]:
                variant = copy.copy(node)
                variant.set_fieldname(fieldname, override=True)
                variants.append(variant)
            group[i] = ConceptGroup(variants)
        return group


def make_parser(schema) -> ExpandingParser:
    parser = ExpandingParser(None, schema, group=OrGroup)
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(FieldsPlugin(remove_unknown=False))
    parser.add_plugin(FieldGroupsPlugin())
    return parser


def plain_parser(schema) -> ExpandingParser:
    """Words only: what a malformed query degrades to."""
    parser = make_parser(schema)
    for plugin in (PhrasePlugin, RangePlugin, GtLtPlugin, WildcardPlugin):
        parser.remove_plugin_class(plugin)
    return parser


@dataclass(frozen=True)
class TwinScope:
    """What a search with `lang` runs over, one entry per document number: whether a release is in
    `lang` (`targets`), and its twin's document number, or -1 (`twin_of`)."""

    targets: np.ndarray
    twin_of: np.ndarray


@dataclass
class Handle:
    """An open generation: searcher, ranker, parsers, twin links. One per thread, since neither Whoosh
    searchers nor PyStemmer objects may be shared between threads; what they compute once per
    generation (`ranking.Generation`: postings, lengths, filters, twin scopes) is shared."""

    gen: Path
    searcher: Searcher
    ranker: ranking.Ranker
    parser: ExpandingParser
    plain: ExpandingParser
    partners: dict[str, tuple[str, float]]
    vocabulary: Vocabulary
    translator: Translator

    @classmethod
    def open(cls, gen: Path) -> Handle:
        """Opens `gen` for the calling thread; its twin links and learned lexicon, read-only tables, are
        read once per generation and shared by all threads."""
        ix = whoosh_index.open_dir(gen)
        searcher = ix.searcher()
        shared = ranking.generation(gen, searcher.doc_count_all())
        partners = shared.remember(("partners",), lambda: links.partner_map(links.load_links(gen)), keep=True)
        learned = shared.remember(("lexicon",), lambda: lexicon.load(gen), keep=True)
        return cls(gen, searcher, ranking.Ranker(searcher, shared), make_parser(ix.schema), plain_parser(ix.schema),
                   partners, Vocabulary(gen), Translator(dictionary.load(), learned))

    def mask(self, q: wq.Query) -> np.ndarray:
        """The documents `q` matches, as one flag per document number; kept for the generation."""
        return self.ranker.shared.remember(("mask", repr(q)), lambda: self.ranker.mask(q))

    def twin_scope(self, lang: str) -> TwinScope:
        """The releases in `lang` and their twins' document numbers; computed once per generation."""
        return self.ranker.shared.remember(("twins", lang), lambda: self._twin_scope(lang))

    def _twin_scope(self, lang: str) -> TwinScope:
        number = self.searcher.document_number
        twin_of = np.full(self.ranker.size, -1, dtype=np.int64)
        for doc_id, (twin, _) in self.partners.items():
            a, b = number(id=doc_id), number(id=twin)
            if a is not None and b is not None:
                twin_of[a] = b
        return TwinScope(self.mask(wq.Term("lang", lang)), twin_of)

    def words(self, lang: str) -> WordAnalyzer:
        """The analyzer of `lang`'s body field, for marking matches in stored text."""
        return word_analyzer(self.searcher.schema[f"body_{lang if lang in LANGS else 'xx'}"].analyzer)

    def stored(self, doc_id: str) -> dict | None:
        return self.searcher.document(id=doc_id)

    def document_frequency(self, word: str) -> int:
        """How many documents use `word`, in any language's body."""
        total = 0
        for lang in LANGS:
            fieldname = f"body_{lang}"
            for token in self.searcher.schema[fieldname].analyzer(word, mode="query"):
                total += self.searcher.doc_frequency(fieldname, token.text)
        return total

    def close(self) -> None:
        self.searcher.close()
        self.vocabulary.close()


WARM_WORD_DOCUMENTS = 2000  # releases whose words `warm` analyzes in advance
_local = threading.local()
_word_analyzers: list[WordAnalyzer] = []
_word_analyzers_lock = threading.Lock()


def word_analyzer(analyzer) -> WordAnalyzer:
    """The process's word-by-word analyzer for an analyzer chain: one for all threads and
    generations, so the words that snippets analyze are remembered for every later search (and,
    filled by `warm` before a server forks, shared by its processes)."""
    for known in _word_analyzers:
        if known.analyzer == analyzer:
            return known
    with _word_analyzers_lock:
        for known in _word_analyzers:
            if known.analyzer == analyzer:
                return known
        made = WordAnalyzer(analyzer)
        _word_analyzers.append(made)
        return made


def open_handle(index_dir: str | Path | None) -> Handle:
    """The calling thread's handle on the serving generation of `index_dir`."""
    index_dir = resolve_index_dir(index_dir)
    gen = store.require(index_dir)
    handles: dict[Path, Handle] = _local.__dict__.setdefault("handles", {})
    handle = handles.get(index_dir)
    if handle is None or handle.gen != gen:
        if handle is not None:
            handle.close()
        handle = handles[index_dir] = Handle.open(gen)
    return handle


def close_handles() -> None:
    """Closes the calling thread's searchers. What they loaded per generation (postings, lengths)
    stays for the next handle: a server warms, closes, then forks processes that share it."""
    for handle in _local.__dict__.pop("handles", {}).values():
        handle.close()


def search(query: str, index_dir: str | Path | None = None, lang: str | None = None, limit: int = 10,
           page: int = 1, date_from: str | None = None, date_to: str | None = None,
           source: str | None = None, translate: bool = True, explain: bool = False) -> Results:
    """Ranked hits for `query` in either language; see the README for the query syntax.

    `translate=False` searches the words only as typed (no dictionary); `explain=True` fills each
    hit's `paths` and `matched` (at some cost: every matching document records its terms).
    """
    started = time.perf_counter()
    query = _check_query(query)
    limit, page, lang = _check_paging(limit, page, lang)
    handle = open_handle(index_dir)
    q = parse(handle, query, translate, lang)
    window = page * limit
    if window > MAX_WINDOW:
        raise QueryError(f"page {page} is too deep (results are paged up to {MAX_WINDOW:,}); refine the query")
    ranked, total = _rank(handle, q, lang, _filters(handle, date_from, date_to, source), window)
    marks: dict[str, snippets.QueryTerms] = {}  # what to mark, per language: the same for every hit
    hits = [_hit(handle, q, r, explain, marks) for r in ranked[(page - 1) * limit: window]]
    suggestion = suggest(handle, query, lang, date_from, date_to, source, total) if total < SUGGEST_BELOW else None
    return Results(query=query, total=total, page=page, pages=max(1, math.ceil(total / limit)), limit=limit,
                   suggestion=suggestion, elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
                   hits=hits)


@dataclass
class Ranked:
    """A result before it becomes a Hit: its score, and whether its own text and its twin matched."""

    docnum: int
    score: float
    own: bool = True
    twin: bool = False


OWN, TWIN = 1.0, 2.0  # how a result was found, summed: 1 own text, 2 its twin, 3 both


def _rank(handle: Handle, q: wq.Query, lang: str | None, filters: wq.Query | None,
          window: int) -> tuple[list[Ranked], int]:
    """The best `window` results and how many there are in all. With `lang` (and twin links), both
    languages are searched, and a hit in the other language counts, `TWIN_WEIGHT`-fold, for its twin."""
    found = handle.ranker.search(q)
    allowed = handle.mask(filters) if filters is not None else None  # dates and sources: the release's own
    if lang in OTHER and handle.partners:
        scope = handle.twin_scope(lang)
        targets = scope.targets if allowed is None else scope.targets & allowed
        partner = scope.twin_of[found.docs]
        through_twin = (partner >= 0) & targets[np.maximum(partner, 0)] & ~targets[found.docs]
        own = found.only(targets)
        twin_weight = SAME_LANGUAGE_TWIN_WEIGHT if handle.parser.context.lang == lang else TWIN_WEIGHT
        via = ranking.Postings(partner[through_twin], found.scores[through_twin] * twin_weight)
        docs, scores, how = ranking.combine([own, via], handle.ranker.size,
                                            [np.full(len(own), OWN), np.full(len(via), TWIN)])
        best = ranking.top(ranking.Postings(docs, scores), window)
        found_how = how[np.searchsorted(docs, best.docs)]
        return [Ranked(d, s, h != TWIN, h != OWN) for d, s, h in
                zip(best.docs.tolist(), best.scores.tolist(), found_how.tolist(), strict=True)], len(docs)
    if lang:
        language = handle.mask(wq.Term("lang", lang))
        allowed = language if allowed is None else language & allowed
    if allowed is not None:
        found = found.only(allowed)
    best = ranking.top(found, window)
    return [Ranked(d, s) for d, s in zip(best.docs.tolist(), best.scores.tolist(), strict=True)], len(found)


def parse(handle: Handle, query: str, translate: bool = True, lang: str | None = None) -> wq.Query:
    """The full syntax where the query is well-formed, plain words where it is not. `lang` is the
    language asked for: without one, translations weigh less, so that the query's own language leads."""
    query = QUESTION_MARK.sub("", query)
    words = query_words(query)
    qlang = guess_language(words, handle.translator)
    handle.parser.context = handle.plain.context = QueryContext(
        qlang, handle.translator if translate else None, names(words, qlang),
        TRANSLATION_BOOST if lang else MIXED_TRANSLATION_BOOST,
        qlang is not None and any(w.lower() not in STOPS[qlang] for w in words))
    try:
        q = handle.parser.parse(query)
        if _has_error(q):
            q = None
    except (QueryParserError, ValueError, TypeError, IndexError):
        q = None
    if q is None:
        q = handle.plain.parse(" ".join(re.findall(r"\w+", query)))
    q = coordinated(_exclude_negations(q))
    if q is wq.NullQuery:
        raise QueryError(f"the query {query[:60]!r} has no words to search for (stop words and operators "
                         "alone find nothing)")
    return q


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


def _check_query(query: str) -> str:
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    query = "".join(ch for ch in query if ch.isprintable() or ch in " \t\n").strip()
    if not query:
        raise QueryError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    return query


def _check_paging(limit: int, page: int, lang: str | None) -> tuple[int, int, str | None]:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be a whole number from 1, not {page!r}")
    if lang is not None and not re.fullmatch(r"[a-z]{2,3}", lang or ""):
        raise QueryError(f"lang must be a language code such as 'de' or 'en', not {lang!r}")
    return limit, page, lang or None


def _filters(handle: Handle, date_from: str | None, date_to: str | None, source: str | None) -> wq.Query | None:
    """The date and source restrictions as one query, or None."""
    parts: list[wq.Query] = []
    if date_from or date_to:
        start, end = _date_bound(date_from, "date_from"), _date_bound(date_to, "date_to", end=True)
        parts.append(wq.DateRange("date", start, end))
    if source:
        words = re.findall(r"\w+", source.lower())
        if words:
            parts.append(wq.And([wq.Term("source", w) for w in words]))
    return wq.And(parts) if parts else None


def _date_bound(value: str | None, name: str, end: bool = False):
    if not value:
        return None
    value = value.strip()
    when = parse_iso_date(value) if re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", value) else None
    if when is None:
        raise QueryError(f"{name} must be a date like 2019, 2019-07 or 2019-07-09, not {value!r}")
    if end:  # the whole period named: `2019` ends at the end of 2019
        return adatetime(*(int(p) for p in value.split("-"))).ceil()
    return when


def _hit(handle: Handle, q: wq.Query, r: Ranked, explain: bool, marks: dict[str, snippets.QueryTerms]) -> Hit:
    stored = handle.searcher.stored_fields(r.docnum)
    lang = stored.get("lang") or "und"
    fl = lang if lang in LANGS else "xx"
    terms = marks.get(fl)
    if terms is None:
        terms = marks[fl] = snippets.query_terms(q, {f"body_{fl}", f"title_{fl}"})
    twin, _ = handle.partners.get(stored["id"], (None, 0.0))
    twin_doc = handle.stored(twin) if twin else None
    hit = Hit(
        id=stored["id"], lang=lang, title=stored.get("title"), date=stored.get("date_text"),
        place=stored.get("place"), source=stored.get("source"), score=round(r.score, 4),
        snippet=snippets.snippet(stored.get("body") or "", handle.words(lang), terms),
        twin=twin if twin_doc else None, twin_title=twin_doc.get("title") if twin_doc else None,
        twin_lang=twin_doc.get("lang") if twin_doc else None, url=stored.get("url"), path=stored.get("path"),
    )
    if explain:
        hit.paths, hit.matched = _explain(handle, q, r)
    return hit


def _explain(handle: Handle, q: wq.Query, r: Ranked) -> tuple[list[str], dict[str, list[str]]]:
    """Which paths found a result, and which translated words its own text contains."""
    paths: list[str] = []
    matched: dict[str, list[str]] = {}
    if r.own:
        translated = handle.parser.context.translated
        terms = handle.ranker.matched_terms(q, r.docnum)
        for key in terms:
            if key in translated:
                word, translation = translated[key]
                if translation not in matched.setdefault(word, []):
                    matched[word].append(translation)
            elif "text" not in paths:
                paths.append("text")
        if not terms:  # a phrase, prefix or range: no single word to tell
            paths.append("text")
        if matched:
            paths.append("translation")
    if r.twin:
        paths.append("twin")
    return paths, matched


def suggest(handle: Handle, query: str, lang: str | None, date_from: str | None, date_to: str | None,
            source: str | None, total: int) -> str | None:
    """A spelling correction from the index's own vocabulary, if it finds more than `query` did.

    Each unknown word is replaced by the known word nearest to it (one edit before two), and among
    equally near ones by the one the most documents use."""
    corrected, changed = query, False
    for word in set(re.findall(r"(?<![\w:*?~])[^\W\d_]{3,}(?![\w:*?~])", query)):
        low = word.lower()
        if low in OPERATORS or low in handle.vocabulary:
            continue
        candidates = handle.vocabulary.near(low, 1) or handle.vocabulary.near(low, 2)
        if candidates:
            best = max(candidates, key=lambda c: (handle.document_frequency(c), c))
            corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", best, corrected)
            changed = True
    if not changed:
        return None
    try:
        better_q = parse(handle, corrected)
    except QueryError:  # corrected into stop words only
        return None
    _, better = _rank(handle, better_q, lang, _filters(handle, date_from, date_to, source), 1)
    return corrected if better > total else None


def warm(index_dir: str | Path | None = None, budget: int | None = None) -> dict:
    """Loads the serving generation's most used postings (up to `budget` postings, by default as
    many as the cache holds), so that the first searches after it are as fast as later ones. For servers: a
    search also works, just slower, without it."""
    started = time.perf_counter()
    handle = open_handle(index_dir)
    terms, postings = handle.ranker.warm(handle.ranker.shared.postings.limit if budget is None else budget)
    words = _warm_words(handle)
    return {"generation": handle.gen.name, "terms": terms, "postings": postings, "words": words,
            "seconds": round(time.perf_counter() - started, 2)}


def _warm_words(handle: Handle, sample: int = WARM_WORD_DOCUMENTS) -> int:
    """Analyzes the words of an even sample of stored releases, as snippets will: the common words of
    the archive are then known to `word_analyzer`, and a snippet mostly looks its words up."""
    reader = handle.searcher.reader()
    step = max(1, reader.doc_count_all() // sample)
    for docnum in range(0, reader.doc_count_all(), step):
        if not reader.is_deleted(docnum):
            stored = reader.stored_fields(docnum)
            for _ in handle.words(stored.get("lang") or "xx")(stored.get("body") or ""):
                pass
    return sum(map(len, _word_analyzers))


def get(doc_id: str, index_dir: str | Path | None = None) -> dict | None:
    """One document with all its fields, or None."""
    handle = open_handle(index_dir)
    stored = handle.stored(doc_id)
    if stored is None:
        return None
    twin, score = handle.partners.get(doc_id, (None, None))
    return {
        "id": stored["id"], "lang": stored.get("lang"), "lang_prob": stored.get("lang_prob"),
        "title": stored.get("title"), "body": stored.get("body"), "date": stored.get("date_text"),
        "place": stored.get("place"), "source": stored.get("source"), "cited": stored.get("cited") or [],
        "editor": stored.get("editor"),
        "url": stored.get("url"), "path": stored.get("path"), "twin": twin, "twin_score": score,
    }


def highlight(text: str, query: str, lang: str | None, index_dir: str | Path | None = None) -> str:
    """All of `text` as escaped HTML with what `query` matches in the language `lang` marked."""
    handle = open_handle(index_dir)
    fl = lang if lang in LANGS else "xx"
    try:
        q = parse(handle, _check_query(query))
    except QueryError:
        return snippets.render(text, [])
    return snippets.highlight(text, handle.words(fl), snippets.query_terms(q, {f"body_{fl}", f"title_{fl}"}))
