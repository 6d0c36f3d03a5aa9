"""`segments.ListWriter` against Whoosh's own `SegmentWriter`: the same documents must give the same
segment content, read back through Whoosh's reader from real indexes on disk."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.backend.whoosh.schema import build_schema
from indexer.backend.whoosh.segments import ListWriter
from indexer.backend.whoosh.writer import document_fields
from indexer.build.workers import prepare
from indexer.ingest import read_file, scan
from tests.conftest import SEEDS, SHARED_EVAL, needs_eval

SOURCES = (SEEDS, SHARED_EVAL / "xquad-dev" / "docs", SHARED_EVAL / "wmt-news-dev" / "docs")


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    """Every release of the seeds and both dev sets, as `build` hands them to a writer."""
    docs = []
    for source in SOURCES:
        for sf in scan(source):
            for doc in read_file(sf, sf.path.read_bytes())[0]:
                docs.append(document_fields(prepare(doc), str(sf.path)))
    return docs


def write_segment(writer_class, folder: Path, documents: list[dict], **options):
    folder.mkdir()
    ix = whoosh_index.create_in(folder, build_schema())
    writer = writer_class(ix, _lk=False, compound=False, **options)
    for fields in documents:
        writer.add_document(**fields)
    runs = len(writer.lists.runs) if isinstance(writer, ListWriter) else 0
    segment = writer._finalize_segment()
    writer._commit_toc([segment])
    writer._finish()
    return whoosh_index.open_dir(folder).reader(), runs


def postings(reader, fieldname: str, text: bytes) -> list[tuple]:
    m = reader.postings(fieldname, text)
    found = []
    while m.is_active():
        found.append((m.id(), m.weight(), m.value()))
        m.next()
    return found


def assert_same_content(expected, actual) -> None:
    assert actual.doc_count_all() == expected.doc_count_all()
    schema = expected.schema
    for docnum in range(expected.doc_count_all()):
        assert actual.stored_fields(docnum) == expected.stored_fields(docnum)
        for name in schema.scorable_names():
            assert actual.doc_field_length(docnum, name) == expected.doc_field_length(docnum, name), (docnum, name)
    assert [actual.field_length(n) for n in schema.scorable_names()] == [
        expected.field_length(n) for n in schema.scorable_names()]
    terms = list(expected.all_terms())
    assert list(actual.all_terms()) == terms
    for fieldname, text in terms:
        a, b = expected.term_info(fieldname, text), actual.term_info(fieldname, text)
        stats = lambda i: (i.weight(), i.doc_frequency(), i.min_length(), i.max_length(),  # noqa: E731
                           i.max_weight(), i.min_id(), i.max_id())
        assert stats(b) == stats(a), (fieldname, text)
        assert postings(actual, fieldname, text) == postings(expected, fieldname, text), (fieldname, text)
    dates = list(expected.column_reader("date", translate=False))
    assert list(actual.column_reader("date", translate=False)) == dates


@needs_eval
def test_list_writer_writes_what_whoosh_writes_for_every_dev_and_seed_release(documents, tmp_path):
    expected, _ = write_segment(SegmentWriter, tmp_path / "whoosh", documents)
    actual, runs = write_segment(ListWriter, tmp_path / "lists", documents)
    assert runs == 0
    assert len(documents) == 5 + 160 + 124
    assert_same_content(expected, actual)


@needs_eval
def test_postings_spilled_to_sorted_runs_are_merged_back_in_document_order(documents, tmp_path):
    expected, _ = write_segment(SegmentWriter, tmp_path / "whoosh", documents)
    actual, runs = write_segment(ListWriter, tmp_path / "lists", documents, limitmb=0)
    assert runs == len(documents)  # a budget of 0 spills after every document
    assert_same_content(expected, actual)
    assert not list((tmp_path / "lists").rglob("run-*"))


@needs_eval
def test_the_memory_estimate_that_triggers_spilling_matches_what_the_lists_take(documents, tmp_path):
    ix = whoosh_index.create_in(tmp_path, build_schema())
    writer = ListWriter(ix, _lk=False, compound=False, limitmb=1024)
    for fields in documents:  # fills the word caches, which are not the lists' memory
        writer.add_document(**fields)
    writer.lists.fields, writer.lists.postings = {}, 0
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for fields in documents:
            writer.add_document(**fields)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.75 * used <= writer.lists.memory() <= 1.5 * used
    writer._close_segment()
