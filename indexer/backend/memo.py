"""What a backend computes once per index generation and shares between threads (`Reader.remember`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

REMEMBER = 64  # filters and twin scopes kept per generation


class Memo:
    """Values by key: the last `REMEMBER` keys, and all along those kept with `keep` (tables that every
    thread's handle needs). A value is computed by one thread at a time: the others asking for it meanwhile
    wait for it rather than compute it too. After an update every server thread's first search asks for the
    same tables at once, and computing them side by side under one interpreter lock made each of them as
    slow as all together (minutes at 1,000,000 releases). Should the computing thread fail, the next
    waiter computes it."""

    def __init__(self) -> None:
        self._remembered: OrderedDict[tuple, Any] = OrderedDict()
        self._kept: dict[tuple, Any] = {}
        self._pending: dict[tuple, tuple[int, threading.Event]] = {}  # key -> (computing thread, done)
        self._lock = threading.Lock()

    def remember(self, key: tuple, compute: Callable[[], Any], keep: bool = False) -> Any:
        me = threading.get_ident()
        while True:
            with self._lock:
                if key in self._kept:
                    return self._kept[key]
                if key in self._remembered:
                    self._remembered.move_to_end(key)
                    return self._remembered[key]
                pending = self._pending.get(key)
                if pending is None:  # an event only for a value computed here: a lookup is per query
                    done = threading.Event()
                    self._pending[key] = (me, done)
                    break
                if pending[0] == me:  # asked again within its own computation: compute it here too
                    done = threading.Event()  # not the outer computation's, which stays pending
                    break
            pending[1].wait()  # then it is stored, or its computation failed and this thread may try
        try:
            value = compute()
            with self._lock:
                if keep:
                    value = self._kept.setdefault(key, value)
                else:
                    self._remembered[key] = value
                    while len(self._remembered) > REMEMBER:
                        self._remembered.popitem(last=False)
        finally:
            with self._lock:
                if self._pending.get(key, (None, None))[1] is done:
                    del self._pending[key]
            done.set()
        return value
