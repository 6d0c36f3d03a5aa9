"""What one query word searches for in one field: the word, its compound parts, its translations.

`ExpandingParser` is Whoosh's QueryParser with one hook changed: a plain word in a German or
English text field becomes

    word  OR  (modifier ANDMAYBE head)^(part / parts)  OR  Synonyms(translations)^translation

(weights from `tuning`), so a compound (or a hyphenated word, `NTL-Dienste`) also finds documents
that use its parts apart (below documents that use the compound: together its parts weigh about one
word; its modifier alone about half: a release on the `Tsunami` answers `Tsunamiopfer` too), and a
word in one language also finds documents in the other through its translations, weighted below a
match of the word itself, all translations of one word counting as one concept. In German,
whose stemmer keeps a name's genitive `-s`, a word is also searched in its other form where the index
has it (`May` as `Mays`, `Warschaus` as `Warschau`, one term; in phrases too). Phrases, prefixes and
other syntax pass through otherwise unchanged; names are not translated (see `translation.names`).

Unfielded words are spread over every language's title and body fields, and `title:`/`body:` over
their language variants (`FieldGroupsPlugin`). The `QueryContext` of a query (made by `parse`)
carries its language and records which terms came from translation, for `--explain`; the parser
holds it only while it parses that query. A query of words alone (most are) skips Whoosh's tagging and
normalizing: `plain_query` builds the same tree from each word's remembered concept.
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.qparser import (
    FieldsPlugin,
    GtLtPlugin,
    OrGroup,
    PhrasePlugin,
    Plugin,
    QueryParser,
    RangePlugin,
    WhitespacePlugin,
    WildcardPlugin,
    syntax,
)

from .. import lang, tuning
from ..analysis import HyphenFilter, normalize_words
from ..lang import compounds
from ..translation import Translator
from .concepts import Concept, ConceptGroup
from .fields import field_language, groups
from .synonyms import Synonyms
from .tree import leaves


@dataclass
class QueryContext:
    """Per-query state: the query's language, what to leave untranslated, what translation added."""

    lang: str | None = None
    translator: Translator | None = field(default=None, repr=False)
    names: frozenset[str] = frozenset()
    translation_boost: float = 1.0  # `tuning.translation` or `tuning.mixed_translation`
    drop_stop_words: bool = True  # False when the query is nothing but stop words (`AND`)
    # (fieldname, term) -> (query word, translated word): which terms a translation added
    translated: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (fieldname, term) of the query's words themselves, and of their compound parts: snippets mark a
    # release's word that only shares a part (`Finanzbereich` for `Finanztechnologie`) as a part match
    words: set[tuple[str, str]] = field(default_factory=set)
    parts: set[tuple[str, str]] = field(default_factory=set)


REMEMBERED_EXPANSIONS = 10_000  # (word, field) expansions and word concepts a parser keeps for later queries
CONCEPT = "concept"  # marks a remembered word concept's key
NON_SPACE = re.compile(r"\S+")  # a word, as Whoosh's parser reads it between runs of `\s+`

HasTerm = Callable[[str, str], bool]  # does the index have this term in this field?
Lists = Callable[[str, str], bool]  # does the dictionary list this word of this language as an entry?


