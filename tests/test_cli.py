"""The command line, run as a user runs it: `python -m indexer ...` in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, S000, S001, S002, S003, S004


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    r = cli("rebuild", "--source", ROOT / "seeds", "--index", index_dir)
    assert r.returncode == 0, r.stderr
    assert "5 documents (de: 2, en: 3)" in r.stdout
    return index_dir


def test_search_json_lists_hits_with_all_fields(cli_index):
    r = cli("search", "fintech", "--lang", "en", "--json", "--index", cli_index)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert sorted(h["id"] for h in data["hits"]) == [S001, S003]
    assert set(data["hits"][0]) >= {"id", "lang", "title", "date", "place", "source", "score", "snippet", "twin"}


def test_search_text_output_names_the_hits(cli_index):
    r = cli("search", "Luohu", "--index", cli_index)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("1 result for Luohu (page 1 of 1, ")
    assert "[DE] Luohu und London: Neue Chancen in Finanzen und Technologie!" in r.stdout


def test_show_json_and_unknown_id(cli_index):
    r = cli("show", S002, "--json", "--index", cli_index)
    assert json.loads(r.stdout)["place"] == "Luohu, Shenzhen, China"
    r = cli("show", "nope", "--index", cli_index)
    assert (r.returncode, r.stderr.strip()) == (1, "error: no document with id 'nope' (search for it with "
                                                   "`python -m indexer search`)")


def test_stats_json(cli_index):
    data = json.loads(cli("stats", "--json", "--index", cli_index).stdout)
    assert (data["documents"], data["languages"]) == (5, {"de": 2, "en": 3})


def test_update_reports_unchanged_files(cli_index):
    r = cli("update", "--json", "--index", cli_index)
    assert r.returncode == 0, r.stderr
    assert (json.loads(r.stdout)["unchanged_files"], json.loads(r.stdout)["added"]) == (5, 0)


def test_rebuild_and_update_say_where_their_time_went(tmp_path):
    index = tmp_path / "index"
    r = cli("rebuild", "--source", ROOT / "seeds", "--index", index, "--nice", "0", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert list(report["phases"]) == ["index", "vocabulary", "link", "lexicon"]
    assert 0 < sum(report["phases"].values()) <= report["seconds"]
    peaks = list(report["peak_mb"].values())  # a high-water mark: it never falls from step to step
    assert list(report["peak_mb"]) == list(report["phases"]) and peaks[0] > 20 and peaks == sorted(peaks)
    r = cli("update", "--index", index, "--nice", "0")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^  time by step: load \d+\.\ds, index \d+\.\ds, vocabulary \d+\.\ds, link \d+\.\ds, "
                     r"lexicon \d+\.\ds$", r.stdout, re.M), r.stdout
    assert re.search(r"^  memory high-water mark after each step: load \d+ MB, index \d+ MB, vocabulary \d+ MB, "
                     r"link \d+ MB, lexicon \d+ MB$", r.stdout, re.M), r.stdout


def test_no_index_yet_is_a_user_error_with_the_fix(tmp_path):
    r = cli("search", "x", "--index", tmp_path / "none")
    assert r.returncode == 1
    assert r.stderr.strip() == f"error: no index in {tmp_path / 'none'}/ yet: build one with `python -m indexer " \
                               "rebuild`"


def test_missing_source_is_a_user_error(tmp_path):
    r = cli("rebuild", "--source", tmp_path / "nope", "--index", tmp_path / "index")
    assert (r.returncode, r.stderr.strip()) == (1, f"error: source folder {tmp_path / 'nope'}/ does not exist "
                                                   "or is not a folder")


def test_malformed_query_is_a_user_error(cli_index):
    r = cli("search", ":::", "--index", cli_index)
    assert r.returncode == 1
    assert "has no words to search for" in r.stderr


@pytest.mark.parametrize("args", [[], ["search"], ["frobnicate"], ["search", "x", "--limit", "many"]])
def test_bad_usage_exits_2(args):
    assert cli(*args).returncode == 2


@pytest.mark.parametrize("command", ["rebuild", "update", "search", "show", "stats", "twins"])
def test_every_command_has_help(command):
    r = cli(command, "--help")
    assert r.returncode == 0 and "--index" in r.stdout


def test_index_folder_from_the_environment(cli_index):
    import os

    r = cli("stats", "--json", env={**os.environ, "TWINSEARCH_INDEX": str(cli_index)})
    assert json.loads(r.stdout)["index_dir"] == str(cli_index)


def test_rebuild_takes_the_number_of_workers(tmp_path):
    r = cli("rebuild", "--source", ROOT / "seeds", "--index", tmp_path / "index", "--workers", "2", "--nice", "0",
            "--json")
    assert r.returncode == 0, r.stderr
    assert (json.loads(r.stdout)["workers"], json.loads(r.stdout)["documents"]) == (2, 5)


def test_indexing_lowers_its_cpu_priority():
    code = ("import os; from indexer.cli import _yield_cpu; before = os.nice(0); _yield_cpu(7); "
            "print(os.nice(0) - before)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "7", r.stderr


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="the kernel has no autogroups")
def test_indexing_in_its_own_session_also_lowers_the_session_priority():
    code = "from indexer.cli import _yield_cpu; _yield_cpu(7); print(open('/proc/self/autogroup').read())"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       start_new_session=True)
    assert r.stdout.split()[-2:] == ["nice", "7"], r.stderr


@pytest.mark.parametrize(("name", "value"), [("TWINSEARCH_WRITER_MB", "lots"), ("TWINSEARCH_CACHE_POSTINGS", "0")])
def test_a_bad_tuning_variable_is_named_before_any_work_and_the_index_keeps_serving(tmp_path, cli_index, name,
                                                                                     value):
    def hits() -> list[dict]:
        return json.loads(cli("search", "Luohu", "--json", "--index", cli_index).stdout)["hits"]

    before = hits()
    env = os.environ | {name: value}
    for args in (("rebuild", "--source", ROOT / "seeds", "--index", cli_index), ("update", "--index", cli_index),
                 ("search", "Luohu", "--index", cli_index)):
        r = cli(*args, env=env)
        assert r.returncode == 1, args
        assert r.stderr.strip() == f"error: {name} must be a whole number of at least 1, not {value!r}", args
    assert hits() == before and before


def test_version_names_the_release():
    r = cli("--version")
    assert r.returncode == 0 and re.fullmatch(r"twinsearch \d+\.\d+\.\d+\S*\n", r.stdout)


def test_search_sorts_and_filters_like_the_api(cli_index):
    r = cli("search", "London", "--sort", "newest", "--from", "2019", "--to", "2023", "--json", "--index", cli_index)
    assert r.returncode == 0, r.stderr
    assert [(h["id"], h["date"]) for h in json.loads(r.stdout)["hits"]] == [
        (S004, "2023-09-25"), (S001, "2019-07-09"), (S000, "2019-07")]
    r = cli("search", "London", "--source", "shine", "--json", "--index", cli_index)
    assert [h["id"] for h in json.loads(r.stdout)["hits"]] == [S004]
    r = cli("search", "London", "--sort", "sideways", "--index", cli_index)
    assert r.returncode == 2 and "invalid choice: 'sideways'" in r.stderr


def test_a_page_past_the_last_is_an_error_that_says_how_many_there_are(cli_index):
    r = cli("search", "London", "--page", "9", "--limit", "2", "--index", cli_index)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "error: there is no page 9: the 4 results fill 2 pages\n")


def test_an_operator_only_query_is_one_line_and_exit_1(cli_index):
    r = cli("search", "AND", "--index", cli_index)
    assert r.returncode == 1 and r.stderr.startswith("error: the query 'AND' has no words to search for")
    assert len(r.stderr.splitlines()) == 1


def test_search_shows_facets_on_request(cli_index):
    r = cli("search", "London", "--facets", "--index", cli_index)
    lines = r.stdout.splitlines()
    assert lines[1:4] == ["  tabs:   all (4), de (2), en (2)", "  lang:   de (2), en (2)",
                          "  year:   2019 (2), 2023 (1), 2025 (1)"]
    r = cli("search", "London", "--place", "Luohu", "--json", "--index", cli_index)
    assert [h["id"] for h in json.loads(r.stdout)["hits"]] == [S002]
