"""The web app in a real browser: Playwright drives headless Chromium against waitress on 127.0.0.1.

Needs the `playwright` package and a Chromium at /usr/bin/chromium (Debian's `chromium` package;
Playwright's own browser download is not used). Without either, every test here is skipped with
the reason, never silently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import indexer
from tests.conftest import seeds_with
from web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAIR_DE, PAIR_EN = "pair-de", "pair-en"

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # reported by the `browser` fixture as a skip with the reason
    sync_playwright = None


def write_source(folder: Path) -> Path:
    """The seeds, a stated twin pair, and 24 Rotterdam releases (two languages) for a second page."""
    records = [
        {"id": PAIR_DE, "lang": "de", "twin": PAIR_EN, "date": "2021-05-04", "source": "Testdienst",
         "title": "Windpark Nordsee liefert erstmals Strom nach Rotterdam",
         "body": "Der Windpark in der Nordsee liefert seit heute Strom für 40.000 Haushalte in Rotterdam."},
        {"id": PAIR_EN, "lang": "en", "twin": PAIR_DE, "date": "2021-05-04", "source": "Testdienst",
         "title": "North Sea wind farm delivers power to Rotterdam for the first time",
         "body": "The wind farm in the North Sea has been delivering power to 40,000 homes in Rotterdam "
                 "since today."},
    ]
    for n in range(24):
        lang = "de" if n % 2 else "en"
        body = (f"Der Hafen Rotterdam meldet für Quartal {n} mehr Umschlag von Containern und Schüttgut."
                if lang == "de" else
                f"The port of Rotterdam reports more container and bulk throughput in quarter {n}.")
        title = f"Hafenbericht Rotterdam Nr. {n}" if lang == "de" else f"Port of Rotterdam report no. {n}"
        records.append({"id": f"rotterdam-{n:02d}", "lang": lang, "date": f"2020-{n % 12 + 1:02d}-15",
                        "source": "Hafenbericht", "title": title, "body": body})
    seeds_with(folder, records)
    return folder


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    """The app served by waitress in a background thread on a free port of 127.0.0.1."""
    import waitress

    tmp = tmp_path_factory.mktemp("browser")
    index_dir = tmp / "index"
    indexer.rebuild(source=write_source(tmp / "source"), index_dir=index_dir)
    server = waitress.create_server(create_app(index_dir=index_dir), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("playwright is not installed: pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url) -> Iterator[Page]:
    """A fresh English-speaking tab that fails the test on any console error (a CSP violation is one)."""
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
    assert not errors, errors


def search(page: Page, base_url: str, query: str) -> None:
    """Keyboard only: the box has focus on load, typing and Enter search."""
    page.goto(base_url + "/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")


def test_type_a_query_press_enter_see_highlighted_results(page, base_url, tmp_path):
    search(page, base_url, "Finanztechnologie")
    expect(page.locator("ol.results mark").first).to_be_visible()
    expect(page.locator("#q")).to_have_value("Finanztechnologie")
    expect(page.locator(".summary")).to_contain_text("Finanztechnologie")
    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000


def test_follow_a_result_and_its_twin_link(page, base_url):
    search(page, base_url, "Nordsee Windpark")
    result = page.locator("li.result", has=page.locator(f'a[href^="/doc/{PAIR_DE}"]'))
    expect(result).to_have_count(1)
    expect(result.locator(f'a[href^="/doc/{PAIR_EN}"]')).to_be_visible()  # the pair is one result
    result.locator(f'a[href^="/doc/{PAIR_DE}"]').first.click()
    page.wait_for_url(f"**/doc/{PAIR_DE}?q=*")
    expect(page.locator("article.document mark").first).to_be_visible()
    page.get_by_role("link", name="This release in English").click()
    page.wait_for_url(f"**/doc/{PAIR_EN}?q=*")
    expect(page.locator("h1")).to_contain_text("North Sea wind farm")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_language_filter_tabs_and_select(page, base_url):
    search(page, base_url, "Rotterdam")
    page.locator(".lang-tabs").get_by_role("link", name="German").click()
    page.wait_for_url("**lang=de*")
    langs = page.locator("ol.results > li > article.hit").evaluate_all("els => els.map(e => e.lang)")
    assert langs and set(langs) == {"de"}
    expect(page.locator("details.filters")).to_have_attribute("open", "")  # open while a filter is set
    page.select_option("#f-lang", "en")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**lang=en*")
    langs = page.locator("ol.results > li > article.hit").evaluate_all("els => els.map(e => e.lang)")
    assert langs and set(langs) == {"en"}


def test_page_through_results(page, base_url):
    search(page, base_url, "Rotterdam")
    first = page.locator("ol.results .hit-title a").all_inner_texts()
    page.locator(".pager").get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2*")
    expect(page.locator('.pager [aria-current="page"]')).to_have_text("2")
    second = page.locator("ol.results .hit-title a").all_inner_texts()
    assert second and not set(first) & set(second)
    page.locator(".pager").get_by_role("link", name="Previous").click()
    page.wait_for_url("**page=1*")


def test_interface_language_switch(page, base_url):
    page.goto(base_url + "/?q=Rotterdam")
    page.locator(".ui-switch").get_by_role("link", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Suchen")).to_be_visible()
    expect(page.locator("#q")).to_have_value("Rotterdam")
    page.goto(base_url + "/")  # remembered in a cookie
    expect(page.locator("html")).to_have_attribute("lang", "de")


@pytest.mark.parametrize("path", ["/", "/?q=Rotterdam+Windpark", f"/doc/{PAIR_DE}?q=Windpark",
                                  "/doc/002_d87448fb5db125ea?q=Luohu"])
def test_phone_viewport_has_no_horizontal_scroll(browser, base_url, path, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="de-DE")
    tab = context.new_page()
    try:
        tab.goto(base_url + path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        tab.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    finally:
        context.close()


def test_keyboard_only_reaches_results_with_visible_focus(page, base_url):
    search(page, base_url, "Rotterdam")  # the box has focus again; Tab walks on from there
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/doc/"):
            break
    else:
        pytest.fail("Tab never reached a result link")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doc/**")


def test_sort_select_orders_the_results_by_date_without_javascript(browser, base_url):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base_url + "/?q=Rotterdam")
    expect(tab.locator("#f-sort")).to_have_value("relevance")
    tab.select_option("#f-sort", "newest")
    tab.get_by_role("button", name="Search").click()
    tab.wait_for_url("**sort=newest*")
    dates = tab.locator("ol.results > li > article.hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True)
    expect(tab.locator("#f-sort")).to_have_value("newest")  # kept, and kept by the pager's links
    assert "sort=newest" in tab.locator(".pager").get_by_role("link", name="Next").get_attribute("href")
    context.close()


def test_click_a_year_facet_to_narrow_the_results(page, base_url):
    search(page, base_url, "Rotterdam")
    year = page.locator(".facet-year li a").first
    label = year.locator(".value").inner_text()
    count = int(year.locator(".count").inner_text())
    year.click()
    page.wait_for_url(f"**from={label}*")
    expect(page.locator(".summary")).to_contain_text(f"{count} result")
    dates = page.locator("ol.results > li > article.hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates and all(d.startswith(label) for d in dates)
    expect(page.locator(".facet-year [aria-current]")).to_contain_text(label)


def test_download_the_results_as_csv_and_find_the_feed_link(browser, base_url, tmp_path):
    context = browser.new_context(locale="en-US", accept_downloads=True)
    tab = context.new_page()
    tab.goto(base_url + "/?q=Rotterdam&sort=newest")
    with tab.expect_download() as download:
        tab.locator(".exports").get_by_role("link", name="CSV").click()
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "twinsearch-Rotterdam.csv"
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "id,lang,date,title,source,place,url,twin,score" and len(lines) > 20
    feed = tab.locator(".exports").get_by_role("link", name="Follow this search (Atom)")
    assert feed.get_attribute("href") == "/feed.atom?q=Rotterdam&sort=newest"
    assert tab.locator('link[rel="alternate"][type="application/atom+xml"]').count() == 1
    context.close()


def test_follow_a_related_release_from_a_document(page, base_url):
    page.goto(base_url + f"/doc/{PAIR_DE}")
    related = page.locator("section.related li a")
    expect(related.first).to_be_visible()
    hrefs = [a.get_attribute("href") for a in related.all()]
    assert hrefs and f"/doc/{PAIR_EN}" not in hrefs and f"/doc/{PAIR_DE}" not in hrefs  # the twin has its own link
    first = related.first.get_attribute("href")
    related.first.click()
    page.wait_for_url(f"**{first}")
    expect(page.locator("article.document h1")).to_be_visible()


def test_showing_results_for_a_suggestion_and_searching_instead_for_the_typed_words(page, base_url):
    search(page, base_url, "Rotterdan")
    expect(page.locator(".showing")).to_contain_text("Showing results for: rotterdam")
    expect(page.locator("ol.results > li").first).to_be_visible()
    page.locator(".showing").get_by_role("link", name="Rotterdan").click()
    page.wait_for_url("**exact=1*")
    expect(page.locator(".message.empty")).to_be_visible()
    expect(page.locator(".suggestion")).to_contain_text("Did you mean")


def test_on_a_phone_the_results_come_before_the_facets_and_a_link_leads_down(page, base_url):
    page.goto(base_url + "/?q=London")
    wide_results, wide_facets = page.locator("ol.results").bounding_box(), page.locator("#facets").bounding_box()
    assert wide_facets["y"] < wide_results["y"]  # a wide screen shows the facets first
    expect(page.locator(".to-facets")).to_be_hidden()
    page.set_viewport_size({"width": 390, "height": 844})
    results, facets = page.locator("ol.results").bounding_box(), page.locator("#facets").bounding_box()
    assert results["y"] < facets["y"] and results["y"] < 844  # the first result is on the first screen
    page.get_by_role("link", name="Narrow the results ↓").click()
    expect(page).to_have_url(base_url + "/?q=London#facets")
