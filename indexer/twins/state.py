"""Twin links as stored with a generation: the linker's inputs and its result.

Each generation keeps every document's twin signals (so `update` can relink without re-reading
the archive) and the links themselves in `twins.json`, which search reads. Links live beside the
search index rather than in it: relinking after an update then rewrites one small file instead
of every document whose partner changed.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .. import store
from ..errors import IndexFormatError
from ..model import Link, plain
from .linker import DEFAULT_MIN_SCORE
from .linker import link as link_twins
from .table import SignalTable

LINKS = "twins.json"
SIGNALS = "twin-signals.pickle"


@dataclass
class TwinState:
    """Per-document twin signals and the twins the sources stated, for one generation."""

    signals: SignalTable = field(default_factory=SignalTable)
    stated: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, gen: Path) -> TwinState:
        try:
            with open(gen / SIGNALS, "rb") as f:
                state = pickle.load(f)
        except FileNotFoundError:
            return cls()
        except (ImportError, AttributeError, pickle.UnpicklingError) as e:  # saved by another version
            raise IndexFormatError(gen, e) from e
        state.signals = SignalTable.of(state.signals)  # generations before the table kept a dict
        return state

    def remove(self, doc_id: str) -> None:
        self.signals.pop(doc_id, None)
        self.stated.pop(doc_id, None)

    def link_and_save(self, gen: Path, min_score: float = DEFAULT_MIN_SCORE) -> list[Link]:
        self.signals.in_id_order()  # once, for the linker and the saved table both
        links = link_twins(self.signals, self.stated, min_score=min_score)
        store.write_json(gen, LINKS, [plain(link) for link in links])
        with store.writing(gen, SIGNALS) as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        return links


def load_links(gen: Path) -> list[Link]:
    return [Link(**rec) for rec in store.read_json(gen, LINKS, [])]


def partner_map(links: list[Link]) -> dict[str, tuple[str, float]]:
    """Both directions: doc id -> (twin id, score)."""
    pairs: dict[str, tuple[str, float]] = {}
    for link in links:
        pairs[link.de] = (link.en, link.score)
        pairs[link.en] = (link.de, link.score)
    return pairs
