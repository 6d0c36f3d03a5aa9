"""Closing an index to set its scoring: a close the cluster answers without applying is asked again."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from indexer.backend.opensearch import writer
from indexer.errors import BackendError


def cluster(applies_at: int | None):
    """A client whose cluster applies the `applies_at`-th close it is asked for (None: never)."""
    asked = []

    def close(index):
        asked.append(index)
        return {"acknowledged": True, "shards_acknowledged": False}

    def state(metric, index, params):
        closed = applies_at is not None and len(asked) >= applies_at
        return {"metadata": {"indices": {index: {"state": "close" if closed else "open"}}}}

    return SimpleNamespace(indices=SimpleNamespace(close=close), cluster=SimpleNamespace(state=state)), asked


def test_a_close_the_cluster_did_not_apply_is_asked_again(monkeypatch):
    monkeypatch.setattr(writer, "CLOSE_AGAIN_SECONDS", 0.05)
    client, asked = cluster(applies_at=2)
    writer._close(client, "twinsearch-1", seconds=5)
    assert asked == ["twinsearch-1", "twinsearch-1"]


def test_a_close_never_applied_is_an_error_that_says_what_the_cluster_answered(monkeypatch):
    monkeypatch.setattr(writer, "CLOSE_AGAIN_SECONDS", 0.05)
    client, asked = cluster(applies_at=None)
    with pytest.raises(BackendError, match=r"did not close twinsearch-1 within 0 s \(state 'open'; last answer "
                                           r"to the close: \{'acknowledged': True, 'shards_acknowledged': False\}\)"):
        writer._close(client, "twinsearch-1", seconds=0.3)
    assert len(asked) >= 2
