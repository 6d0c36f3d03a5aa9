"""Posting sidecars: the same postings as Whoosh's blocks, never trusted when they do not fit their segment."""

from __future__ import annotations

import importlib
import shutil
import struct

import pytest
from whoosh import index as whoosh_index

import indexer
from indexer import store
from indexer.backend.whoosh import decode, postings, sidecar

search_module = importlib.import_module("indexer.search")  # `indexer.search` is the function
QUERIES = ["Finanztechnologie Shenzhen", "London", "\"Luohu District\"", "mayor OR Bürgermeister", "Technologiewandel"]


def results(index_dir) -> list[dict]:
    search_module.close_handles()
    postings._generations.clear()
    postings._caches.clear()
    found = [indexer.search(q, index_dir=index_dir).to_dict() for q in QUERIES]
    for r in found:
        r.pop("elapsed_ms")
    return found


@pytest.fixture
def seed_index(whoosh_seed_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(whoosh_seed_index, index_dir)
    return index_dir


def test_every_term_reads_the_same_postings_from_the_sidecar_as_from_whooshs_blocks(seed_index):
    ix = whoosh_index.open_dir(store.current(seed_index))
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            side = sidecar.open_sidecar(store.current(seed_index), leaf.segment().segment_id(), leaf.doc_count_all())
            assert side is not None
            terms = list(leaf.all_terms())
            assert len(terms) == len(side) > 500
            for fieldname, btext in terms:
                docs, weights = decode.postings(decode.unfiltered(leaf, fieldname, btext))
                found = side.postings(fieldname, btext)
                assert found[0].tolist() == docs.tolist() and found[1].tolist() == weights.tolist(), (fieldname, btext)
            assert [len(a) for a in side.postings("body_en", b"no-such-term")] == [0, 0]


def test_a_sidecar_written_for_other_segment_files_is_not_used_and_results_stay_the_same(seed_index):
    expected = results(seed_index)
    (path,) = store.current(seed_index).glob("*.tsc")
    data = bytearray(path.read_bytes())
    magic, terms, table, documents, trm, pst = sidecar.TRAILER.unpack_from(data, len(data) - sidecar.TRAILER.size)
    struct.pack_into(sidecar.TRAILER.format, data, len(data) - sidecar.TRAILER.size,
                     magic, terms, table, documents, trm + 1, pst)  # as if the term file had changed
    path.write_bytes(bytes(data))
    segment = path.stem
    assert sidecar.open_sidecar(path.parent, segment, documents) is None
    assert sidecar.open_sidecar(path.parent, segment, documents + 1) is None
    path.write_bytes(b"short")
    assert sidecar.open_sidecar(path.parent, segment, documents) is None
    assert results(seed_index) == expected
    assert not search_module.open_handle(seed_index).reader.ranker.segments[0].sidecar
    assert search_module.open_handle(seed_index).reader.shared.postings.size > 0  # decoded instead


def test_terms_whose_hashes_collide_are_decoded_from_the_segment(seed_copy, seed_index, tmp_path, monkeypatch):
    expected = results(seed_index)
    monkeypatch.setattr(sidecar, "term_key", lambda fieldname, btext: len(btext) % 3)  # few keys, all shared
    sidecar.recent_term_key.cache_clear()  # the hashes searches remembered
    try:
        index_dir = tmp_path / "colliding"
        indexer.rebuild(source=seed_copy, index_dir=index_dir)
        side = search_module.open_handle(index_dir).reader.ranker.segments[0].sidecar
        with whoosh_index.open_dir(store.current(index_dir)).reader() as reader:
            assert side is not None and all(side.postings(f, b) is None for f, b in reader.all_terms())
        assert results(index_dir) == expected
    finally:
        sidecar.recent_term_key.cache_clear()  # nor may later tests get these


def test_updates_give_every_segment_a_sidecar_and_whoosh_removes_it_with_its_segment(tmp_path):
    source, index_dir = tmp_path / "src", tmp_path / "index"
    source.mkdir()
    (source / "r0.txt").write_text("Release 0\n\nThe harbour opened a new terminal.", encoding="utf-8")
    indexer.rebuild(source=source, index_dir=index_dir, workers=1)
    seen: set[str] = set()
    for n in range(1, 9):
        (source / f"r{n}.txt").write_text(f"Release {n}\n\nThe harbour opened terminal {n}.", encoding="utf-8")
        indexer.update(index_dir=index_dir, workers=1)
        gen = store.current(index_dir)
        segments = {p.stem for p in gen.glob("*.trm")}
        assert {p.stem for p in gen.glob("*.tsc")} == segments
        seen |= segments
    assert len(seen) > len(segments)  # Whoosh merged segments away, and their sidecars with them
    found = indexer.search("terminal 7", index_dir=index_dir)
    assert found.hits[0].id == "r7"
    side = search_module.open_handle(index_dir).reader.ranker.segments[0].sidecar
    assert len(side.postings("body_en", b"harbour")[0]) > 0


def test_a_commit_leaves_a_large_segment_without_a_sidecar_to_be_decoded(seed_copy, tmp_path, monkeypatch):
    """An index of an earlier version: its large segments are searched through Whoosh's blocks until a rebuild."""
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    for path in store.current(index_dir).glob("*.tsc"):
        path.unlink()
    monkeypatch.setattr(sidecar, "COMPLETE_UP_TO", 4)
    (seed_copy / "new.txt").write_text("Neue Meldung\n\nDer Bezirk Futian wächst schnell.", encoding="utf-8")
    indexer.update(index_dir=index_dir)
    gen = store.current(index_dir)
    segments = {leaf.segment().segment_id(): leaf.doc_count_all()
                for leaf, _ in whoosh_index.open_dir(gen).reader().leaf_readers()}
    assert sorted(segments.values()) == [1, 5]
    assert {p.stem for p in gen.glob("*.tsc")} == {s for s, n in segments.items() if n == 1}
    assert [h.id for h in indexer.search("Futian", index_dir=index_dir)] == ["new"]


def harbour_releases(tmp_path, count: int = 300):
    """`count` small releases (r000, r001, ...) in a source folder, indexed in one segment: (source, index)."""
    source, index_dir = tmp_path / "src", tmp_path / "index"
    source.mkdir()
    for n in range(count):
        (source / f"r{n:03}.txt").write_text(f"Release {n}\n\nThe harbour terminal opened on day {n}.",
                                             encoding="utf-8")
    indexer.rebuild(source=source, index_dir=index_dir, workers=1)
    return source, index_dir


def test_a_segment_whose_first_blocks_are_deleted_reads_its_postings_and_positions_alike(tmp_path):
    """An update that removes the first 200 releases of a segment: its postings (with the deleted ones, from
    the sidecar) and its word positions (decoded) must still line up for a phrase, and match Whoosh's."""
    source, index_dir = harbour_releases(tmp_path)
    for n in range(200):
        (source / f"r{n:03}.txt").unlink()
    indexer.update(index_dir=index_dir, workers=1)
    ix = whoosh_index.open_dir(store.current(index_dir))
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers() if leaf.has_deletions())
        docs, _ = decode.postings(decode.unfiltered(leaf, "body_en", b"harbour"))
        side = sidecar.open_sidecar(store.current(index_dir), leaf.segment().segment_id(), leaf.doc_count_all())
        assert docs.tolist() == side.postings("body_en", b"harbour")[0].tolist() == list(range(300))
        _, offsets = decode.positions(decode.unfiltered(leaf, "body_en", b"harbour"))
        assert len(offsets) == 301
    for query in ('"harbour terminal"', "harbour terminal day 250"):
        found = indexer.search(query, index_dir=index_dir, limit=100)
        assert found.total == 100 and {h.id for h in found} == {f"r{n:03}" for n in range(200, 300)}
    assert indexer.search("harbour terminal day 250", index_dir=index_dir).hits[0].id == "r250"


