"""twinsearch's indexer: bilingual (German + English) press-release search, on Whoosh by default.

    import indexer
    report = indexer.rebuild(source="seeds", index_dir="index")
    for hit in indexer.search("Finanztechnologie", index_dir="index"):
        print(hit.id, hit.lang, hit.title, hit.snippet, hit.twin)
    indexer.get("001_e333d4c9757654c0", index_dir="index")
"""

from __future__ import annotations

import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from . import build, store, translation
from .config import resolve_index_dir, resolve_sources
from .errors import (
    IndexBusyError,
    IndexerError,
    IndexFormatError,
    IndexNotFoundError,
    QueryError,
    SourceNotFoundError,
    WorkerError,
)
from .model import Document, Hit, Link, Report, Results, Skipped
from .query.limits import time_limit
from .search import close_handles, get, highlight, in_use, related, release_stale, search, warm
from .twins import load_links

DEFAULT_INDEX_DIR = resolve_index_dir()
try:
    __version__ = metadata.version("twinsearch")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_INDEX_DIR",
    "Document",
    "Hit",
    "IndexBusyError",
    "IndexFormatError",
    "IndexNotFoundError",
    "IndexerError",
    "Link",
    "QueryError",
    "Report",
    "Results",
    "Skipped",
    "SourceNotFoundError",
    "WorkerError",
    "close_handles",
    "get",
    "highlight",
    "in_use",
    "rebuild",
    "related",
    "release_stale",
    "search",
    "status",
    "time_limit",
    "twins",
    "update",
    "warm",
]


def rebuild(source: str | Path | list[str | Path] | None = None, index_dir: str | Path | None = None,
            show_progress: bool = False, workers: int | None = None, wait: bool = True,
            backend: str | None = None) -> Report:
    """Builds a fresh index of every release under `source` (one folder or several) and swaps it in.

    `workers`: indexing processes (default: one per core for a large job, in-process for a small one).
    `backend`: where the index lives, `whoosh` or `opensearch` (default: $TWINSEARCH_BACKEND, else Whoosh);
    updates and searches follow the index's own.
    One rebuild or update writes to an index at a time: another one waits for it, or with `wait=False`
    raises `IndexBusyError`."""
    return build.rebuild(resolve_sources(source), resolve_index_dir(index_dir), show_progress, workers, wait,
                         backend)


def update(index_dir: str | Path | None = None, source: str | Path | list[str | Path] | None = None,
           show_progress: bool = False, workers: int | None = None, wait: bool = True) -> Report:
    """Indexes what changed since the last build (new, changed, removed files) and relinks twins."""
    sources = resolve_sources(source) if source else None
    return build.update(resolve_index_dir(index_dir), sources, show_progress, workers, wait)


def twins(index_dir: str | Path | None = None, min_score: float | None = None) -> list[Link]:
    """The twin links of the serving index (German id, English id, score), best first per German id."""
    gen = store.require(resolve_index_dir(index_dir))
    found = load_links(gen)
    return [link for link in found if min_score is None or link.stated or link.score >= min_score]


def status(index_dir: str | Path | None = None) -> dict:
    """What the serving index holds and how old it is; `exists` is False before the first rebuild."""
    index_dir = resolve_index_dir(index_dir)
    gen = store.current(index_dir)
    if gen is None:
        return {"exists": False, "index_dir": str(index_dir), "documents": 0, "languages": {},
                "built_at": None, "age_seconds": None}
    manifest = store.read_json(gen, store.MANIFEST, {})
    built_at = manifest.get("built_at")
    age = time.time() - datetime.fromisoformat(built_at).timestamp() if built_at else None
    return {
        "exists": True, "index_dir": str(index_dir), "generation": gen.name,
        "documents": manifest.get("documents", 0), "languages": manifest.get("languages", {}),
        "twins": manifest.get("twins", 0), "skipped": sum(manifest.get("skipped_reasons", {}).values()),
        "skipped_reasons": manifest.get("skipped_reasons", {}), "sources": manifest.get("sources", []),
        "built_at": built_at, "age_seconds": round(age, 1) if age is not None else None,
        "build_seconds": manifest.get("seconds"), "translation": translation.state(gen),
    }
