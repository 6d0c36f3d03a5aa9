"""Input that is never silently lost: unreadable files and folders, symlinks, huge files, UTF-16/32, bad
JSONL languages and dates, control characters, a corrupt dictionary cache. Real rebuilds and updates."""

from __future__ import annotations

import json
import logging
import os
import pickle
from pathlib import Path

import pytest

import indexer
from indexer import ingest
from indexer.ingest import scan
from indexer.translation import dictionary

BODY = "Die Stadtwerke Zwickau bauen ein neues Kraftwerk an der Mulde."


def write(folder: Path, name: str, text: str = f"Zwickau\n\n{BODY}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def skipped(report) -> dict[str, str]:
    return {s.path: s.reason for s in report.skipped}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path, encoding):
    src = tmp_path / "src"
    src.mkdir()
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    (src / "z.txt").write_bytes(bom + f"Zwickau\n\n{BODY}".encode(encoding))
    report = indexer.rebuild(source=src, index_dir=tmp_path / "index")
    assert report.skipped == [] and indexer.get("z", index_dir=tmp_path / "index")["body"] == BODY


def test_a_symlink_out_of_the_source_folder_is_reported_not_followed(tmp_path):
    src = tmp_path / "src"
    write(src, "inside.txt")
    outside = write(tmp_path / "elsewhere", "secret.txt", "Secret\n\nNothing to publish here.")
    os.symlink(outside, src / "outside.txt")
    os.symlink(src / "inside.txt", src / "alias.txt")  # stays inside: read
    os.symlink(tmp_path / "elsewhere", src / "folder")
    report = indexer.rebuild(source=src, index_dir=tmp_path / "index")
    assert indexer.get("outside", index_dir=tmp_path / "index") is None
    assert indexer.get("secret", index_dir=tmp_path / "index") is None
    assert skipped(report) == {"outside.txt": "symlink to a file out of the source folder: not followed",
                               "folder/": "symlink to a folder out of the source folder: not followed"}
    assert indexer.get("alias", index_dir=tmp_path / "index")["body"] == BODY


def test_a_file_over_the_limit_is_refused_without_being_read(tmp_path, monkeypatch):
    src = tmp_path / "src"
    huge = src / "huge.txt"
    src.mkdir()
    with open(huge, "wb") as f:  # sparse: large on paper, nothing on disk
        f.truncate(ingest.MAX_FILE_BYTES + 1)
    read = Path.read_bytes

    def guarded(path: Path) -> bytes:
        assert path.name != "huge.txt", "the huge file was read"
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    write(src, "ok.txt")
    report = indexer.rebuild(source=src, index_dir=tmp_path / "index", workers=1)
    assert skipped(report) == {"huge.txt": f"too large ({ingest.MAX_FILE_BYTES + 1:,} bytes; "
                                           f"limit {ingest.MAX_FILE_BYTES:,})"}


def test_an_unreadable_file_is_reported_and_read_by_the_next_update(tmp_path, monkeypatch):
    src = tmp_path / "src"
    locked = write(src, "locked.txt", "Locked\n\nThe lockedword release.")
    write(src, "ok.txt")
    read = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", denied)  # as `chmod 000` would, even for root
    report = indexer.rebuild(source=src, index_dir=tmp_path / "index", workers=1)
    assert skipped(report) == {"locked.txt": "unreadable: Permission denied"}
    monkeypatch.setattr(Path, "read_bytes", read)
    assert locked.stat().st_size > 0  # unchanged on disk: only readable now
    report = indexer.update(index_dir=tmp_path / "index", workers=1)
    assert report.skipped == [] and indexer.search("lockedword", index_dir=tmp_path / "index").total == 1


def test_an_unreadable_folder_is_reported(tmp_path, monkeypatch):
    src = tmp_path / "src"
    write(src / "open", "a.txt")
    write(src / "closed", "b.txt")
    scandir = os.scandir

    def denied(path):
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    found = list(scan(src))
    assert [(sf.relpath, sf.problem) for sf in found] == [("closed/", "unreadable folder: Permission denied"),
                                                          ("open/a.txt", None)]


def test_jsonl_language_and_date_are_checked(tmp_path, caplog):
    src = tmp_path / "src"
    records = [{"id": "script", "lang": "<script>alert(13)</script>", "title": "Zwickau", "body": BODY},
               {"id": "five", "lang": 5, "title": "Zwickau", "body": BODY},
               {"id": "french", "lang": "fr", "title": "Zwickau", "body": "Les travaux commencent."},
               {"id": "feb30", "date": "2019-02-30", "title": "Zwickau", "body": BODY},
               {"id": "far", "date": "99999-99-99", "title": "Zwickau", "body": BODY}]
    src.mkdir()
    (src / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="indexer.ingest.jsonl"):
        indexer.rebuild(source=src, index_dir=tmp_path / "index")
    get = lambda doc_id: indexer.get(doc_id, index_dir=tmp_path / "index")  # noqa: E731
    assert (get("script")["lang"], get("five")["lang"], get("french")["lang"]) == ("de", "de", "fr")
    assert get("feb30")["date"] is None and get("far")["date"] is None
    assert "r.jsonl:1: '<script>alert(13)</script>' is not a language code" in caplog.text
    assert "r.jsonl:4: '2019-02-30' is not a date" in caplog.text
    assert set(indexer.status(tmp_path / "index")["languages"]) == {"de", "fr"}


def test_control_characters_are_stripped_from_stored_text(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "r.jsonl").write_text(json.dumps({"id": "nul", "title": "Zwi\u0000ckau\u0007", "body": f"{BODY}\u0000"}),
                                 encoding="utf-8")
    write(src, "late.txt", "Late\n\n" + "Text. " * 2000 + "Ende\x00\x1b[31m rot")
    indexer.rebuild(source=src, index_dir=tmp_path / "index")
    doc = indexer.get("nul", index_dir=tmp_path / "index")
    assert (doc["title"], doc["body"]) == ("Zwickau", BODY)
    assert indexer.get("late", index_dir=tmp_path / "index")["body"].endswith("Ende[31m rot")


def test_a_corrupt_dictionary_cache_is_made_again(monkeypatch, tmp_path):
    ding = tmp_path / "de-en"
    ding.write_text("# Version :: test\nKooperation {f} :: cooperation\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    st = ding.stat()
    cache = dictionary._cache_file((str(ding), st.st_size, st.st_mtime_ns))
    cache.parent.mkdir(parents=True)
    # a pickle of a class from a module that does not exist: unpickling raises ModuleNotFoundError
    cache.write_bytes(b"cgone.module\nThing\n.")
    found = dictionary._read_cached(ding, (str(ding), st.st_size, st.st_mtime_ns))
    assert found.translations("de", "Kooperation", "kooperation") == (("cooper", 2),)
    assert isinstance(pickle.loads(cache.read_bytes()), dictionary.Dictionary)  # the cache was replaced
