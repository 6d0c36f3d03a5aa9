"""A thread's open generation: the backend's reader, the query parser, twin links, the translator.

Open handles are cached per thread and per index folder: a rebuild that swaps generations is
picked up by the next query. What is computed once per generation (the twin links, the learned
lexicon, the backend's postings and masks) is shared by all threads through `Reader.remember`.
A server marks each request as a thread's use of its handles (`in_use`), so that `release_stale` can
close, from another thread, the handles that idle threads keep on generations that no longer serve:
their files are deleted, and open they would hold the disk space.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import backend as backends
from .. import store
from ..backend import Reader
from ..config import resolve_index_dir
from ..query import Parser
from ..translation import Translator, dictionary, learned
from ..twins import load_links, partner_map


@dataclass
class _ThreadHandles:
    """One thread's open handles, and the lock it holds while it uses them."""

    lock: threading.Lock
    handles: dict[Path, Handle]


_local = threading.local()
_threads: dict[int, _ThreadHandles] = {}  # by thread ident, for `release_stale`
_threads_lock = threading.Lock()


def _mine() -> _ThreadHandles:
    mine = getattr(_local, "state", None)
    if mine is None:
        mine = _local.state = _ThreadHandles(threading.Lock(), {})
        with _threads_lock:
            _threads[threading.get_ident()] = mine
    return mine


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
        reader = backends.of(gen).open(gen)
        partners = reader.remember(("partners",), lambda: partner_map(load_links(gen)), keep=True)
        lexicon = reader.remember(("lexicon",), lambda: learned.load(gen), keep=True)
        translator = Translator(dictionary.load(), lexicon)
        return cls(gen, reader, Parser(reader.schema, translator, reader.has_term), partners, translator)

    def close(self) -> None:
        """Closes the reader; and where a server froze what it loaded at start (`gc.freeze`), unfreezes it,
        so that the garbage collector reclaims what this generation leaves in reference cycles."""
        self.reader.close()
        if gc.get_freeze_count():
            gc.unfreeze()


def open_handle(index_dir: str | Path | None) -> Handle:
    """The calling thread's handle on the serving generation of `index_dir`."""
    index_dir = resolve_index_dir(index_dir)
    gen = store.require(index_dir)
    handles = _mine().handles
    handle = handles.get(index_dir)
    if handle is None or handle.gen != gen:
        if handle is not None:
            handle.close()
        handle = handles[index_dir] = Handle.open(gen)
    return handle


def close_handles() -> None:
    """Closes the calling thread's handles. What they loaded per generation (postings, lengths)
    stays for the next handle: a server warms, closes, then forks processes that share it."""
    handles = _mine().handles
    for handle in handles.values():
        handle.close()
    handles.clear()


@contextmanager
def in_use() -> Iterator[None]:
    """Marks the calling thread as using its handles (a request): `release_stale` leaves them alone."""
    with _mine().lock:
        yield


def release_stale() -> int:
    """Closes the handles of idle threads (not `in_use`) on generations that no longer serve, and forgets
    threads that have ended; returns how many handles it closed."""
    alive = {t.ident for t in threading.enumerate()}
    with _threads_lock:
        states = list(_threads.items())
    closed = 0
    for ident, state in states:
        if not state.lock.acquire(blocking=False):
            continue  # in a request: it reopens by itself
        try:
            for index_dir, handle in list(state.handles.items()):
                if handle.gen != store.current(index_dir) or ident not in alive:
                    handle.close()
                    del state.handles[index_dir]
                    closed += 1
        finally:
            state.lock.release()
        if ident not in alive:
            with _threads_lock:
                _threads.pop(ident, None)
    return closed
