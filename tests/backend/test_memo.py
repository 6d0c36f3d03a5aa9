"""What a generation computes once (`Memo`): one thread computes a table, the others wait for it."""

from __future__ import annotations

import threading
import time

import pytest

from indexer.backend.memo import Memo


def test_threads_asking_for_the_same_table_at_once_compute_it_once_and_all_get_it():
    memo, calls, started = Memo(), [], threading.Event()

    def compute() -> list:
        calls.append(threading.get_ident())
        started.set()
        time.sleep(0.2)  # long enough that every other thread asks meanwhile
        return ["table"]

    got: list = []
    first = threading.Thread(target=lambda: got.append(memo.remember(("columns",), compute, keep=True)))
    first.start()
    started.wait()
    others = [threading.Thread(target=lambda: got.append(memo.remember(("columns",), compute, keep=True)))
              for _ in range(3)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    assert len(calls) == 1 and len(got) == 4 and all(value is got[0] for value in got)


def test_when_the_computing_thread_fails_a_waiting_thread_computes_the_table():
    memo, started, release = Memo(), threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        release.wait()
        raise RuntimeError("disk gone")

    errors: list = []

    def first() -> None:
        try:
            memo.remember(("mask",), failing)
        except RuntimeError as e:
            errors.append(str(e))

    thread = threading.Thread(target=first, daemon=True)
    thread.start()
    started.wait()
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(memo.remember(("mask",), lambda: "computed here")))
    waiter.start()
    time.sleep(0.05)
    waited = got == []  # waiting for the first thread, not computing beside it
    release.set()
    thread.join()
    waiter.join(timeout=5)
    assert waited and errors == ["disk gone"] and got == ["computed here"]
    assert memo.remember(("mask",), lambda: pytest.fail("computed again")) == "computed here"


def test_a_computation_that_asks_for_its_own_key_is_not_kept_waiting_by_itself():
    memo = Memo()
    inner = lambda: memo.remember(("twins",), lambda: "inner")  # noqa: E731
    assert memo.remember(("twins",), inner) == "inner"
