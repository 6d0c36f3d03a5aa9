"""The OpenSearch backend's own behaviour on a real cluster: generations as indexes behind an alias, updates
on clones, a killed rebuild, errors without secrets. (What it shares with Whoosh runs on both backends in
the search, query, twin and web tests, through the `backend` fixture.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

import indexer
from indexer import config, store
from indexer.backend.opensearch import writer
from indexer.errors import BackendError
from tests.conftest import ROOT, S000, S001, SEEDS, TEST_OPENSEARCH, needs_opensearch, seeds_with

pytestmark = needs_opensearch


def get(path: str) -> dict | list:
    with urllib.request.urlopen(f"{TEST_OPENSEARCH}{path}", timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def alias(monkeypatch) -> str:
    """An alias of this test's own, so that tests sharing the cluster do not see each other's indexes."""
    name = f"twinsearch-t{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_INDEX", name)
    monkeypatch.setenv("TWINSEARCH_BACKEND", "opensearch")
    return name


def served(index_dir: Path) -> str:
    return writer.state(store.require(index_dir))["index"]


def indexes(alias: str) -> list[str]:
    return sorted(i["index"] for i in get(f"/_cat/indices/{alias}-*?format=json"))


def aliased(alias: str) -> list[str]:
    return sorted(get(f"/_alias/{alias}"))


def test_a_rebuild_writes_a_new_index_and_moves_the_alias_to_it_keeping_only_the_previous_one(tmp_path, alias):
    index_dir = tmp_path / "index"
    made = []
    for _ in range(3):
        indexer.rebuild(source=SEEDS, index_dir=index_dir)
        made.append(served(index_dir))
        assert aliased(alias) == [made[-1]]
    assert len(set(made)) == 3
    assert indexes(alias) == sorted(made[1:])  # the oldest went with its generation folder
    assert get(f"/{made[-1]}/_settings")[made[-1]]["settings"]["index"]["blocks"]["write"] == "true"
    assert indexer.search("Chengdu London", index_dir=index_dir, lang="en").hits[0].id == S001


def test_an_update_writes_to_a_clone_and_leaves_the_serving_index_as_it_was(tmp_path, alias, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    before = served(index_dir)
    (seed_copy / f"{S000}.txt").unlink()
    (seed_copy / "new.jsonl").write_text(json.dumps({"id": "fresh-1", "lang": "en", "title": "Quokka census",
                                                     "body": "Rangers counted quokkas on Rottnest Island."}) + "\n")
    report = indexer.update(index_dir=index_dir)
    assert (report.added, report.removed) == (1, 1)
    after = served(index_dir)
    assert after != before and aliased(alias) == [after]
    assert [h.id for h in indexer.search("quokkas", index_dir=index_dir)] == ["fresh-1"]
    assert indexer.get(S000, index_dir=index_dir) is None
    old = get(f"/{before}/_search?q=id:{S000}")["hits"]["total"]["value"]
    assert old == 1  # the previous generation's index still holds what it served
    assert get(f"/{after}/_count")["count"] == 5


def test_a_rebuild_killed_midway_leaves_the_alias_and_the_search_on_the_old_index(tmp_path, alias):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=SEEDS, index_dir=index_dir)
    old = served(index_dir)
    expected = [h.id for h in indexer.search("Finanzen London", index_dir=index_dir)]
    source = tmp_path / "big"
    source.mkdir()
    with open(source / "many.jsonl", "w", encoding="utf-8") as f:
        for n in range(6000):
            f.write(json.dumps({"id": f"m{n}", "lang": "en", "title": f"Harbour report {n}",
                                "body": f"The harbour of Bremerhaven handled cargo number {n} today. " * 8}) + "\n")
    env = os.environ | {"TWINSEARCH_BACKEND": "opensearch"}
    build = subprocess.Popen([sys.executable, "-m", "indexer", "rebuild", "--index", str(index_dir), "--source",
                              str(source), "--workers", "1", "--nice", "0"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        building = _wait_for_documents(index_dir, alias, old)
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()
    assert aliased(alias) == [old] and served(index_dir) == old
    assert building in indexes(alias)  # the half-written index is still there ...
    assert [h.id for h in indexer.search("Finanzen London", index_dir=index_dir)] == expected
    indexer.rebuild(source=SEEDS, index_dir=index_dir)
    assert building not in indexes(alias)  # ... until the next build clears what the killed one left
    assert aliased(alias) == [served(index_dir)]


def _wait_for_documents(index_dir: Path, alias: str, old: str, timeout: float = 120) -> str:
    """The name of the index that a running rebuild writes to, once it holds some documents."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for folder in index_dir.glob(".building-*"):
            found = store.read_json(folder, writer.STATE)
            if found and found["index"] != old:
                count = get(f"/{found['index']}/_count")["count"] if found["index"] in indexes(alias) else 0
                if count >= 500:
                    return found["index"]
        time.sleep(0.2)
    raise AssertionError("the rebuild indexed nothing within the time")


