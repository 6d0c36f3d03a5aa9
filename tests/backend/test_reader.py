"""The backend seam: what search and build get from a backend, on a real Whoosh index on disk."""

from __future__ import annotations

import importlib
import sys
from datetime import date

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import ID, TEXT, Schema

import indexer
from indexer import backend, store
from indexer.cli import main
from indexer.errors import IndexFormatError
from indexer.query import Parser
from tests.conftest import S000, S001, S002, S003, S004


@pytest.fixture
def reader(seed_index):
    gen = store.require(seed_index)
    opened = backend.of(gen).open(gen)
    yield opened
    opened.close()


def test_a_reader_gives_stored_fields_by_number_and_by_id(reader):
    ids = [S000, S001, S002, S003, S004]
    numbers = dict(zip(ids, reader.docnums(ids).tolist(), strict=True))
    assert sorted(numbers.values()) == list(range(5)) and reader.size == 5 and reader.documents() == 5
    assert reader.stored(numbers[S002])["id"] == S002 == reader.document(S002)["id"]
    assert reader.document("missing") is None and reader.docnums(["missing", S002]).tolist() == [-1, numbers[S002]]
    assert reader.docnums([]).tolist() == []
    assert reader.languages() == {"de": 2, "en": 3}


def test_a_reader_evaluates_a_parsed_query_to_document_numbers_and_scores(reader):
    parsed = Parser(reader.schema, translator=None).parse("Luohu", translate=False)
    found = reader.search(parsed.q)
    assert [reader.stored(d)["id"] for d in found.docs.tolist()] == [S002] and found.scores[0] > 0
    assert reader.mask(parsed.q).tolist() == [reader.stored(d)["id"] == S002 for d in range(reader.size)]


def test_columns_give_one_value_per_document_for_sorting_and_counting(reader):
    ids = [reader.stored(d)["id"] for d in range(reader.size)]
    langs = dict(zip(ids, reader.column("lang").tolist(), strict=True))
    assert langs == {S000: "de", S001: "en", S002: "de", S003: "en", S004: "en"}
    days = dict(zip(ids, reader.column("date").tolist(), strict=True))
    assert days[S002] == date(2025, 5, 12).toordinal() and days[S000] == date(2019, 7, 1).toordinal()
    assert days[S003] == -1  # no date in the release
    values, counts = np.unique(reader.column("lang"), return_counts=True)
    assert dict(zip(values.tolist(), counts.tolist(), strict=True)) == reader.languages()
    assert reader.column("lang") is reader.column("lang")  # kept for the generation


class _Vanishing(Filter):
    """An analyzer filter whose module is gone when the index is opened, as after an upgrade that moved it."""

    def __call__(self, tokens):
        yield from tokens


@pytest.fixture
def old_index(tmp_path, monkeypatch):
    """An index whose schema names a module this version does not have."""
    gen = tmp_path / "index" / "gen-old"
    gen.mkdir(parents=True)
    monkeypatch.setattr(_Vanishing, "__module__", "twinsearch_removed_module")
    sys.modules["twinsearch_removed_module"] = sys.modules[__name__]
    try:
        schema = Schema(id=ID(stored=True), body_de=TEXT(analyzer=RegexTokenizer() | _Vanishing()))
        whoosh_index.create_in(gen, schema)
    finally:
        del sys.modules["twinsearch_removed_module"]
    (tmp_path / "index" / store.CURRENT).write_text("gen-old\n", encoding="utf-8")
    return tmp_path / "index"


def test_an_index_written_by_another_version_is_a_clear_error_not_a_traceback(old_index, capsys):
    with pytest.raises(IndexFormatError, match=r"built by another version of twinsearch.*rebuild it"):
        indexer.search("Luohu", index_dir=old_index)
    assert main(["search", "Luohu", "--index", str(old_index)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the index in ") and "python -m indexer rebuild" in err and len(err.splitlines()) == 1


def test_the_web_answers_503_with_the_reason_for_an_index_it_cannot_read(old_index):
    from web import create_app

    client = create_app(old_index).test_client()
    api = client.get("/api/search?q=Luohu")
    assert api.status_code == 503 and "built by another version" in api.get_json()["error"]
    page = client.get("/?q=Luohu")
    assert page.status_code == 503 and "python -m indexer rebuild" in page.get_data(as_text=True)


def test_an_update_reads_the_columns_of_its_new_segment_only_and_they_equal_a_full_read(
        tmp_path, seed_copy, monkeypatch):
    """Reading every stored release for the columns was most of a server's 30 s stall after an update at
    1,000,000 releases; segments the update kept are not read again."""
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir, workers=1)
    gen = store.require(index_dir)
    first = backend.of(gen).open(gen)
    assert sorted(first.column("lang").tolist()) == ["de", "de", "en", "en", "en"]
    (seed_copy / "late.txt").write_text("Kiel shipyard builds a new dock\n\n\nKIEL, Germany, March 3, 2026 "
                                        "/PRNewswire/ — The shipyard in Kiel is building a new dock for large "
                                        "ships and is hiring for it.\n", encoding="utf-8")
    indexer.update(index_dir=index_dir)
    read: list[str] = []
    fill = importlib.import_module("indexer.backend.fields").fill_columns
    columns = importlib.import_module("indexer.backend.whoosh.columns")
    monkeypatch.setattr(columns.fields, "fill_columns",
                        lambda found, docnum, stored: (read.append(stored["id"]), fill(found, docnum, stored)))
    gen = store.require(index_dir)
    fresh = backend.of(gen).open(gen)
    try:
        assert fresh.size == 6 and len(fresh.searcher.reader().leaf_readers()) == 2  # the seeds' segment kept
        for name in ("lang", "source", "place"):
            assert fresh.column(name).tolist() == [fresh.stored(d).get(name) for d in range(fresh.size)], name
        assert fresh.column("date").tolist()[-1] == date(2026, 3, 3).toordinal()
        places_read = [fresh.stored(d).get("place") for d in range(fresh.size) if fresh.stored(d)["id"] in read]
        assert places_read == ["Kiel, Germany"]
    finally:
        first.close()
        fresh.close()


def test_a_filters_flags_are_the_documents_whooshs_matchers_find_deleted_ones_left_out(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir, workers=1)
    (seed_copy / f"{S002}.txt").unlink()  # a deletion in the rebuild's segment
    indexer.update(index_dir=index_dir)
    gen = store.require(index_dir)
    reader = backend.of(gen).open(gen)
    try:
        assert reader.searcher.reader().has_deletions()
        queries = [Parser(reader.schema, translator=None).parse(text, translate=False).restriction
                   for text in ("date:2019", "source:PRNewswire", "place:Chengdu", "date:>2019",
                                "source:PRNewswire date:<2024")]
        languages = [wq.Term("lang", code) for code in ("de", "en", "fr")]
        for q in [*queries, *languages, wq.Or(languages), wq.Not(wq.Term("lang", "de")), wq.Every()]:
            expected = np.zeros(reader.size, bool)
            expected[list(reader.searcher.docs_for_query(q))] = True
            assert reader.ranker.mask(q).tolist() == expected.tolist(), q
        assert reader.ranker.mask(wq.Term("lang", "de")).sum() == 1  # S000 only: S002 was deleted
    finally:
        reader.close()
