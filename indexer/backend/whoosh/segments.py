"""Whoosh segments written a posting list at a time instead of a posting at a time.

Whoosh's `SegmentWriter` runs each field through a chain of token generators, puts every posting
into a pool as a tuple, sorts all postings at the end and hands them to the codec one at a time,
reading each one's field length back from disk on the way. For a worker indexing 50,000 releases
that is some ten million postings, each passing through a dozen Python calls; it was two thirds
of a build worker's time. `ListWriter` makes the same postings with less work:

* analysis: each distinct word is analyzed once by the field's own chain (`analysis.WordAnalyzer`),
  and a document's postings are its words' terms at their positions;
* pooling: a posting is appended to its term's list; the terms are sorted, not the postings;
  beyond a memory budget the lists go to a sorted run on disk, and the runs are merged per term;
* writing: Whoosh's own block writer gets a block (up to 128 postings) at a time, with the field
  lengths from memory.

The segments hold what `SegmentWriter` writes for the same documents: every term, posting,
length and stored field (tests/backend/test_segments.py compares them). Only the bytes differ: small
blocks are stored uncompressed and zlib uses a smaller window, both of which Whoosh's reader
takes as they are, so everything that reads an index, Whoosh or `ranking`, is unchanged.
Fields whose analyzer is not one of our word-local chains go through Whoosh's `field.index`.
"""

from __future__ import annotations

import heapq
import itertools
import marshal
import os
import zlib
from array import array
from collections.abc import Iterator
from operator import sub
from pathlib import Path
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.fields import FieldType
from whoosh.formats import Positions
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from ...analysis import WordAnalyzer, word_local
from .sidecar import SidecarWriter

# What a posting costs in memory while it waits (two list slots with the list's spare room, and the
# (weight, bytes) pairs that are not shared), and a term (its list and dict entry; the key string
# is the word cache's); fitted with tracemalloc, and checked against it in tests/backend/test_segments.py.
POSTING_BYTES = 24
TERM_BYTES = 96
ENCODINGS_REMEMBERED = 100_000  # (weight, positions) -> (weight, bytes), shared by equal postings
RUN_CHUNK = 2048  # terms per marshal record in a run file: one call each costs more than a term
BLOCK_LIMIT = 128  # postings per block, as Whoosh's W3Codec writes them
COMPRESSION = 3  # zlib level, as W3Codec
COMPRESS_FROM = 256  # bytes of pickle (~15 postings): below this zlib saves little and costs a call
WINDOW_BITS = 12  # a 4 KB window: blocks are small, and zlib sets up a 32 KB one much more slowly

Postings = list  # [docnum, (weight, value bytes), docnum, (weight, value bytes), ...] of one term


