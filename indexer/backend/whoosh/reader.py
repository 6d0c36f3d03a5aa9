"""One thread's open view of a Whoosh index generation: the backend `Reader` of search."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.scoring import BM25F

from ... import tuning
from ...analysis import WordAnalyzer
from ...errors import IndexFormatError
from .. import fields
from ..postings import Postings
from . import columns, postings
from .ranking import Ranker
from .vocabulary import Vocabulary

# What unpickling the schema of an index written by another version raises (a class that moved).
FORMAT_ERRORS = (ImportError, AttributeError, pickle.UnpicklingError, TypeError)


class WhooshReader:
    """A searcher, its array ranker and the archive's vocabulary. Neither Whoosh searchers nor
    PyStemmer objects may be shared between threads, so each thread opens its own; what they compute
    once per generation (`postings.SharedState`: postings, lengths, filters, twin scopes) is shared."""

    def __init__(self, gen: Path) -> None:
        try:
            weights = tuning.current()  # Whoosh's own matchers (phrases, `--explain`) score as the ranker does
            self.searcher = whoosh_index.open_dir(gen).searcher(weighting=BM25F(B=weights.b, K1=weights.k1))
        except FORMAT_ERRORS as e:
            raise IndexFormatError(gen, e) from e
        self.gen = gen
        self.schema = self.searcher.schema
        self.size = self.searcher.doc_count_all()

    # Opened on first use: a build reads stored fields of its new generation without them.
    @cached_property
    def shared(self) -> postings.SharedState:
        return postings.generation(self.gen, self.size)

    @cached_property
    def ranker(self) -> Ranker:
        return Ranker(self.searcher, self.shared)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.gen, self.remember)

    def search(self, q: wq.Query) -> Postings:
        return self.ranker.search(q)

    def mask(self, q: wq.Query) -> np.ndarray:
        return self.shared.remember(("mask", repr(q)), lambda: self.ranker.mask(q))

    def matched_terms(self, q: wq.Query, docnum: int) -> list[tuple[str, str]]:
        return self.ranker.matched_terms(q, docnum)

    def matches(self, q: wq.Query, docs: np.ndarray) -> np.ndarray:
        return self.ranker.matches(q, docs)

    def stored(self, docnum: int) -> dict:
        return self.searcher.stored_fields(docnum)

    def preload(self, docnums: list[int]) -> None:
        """Nothing to do: `stored` reads the local disk, as cheaply one document at a time."""

    def document(self, doc_id: str) -> dict | None:
        return self.searcher.document(id=doc_id)

    def docnums(self, doc_ids: list[str]) -> np.ndarray:
        return self.ranker.single_documents("id", [self.schema["id"].to_bytes(d) for d in doc_ids])

    def languages(self) -> dict[str, int]:
        counts = {code: sum(1 for _ in self.searcher.docs_for_query(wq.Term("lang", code)))
                  for code in (t.decode() for t in self.searcher.lexicon("lang"))}
        return {k: v for k, v in counts.items() if v}

    def documents(self) -> int:
        return self.searcher.doc_count()

    def column(self, name: str) -> np.ndarray:
        return self.remember(("columns",), self._columns, keep=True)[name]

    def _columns(self) -> dict[str, np.ndarray]:
        """Every column from one pass over the stored releases (unpickling each release is the cost, and a
        pass per column made a server's warm-up 12 s at 100,000 releases), of the segments that no earlier
        generation of this index folder has read."""
        leaves = [leaf for leaf, _ in self.searcher.reader().leaf_readers()]
        return columns.of_folder(self.gen.parent).of(leaves)

    def words(self, code: str | None) -> WordAnalyzer:
        return fields.words(self.schema, code)

    def has_term(self, fieldname: str, term: str) -> bool:
        return self.term_documents(fieldname, term) > 0

    def term_documents(self, fieldname: str, term: str) -> int:
        if fieldname not in self.schema:
            return 0
        try:
            btext = self.schema[fieldname].to_bytes(term)
        except ValueError:  # text the field cannot hold
            return 0
        return self.ranker.term_documents(fieldname, btext)

    def document_frequency(self, word: str) -> int:
        return fields.body_frequency(self.schema, word, self.term_documents)

    def known_word(self, word: str) -> bool:
        return word in self.vocabulary

    def near_words(self, word: str, maxdist: int) -> list[str]:
        return self.vocabulary.near(word, maxdist)

    def remember(self, key: tuple, compute: Callable[[], Any], keep: bool = False) -> Any:
        return self.shared.remember(key, compute, keep)

    def sample(self, count: int) -> Iterator[dict]:
        reader = self.searcher.reader()
        step = max(1, reader.doc_count_all() // count)
        for docnum in range(0, reader.doc_count_all(), step):
            if not reader.is_deleted(docnum):
                yield reader.stored_fields(docnum)

    def warm(self, budget: int | None = None) -> tuple[int, int]:
        self.vocabulary.spellings()
        return self.ranker.warm(self.shared.postings.limit if budget is None else budget)

    def close(self) -> None:
        self.searcher.close()
        if "vocabulary" in self.__dict__:
            self.vocabulary.close()
