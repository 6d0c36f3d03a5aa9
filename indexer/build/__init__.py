"""From source folders to a published index generation: `rebuild` and `update`.

Both write into a new generation (see `store`) through the backend and publish it only when
everything, including the twin links, is written; a failure anywhere leaves the serving index as
it was. `workers` indexes the files; `run.Build` holds a build's state while it runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from .. import backend as backends
from .. import store
from ..config import check_settings
from ..errors import SourceNotFoundError
from ..ingest import MAX_FILE_BYTES, SourceFile, fingerprint, scan
from ..model import Report
from ..twins import TwinState
from .run import FILES, Build
from .workers import Job

log = logging.getLogger(__name__)


def rebuild(sources: Iterable[Path], index_dir: Path, show_progress: bool = False,
            workers: int | None = None, wait: bool = True, backend: str | None = None) -> Report:
    """Indexes every file under `sources` into a new generation, with `backend` (None: the configured
    one), and swaps it in."""
    check_settings()
    sources = check_sources(sources)
    chosen = backends.configured() if backend is None else backends.named(backend)
    with store.writer(index_dir, wait, _waiting(index_dir)):
        return _rebuild(sources, index_dir, show_progress, workers, chosen)


def _rebuild(sources: list[Path], index_dir: Path, show_progress: bool, workers: int | None,
             backend: backends.Backend) -> Report:
    started = time.perf_counter()
    building = store.new_generation(index_dir, drop=backend.drop)
    try:
        backend.create(building)
        report = Report(str(index_dir), "", [str(s) for s in sources])
        jobs = [Job(n, str(root), sf) for n, root in enumerate(sources) for sf in scan(root)]
        build = Build(backend, building, report, TwinState(), {}, set())
        build.run(jobs, show_progress, workers, "Indexing")
        return build.finish(index_dir, started)
    except BaseException:
        store.discard(building, backend.drop)
        raise


def update(index_dir: Path, sources: Iterable[Path] | None = None, show_progress: bool = False,
           workers: int | None = None, wait: bool = True) -> Report:
    """Indexes only new and changed files and drops removed ones, in a new generation."""
    check_settings()
    store.require(index_dir)
    with store.writer(index_dir, wait, _waiting(index_dir)):
        return _update(index_dir, sources, show_progress, workers)


def _waiting(index_dir: Path):
    def say(pid: int | None) -> None:
        log.warning("waiting for the rebuild or update%s that is writing to %s/ (--no-wait gives up)",
                    f" (PID {pid})" if pid else "", index_dir)
    return say


def _update(index_dir: Path, sources: Iterable[Path] | None, show_progress: bool, workers: int | None) -> Report:
    gen = store.require(index_dir)
    manifest = store.read_json(gen, store.MANIFEST, {})
    sources = check_sources(sources if sources is not None else [Path(s) for s in manifest["sources"]])
    started = time.perf_counter()
    old_files: dict[str, dict] = store.read_json(gen, FILES, {})
    backend = backends.of(gen)
    building = store.new_generation(index_dir, clone_from=gen, drop=backend.drop)
    try:
        report = Report(str(index_dir), "", [str(s) for s in sources])
        with report.phase("load"):
            build = Build(backend, building, report, TwinState.load(gen), {}, set())
        seen, jobs = set(), []
        for n, root in enumerate(sources):
            for sf in scan(root):
                key = str(sf.path.resolve())
                seen.add(key)
                if unchanged(sf, old_files.get(key)):
                    build.keep(key, old_files[key])
                else:
                    jobs.append(Job(n, str(root), sf))
        replaced = [key for key in old_files if key not in seen or key not in build.files]
        build.run(jobs, show_progress, workers, "Updating", delete={k: old_files[k] for k in replaced})
        return build.finish(index_dir, started)
    except BaseException:
        store.discard(building, backend.drop)
        raise


def check_sources(sources: Iterable[Path]) -> list[Path]:
    checked = []
    for source in sources:
        source = Path(source)
        if not source.is_dir():
            raise SourceNotFoundError(f"source folder {source}/ does not exist or is not a folder")
        checked.append(source.absolute())
    if not checked:
        raise SourceNotFoundError("no source folder given")
    return checked


def unchanged(sf: SourceFile, old: dict | None) -> bool:
    """Whether a file is as it was indexed: same size and time, or failing that, same bytes."""
    if old is None or sf.problem or old["size"] < 0:  # what could not be read is tried again
        return False
    if old["size"] == sf.size and old["mtime_ns"] == sf.mtime_ns:
        return True
    if old["size"] != sf.size or sf.size > MAX_FILE_BYTES:
        return False
    try:
        same = old["hash"] == fingerprint(sf.path.read_bytes())
    except OSError:
        return False
    if same:
        old["mtime_ns"] = sf.mtime_ns
    return same