class ListWriter(SegmentWriter):
    """A `SegmentWriter` that pools posting lists; see the module docstring.

    `limitmb` bounds the memory of waiting postings, as it bounds Whoosh's pool."""

    def __init__(self, ix, limitmb: int = 128, sidecars: bool = True, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.sidecars = sidecars  # posting sidecars beside each segment, for the ranking (`sidecar`)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling fields are not supported")
        self.words: dict[str, WordAnalyzer] = {}
        for name, field in self.schema.items():
            if field.indexed and type(field.format) is Positions and word_local(getattr(field, "analyzer", None)):
                # fields with equal chains (a language's title and body) share one word cache
                same = next((w for w in self.words.values() if w.analyzer == field.analyzer), None)
                self.words[name] = same or WordAnalyzer(field.analyzer)
        self.lists = PostingLists(Path(self._tempstorage.folder), limitmb * 1024 * 1024)
        self.lengths: dict[str, bytearray] = {}  # field -> length byte of each document in this segment
        self._encodings: dict[tuple, tuple[float, bytes]] = {}
        self._once: dict[tuple, list[tuple[float, bytes]]] = {}

    def add_document(self, **fields) -> None:
        """Whoosh's `add_document` (stored values, lengths, columns, boosts), with the postings
        going to the lists."""
        self._check_state()
        perdoc, docnum = self.perdocwriter, self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if field.indexed:
                    length = self._index(name, field, value, docnum, self._field_boost(fields, name, docboost))
                stored = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        self.lists.spill_if_full()

    def _index(self, name: str, field: FieldType, value, docnum: int, boost: float) -> int:
        """Adds one field's postings; returns its length (the number of tokens) if it is scored."""
        lists, length = self.lists.field(name), 0
        words = self.words.get(name)
        if words is not None and isinstance(value, str):
            positions, off = words.postings(value)
            field_boost, encode = field.format.field_boost, field.format.encode
            # Most postings are one word once: their (weight, bytes) come from a row by position,
            # shared by all such postings, so such a posting costs two list slots.
            once = self._once.setdefault((field_boost * boost, encode), [])
            get = lists.get
            for term, where in positions.items():
                if len(where) == 1 and term not in off:
                    pos = where[0]
                    if pos >= len(once):
                        once.extend((1.0 * field_boost * boost, encode([p])) for p in range(len(once), pos + 1))
                    pair = once[pos]
                else:
                    pair = self._encoded((len(where) + off.get(term, 0.0)) * field_boost * boost, where, encode)
                postings = get(term)
                if postings is None:
                    lists[term] = [docnum, pair]
                else:
                    postings += (docnum, pair)
                length += len(where)
            self.lists.postings += len(positions)
        else:
            for tbytes, freq, weight, vbytes in field.index(value):
                postings = lists.get(tbytes)
                if postings is None:
                    lists[tbytes] = [docnum, (weight * boost, vbytes)]
                else:
                    postings += (docnum, (weight * boost, vbytes))
                self.lists.postings += 1
                length += freq
        if not field.scorable:
            return 0
        if length:
            lens = self.lengths.setdefault(name, bytearray())
            lens.extend(bytes(docnum - len(lens)))
            lens.append(length_to_byte(length))
        return length

    def _encoded(self, weight: float, where: list[int], encode) -> tuple[float, bytes]:
        """(weight, bytes) of a posting with several positions; short ones shared through a cache."""
        if len(where) > 3:
            return weight, encode(where)
        key = (weight, *where)
        pair = self._encodings.get(key)
        if pair is None:
            if len(self._encodings) >= ENCODINGS_REMEMBERED:
                self._encodings.clear()
            pair = self._encodings[key] = (weight, encode(where))
        return pair

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer, current, terms = self.fieldwriter, None, None
        arrays = SidecarWriter(Path(self.storage.folder), self.newsegment.segment_id()) if self.sidecars else None
        try:
            for name, tbytes, postings in self.lists.merged():
                if name != current:
                    if current is not None:
                        writer.finish_field()
                    current = name
                    terms = TermWriter(writer, name, self.schema[name], self.lengths.get(name), arrays)
                terms.write(tbytes, postings)
            if current is not None:
                writer.finish_field()
            writer.close()
            if arrays is not None:
                arrays.finish(self.docnum)
        except BaseException:
            if arrays is not None:
                arrays.abandon()
            raise

    def _close_segment(self) -> None:
        self.lists.discard()
        super()._close_segment()


class TermWriter:
    """Writes one field's posting lists in Whoosh 3's format through a `W3FieldWriter`: per term,
    blocks of up to 128 postings, each a pickled info tuple and a pickled (id deltas, weights,
    values) tuple, then a `W3TermInfo` in the term table.

    One difference from Whoosh's own writer: a block whose pickle is under `COMPRESS_FROM` bytes
    is stored uncompressed (compression 0 in its info tuple, which every reader honours). Whoosh
    meant to do the same below 20 bytes, but a bug compresses every block, and a `zlib.compress`
    call costs more than all the rest of a small block."""

    def __init__(self, writer: W3FieldWriter, name: str, field: FieldType, lens: bytearray | None,
                 arrays: SidecarWriter | None) -> None:
        writer.start_field(name, field)
        self.name, self.arrays = name, arrays
        self.file = writer._postfile
        self.prefix = pack_ushort(writer._fieldid)
        self.add_term = writer._tindex.add
        fixed = field.format.fixed_value_size()
        self.values = "all" if fixed is None or fixed < 0 else "none" if fixed == 0 else "joined"
        self.lens = lens

    def write(self, tbytes: bytes, postings: Postings) -> None:
        file, lens = self.file, self.lens
        start = file.tell()
        file.write(WHOOSH3_HEADER_MAGIC)
        ids, pairs = postings[0::2], postings[1::2]
        count = len(ids)
        total = 0.0
        min_length, max_length, max_weight = None, 0, 0
        all_weights = array("f")
        for first in range(0, count, BLOCK_LIMIT):
            block_ids = ids[first:first + BLOCK_LIMIT] if count > BLOCK_LIMIT else ids
            weights, values = zip(*(pairs[first:first + BLOCK_LIMIT] if count > BLOCK_LIMIT else pairs), strict=True)
            weights32 = array("f", weights)  # what Whoosh stores and sums for the term info
            all_weights.extend(weights32)
            block_max_weight = max(0, *weights)
            if lens is None:
                block_min, block_max = None, 0
            else:
                found = bytes(map(lens.__getitem__, block_ids))
                block_min, block_max = byte_to_length(min(found)), byte_to_length(max(found))
            if self.values == "all":
                stored = tuple(filter(None, values)) if b"" in values else values
            else:
                stored = None if self.values == "none" else b"".join(values)
            data = dumps((tuple(map(sub, block_ids, (0, *block_ids[:-1]))), _mini_weights(weights32), stored), 2)
            compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
            if compression:
                data = zlib.compress(data, compression, WINDOW_BITS)
            header = dumps((len(block_ids), block_ids[-1], block_max_weight, compression,
                            length_to_byte(block_min), length_to_byte(block_max)), 2)
            size = len(header) + len(data)
            file.write(pack_int(-size if first + BLOCK_LIMIT >= count else size))
            file.write(header)
            file.write(data)
            # what W3TermInfo.add_block gathers, block by block
            total += sum(weights32)
            if block_min is not None:
                min_length = block_min if min_length is None else min(min_length, block_min)
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_max_weight)
        info = W3TermInfo(weight=total, df=count, minlength=min_length, maxlength=max_length,
                          maxweight=max_weight, minid=ids[0], maxid=ids[-1])
        info.set_extent(start, file.tell() - start)
        self.add_term(self.prefix + tbytes, info.to_bytes())
        if self.arrays is not None:
            self.arrays.add(self.name, tbytes, ids, all_weights)