class ExpandingParser(QueryParser):
    """QueryParser whose plain words also search compound parts, translations and genitive forms."""

    def __init__(self, *args, has_term: HasTerm | None = None, lists: Lists | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_term = has_term
        self.lists = lists
        self.context = QueryContext()
        self._expansions: OrderedDict[tuple, tuple] = OrderedDict()  # see `_remembered`
        self._syntax: list[re.Pattern | None] | None = None  # see `plain_words`
        self.field_groups = groups(self.schema.names())
        # whether this index's analyzers split compounds (an index can be built without: $TWINSEARCH_COMPOUNDS)
        self.splits_compounds = {
            code: any(isinstance(f, HyphenFilter) and f.splitter is not None for f in self.schema[name].analyzer.items)
            for code in lang.codes() if (name := f"body_{code}") in self.schema}

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        """The expansion of one word in one field, remembered for the next queries of this parser (its
        index's generation): analysis, parts, translations and genitive lookups were a third of parsing
        a question. The query tree is shared (nothing changes a query's terms once made), its top node
        copied for the position Whoosh's parser sets on it."""
        q = self._remembered((fieldname, text, termclass, boost, tokenize, removestops, *self._settings(text)),
                             lambda: self._expand(fieldname, text, termclass, boost, tokenize, removestops))
        return copy.copy(q) if q is not None else None

    def plain_words(self, text: str) -> list[str] | None:
        """The words of a query that is nothing but words, as Whoosh's parser reads them (runs of
        non-space); None where any of its taggers but whitespace finds something (an operator, field,
        quote, wildcard, group, range or boost), or has no pattern to tell."""
        if self._syntax is None:  # plugins are final by the first query (`make_parser` changes them)
            self._syntax = [getattr(t, "expr", None) for t in self.taggers() if not isinstance(t, WhitespacePlugin)]
        if any(expr is None or expr.search(text) for expr in self._syntax):
            return None
        return NON_SPACE.findall(text)

    def plain_query(self, words: list[str]) -> wq.Query:
        """The tree `parse` makes of `words` (from `plain_words`), built from remembered concepts: each word
        a `Concept` over every text field, normalized once, joined as Whoosh's normalize joins them. On a
        question most words were seen before, and Whoosh's tagging, filtering and normalizing of the same
        trees again was half of parsing it."""
        return _normal_or([self._concept(word) for word in words])

    def _concept(self, word: str) -> wq.Query:
        """What Whoosh's parser makes of one unfielded word: a `Concept` of its expansions in each text field
        (`FieldGroupsPlugin`), normalized."""
        def make() -> wq.Query:
            found = (self.term_query(f, word, self.termclass) for f in self.field_groups[None])
            return Concept([q for q in found if q is not None]).normalize()
        return self._remembered((CONCEPT, word, *self._settings(word)), make)

    def _settings(self, text: str) -> tuple:
        """What of the query's context and tuning changes the expansion of `text`."""
        ctx = self.context
        return (ctx.lang, ctx.translator is not None, text in ctx.names, ctx.translation_boost, ctx.drop_stop_words,
                tuning.current())

    def _remembered(self, key: tuple, make: Callable[[], wq.Query | None]) -> wq.Query | None:
        """`make()`, remembered under `key` with what it records in the query's context (its words, parts and
        translations), which is recorded again each time it is used."""
        ctx = self.context
        known = self._expansions.get(key)
        if known is not None:
            self._expansions.move_to_end(key)
        else:
            self.context = QueryContext(ctx.lang, ctx.translator, ctx.names, ctx.translation_boost,
                                        ctx.drop_stop_words)
            try:
                q = make()
                known = (q, self.context.words, self.context.parts, self.context.translated)
            finally:
                self.context = ctx
            if len(self._expansions) >= REMEMBERED_EXPANSIONS:
                self._expansions.popitem(last=False)  # the least recently used
            self._expansions[key] = known
        q, words, parts, translated = known
        ctx.words.update(words)
        ctx.parts.update(parts)
        for term, source in translated.items():
            ctx.translated.setdefault(term, source)
        return q

    def _expand(self, fieldname, text, termclass, boost, tokenize, removestops):
        code = field_language(fieldname)
        ctx = self.context
        weights = tuning.current()
        if weights.title != 1.0 and fieldname.startswith("title_"):
            boost *= weights.title
        if ctx.lang and ctx.drop_stop_words and termclass is wq.Term and \
                text.lower() in lang.get(ctx.lang).search_stop_words:
            return None  # an English `the` must not search German text, nor a German `die` English text
        if code is None or termclass is not wq.Term:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        q = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        if type(q) is wq.Term and lang.get(code).genitive_s:
            q = self._with_genitive(q, code, text)
        if q is not None:
            ctx.words.update((leaf.fieldname, leaf.text) for leaf in leaves(q) if type(leaf) is wq.Term)
        alternatives = [q] if q is not None else []
        if code in self.splits_compounds:
            parts = _parts(text, code, split=self.splits_compounds[code])
            ctx.parts.update((fieldname, p) for p in parts)
            if parts:  # one concept: the parts together weigh about one word, not one word each
                alternatives.append(_apart(fieldname, parts, weights.part * boost / len(parts), weights.modifier_alone))
        translation = self._translation(fieldname, code, text)
        if translation is not None:
            translation.boost = ctx.translation_boost * boost  # made just now: no copy needed (`with_boost`)
            alternatives.append(translation)
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)

    def _with_genitive(self, q: wq.Term, code: str, word: str) -> wq.Query:
        """`May` also as `Mays`, `Warschaus` also as `Warschau` (the stemmer keeps a name's genitive `-s`), as
        one term, where the index has the other form and the dictionary does not list it as a word of its own
        (`Haus` is not `Hau`, `Kur` not `Kurs`)."""
        other = genitive_other(q.text)
        if other is None or self.has_term is None or not self.has_term(q.fieldname, other):
            return q
        if self.lists is not None and self.lists(code, word if word.endswith("s") else word + "s"):
            return q
        return Synonyms.of(q.fieldname, {q.text: 1.0, other: 1.0}, boost=q.boost)

    def _translation(self, fieldname: str, code: str, word: str) -> wq.Query | None:
        """The word's translations into `code`, searched in `fieldname`, as one synonym group."""
        ctx = self.context
        source = lang.other(code)
        if source is None or ctx.translator is None or ctx.lang not in (None, source) or word in ctx.names:
            return None
        own = normalize_words(code, [word])[0]
        whole = ctx.translator.translate(source, word)
        if not whole and lang.get(source).genitive_s and word.endswith("s") and genitive_other(word.lower()):
            whole = ctx.translator.translate(source, word[:-1])  # `Warschaus`: as `Warschau`
        groups = [whole] if whole else []
        if not groups and lang.get(source).compounds:  # `Kooperationsvereinbarung`: cooperation AND agreement
            groups = _part_translations(ctx.translator, source, word)
        queries = []
        for targets in groups:
            targets = {t: w for t, w in targets.items() if t != own}
            if not targets:
                return None  # every part must translate, or the parts say too little
            for target in targets:
                shown = ctx.translator.word(code, target)
                for term in target.split(" "):
                    ctx.translated.setdefault((fieldname, term), (word, shown))
            queries.append(_translations(fieldname, targets))
        if not queries:
            return None
        return queries[0] if len(queries) == 1 else wq.And(queries)


