"""Every setting read from the environment (`TWINSEARCH_*`, documented in the README), in one place.

The web server's settings (host, port, processes) are here too; `python -m web` reads them as the
defaults of its flags."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SettingError

DEFAULT_SOURCE = "seeds"
DEFAULT_INDEX = "index"
SOURCE_ENV = "TWINSEARCH_SOURCE"
INDEX_ENV = "TWINSEARCH_INDEX"
COMPOUNDS_ENV = "TWINSEARCH_COMPOUNDS"
DICTIONARY_ENV = "TWINSEARCH_DICTIONARY"
DEFAULT_DICTIONARY = "/usr/share/trans/de-en"  # where Debian's trans-de-en installs the Ding dictionary
HOST_ENV, PORT_ENV, PROCESSES_ENV = "TWINSEARCH_HOST", "TWINSEARCH_PORT", "TWINSEARCH_PROCESSES"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8080


def setting(name: str, default: int, minimum: int = 0) -> int:
    """The whole number in the environment variable `name`, else `default`; a clear error, naming
    the variable, when it holds something else (rather than a traceback from deep inside a search)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise SettingError(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
    return value


def writer_mb() -> int:
    """Memory per indexing worker, in MB, for posting lists before they spill to sorted runs on disk."""
    return setting("TWINSEARCH_WRITER_MB", 192, minimum=1)


def cache_postings() -> int | None:
    """How many decoded postings a search process keeps, if the environment says; None: sized by the
    archive (`backend.whoosh.postings.cache_budget`)."""
    return setting("TWINSEARCH_CACHE_POSTINGS", 0, minimum=1) or None


def split_compounds() -> bool:
    """Whether German compounds are indexed as their parts too; `0` builds indexes without (for comparison)."""
    return os.environ.get(COMPOUNDS_ENV, "1") != "0"


def dictionary_path() -> Path:
    """Where the German-English dictionary is looked for."""
    return Path(os.environ.get(DICTIONARY_ENV) or DEFAULT_DICTIONARY)


def web_host() -> str:
    return os.environ.get(HOST_ENV) or DEFAULT_HOST


def web_port() -> int:
    return setting(PORT_ENV, DEFAULT_PORT)


def request_seconds() -> int:
    """How long the web tier lets one request search before it answers 400 (`TWINSEARCH_REQUEST_SECONDS`)."""
    return setting("TWINSEARCH_REQUEST_SECONDS", 10, minimum=1)


def web_processes() -> int:
    """Server processes sharing the port (default: one per core)."""
    return setting(PROCESSES_ENV, os.cpu_count() or 1)


def check_settings() -> None:
    """Raises `SettingError` for a tuning variable with no usable value, before any work starts."""
    writer_mb()
    cache_postings()


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