def _mini_weights(weights: array) -> float | tuple | None:
    """Whoosh's block weights: None when all are 1, one float when all are equal."""
    first = weights[0]
    if weights.count(first) == len(weights):
        return None if first == 1.0 else first
    return tuple(weights)


class PostingLists:
    """The postings of a segment in the making, in memory and in sorted runs on disk."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        self.folder = folder
        self.budget = budget_bytes
        self.fields: dict[str, dict[str | bytes, Postings]] = {}  # field -> term -> postings
        self.runs: list[Path] = []
        self.postings = 0  # counted by the writer as it adds them

    def field(self, name: str) -> dict[str | bytes, Postings]:
        lists = self.fields.get(name)
        if lists is None:
            lists = self.fields[name] = {}
        return lists

    def memory(self) -> int:
        """An estimate of what the lists take, from counts: cheaper than measuring."""
        return self.postings * POSTING_BYTES + sum(map(len, self.fields.values())) * TERM_BYTES

    def spill_if_full(self) -> None:
        if self.memory() > self.budget:
            self.spill()

    def spill(self) -> None:
        """Writes what is in memory to a run file, sorted, and empties memory."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"run-{os.getpid()}-{len(self.runs)}.marshal"
        with open(path, "wb") as f:
            items = self._in_memory()
            while chunk := list(itertools.islice(items, RUN_CHUNK)):
                marshal.dump(chunk, f)
        self.runs.append(path)
        self.fields, self.postings = {}, 0

    def _in_memory(self) -> Iterator[tuple[str, bytes, Postings]]:
        """(field, term bytes, postings) in Whoosh's order: by field name, then term bytes."""
        for name in sorted(self.fields):
            lists = self.fields[name]
            keyed = sorted((t if isinstance(t, bytes) else t.encode("utf-8"), t) for t in lists)
            for tbytes, term in keyed:
                yield name, tbytes, lists[term]

    def merged(self) -> Iterator[tuple[str, bytes, Postings]]:
        """Everything, in order; a term's postings from every run and memory joined in document order."""
        if not self.runs:
            yield from self._in_memory()
            return
        sources = [_read_run(path) for path in self.runs] + [self._in_memory()]
        key = lambda item: (item[0], item[1])  # noqa: E731
        for (name, tbytes), group in itertools.groupby(heapq.merge(*sources, key=key), key=key):
            postings: Postings = []
            for _, _, part in group:  # heapq.merge keeps equal keys in run order: documents ascend
                postings += part
            yield name, tbytes, postings

    def discard(self) -> None:
        for path in self.runs:
            path.unlink(missing_ok=True)
        self.runs, self.fields = [], {}


def _read_run(path: Path) -> Iterator[tuple[str, bytes, Postings]]:
    with open(path, "rb") as f:
        while True:
            try:
                yield from marshal.load(f)
            except EOFError:
                return
