"""A translation lexicon learned from the archive's own twins: words that co-occur across linked pairs.

For each linked German/English pair, each side's analyzed terms are collected; a German and an
English term that turn up together in several pairs, and rarely apart (Dice coefficient), and
that are each other's best partner (competitive linking, against chance co-occurrences), are taken
as translations of each other. It needs no dictionary and knows the archive's own vocabulary
(names of programmes, jargon), and it grows with the archive: a rebuild learns it from the current
links (the most recent `MAX_PAIRS` of them, and the opening `TEXT_CHARS` of each side, to bound the
cost), and an update relearns it once the number of pairs has changed by `RELEARN_CHANGE`.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import lang, store
from ..model import Link

log = logging.getLogger(__name__)

LEXICON = "lexicon.json"
MAX_PAIRS = 3000  # bounds the build-time cost: a few ms of analysis per pair
TEXT_CHARS = 3000
RELEARN_CHANGE = 0.1
TERMS_PER_DOC = 80  # the rarest of each document's terms (within the pairs) take part
MIN_PAIRS = 3  # a word pair must co-occur in at least this many twin pairs
MAX_SHARE = 0.3  # terms in more pairs than this share say nothing about each other
MIN_DICE = 0.5
PER_TERM = 3


@dataclass
class Learned:
    """Term translations learned from `pairs` twin pairs: `en["cooper"]` -> `(("kooperation", 0.8), ...)`."""

    pairs: int = 0
    de: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    en: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        return len(self.de) + len(self.en)

    def translations(self, lang: str, term: str) -> list[tuple[str, float]]:
        return (self.de if lang == "de" else self.en).get(term, [])


Stored = Callable[[str], dict | None]  # a document's stored fields by id


def learn(stored: Stored, links: list[Link]) -> Learned:
    """Learns from the twin `links` of an index whose stored titles and bodies `stored` gives."""
    pairs = [(link.de, link.en) for link in links][-MAX_PAIRS:]
    analyzers = {code: lang.chain(code) for code in ("de", "en")}
    docs: list[tuple[set[str], set[str]]] = []
    for de_id, en_id in pairs:
        de_doc, en_doc = stored(de_id), stored(en_id)
        if de_doc and en_doc:
            docs.append((_terms(analyzers["de"], de_doc), _terms(analyzers["en"], en_doc)))
    if not docs:
        return Learned()
    df_de = Counter(t for de, _ in docs for t in de)
    df_en = Counter(t for _, en in docs for t in en)
    most = max(MIN_PAIRS + 1, MAX_SHARE * len(docs))
    together: Counter[tuple[str, str]] = Counter()
    for de, en in docs:
        de_terms = _rarest(de, df_de, most)
        en_terms = _rarest(en, df_en, most)
        together.update((d, e) for d in de_terms for e in en_terms if d != e)
    dice = {(d, e): 2 * n / (df_de[d] + df_en[e]) for (d, e), n in together.items() if n >= MIN_PAIRS}
    best_de: dict[str, float] = defaultdict(float)
    best_en: dict[str, float] = defaultdict(float)
    for (d, e), score in dice.items():
        best_de[d] = max(best_de[d], score)
        best_en[e] = max(best_en[e], score)
    forward: dict[str, list[tuple[str, float]]] = defaultdict(list)
    backward: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (d, e), score in dice.items():
        if score >= MIN_DICE and score == best_de[d] == best_en[e]:
            forward[d].append((e, round(score, 3)))
            backward[e].append((d, round(score, 3)))
    return Learned(len(docs), {t: c[:PER_TERM] for t, c in forward.items()},
                   {t: c[:PER_TERM] for t, c in backward.items()})


def _terms(analyzer, doc: dict) -> set[str]:
    text = f"{doc.get('title') or ''}\n{doc.get('body') or ''}"[:TEXT_CHARS]
    return {t.text for t in analyzer(text) if len(t.text) > 2 and not t.text[0].isdigit()}


def _rarest(terms: set[str], df: Counter[str], most: float) -> list[str]:
    usable = [t for t in terms if MIN_PAIRS <= df[t] <= most]
    usable.sort(key=lambda t: (df[t], t))
    return usable[:TERMS_PER_DOC]


def learn_and_save(stored: Stored, links: list[Link], gen: Path) -> Learned:
    """Learns the lexicon into generation `gen`, unless the one it was cloned from still fits."""
    previous = load(gen)
    if previous.pairs and abs(min(len(links), MAX_PAIRS) - previous.pairs) < RELEARN_CHANGE * previous.pairs:
        return previous
    learned = learn(stored, links)
    store.write_json(gen, LEXICON, {"pairs": learned.pairs, "de": learned.de, "en": learned.en})
    log.info("learned %d translations from %d twin pairs", learned.entries, learned.pairs)
    return learned


def load(gen: Path) -> Learned:
    data = store.read_json(gen, LEXICON, {})
    return Learned(data.get("pairs", 0), {t: [tuple(x) for x in v] for t, v in data.get("de", {}).items()},
                   {t: [tuple(x) for x in v] for t, v in data.get("en", {}).items()})
