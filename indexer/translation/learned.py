"""A translation lexicon learned from the archive's own twins: words that meet across linked pairs.

For each linked German/English pair, each side's sentences are analyzed; a German and an English term
that meet in sentences at about the same place of the two texts (a translation keeps the order of what
it says) in several pairs, and rarely apart (Dice coefficient over the pairs), and that are each other's
best partner (competitive linking, against chance co-occurrences), are taken as translations of each
other. A term the two twins of a pair share as it is (a name, `Brexit`, a word spelled alike) is its own
translation and is never mapped to another word. The lexicon needs no dictionary and knows the archive's
own vocabulary (names of programmes, jargon), and it grows with the archive: a rebuild learns it from
the current links (the most recent `MAX_PAIRS` of them, and the opening `TEXT_CHARS` of each side, to
bound the cost), and an update relearns it once the number of pairs has changed by `RELEARN_CHANGE`.
Its precision on a judged sample: `python -m benchmarks.lexicon` (RESULTS.md).
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import lang, store
from ..analysis import TOKEN, WordAnalyzer, normalize_words, word_analyzer
from ..model import Link

log = logging.getLogger(__name__)

LEXICON = "lexicon.json"
MAX_PAIRS = 3000  # bounds the build-time cost: a few ms of analysis per pair
PARALLEL_FROM = 400  # pairs; fewer are analyzed in the building process (starting processes costs more)
TEXT_CHARS = 3000
RELEARN_CHANGE = 0.1
TERMS_PER_DOC = 80  # the rarest of each document's terms (within the pairs) take part
MIN_PAIRS = 3  # a word pair must co-occur in at least this many twin pairs
MAX_SHARE = 0.3  # terms in more pairs than this share say nothing about each other
MIN_DICE = 0.5
PER_TERM = 3
ALIGN_SENTENCES = 4  # sentences either side of the place where a German sentence's translation should be
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


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
Sentences = list[tuple[str, ...]]  # the distinct terms of each sentence of a text


@dataclass
class Analyzed:
    """The pairs' sentences as terms, and, of their words as written, what `_carried_over` counts: in
    how many pairs each word is on the German side, on the English side, and on both. Counted where the
    pairs are analyzed, since each pair's own word sets, strings and all, were most of the memory
    learning took (3,000 pairs: 280 MB)."""

    pairs: list[tuple[Sentences, Sentences]] = field(default_factory=list)
    words_de: Counter[str] = field(default_factory=Counter)
    words_en: Counter[str] = field(default_factory=Counter)
    shared: Counter[str] = field(default_factory=Counter)

    def add(self, other: Analyzed) -> None:
        self.pairs += other.pairs
        self.words_de.update(other.words_de)
        self.words_en.update(other.words_en)
        self.shared.update(other.shared)


def learn(stored: Stored, links: list[Link], workers: int = 1) -> Learned:
    """Learns from the twin `links` of an index whose stored titles and bodies `stored` gives; the pairs'
    texts are analyzed in `workers` processes where there are enough of them (`PARALLEL_FROM`)."""
    texts = []
    for link in links[-MAX_PAIRS:]:
        de_doc, en_doc = stored(link.de), stored(link.en)
        if de_doc and en_doc:
            texts.append((_text(de_doc), _text(en_doc)))
    analyzed = _analyzed(texts, workers)
    docs = analyzed.pairs
    if not docs:
        return Learned()
    df_de = Counter(t for de, _ in docs for t in set().union(*de))
    df_en = Counter(t for _, en in docs for t in set().union(*en))
    together = _together(docs, df_de, df_en, max(MIN_PAIRS + 1, MAX_SHARE * len(docs)))
    carried_de, carried_en = _carried_over(analyzed)
    dice = {(d, e): 2 * n / (df_de[d] + df_en[e]) for (d, e), n in together.items()
            if d not in carried_de and e not in carried_en}
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
    return Learned(len(docs), {t: _best(c) for t, c in forward.items()}, {t: _best(c) for t, c in backward.items()})


def _best(candidates: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The `PER_TERM` best translations, ties in alphabetical order (not in the order of a set, which
    changes from process to process)."""
    return sorted(candidates, key=lambda c: (-c[1], c[0]))[:PER_TERM]


def _carried_over(analyzed: Analyzed) -> tuple[set[str], set[str]]:
    """The German and English terms of words that the twins of a pair share as they are (names, `Brexit`,
    words spelled alike), compared as written, since the two stemmers cut a name differently
    (`bremerhav`, `bremerhaven`): such a word is its own translation and never stands for another word,
    however often the two meet. A false friend (German `war`, English `war`) is not shared by the same
    pairs, so it stays."""
    df_de, df_en = analyzed.words_de, analyzed.words_en
    words = sorted(w for w, n in analyzed.shared.items() if 2 * n / (df_de[w] + df_en[w]) >= MIN_DICE)
    return set(filter(None, normalize_words("de", words))), set(filter(None, normalize_words("en", words)))


def _text(doc: dict) -> str:
    """The title and the opening of the body: what a pair's lexicon is learned from."""
    return f"{doc.get('title') or ''}\n{doc.get('body') or ''}"[:TEXT_CHARS]


