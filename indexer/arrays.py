"""Array helpers for code that works on whole numpy arrays (the Whoosh ranking, the twin table and linker)."""

from __future__ import annotations

import numpy as np


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(start, start + count) for each start and count."""
    return np.repeat(starts, counts) + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


STEP = 1 << 22  # elements per step of the functions below


def take(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`values[index]`, a few million at a time: numpy first turns an int32 index into an int64
    copy, which for all of a million documents' key occurrences would be over a gigabyte."""
    out = np.empty(len(index), dtype=values.dtype)
    for lo in range(0, len(index), STEP):
        np.take(values, index[lo:lo + STEP], out=out[lo:lo + STEP])
    return out


def count(index: np.ndarray, length: int) -> np.ndarray:
    """`np.bincount(index, minlength=length)`, a few million at a time (for the same reason)."""
    counts = np.zeros(length, dtype=np.int64)
    for lo in range(0, len(index), STEP):
        counts += np.bincount(index[lo:lo + STEP], minlength=length)
    return counts
