"""Twins: linking every German release to its English translation, or to none.

`signals` reduces a document to what survives translation; `table` keeps an archive's signals in
flat arrays; `linker` finds candidates, scores them and matches them; `explain` says why a
document was or was not linked; `state` saves the signals and links with each index generation.
Twins are a German-English pair (`lang.PAIR`).
"""

from __future__ import annotations

from ..model import Link
from .explain import explain
from .linker import DEFAULT_MIN_SCORE, link
from .signals import Signals, signals
from .state import TwinState, load_links, partner_map
from .table import SignalTable

__all__ = ["DEFAULT_MIN_SCORE", "Link", "SignalTable", "Signals", "TwinState", "explain", "link", "load_links",
           "partner_map", "signals"]
