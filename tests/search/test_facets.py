"""Facet counts through the archive's combinations of values: the same as counting one facet at a time."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import indexer
from tests.conftest import seeds_with

facets = importlib.import_module("indexer.search.facets")
search_module = importlib.import_module("indexer.search")  # `indexer.search` is the function

SOURCES = ["dpa", "Reuters", "ots/PRNewswire"]
PLACES = ["Berlin", "Wien", None]  # a release may name no place


@pytest.fixture(scope="module")
def facet_index(tmp_path_factory):
    """60 releases over few sources, places and years (and some without them), plus the seeds."""
    folder = tmp_path_factory.mktemp("facet-source")
    records = []
    for n in range(60):
        kind = n % 3  # the values go together, so that the combinations are few
        record = {"id": f"f{n}", "title": f"Bericht {n} über Solarstrom", "body": f"Solarstrom Bericht Nummer {n}.",
                  "lang": "de" if kind else "en", "source": SOURCES[kind] if n % 7 else None, "place": PLACES[kind],
                  "date": f"{2015 + kind}-0{1 + n % 9}-1{n % 10}" if n % 11 else None}
        records.append({k: v for k, v in record.items() if v is not None})
    index_dir = tmp_path_factory.mktemp("facet-index")
    indexer.rebuild(source=seeds_with(folder, records), index_dir=index_dir)
    return index_dir


def one_facet_at_a_time(reader, docs: np.ndarray) -> dict:
    found = {}
    for name in facets.FACETS:
        coded = facets._coded(reader, name)
        values = [coded.values[c] for c in coded.codes[docs].tolist() if c >= 0]
        counts = sorted({v: values.count(v) for v in values}.items(), key=lambda vc: (-vc[1], vc[0]))
        found[name] = sorted(counts) if name == "year" else counts[:facets.TOP]
    return found


def test_the_combinations_count_every_facet_as_counting_each_on_its_own_does(facet_index):
    reader = search_module.open_handle(facet_index).reader
    combined = facets._combined(reader)
    assert combined is not None and len(combined.table) * facets.COMBINED_SHARE <= reader.size
    assert (combined.table == -1).any()  # releases without a place, source or date are combinations too
    rng = np.random.default_rng(3)
    subsets = [np.arange(reader.size), np.empty(0, np.intp), np.array([0]), np.array([reader.size - 1])]
    subsets += [np.flatnonzero(rng.random(reader.size) < share) for share in (0.1, 0.5, 0.9)]
    for docs in subsets:
        assert facets.count(reader, docs) == one_facet_at_a_time(reader, docs)
    results = indexer.search("Solarstrom", index_dir=facet_index)
    assert sum(n for _, n in results.facets["lang"]) == results.total == 60


def test_an_archive_of_more_combinations_than_it_pays_to_list_counts_one_facet_at_a_time(facet_index,
                                                                                        monkeypatch):
    reader = search_module.open_handle(facet_index).reader
    monkeypatch.setattr(facets, "COMBINED_SHARE", reader.size)  # at most one combination: there are more
    assert facets._combine(reader) is None
    monkeypatch.setattr(facets, "_combined", lambda reader: None)
    docs = np.arange(0, reader.size, 2)
    assert facets.count(reader, docs) == one_facet_at_a_time(reader, docs)
