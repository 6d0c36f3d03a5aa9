"""Each segment's posting lists as plain arrays in one memory-mapped file beside it: a cold term in microseconds.

Whoosh finds a term through its segment's hash table and stores its postings as pickled blocks, most
of them zlib'd: a term the cache has not seen costs a hash lookup per segment and the unpickling of
every block, milliseconds for a frequent one. The sidecar (`<segment>.tsc`) holds the same document
numbers (int32) and weights (float32) of every term, one after the other, and a sorted table of the
terms' 64-bit hashes with where each list starts; numpy reads a list straight from the page cache.

The Whoosh segment stays the source of truth. Its name makes Whoosh delete the sidecar with the
segment (every `<segment>.*` file of a segment no longer in the index goes), and it records the sizes
of the segment's term and posting files: a sidecar that is missing, of another version, or written
for other files is not used (`open_sidecar` returns None, the ranker decodes Whoosh's blocks as
before); a commit writes it again for a small segment (`complete`), a rebuild for any. Two terms whose
hashes collide are both left out, and decoded from the segment.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import struct
from array import array
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import decode

log = logging.getLogger(__name__)

EXTENSION = ".tsc"
MAGIC = b"TWSC0001"
# trailer: magic, terms, table offset, documents, size of the segment's .trm and .pst files
TRAILER = struct.Struct("<8sqqqqq")
WRITE_BUFFER = 1 << 20
INT32 = "i" if array("i").itemsize == 4 else "l"  # the array typecode of a 32-bit integer
UNSAID = -2  # `single_documents`: the sidecar cannot tell this term's one document
COMPLETE_UP_TO = 20_000  # documents of a segment without a sidecar that a commit decodes to write one
RECENT_KEYS = 1 << 16  # terms whose hash `recent_term_key` keeps


def term_key(fieldname: str, btext: bytes) -> int:
    """The 64-bit hash a term is filed under (stable across processes, unlike `hash`)."""
    digest = hashlib.blake2b(fieldname.encode() + b"\0" + btext, digest_size=8).digest()
    return int.from_bytes(digest, "little")


@lru_cache(maxsize=RECENT_KEYS)
def recent_term_key(fieldname: str, btext: bytes) -> int:
    """`term_key`, remembered: a search looks each of its terms up in every segment's sidecar."""
    return term_key(fieldname, btext)


def term_keys(fieldname: str, btexts: list[bytes]) -> np.ndarray:
    """`term_key` of each term of one field, as an array (for `Sidecar.single_documents`)."""
    return np.fromiter((term_key(fieldname, b) for b in btexts), dtype=np.uint64, count=len(btexts))


def path_of(folder: Path, segment_id: str) -> Path:
    return folder / f"{segment_id}{EXTENSION}"


def segment_sizes(folder: Path, segment_id: str) -> tuple[int, int]:
    """The sizes of the segment's term table and posting file, which the sidecar must have been written for."""
    return tuple(os.path.getsize(folder / f"{segment_id}{ext}") for ext in (".trm", ".pst"))  # type: ignore[return-value]


