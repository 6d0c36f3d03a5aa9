"""Defaults, overridable by environment variables (documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SOURCE = "seeds"
DEFAULT_INDEX = "index"
SOURCE_ENV = "TWINSEARCH_SOURCE"
INDEX_ENV = "TWINSEARCH_INDEX"


def resolve_index_dir(index_dir: str | Path | None = None) -> Path:
    """The given folder, else $TWINSEARCH_INDEX, else `index/` in the working directory."""
    return Path(index_dir or os.environ.get(INDEX_ENV) or DEFAULT_INDEX).absolute()


def resolve_sources(sources: list[str | Path] | str | Path | None = None) -> list[Path]:
    """The given folders, else $TWINSEARCH_SOURCE (os.pathsep-separated), else `seeds/`."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    if not sources:
        env = os.environ.get(SOURCE_ENV)
        sources = env.split(os.pathsep) if env else [DEFAULT_SOURCE]
    return [Path(s) for s in sources]
