"""Downloads (CSV, JSONL) and the Atom feed of a search, through the real app, the core and the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import feedparser
import pytest

import indexer
from indexer.search import export
from tests.conftest import ROOT, S000, S001, seeds_with
from web import create_app

FORMULAS = [
    {"id": "formula-eq", "lang": "en", "title": '=HYPERLINK("http://example.invalid","x") London update',
     "body": "London and Chengdu met again to talk about finance.", "source": "+cmd|' /C calc'!A0",
     "place": "@SUM(A1:A2)", "date": "2024-02-01"},
    {"id": "formula-minus", "lang": "en", "title": "-2+3 London figures", "body": "London figures again.",
     "date": "2024-03-01"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exports")
    indexer.rebuild(source=seeds_with(tmp / "source", FORMULAS), index_dir=tmp / "index")
    return tmp / "index"


@pytest.fixture(scope="module")
def client(index):
    return create_app(index).test_client()


def test_csv_export_has_every_result_with_a_header_and_a_bom_for_spreadsheets(client, index):
    total = indexer.search("London", index_dir=index).total
    r = client.get("/export.csv?q=London&sort=newest")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="twinsearch-London.csv"'
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeffid,lang,date,title,source,place,url,twin,score\r\n")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == total == int(r.headers["X-Total-Results"]) == int(r.headers["X-Exported-Results"])
    assert [row["date"] for row in rows if row["date"]] == sorted((row["date"] for row in rows if row["date"]),
                                                                  reverse=True)
    twins = {row["id"]: row["twin"] for row in rows}
    assert twins[S000] == S001 and twins[S001] == S000


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client):
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(
        client.get("/export.csv?q=London").get_data(as_text=True).lstrip("\ufeff")))}
    assert rows["formula-eq"]["title"] == '\'=HYPERLINK("http://example.invalid","x") London update'
    assert rows["formula-eq"]["source"] == "'+cmd|' /C calc'!A0" and rows["formula-eq"]["place"] == "'@SUM(A1:A2)"
    assert rows["formula-minus"]["title"] == "'-2+3 London figures"
    assert float(rows["formula-minus"]["score"]) > 0  # numbers stay numbers


def test_jsonl_export_is_one_release_a_line_with_the_same_fields(client, index):
    r = client.get("/export.jsonl?q=London&lang=de")
    lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert r.mimetype == "application/x-ndjson" and [row["lang"] for row in lines] == ["de"] * len(lines)
    assert len(lines) == indexer.search("London", index_dir=index, lang="de").total
    assert list(lines[0]) == list(export.COLUMNS)


def test_an_export_is_cut_at_its_limit_and_says_so(index):
    found = export.rows("London", index_dir=index, limit=2)
    assert len(found.rows) == 2 and found.total > 2 and found.cut


def test_exports_refuse_what_search_refuses(client):
    assert client.get("/export.csv").status_code == 400
    r = client.get("/export.jsonl?q=AND")
    assert r.status_code == 400 and "has no words to search for" in r.get_json()["error"]


def test_the_feed_is_atom_with_the_newest_releases_first(client):
    r = client.get("/feed.atom?q=London")
    assert r.mimetype == "application/atom+xml"
    feed = feedparser.parse(r.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "twinsearch: London"
    dates = [entry.updated for entry in feed.entries]
    assert [entry.link for entry in feed.entries[:2]] == ["http://localhost/doc/002_d87448fb5db125ea",
                                                         "http://localhost/doc/formula-minus"]
    assert dates[:3] == ["2025-05-12T00:00:00Z", "2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z"]
    assert feed.entries[1].summary.startswith("London figures again")
    assert {entry.id for entry in feed.entries} >= {"http://localhost/doc/" + S000, "http://localhost/doc/" + S001}


def test_the_page_links_its_feed_and_downloads(client):
    html = client.get("/?q=London&sort=newest&page=1&ui=en").get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml" title="twinsearch: London" '
            'href="/feed.atom?q=London&amp;sort=newest">') in html
    assert '>Follow this search (Atom)</a>' in html and 'href="/export.csv?q=London&amp;sort=newest" download' in html
    assert "feed.atom" not in client.get("/?q=Nichtsda").get_data(as_text=True)  # nothing to follow


def test_cli_exports_csv_and_jsonl(index):
    run = [sys.executable, "-m", "indexer", "search", "London", "--index", str(index)]
    done = subprocess.run([*run, "--csv", "--source", "shine"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.splitlines()[1].startswith("004_bb1f38701c24e79a,en,2023-09-25,")
    done = subprocess.run([*run, "--jsonl", "--sort", "oldest"], cwd=ROOT, capture_output=True, text=True)
    assert json.loads(done.stdout.splitlines()[0])["id"] == S000


def test_an_export_holds_what_the_page_shows_also_when_it_searched_the_suggestion_instead(client, index):
    shown = indexer.search("Shangai", index_dir=index)
    assert shown.showing == "shanghai" and shown.total > 0
    text = client.get("/export.csv?q=Shangai").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == [hit.id for hit in shown]
    assert client.get("/export.csv?q=Shangai&exact=1").headers["X-Total-Results"] == "0"
