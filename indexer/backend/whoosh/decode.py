"""Reading Whoosh 3's on-disk structures into numpy arrays: posting blocks, positions, field lengths.

These use Whoosh's private block and column readers (there is no public way to read a whole
posting list at once); they are the only code that does, and `tests/backend/test_ranking.py`
holds their results to Whoosh's own matchers.
"""

from __future__ import annotations

from itertools import chain
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.util.numeric import byte_to_length

LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
NO_POSTINGS = (np.empty(0, np.intp), np.empty(0, np.float32))  # a term a segment lacks: documents, weights


def segment_lengths(reader, fieldname: str) -> np.ndarray:
    """One segment's field lengths, read as the byte column Whoosh writes them to."""
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count)
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    return LENGTHS[np.pad(raw, (0, count - len(raw)))]


def unfiltered(reader, fieldname: str, btext: bytes):
    """A segment's matcher for a term with its deleted documents left in (`Ranker.search` drops them at
    the end). `reader.postings` wraps it in a filter that has already stepped past the deleted documents
    at its start, so reading its child from there would lose them, and whole blocks with them."""
    return reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)


def postings(m) -> tuple[np.ndarray, np.ndarray]:
    """All document numbers and weights of one segment's posting list (`unfiltered`), a block at a time."""
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


def positions(m) -> tuple[np.ndarray, np.ndarray]:
    """The positions of one segment's posting list, a block at a time: (positions, offsets), where
    posting i's positions are positions[offsets[i]:offsets[i + 1]]. Whoosh's `Positions` format
    stores each posting's position deltas as a pickled list after a 4-byte count."""
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
