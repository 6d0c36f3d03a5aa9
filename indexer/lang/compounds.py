"""German compound splitting on word frequencies (Koehn & Knight 2003).

A word is split where that explains it better than leaving it whole: every part must be a word of
the frequency list in its own right (after removing a linking element such as the `s` of
`Kooperation|s|vereinbarung`), and the geometric mean of the parts' frequencies must beat the
frequency of the whole word. So `Papierwährung` splits into `papier` + `währung`, while
`Verbraucher`, far more frequent than `Verb` and `Raucher` together, stays whole.

The frequency list is `wordfreq`'s large German list (634k words, ~0.5 s to load, once per process).
Splits are memoized per word (vocabulary level): an index of any size pays once per distinct word.
Without `wordfreq` nothing is split and the log says so.
"""

from __future__ import annotations

import functools
import logging
import threading

from .de import STOP_WORDS

log = logging.getLogger(__name__)

MIN_WORD = 7  # shorter words are almost never compounds of two parts of MIN_PART letters
MIN_PART = 3  # `öl` in `Ölpreis` is lost; 2-letter parts would split `Beamte` into `Beam|te`
MAX_PARTS = 4
MIN_LOG_FREQ = -6.0  # a part must occur at least once per million words (wordfreq's zipf 3)
MIN_LOG_FREQ_SHORT = -4.5  # a 3-letter part must be common: `Amt`, `Tor`, not `Sek` or English `ten`
MIN_LOG_FREQ_STRICT = -5.0  # a modifier in -er this common is a word (`Lager`), not a base + linker (`Lag|er`)
EXTRA_PART_COST = 0.5  # in log frequency, for each part beyond two: `Standort`, not `Stand|ort`
# Linking elements (Fugenelemente) and what to do with them: strip, or swap for the base's ending
# (`Hilfs-` from `Hilfe`).
LINKER_ENDINGS = (("", ""), ("ens", ""), ("es", ""), ("en", ""), ("er", ""), ("n", ""), ("s", ""), ("e", ""),
                  ("s", "e"))
# Suffixes and inflectional endings that the frequency list also lists as words (fragments of `Frei|heit`,
# `Ort|schaft`, `erfahre|nen`): never a part of their own.
SUFFIXES = frozenset({
    "heit", "keit", "ung", "lich", "ling", "tum", "nis", "chen", "lein", "schaft", "ion", "tion", "ation",
    "ität", "ismus", "isch", "ist", "ant", "ent", "enz", "anz", "ieren", "iert", "erin", "innen", "nen", "ner",
    "ern", "este", "eren", "sten", "ten",
})
STOP = STOP_WORDS
SPLIT_CACHE = 500_000

_lock = threading.Lock()
_frequencies: dict[str, float] | None = None


def word_frequencies() -> dict[str, float]:
    """word (casefolded) -> log10 frequency, loaded once per process; empty without `wordfreq`."""
    global _frequencies
    if _frequencies is None:
        with _lock:
            if _frequencies is None:
                _frequencies = _load()
    return _frequencies


def _load() -> dict[str, float]:
    try:
        from wordfreq import get_frequency_list
    except ImportError:
        log.warning("wordfreq is not installed: German compounds are not split")
        return {}
    words: dict[str, float] = {}
    # Read past wordfreq's own cache: it would keep 634k strings in 800 lists for the life of the
    # process, which every full garbage collection walks (~90 ms, a search's worth, now and then).
    for index, bucket in enumerate(get_frequency_list.__wrapped__("de", "large")):
        log_freq = -index / 100  # wordfreq buckets are centibels below 1
        if log_freq < MIN_LOG_FREQ - 3:
            break
        for word in bucket:
            if word.isalpha():
                words[word] = log_freq
    return words


def available() -> bool:
    return bool(word_frequencies())


@functools.lru_cache(maxsize=SPLIT_CACHE)
def split(word: str) -> tuple[str, ...]:
    """The parts of a German compound, lowercase, linking elements removed; () if it is not one.

    `split("Kooperationsvereinbarung")` -> `("kooperation", "vereinbarung")`.
    """
    word = word.casefold()
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    words = word_frequencies()
    if not words:
        return ()
    best, best_score = (), words.get(word, -99.0)
    for parts, score in _splits(word, words):
        if score > best_score:
            best, best_score = parts, score
    return best


def _splits(word: str, words: dict[str, float]):
    """(parts, mean log frequency) of every way to read `word` as modifiers + a head."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[i:]
        head_freq = _word_freq(head, words)
        if head_freq is None:
            continue
        for modifiers, total in _modifiers(word[:i], MAX_PARTS - 1):
            n = len(modifiers) + 1
            yield (*modifiers, head), (total + head_freq) / n - EXTRA_PART_COST * (n - 2)


def _word_freq(part: str, words: dict[str, float]) -> float | None:
    freq = words.get(part)
    if freq is None or freq < (MIN_LOG_FREQ_SHORT if len(part) == MIN_PART else MIN_LOG_FREQ):
        return None
    if part in STOP or part in SUFFIXES:
        return None
    return freq


@functools.lru_cache(maxsize=SPLIT_CACHE)
def _modifier_base(piece: str) -> tuple[str, float] | None:
    """The word a modifier stands for once its linking element is undone, and its frequency."""
    words = word_frequencies()
    best: tuple[str, float] | None = None
    if piece.endswith("er") and piece not in STOP:  # `Lager|bestand`, not `Lag|er|bestand`
        freq = words.get(piece)
        if freq is not None and freq >= MIN_LOG_FREQ_STRICT:
            return piece, freq
    for strip, add in LINKER_ENDINGS:
        if strip and not piece.endswith(strip):
            continue
        base = (piece[: len(piece) - len(strip)] if strip else piece) + add
        if base in STOP:  # `aufs` in `Auf|sehen`
            return None
        if len(base) < MIN_PART:
            continue
        freq = _word_freq(base, words)
        if freq is not None and (best is None or freq > best[1]):
            best = (base, freq)
    return best


def _modifiers(text: str, room: int) -> list[tuple[tuple[str, ...], float]]:
    """Ways to read `text` as up to `room` modifiers: (bases, summed log frequency)."""
    found = []
    whole = _modifier_base(text)
    if whole is not None:
        found.append(((whole[0],), whole[1]))
    if room > 1:
        for i in range(MIN_PART, len(text) - MIN_PART + 1):
            last = _modifier_base(text[i:])
            if last is None:
                continue
            for first, total in _modifiers(text[:i], room - 1):
                found.append(((*first, last[0]), total + last[1]))
    return found
