"""Writing a generation into its own OpenSearch index; the alias moves to it when it is published.

A rebuild creates a new index; an update clones the serving one (`_clone`, which hard-links its
segments: the serving index is write-blocked once published, as `_clone` requires) and applies the
changes to the clone. Either way the serving index is never written to, so a failed or killed build
leaves the alias where it was, and the next build drops the abandoned index (`drop`).

Document numbers: each document carries `n`, what masks and scores are indexed by (see
`indexer.backend`). Workers index in parallel, so each takes numbers in blocks from a counter file in
the generation folder (`flock`); the gaps a block leaves behave as deleted documents.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from ... import store, tuning
from ...config import opensearch_settings
from ...errors import BackendError
from ...model import Document
from . import documents
from .client import call, connect

log = logging.getLogger(__name__)

STATE = "opensearch.json"  # the generation's index name and size
COUNTER = "opensearch.next"  # the next free document number, shared by a build's workers
BLOCK = 256  # numbers a worker takes at once
BULK_DOCS = 500  # documents per bulk request
PAGE_MOST = 200_000  # hits a search may read at once: every match of most queries, in one request
CLOSE_SECONDS = 60  # for the cluster to apply the close of an index
CLOSE_AGAIN_SECONDS = 5  # after which a close not yet applied is asked again
BULK_RETRIES = 5  # a bulk request the cluster refuses as too busy (HTTP 429) is retried, backing off


def state(gen: Path) -> dict:
    found = store.read_json(gen, STATE)
    if found is None:
        raise BackendError(f"{gen}/ is not an OpenSearch generation (no {STATE})")
    return found


def new_index_name() -> str:
    return f"{opensearch_settings().alias}-{uuid.uuid4().hex[:16]}"


def create(gen: Path) -> None:
    """A new, empty index for the generation being built."""
    settings, weights = opensearch_settings(), tuning.current()
    name = new_index_name()
    client = connect()
    call(f"create the index {name}", lambda: client.indices.create(
        index=name, body=documents.mapping(weights.k1, weights.b, settings.shards, settings.replicas)))
    store.write_json(gen, STATE, {"index": name, "size": 0, "published": False})
    _set_counter(gen, 0)


def clone(gen: Path) -> None:
    """The generation folder `gen` was copied from the serving one: its index becomes a clone of the
    serving index, to which this build writes."""
    old = state(gen)
    name = new_index_name()
    client = connect()
    call(f"write-block {old['index']}", lambda: client.indices.put_settings(  # what `_clone` requires
        index=old["index"], body={"index.blocks.write": True}))
    call(f"clone {old['index']} into {name}", lambda: client.indices.clone(
        index=old["index"], target=name, body={"settings": {"index.blocks.write": False}},
        params={"wait_for_active_shards": "1"}))
    call(f"wait for {name}", lambda: client.cluster.health(
        index=name, params={"wait_for_status": "yellow"}))
    store.write_json(gen, STATE, {"index": name, "size": old["size"], "published": False})
    _set_counter(gen, old["size"])


def _set_counter(gen: Path, value: int) -> None:
    store.write_bytes(gen, COUNTER, f"{value}\n".encode())


def take_numbers(gen: Path, count: int) -> int:
    """The first of `count` consecutive free document numbers, taken from the generation's counter."""
    with open(gen / COUNTER, "r+", encoding="ascii") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        first = int(f.read().strip() or 0)
        f.seek(0)
        f.write(f"{first + count}\n")
        f.truncate()
        f.flush()
        os.fsync(f.fileno())
    return first


def bulk(index: str, actions: list[dict]) -> None:
    """Indexes `actions` (documents with their `_id`), retrying what the cluster refuses as busy."""
    from opensearchpy import helpers

    client = connect()

    def run() -> None:
        for ok, item in helpers.streaming_bulk(client, actions, index=index, chunk_size=BULK_DOCS,
                                               max_retries=BULK_RETRIES, initial_backoff=1, max_backoff=30,
                                               raise_on_error=False):
            if not ok:
                raise BackendError(f"OpenSearch refused a document for {index}: {str(item)[:300]}")

    call(f"index documents into {index}", run)


