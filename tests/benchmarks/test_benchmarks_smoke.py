"""The speed benchmarks still run end to end: tiny `--smoke` runs, as CI would start them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import speed

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT.parent / "shared" / "eval" / "xquad-dev" / "questions.jsonl"
ENGINES = {"ours", "whoosh", "fts5"}


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_speed_smoke_run_writes_the_expected_result(tmp_path: Path) -> None:
    before = _results_stamp()
    done = subprocess.run([sys.executable, "-m", "benchmarks.speed", "--smoke", "--work", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout and "targets:" in done.stdout

    [path] = tmp_path.glob("*-speed.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert {"machine", "command", "code", "settings", "sizes"} <= result.keys()
    assert {"cpu", "cores", "python"} <= result["machine"].keys()
    size = result["sizes"]["300"]
    assert {"archive", "rebuild", "queries", "web_warmup", "web", "update", "web_during_update",
            "targets"} <= size.keys()
    assert set(size["rebuild"]) == ENGINES
    assert set(size["queries"]) == ENGINES | {"ours_cold"}
    assert size["queries"]["ours"]["warm"]["postings"] >= 0 and size["queries"]["ours_cold"]["warm"] is None
    for figures in size["rebuild"].values():
        assert figures["documents"] == 300
        assert {"seconds", "docs_per_second", "index_mb", "peak_mb"} <= figures.keys()
    for figures in size["queries"].values():
        assert figures["queries"] == 50
        assert {"p50", "p95", "p99", "with_hits"} <= figures.keys()
    for web in (size["web_warmup"], size["web"], size["web_during_update"]):
        assert web["errors"] == 0 and web["requests"] > 0
    assert size["update"]["added"] == 3 and size["update"]["fraction_of_rebuild"] > 0
    assert list(size["rebuild"]["ours"]["phases"]) == ["index", "vocabulary", "link", "lexicon"]
    assert list(size["update"]["phases"]) == ["load", "index", "vocabulary", "link", "lexicon"]
    assert list(size["rebuild"]["ours"]["peak_mb_by_step"]) == list(size["rebuild"]["ours"]["phases"])
    assert "our rebuild by step: index " in speed.table(300, size)
    assert "our rebuild's main process, memory high-water mark after each step: index " in speed.table(300, size)
    assert all({"target", "pass", "margin_pct"} <= t.keys() for t in size["targets"])
    assert size["server_mb_ready"] > 0 and size["server_mb_after_load"] > 0  # the warmed server's processes
    assert "web server memory" in speed.table(300, size)
    named = {t["target"]: t for t in size["targets"]}
    assert named["web server memory after warm-up < 3 GB"]["value"] == size["server_mb_ready"]
    lexicon = size["rebuild"]["ours"]["phases"]["lexicon"] / size["rebuild"]["ours"]["seconds"] * 100
    assert named["lexicon step < 5% of the rebuild"]["value"] == pytest.approx(lexicon, abs=1e-3)
    assert not any(t["applies"] for t in size["targets"])  # every target is set at 100,000 or 1,000,000
    assert _results_stamp() == before, "a smoke run must not overwrite benchmarks/results/"

    skipped = size | {"web_during_update": None}  # as a size above --load-during-update-up-to
    skipped["targets"] = speed.evaluate(300, skipped)
    [during] = [t for t in skipped["targets"] if t["target"].startswith("web >= 100 req/s during update")]
    assert (during["pass"], during["note"]) == (None, "not measured")
    assert "web during update     not measured at this size" in speed.table(300, skipped)


def _results_stamp() -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (ROOT / "benchmarks" / "results").glob("*-speed.json")}


def test_build_memory_run_files_the_peak_under_every_step_and_part_of_linking(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.build_memory", "--smoke", "--archive", str(ROOT / "seeds"),
                           "--work", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout and "within each step" in done.stdout
    [path] = tmp_path.glob("*-build_memory.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert (result["documents"], result["twins"]) == (5, 1)
    peaks = result["peak_mb_by_step"]
    assert list(peaks) == ["outside the steps", "index", "vocabulary", "link", "link: reordering the signal table",
                           "link: linker", "lexicon"]
    assert all(mb > 20 for mb in peaks.values()) and result["high_water_mb"] >= max(peaks.values())


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_build_phases_smoke_run_accounts_for_every_phase(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.build_phases", "--smoke", "--work", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout and "stock Whoosh" in done.stdout
    [path] = tmp_path.glob("*-build_phases.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["documents"] == 100
    assert set(result["ms_per_doc"]) == {"read", "detect", "fields", "add_document", "signals", "words",
                                         "write_segment"}
    assert result["ours_ms_per_doc"] == pytest.approx(sum(result["ms_per_doc"].values()), abs=1e-3)
    assert result["stock_ms_per_doc"] > 0


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_matchers_benchmark_times_both_rankings_on_the_same_queries(whoosh_seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "matchers.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.matchers", "--index", str(whoosh_seed_index),
                           "--queries", "5", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert (result["questions"], result["releases"], result["segments"]) == (5, 5, 1)
    assert result["same_top10"] == 5  # one segment: the same documents and scores
    assert result["arrays_ms"]["p50"] > 0 and result["whoosh_matchers_ms"]["p50"] > 0


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_facets_benchmark_times_searches_and_their_facet_counting(whoosh_seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "facets.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.facets", "--index", str(whoosh_seed_index),
                           "--queries", "5", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert (result["queries"], result["releases"]) == (5, 5)
    assert 0 < result["facets_ms"]["p50"] < result["search_ms"]["p50"]
    assert "facets are" in done.stdout


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_lexicon_benchmark_reports_judged_precision_and_name_searches(tmp_path: Path) -> None:
    out = tmp_path / "lexicon.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.lexicon", "--work", str(tmp_path / "work"), "--names",
                           "20", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    samples = result["precision"]["samples"]
    assert [samples[name]["pairs"] for name in ("before", "aligned", "as-written")] == [100, 100, 100]
    assert result["precision"]["still_learned"] > 0 and result["learned_pairs"] > 0
    assert result["name_searches"]["names"] == 20 and result["name_searches"]["hits"] > 0


def test_fuzz_benchmark_counts_no_undocumented_exception_and_no_5xx(whoosh_seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "fuzz.json"
    with socket.socket() as s:  # a free port for the server it starts
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = subprocess.run([sys.executable, "-m", "benchmarks.fuzz", "--index", str(whoosh_seed_index), "--calls", "300",
                           "--requests", "100", "--port", str(port), "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert (result["api"]["calls"], result["api"]["undocumented"]) == (300, 0)
    assert result["web"]["requests"] == 100 and result["web"]["server_errors"] == 0
    assert result["web"]["expensive_ms"]["*"][0] == 400 and result["web"]["expensive_ms"]["body:*"][0] == 200


@pytest.mark.skipif(not QUESTIONS.exists(), reason="needs the dev data in ../shared/eval")
def test_quality_smoke_run_scores_both_tasks_for_three_engines_and_losses_read_it(tmp_path: Path) -> None:
    work = tmp_path / "quality"
    done = subprocess.run([sys.executable, "-m", "benchmarks.quality", "--smoke", "--work", str(work)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((work / "quality.json").read_text(encoding="utf-8"))
    for task in ("results", "headlines"):
        assert set(result[task]) == {"twinsearch", "stock whoosh", "fts5"}
        for engine in result[task].values():
            assert len(engine) == 6 and all(0 <= r["mrr@10"] <= 1 and len(r["mrr@10 by half"]) == 2
                                            for r in engine.values())
    assert result["headlines"]["twinsearch"]["en->en"]["questions"] == 62
    headlines = result["headlines"]
    assert headlines["twinsearch"]["en->de"]["mrr@10"] > headlines["stock whoosh"]["en->de"]["mrr@10"]
    losses = subprocess.run([sys.executable, "-m", "benchmarks.losses", "--work", str(work)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert losses.returncode == 0, losses.stderr[-3000:]
    assert len(losses.stdout.splitlines()) == 8 and "headlines en->en vs fts5" in losses.stdout


def test_tune_fits_each_weight_on_one_half_and_breaks_ties_toward_the_middle_value() -> None:
    from benchmarks import tune

    class Evaluator:  # half 1 is best at k1=0.9, half 2 at k1=1.6; b makes no difference
        def many(self, settings: list[dict]) -> list[dict]:
            return [{"task": [-(s["k1"] - 0.9) ** 2, -(s["k1"] - 1.6) ** 2]} for s in settings]

    grid = {"k1": (0.6, 0.9, 1.2, 1.6), "b": (0.4, 0.75, 0.9)}
    base = {"k1": 1.2, "b": 0.4}
    assert tune.fit(Evaluator(), grid, base, 0) == {"k1": 0.9, "b": 0.75}
    assert tune.fit(Evaluator(), grid, base, 1) == {"k1": 1.6, "b": 0.75}
