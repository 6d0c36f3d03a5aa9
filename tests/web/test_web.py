"""The web app through Flask's test client, on a real index of the seeds plus a few crafted releases.

The crafted ones: a hostile release (markup in title and body that must stay inert text), a
release whose id contains a slash, a stated German/English twin pair, and enough generated
releases for a second page of results.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

import indexer
from tests.conftest import ROOT, S000, S002, seeds_with
from web import create_app
from web.params import API_MAX_LIMIT, MAX_QUERY_CHARS

HOSTILE = {
    "id": "hostile", "lang": "en", "title": "Hostile <script>alert(1)</script> release",
    "body": "The hostile text says \"><img src=x onerror=alert(1)> and continues about the market, finance "
            "and cooperation in London.",
}
PAIR_DE, PAIR_EN = "pair-de", "pair-en"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


def write_source(folder: Path, generated: int = 14) -> Path:
    """Seeds, the hostile release, a stated twin pair, a slash id, and `generated` Rotterdam releases."""
    records = [
        HOSTILE,
        {"id": PAIR_DE, "lang": "de", "twin": PAIR_EN, "date": "2021-05-04", "source": "Testdienst",
         "title": "Windpark Nordsee liefert erstmals Strom",
         "body": "Der Windpark in der Nordsee liefert seit heute Strom für 40.000 Haushalte in Bremerhaven."},
        {"id": PAIR_EN, "lang": "en", "twin": PAIR_DE, "date": "2021-05-04", "source": "Testdienst",
         "title": "North Sea wind farm delivers power for the first time",
         "body": "The wind farm in the North Sea has been delivering power to 40,000 homes in Bremerhaven "
                 "since today."},
    ]
    for n in range(generated):
        lang = "de" if n % 3 == 0 else "en"
        body = (f"Der Hafen Rotterdam meldet für Quartal {n} mehr Umschlag von Containern."
                if lang == "de" else
                f"The port of Rotterdam reports more container throughput in quarter {n}.")
        records.append({"id": f"rotterdam-{n:02d}", "lang": lang, "date": f"2020-03-{n + 1:02d}",
                        "source": "Hafenbericht", "title": f"Rotterdam {n}", "body": body})
    seeds_with(folder, records)
    (folder / "press").mkdir(exist_ok=True)
    (folder / "press" / "report-7.txt").write_text(
        "Slash id report about Gezeitenkraftwerke\n\nBerlin (ots) - Ein Bericht über Gezeitenkraftwerke "
        "und Meeresenergie an der Küste.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def web_index(tmp_path_factory, backend) -> Path:
    base = tmp_path_factory.mktemp(f"web-{backend}")
    index_dir = base / "index"
    indexer.rebuild(source=write_source(base / "source"), index_dir=index_dir, backend=backend)
    return index_dir


@pytest.fixture(scope="session")
def app(web_index):
    app = create_app(index_dir=web_index)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_client(tmp_path):
    return create_app(index_dir=tmp_path / "no-index-here").test_client()


def page(client, url: str, **headers) -> tuple[int, str]:
    response = client.get(url, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def result_items(html: str) -> list[str]:
    """The HTML of each result (one <li> each) on a search page."""
    return re.findall(r'<li class="result[^"]*">(.*?)</li>', html, re.S)


# --- search page -----------------------------------------------------------------------------------


def test_home_page_is_an_empty_state_with_a_focused_labelled_box(client):
    status, html = page(client, "/", **{"Accept-Language": "en"})
    assert status == 200
    assert re.search(r'<label[^>]+for="q"', html)
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', html)
    assert "Search" in html and "press releases" in html
    assert 'role="search"' in html


def test_search_page_shows_ranked_highlighted_results_linking_with_the_query(client):
    status, html = page(client, "/?q=Finanztechnologie")
    assert status == 200
    assert 'value="Finanztechnologie"' in html  # the box keeps the query
    assert re.search(r"<mark>Finanztechnologie", html)
    assert f'href="/doc/{S000}?q=Finanztechnologie"' in html
    assert re.search(r'class="badge badge-de"[^>]*>DE<', html)
    assert re.search(r"\d+ (results?|Treffer) ", html) and " ms)" in html
    assert "Chengdu" in html  # the place


def test_results_carry_date_and_source(client):
    _, html = page(client, "/?q=Windpark")
    assert '<time datetime="2021-05-04">' in html
    assert "Testdienst" in html


def test_no_results_shows_tips(client):
    status, html = page(client, "/?q=xylophonquartett", **{"Accept-Language": "en"})
    assert status == 200
    assert "No results for" in html and "Tips" in html and "<ul class=\"tips\">" in html


def test_suggestion_is_a_link(client, web_index):
    expected = indexer.search("Shangai", index_dir=web_index, exact=True).suggestion
    assert expected  # the core offers one for this misspelling
    _, html = page(client, "/?q=Shangai&exact=1")
    assert f'href="/?q={expected}"' in html


@pytest.mark.parametrize("query", ['"unbalanced', "title:", "AND", "OR NOT", "*", "((", "a:b:c", "[1 TO",
                                   "%00%ff", "\u202e\u0000x"])
def test_malformed_queries_answer_readably(client, query):
    status, html = page(client, "/?q=" + quote(query, safe="%"))
    assert status in (200, 400)
    if status == 400:
        assert 'class="message error"' in html


def test_query_that_cannot_be_degraded_shows_the_core_message(client):
    status, html = page(client, "/?q=...", **{"Accept-Language": "en"})
    assert status == 400
    assert "cannot be understood" in html


@pytest.mark.parametrize("url, notice", [
    ("/?q=Rotterdam&page=-1", "There is no page -1"),
    ("/?q=Rotterdam&page=1000000000", "There is no page 1000000000"),
    ("/?q=Rotterdam&page=abc", None),
    ("/?q=Rotterdam&page=99", "There is no page 99; showing page 2"),
    ("/?q=Rotterdam&lang=xx", "Unknown language"),
    ("/?q=Rotterdam&from=2020-13-45", "is not a date"),
    ("/?q=Rotterdam&to=yesterday", "is not a date"),
    ("/?q=Rotterdam&source=" + "s" * 300, "source was too long"),
    ("/?q=" + "a" * 20000, f"shortened to {MAX_QUERY_CHARS} characters"),
    ("/?q=%00Rotterdam%00", None),
])
def test_out_of_range_page_parameters_are_clamped_with_a_notice(client, url, notice):
    status, html = page(client, url, **{"Accept-Language": "en"})
    assert status == 200
    if notice:
        assert notice in html
    assert html.count('class="notice"') == (1 if notice else 0)
    assert "\x00" not in html


def test_pagination_links_keep_the_query_and_filters(client):
    _, first = page(client, "/?q=Rotterdam&source=Hafenbericht")
    assert 'aria-label="Pages"' in first or 'aria-label="Seiten"' in first
    assert 'href="/?q=Rotterdam&amp;source=Hafenbericht&amp;page=2" rel="next"' in first
    status, second = page(client, "/?q=Rotterdam&source=Hafenbericht&page=2")
    assert status == 200
    assert '<span aria-current="page">2</span>' in second
    assert 'rel="prev"' in second
    first_ids = set(re.findall(r'href="/doc/(rotterdam-\d+)\?', first))
    second_ids = set(re.findall(r'href="/doc/(rotterdam-\d+)\?', second))
    assert second_ids and not first_ids & second_ids


def test_language_filter(client):
    _, html = page(client, "/?q=Rotterdam&lang=de")
    langs = re.findall(r'<article class="hit" lang="(\w+)"', html)
    assert langs and set(langs) == {"de"}
    assert '<option value="de" selected>' in html


def test_date_filter(client):
    _, html = page(client, "/?q=Rotterdam&from=2020-03-10&to=2020-03-12")
    ids = set(re.findall(r'href="/doc/(rotterdam-\d+)\?', html))
    assert ids == {"rotterdam-09", "rotterdam-10", "rotterdam-11"}


def test_source_filter(client):
    _, html = page(client, "/?q=Bremerhaven&source=Hafenbericht")
    assert PAIR_EN not in html
    _, html = page(client, "/?q=Bremerhaven&source=Testdienst")
    assert PAIR_EN in html


# --- twins -----------------------------------------------------------------------------------------


def test_a_twin_found_only_through_translation_shares_its_partners_card(client):
    _, html = page(client, "/?q=Nordsee", **{"Accept-Language": "en"})
    items = [item for item in result_items(html) if PAIR_DE in item or PAIR_EN in item]
    assert len(items) == 1
    item = items[0]
    assert f'href="/doc/{PAIR_DE}?q=Nordsee"' in item and f'href="/doc/{PAIR_EN}?q=Nordsee"' in item
    assert "Also in English" in item
    assert "1 result for" in html


def test_twins_that_both_contain_the_words_get_a_card_each_linked_to_the_other(client):
    _, html = page(client, "/?q=Bremerhaven", **{"Accept-Language": "en"})
    items = [item for item in result_items(html) if PAIR_DE in item or PAIR_EN in item]
    assert len(items) == 2
    assert all(f'href="/doc/{PAIR_DE}?q=Bremerhaven"' in item and f'href="/doc/{PAIR_EN}?q=Bremerhaven"' in item
               for item in items)
    assert "2 results for" in html


def test_language_tabs_show_what_each_tab_would_count(client):
    _, html = page(client, "/?q=Nordsee", **{"Accept-Language": "en"})
    tabs = re.search(r'<nav class="lang-tabs".*?</nav>', html, re.S).group(0)
    counts = re.findall(r'>\s*(All languages|German|English) <span class="tab-count">(\d+)</span>', tabs)
    assert counts == [("All languages", "1"), ("German", "1"), ("English", "1")]


def test_twin_label_follows_the_interface_language(client):
    _, html = page(client, "/?q=Windpark&lang=de", **{"Accept-Language": "de"})
    assert "Auch auf Englisch" in html
    assert f'href="/doc/{PAIR_EN}?q=Windpark"' in html


def test_seed_twins_show_a_link_whenever_the_core_links_them(client, web_index):
    results = indexer.search("Cass Business School", index_dir=web_index)
    _, html = page(client, "/?q=Cass+Business+School")
    items = result_items(html)
    shown = [re.findall(r'href="/doc/([^"?]+)\?', item) for item in items]
    for hit in results:
        if hit.twin:
            owner = [links for links in shown if hit.id in links]
            assert owner, f"{hit.id} is not on the page"
            assert hit.twin in owner[0], f"{hit.id}'s twin {hit.twin} is not linked from its result"
    assert len(items) == results.total == len(results.hits)


# --- document page ---------------------------------------------------------------------------------


def test_document_page_highlights_the_query_and_links_the_twin(client):
    status, html = page(client, f"/doc/{PAIR_DE}?q=Nordsee", **{"Accept-Language": "en"})
    assert status == 200
    assert "<mark>Nordsee</mark>" in html
    assert f'href="/doc/{PAIR_EN}?q=Nordsee"' in html
    assert "This release in English" in html
    assert "Back to the results" in html


def test_document_page_without_query_has_no_marks(client):
    status, html = page(client, f"/doc/{S000}")
    assert status == 200 and "<mark>" not in html
    assert "Jiaozi Fin-Tech Dreamworks" in html


def test_document_id_with_a_slash(client):
    status, html = page(client, "/doc/press/report-7?q=Gezeitenkraftwerke")
    assert status == 200 and "<mark>" in html
    response = client.get("/api/doc/press/report-7")
    assert response.status_code == 200 and response.get_json()["id"] == "press/report-7"


def test_seed_002_html_fragment_never_becomes_markup(client):
    status, html = page(client, f"/doc/{S002}")
    assert status == 200
    assert "<ul style" not in html and "<ul " not in html.replace('<ul class="tips">', "")
    _, html = page(client, "/?q=Quellen+chinadaily")
    assert "<ul style" not in html


def test_unknown_document_is_a_404_page(client):
    status, html = page(client, "/doc/does-not-exist", **{"Accept-Language": "en"})
    assert status == 404
    assert "Not found" in html and "does-not-exist" in html


def test_unknown_route_is_a_404_page(client):
    status, html = page(client, "/nothing/here")
    assert status == 404 and "<html" in html


# --- hostile content -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/?q=hostile", "/doc/hostile", "/doc/hostile?q=hostile+script"])
def test_hostile_document_is_shown_as_inert_text(client, url):
    status, html = page(client, url)
    assert status == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror=alert(1)" in html  # shown, as text


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
                                   "hostlie <script>alert(1)</script>"])
def test_hostile_query_is_echoed_as_text(client, query):
    status, html = page(client, "/?q=" + quote(query))
    assert status < 500
    assert "<script" not in html and "<img" not in html
    assert "alert(1)" in html


def test_api_carries_hostile_strings_raw_but_snippets_inert(client):
    data = client.get("/api/search?q=hostile").get_json()
    hit = next(h for h in data["hits"] if h["id"] == "hostile")
    assert hit["title"] == HOSTILE["title"]
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "&lt;img" in hit["snippet"]
    doc = client.get("/api/doc/hostile").get_json()
    assert doc["title"] == HOSTILE["title"] and doc["body"] == HOSTILE["body"]


# --- JSON API --------------------------------------------------------------------------------------


def test_api_search_shape(client):
    response = client.get("/api/search?q=Luohu")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert {"hits", "total", "page", "pages", "limit", "suggestion", "elapsed_ms"} <= data.keys()
    assert data["hits"][0]["id"] == S002
    assert {"id", "lang", "title", "date", "place", "source", "score", "snippet", "twin", "twin_title",
            "twin_lang"} <= data["hits"][0].keys()
    assert "<mark>" in data["hits"][0]["snippet"]


def test_api_search_paging_and_twins(client):
    data = client.get("/api/search?q=Rotterdam&limit=5&page=2").get_json()
    assert (data["page"], data["limit"], len(data["hits"])) == (2, 5, 5)
    pair = client.get("/api/search?q=Windpark").get_json()["hits"][0]
    assert (pair["id"], pair["twin"], pair["twin_lang"]) == (PAIR_DE, PAIR_EN, "en")


def test_api_counts_cards_and_nests_the_twin_that_shares_one(client):
    data = client.get("/api/search?q=Nordsee").get_json()
    assert (data["total"], len(data["hits"]), data["tabs"]) == (1, 1, {"": 1, "de": 1, "en": 1})
    assert (data["hits"][0]["id"], data["hits"][0]["twin_hit"]["id"]) == (PAIR_DE, PAIR_EN)


def test_api_limit_is_capped(client):
    data = client.get("/api/search?q=Rotterdam&limit=1000000").get_json()
    assert data["limit"] == API_MAX_LIMIT


@pytest.mark.parametrize("query", ["q=x&page=-1", "q=x&page=1000000000", "q=x&page=abc", "q=x&lang=xx",
                                   "q=x&limit=0", "q=x&limit=ten", "q=", "", "q=x&from=2020-02-30",
                                   "q=" + "a" * 20000, "q=..."])
def test_api_bad_parameters_are_400_json(client, query):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    data = response.get_json()
    assert data["status"] == 400 and data["error"]


def test_api_document(client):
    response = client.get(f"/api/doc/{S000}")
    assert response.status_code == 200
    data = response.get_json()
    assert {"id", "lang", "title", "body", "date", "place", "source", "cited", "url", "path", "twin"} <= data.keys()
    assert data["id"] == S000 and data["lang"] == "de"


def test_api_unknown_document_is_404_json(client):
    response = client.get("/api/doc/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_api_unknown_route_is_404_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.get_json()["error"]


# --- health and missing index ----------------------------------------------------------------------


def test_healthz(client, web_index):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["index_exists"] is True
    assert data["documents"] == indexer.status(web_index)["documents"] > 20
    assert data["age_seconds"] is not None and data["age_seconds"] >= 0


def test_without_an_index_everything_says_how_to_build_one(empty_client):
    response = empty_client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["index_exists"] is False
    status, html = page(empty_client, "/?q=anything")
    assert status == 503 and "python -m indexer rebuild" in html
    status, html = page(empty_client, "/")
    assert status == 503 and "python -m indexer rebuild" in html
    response = empty_client.get("/api/search?q=anything")
    assert response.status_code == 503 and "python -m indexer rebuild" in response.get_json()["error"]
    assert empty_client.get("/api/doc/x").status_code == 503
    assert empty_client.get("/doc/x").status_code == 503


def test_missing_index_is_logged_at_start(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="web"):
        create_app(index_dir=tmp_path / "nothing")
    assert "python -m indexer rebuild" in caplog.text


# --- headers and interface language ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=Chengdu", f"/doc/{S000}", "/doc/nope", "/api/search?q=x",
                                 "/api/search?page=abc", "/healthz", "/static/style.css"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), f"{name} missing on {url}"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client):
    for url in ["/", "/?q=Chengdu", f"/doc/{S000}?q=Chengdu", "/doc/nope"]:
        _, html = page(client, url)
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert "http://" not in html.split("</head>")[0] and "https://" not in html.split("</head>")[0]


@pytest.mark.parametrize("accept, lang, word", [("de-DE,de;q=0.9,en;q=0.5", "de", "Suchen"),
                                                 ("en-GB,en;q=0.8", "en", "Search"),
                                                 ("fr-FR,fr;q=0.9", "en", "Search"),
                                                 ("fr;q=0.9,de;q=0.8", "de", "Suchen")])
def test_interface_follows_accept_language(client, accept, lang, word):
    _, html = page(client, "/", **{"Accept-Language": accept})
    assert f'<html lang="{lang}">' in html
    assert f">{word}</button>" in html


def test_ui_switch_is_remembered_in_a_cookie(app):
    client = app.test_client()
    response = client.get("/?q=Chengdu&ui=de", headers={"Accept-Language": "en"})
    assert '<html lang="de">' in response.get_data(as_text=True)
    assert "ui=de" in response.headers["Set-Cookie"]
    html = client.get("/?q=Chengdu", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html
    assert 'href="/?q=Chengdu&amp;ui=en"' in html  # the switch back keeps the query
    html = client.get("/?ui=xx", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html  # an unknown choice is ignored, the cookie still holds


def test_static_css_is_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and "mark" in response.get_data(as_text=True)


def test_cli_help():
    from web.__main__ import parse_args

    with pytest.raises(SystemExit) as exc:
        parse_args(["--help"])
    assert exc.value.code == 0


def test_cli_reads_the_environment(monkeypatch):
    from web.__main__ import parse_args

    monkeypatch.setenv("TWINSEARCH_HOST", "0.0.0.0")
    monkeypatch.setenv("TWINSEARCH_PORT", "9123")
    monkeypatch.setenv("TWINSEARCH_INDEX", "/srv/idx")
    args = parse_args([])
    assert (args.host, args.port, args.index) == ("0.0.0.0", 9123, "/srv/idx")
    assert parse_args(["--port", "81", "--index", "x"]).port == 81


def test_python_m_web_serves_from_several_processes_and_stops_them_all(whoosh_seed_index):
    """The production entry point: warm-up, two forked waitress processes on one port, clean stop."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "web", "--port", str(port), "--index", str(whoosh_seed_index),
                               "--processes", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=Luohu", timeout=5) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        assert [h["id"] for h in body["hits"]] == [S002]
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "warmed gen-" in err and "2 server processes" in err
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]


