"""Rebuild and update: reports, atomic swaps, crashes that lose nothing, incremental changes."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from whoosh import index as whoosh_index

import indexer
from indexer import store
from indexer.errors import SettingError
from indexer.ingest import read_file, scan
from indexer.model import Document
from indexer.twins import TwinState, signals
from tests.conftest import ROOT, S000, S001, S002, S004, SEEDS


def test_rebuild_reports_documents_languages_and_skipped_files(tmp_path, seed_copy):
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "blob.txt").write_bytes(b"\x00\x01binary")
    report = indexer.rebuild(source=seed_copy, index_dir=tmp_path / "index")
    assert (report.documents, report.languages) == (5, {"de": 2, "en": 3})
    assert sorted((s.path, s.reason) for s in report.skipped) == [
        ("blob.txt", "binary file (contains NUL bytes)"), ("empty.txt", "empty file")]
    assert report.skipped_reasons == {"binary file": 1, "empty file": 1}
    assert indexer.status(tmp_path / "index")["skipped"] == 2


def test_rebuild_from_several_sources(tmp_path, seed_copy):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.txt").write_text("Extra release\n\nAbout the Luohu district.", encoding="utf-8")
    report = indexer.rebuild(source=[seed_copy, extra], index_dir=tmp_path / "index")
    assert report.documents == 6
    assert sorted(h.id for h in indexer.search("Luohu", index_dir=tmp_path / "index")) == [S002, "x"]


def test_duplicate_ids_are_skipped_and_named(tmp_path, seed_copy):
    other = tmp_path / "other"
    other.mkdir()
    (other / f"{S004}.txt").write_text("Copy\n\nA copy with the same id.", encoding="utf-8")
    report = indexer.rebuild(source=[seed_copy, other], index_dir=tmp_path / "index")
    assert report.documents == 5
    assert [s.reason.split(" (")[0] for s in report.skipped] == [f"duplicate id {S004!r}"]


def test_missing_source_folder_is_a_clear_error(tmp_path):
    with pytest.raises(indexer.SourceNotFoundError, match="does not exist"):
        indexer.rebuild(source=tmp_path / "nope", index_dir=tmp_path / "index")
    assert not (tmp_path / "index" / store.CURRENT).exists()


def test_rebuild_swaps_generations_and_keeps_one_previous(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    first = indexer.rebuild(source=seed_copy, index_dir=index_dir).generation
    second = indexer.rebuild(source=seed_copy, index_dir=index_dir).generation
    third = indexer.rebuild(source=seed_copy, index_dir=index_dir).generation
    assert (index_dir / store.CURRENT).read_text().strip() == third
    assert sorted(p.name for p in index_dir.glob("gen-*")) == sorted([second, third])
    assert first not in {p.name for p in index_dir.iterdir()}


def test_failed_rebuild_leaves_the_serving_index_intact(tmp_path, seed_copy, monkeypatch):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    serving = store.current(index_dir)
    (seed_copy / "new.txt").write_text("New\n\nSomething about Luohu.", encoding="utf-8")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("indexer.build.workers.prepare", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        indexer.rebuild(source=seed_copy, index_dir=index_dir)
    assert store.current(index_dir) == serving
    assert [h.id for h in indexer.search("Luohu", index_dir=index_dir)] == [S002]
    assert list(index_dir.glob(".building-*")) == []


def test_a_worker_that_cannot_start_fails_the_rebuild_cleanly(tmp_path, seed_copy, monkeypatch):
    """The parent freezes its heap for the forks; a failed fork must not leave it frozen (a long-lived
    process would never collect it again) nor leave the first worker running."""
    import multiprocessing.context

    from indexer import build

    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    serving = store.current(index_dir)
    started = []
    start = multiprocessing.context.ForkProcess.start

    def second_fails(process):
        if started:
            raise OSError(12, "Cannot allocate memory")
        start(process)
        started.append(process)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", second_fails)
    with pytest.raises(OSError, match="Cannot allocate memory"):
        build.rebuild([seed_copy], index_dir, workers=2)
    assert gc.get_freeze_count() == 0
    started[0].join(timeout=10)
    assert not started[0].is_alive()
    assert store.current(index_dir) == serving and list(index_dir.glob(".building-*")) == []


def test_a_writer_that_cannot_cancel_does_not_hide_why_the_rebuild_failed(tmp_path, seed_copy, monkeypatch,
                                                                          caplog):
    """The build's own failure is what the user is told; the writer's failure to cancel (its folder is
    discarded anyway) is only logged. A full run once reported a missing column file instead of the
    worker that could not start."""
    from indexer import build
    from indexer.backend.whoosh import writer as whoosh_writer
    from indexer.build import run

    def no_second_worker(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    def cancel_fails(self):
        raise FileNotFoundError(2, "No such file or directory", "MAIN_x._stored.col")

    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    serving = store.current(index_dir)
    monkeypatch.setattr(run, "in_workers", no_second_worker)
    monkeypatch.setattr(whoosh_writer.WhooshWriter, "cancel", cancel_fails)
    with pytest.raises(OSError, match="Cannot allocate memory"):
        build.rebuild([seed_copy], index_dir, workers=2)
    assert "could not cancel the index writer after OSError: [Errno 2] No such file or directory" in caplog.text
    assert store.current(index_dir) == serving and list(index_dir.glob(".building-*")) == []


def test_a_worker_that_dies_in_the_middle_of_a_message_fails_the_rebuild_at_once(tmp_path, seed_copy, monkeypatch):
    """A worker killed while it sends leaves half a message in its pipe. On a queue all workers share, the
    parent waited for the rest forever (the other workers hold the pipe open; CI once hung so); on a pipe
    of the worker's own, the parent reads the end of it."""
    import struct

    from indexer import build
    from indexer.build import workers

    def half_a_message(backend, gen, jobs, results, parent):
        os.write(results.fileno(), struct.pack("!i", 1 << 20) + b"the first bytes of a megabyte")
        os._exit(0)

    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    serving = store.current(index_dir)
    monkeypatch.setattr(workers, "_worker", half_a_message)
    started = time.monotonic()
    with pytest.raises(indexer.WorkerError, match=r"an indexing worker \(PID \d+\) exited with status 0 before it "
                                                  "finished; nothing was published"):
        build.rebuild([seed_copy], index_dir, workers=2)
    assert time.monotonic() - started < 10
    assert store.current(index_dir) == serving and list(index_dir.glob(".building-*")) == []


