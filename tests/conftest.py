"""Shared fixtures: a real on-disk index of the seed releases, built once per test session."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import indexer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
# The evaluation data sits beside the project (in CI and in the project's workspace), not in the
# repository: a fresh clone has none, and the tests that need it say so instead of failing.
HAS_EVAL = all((SHARED_EVAL / name / "docs").is_dir() for name in ("xquad-dev", "wmt-news-dev"))
needs_eval = pytest.mark.skipif(not HAS_EVAL, reason=f"needs the evaluation data in {SHARED_EVAL}/ "
                                "(CC BY-SA, kept beside the project, not in the repository)")

S000, S001, S002, S003, S004 = (
    "000_5db2e4839f960f52", "001_e333d4c9757654c0", "002_d87448fb5db125ea",
    "003_d2ed9eacfca52036", "004_bb1f38701c24e79a",
)


# The suite tests the defaults: settings in the user's own environment (TWINSEARCH_BACKEND=opensearch, a
# dictionary elsewhere, ...) must not change what it asserts; a test that needs a setting sets it.
for _name in [name for name in os.environ if name.startswith("TWINSEARCH_")]:
    if _name != "TWINSEARCH_TEST_OPENSEARCH_URL":
        del os.environ[_name]

# The OpenSearch backend's tests run against the cluster that `scripts/test.sh` starts (and stops) and names
# here; without one they skip. Every index a test builds with it gets its own index on the cluster.
TEST_OPENSEARCH = os.environ.get("TWINSEARCH_TEST_OPENSEARCH_URL")
if TEST_OPENSEARCH:
    os.environ["TWINSEARCH_OPENSEARCH_URL"] = TEST_OPENSEARCH
    os.environ.setdefault("TWINSEARCH_OPENSEARCH_INDEX", "twinsearch-test")
needs_opensearch = pytest.mark.skipif(not TEST_OPENSEARCH, reason="needs an OpenSearch cluster: run the suite through "
                                      "scripts/test.sh (which starts one where a JDK and Maven are installed), or "
                                      "set TWINSEARCH_TEST_OPENSEARCH_URL")
BACKENDS = ["whoosh", pytest.param("opensearch", marks=needs_opensearch)]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """Each backend in turn: the tests of shared behaviour run on both."""
    return request.param


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, backend) -> Path:
    """The seeds indexed once per backend; tests must not modify it."""
    index_dir = tmp_path_factory.mktemp(f"seed-index-{backend}")
    indexer.rebuild(source=SEEDS, index_dir=index_dir, backend=backend)
    return index_dir


@pytest.fixture(scope="session")
def whoosh_seed_index(tmp_path_factory) -> Path:
    """The seeds indexed once with Whoosh, for tests of the Whoosh backend itself."""
    index_dir = tmp_path_factory.mktemp("seed-index-whoosh-only")
    indexer.rebuild(source=SEEDS, index_dir=index_dir)
    return index_dir


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A private copy of the seed folder that a test may change."""
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    return source


def seeds_with(folder: Path, records: list[dict]) -> Path:
    """A source folder: the seed releases plus `records` as one JSONL file."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder)
    with open(folder / "crafted.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder
