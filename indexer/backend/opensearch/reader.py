"""One thread's view of a generation's OpenSearch index: the backend `Reader` of search.

The search layer works on document numbers (`indexer.backend`): a query's matches come back as the
numbers and scores of every matching document (in one request up to the index's `page`, sorted by score,
then number), and the per-generation tables (stored columns, id -> number) are read once with a scan. That keeps
the search layer (twin scopes, facets, sorting, paging) one implementation for both backends, at
the price of reading every match of a query: fine for the archives one cluster node holds, and the
first thing to push down into the cluster (top k with twins, facets as aggregations) for 10^8
releases (README, "Scaling out").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ... import tuning
from ...analysis import WordAnalyzer
from ...errors import BackendError
from ...query import dsl
from ...query.estimate import estimate
from ...query.limits import check_time, too_many_words
from .. import fields
from ..memo import Memo
from ..postings import EMPTY, Postings, contains
from ..whoosh.vocabulary import Vocabulary
from . import documents
from .client import ClauseLimit, call, complete, connect
from .writer import state

STORED_CACHE = 4096  # stored documents a reader keeps

_memos: dict[str, Memo] = {}
_memos_lock = threading.Lock()


def _memo(index: str) -> Memo:
    with _memos_lock:
        return _memos.setdefault(index, Memo())


class OpenSearchReader:
    """What a search needs of one generation, answered by its index (named in the generation folder)."""

    def __init__(self, gen: Path) -> None:
        found = state(gen)
        self.gen = gen
        self.index: str = found["index"]
        self.size: int = found["size"]
        self.page: int = found.get("page", documents.PAGE)
        weights = tuning.current()  # what an index written before scores were matched to Whoosh's had
        self.statistics = dsl.Statistics(found.get("documents", self.size), found.get("fields", {}), self._estimate,
                                         found.get("k1", weights.k1), found.get("b", weights.b), documents.REPEATS)
        self.schema = documents.SCHEMA
        self.client = connect()
        self.memo = _memo(self.index)
        self._vocabulary: Vocabulary | None = None
        self._stored: OrderedDict[int, dict] = OrderedDict()  # this thread's recently read documents

    # ------------------------------------------------------------------ requests

    def _search(self, body: dict, what: str, **params: Any) -> dict:
        params["allow_partial_search_results"] = "false"  # all shards or an error, never part of the answer
        return complete(call(what, lambda: self.client.search(index=self.index, body=body, params=params)), what)

    def _matching(self, q: Any, query: dict, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        """`_numbers` of `query`, the DSL of `q`; a prefix or wildcard of `q` that expands to more terms
        than the cluster allows is the user's `QueryError`, as on Whoosh."""
        try:
            return self._numbers(query, scored)
        except ClauseLimit as e:
            raise too_many_words(q, e.limit) from None

    def _numbers(self, query: dict, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        """Every matching document's number and score, in pages."""
        docs: list[int] = []
        scores: list[float] = []
        sort: list[Any] = ["_score", {"n": "asc"}] if scored else [{"n": "asc"}]
        params = {"filter_path": "hits.hits.sort"}
        if scored:  # the shards score with the whole index's term counts, as one Whoosh index does
            params["search_type"] = "dfs_query_then_fetch"
        after: list[Any] | None = None
        while True:
            check_time()  # a request's time limit, if its server set one
            body: dict[str, Any] = {"query": query, "size": self.page, "sort": sort, "stored_fields": "_none_",
                                    "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            hits = self._search(body, "search", **params).get("hits", {})
            page = hits.get("hits", [])
            for hit in page:
                docs.append(hit["sort"][-1])
                scores.append(hit["sort"][0] if scored else 1.0)
            if len(page) < self.page:
                break
            after = page[-1]["sort"]
        order = np.argsort(np.asarray(docs, dtype=np.int64), kind="stable")
        return np.asarray(docs, dtype=np.intp)[order], np.asarray(scores, dtype=np.float64)[order]

    def _estimate(self, q: Any) -> float:
        """How many documents `q` matches about, as the array ranker estimates it (for concept weights)."""
        return estimate(q, self.term_documents, self.documents(), self._other_estimate)

    def _other_estimate(self, q: Any) -> float:
        """A prefix, range or negation: its terms' counts summed (at most every document), else half."""
        leaves = dsl.leaves(q)
        if not leaves:
            return self.size / 2
        return min(sum(self.term_documents(f, t) for f, t in leaves), self.documents())

    # ------------------------------------------------------------------ Reader

    def _hits(self, queries: list[dict], what: str) -> list[int]:
        """How many documents each of `queries` matches, in one request."""
        body: list[dict] = []
        for query in queries:
            body += [{"index": self.index}, {"size": 0, "track_total_hits": True, "query": query}]
        found = call(what, lambda: self.client.msearch(body=body))["responses"]
        return [complete(r, what)["hits"]["total"]["value"] for r in found]

    def _count_terms(self, q: Any) -> None:
        """Counts the documents of every term of `q` not counted yet, in one request (the translation to
        DSL asks for each)."""
        counts = self.remember(("terms",), dict, keep=True)
        wanted = sorted({leaf for leaf in dsl.leaves(q) if leaf[0] in self.schema and leaf not in counts})
        if wanted:
            found = self._hits([{"term": {fieldname: text}} for fieldname, text in wanted], "count terms")
            counts.update(zip(wanted, found, strict=True))

    def search(self, q: Any) -> Postings:
        self._count_terms(q)
        docs, scores = self._matching(q, dsl.to_dsl(q, self.statistics), scored=True)
        return Postings(docs, scores) if len(docs) else EMPTY

    def mask(self, q: Any) -> np.ndarray:
        return self.remember(("mask", repr(q)), lambda: self._mask(q))

    def _mask(self, q: Any) -> np.ndarray:
        self._count_terms(q)
        docs, _ = self._matching(q, dsl.to_filter(q, self.statistics), scored=False)
        flags = np.zeros(self.size, dtype=bool)
        flags[docs] = True
        return flags

    def matched_terms(self, q: Any, docnum: int) -> list[tuple[str, str]]:
        leaves = dsl.leaves(q)
        if not leaves:
            return []
        found = self._hits([{"bool": {"filter": [{"term": {"n": docnum}}, {"term": {fieldname: text}}]}}
                            for fieldname, text in leaves], "explain a match")
        return [leaf for leaf, n in zip(leaves, found, strict=True) if n]

    def matches(self, q: Any, docs: np.ndarray) -> np.ndarray:
        if not len(docs):
            return np.zeros(0, bool)
        self._count_terms(q)
        query = {"bool": {"filter": [dsl.to_dsl(q, self.statistics),
                                     {"terms": {"n": [int(d) for d in docs]}}]}}
        found, _ = self._matching(q, query, scored=False)
        return contains(found, docs)

    def stored(self, docnum: int) -> dict:
        found = self._stored.get(docnum)
        if found is None:
            self.preload([docnum])
            found = self._stored.get(docnum)
            if found is None:
                raise BackendError(f"OpenSearch index {self.index} has no document {docnum}")
        return found

    def preload(self, docnums: list[int]) -> None:
        wanted = sorted({d for d in docnums if d not in self._stored})
        if not wanted:
            return
        found = call(f"read {len(wanted)} documents", lambda: self.client.mget(
            index=self.index, body={"ids": [str(d) for d in wanted]}, params={"_source": "stored"}))
        for doc in found["docs"]:
            if doc.get("found"):
                self._stored[int(doc["_id"])] = doc["_source"]["stored"]
        while len(self._stored) > STORED_CACHE:
            self._stored.popitem(last=False)

    def document(self, doc_id: str) -> dict | None:
        docnum = self._docnum_of().get(doc_id)
        return self.stored(docnum) if docnum is not None else None

    def docnums(self, doc_ids: list[str]) -> np.ndarray:
        numbers = self._docnum_of()
        return np.fromiter((numbers.get(d, -1) for d in doc_ids), dtype=np.int64, count=len(doc_ids))

    def _docnum_of(self) -> dict[str, int]:
        return self.remember(("numbers",), lambda: self._table()[1], keep=True)

    def languages(self) -> dict[str, int]:
        body = {"size": 0, "aggs": {"lang": {"terms": {"field": "lang", "size": 1000}}}}
        found = self._search(body, "count languages")
        return {b["key"]: b["doc_count"] for b in found["aggregations"]["lang"]["buckets"] if b["doc_count"]}

    def documents(self) -> int:
        return self.remember(("documents",), lambda: call(
            "count documents", lambda: complete(self.client.count(index=self.index), "count documents"))["count"],
            keep=True)

    def column(self, name: str) -> np.ndarray:
        return self._table()[0][name]

    def _table(self) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        return self.remember(("table",), self._scan, keep=True)

    def _scan(self) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """Every document's id and column values, in one pass sorted by number."""
        columns = fields.empty_columns(self.size)
        numbers: dict[str, int] = {}
        wanted = [f"stored.{name}" for name in ("id", *fields.STORED_FOR_COLUMNS)]
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": {"match_all": {}}, "size": documents.PAGE, "sort": [{"n": "asc"}],
                                    "_source": wanted, "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            page = self._search(body, "read the stored columns")["hits"]["hits"]
            for hit in page:
                n, stored = hit["sort"][0], hit["_source"]["stored"]
                numbers[stored["id"]] = n
                fields.fill_columns(columns, n, stored)
            if len(page) < documents.PAGE:
                break
            after = page[-1]["sort"]
        return columns, numbers

    def words(self, code: str | None) -> WordAnalyzer:
        return fields.words(self.schema, code)

    def has_term(self, fieldname: str, term: str) -> bool:
        return self.term_documents(fieldname, term) > 0

    def term_documents(self, fieldname: str, term: str) -> int:
        if fieldname not in self.schema:
            return 0
        counts = self.remember(("terms",), dict, keep=True)
        key = (fieldname, term)
        if key not in counts:
            counts[key] = self._hits([{"term": {fieldname: term}}], "count a term")[0]
        return counts[key]

    def document_frequency(self, word: str) -> int:
        return fields.body_frequency(self.schema, word, self.term_documents)

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self.gen, self.remember)
        return self._vocabulary

    def known_word(self, word: str) -> bool:
        return word in self.vocabulary

    def near_words(self, word: str, maxdist: int) -> list[str]:
        return self.vocabulary.near(word, maxdist)

    def remember(self, key: tuple, compute: Callable[[], Any], keep: bool = False) -> Any:
        return self.memo.remember(key, compute, keep)

    def sample(self, count: int) -> Iterator[dict]:
        step = max(1, self.size // max(count, 1))
        for docnum in range(0, self.size, step):
            if self.column("lang")[docnum] is not None:
                yield self.stored(docnum)

    def warm(self, budget: int | None = None) -> tuple[int, int]:
        self._table()
        self.vocabulary.spellings()
        return 0, 0

    def close(self) -> None:
        if self._vocabulary is not None:
            self._vocabulary.close()
            self._vocabulary = None