def _part_translations(translator: Translator, source: str, word: str) -> list[dict[str, float]]:
    """The translations of a compound's parts, one group per part: each hyphenated piece whole where the
    dictionary knows it (`Dampfmaschinen-Indikator`: steam engine, indicator), else its compound parts
    (`Kooperationsvereinbarung`: cooperation, agreement); [] if there are not two parts."""
    groups = []
    for piece in _pieces(word):
        whole = translator.translate(source, piece)
        groups.extend([whole] if whole else [translator.translate(source, part) for part in compounds.split(piece)]
                      or [{}])
    return groups if len(groups) >= 2 else []


def phrase_concepts(ctx: QueryContext, words: list[str], fieldnames: list[str]) -> list[wq.Query]:
    """Runs of two or three query words that the dictionary lists as one entry (`stock exchange`, `radio
    waves`), each translated as a whole (`Börse`, `Funkwellen`) into a concept of its own over the other
    language's `fieldnames` (those of the index), weighing as its words together; the words themselves stay
    concepts as they were."""
    source = ctx.lang
    target = lang.other(source) if source else None
    if ctx.translator is None or target is None or not tuning.current().phrase_sources:
        return []
    fields = [f for f in fieldnames if field_language(f) == target]
    concepts, i = [], 0
    while i < len(words) - 1:
        for n in (3, 2):
            run = words[i:i + n]
            targets = ctx.translator.phrase(source, run) if len(run) == n else {}
            if targets:
                shown = " ".join(run)
                for f in fields:
                    for t in targets:
                        for term in t.split(" "):
                            ctx.translated.setdefault((f, term), (shown, ctx.translator.word(target, t)))
                # it stands for all its words: weighed as they would be together
                concepts.append(Concept([_translations(f, targets) for f in fields], boost=n * ctx.translation_boost))
                i += n - 1
                break
        i += 1
    return concepts


def _translations(fieldname: str, targets: dict[str, float]) -> wq.Query:
    """One word's translations: the one-word ones as one synonym group, each of several words (`prime minist`)
    as all its terms, together weighing what one word would."""
    words = {t: w for t, w in targets.items() if " " not in t}
    phrases = [wq.And([wq.Term(fieldname, term) for term in t.split(" ")], boost=w / (t.count(" ") + 1))
               for t, w in targets.items() if " " in t]
    alternatives = ([Synonyms.of(fieldname, words)] if words else []) + phrases
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


def genitive_other(term: str) -> str | None:
    """The index term of the other form of a name with or without its genitive `-s`; None where there is
    none (a term ending in s, ß, x or z takes no `-s`; too short a term is no name)."""
    if len(term) < 3:
        return None
    if term.endswith("s"):
        return term[:-1] if len(term) > 3 and not term.endswith(("ss", "xs", "zs")) else None
    return None if term.endswith(("ß", "x", "z")) else term + "s"