def test_killed_rebuild_leaves_the_serving_index_intact(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    serving = store.current(index_dir)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(3000):
        (big / f"r{i}.txt").write_text(f"Release {i}\n\nThe district of Luohu reports growth number {i}.",
                                       encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "rebuild", "--source", str(big), "--index",
                             str(index_dir)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(index_dir.glob(".building-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well into indexing, long before the 3,000 files are done
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(index_dir.glob(".building-*")), "the build was killed before it started"
    assert store.current(index_dir) == serving
    assert [h.id for h in indexer.search("Luohu", index_dir=index_dir)] == [S002]
    indexer.rebuild(source=seed_copy, index_dir=index_dir)  # the next build clears the debris
    assert list(index_dir.glob(".building-*")) == []


def test_update_adds_changes_and_removes(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    (seed_copy / "new.txt").write_text("Neue Meldung\n\nDer Bezirk Futian wächst schnell.", encoding="utf-8")
    (seed_copy / f"{S004}.txt").write_text("Shanghai news\n\nShanghai welcomes Futian delegates.",
                                           encoding="utf-8")
    (seed_copy / f"{S002}.txt").unlink()
    report = indexer.update(index_dir=index_dir)
    assert (report.added, report.removed, report.unchanged_files, report.documents) == (2, 2, 3, 5)
    assert sorted(h.id for h in indexer.search("Futian", index_dir=index_dir)) == [S004, "new"]
    assert indexer.search("Luohu", index_dir=index_dir).total == 0
    assert indexer.get("new", index_dir=index_dir)["lang"] == "de"


def test_many_small_updates_lose_no_release_when_whoosh_merges_their_segments(tmp_path):
    """Whoosh merges small segments into the committing writer's own segment from the sixth one on;
    that segment was once never written, and the merged releases vanished from the index."""
    source, index_dir = tmp_path / "src", tmp_path / "index"
    source.mkdir()
    (source / "r0.txt").write_text("Release 0\n\nThe harbour opened a new terminal.", encoding="utf-8")
    indexer.rebuild(source=source, index_dir=index_dir, workers=1)
    for n in range(1, 9):
        (source / f"r{n}.txt").write_text(f"Release {n}\n\nThe harbour opened a new terminal.", encoding="utf-8")
        assert indexer.update(index_dir=index_dir, workers=1).documents == n + 1
        assert sorted(h.id for h in indexer.search("harbour", index_dir=index_dir, limit=20)) == \
            [f"r{i}" for i in range(n + 1)]
    segments = [p for p in store.current(index_dir).iterdir() if p.suffix == ".trm"]
    assert len(segments) < 9  # merged, not one segment per update


def test_update_with_nothing_changed_keeps_everything(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    os.utime(seed_copy / f"{S000}.txt")  # touched, same content
    report = indexer.update(index_dir=index_dir)
    assert (report.added, report.removed, report.documents) == (0, 0, 5)


def test_update_without_an_index_says_how_to_build_one(tmp_path):
    with pytest.raises(indexer.IndexNotFoundError, match="python -m indexer rebuild"):
        indexer.update(index_dir=tmp_path / "index")


def test_update_keeps_the_old_generation_intact(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    old = store.current(index_dir)
    old_files = {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()}
    assert any(p.parts[0] == "vocabulary" for p in old_files)  # the update adds to a clone of this one
    (seed_copy / f"{S002}.txt").unlink()
    (seed_copy / "new.txt").write_text("Neue Meldung\n\nDer Bezirk Futian wächst schnell.", encoding="utf-8")
    indexer.update(index_dir=index_dir)
    assert {p.relative_to(old): p.read_bytes() for p in old.rglob("*") if p.is_file()} == old_files


def test_an_update_adds_its_words_to_the_vocabulary_and_keeps_the_old_ones(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    (seed_copy / "new.txt").write_text("Neue Meldung\n\nDer Bezirk Futian wächst schnell.", encoding="utf-8")
    indexer.update(index_dir=index_dir)
    assert indexer.search("Futain", index_dir=index_dir).suggestion == "futian"  # the update's word
    assert indexer.search("Shangai Lyonss", index_dir=index_dir).suggestion == "shanghai lyons"  # the rebuild's
    with whoosh_index.open_dir(store.current(index_dir) / "vocabulary").reader() as reader:
        assert len(reader.leaf_readers()) == 2  # the rebuild's words and the update's


def test_status_before_and_after_a_build(tmp_path):
    assert indexer.status(tmp_path / "index")["exists"] is False
    indexer.rebuild(source=SEEDS, index_dir=tmp_path / "index")
    info = indexer.status(tmp_path / "index")
    assert (info["exists"], info["documents"], info["languages"]) == (True, 5, {"de": 2, "en": 3})
    assert 0 <= info["age_seconds"] < 60
    assert json.dumps(info)


def test_jsonl_language_overrides_detection(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "feed.jsonl").write_text(json.dumps(
        {"id": "j1", "title": "Ein deutscher Titel", "body": "Dies ist ganz klar ein deutscher Text.",
         "lang": "en"}) + "\n", encoding="utf-8")
    indexer.rebuild(source=tmp_path / "src", index_dir=tmp_path / "index")
    assert indexer.get("j1", index_dir=tmp_path / "index")["lang"] == "en"


def test_language_detection_on_the_seeds(seed_index):
    langs = {i: indexer.get(i, index_dir=seed_index)["lang"] for i in (S000, S002, S004)}
    assert langs == {S000: "de", S002: "de", S004: "en"}


def test_other_languages_get_the_neutral_fields(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "fr.txt").write_text(
        "Les marchés financiers\n\nLes marchés financiers de Shanghai et de Londres coopèrent davantage "
        "dans le domaine de la technologie financière.", encoding="utf-8")
    indexer.rebuild(source=tmp_path / "src", index_dir=tmp_path / "index")
    doc = indexer.get("fr", index_dir=tmp_path / "index")
    assert doc["lang"] == "fr" and doc["lang_prob"] > 0.9
    assert [h.id for h in indexer.search("marchés", index_dir=tmp_path / "index")] == ["fr"]


def test_worker_processes_build_the_same_index_as_one_process(tmp_path):
    from indexer import build

    one = build.rebuild([SEEDS], tmp_path / "one", workers=1)
    two = build.rebuild([SEEDS], tmp_path / "two", workers=2)
    assert (one.workers, two.workers) == (1, 2)
    assert (two.documents, two.languages) == (one.documents, one.languages)
    for query in ("Luohu", "fintech", '"Cass Business School"', "lang:de", "Shanghai"):
        a = indexer.search(query, index_dir=tmp_path / "one")
        b = indexer.search(query, index_dir=tmp_path / "two")
        assert [(h.id, h.snippet) for h in a] == [(h.id, h.snippet) for h in b]
    assert indexer.search("Shangai", index_dir=tmp_path / "two").suggestion == "shanghai"
    # the workers' twin signals come back through their files, which are then gone
    assert indexer.twins(index_dir=tmp_path / "two") == indexer.twins(index_dir=tmp_path / "one") == [
        indexer.Link(S000, S001, indexer.twins(index_dir=tmp_path / "one")[0].score)]
    assert list(store.current(tmp_path / "two").glob("signals-*")) == []


def test_duplicate_ids_across_workers_keep_the_first_file_and_its_twin_signals(tmp_path):
    from indexer import build

    bodies = {"a": "Siemens earned 120 million euros in Munich.", "b": "Bosch lost 35 million dollars in Stuttgart."}
    for name, body in bodies.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "same.jsonl").write_text(json.dumps({"id": "dup", "title": f"From {name}", "body": body}) + "\n",
                                           encoding="utf-8")
    for workers in (1, 2):
        index_dir = tmp_path / f"index{workers}"
        report = build.rebuild([tmp_path / "a", tmp_path / "b"], index_dir, workers=workers)
        assert report.documents == 1
        stored = indexer.get("dup", index_dir=index_dir)
        assert stored["title"] == "From a"
        kept, dropped = (signals(Document(id="dup", title=f"From {name}", body=bodies[name], lang=stored["lang"]))
                         for name in ("a", "b"))
        assert kept != dropped
        assert dict(TwinState.load(store.current(index_dir)).signals) == {"dup": kept}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_lays_out_its_twin_signal_table_in_id_order_as_it_fills_it(tmp_path, seed_copy, monkeypatch,
                                                                             workers):
    from indexer import build
    from indexer.twins.table import SignalTable

    def no_reordering(*_args, **_kwargs):
        raise AssertionError("the table was reordered")

    bodies = ["Siemens earned 120 million euros in Munich.", "Bosch verlor 35 Millionen Euro in Stuttgart.",
              "BASF invests in Ludwigshafen."]
    (seed_copy / "wire.jsonl").write_text("".join(json.dumps({"id": f"w{9 - i}", "title": f"Item {i}", "body": body})
                                                  + "\n" for i, body in enumerate(bodies)), encoding="utf-8")
    monkeypatch.setattr(SignalTable, "_gathered", no_reordering)  # reordering (and a gather) copy rows
    build.rebuild([seed_copy], tmp_path / "index", workers=workers)
    table = TwinState.load(store.current(tmp_path / "index")).signals
    docs = [doc for sf in scan(seed_copy) for doc in read_file(sf, sf.path.read_bytes())[0]]
    assert [doc.id for doc in docs][-3:] == ["w9", "w8", "w7"]  # they arrive out of id order
    assert len(docs) == 8 and list(table) == sorted(doc.id for doc in docs)
    assert dict(table) == {doc.id: signals(doc) for doc in docs}


def test_a_worker_whose_twin_signals_lack_a_document_fails_the_rebuild_and_publishes_nothing(tmp_path, seed_copy,
                                                                                           monkeypatch):
    from indexer import build
    from indexer.build import workers

    read, lost = workers._read_signals, []

    def losing_one(path):
        for key, sigs in read(path):
            if sigs and not lost:
                lost.append(next(iter(sigs)))
                sigs = dict(list(sigs.items())[1:])
            yield key, sigs

    monkeypatch.setattr(workers, "_read_signals", losing_one)
    with pytest.raises(indexer.WorkerError, match=r"an indexing worker's twin signals lack 1 documents \(the first: "):
        build.rebuild([seed_copy], tmp_path / "index", workers=2)
    assert len(lost) == 1 and not (tmp_path / "index" / store.CURRENT).exists()


def test_rebuild_and_update_write_segments_as_plain_files(tmp_path, seed_copy):
    """Whoosh reads a compound segment file through a BytesIO over its mmap, a private copy of every
    posting for each open searcher; plain segment files are read from the shared page cache."""
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir, workers=2)
    (seed_copy / "new.txt").write_text("Neue Meldung\n\nDer Bezirk Futian wächst schnell.", encoding="utf-8")
    (seed_copy / f"{S002}.txt").unlink()
    indexer.update(index_dir=index_dir)
    gen = store.current(index_dir)
    assert list(gen.glob("*.seg")) == []
    assert len(list(gen.glob("*.pst"))) >= 2
    assert [h.id for h in indexer.search("Futian", index_dir=index_dir)] == ["new"]
    assert indexer.search("Luohu", index_dir=index_dir).total == 0


def test_a_backend_that_does_not_exist_is_a_setting_error_and_writes_nothing(tmp_path, monkeypatch):
    with pytest.raises(SettingError, match="there is no backend 'elastic': choose one of opensearch, whoosh"):
        indexer.rebuild(source=SEEDS, index_dir=tmp_path / "index", backend="elastic")
    monkeypatch.setenv("TWINSEARCH_BACKEND", "elastic")
    with pytest.raises(SettingError, match="TWINSEARCH_BACKEND must be one of opensearch, whoosh"):
        indexer.rebuild(source=SEEDS, index_dir=tmp_path / "index")
    assert not (tmp_path / "index").exists()