class OpenSearchPart:
    """A worker's share of a build: documents sent in bulk requests as they come."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self.index = state(gen)["index"]
        self.pending: list[dict] = []
        self.numbers: list[int] = []
        self.added = 0

    def add(self, doc: Document, file_key: str) -> None:
        if not self.numbers:
            first = take_numbers(self.gen, BLOCK)
            self.numbers = list(range(first + BLOCK - 1, first - 1, -1))
        n = self.numbers.pop()
        self.pending.append({"_id": str(n), "_source": documents.body(doc, file_key, n)})
        self.added += 1
        if len(self.pending) >= BULK_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            bulk(self.index, self.pending)
            self.pending = []

    def finish(self) -> Any:
        self._flush()
        return self.added or None

    def abandon(self) -> None:
        self.pending = []  # the index itself goes with the failed generation (`drop`)


class OpenSearchWriter:
    """The parent's side: deletions of changed files, and the commit that makes the index complete."""

    def __init__(self, gen: Path) -> None:
        if state(gen)["published"]:  # a copy of the serving generation: write to a clone of its index
            clone(gen)
        self.gen = gen
        self.index = state(gen)["index"]
        self.client = connect()

    def delete_file(self, key: str) -> None:
        self._delete({"term": {"file": key}}, f"delete the documents of {key}")

    def _delete(self, query: dict, what: str) -> None:
        """Deletes what `query` matches by id, in bulk (delete-by-query lives in a module that a cluster
        may not load)."""
        from opensearchpy import helpers

        def run() -> None:
            call(f"refresh {self.index}", lambda: self.client.indices.refresh(index=self.index))
            hits = helpers.scan(self.client, index=self.index, query={"query": query, "_source": False})
            actions = ({"_op_type": "delete", "_id": hit["_id"]} for hit in hits)
            for ok, item in helpers.streaming_bulk(self.client, actions, index=self.index, chunk_size=BULK_DOCS,
                                                   max_retries=BULK_RETRIES, raise_on_error=False):
                if not ok and item.get("delete", {}).get("status") != 404:
                    raise BackendError(f"OpenSearch could not delete from {self.index}: {str(item)[:300]}")

        call(what, run)

    def commit(self, parts: list[Any], duplicates: list[tuple[str, str]]) -> None:
        call(f"refresh {self.index}", lambda: self.client.indices.refresh(index=self.index))
        for doc_id, key in duplicates:
            self._delete({"bool": {"filter": [{"term": {"id": doc_id}}, {"term": {"file": key}}]}},
                         f"drop the duplicate {doc_id!r} of {key}")
        call(f"flush {self.index}", lambda: self.client.indices.flush(index=self.index))
        size, holding = self._field_counts()
        weights = tuning.current()
        page = min(max(size, documents.PAGE), PAGE_MOST)
        self._score_like_whoosh(size, holding, weights.k1, weights.b, page)
        store.write_json(self.gen, STATE, {"index": self.index, "size": self._size(), "published": False,
                                           "documents": size, "fields": holding, "k1": weights.k1, "b": weights.b,
                                           "page": page})

    def _field_counts(self) -> tuple[int, dict[str, int]]:
        """The documents in the index, and those holding each text field."""
        body = {"size": 0, "track_total_hits": True, "aggs": {"fields": {"filters": {"filters": {
            name: {"exists": {"field": name}} for name in documents.TEXT_FIELDS}}}}}
        found = call(f"count the fields of {self.index}", lambda: self.client.search(index=self.index, body=body))
        buckets = found["aggregations"]["fields"]["buckets"]
        return found["hits"]["total"]["value"], {name: buckets[name]["doc_count"] for name in documents.TEXT_FIELDS}

    def _score_like_whoosh(self, size: int, holding: dict[str, int], k1: float, b: float, page: int) -> None:
        """Sets each field's BM25 parameters from the finished index's counts (`documents.similarities`),
        which can change only while the index is closed (nothing searches it yet), and lets a search read
        `page` hits at once (all matches of an index this size, in one request)."""
        settings = {"index": {"similarity": documents.similarities(k1, b, size, holding), "max_result_window": page}}
        client, name = self.client, self.index
        call(f"wait for {name}", lambda: client.cluster.health(index=name, params={"wait_for_status": "yellow"}))
        _close(client, name)
        call(f"set the scoring of {name}", lambda: client.indices.put_settings(index=name, body=settings))
        call(f"open {name}", lambda: client.indices.open(index=name))
        call(f"wait for {name}", lambda: client.cluster.health(index=name, params={"wait_for_status": "yellow"}))

    def _size(self) -> int:
        """One more than the highest document number in use (the numbers of a worker's last block that it
        did not use are not counted)."""
        found = call(f"read the size of {self.index}", lambda: self.client.search(index=self.index, body={
            "size": 0, "aggs": {"top": {"max": {"field": "n"}}}}))
        top = found["aggregations"]["top"]["value"]
        return int(top) + 1 if top is not None else 0

    def cancel(self) -> None:
        """Nothing to undo here: the unpublished index is dropped with its generation."""


