"""The records that cross the package's boundaries: a release, a skipped file, a twin link, a search
hit and its results, and the report of a build."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

try:
    import resource
except ImportError:  # Windows: no high-water mark to report
    resource = None  # type: ignore[assignment]


@dataclass
class Document:
    """One release, as the index stores it."""

    id: str
    title: str | None
    body: str
    lang: str | None = None  # set by the source (JSONL) or by language detection
    lang_prob: float | None = None
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    place: str | None = None
    source: str | None = None
    cited: list[str] = field(default_factory=list)  # sources the release itself names
    editor: str | None = None
    url: str | None = None
    path: str = ""  # file, relative to the source folder
    twin: str | None = None  # stated twin (JSONL `twin`); computed links live in the index

    def to_dict(self) -> dict:
        return plain(self)


@dataclass(frozen=True)
class Skipped:
    """A file (or JSONL line) that could not become a document, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Link:
    """A German document and its English twin."""

    de: str
    en: str
    score: float
    stated: bool = False  # the source said so (JSONL `twin`)


def plain(value: Any) -> Any:
    """A record (and the records, lists, dicts and tuples in it) as plain dicts and lists: what
    `dataclasses.asdict` gives, without its deep copy of every string and number (which was 4% of an
    API request). The one way records here become JSON."""
    kind = type(value)
    if kind is list:
        return [plain(v) for v in value]
    if kind is dict:
        return {k: plain(v) for k, v in value.items()}
    if kind is tuple:
        return tuple(plain(v) for v in value)
    if hasattr(kind, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in _field_names(kind)}
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


@dataclass
class Hit:
    id: str
    lang: str
    title: str | None
    date: str | None
    place: str | None
    source: str | None
    score: float
    snippet: str
    twin: str | None = None
    twin_title: str | None = None
    twin_lang: str | None = None
    url: str | None = None
    path: str | None = None
    # With `explain=True`: how the hit was found ("text", "translation", "twin") and which
    # translations of which query words it contains ({"cooperation": ["zusammenarbeit"]}).
    paths: list[str] | None = None
    matched: dict[str, list[str]] | None = None
    # The twin, when it matched too but only through translation: it shares this hit's card (and count).
    twin_hit: Hit | None = None

    def to_dict(self) -> dict:
        return plain(self)


@dataclass
class Results:
    query: str
    total: int
    page: int
    pages: int
    limit: int
    suggestion: str | None
    elapsed_ms: float
    hits: list[Hit] = field(default_factory=list)
    # over the whole result set: {"lang": [("de", 12), ...], "year": [("2019", 3), ...], "source": ..., "place": ...}
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    showing: str | None = None  # the query searched instead of `query` (its compounds split, or a suggestion)
    # what `total` would be with `lang=` each language of the twin pair, and "" for all languages
    tabs: dict[str, int] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def to_dict(self) -> dict:
        return plain(self)


@dataclass
class Report:
    """What a rebuild or update did; `skipped` says which files were left out and why."""

    index_dir: str
    generation: str
    sources: list[str]
    documents: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    unchanged_files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    twins: int = 0
    learned_translations: int = 0  # entries of the lexicon learned from the twins (`translation.learned`)
    workers: int = 1
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step: where a long build goes
    # this process's memory high-water mark (MB) after each step: the step where it rises holds the peak
    peak_mb: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.perf_counter() - started, 3)
            if (peak := high_water_mb()) is not None:
                self.peak_mb[name] = peak

    @property
    def skipped_reasons(self) -> dict[str, int]:
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reason = s.reason.split(" (")[0].split(":")[0]
            reasons[reason] = reasons.get(reason, 0) + 1
        return reasons

    def to_dict(self) -> dict:
        d = plain(self)
        d["skipped_reasons"] = self.skipped_reasons
        return d


def high_water_mb(children: bool = False) -> int | None:
    """The most memory (resident, MB) this process has held so far, or the largest of its finished
    children; None where the system does not say."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 2**20 if sys.platform == "darwin" else peak / 2**10)  # bytes on macOS, KiB elsewhere
