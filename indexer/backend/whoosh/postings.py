"""Decoded postings kept in memory, and what all threads share for one index generation.

Decoded postings are kept per index folder, 8 bytes each: 64 per release, from 16 million (128 MB)
up to 64 million (512 MB), unless TWINSEARCH_CACHE_POSTINGS says how many. `warm` fills the cache
with the most frequent terms first. At 1,000,000 releases a search spent two thirds of its time
decoding Whoosh's blocks with 16 million; 64 million halved the mean query time
(benchmarks/RESULTS.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from whoosh.searching import Searcher

from ...config import cache_postings
from ..memo import Memo
from .decode import segment_lengths
from .sidecar import Sidecar, open_sidecar

CACHE_POSTINGS_PER_DOCUMENT = 64
CACHE_POSTINGS_RANGE = (16_000_000, 64_000_000)
# An entry's key, tuple, two array objects and dict slot take about 500 bytes, as much as 64
# postings; counting them bounds the cache also when most entries are empty (a query term missing
# from a field or a segment).
ENTRY_COST = 64


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


class SharedState:
    """What all threads share for one index generation: length norms, live documents, the index
    folder's postings, and whatever else a search computes once per generation (`remember`)."""

    def __init__(self, postings: PostingCache) -> None:
        self.postings = postings
        self._norms: dict[tuple[str, float, float], np.ndarray] = {}
        self._live: np.ndarray | None = None
        self.memo = Memo()
        self._sidecars: dict[str, Sidecar | None] = {}
        self._lock = threading.Lock()

    def sidecar(self, reader) -> Sidecar | None:
        """The sidecar of a segment (its `SegmentReader`), opened once per generation; None where it has none."""
        segment_id = reader.segment().segment_id()
        if segment_id not in self._sidecars:
            found = open_sidecar(Path(reader._storage.folder), segment_id, reader.doc_count_all())
            with self._lock:
                self._sidecars.setdefault(segment_id, found)
        return self._sidecars[segment_id]

    def remember(self, key: tuple, compute, keep: bool = False):
        """`compute()`, kept under `key` for the generation's life (see `Memo`)."""
        return self.memo.remember(key, compute, keep)

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
            average = searcher.avg_field_length(fieldname) or 1
            norm = k1 * ((1 - b) + b * self.lengths(searcher, fieldname) / average)
            with self._lock:
                self._norms[key] = norm
        return norm

    def lengths(self, searcher: Searcher, fieldname: str) -> np.ndarray:
        """Each document's length in `fieldname` (0: the field is empty), as Whoosh stores it."""
        key = ("lengths", fieldname)
        lengths = self._norms.get(key)
        if lengths is None:
            parts = [segment_lengths(r, fieldname) for r, _ in searcher.reader().leaf_readers()]
            lengths = np.concatenate(parts) if parts else np.empty(0)
            with self._lock:
                self._norms[key] = lengths
        return lengths


_generations: dict[Path, SharedState] = {}
_caches: dict[Path, PostingCache] = {}
_generations_lock = threading.Lock()


def generation(gen: Path, documents: int) -> SharedState:
    """The shared state of `gen`, an index of `documents` releases; that of other generations of the
    same index is let go, except the postings of the segments they have in common."""
    with _generations_lock:
        shared = _generations.get(gen)
        if shared is None:
            for old in [g for g in _generations if g.parent == gen.parent]:
                del _generations[old]
            postings = _caches.setdefault(gen.parent, PostingCache())
            postings.resize(cache_budget(documents))
            shared = _generations[gen] = SharedState(postings)
        return shared