def _close(client: Any, name: str, seconds: float = CLOSE_SECONDS) -> None:
    """Closes `name` and waits until the cluster state says it is closed: a busy cluster acknowledges a
    close before every node has applied it, and static settings are refused while any still sees the index
    open. A close that the cluster answered without applying (once in a CI run: the state stayed open for
    a minute) is asked again every few seconds; the error says what the cluster last answered."""
    deadline = time.monotonic() + seconds
    answer, asked, state = None, 0.0, None
    while True:
        if time.monotonic() - asked > CLOSE_AGAIN_SECONDS:
            answer = call(f"close {name}", lambda: client.indices.close(index=name))
            asked = time.monotonic()
        found = call(f"read the state of {name}", lambda: client.cluster.state(
            metric="metadata", index=name, params={"filter_path": f"metadata.indices.{name}.state"}))
        state = found.get("metadata", {}).get("indices", {}).get(name, {}).get("state")
        if state == "close":
            return
        if time.monotonic() > deadline:
            raise BackendError(f"OpenSearch did not close {name} within {seconds:.0f} s (state {state!r}; "
                               f"last answer to the close: {answer})")
        time.sleep(0.2)


def publish(gen: Path) -> None:
    """The generation `gen` is about to serve: its index is write-blocked (later updates clone it) and
    the alias moves to it in one atomic request."""
    found = state(gen)
    name, alias = found["index"], opensearch_settings().alias
    client = connect()
    call(f"write-block {name}", lambda: client.indices.put_settings(index=name,
                                                                  body={"index.blocks.write": True}))
    actions: list[dict] = [{"add": {"index": name, "alias": alias}}]
    if call(f"read the alias {alias}", lambda: client.indices.exists_alias(name=alias)):
        actions.insert(0, {"remove": {"index": f"{alias}-*", "alias": alias}})
    call(f"move the alias {alias} to {name}", lambda: client.indices.update_aliases(body={"actions": actions}))
    store.write_json(gen, STATE, found | {"published": True})
    log.info("OpenSearch alias %s now names %s", alias, name)


def drop(gen: Path) -> None:
    """Deletes the index of a generation that is gone (replaced, failed or abandoned)."""
    found = store.read_json(gen, STATE)
    if not found:
        return
    client = connect()
    call(f"delete the index {found['index']}",
         lambda: client.indices.delete(index=found["index"], params={"ignore_unavailable": "true"}))
