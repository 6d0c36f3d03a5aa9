"""Query evaluation a whole posting list at a time, with numpy, instead of document at a time.

Whoosh walks a query's matchers one document at a time in Python and can skip documents only
where every matcher bounds its score. Our queries are wide ORs (each word in six fields, its
compound parts and its translations) under a coordination factor, so Whoosh would score every
matching document: at 100,000 releases 0.4 s per question, against 7 ms here (`benchmarks.matchers`).

Here each term's postings are decoded once into arrays (document numbers, weights) and kept in an
LRU cache per segment, BM25F is computed for the whole list at once, and the query tree is
combined with array unions and intersections. The scores are the ones Whoosh's own matchers give
(`tests/test_ranking.py` compares them). Phrases are checked on cached word positions, also as
arrays; query nodes this module does not know, such as prefixes and ranges, are run through
Whoosh's matcher and their matches taken as arrays.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from pickle import loads

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching import FilterMatcher
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .arrays import ranges
from .concepts import COORD_POWER, Concept, Coordinated
from .config import cache_postings
from .synonyms import Synonyms

# Decoded postings kept per index folder, 8 bytes each: 64 per release, from 16 million (128 MB) up
# to 64 million (512 MB), unless TWINSEARCH_CACHE_POSTINGS says how many. `warm` fills the cache with
# the most frequent terms first. At 1,000,000 releases a search spent two thirds of its time decoding
# Whoosh's blocks with 16 million; 64 million halved the mean query time (benchmarks/RESULTS.md).
CACHE_POSTINGS_PER_DOCUMENT = 64
CACHE_POSTINGS_RANGE = (16_000_000, 64_000_000)
# An entry's key, tuple, two array objects and dict slot take about 500 bytes, as much as 64
# postings; counting them bounds the cache also when most entries are empty (a query term missing
# from a field or a segment).
ENTRY_COST = 64
WARM_MIN_FREQUENCY = 64  # rarer terms decode in well under a millisecond; `warm` leaves them
REMEMBER = 64  # filters and twin scopes kept per generation
DENSE_SHARE = 1 / 16  # above this many postings per document in the index, sum into a dense array
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass(frozen=True)
class Postings:
    """Matching documents (sorted, unique document numbers) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docs)

    def scaled(self, factor: float) -> Postings:
        return self if factor == 1.0 else Postings(self.docs, self.scores * factor)

    def only(self, mask: np.ndarray) -> Postings:
        """The documents whose entry in the boolean `mask` (one per document number) is set."""
        keep = mask[self.docs]
        return Postings(self.docs[keep], self.scores[keep])


EMPTY = Postings(np.empty(0, np.int32), np.empty(0, np.float64))


