"""Language of a release: langdetect, made deterministic, with a fast path for clear cases.

langdetect samples n-grams at random; a fixed seed makes the same text give the same answer on
every run and machine, which an index that must rebuild reproducibly needs. It costs about 2 ms a
document whatever the length, more than all the rest of indexing, so a text whose function words
are overwhelmingly German or overwhelmingly English (`der die und` against `the and of`, at least
`MARKERS_NEEDED` of one and almost none of the other) is decided without it. Anything mixed,
short or in a third language goes to langdetect.
"""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import init_factory

SAMPLE_CHARS = 600  # a release's opening decides its language; the rest only costs time
UNKNOWN = "und"  # BCP 47 "undetermined": no letters to judge by
_DE_MARKERS = "der die das und ist nicht mit für auf sich dem den des eine einer wird wurde auch sind"
_EN_MARKERS = "the and of to is that with for was are this from have has were which been its"
MARKERS = {"de": frozenset(_DE_MARKERS.split()), "en": frozenset(_EN_MARKERS.split())}
MARKERS_NEEDED = 8
MARKER_SAMPLE = 300  # words
WORD = re.compile(r"[^\W\d_]+")

_lock = threading.Lock()


def detect(text: str) -> tuple[str, float]:
    """Returns (language code, probability): `de`, `en`, another ISO 639-1 code, or `und`."""
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


def preload() -> None:
    """Loads langdetect's language profiles (60 MB, once per process)."""
    init_factory()


def _clear_case(text: str) -> str | None:
    """`de` or `en` when the text's function words leave no doubt, else None."""
    counts = dict.fromkeys(MARKERS, 0)
    for i, m in enumerate(WORD.finditer(text)):
        if i >= MARKER_SAMPLE:
            break
        word = m.group(0).lower()
        for lang, markers in MARKERS.items():
            if word in markers:
                counts[lang] += 1
    de, en = counts["de"], counts["en"]
    if de >= MARKERS_NEEDED and en * 10 <= de:
        return "de"
    if en >= MARKERS_NEEDED and de * 10 <= en:
        return "en"
    return None
