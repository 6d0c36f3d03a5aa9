"""What a backend computes once per index generation and shares between threads (`Reader.remember`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

REMEMBER = 64  # filters and twin scopes kept per generation


class Memo:
    """Values by key: the last `REMEMBER` keys, and all along those kept with `keep` (tables that every
    thread's handle needs). Two threads may compute the same value at once; the first one stored wins."""

    def __init__(self) -> None:
        self._remembered: OrderedDict[tuple, Any] = OrderedDict()
        self._kept: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def remember(self, key: tuple, compute: Callable[[], Any], keep: bool = False) -> Any:
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return self._remembered[key]
        value = compute()
        with self._lock:
            if keep:
                return self._kept.setdefault(key, value)
            self._remembered[key] = value
            while len(self._remembered) > REMEMBER:
                self._remembered.popitem(last=False)
        return value