def _apart(fieldname: str, parts: list[str], boost: float, modifier_alone: bool) -> wq.Query:
    """A compound's parts written apart: all of them or, with `modifier_alone`, its modifiers (all but the last
    part, the head), the head adding where it is there too. The modifier is what makes a compound specific
    (`Tsunami` in `Tsunamiopfer`); its head alone (`Opfer`) would find every release about any victims."""
    if not modifier_alone:
        return wq.And([wq.Term(fieldname, p) for p in parts], boost=boost)
    *modifiers, head = [wq.Term(fieldname, p, boost=boost) for p in parts]
    return wq.AndMaybe(modifiers[0] if len(modifiers) == 1 else wq.Or(modifiers), head)


def _pieces(word: str) -> list[str]:
    """A word's hyphen- or apostrophe-separated pieces (`NTL-Dienste` -> `NTL`, `Dienste`)."""
    return [p for p in word.replace("’", "-").replace("'", "-").split("-") if p]


def _parts(word: str, code: str, split: bool = True) -> list[str]:
    """The index terms of a hyphenated word's pieces (`NTL-Dienste`) and, with `split`, of a German
    compound's parts (`Kooperationsvereinbarung`); [] if there are not two."""
    parts = [part for piece in _pieces(word) for part in ((split and compounds.split(piece)) or (piece.lower(),))]
    if len(parts) < 2:
        return []
    return list(dict.fromkeys(t for t in normalize_words(code, parts) if t))


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
            if name not in parser.field_groups and name in parser.schema and parser.schema[name].indexed:
                continue
            if name not in parser.field_groups:
                if isinstance(node, syntax.WordNode):
                    node.text = f"{name} {node.text}"
                name = None
            variants = []
            for fieldname in parser.field_groups[name]:
                variant = copy.copy(node)
                variant.set_fieldname(fieldname, override=True)
                variants.append(variant)
            group[i] = ConceptGroup(variants)
        return group


def make_parser(schema, has_term: HasTerm | None = None, lists: Lists | None = None) -> ExpandingParser:
    parser = ExpandingParser(None, schema, group=OrGroup, has_term=has_term, lists=lists)
    parser.phraseclass = lambda *args, **kwargs: _phrase(parser, *args, **kwargs)
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(FieldsPlugin(remove_unknown=False))
    parser.add_plugin(FieldGroupsPlugin())
    return parser


def plain_parser(schema, has_term: HasTerm | None = None, lists: Lists | None = None) -> ExpandingParser:
    """Words only: what a malformed query degrades to."""
    parser = make_parser(schema, has_term, lists)
    for plugin in (PhrasePlugin, RangePlugin, GtLtPlugin, WildcardPlugin):
        parser.remove_plugin_class(plugin)
    return parser


def _phrase(parser: ExpandingParser, fieldname: str, words: list[str], **kwargs) -> wq.Query:
    """A phrase, and in a language whose names take a genitive `-s`, the phrase with one of its words in
    the other form where the index has it (`"Theresa May"` also finds `Theresa Mays Regierung`)."""
    phrase = wq.Phrase(fieldname, words, **kwargs)
    code = field_language(fieldname)
    if code is None or not lang.get(code).genitive_s or parser.has_term is None:
        return phrase
    variants = [phrase]
    for i, word in enumerate(words):
        other = genitive_other(word)
        if other is not None and parser.has_term(fieldname, other):
            variants.append(wq.Phrase(fieldname, [*words[:i], other, *words[i + 1:]], **kwargs))
    return variants[0] if len(variants) == 1 else wq.Or(variants)


def _normal_or(children: list[wq.Query]) -> wq.Query:
    """`wq.Or(children).normalize()` for children that are normalized already: Whoosh's
    `CompoundQuery.normalize` without normalizing them again (words alone hold no `Every` and no range)."""
    flat: list[wq.Query] = []
    for child in children:
        if isinstance(child, wq.Or):
            flat += [sub.with_boost(sub.boost * child.boost) for sub in child]
        else:
            flat.append(child)
    kept: list[wq.Query] = []
    seen: set[wq.Query] = set()
    for child in flat:
        if child is not wq.NullQuery and child not in seen:
            seen.add(child)
            kept.append(child)
    if not kept:
        return wq.NullQuery
    return kept[0] if len(kept) == 1 else wq.Or(kept)
