"""Walking a query tree.

Whoosh's `Query.leaves` is a generator per level of the tree: an expanded query (each word's stems,
translations and fields, several levels deep) cost a generator step per level for each leaf, 5% of a
search's time in the speed benchmark's profile. `leaves` gives the same leaves in the same order with
one explicit stack.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import query as wq


def leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The leaves of `q`, left to right, as `q.leaves()` yields them."""
    stack = [q]
    while stack:
        node = stack.pop()
        if node.is_leaf():
            yield node
        else:
            stack.extend(reversed(list(node.children())))
