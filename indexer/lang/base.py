"""What twinsearch knows of a language: one `Language` per module of this package."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def spelled_out(words: frozenset[str]) -> frozenset[str]:
    """Words with umlauts also in the `ae`/`oe`/`ue`/`ss` spelling (`für` -> `fuer`)."""
    spelled = {w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss") for w in words}
    return frozenset(words | spelled)


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


def numbered(names: str, first: int = 1) -> dict[str, int]:
    """`numbered("januar februar")` -> `{"januar": 1, "februar": 2}`."""
    return {name: i for i, name in enumerate(names.split(), first)}


@dataclass(frozen=True)
class Language:
    """A document language: its data, and the analyzer chain that indexes and searches it.

    `stop_words` is the language's one stop list. The analyzer drops `search_stop_words`, which
    adds what questions are full of (`wer`, `wann`, `many`): words that say nothing about which
    release is meant. Dates, numbers and weekdays are read by ingest (datelines) and by the twin
    signals (facts that survive translation)."""

    code: str  # ISO 639-1, as detection and JSONL give it
    names: Mapping[str, str]  # the language's name in each interface language
    analyzer: Callable[[], object]  # a fresh analyzer chain (see `analysis.chain`)
    stop_words: frozenset[str] = frozenset()
    search_stop_words: frozenset[str] = frozenset()
    stemmer: str | None = None  # PyStemmer's (Snowball's) algorithm name
    fold_umlauts: bool = False  # stems fold ä/ö/ü/ß, so that `Waehrung` and `Währung` meet
    possessives: bool = False  # `China's` is `China`
    compounds: bool = False  # nouns compound (`lang.compounds` splits them): translated part by part if need be
    genitive_s: bool = False  # a name takes a bare `-s` that the stemmer keeps (`Theresa Mays`, `Warschaus`)
    markers: frozenset[str] = frozenset()  # function words frequent enough to tell the language
    months: Mapping[str, int] = field(default_factory=dict)  # names and spellings -> 1..12
    day_first: bool = False  # dates are written `22. Juni 2019`, not `June 22, 2019`
    weekdays: Mapping[str, int] = field(default_factory=dict)  # -> 1 (Monday)..7
    number_words: Mapping[str, int] = field(default_factory=dict)  # `two` -> 2 ... `twelve` -> 12
    scales: Mapping[str, float] = field(default_factory=dict)  # `million` after a number multiplies it

    def name(self, locale: str) -> str:
        """The language's name for an interface in `locale`, else its code in capitals."""
        return self.names.get(locale) or self.code.upper()
