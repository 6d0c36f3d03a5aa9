"""A rebuild's processes end cleanly: on Ctrl-C, SIGTERM and SIGHUP, when a worker dies, when the parent
dies; and one writer at a time. Real processes, real signals, a real index on disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import indexer
from indexer import store
from tests.conftest import ROOT

RELEASES = 6000  # enough that two workers index for several seconds


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lifecycle-source")
    for i in range(RELEASES):
        lang = "de" if i % 2 else "en"
        body = (f"Der Bezirk Luohu meldet Wachstum Nummer {i} im Hafen und in der Stadt. " * 6 if lang == "de" else
                f"The district of Luohu reports growth number {i} in the port and the city. " * 6)
        (folder / f"r{i:05d}.txt").write_text(f"Release {i}\n\n{body}", encoding="utf-8")
    return folder


@pytest.fixture
def serving(tmp_path, seed_copy) -> Path:
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    return index_dir


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def as_from_a_terminal() -> None:
    """Signals as a command started from a shell gets them: a test runner started in the background (as CI
    may be) passes SIGINT on ignored, and Python then leaves Ctrl-C ignored."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def start_rebuild(archive: Path, index_dir: Path) -> tuple[subprocess.Popen, list[int]]:
    """A rebuild with two workers, once both are indexing."""
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "rebuild", "-q", "--workers", "2", "--source",
                             str(archive), "--index", str(index_dir)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=as_from_a_terminal)
    deadline = time.monotonic() + 30
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    workers = children(proc.pid)
    assert len(workers) == 2 and proc.poll() is None, "the rebuild finished before it could be stopped"
    return proc, workers


def no_worker_left(workers: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(alive(w) for w in workers)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_ends_the_whole_rebuild_with_its_exit_code_and_one_line(archive, serving, signum, code):
    before = store.current(serving)
    proc, workers = start_rebuild(archive, serving)
    started = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # Ctrl-C reaches the whole process group
    else:
        os.kill(proc.pid, signum)
    assert proc.wait(timeout=15) == code
    assert time.monotonic() - started < 10
    err = proc.stderr.read()
    assert err == f"interrupted ({signal.Signals(signum).name}); the index that was serving is unchanged\n"
    assert no_worker_left(workers)
    assert store.current(serving) == before and indexer.search("Luohu", index_dir=serving).total == 1


def test_a_killed_worker_fails_the_rebuild_with_its_reason(archive, serving):
    before = store.current(serving)
    proc, workers = start_rebuild(archive, serving)
    os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
    assert proc.wait(timeout=30) == 1
    err = proc.stderr.read()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"an indexing worker (PID {workers[0]}) was killed by SIGKILL" in err
    assert no_worker_left(workers)
    assert store.current(serving) == before


def test_workers_end_when_their_parent_is_killed(archive, serving):
    proc, workers = start_rebuild(archive, serving)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert no_worker_left(workers, within=10)


def test_a_second_writer_waits_or_says_who_is_writing(archive, serving):
    proc, _ = start_rebuild(archive, serving)
    try:
        refused = subprocess.run([sys.executable, "-m", "indexer", "update", "--no-wait", "--index", str(serving)],
                                 cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1
        assert refused.stderr == (f"error: another rebuild or update (PID {proc.pid}) is writing to {serving}/; "
                                  "wait for it, or run again with --wait\n")
        with pytest.raises(indexer.IndexBusyError, match=f"PID {proc.pid}"):
            indexer.update(index_dir=serving, wait=False)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=15)
    indexer.update(index_dir=serving, wait=False)  # the lock went with the process


def test_a_waiting_writer_runs_after_the_first_and_clones_its_result(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    with store.writer(index_dir):
        waiting = subprocess.Popen([sys.executable, "-m", "indexer", "update", "--index", str(index_dir)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None  # it waits while the lock is held
        (seed_copy / "new.txt").write_text("Neue Mitteilung\n\nDer Bezirk Futian wächst weiter.", encoding="utf-8")
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and "1 added" in out
    assert f"waiting for the rebuild or update (PID {os.getpid()})" in err


def test_a_cloned_generation_shares_no_lock_file_with_its_source(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    first = store.current(index_dir)
    assert (first / "MAIN_WRITELOCK").exists()  # Whoosh's, left by the build
    clone = store.new_generation(index_dir, clone_from=first)
    try:
        assert [p.name for p in clone.rglob("*") if "LOCK" in p.name.upper()] == []  # made afresh when needed
        assert (clone / "files.json").stat().st_ino == (first / "files.json").stat().st_ino  # the rest is linked
    finally:
        store.discard(clone)


def test_a_worker_that_fails_fails_the_rebuild_with_its_reason_in_one_line(tmp_path, seed_copy, monkeypatch):
    from indexer import build
    from indexer.build import workers

    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    before = store.current(index_dir)
    index_file = workers.index_file

    def disk_full(part, job):  # the workers are forked from this process: they run this
        if job.sf.relpath.startswith("002"):
            raise OSError(28, "No space left on device")
        return index_file(part, job)

    monkeypatch.setattr(workers, "index_file", disk_full)
    with pytest.raises(indexer.WorkerError) as failed:
        build.rebuild([seed_copy], index_dir, workers=2)
    assert "\n" not in str(failed.value)
    assert str(failed.value).endswith("failed: OSError: [Errno 28] No space left on device")
    assert store.current(index_dir) == before and list(index_dir.glob(".building-*")) == []
