"""Index generations on disk, swapped in atomically.

An index folder holds complete generations (`gen-*`) and a `CURRENT` file naming the one that
serves. A rebuild or update writes a new generation beside it and replaces `CURRENT` with
`os.replace`, which is atomic: a reader sees the old index or the new one, never half of either,
and a build that fails or is killed leaves only a `.building-*` folder that the next build
removes. The previous generation is kept for readers that still have it open.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .errors import IndexBusyError, IndexNotFoundError

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
KEEP_PREVIOUS = 1
WRITER_LOCK = ".writer.lock"  # held (flock) by the one rebuild or update writing to the index folder
BACKEND_LOCKS = shutil.ignore_patterns("*WRITELOCK*", "*.lock")  # a backend's own locks are never shared


def current(index_dir: Path) -> Path | None:
    """The generation that serves, or None."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def require(index_dir: Path) -> Path:
    gen = current(index_dir)
    if gen is None:
        raise IndexNotFoundError(index_dir)
    return gen


Drop = Callable[[Path], None]  # removes what a generation keeps outside its folder (`Backend.drop`)


def _no_drop(gen: Path) -> None:
    """A generation that is all in its folder."""


def new_generation(index_dir: Path, clone_from: Path | None = None, drop: Drop = _no_drop) -> Path:
    """A fresh private folder to build into; a clone is made of hard links (segments never change).
    Abandoned builds' folders (and, through `drop`, what they kept elsewhere) are removed first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(index_dir, drop)
    gen = index_dir / f".building-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    if clone_from is None:
        gen.mkdir()
    else:
        shutil.copytree(clone_from, gen, copy_function=_link_or_copy, ignore=BACKEND_LOCKS)
    return gen


@contextmanager
def writer(index_dir: Path, wait: bool = True, on_wait: Callable[[int | None], None] | None = None) -> Iterator[None]:
    """Holds the index folder's writer lock while a rebuild or update runs: one writer at a time. A second
    one waits (`on_wait` is told the running job's PID first) or, without `wait`, raises `IndexBusyError`.
    The lock is the kernel's (`flock`), so a killed writer never leaves it behind."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / WRITER_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            if not wait:
                raise IndexBusyError(f"another rebuild or update{f' (PID {holder})' if holder else ''} is writing "
                                     f"to {index_dir}/; wait for it, or run again with --wait") from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock_holder(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def publish(index_dir: Path, building: Path, drop: Drop = _no_drop) -> Path:
    """Makes a finished build the serving generation, atomically; older ones but the previous go."""
    gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}"
    building.rename(gen)
    _fsync_dir(gen)
    tmp = index_dir / f".{CURRENT}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    _remove_old(index_dir, gen, drop)
    return gen


def discard(building: Path, drop: Drop = _no_drop) -> None:
    _removed(building, drop)


def _removed(gen: Path, drop: Drop) -> None:
    """Removes a generation folder, and first what it keeps elsewhere; a failure of the latter is logged
    (the next build tries again only for abandoned folders), never raised over the build's own outcome."""
    try:
        drop(gen)
    except Exception as e:  # the folder still goes: a cluster that is down must not keep it forever
        log.warning("could not remove what %s keeps outside its folder: %s", gen, e)
    shutil.rmtree(gen, ignore_errors=True)


def read_json(gen: Path, name: str, default: Any = None) -> Any:
    try:
        with open(gen / name, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def write_json(gen: Path, name: str, data: Any) -> None:
    write_bytes(gen, name, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_bytes(gen: Path, name: str, data: bytes) -> None:
    with writing(gen, name) as f:
        f.write(data)


@contextmanager
def writing(gen: Path, name: str) -> Iterator[BinaryIO]:
    """A new file, under its name only once complete: a generation cloned by hard links must never
    change its source's files, so each file is written afresh and renamed into place."""
    tmp = gen / f".{name}.tmp"
    with open(tmp, "wb") as f:
        yield f
    os.replace(tmp, gen / name)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _remove_abandoned(index_dir: Path, drop: Drop) -> None:
    """Removes `.building-*` folders whose process is gone (a crashed or killed build)."""
    for path in index_dir.glob(".building-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            _removed(path, drop)


def _remove_old(index_dir: Path, keep: Path, drop: Drop) -> None:
    gens = sorted((p for p in index_dir.glob("gen-*") if p != keep), key=lambda p: p.name)
    for old in gens[: max(0, len(gens) - KEEP_PREVIOUS)]:
        _removed(old, drop)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
