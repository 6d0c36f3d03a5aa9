"""Every document's twin signals in one table of flat arrays, kept with each index generation."""

from __future__ import annotations

import copyreg
from array import array
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pickle import PickleBuffer

import numpy as np

from ..arrays import count, ranges, take
from .signals import Signals

GATHER_ROWS = 4096  # rows copied per step when a table is reordered


class SignalTable(MutableMapping[str, Signals]):
    """Every document's signals, with keys as integer ids into one key list, in flat arrays.

    A mapping from document id to `Signals`, but stored in a form the linker can use without
    touching each key again: at 100,000 documents there are 15 million key occurrences, and
    turning their strings into ids took longer than linking them. A table is kept with each index
    generation, so an update adds and removes rows instead of redoing the whole archive. Removed
    rows are dropped when the table is pickled.
    """

    def __init__(self) -> None:
        self.key_names: list[str] = []  # key id -> key
        self.key_ids = _KeyIds(self.key_names)
        self.rows: dict[str, int] = {}  # document id -> row, live rows only
        self.lang: list[str] = []
        self.length: list[int] = []
        self.date: list[str | None] = []
        self.start = array("q", [0])  # row r's keys are occurrences[start[r]:start[r + 1]]
        self.occurrences = array("i")  # the key ids of every row, one row after the other
        self.where = bytearray()

    @classmethod
    def of(cls, sigs: Mapping[str, Signals]) -> SignalTable:
        if isinstance(sigs, SignalTable):
            return sigs
        table = cls()
        for doc_id, sig in sigs.items():
            table[doc_id] = sig
        return table

    def __setitem__(self, doc_id: str, sig: Signals) -> None:
        self.rows[doc_id] = len(self.lang)
        self.lang.append(sig.lang)
        self.length.append(sig.length)
        self.date.append(sig.date)
        self.occurrences.extend(map(self.key_ids.__getitem__, sig.keys))
        self.where += sig.where
        self.start.append(len(self.occurrences))

    def reserve(self, sizes: list[tuple[str, int]]) -> None:
        """Makes room, in an empty table, for these documents (id, number of keys) in the order of their
        ids; `fill` then writes each row in its place whatever order the signals come in. A rebuild's
        table is so in id order as it is built, with no reordering copy (`in_id_order`: 0.9 GB more at
        the peak of a million documents' rebuild)."""
        if self.lang:
            raise ValueError("reserve() needs an empty table")
        sizes = sorted(sizes)
        self.rows = {doc_id: r for r, (doc_id, _) in enumerate(sizes)}
        self.start = array("q", [0]) * (len(sizes) + 1)
        np.cumsum(np.fromiter((n for _, n in sizes), dtype=np.int64, count=len(sizes)),
                  out=np.frombuffer(self.start, dtype=np.int64)[1:])
        self.occurrences = array("i", [0]) * self.start[-1]
        self.where = bytearray(self.start[-1])
        self.lang, self.length, self.date = [None] * len(sizes), [0] * len(sizes), [None] * len(sizes)

    def fill(self, doc_id: str, sig: Signals) -> None:
        """Writes a reserved document's row; a ValueError if it is not the size reserved."""
        r = self.rows[doc_id]
        lo, hi = self.start[r], self.start[r + 1]
        if hi - lo != len(sig.keys):
            raise ValueError(f"{doc_id!r} has {len(sig.keys)} signal keys, {hi - lo} were reserved")
        self.occurrences[lo:hi] = array("i", map(self.key_ids.__getitem__, sig.keys))
        self.where[lo:hi] = sig.where
        self.lang[r], self.length[r], self.date[r] = sig.lang, sig.length, sig.date

    def unfilled(self) -> list[str]:
        """The reserved documents whose rows `fill` has not written."""
        return [doc_id for doc_id, r in self.rows.items() if self.lang[r] is None]

    def __delitem__(self, doc_id: str) -> None:
        del self.rows[doc_id]

    def __getitem__(self, doc_id: str) -> Signals:
        r = self.rows[doc_id]
        lo, hi = self.start[r], self.start[r + 1]
        return Signals(self.lang[r], self.length[r], self.date[r],
                       tuple(self.key_names[k] for k in self.occurrences[lo:hi]), bytes(self.where[lo:hi]))

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def lang_of(self, doc_id: str) -> str:
        return self.lang[self.rows[doc_id]]

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, key ids, positions) of these rows, one after the other: row `rows[i]`'s keys are
        at [start[i], start[i + 1]). Copied `GATHER_ROWS` rows at a time, so that at a million
        documents no index array as long as all the occurrences is made."""
        start, keys, positions = self._gathered(rows)
        return (np.frombuffer(start, dtype=np.int64), np.frombuffer(keys, dtype=np.int32),
                np.frombuffer(positions, dtype=np.uint8))

    def _gathered(self, rows: np.ndarray, keys: bool = True, positions: bool = True
                  ) -> tuple[array, array | None, bytearray | None]:
        """`gather` into the table's own kinds of arrays (allocated once, filled through numpy views); the
        keys or the positions only, where the other is not asked for."""
        table_start = np.frombuffer(self.start, dtype=np.int64)
        counts = table_start[rows + 1] - table_start[rows]
        start_buffer = array("q", [0]) * (len(rows) + 1)
        start = np.frombuffer(start_buffer, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        total = int(start[-1])
        keys_buffer = array("i", [0]) * total if keys else None
        positions_buffer = bytearray(total) if positions else None
        copies = [(np.frombuffer(self.occurrences, dtype=np.int32), np.frombuffer(keys_buffer, dtype=np.int32))] \
            if keys_buffer is not None else []
        if positions_buffer is not None:
            copies.append((np.frombuffer(self.where, dtype=np.uint8), np.frombuffer(positions_buffer, dtype=np.uint8)))
        for lo in range(0, len(rows), GATHER_ROWS):
            hi = min(lo + GATHER_ROWS, len(rows))
            taken = ranges(table_start[rows[lo:hi]], counts[lo:hi])
            for source, target in copies:
                target[start[lo]:start[hi]] = source[taken]
        del start, copies  # the views, so that the buffers can grow later
        return start_buffer, keys_buffer, positions_buffer

    def _id_order(self) -> tuple[list[str], np.ndarray, bool]:
        """The live documents' ids sorted, their rows, and whether those are every row in order."""
        ids = sorted(self.rows)
        order = np.fromiter(map(self.rows.__getitem__, ids), dtype=np.int64, count=len(ids))
        return ids, order, len(ids) == len(self.lang) and bool((order == np.arange(len(ids))).all())

    def in_id_order(self) -> None:
        """Puts the live rows in the order of their ids, in place of the table's arrays, so that the
        linker and `saved` take them as they are. Each of them copied every row into that order while
        the table was still held: at a million documents, 1.1 GB twice, the rebuild's peak. Here the keys
        are copied first and their old array let go before the positions are copied."""
        ids, order, ordered = self._id_order()
        if ordered:
            return
        start, self.occurrences, _ = self._gathered(order, positions=False)  # the old keys go here,
        self.where = self._gathered(order, keys=False)[2]  # before the positions are copied
        self.start = start
        rows = order.tolist()
        self.lang = [self.lang[r] for r in rows]
        self.length = [self.length[r] for r in rows]
        self.date = [self.date[r] for r in rows]
        self.rows = dict(zip(ids, range(len(ids)), strict=True))

    def __reduce_ex__(self, protocol: int):
        """Pickled as `saved`; with protocol 5 its arrays are written straight from their memory
        (no copy of a million documents' keys, and only bytes in the file: no numpy objects)."""
        return copyreg.__newobj__, (type(self),), self.saved(PickleBuffer if protocol >= 5 else bytes)

    def saved(self, raw: Callable[[np.ndarray], object] = bytes) -> dict:
        """The live rows only, in the order of their ids (so the linker can take them as they are),
        and only the keys they use (else every update would keep the keys of the releases it
        removed, and the table and linking would grow with the archive's history); the arrays as
        `raw` of their bytes."""
        ids, order, ordered = self._id_order()
        if ordered:  # as `in_id_order` leaves them: taken as they are, no copy
            start, occurrences, where = (np.frombuffer(self.start, dtype=np.int64),
                                         np.frombuffer(self.occurrences, dtype=np.int32),
                                         np.frombuffer(self.where, dtype=np.uint8))
            rows, lang, length, date = self.rows, self.lang, self.length, self.date
        else:
            start, occurrences, where = self.gather(order)
            taken = order.tolist()
            rows = dict(zip(ids, range(len(ids)), strict=True))
            lang, length, date = ([column[r] for r in taken] for column in (self.lang, self.length, self.date))
        key_names = self.key_names
        used = count(occurrences, len(key_names)) > 0
        if not used.all():  # renumber the keys in use, in their old order
            occurrences = take(np.cumsum(used, dtype=np.int32) - 1, occurrences)
            key_names = [key_names[k] for k in np.flatnonzero(used).tolist()]
        return {"key_names": key_names, "rows": rows, "lang": lang, "length": length, "date": date,
                "start": raw(start), "occurrences": raw(occurrences), "where": raw(where)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name, typecode in (("start", "q"), ("occurrences", "i")):
            if not isinstance(state[name], array):  # raw bytes; tables saved before held arrays
                grown = array(typecode)
                grown.frombytes(memoryview(state[name]).cast("B"))
                setattr(self, name, grown)
        if not isinstance(state["where"], bytearray):
            self.where = bytearray(state["where"])
        self.key_ids = _KeyIds(self.key_names)
        self.key_ids.update(zip(self.key_names, range(len(self.key_names)), strict=True))


class _KeyIds(dict):
    """key -> its id in `key_names`, where a key not seen before is appended: looking up a known
    key stays a plain dict lookup, in C."""

    def __init__(self, key_names: list[str]) -> None:
        super().__init__()
        self.key_names = key_names

    def __missing__(self, key: str) -> int:
        self[key] = found = len(self.key_names)
        self.key_names.append(key)
        return found
