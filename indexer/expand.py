"""What one query word searches for in one field: the word, its compound parts, its translations.

`ExpandingParser` is Whoosh's QueryParser with one hook changed: a plain word in a German or
English text field becomes

    word  OR  (part AND part)^(PART_BOOST / parts)  OR  Synonyms(translations)^TRANSLATION_BOOST

so a compound (or a hyphenated word, `NTL-Dienste`) also finds documents that use its parts apart
(below documents that use the compound: together its parts weigh less than one word),
and a word in one language also finds documents in the other through its translations, weighted
below a match of the word itself, all translations of one word counting as one concept. Phrases,
prefixes and other syntax pass through unchanged; so do names (see `translate.names`). The
parser's `context` (set per query by `search.parse`) carries the query's language and records
which terms came from translation, for `--explain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.qparser import QueryParser

from . import compounds
from .analysis import STOPS, HyphenFilter, normalize_words
from .synonyms import Synonyms
from .translate import OTHER, Translator

PART_BOOST = 1.2  # spread over the parts: `Investment ... Fonds` apart weigh 0.6 each, below `Investmentfonds`
TRANSLATION_BOOST = 0.6  # a translation's match counts less than the word itself
MIXED_TRANSLATION_BOOST = 0.3  # less still where both languages are listed together: the query's own first
FIELD_LANG = {f"{kind}_{lang}": lang for kind in ("title", "body") for lang in ("de", "en")}


@dataclass
class QueryContext:
    """Per-query state: the query's language, what to leave untranslated, what translation added."""

    lang: str | None = None
    translator: Translator | None = None
    names: frozenset[str] = frozenset()
    translation_boost: float = TRANSLATION_BOOST
    drop_stop_words: bool = True  # False when the query is nothing but stop words (`AND`)
    # (fieldname, term) -> (query word, translated word): which terms a translation added
    translated: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


class ExpandingParser(QueryParser):
    """QueryParser whose plain words also search compound parts and translations."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.context = QueryContext()
        self.splits_compounds = any(isinstance(f, HyphenFilter) and f.splitter is not None
                                    for f in self.schema["body_de"].analyzer.items)

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        lang = FIELD_LANG.get(fieldname)
        ctx = self.context
        if ctx.lang and ctx.drop_stop_words and termclass is wq.Term and text.lower() in STOPS[ctx.lang]:
            return None  # an English `the` must not search German text, nor a German `die` English text
        if lang is None or termclass is not wq.Term:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        q = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        alternatives = [q] if q is not None else []
        if lang in ("de", "en"):
            parts = _parts(text, lang, split=lang == "de" and self.splits_compounds)
            if parts:  # one concept: the parts together weigh about one word, not one word each
                alternatives.append(wq.And([wq.Term(fieldname, p) for p in parts],
                                           boost=PART_BOOST * boost / len(parts)))
        translation = self._translation(fieldname, lang, text)
        if translation is not None:
            translation.boost = ctx.translation_boost * boost  # made just now: no copy needed (`with_boost`)
            alternatives.append(translation)
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)

    def _translation(self, fieldname: str, lang: str, word: str) -> wq.Query | None:
        """The word's translations into `lang`, searched in `fieldname`, as one synonym group."""
        ctx = self.context
        source = OTHER[lang]
        if ctx.translator is None or ctx.lang not in (None, source) or word in ctx.names:
            return None
        own = normalize_words(lang, [word])[0]
        whole = ctx.translator.translate(source, word)
        groups = [whole] if whole else []
        if not groups and source == "de":  # `Kooperationsvereinbarung`: cooperation AND agreement
            groups = [ctx.translator.translate("de", part) for part in _parts(word, "de", stemmed=False)]
        queries = []
        for targets in groups:
            targets = {t: w for t, w in targets.items() if t != own}
            if not targets:
                return None  # every part must translate, or the parts say too little
            for target in targets:
                ctx.translated.setdefault((fieldname, target), (word, ctx.translator.word(lang, target)))
            queries.append(Synonyms.of(fieldname, targets))
        if not queries:
            return None
        return queries[0] if len(queries) == 1 else wq.And(queries)


def _parts(word: str, lang: str, split: bool = True, stemmed: bool = True) -> list[str]:
    """The index terms (or words) of a hyphenated word's pieces (`NTL-Dienste`) and, with `split`, of a
    German compound's parts (`Kooperationsvereinbarung`); [] if there are not two."""
    pieces = [p for p in word.replace("’", "-").replace("'", "-").split("-") if p]
    parts = [part for piece in pieces for part in ((split and compounds.split(piece)) or (piece.lower(),))]
    if len(parts) < 2:
        return []
    return list(dict.fromkeys(t for t in (normalize_words(lang, parts) if stemmed else parts) if t))
