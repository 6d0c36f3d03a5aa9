"""A German name's genitive `-s` (`Theresa Mays`, `Warschaus`) meets the name, in words and phrases."""

from __future__ import annotations

import pytest

import indexer
from indexer.query.parser import genitive_other
from indexer.search.handles import open_handle
from indexer.translation import dictionary
from tests.conftest import seeds_with

RECORDS = [
    {"id": "may-de", "lang": "de", "title": "Regierungskrise in London",
     "body": "Theresa Mays Regierung verliert die Abstimmung im Unterhaus deutlich."},
    {"id": "warschau-de", "lang": "de", "title": "Stadtfest an der Weichsel",
     "body": "Die Altstadt von Warschau feiert ihr Stadtfest mit vielen Gästen."},
    {"id": "hau-de", "lang": "de", "title": "Holzfäller im Wettbewerb",
     "body": "Mit einem Hau spaltete der Sieger den Stamm in zwei Teile."},
]


@pytest.fixture(scope="module")
def genitive_index(tmp_path_factory):
    base = tmp_path_factory.mktemp("genitive")
    indexer.rebuild(source=seeds_with(base / "source", RECORDS), index_dir=base / "index")
    return base / "index"


def ids(index, query: str, **kw) -> list[str]:
    return [h.id for h in indexer.search(query, index_dir=index, limit=50, **kw)]


def test_a_phrase_of_a_name_finds_its_genitive(genitive_index):
    assert ids(genitive_index, '"Theresa May"', lang="de") == ["may-de"]


def test_a_word_finds_its_genitive_and_a_genitive_finds_the_word(genitive_index):
    assert ids(genitive_index, "May", lang="de")[0] == "may-de"
    assert ids(genitive_index, "Warschaus", lang="de") == ["warschau-de"]


def test_a_genitive_is_marked_in_the_snippet(genitive_index):
    hit = indexer.search("Theresa May", index_dir=genitive_index, lang="de").hits[0]
    assert "<mark>Mays</mark>" in hit.snippet


def test_no_other_form_is_searched_where_the_index_lacks_it(genitive_index):
    terms = {leaf.text for leaf in open_handle(genitive_index).parser.parse("Unterhaus", translate=False).q.leaves()}
    assert "unterhaus" in terms and "unterhau" not in terms


@pytest.mark.skipif(dictionary.load() is None, reason="needs the Debian dictionary (trans-de-en)")
def test_a_word_the_dictionary_lists_keeps_its_s(genitive_index):
    assert ids(genitive_index, "Haus", lang="de", exact=True, translate=False) == []  # not `Hau`


@pytest.mark.parametrize(("term", "other"), [("may", "mays"), ("warschaus", "warschau"), ("schloss", None),
                                             ("ab", None), ("bus", None), ("prinz", None), ("gross", None)])
def test_the_other_form_of_a_term(term, other):
    assert genitive_other(term) == other
