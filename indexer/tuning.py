"""The ranking's weights, in one place, so that `benchmarks.tune` can try others and keep what wins.

Every search reads them when it runs (`current()`), not when a module is imported: a benchmark swaps
them for one block of searches (`use(k1=1.5)`) against the same index, since none of them is
written into the index. Each default's reason and the dev figures that chose it are in
`benchmarks/RESULTS.md` ("Ranking weights by cross-validation").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """How a search weighs what it finds."""

    k1: float = 1.2  # BM25: how fast repeating a word stops adding to its score
    b: float = 0.75  # BM25: how much a long field's words count less
    title: float = 1.0  # a title field's match, times this, on top of the title's boost in the index
    coord_power: float = 1.0  # the share of the query's concepts matched, to this power, scales a score
    part: float = 1.2  # a compound's parts found apart, together (`Investment ... Fonds`)
    modifier_alone: bool = True  # a compound's modifier found without its head counts (`Tsunami` for
    # `Tsunamiopfer`, not `Opfer` alone); off: only all parts together
    translation: float = 0.6  # a translation's match, against the word itself, with a language asked for
    mixed_translation: float = 0.3  # the same where both languages are listed together
    twin: float = 0.6  # a twin's score counts this much for its release in the asked-for language ...
    same_language_twin: float = 0.3  # ... this much where the query is in that language (through translation)
    twin_overlap: float = 0.5  # across languages, where a release and its twin both match, the larger of the
    # two scores counts whole and the smaller this much (1: summed), so that a release with a twin does not
    # outrank one without on the twin's words alone
    proximity: float = 0.0  # a bonus for neighbouring query words near each other (0: off; see `proximity`)
    feedback_docs: int = 0  # pseudo-relevance feedback: the best results whose words extend the query (0: off)
    feedback_terms: int = 10  # ... how many of their words
    feedback_weight: float = 0.3  # ... and how much those words weigh against the query's own
    twin_feedback: float = 0.0  # cross-language feedback: the query's own-language hits' twins lend their
    # words to the other language's search, at this weight (0: off)
    capitalized_translated: bool = True  # an English capitalized word the dictionary lists is translated too
    phrase_translations: bool = True  # dictionary translations of several words (`prime minister`) are used
    phrase_sources: bool = True  # query words the dictionary lists together (`stock exchange`) translate as one


_current = Tuning()


def current() -> Tuning:
    return _current


@contextmanager
def use(**changes: float | bool) -> Iterator[Tuning]:
    """The weights with `changes`, for the searches inside the block (a benchmark's; not thread-safe)."""
    global _current
    before = _current
    _current = dataclasses.replace(before, **changes)
    try:
        yield _current
    finally:
        _current = before
