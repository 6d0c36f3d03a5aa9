"""Free loopback ports for test clusters: `python -m tests.ports` prints an HTTP and a transport base port,
each with the next port free too (two nodes), away from a developer's own cluster on 9200/9300."""

from __future__ import annotations

import random
import socket


def free_pair() -> int:
    """A port p with p and p + 1 free."""
    for base in random.Random().sample(range(20000, 40000, 2), 200):
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", base))
                b.bind(("127.0.0.1", base + 1))
            return base
        except OSError:
            continue
    raise RuntimeError("no two free ports in a row")


if __name__ == "__main__":
    print(free_pair(), free_pair())
