"""Language of a release: langdetect, made deterministic, with a fast path for clear cases.

langdetect samples n-grams at random; a fixed seed makes the same text give the same answer on
every run and machine, which an index that must rebuild reproducibly needs. It costs about 2 ms a
document whatever the length, more than all the rest of indexing, so a text whose function words
are overwhelmingly of one registered language (`der die und` against `the and of`: at least
`MARKERS_NEEDED` of one language's `markers` and almost none of any other's) is decided without it.
Anything mixed, short or in a language without markers goes to langdetect.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from itertools import islice
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import init_factory

from . import codes, languages, marker_words

SAMPLE_CHARS = 600  # a release's opening decides its language; the rest only costs time
UNKNOWN = "und"  # BCP 47 "undetermined": no letters to judge by
MARKERS_NEEDED = 8
MARKER_SAMPLE = 300  # words
MARKER_WORD = re.compile(r"[^\W\d_]+")

_lock = threading.Lock()


def detect(text: str) -> tuple[str, float]:
    """Returns (language code, probability): an ISO 639-1 code, or `und`."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNKNOWN, 0.0
    clear = _clear_case(text)
    if clear:
        return clear, 1.0
    with _lock:  # the factory is a module-level singleton; its detectors share a seeded RNG
        preload()
        DetectorFactory.seed = 0
        from langdetect.detector_factory import _factory

        detector = _factory.create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UNKNOWN, 0.0
    return best.lang.split("-")[0], round(best.prob, 4)


@functools.cache
def known_codes() -> frozenset[str]:
    """Every language code a release may carry: the registered languages' and those detection knows (the
    names of langdetect's profiles, read once, without loading them)."""
    import langdetect

    profiles = Path(langdetect.__file__).parent / "profiles"
    found = {name.split("-")[0] for name in os.listdir(profiles)} if profiles.is_dir() else set()
    return frozenset(found | set(codes()))


def preload() -> None:
    """Loads langdetect's language profiles (60 MB, once per process)."""
    init_factory()


def _clear_case(text: str) -> str | None:
    """The registered language whose function words leave no doubt, else None."""
    counts = {language.code: 0 for language in languages() if language.markers}
    if not counts:
        return None
    markers = marker_words()
    for m in islice(MARKER_WORD.finditer(text), MARKER_SAMPLE):
        for code in markers.get(m.group(0).lower(), ()):
            counts[code] += 1
    best = max(counts, key=counts.__getitem__)
    top = counts[best]
    if top >= MARKERS_NEEDED and all(n * 10 <= top for code, n in counts.items() if code != best):
        return best
    return None
