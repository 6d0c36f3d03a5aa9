"""The storage and search backend: the one interface that build and search talk to.

A backend writes index generations (folders that `store` swaps in atomically) and evaluates
parsed queries over them. Build and search never touch a backend's own types: they hand it
`Document`s and query trees (`indexer.query`), and get back document numbers, scores
(`postings.Postings`), masks and stored fields. Whoosh (`backend/whoosh/`) is the embedded
default; OpenSearch (`backend/opensearch/`) implements the same protocols on a cluster.

Document numbers run from 0 to `Reader.size - 1` within one generation and are what masks,
scores and twin scopes are indexed by; ids are what crosses generations.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .. import store
from ..analysis import WordAnalyzer
from ..config import backend_name
from ..errors import SettingError
from ..model import Document
from .postings import Postings

BACKENDS = {"whoosh": "indexer.backend.whoosh", "opensearch": "indexer.backend.opensearch"}  # name -> module
DEFAULT = "whoosh"


class Reader(Protocol):
    """One thread's open view of one generation; what a search needs of a backend."""

    gen: Path
    size: int  # document numbers run 0..size-1 (deleted ones included)
    schema: Any  # the fields and analyzers the query parser reads (a Whoosh `Schema`)

    def search(self, q: Any) -> Postings:
        """Every live document the query tree `q` matches, with its score."""

    def mask(self, q: Any) -> np.ndarray:
        """One flag per document number: does `q` match it? For filters (not scored); kept per generation."""

    def matched_terms(self, q: Any, docnum: int) -> list[tuple[str, str]]:
        """The (field, term) leaves of `q` that document `docnum` contains, for explanations."""

    def matches(self, q: Any, docs: np.ndarray) -> np.ndarray:
        """Whether `q` matches each of `docs` (sorted document numbers): cheap for a few documents and an OR of
        terms, which need not be scored or evaluated over the whole index."""

    def stored(self, docnum: int) -> dict:
        """The stored fields of a document number."""

    def preload(self, docnums: list[int]) -> None:
        """Reads ahead the stored fields of documents about to be shown (a page of hits and their twins),
        in one request where the backend answers `stored` over the network."""

    def document(self, doc_id: str) -> dict | None:
        """The stored fields of a document id, or None."""

    def docnums(self, doc_ids: list[str]) -> np.ndarray:
        """The document number of each id (int64), -1 for an id the index lacks; many at once, as the
        twins of an archive are numbered."""

    def languages(self) -> dict[str, int]:
        """Live documents per language."""

    def column(self, name: str) -> np.ndarray:
        """One value per document number of the stored field `name` (`lang`, `source`, `place`; `date` as the
        ordinal of its first day, -1 where unknown), kept for the generation: what sorting and counting by
        a field (facets) read."""

    def documents(self) -> int:
        """Live documents."""

    def words(self, code: str | None) -> WordAnalyzer:
        """The word-by-word analyzer of a document language's text, for marking matches."""

    def has_term(self, fieldname: str, term: str) -> bool:
        """Whether any document has the index term `term` in `fieldname`."""

    def term_documents(self, fieldname: str, term: str) -> int:
        """How many documents have the index term `term` in `fieldname`."""

    def document_frequency(self, word: str) -> int:
        """How many documents use `word`, in any language's body."""

    def known_word(self, word: str) -> bool:
        """Whether the archive uses the surface word `word` (lowercase)."""

    def near_words(self, word: str, maxdist: int) -> list[str]:
        """Surface words of the archive within `maxdist` edits of `word`."""

    def remember(self, key: tuple, compute: Callable[[], Any], keep: bool = False) -> Any:
        """`compute()`, kept for the generation and shared by all threads (see the Whoosh backend)."""

    def sample(self, count: int) -> Iterator[dict]:
        """The stored fields of about `count` documents spread evenly over the archive."""

    def warm(self, budget: int | None = None) -> tuple[int, int]:
        """Loads what the first searches would otherwise load; returns (terms, postings) loaded."""

    def close(self) -> None: ...


class PartWriter(Protocol):
    """Writes a share of a build's documents (in a worker process, or in-process)."""

    def add(self, doc: Document, file_key: str) -> None:
        """Adds a document, remembering which source file (`file_key`) it came from."""

    def finish(self) -> Any:
        """Ends the share; returns what `Writer.commit` takes (None if nothing was added)."""

    def abandon(self) -> None:
        """Drops what was written (a failed build)."""


class Writer(Protocol):
    """The parent side of a build of one generation: deletions, then the workers' parts, in one commit."""

    def delete_file(self, key: str) -> None:
        """Deletes every document that the source file `key` produced."""

    def commit(self, parts: list[Any], duplicates: list[tuple[str, str]]) -> None:
        """Makes the deletions and the parts one new state; drops the (id, file key) `duplicates`."""

    def cancel(self) -> None: ...


class Backend(Protocol):
    name: str

    def create(self, gen: Path) -> None:
        """An empty index in a new generation folder."""

    def writer(self, gen: Path) -> Writer: ...

    def part(self, gen: Path) -> PartWriter: ...

    def open(self, gen: Path) -> Reader: ...

    def write_words(self, gen: Path, words: set[str]) -> None:
        """Adds the surface words of the releases just indexed to the archive's, for "did you mean"
        (a generation cloned for `update` keeps its predecessor's)."""

    def publish(self, gen: Path) -> None:
        """Called just before the finished generation `gen` starts to serve (a cluster moves its alias)."""

    def drop(self, gen: Path) -> None:
        """Removes what the generation `gen` keeps outside its folder; its folder is about to go."""


def get(name: str = DEFAULT) -> Backend:
    """The backend called `name`."""
    return importlib.import_module(BACKENDS[name]).BACKEND


def named(name: str) -> Backend:
    """The backend called `name`, or a `SettingError` that lists the ones there are."""
    if name not in BACKENDS:
        raise SettingError(f"there is no backend {name!r}: choose one of {', '.join(sorted(BACKENDS))}")
    return get(name)


def configured() -> Backend:
    """The backend a rebuild writes with: `TWINSEARCH_BACKEND` (default: Whoosh)."""
    return get(backend_name())


def of(gen: Path) -> Backend:
    """The backend that wrote the generation `gen` (its manifest says; older ones were all Whoosh)."""
    name = store.read_json(gen, store.MANIFEST, {}).get("backend", DEFAULT)
    if name not in BACKENDS:
        raise SettingError(f"the index in {gen.parent}/ was built with the backend {name!r}, which this version "
                           "of twinsearch does not have")
    return get(name)


__all__ = ["BACKENDS", "DEFAULT", "Backend", "PartWriter", "Postings", "Reader", "Writer", "configured", "get", "named",
           "of"]