def test_python_m_web_refuses_to_start_with_a_bad_tuning_variable(whoosh_seed_index):
    done = subprocess.run([sys.executable, "-m", "web", "--port", "0", "--index", str(whoosh_seed_index)], cwd=ROOT,
                          env=os.environ | {"TWINSEARCH_CACHE_POSTINGS": "many"}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: TWINSEARCH_CACHE_POSTINGS must be a whole number of at least 1, not 'many'"


def test_api_sorts_by_date_and_refuses_an_unknown_order(client):
    hits = client.get("/api/search?q=Rotterdam&sort=newest&limit=20").get_json()["hits"]
    dates = [h["date"] for h in hits if h["date"]]
    assert len(dates) > 5 and dates == sorted(dates, reverse=True)
    bad = client.get("/api/search?q=Rotterdam&sort=sideways")
    assert bad.status_code == 400
    assert "parameter sort must be one of: relevance, newest, oldest" in bad.get_json()["error"]


def test_page_has_a_sort_select_that_keeps_its_choice(client):
    _, html = page(client, "/?q=Rotterdam&sort=oldest")
    assert '<select id="f-sort" name="sort">' in html and '<option value="oldest" selected>' in html
    _, html = page(client, "/?q=Rotterdam&sort=bogus")  # the page is lenient: the default order
    assert '<option value="relevance" selected>' in html


def test_facets_are_in_the_api_and_narrow_the_search_on_the_page(client):
    data = client.get("/api/search?q=Rotterdam").get_json()
    assert set(data["facets"]) == {"lang", "year", "source", "place"}
    assert sum(n for _, n in data["facets"]["lang"]) == data["total"]
    _, html = page(client, "/?q=Rotterdam&ui=en")
    assert '<section class="facets" id="facets" aria-label="Results by">' in html and "<meter " in html
    assert '<a href="#facets">Narrow the results ↓</a>' in html  # on a phone the facets follow the results
    year, count = data["facets"]["year"][0]
    assert f'href="/?q=Rotterdam&amp;from={year}&amp;to={year}"' in html
    narrowed = client.get(f"/api/search?q=Rotterdam&from={year}&to={year}").get_json()
    assert narrowed["total"] == count
    _, html = page(client, f"/?q=Rotterdam&from={year}&to={year}&ui=en")
    assert '<span aria-current="true"><span class="value">' + year in html and 'class="remove"' in html


def test_the_document_page_and_the_api_list_related_releases(client):
    data = client.get(f"/api/related/{S000}").get_json()
    ids = [hit["id"] for hit in data["related"]]
    assert data["id"] == S000 and 0 < len(ids) <= 5 and S000 not in ids
    assert client.get("/api/related/nope").status_code == 404
    _, html = page(client, f"/doc/{S000}?ui=en")
    assert '<h2 id="related-heading">Related releases</h2>' in html
    assert f'<a href="/doc/{ids[0]}">' in html


def test_a_page_that_found_nothing_shows_the_suggestions_results_and_offers_the_typed_query(client):
    _, html = page(client, "/?q=Shangai&ui=en")
    assert "Showing results for: <strong>shanghai</strong>" in html
    assert 'Search instead for: <a href="/?q=Shangai&amp;exact=1" rel="nofollow">Shangai</a>' in html
    assert '<ol class="results"' in html
    _, html = page(client, "/?q=Shangai&exact=1&ui=en")
    assert "Showing results for" not in html and 'Did you mean:' in html and 'href="/?q=shanghai"' in html
    assert client.get("/api/search?q=Shangai").get_json()["showing"] == "shanghai"
    assert client.get("/api/search?q=Shangai&exact=1").get_json()["total"] == 0


def test_a_busy_port_is_one_line_before_any_work(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "web", "--port", str(port), "--check"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    free = subprocess.run([sys.executable, "-m", "web", "--port", str(port), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert (free.returncode, free.stderr) == (0, "")