def test_the_cli_takes_the_backend_and_the_cluster_as_flags(tmp_path, alias, monkeypatch):
    monkeypatch.delenv("TWINSEARCH_BACKEND")
    env = {k: v for k, v in os.environ.items() if k not in ("TWINSEARCH_BACKEND", "TWINSEARCH_OPENSEARCH_URL")}
    done = subprocess.run([sys.executable, "-m", "indexer", "rebuild", "--index", str(tmp_path / "index"),
                           "--source", str(SEEDS), "--backend", "opensearch", "--opensearch-url", TEST_OPENSEARCH,
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] == 5
    assert store.read_json(store.require(tmp_path / "index"), store.MANIFEST)["backend"] == "opensearch"
    found = subprocess.run([sys.executable, "-m", "indexer", "search", "Chengdu", "--index", str(tmp_path / "index"),
                            "--opensearch-url", TEST_OPENSEARCH, "--json"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
    assert found.returncode == 0, found.stderr
    assert sorted(h["id"] for h in json.loads(found.stdout)["hits"]) == sorted([S000, S001])


def test_an_unreachable_cluster_is_one_clear_error_that_never_shows_the_password(tmp_path, alias, monkeypatch):
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_URL", "http://ada:s3cret-pw@127.0.0.1:9")
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_API_KEY", "key-that-must-not-show")
    with pytest.raises(BackendError) as caught:
        indexer.rebuild(source=SEEDS, index_dir=tmp_path / "index")
    message = str(caught.value)
    assert "http://127.0.0.1:9" in message and "cannot connect" in message
    assert "s3cret" not in message and "ada" not in message and "key-that" not in message
    assert "s3cret" not in repr(config.opensearch_settings()) and "key-that" not in repr(config.opensearch_settings())
    assert store.current(tmp_path / "index") is None and not list((tmp_path / "index").glob(".building-*"))


def test_searches_of_an_opensearch_index_follow_its_generation_not_the_environment(tmp_path, alias, monkeypatch):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=SEEDS, index_dir=index_dir, backend="opensearch")
    monkeypatch.setenv("TWINSEARCH_BACKEND", "whoosh")
    assert indexer.status(index_dir)["documents"] == 5
    assert sorted(h.id for h in indexer.search("Chengdu", index_dir=index_dir)) == sorted([S000, S001])


def test_a_wildcard_over_the_clusters_clause_limit_is_a_query_error_naming_it(tmp_path, alias):
    letters = "bcdfghjklmnpqrstvwxz"
    words = " ".join(f"loxodrom{a}{b}{c}" for a in letters for b in letters for c in "bcdfg")  # 2,000 terms: more
    # than the cluster's 1,024 clauses
    source = seeds_with(tmp_path / "source", [{"id": "many-words", "title": "Many words", "lang": "en",
                                                "body": f"A list of words: {words}."}])
    index_dir = tmp_path / "index"
    indexer.rebuild(source=source, index_dir=index_dir)
    assert [h.id for h in indexer.search("loxodromb*", index_dir=index_dir)] == ["many-words"]  # 100 terms
    with pytest.raises(indexer.QueryError, match=r"^`loxodrom\*` matches too many words \(over 1,024\) to search "
                                                 r"them all: make it more specific$"):
        indexer.search("loxodrom*", index_dir=index_dir)