class SidecarWriter:
    """Writes a sidecar a term at a time, posting lists first (streamed to disk), the table last."""

    def __init__(self, folder: Path, segment_id: str) -> None:
        self.folder, self.segment_id = folder, segment_id
        self.tmp = folder / f".{segment_id}{EXTENSION}.tmp"
        self.file = open(self.tmp, "wb", buffering=WRITE_BUFFER)  # noqa: SIM115 (closed by finish or abandon)
        self.keys = array("Q")
        self.starts = array("q")
        self.counts = array("q")
        self.offset = 0

    def add(self, fieldname: str, btext: bytes, docs: list[int] | np.ndarray, weights: array | np.ndarray) -> None:
        """One term's postings: its document numbers in order, and their weights (float32)."""
        count = len(docs)
        self.keys.append(term_key(fieldname, btext))
        self.starts.append(self.offset)
        self.counts.append(count)
        self.file.write(_raw(docs, INT32, np.int32))
        self.file.write(_raw(weights, "f", np.float32))
        self.offset += 8 * count

    def finish(self, documents: int) -> Path:
        """Writes the table and trailer and puts the file under its name; call after the segment's files
        are closed (their sizes are recorded)."""
        keys = np.frombuffer(self.keys, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.frombuffer(self.starts, dtype=np.int64)[order]
        counts = np.frombuffer(self.counts, dtype=np.int64)[order]
        clash = np.zeros(len(keys), dtype=bool)
        if len(keys) > 1:
            same = keys[1:] == keys[:-1]
            clash[1:] |= same
            clash[:-1] |= same
        counts[clash] = -1  # both terms of a collision are decoded from the segment instead
        if self.offset % 8:
            self.file.write(b"\0" * (8 - self.offset % 8))
        table = self.file.tell()
        for part in (keys, starts, counts):
            part.tofile(self.file)
        trm, pst = segment_sizes(self.folder, self.segment_id)
        self.file.write(TRAILER.pack(MAGIC, len(keys), table, documents, trm, pst))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        final = path_of(self.folder, self.segment_id)
        os.replace(self.tmp, final)
        return final

    def abandon(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


def _raw(values: list | array | np.ndarray, typecode: str, dtype: type) -> bytes:
    """`values` as the bytes of `dtype` (little-endian on every machine we run on). Through the buffered
    file, not `ndarray.tofile`, which wrote each term's lists to the disk by themselves: two system calls
    a term were two thirds of writing a sidecar."""
    if isinstance(values, np.ndarray):
        return values.astype(dtype, copy=False).tobytes()
    if isinstance(values, array) and values.typecode == typecode:
        return values.tobytes()
    return array(typecode, values).tobytes()


class Sidecar:
    """One segment's sidecar, memory-mapped; `postings` returns views into it, never copies. The table is
    read through memoryviews (`bisect` on Python ints): a numpy call per lookup cost more than the rest."""

    def __init__(self, data: mmap.mmap, terms: int, table: int) -> None:
        self._data = data
        whole = memoryview(data)
        self._keys = whole[table:table + 8 * terms].cast("Q")
        self._starts = whole[table + 8 * terms:table + 16 * terms].cast("q")
        self._counts = whole[table + 16 * terms:table + 24 * terms].cast("q")

    def __len__(self) -> int:
        """How many terms it holds."""
        return len(self._keys)

    def warm(self) -> None:
        """Asks the kernel to read the whole file into the page cache ahead of the first queries."""
        self._data.madvise(mmap.MADV_WILLNEED)

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """The term's document numbers and weights (empty where the segment lacks it), or None where the
        sidecar cannot say (a hash collision: ask the segment)."""
        key = recent_term_key(fieldname, btext)
        at = bisect_left(self._keys, key)
        if at == len(self._keys) or self._keys[at] != key:
            return decode.NO_POSTINGS
        count = self._counts[at]
        if count < 0:
            return None
        start = self._starts[at]
        return (np.frombuffer(self._data, dtype=np.int32, count=count, offset=start),
                np.frombuffer(self._data, dtype=np.float32, count=count, offset=start + 4 * count))

    def single_documents(self, keys: np.ndarray) -> np.ndarray:
        """For terms that each name at most one document (ids), by their `term_keys`, in one pass: each
        term's document number, -1 where the segment lacks the term, and `UNSAID` where the sidecar cannot
        say cheaply (a hash collision, or several documents: ask `postings`). Looking 400,000 twins' ids up
        one at a time through Whoosh took 20-90 s at 1,000,000 releases."""
        found = np.full(len(keys), -1, np.int64)
        table = np.frombuffer(self._keys, dtype=np.uint64)
        if not len(table) or not len(keys):
            return found
        at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        present = table[at] == keys
        counts = np.frombuffer(self._counts, dtype=np.int64)[at]
        single = present & (counts == 1)
        starts = np.frombuffer(self._starts, dtype=np.int64)[at[single]]
        found[single] = np.frombuffer(self._data, dtype=np.int32)[starts // 4]
        found[present & (counts != 1) & (counts != 0)] = UNSAID
        return found


def open_sidecar(folder: Path, segment_id: str, documents: int) -> Sidecar | None:
    """The segment's sidecar, or None where there is none that fits the segment's files."""
    try:
        with open(path_of(folder, segment_id), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < TRAILER.size:
                return None
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        magic, terms, table, docs, trm, pst = TRAILER.unpack_from(data, size - TRAILER.size)
        if magic != MAGIC or docs != documents or (trm, pst) != segment_sizes(folder, segment_id) \
                or table + 24 * terms != size - TRAILER.size:
            log.info("%s: its sidecar does not fit the segment; its postings are decoded from Whoosh's blocks",
                     segment_id)
            return None
        return Sidecar(data, terms, table)
    except (OSError, ValueError, struct.error):
        return None


def complete(ix) -> int:
    """Writes the sidecar of each segment of the Whoosh index `ix` that lacks one and has at most
    `COMPLETE_UP_TO` documents: the segments Whoosh merged itself, which are small. A large segment
    without one was written by an earlier version; decoding all of it here would make an update as slow
    as a rebuild, which gives it one. Returns how many were written."""
    folder = Path(ix.storage.folder)
    written = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segment_id, documents = leaf.segment().segment_id(), leaf.doc_count_all()
            if documents > COMPLETE_UP_TO or open_sidecar(folder, segment_id, documents) is not None:
                continue
            out = SidecarWriter(folder, segment_id)
            try:
                for fieldname, btext in leaf.all_terms():
                    out.add(fieldname, btext, *decode.postings(decode.unfiltered(leaf, fieldname, btext)))
                out.finish(documents)
            except BaseException:
                out.abandon()
                raise
            written += 1
    return written
