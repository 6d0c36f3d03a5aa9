"""Language of a release: langdetect, made deterministic.

langdetect samples n-grams at random; a fixed seed makes the same text give the same answer on
every run and machine, which an index that must rebuild reproducibly needs.
"""

from __future__ import annotations

import threading

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import init_factory

SAMPLE_CHARS = 2000  # a release's opening decides its language; the rest only costs time
UNKNOWN = "und"  # BCP 47 "undetermined": no letters to judge by

_lock = threading.Lock()


def detect(text: str) -> tuple[str, float]:
    """Returns (language code, probability): `de`, `en`, another ISO 639-1 code, or `und`."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNKNOWN, 0.0
    with _lock:  # the factory is a module-level singleton; its detectors share a seeded RNG
        init_factory()
        DetectorFactory.seed = 0
        from langdetect.detector_factory import _factory

        detector = _factory.create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UNKNOWN, 0.0
    return best.lang.split("-")[0], round(best.prob, 4)
