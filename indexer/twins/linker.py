"""Twin linking of a whole archive: candidates, scores and the matching, over the signals of `twins`.

**Score.** For a German/English pair, keys count by their rarity in the archive (idf, scaled to
0..1 so the score means the same in a small and a large archive). Six features make one logistic
score in 0..1: the smoothed cosine of shared facts, names and cognates; the share of facts found in
only one of the two (a translation drops almost none); how far apart the shared keys sit in the two
texts (a translation keeps their order, a related article does not); and how far the length ratio is
from the usual one (German runs ~15% longer). The weights were fitted by logistic regression on
every German x English pair of the dev sets (shared/eval/wmt-news-dev and xquad-dev with the title
lines dropped, ~10,000 pairs, 142 twins). Publication dates more than a month apart lower the score
(a prior, not fitted: the dev sets carry no dates).

**Candidates.** No all-pairs comparison. Each document looks up, in an inverted index, its rarest
keys that occur in both languages (at most `PROBE_KEYS` keys pointing to at most `PROBE_BUDGET`
documents together; keys in more than `MAX_KEY_DF` documents are skipped; rarity is the larger of
the two languages' counts, so that a German word whose skeleton happens to match a rare English one
does not crowd out real names). The documents found are ranked by the weight they share over the
square root of their own key weight (so long documents do not win by size), and only the best
`CANDIDATES` are scored. Work per document is bounded by these constants, so linking grows
linearly with the archive.

**Assignment.** Greedy stable matching: all scored pairs, best first; a pair is linked when neither
document is linked yet and its score reaches `min_score`. With one symmetric score per pair this is
the stable matching: no two documents would both rather be linked to each other than to their
partners. Hungarian assignment maximizes the summed score instead, which can break a clear pair to
make two doubtful ones; a wrong link is worse than a missing one, so greedy is the right choice here,
and it costs O(pairs log pairs).

**Threshold.** `DEFAULT_MIN_SCORE` = 0.25 was set on the dev sets with hard negatives added
(German and English paragraphs of the same Wikipedia articles that are not translations of each
other): the best wrong pair there scores 0.16, two twins score 0.16-0.22 and all others 0.40 or
more; 0.25 is about halfway in logit terms, leaning to precision. tests/twins/test_twins.py asserts the
precision and recall it gives.

**Stated twins** (JSONL `twin`) win in both directions: a document that names its twin is never
linked by content, even when the named twin is not in the archive. Of a stated pair, the English
document (or else the one not German) becomes `en`.

**How it runs.** Keys become integers once, and every step above works on whole arrays with numpy
(at 100,000 documents there are some 15 million key occurrences, which a Python loop took 15 s to
walk). Sums are taken in the same order as a document-by-document loop would take them, and
logarithms and exponentials come from `math`, so the scores are exactly those of the loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..arrays import count, ranges, take
from ..dates import period
from ..model import Link
from .signals import GROUP_INDEX, SIDES, Signals
from .table import SignalTable

DEFAULT_MIN_SCORE = 0.25

# Candidate generation: bounded work per document.
PROBE_KEYS = 24  # rarest cross-language keys a document looks up
PROBE_BUDGET = 200  # ... as long as they point to at most this many documents together
MAX_KEY_DF = 200  # keys in more documents (of either language) do not generate candidates
CANDIDATES = 4  # partners scored per document and direction (a twin ranks first in nearly all cases)

# Scoring (see the module docstring for how these were chosen).
IDF_PRIOR_DOCS = 100  # keeps idf meaningful in tiny archives
SMOOTHING = 2.0  # pseudo-mass added to cosine denominators: a single shared key is weak evidence
POSITION_PRIOR = 1.0  # weight of the "unrelated" prior (mean distance 1/3) in the position feature
LENGTH_RATIO = 0.15  # usual log(len(German) / len(English))
INTERCEPT = 0.157
LOGIT_MARGIN = 1e-6  # `scored_pairs` scores pairs this close below the threshold's logit too, then compares scores
WEIGHTS = {"facts": 4.297, "facts_missing": -7.927, "names": 4.989, "cognates": 9.067, "positions": -11.003,
           "length": -4.265}
DATE_SLACK_DAYS = 31  # a translation may appear some weeks after the original
DATE_PENALTY = 4.0  # logit taken off at a year or more apart

CHUNK_DOCS = 4096  # documents (or pairs) per array step: bounds the temporary arrays
FEATURES = ("facts", "facts_missing", "names", "cognates", "positions", "length")


class Archive:
    """The German and English documents of an archive as arrays: their keys (as ids into the
    table's key list), where the keys sit, and the key statistics of the archive. Documents are
    numbered in the order of their ids."""

    def __init__(self, sigs: Mapping[str, Signals], exclude: Iterable[str] = ()) -> None:
        table = SignalTable.of(sigs)
        skip = set(exclude)
        self.ids = sorted(i for i, r in table.rows.items() if table.lang[r] in SIDES and i not in skip)
        rows = np.array([table.rows[i] for i in self.ids], dtype=np.int64)
        docs = len(self.ids)
        self.lang = [table.lang[r] for r in rows.tolist()]
        self.length = [table.length[r] for r in rows.tolist()]
        self.date = [table.date[r] for r in rows.tolist()]
        self.english = np.array([lang == "en" for lang in self.lang], dtype=bool)
        # document d's keys are keys[start[d]:start[d + 1]]
        if np.array_equal(rows, np.arange(len(table.lang))):  # every row, in id order: use them as they are
            self.start = np.frombuffer(table.start, dtype=np.int64)
            self.keys = np.frombuffer(table.occurrences, dtype=np.int32)
            self.where = np.frombuffer(table.where, dtype=np.uint8)
        else:
            self.start, self.keys, self.where = table.gather(rows)
        counts = np.diff(self.start)
        self.key_list = table.key_names  # id -> key
        self.key_ids = table.key_ids
        self.df = count(self.keys, len(self.key_list))
        self.df_en = np.zeros(len(self.key_list), dtype=np.int64)
        for lo in range(0, docs, 16 * CHUNK_DOCS):  # a mask and a copy of all the English keys would be big
            hi = min(lo + 16 * CHUNK_DOCS, docs)
            english = np.repeat(self.english[lo:hi], counts[lo:hi])
            self.df_en += np.bincount(self.keys[self.start[lo]:self.start[hi]][english], minlength=len(self.key_list))
        n = docs + IDF_PRIOR_DOCS
        self.idf = np.array([math.log(n / (df + 1)) / math.log(n) for df in range(docs + 1)])
        self.group = np.fromiter((GROUP_INDEX[k[0]] for k in self.key_list), dtype=np.int64,
                                 count=len(self.key_list))
        self.mass = np.empty((docs, 3))  # summed key weight per group
        for lo in range(0, docs, CHUNK_DOCS):
            hi = min(lo + CHUNK_DOCS, docs)
            keys = self.keys[self.start[lo]:self.start[hi]]
            slot = np.repeat(np.arange(hi - lo, dtype=np.int64) * 3, counts[lo:hi]) + self.group[keys]
            weights = self.idf[self.df[keys]]
            self.mass[lo:hi] = np.bincount(slot, weights=weights, minlength=3 * (hi - lo)).reshape(-1, 3)
        self.size = np.sqrt(self.mass.sum(axis=1) + SMOOTHING)
        self.bilingual = (self.df_en > 0) & (self.df_en < self.df)

    def doc_of(self, occurrences: np.ndarray) -> np.ndarray:
        """The document of each of these key occurrences (indices into `keys`)."""
        return np.searchsorted(self.start, occurrences, side="right") - 1

    def df_of(self, key: str) -> int:
        found = self.key_ids.get(key)
        return 0 if found is None else int(self.df[found])

    def doc_keys(self, d: int) -> list[str]:
        return [self.key_list[k] for k in self.keys[self.start[d]:self.start[d + 1]].tolist()]

    def probes(self) -> tuple[np.ndarray, np.ndarray]:
        """(document, key) of every document's probes, by document, rarest key first: its rarest
        keys found in both languages.

        Rarity for probing is the larger of the two languages' counts: a key common on one side and
        rare on the other is a chance collision (a German skeleton that happens to be a rare English
        one), not a shared name. Ties go to the key with fewer partners, then to the key's text.
        Worked out `CHUNK_DOCS` documents at a time: each document's probes are its own."""
        usable_key = self.bilingual & (np.maximum(self.df_en, self.df - self.df_en) <= MAX_KEY_DF)
        text_rank = np.zeros(len(self.key_list), dtype=np.int64)
        usable_ids = np.flatnonzero(usable_key).tolist()
        text_rank[sorted(usable_ids, key=self.key_list.__getitem__)] = np.arange(len(usable_ids))
        found_docs, found_keys = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int32)]
        for lo in range(0, len(self.ids), CHUNK_DOCS):
            first, last = self.start[lo], self.start[min(lo + CHUNK_DOCS, len(self.ids))]
            usable = np.flatnonzero(usable_key[self.keys[first:last]]) + first
            keys, docs = self.keys[usable], self.doc_of(usable)
            df, en = self.df[keys], self.df_en[keys]
            rarity = np.maximum(en, df - en)
            partners = np.where(self.english[docs], df - en, en)  # documents of the other language
            order = np.lexsort((text_rank[keys], partners, rarity, docs))
            keys, docs, partners = keys[order], docs[order], partners[order]
            rank = _rank_in_group(docs)
            spent = np.cumsum(partners)
            spent -= np.repeat(spent[_group_starts(docs)] - partners[_group_starts(docs)], _group_sizes(docs))
            keep = (rank < PROBE_KEYS) & ((rank == 0) | (spent <= PROBE_BUDGET))
            found_docs.append(docs[keep])
            found_keys.append(keys[keep])
        return np.concatenate(found_docs), np.concatenate(found_keys)

    def candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """(German, English) index pairs worth scoring, ordered: for each document, the partners with
        the highest share of its probes, by a cosine-like ratio so that long documents do not win."""
        probe_docs, probe_keys = self.probes()
        # where each probed key's documents of each language lie in one array, by key, language, document
        probed = np.zeros(len(self.key_list), dtype=bool)
        probed[probe_keys] = True
        held = np.flatnonzero(take(probed, self.keys))
        held_keys, held_docs = self.keys[held], self.doc_of(held)
        held_en = self.english[held_docs]
        order = np.lexsort((held_docs, held_en, held_keys))
        held_docs = held_docs[order]
        first = np.zeros(2 * len(self.key_list) + 1, dtype=np.int64)
        np.cumsum(np.bincount(held_keys.astype(np.int64) * 2 + held_en, minlength=2 * len(self.key_list)),
                  out=first[1:])
        codes = [np.zeros(0, dtype=np.int64)]
        bounds = np.searchsorted(probe_docs, np.arange(0, len(self.ids) + CHUNK_DOCS, CHUNK_DOCS))
        for lo, hi in pairwise(bounds):
            if lo < hi:
                de, en = self._best_partners(probe_docs[lo:hi], probe_keys[lo:hi], held_docs, first)
                codes.append(de * len(self.ids) + en)
        pairs = np.unique(np.concatenate(codes))  # a pair found from both sides counts once
        return pairs // max(1, len(self.ids)), pairs % max(1, len(self.ids))

    def _best_partners(self, probe_docs: np.ndarray, probe_keys: np.ndarray, held_docs: np.ndarray,
                       first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The best `CANDIDATES` partners of each probing document, as (German, English) pairs."""
        other = (~self.english[probe_docs]).astype(np.int64)  # 1: look among English documents
        slot = probe_keys.astype(np.int64) * 2 + other
        lo, count = first[slot], first[slot + 1] - first[slot]
        rows_doc = np.repeat(probe_docs, count).astype(np.int64)
        rows_weight = np.repeat(self.idf[self.df[probe_keys]], count)
        offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        partner = held_docs[np.repeat(lo, count) + offsets].astype(np.int64)
        code = rows_doc * len(self.ids) + partner
        unique, first_row, inverse = np.unique(code, return_index=True, return_inverse=True)
        found = np.bincount(inverse, weights=rows_weight)  # summed in probe order, per partner
        doc, partner = unique // len(self.ids), unique % len(self.ids)
        ratio = found / self.size[partner]
        order = np.lexsort((first_row, -ratio, doc))  # ties: the partner found first
        doc, partner = doc[order], partner[order]
        best = _rank_in_group(doc) < CANDIDATES
        doc, partner = doc[best], partner[best]
        german = ~self.english[doc]
        return np.where(german, doc, partner), np.where(german, partner, doc)

    def features(self, de: np.ndarray, en: np.ndarray) -> dict[str, np.ndarray]:
        """The pair features of the model for pairs (de[p], en[p]) (see the module docstring)."""
        out = {name: np.empty(len(de)) for name in FEATURES}
        for lo in range(0, len(de), CHUNK_DOCS):
            chunk = slice(lo, lo + CHUNK_DOCS)
            for name, values in self._features(de[chunk], en[chunk]).items():
                out[name][chunk] = values
        return out

    def _features(self, de: np.ndarray, en: np.ndarray) -> dict[str, np.ndarray]:
        pairs = len(de)
        a_rows, a_pair = self._rows(de)
        b_rows, b_pair = self._rows(en)
        keys = len(self.key_list)
        a_code = a_pair * keys + self.keys[a_rows]
        b_code = b_pair * keys + self.keys[b_rows]
        a_order = np.argsort(a_code)
        a_sorted = np.append(a_code[a_order], -1)  # -1 matches nothing: a search past the end lands there
        at = np.searchsorted(a_sorted[:-1], b_code)
        ib = np.flatnonzero(a_sorted[at] == b_code)  # in the English keys' order, as the sums run
        ia = a_order[at[ib]]
        shared = self.keys[b_rows[ib]]
        pair = b_pair[ib]
        weight = self.idf[self.df[shared]]
        got = np.bincount(pair * 3 + self.group[shared], weights=weight, minlength=3 * pairs).reshape(pairs, 3)
        distance = np.abs(self.where[a_rows[ia]].astype(np.int64) - self.where[b_rows[ib]].astype(np.int64))
        spread = np.bincount(pair, weights=weight * distance, minlength=pairs)
        ma, mb = self.mass[de], self.mass[en]
        cos = got / (np.sqrt(ma * mb) + SMOOTHING)
        missing = ma[:, 0] + mb[:, 0] - 2 * got[:, 0]
        length_a = [max(self.length[d], 1) for d in de.tolist()]
        length_b = [max(self.length[d], 1) for d in en.tolist()]
        return {
            "facts": cos[:, 0],
            "facts_missing": missing / (missing + 2 * got[:, 0] + SMOOTHING),
            "names": cos[:, 1],
            "cognates": cos[:, 2],
            "positions": (spread / 255 + POSITION_PRIOR / 3) / (got[:, 0] + got[:, 1] + got[:, 2] + POSITION_PRIOR),
            "length": np.array([(math.log(a / b) - LENGTH_RATIO) ** 2 for a, b in zip(length_a, length_b,
                                                                                      strict=True)]),
        }

    def _rows(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of `docs`' keys that occur in both languages (no other key can be shared by a
        pair), one document after the other, and the position in `docs` of each."""
        count = self.start[docs + 1] - self.start[docs]
        pair = np.repeat(np.arange(len(docs), dtype=np.int64), count)
        rows = ranges(self.start[docs], count)
        keep = self.bilingual[self.keys[rows]]
        return rows[keep], pair[keep]


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins, in a sorted array."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.zeros(0, dtype=np.int64)


def _group_sizes(groups: np.ndarray) -> np.ndarray:
    return np.diff(np.r_[_group_starts(groups), len(groups)])


def _rank_in_group(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of a sorted array."""
    return np.arange(len(groups)) - np.repeat(_group_starts(groups), _group_sizes(groups))


def _score(logit: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, logit))))


@dataclass(frozen=True)
class Pair:
    score: float
    de: int
    en: int


def scored_pairs(arc: Archive, min_score: float = 0.0) -> list[Pair]:
    """Every candidate pair scoring at least `min_score`, with its score, best first (ties broken by ids, for
    stable output). Pairs below it are dropped as arrays, before they become objects: at 1,000,000 releases
    the objects of every candidate added 0.7-0.9 GB to the peak, and linking keeps only those above it."""
    de, en = arc.candidates()
    if not len(de):
        return []
    features = arc.features(de, en)
    logits = np.full(len(de), 0.0)  # summed in the order of `_contributions`, as `explain` sums them
    for name in FEATURES:
        logits += WEIGHTS[name] * features[name]
    logits = INTERCEPT + (logits - _date_penalties(arc, de, en))
    if 0.0 < min_score < 1.0:  # the score rises with the logit: those well below the threshold's go unscored
        near = logits >= math.log(min_score / (1 - min_score)) - LOGIT_MARGIN
        de, en, logits = de[near], en[near], logits[near]
    scores = np.array([_score(logit) for logit in logits.tolist()])
    kept = scores >= min_score
    de, en, scores = de[kept], en[kept], scores[kept]
    order = np.lexsort((en, de, -scores))  # index order is id order
    return [Pair(s, i, j) for s, i, j in zip(scores[order].tolist(), de[order].tolist(), en[order].tolist(),
                                               strict=True)]


def _date_penalties(arc: Archive, de: np.ndarray, en: np.ndarray) -> np.ndarray:
    """`_date_penalty` of each pair, over arrays."""
    periods = [period(d) for d in arc.date]
    first = np.array([p.first.toordinal() if p else 0 for p in periods], dtype=np.int64)
    last = np.array([p.last.toordinal() if p else 0 for p in periods], dtype=np.int64)
    dated = np.array([p is not None for p in periods], dtype=bool)
    gap = np.maximum(0, np.maximum(first[de], first[en]) - np.minimum(last[de], last[en]))
    penalty = DATE_PENALTY * np.minimum(1.0, np.maximum(0, gap - DATE_SLACK_DAYS) / 365)
    return np.where(dated[de] & dated[en], penalty, 0.0)


def match(pairs: list[Pair], min_score: float) -> dict[int, Pair]:
    """Greedy stable matching: best pairs first, each document linked at most once."""
    linked: dict[int, Pair] = {}
    for p in pairs:
        if p.score < min_score:
            break
        if p.de not in linked and p.en not in linked:
            linked[p.de] = linked[p.en] = p
    return linked


def stated_links(table: SignalTable, stated: Mapping[str, str]) -> tuple[list[Link], set[str]]:
    """Links the sources stated, and every document they settle (also one whose twin is missing)."""
    links, settled = [], set()
    for doc, twin in sorted(stated.items()):
        if doc in settled or twin in settled or doc == twin:
            continue
        settled.add(doc)
        if twin not in table or doc not in table:
            continue
        settled.add(twin)
        de, en = (twin, doc) if table.lang_of(doc) == "en" or table.lang_of(twin) == "de" else (doc, twin)
        links.append(Link(de, en, 1.0, stated=True))
    return links, settled


def link(sigs: Mapping[str, Signals], stated: Mapping[str, str] | None = None,
         min_score: float = DEFAULT_MIN_SCORE) -> list[Link]:
    """Twin links of an archive: stated ones first, then the best mutual computed pairs; by de id."""
    table = SignalTable.of(sigs)
    links, settled = stated_links(table, stated or {})
    arc = Archive(table, exclude=settled)
    matched = set(match(scored_pairs(arc, min_score), min_score).values())
    links += [Link(arc.ids[p.de], arc.ids[p.en], round(p.score, 4)) for p in matched]
    return sorted(links, key=lambda x: (x.de, x.en))
