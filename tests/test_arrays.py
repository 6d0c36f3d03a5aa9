"""The array helpers give numpy's own results, whatever the step they work in."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import arrays


@pytest.mark.parametrize("step", [1, 3, 1 << 22])
def test_take_and_count_in_steps_are_numpys_take_and_bincount(monkeypatch, step):
    monkeypatch.setattr(arrays, "STEP", step)
    rng = np.random.default_rng(5)
    index = rng.integers(0, 50, size=101).astype(np.int32)
    values = rng.random(50)
    assert np.array_equal(arrays.take(values, index), values[index])
    assert np.array_equal(arrays.count(index, 60), np.bincount(index, minlength=60))
    assert arrays.take(values, index[:0]).shape == (0,) and arrays.count(index[:0], 4).tolist() == [0, 0, 0, 0]


def test_ranges_concatenates_one_range_per_start_and_count():
    got = arrays.ranges(np.array([10, 0, 5]), np.array([2, 0, 3]))
    assert got.tolist() == [10, 11, 5, 6, 7]
