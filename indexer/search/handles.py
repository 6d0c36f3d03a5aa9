"""A thread's open generation: the backend's reader, the query parser, twin links, the translator.

Open handles are cached per thread and per index folder: a rebuild that swaps generations is
picked up by the next query. What is computed once per generation (the twin links, the learned
lexicon, the backend's postings and masks) is shared by all threads through `Reader.remember`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from .. import store
from ..backend import Reader
from ..backend import get as get_backend
from ..config import resolve_index_dir
from ..query import Parser
from ..translation import Translator, dictionary, learned
from ..twins import load_links, partner_map

_local = threading.local()


@dataclass
class Handle:
    """An open generation, for one thread."""

    gen: Path
    reader: Reader
    parser: Parser
    partners: dict[str, tuple[str, float]]
    translator: Translator

    @classmethod
    def open(cls, gen: Path) -> Handle:
        """Opens `gen` for the calling thread; its twin links and learned lexicon, read-only tables, are
        read once per generation and shared by all threads."""
        reader = get_backend().open(gen)
        partners = reader.remember(("partners",), lambda: partner_map(load_links(gen)), keep=True)
        lexicon = reader.remember(("lexicon",), lambda: learned.load(gen), keep=True)
        translator = Translator(dictionary.load(), lexicon)
        return cls(gen, reader, Parser(reader.schema, translator, reader.has_term), partners, translator)

    def close(self) -> None:
        self.reader.close()


def open_handle(index_dir: str | Path | None) -> Handle:
    """The calling thread's handle on the serving generation of `index_dir`."""
    index_dir = resolve_index_dir(index_dir)
    gen = store.require(index_dir)
    handles: dict[Path, Handle] = _local.__dict__.setdefault("handles", {})
    handle = handles.get(index_dir)
    if handle is None or handle.gen != gen:
        if handle is not None:
            handle.close()
        handle = handles[index_dir] = Handle.open(gen)
    return handle


def close_handles() -> None:
    """Closes the calling thread's handles. What they loaded per generation (postings, lengths)
    stays for the next handle: a server warms, closes, then forks processes that share it."""
    for handle in _local.__dict__.pop("handles", {}).values():
        handle.close()
