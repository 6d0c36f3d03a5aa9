"""The backend on an OpenSearch cluster, for archives beyond one machine (README, "Scaling out").

A generation is still a folder (twin links, learned lexicon, vocabulary and manifest, as with
Whoosh), and its documents live in an index of their own on the cluster, named in the folder
(`opensearch.json`); the alias `TWINSEARCH_OPENSEARCH_INDEX` moves to a generation's index when it is
published. `documents` (our analysis as index terms, the mapping), `writer` (bulk indexing, clones
for updates, the alias), `reader` (queries as DSL through `indexer.query.dsl`), `client` (the
connection, through opensearch-py).
"""

from __future__ import annotations

from pathlib import Path

from ..whoosh import vocabulary
from . import writer
from .reader import OpenSearchReader
from .writer import OpenSearchPart, OpenSearchWriter


class OpenSearchBackend:
    name = "opensearch"

    def create(self, gen: Path) -> None:
        writer.create(gen)

    def writer(self, gen: Path) -> OpenSearchWriter:
        return OpenSearchWriter(gen)

    def part(self, gen: Path) -> OpenSearchPart:
        return OpenSearchPart(gen)

    def open(self, gen: Path) -> OpenSearchReader:
        return OpenSearchReader(gen)

    def write_words(self, gen: Path, words: set[str]) -> None:
        vocabulary.write(gen, words)

    def publish(self, gen: Path) -> None:
        writer.publish(gen)

    def drop(self, gen: Path) -> None:
        writer.drop(gen)


BACKEND = OpenSearchBackend()

__all__ = ["BACKEND", "OpenSearchBackend"]
