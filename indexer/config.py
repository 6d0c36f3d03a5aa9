"""Every setting read from the environment (`TWINSEARCH_*`, documented in the README), in one place.

The web server's settings (host, port, processes) are here too; `python -m web` reads them as the
defaults of its flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

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


BACKEND_ENV = "TWINSEARCH_BACKEND"
OPENSEARCH_URL_ENV = "TWINSEARCH_OPENSEARCH_URL"
DEFAULT_OPENSEARCH_URL = "http://127.0.0.1:9200"


def backend_name() -> str:
    """The backend a rebuild writes with (`whoosh`, the embedded default, or `opensearch`); searches and
    updates use the one their generation was built with."""
    from .backend import BACKENDS, DEFAULT  # the backend package reads its settings from here

    name = os.environ.get(BACKEND_ENV, "").strip().lower() or DEFAULT
    if name not in BACKENDS:
        raise SettingError(f"{BACKEND_ENV} must be one of {', '.join(sorted(BACKENDS))}, not {name!r}")
    return name


@dataclass(frozen=True)
class OpenSearchSettings:
    """Where and how to reach an OpenSearch cluster. `repr` leaves the secrets out, so a log line or a
    traceback that shows the settings never shows a password or key."""

    url: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    verify: bool = True  # TLS certificates are checked unless TWINSEARCH_OPENSEARCH_VERIFY=0
    ca: str | None = None
    alias: str = "twinsearch"  # the alias that names the serving index; concrete indexes are `<alias>-<...>`
    shards: int = 2
    replicas: int = 1


def opensearch_settings() -> OpenSearchSettings:
    """The OpenSearch backend's settings, from `TWINSEARCH_OPENSEARCH_*` (README, "Scaling out")."""
    url = (os.environ.get(OPENSEARCH_URL_ENV) or DEFAULT_OPENSEARCH_URL).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingError(f"{OPENSEARCH_URL_ENV} must be an http:// or https:// URL, not {url!r}")
    alias = (os.environ.get("TWINSEARCH_OPENSEARCH_INDEX") or "twinsearch").strip()
    if not alias.replace("-", "").replace("_", "").isalnum() or not alias.islower():
        raise SettingError(f"TWINSEARCH_OPENSEARCH_INDEX must be lowercase letters, digits, - and _, not {alias!r}")
    parts = urlsplit(url)  # a user and password in the URL are taken out of it, so that it can be shown
    if parts.username is not None:
        url = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return OpenSearchSettings(
        url=url, user=os.environ.get("TWINSEARCH_OPENSEARCH_USER") or unquote(parts.username or "") or None,
        password=os.environ.get("TWINSEARCH_OPENSEARCH_PASSWORD") or unquote(parts.password or "") or None,
        api_key=os.environ.get("TWINSEARCH_OPENSEARCH_API_KEY") or None,
        verify=os.environ.get("TWINSEARCH_OPENSEARCH_VERIFY", "1") != "0",
        ca=os.environ.get("TWINSEARCH_OPENSEARCH_CA") or None, alias=alias,
        shards=setting("TWINSEARCH_OPENSEARCH_SHARDS", 2, minimum=1),
        replicas=setting("TWINSEARCH_OPENSEARCH_REPLICAS", 1, minimum=0))


def check_settings() -> None:
    """Raises `SettingError` for a tuning variable with no usable value, before any work starts."""
    writer_mb()
    cache_postings()
    if backend_name() == "opensearch":
        opensearch_settings()


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
