"""The stored columns that facets and sorting read, kept per segment and shared by the generations of an
index folder.

A column is read from the stored releases, one unpickled release at a time: most of a server's warm-up
at 1,000,000 releases (some 30 s). Segments never change, and an `update` keeps every segment it does
not merge, so after one only its new segments are read: the server's first searches on the new
generation no longer stall. A segment's entries cover deleted releases too (search results never hold
them), so they stay right for every generation that has the segment.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .. import fields

Columns = dict[str, np.ndarray]


class SegmentColumns:
    """Each segment's columns by segment id, for one index folder."""

    def __init__(self) -> None:
        self._segments: dict[str, Columns] = {}
        self._lock = threading.Lock()

    def of(self, leaves: list) -> Columns:
        """The columns of a generation whose segments are the Whoosh leaf readers `leaves`, in order; a
        segment that no longer serves is let go (a generation being replaced keeps the arrays it made)."""
        parts = [self._segment(leaf) for leaf in leaves]
        with self._lock:
            serving = {leaf.segment().segment_id() for leaf in leaves}
            for segment_id in [s for s in self._segments if s not in serving]:
                del self._segments[segment_id]
        if not parts:
            return fields.empty_columns(0)
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def _segment(self, leaf) -> Columns:
        segment_id = leaf.segment().segment_id()
        with self._lock:
            found = self._segments.get(segment_id)
        if found is None:
            found = fields.empty_columns(leaf.doc_count_all())
            for docnum in range(leaf.doc_count_all()):
                fields.fill_columns(found, docnum, leaf.stored_fields(docnum))
            with self._lock:
                found = self._segments.setdefault(segment_id, found)
        return found


_folders: dict[Path, SegmentColumns] = {}
_folders_lock = threading.Lock()


def of_folder(index_dir: Path) -> SegmentColumns:
    """The segment columns of one index folder (all its generations)."""
    with _folders_lock:
        return _folders.setdefault(index_dir, SegmentColumns())