def combine(parts: list[Postings], size: int, extra: list[np.ndarray] | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The union of `parts`: documents, summed scores and, with `extra` (one array per part, aligned
    with its documents), the summed extras. Small unions sort; large ones sum into dense arrays."""
    total = sum(len(p) for p in parts)
    if total > size * DENSE_SHARE:
        scores = np.zeros(size)
        hit = np.zeros(size, dtype=bool)
        added = np.zeros(size) if extra is not None else None
        for i, p in enumerate(parts):
            scores[p.docs] += p.scores
            hit[p.docs] = True
            if added is not None:
                added[p.docs] += extra[i]
        docs = np.flatnonzero(hit).astype(np.int32)
        return docs, scores[docs], added[docs] if added is not None else None
    docs = np.concatenate([p.docs for p in parts])
    unique, inverse = np.unique(docs, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(unique))
    added = (np.bincount(inverse, weights=np.concatenate(extra), minlength=len(unique))
             if extra is not None else None)
    return unique.astype(np.int32), scores, added


def top(found: Postings, window: int) -> Postings:
    """The best `window` documents, best first, ties in document order (as Whoosh's collector)."""
    if len(found) > window:
        kth = np.partition(found.scores, len(found) - window)[len(found) - window]
        above = found.scores > kth
        need = window - int(above.sum())
        tied = np.flatnonzero(found.scores == kth)[:need]  # docs are sorted: the first are the lowest
        keep = np.flatnonzero(above)
        picked = np.sort(np.concatenate([keep, tied]))
        found = Postings(found.docs[picked], found.scores[picked])
    order = np.lexsort((found.docs, -found.scores))
    return Postings(found.docs[order], found.scores[order])


CacheKey = tuple[str, str, bytes]  # (segment id, field, term)


def cache_budget(documents: int) -> int:
    """How many decoded postings to keep for an index of `documents` releases."""
    configured = cache_postings()
    if configured:
        return configured
    low, high = CACHE_POSTINGS_RANGE
    return min(high, max(low, CACHE_POSTINGS_PER_DOCUMENT * documents))


class PostingCache:
    """Decoded postings per segment, shared by all threads and by the generations of one index folder:
    segments never change, so after an `update` only its new segment starts cold. Entries hold the
    segment's own document numbers; least recently used go first."""

    def __init__(self, limit: int = CACHE_POSTINGS_RANGE[0]) -> None:
        self.limit = limit
        self.size = 0
        self._entries: OrderedDict[CacheKey, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: CacheKey, entry: tuple[np.ndarray, np.ndarray]) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self.size += len(entry[0]) + ENTRY_COST
            self._shrink()

    def resize(self, limit: int) -> None:
        """A new limit (the index grew or shrank); the least recently used entries go first."""
        with self._lock:
            self.limit = limit
            self._shrink()

    def _shrink(self) -> None:
        while self.size > self.limit and len(self._entries) > 1:
            _, (docs, _) = self._entries.popitem(last=False)
            self.size -= len(docs) + ENTRY_COST


class Generation:
    """What all threads share for one index generation: length norms, live documents, the index
    folder's postings, and whatever else a search computes once per generation (`remember`)."""

    def __init__(self, postings: PostingCache) -> None:
        self.postings = postings
        self._norms: dict[tuple[str, float, float], np.ndarray] = {}
        self._live: np.ndarray | None = None
        self._remembered: OrderedDict[tuple, object] = OrderedDict()
        self._kept: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def remember(self, key: tuple, compute, keep: bool = False):
        """`compute()`, kept under `key` for the generation's life: the last `REMEMBER` keys, or all along
        with `keep` (tables that every thread's handle needs)."""
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return self._remembered[key]
        value = compute()
        with self._lock:
            if keep:
                return self._kept.setdefault(key, value)
            self._remembered[key] = value
            while len(self._remembered) > REMEMBER:
                self._remembered.popitem(last=False)
        return value

    def live(self, searcher: Searcher) -> np.ndarray:
        """True for each document number not deleted."""
        if self._live is None:
            reader = searcher.reader()
            live = np.ones(reader.doc_count_all(), dtype=bool)
            if reader.has_deletions():
                live[:] = False
                live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            self._live = live
        return self._live

    def norm(self, searcher: Searcher, fieldname: str, k1: float, b: float) -> np.ndarray:
        """BM25's length normalization of each document, `k1 * (1 - b + b * length / average)`, from
        the field lengths as Whoosh stores them (one byte, lossy)."""
        key = (fieldname, k1, b)
        norm = self._norms.get(key)
        if norm is None:
            parts = [_segment_lengths(r, fieldname) for r, _ in searcher.reader().leaf_readers()]
            lengths = np.concatenate(parts) if parts else np.empty(0)
            average = searcher.avg_field_length(fieldname) or 1
            norm = k1 * ((1 - b) + b * lengths / average)
            with self._lock:
                self._norms[key] = norm
        return norm


_generations: dict[Path, Generation] = {}
_caches: dict[Path, PostingCache] = {}
_generations_lock = threading.Lock()


def generation(gen: Path, documents: int) -> Generation:
    """The shared state of `gen`, an index of `documents` releases; that of other generations of the
    same index is let go, except the postings of the segments they have in common."""
    with _generations_lock:
        shared = _generations.get(gen)
        if shared is None:
            for old in [g for g in _generations if g.parent == gen.parent]:
                del _generations[old]
            postings = _caches.setdefault(gen.parent, PostingCache())
            postings.resize(cache_budget(documents))
            shared = _generations[gen] = Generation(postings)
        return shared


def _segment_lengths(reader, fieldname: str) -> np.ndarray:
    """One segment's field lengths, read as the byte column Whoosh writes them to."""
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count)
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    return LENGTHS[np.pad(raw, (0, count - len(raw)))]


class Ranker:
    """Evaluates queries against one thread's searcher; see the module docstring."""

    def __init__(self, searcher: Searcher, shared: Generation) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.shared = shared
        self.size = self.reader.doc_count_all()
        self.segments = [(reader, base, reader.segment().segment_id()) for reader, base in self.reader.leaf_readers()]
        weighting = searcher.weighting
        self.b, self.k1 = getattr(weighting, "B", 0.75), getattr(weighting, "K1", 1.2)

    def search(self, q: wq.Query) -> Postings:
        """Every live document `q` matches, with its score."""
        found = self.evaluate(q)
        return found.only(self.shared.live(self.searcher)) if self.reader.has_deletions() else found

    def warm(self, budget: int) -> tuple[int, int]:
        """Decodes the postings of the most frequent text terms, up to `budget` postings, so that the
        first queries that use them need not; returns (terms, postings) decoded."""
        frequency: Counter[tuple[str, bytes]] = Counter()
        for fieldname, field in self.searcher.schema.items():
            if field.scorable:
                for reader, _ in self.reader.leaf_readers():
                    for btext, info in reader.iter_field(fieldname):
                        frequency[fieldname, btext] += info.doc_frequency()
        terms = postings = 0
        for (fieldname, btext), df in frequency.most_common():
            if postings + df > budget or df < WARM_MIN_FREQUENCY:
                break
            postings += len(self._postings(fieldname, btext)[0])
            terms += 1
        return terms, postings

    def mask(self, q: wq.Query) -> np.ndarray:
        """One flag per document number: does `q` match it? For filters, so not scored."""
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)] = True
        return mask

    def matched_terms(self, q: wq.Query, docnum: int) -> list[tuple[str, str]]:
        """The (field, term) leaves of `q` that document `docnum` contains."""
        found = []
        for leaf in q.leaves():
            if type(leaf) is wq.Term and leaf.fieldname in self.searcher.schema:
                btext = self.searcher.schema[leaf.fieldname].to_bytes(leaf.text)
                if (leaf.fieldname, btext) in self.reader:
                    docs, _ = self._postings(leaf.fieldname, btext)
                    i = np.searchsorted(docs, docnum)
                    if i < len(docs) and docs[i] == docnum:
                        found.append((leaf.fieldname, leaf.text))
        return found

    def evaluate(self, q: wq.Query) -> Postings:
        if type(q) is wq.Term:
            return self._term(q)
        if isinstance(q, Synonyms):
            return self._synonyms(q)
        if isinstance(q, Coordinated) and len(q.subqueries) > 1:
            return self._coordinated(q)
        if isinstance(q, (Concept, wq.Or)) and not getattr(q, "scale", None) and not getattr(q, "minmatch", 0):
            return self._compound(q, self._union)
        if type(q) is wq.And:
            return self._compound(q, self._intersection)
        if type(q) is wq.AndNot:
            return self._and_not(q)
        if type(q) is wq.Phrase:
            return self._phrase(q)
        if q is wq.NullQuery:
            return EMPTY
        return self._by_matcher(q)

    # ------------------------------------------------------------------ leaves

    def _term(self, q: wq.Term) -> Postings:
        found = self._leaf(q)
        if found is None:
            return EMPTY
        field, docs, weights = found
        weights = weights.astype(np.float64)  # scores in double precision, as Whoosh's
        if field.scorable:
            scores = self._idf(len(docs)) * weights * (self.k1 + 1) / (weights + self._norm(q.fieldname)[docs])
        else:
            scores = weights
        return Postings(docs, scores * q.boost if q.boost != 1.0 else scores)

    def _leaf(self, q: wq.Term):
        """The field, documents and weights of a term query, or None where the index lacks the term."""
        try:
            field = self.searcher.schema[q.fieldname]
            btext = field.to_bytes(q.text)
        except (KeyError, ValueError):  # an unknown field, or text the field cannot hold
            return None
        docs, weights = self._postings(q.fieldname, btext)
        return (field, docs, weights) if len(docs) else None

    def _idf(self, doc_frequency: float) -> float:
        """Whoosh's idf (`WeightingModel.idf`); a term's document frequency is its number of postings."""
        return math.log(self.size / (doc_frequency + 1)) + 1

    def _norm(self, fieldname: str) -> np.ndarray:
        return self.shared.norm(self.searcher, fieldname, self.k1, self.b)

    def _postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """All postings of a term, deleted documents included (as in Whoosh's document frequency);
        empty arrays for a term the index lacks (kept too: most query terms are not in most fields)."""
        cache = self.shared.postings
        docs, weights = [], []
        for reader, base, segment in self.segments:
            entry = cache.get((segment, fieldname, btext)) or self._segment_postings(reader, segment, fieldname, btext)
            if len(entry[0]):
                docs.append(entry[0] + base if base else entry[0])
                weights.append(entry[1])
        if len(docs) == 1:
            return docs[0], weights[0]
        if not docs:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        return np.concatenate(docs), np.concatenate(weights)

    def _phrase(self, q: wq.Phrase) -> Postings:
        """Whoosh's `Phrase` (an ordered `SpanNear2`): the documents holding every word, each word at
        most `slop` positions after the one before; scored as the sum of the words' scores."""
        schema = self.searcher.schema
        if q.fieldname not in schema or not schema[q.fieldname].format \
                or not schema[q.fieldname].format.supports("positions") or q.slop < 1 or len(q.words) < 2 \
                or None in q.words:
            return self._by_matcher(q)  # what Whoosh does there (a query error included)
        field = schema[q.fieldname]
        try:
            terms = [field.to_bytes(word) for word in q.words]
        except ValueError:
            return EMPTY
        if any((q.fieldname, btext) not in self.reader for btext in terms):
            return EMPTY
        found = self._intersection([self._term(wq.Term(q.fieldname, word)) for word in q.words])
        if not len(found):
            return EMPTY
        # (candidate, position) codes of the phrase's possible ends, word by word
        ends = None
        for btext in terms:
            index, where = self._positions_of(q.fieldname, btext, found.docs)
            codes = index.astype(np.int64) << 32 | where
            if ends is not None:
                follows = np.zeros(len(codes), dtype=bool)
                for gap in range(1, q.slop + 1):
                    follows |= np.isin(codes - gap, ends)
                codes = codes[follows]
            ends = codes
        keep = np.unique(ends >> 32)
        return Postings(found.docs[keep], found.scores[keep] * q.boost)

    def _positions_of(self, fieldname: str, btext: bytes, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of a term in each of `docs` (all of which hold it): (index into docs, position)."""
        index, where = [], []
        for reader, base, segment in self.segments:
            lo, hi = np.searchsorted(docs, [base, base + reader.doc_count_all()])
            if lo == hi:
                continue
            term_docs, _ = self.shared.postings.get((segment, fieldname, btext)) or self._segment_postings(
                reader, segment, fieldname, btext)
            key = (segment, fieldname, btext, "positions")
            entry = self.shared.postings.get(key)
            if entry is None:
                entry = _decode_positions(reader.postings(fieldname, btext))
                self.shared.postings.put(key, entry)
            positions, offsets = entry
            at = np.searchsorted(term_docs, docs[lo:hi] - base)
            counts = offsets[at + 1] - offsets[at]
            index.append(np.repeat(np.arange(lo, hi), counts))
            where.append(positions[ranges(offsets[at], counts)])
        return np.concatenate(index), np.concatenate(where).astype(np.int64)

    def _segment_postings(self, reader, segment: str, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """One segment's postings of a term, decoded and cached."""
        if (fieldname, btext) in reader:  # most query terms are missing from most fields: cheaper than raising
            d, w = _decode(reader.postings(fieldname, btext))
        else:
            d, w = np.empty(0, np.int64), np.empty(0)
        entry = (d.astype(np.int32), w.astype(np.float32))
        self.shared.postings.put((segment, fieldname, btext), entry)
        return entry

    def _synonyms(self, q: Synonyms) -> Postings:
        """A synonym group scored as one term: see `synonyms`."""
        present = [(t, found) for t in q.subqueries if (found := self._leaf(t)) is not None]
        if not present:
            return EMPTY
        docs, tf, _ = combine([Postings(docs, weights.astype(np.float64) * t.boost)
                               for t, (_, docs, weights) in present], self.size)
        idf = self._idf(sum(t.boost * len(docs) for t, (_, docs, _) in present))
        fieldname = q.subqueries[0].fieldname
        return Postings(docs, q.boost * idf * tf * (self.k1 + 1) / (tf + self._norm(fieldname)[docs]))

    def _estimate(self, q: wq.Query) -> float:
        """Whoosh's `estimate_size`, from the cached postings where it can."""
        if type(q) is wq.Term:
            found = self._leaf(q)
            return len(found[1]) if found is not None else 0
        if type(q) is wq.And:
            return min(self._estimate(s) for s in q.subqueries)
        if isinstance(q, (Concept, Synonyms, wq.Or)):
            return min(sum(self._estimate(s) for s in q.subqueries), self.reader.doc_count())
        return q.estimate_size(self.reader)

    def _by_matcher(self, q: wq.Query) -> Postings:
        """Any other query: Whoosh's matcher, walked to the end."""
        m = q.matcher(self.searcher, self.searcher.context(needs_current=True))
        docs, scores = [], []
        while m.is_active():
            docs.append(m.id())
            scores.append(m.score())
            m.next()
        return Postings(np.array(docs, dtype=np.int32), np.array(scores, dtype=np.float64))

    # ------------------------------------------------------------------ compounds

    def _compound(self, q: wq.CompoundQuery, how) -> Postings:
        """An OR or AND. As in Whoosh, a compound of one ignores its own boost."""
        if not q.subqueries:
            return EMPTY
        if len(q.subqueries) == 1:
            return self.evaluate(q.subqueries[0])
        return how([self.evaluate(s) for s in q.subqueries]).scaled(q.boost)

    def _union(self, parts: list[Postings]) -> Postings:
        parts = [p for p in parts if len(p)]
        if len(parts) <= 1:
            return parts[0] if parts else EMPTY
        docs, scores, _ = combine(parts, self.size)
        return Postings(docs, scores)

    def _intersection(self, parts: list[Postings]) -> Postings:
        parts = sorted(parts, key=len)
        found = parts[0]
        for p in parts[1:]:
            if not len(found):
                return EMPTY
            _, i, j = np.intersect1d(found.docs, p.docs, assume_unique=True, return_indices=True)
            found = Postings(found.docs[i], found.scores[i] + p.scores[j])
        return found

    def _and_not(self, q: wq.AndNot) -> Postings:
        kept = self.evaluate(q.a)
        if not len(kept):
            return EMPTY
        excluded = self.evaluate(q.b)
        keep = ~np.isin(kept.docs, excluded.docs, assume_unique=True)
        return Postings(kept.docs[keep], kept.scores[keep])

    def _coordinated(self, q: Coordinated) -> Postings:
        """The concepts' summed scores times the idf-weighted share of concepts matched: see `concepts`."""
        weights = [self._idf(self._estimate(s)) for s in q.subqueries]
        found = [(self.evaluate(s), w) for s, w in zip(q.subqueries, weights, strict=True)]
        found = [(p, w) for p, w in found if len(p)]
        if not found:
            return EMPTY
        parts = [p for p, _ in found]
        docs, scores, matched = combine(parts, self.size, [np.full(len(p), w) for p, w in found])
        share = matched / sum(weights)
        return Postings(docs, q.boost * scores * share ** COORD_POWER)


def _decode(m) -> tuple[np.ndarray, np.ndarray]:
    """All document numbers and weights of one segment's posting list, a block at a time."""
    if isinstance(m, FilterMatcher):  # deleted documents: `Ranker.search` drops them at the end
        m = m.child
    if not isinstance(m, W3LeafMatcher):
        docs, weights = [], []
        while m.is_active():
            docs.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float32)
    docs, weights = [], []
    while True:
        m._read_data()
        ids, w = m._data[0], m._data[1]
        count = m._blocklength
        docs.append(np.cumsum(np.asarray(ids, dtype=np.int64)))
        if w is None:
            weights.append(np.ones(count, dtype=np.float32))
        elif isinstance(w, float):
            weights.append(np.full(count, w, dtype=np.float32))
        else:
            weights.append(np.asarray(w, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return np.concatenate(docs), np.concatenate(weights)


def _decode_positions(m) -> tuple[np.ndarray, np.ndarray]:
    """The positions of one segment's posting list, a block at a time: (positions, offsets), where
    posting i's positions are positions[offsets[i]:offsets[i + 1]]. Whoosh's `Positions` format
    stores each posting's position deltas as a pickled list after a 4-byte count."""
    if isinstance(m, FilterMatcher):
        m = m.child
    deltas: list[list[int]] = []
    while True:
        m._read_values()
        deltas += [loads(v[4:]) for v in m._values]
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    offsets = np.zeros(len(deltas) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    steps = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(offsets[-1]))
    running = np.cumsum(steps)
    positions = running - np.repeat(running[offsets[:-1]] - steps[offsets[:-1]], counts)
    return positions.astype(np.int32), offsets

