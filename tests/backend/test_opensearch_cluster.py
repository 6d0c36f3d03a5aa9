"""`scripts/opensearch.sh` starts a real two-node OpenSearch cluster on loopback, which survives the loss of
one node, and stops it by PID. Skips where Java or Maven is missing (CI has both)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import indexer
from tests.conftest import seeds_with
from tests.ports import free_pair

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "opensearch.sh"


HTTP, TRANSPORT = free_pair(), free_pair()

pytestmark = pytest.mark.skipif(not (shutil.which("mvn") and shutil.which("javac")),
                                reason="needs Maven and a JDK to fetch and start OpenSearch")


def run(state: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = os.environ | {"TWINSEARCH_OPENSEARCH_HOME": str(state), "OPENSEARCH_HTTP_PORT": str(HTTP),
                        "OPENSEARCH_TRANSPORT_PORT": str(TRANSPORT)}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout)


def get(path: str, port: int = HTTP, method: str = "GET", body: dict | None = None) -> dict | list:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("opensearch")
    started = run(state, "start", "--nodes", "2", "--heap", "384m")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield state
    finally:
        run(state, "stop", "--clean")


def test_two_nodes_form_one_green_cluster_on_loopback(cluster):
    health = get("/_cluster/health")
    assert (health["status"], health["number_of_nodes"]) == ("green", 2)
    nodes = get("/_nodes/http")["nodes"].values()
    assert sorted(n["http"]["publish_address"] for n in nodes) == [f"127.0.0.1:{HTTP}", f"127.0.0.1:{HTTP + 1}"]
    status = run(cluster, "status")
    assert status.returncode == 0 and "\"status\" : \"green\"" in status.stdout
    assert f"127.0.0.1:{HTTP}" in status.stdout and f"127.0.0.1:{HTTP + 1}" in status.stdout


def test_the_common_analysis_module_is_loaded(cluster):
    analyzed = get("/_analyze", method="POST", body={
        "tokenizer": "standard", "text": "Kooperationsvereinbarung Straße",
        "filter": ["lowercase", {"type": "dictionary_decompounder", "word_list": ["kooperation", "vereinbarung"]},
                   "german_normalization", {"type": "snowball", "language": "German2"}]})
    assert [t["token"] for t in analyzed["tokens"]] == ["kooperationsvereinbar", "kooperation", "vereinbar", "strass"]


def test_with_a_replica_searches_survive_a_killed_node_and_stop_ends_every_process(cluster, tmp_path, monkeypatch):
    # Two master-eligible nodes keep one of them in the voting configuration: the other is the one a
    # two-node cluster can lose and keep its cluster manager (a lost manager needs a third node).
    manager = get("/_cat/cluster_manager?format=json")[0]["node"]
    other = "n2" if manager == "n1" else "n1"
    port = HTTP + int(manager[1:]) - 1  # twinsearch talks to the node that will be left
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_INDEX", "twinsearch-survival")
    monkeypatch.setenv("TWINSEARCH_OPENSEARCH_REPLICAS", "1")
    index_dir = tmp_path / "index"
    records = [{"id": f"h{n}", "lang": "en", "title": f"Harbour report {n}", "date": f"2019-05-{n % 28 + 1:02d}",
                "body": f"The harbour of Bremerhaven handled {n} containers. " * (1 + n % 5)} for n in range(40)]
    indexer.rebuild(source=seeds_with(tmp_path / "source", records), index_dir=index_dir, backend="opensearch")
    get("/_cluster/health?wait_for_status=green&timeout=30s")
    queries = ["harbour Bremerhaven", "Chengdu London", "Finanzen", "containers"]

    def top10() -> list[list[tuple[str, float]]]:
        return [[(h.id, h.score) for h in indexer.search(q, index_dir=index_dir)] for q in queries]

    before = top10()
    assert all(len(hits) >= 2 for hits in before)
    os.kill(int((cluster / other / "pid").read_text()), signal.SIGKILL)
    deadline = time.monotonic() + 60
    while get("/_cluster/health", port)["number_of_nodes"] != 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert get("/_cluster/health", port)["number_of_nodes"] == 1
    assert top10() == before  # every shard had a copy on the node that is left

    survivor = int((cluster / manager / "pid").read_text())
    stopped = run(cluster, "stop")
    assert stopped.returncode == 0 and f"stopped {manager}" in stopped.stdout
    with pytest.raises(ProcessLookupError):
        os.kill(survivor, 0)
    assert run(cluster, "status").returncode == 1