def _analyzed(texts: list[tuple[str, str]], workers: int) -> Analyzed:
    """`_analyze` of every pair, in `workers` processes (forked: they share the parent's remembered words)."""
    if workers <= 1 or len(texts) < PARALLEL_FROM:
        return _analyze(texts)
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    size = -(-len(texts) // workers)
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        found = Analyzed()
        for part in pool.map(_analyze, [texts[i:i + size] for i in range(0, len(texts), size)]):
            found.add(part)
        return found


def _analyze(texts: list[tuple[str, str]]) -> Analyzed:
    """Each pair's German and English sentences as terms, and the counts of its words as written."""
    words = {code: word_analyzer(lang.chain(code)) for code in ("de", "en")}  # each word analyzed once
    found = Analyzed()
    for de, en in texts:
        found.pairs.append((_sentences(words["de"], de), _sentences(words["en"], en)))
        de_words, en_words = _words(de), _words(en)
        found.words_de.update(de_words)
        found.words_en.update(en_words)
        found.shared.update(de_words & en_words)
    return found


def _words(text: str) -> set[str]:
    """The words of a text as written (lower case)."""
    return {w.lower() for w in TOKEN.findall(text)}


def _sentences(words: WordAnalyzer, text: str) -> Sentences:
    """The analyzed terms of each sentence of a text (tuples: a set is six times the size)."""
    return [tuple({term for term, _, _ in words(sentence) if len(term) > 2 and not term[0].isdigit()})
            for sentence in SENTENCE_END.split(text) if sentence.strip()]


def _together(docs: list[tuple[Sentences, Sentences]], df_de: Counter[str], df_en: Counter[str],
              most: float) -> dict[tuple[str, str], int]:
    """In how many pairs each (German, English) term pair meets, where that is at least `MIN_PAIRS`: terms
    meet in sentences at about the same place in the two texts (a translation keeps the order of what it
    says, so a word's translation is near it, not anywhere). Each pair takes part with its `TERMS_PER_DOC`
    rarest terms. The meetings are counted as integer codes with numpy: millions of them at `MAX_PAIRS`."""
    ids: dict[str, int] = {}  # one numbering for both languages: a term does not translate itself
    met = []
    for de, en in docs:
        usable_de = set(_rarest(set().union(*de), df_de, most))
        usable_en = set(_rarest(set().union(*en), df_en, most))
        de_ids = [[ids.setdefault(t, len(ids)) for t in sorted(usable_de.intersection(s))] for s in de]
        en_ids = [[ids.setdefault(t, len(ids)) for t in sorted(usable_en.intersection(s))] for s in en]
        found = []
        for i, terms in enumerate(de_ids):
            if not terms:
                continue
            middle = int((i + 0.5) / len(de_ids) * len(en_ids))
            near = [e for j in range(max(0, middle - ALIGN_SENTENCES), min(len(en_ids), middle + ALIGN_SENTENCES + 1))
                    for e in en_ids[j]]
            if near:
                found.append(np.add.outer(np.asarray(terms, np.int64) << 32, np.asarray(near, np.int64)).ravel())
        if found:
            codes = np.unique(np.concatenate(found))
            met.append(codes[(codes >> 32) != (codes & 0xFFFFFFFF)])
    if not met:
        return {}
    codes, counts = _frequent(met, MIN_PAIRS)
    terms = list(ids)
    return {(terms[c >> 32], terms[c & 0xFFFFFFFF]): n for c, n in zip(codes.tolist(), counts.tolist(), strict=True)}


def _frequent(parts: list[np.ndarray], least: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes found at least `least` times in `parts` (which it empties), sorted, and their counts: as
    `np.unique(..., return_counts=True)` filtered, without its arrays as long as all the distinct codes
    (most of the millions of codes occur once): once sorted, a code occurs `least` times where it equals
    the code `least - 1` places on. Learning's peak at 100,000 releases was that count."""
    codes = np.concatenate(parts)
    parts.clear()
    codes.sort()
    n = len(codes) - (least - 1)
    kept = np.unique(codes[:n][codes[least - 1:] == codes[:n]]) if n > 0 else codes[:0]
    return kept, np.searchsorted(codes, kept, side="right") - np.searchsorted(codes, kept, side="left")


def _rarest(terms: set[str], df: Counter[str], most: float) -> list[str]:
    usable = [t for t in terms if MIN_PAIRS <= df[t] <= most]
    usable.sort(key=lambda t: (df[t], t))
    return usable[:TERMS_PER_DOC]


def learn_and_save(stored: Stored, links: list[Link], gen: Path, workers: int = 1) -> Learned:
    """Learns the lexicon into generation `gen`, unless the one it was cloned from still fits."""
    previous = load(gen)
    if previous.pairs and abs(min(len(links), MAX_PAIRS) - previous.pairs) < RELEARN_CHANGE * previous.pairs:
        return previous
    learned = learn(stored, links, workers)
    store.write_json(gen, LEXICON, {"pairs": learned.pairs, "de": learned.de, "en": learned.en})
    log.info("learned %d translations from %d twin pairs", learned.entries, learned.pairs)
    return learned


def load(gen: Path) -> Learned:
    data = store.read_json(gen, LEXICON, {})
    return Learned(data.get("pairs", 0), {t: [tuple(x) for x in v] for t, v in data.get("de", {}).items()},
                   {t: [tuple(x) for x in v] for t, v in data.get("en", {}).items()})