def _numbered_as_whoosh_numbers_them(index_dir) -> None:
    search_module.close_handles()
    postings._generations.clear()
    postings._caches.clear()
    reader = search_module.open_handle(index_dir).reader
    whoosh_reader = reader.searcher.reader()
    ids = [stored["id"] for _, stored in whoosh_reader.iter_docs()] + ["missing", "r000", "r299"]
    expected = [reader.searcher.document_number(id=i) for i in ids]
    assert reader.docnums(ids).tolist() == [-1 if n is None else n for n in expected]


def test_ids_are_numbered_in_one_pass_as_whoosh_numbers_them_one_at_a_time(tmp_path, monkeypatch):
    """Across segments, after an update deleted and re-added releases, without a sidecar, and with colliding
    hashes: what `_twin_numbers` numbers an archive's twins with."""
    source, index_dir = harbour_releases(tmp_path)
    for n in range(0, 300, 7):  # changed: deleted from the first segment, added to a new one
        (source / f"r{n:03}.txt").write_text(f"Release {n}, revised\n\nThe terminal closed.", encoding="utf-8")
    for n in range(290, 300):
        (source / f"r{n:03}.txt").unlink()
    indexer.update(index_dir=index_dir, workers=1)
    gen = store.current(index_dir)
    assert len(list(gen.glob("*.trm"))) == 2
    _numbered_as_whoosh_numbers_them(index_dir)
    max(gen.glob("*.tsc"), key=lambda p: p.stat().st_size).unlink()  # the first segment, read through its blocks
    _numbered_as_whoosh_numbers_them(index_dir)
    monkeypatch.setattr(sidecar, "term_key", lambda fieldname, btext: len(btext) % 3)  # every id collides
    colliding = tmp_path / "colliding"
    indexer.rebuild(source=source, index_dir=colliding, workers=1)
    _numbered_as_whoosh_numbers_them(colliding)
