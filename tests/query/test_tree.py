"""Walking query trees: the same leaves, in the same order, as Whoosh's `Query.leaves`."""

from __future__ import annotations

from whoosh import query as wq

from indexer.query.concepts import Concept
from indexer.query.synonyms import Synonyms
from indexer.query.tree import leaves
from indexer.search.handles import open_handle


def test_leaves_are_whooshs_leaves_in_order_in_parsed_queries(seed_index):
    handle = open_handle(seed_index)
    for text in ("Finanztechnologie London", '"Cass Business School" OR Shenzhen', "fin* -London date:2019",
                 "Kooperation AND (Chengdu OR Luohu)", "source:PRNewswire Zusammenarbeit"):
        q = handle.parser.parse(text).q
        assert list(leaves(q)) == list(q.leaves()) and len(list(leaves(q))) > 1, text


def test_leaves_of_hand_built_trees_with_wrappers():
    a, b, c, d = (wq.Term("body_en", w) for w in "abcd")
    tree = wq.And([Concept([a, Synonyms([b, c])]), wq.Not(d), wq.AndMaybe(a, wq.Or([c, d]))])
    assert list(leaves(tree)) == list(tree.leaves()) == [a, b, c, d, a, c, d]
    assert list(leaves(a)) == [a] and list(leaves(wq.Or([]))) == []
