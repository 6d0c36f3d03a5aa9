"""Ingestion: files of every supported kind to documents with the right metadata, bad files reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.ingest import read_file, scan
from tests.conftest import S000, S001, S002, S003, S004, SEEDS


def read_folder(folder: Path):
    docs, skipped = [], []
    for sf in scan(folder):
        d, s = read_file(sf)
        docs += d
        skipped += s
    return {d.id: d for d in docs}, skipped


@pytest.fixture(scope="module")
def seeds():
    docs, skipped = read_folder(SEEDS)
    assert skipped == []
    return docs


def test_seed_ids_are_file_names_without_suffix(seeds):
    assert sorted(seeds) == [S000, S001, S002, S003, S004]


@pytest.mark.parametrize("doc_id, title, date, place, source", [
    (S001, "Chengdu Hi-tech Zone and Cass Business School Strengthening Cooperation on Financial Professionals",
     "2019-07-09", "Chengdu, China", "PRNewswire"),
    (S002, "Luohu und London: Neue Chancen in Finanzen und Technologie!", "2025-05-12", "Luohu, Shenzhen, China",
     "die-nachrichten.at"),
    (S004, "Shanghai and City of London seek to strengthen financial ties", "2023-09-25", None, "SHINE"),
    (S000, "Am 22. Juni 2019 unterzeichnete Jiaozi Fin-Tech Dreamworks, mit Sitz in der Chengdu Hi-Tech Zone, "
     "eine…", "2019-07", "Chengdu, China", "ots/PRNewswire"),
    (S003, "Shenzhen, China’s tech hub, in an effort to empower its financial markets with enriched "
     "technological resources, has…", None, None, "Global Times"),
])
def test_seed_metadata(seeds, doc_id, title, date, place, source):
    doc = seeds[doc_id]
    assert (doc.title, doc.date, doc.place, doc.source) == (title, date, place, source)


def test_details_block_keeps_the_cited_sources(seeds):
    assert seeds[S002].cited == ["www.ots.at", "www.chinadaily.com.cn", "www.dihk.de"]


def test_editor_line_becomes_metadata(seeds):
    assert (seeds[S004].source, seeds[S004].editor) == ("SHINE", "Xu Fang")


@pytest.mark.parametrize("junk", ["Leave a Reply", "Your email address", "Besuchen Sie uns", "<ul", "Editor:",
                                  "Source", "Quellen", "News / Metro", "**", "/PRNewswire/"])
def test_bodies_carry_no_boilerplate(seeds, junk):
    assert [d.id for d in seeds.values() if junk in d.body] == []


def test_dateline_is_removed_but_the_sentence_kept(seeds):
    assert seeds[S001].body.startswith("On June 22 local time in London, Jiaozi Fin-Tech Dreamworks")
    assert seeds[S000].body.startswith("Am 22. Juni 2019 unterzeichnete Jiaozi Fin-Tech Dreamworks")


def test_ids_of_nested_files_are_slash_separated_relative_paths(tmp_path):
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "report-7.txt").write_text("Titel\n\nEin Text über Märkte.", encoding="utf-8")
    docs, _ = read_folder(tmp_path)
    assert list(docs) == ["de/report-7"]
    assert docs["de/report-7"].path == "de/report-7.txt"


def test_html_drops_tags_scripts_and_decodes_entities(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Site | Page</title><script>var x = 1;</script><style>p{}</style></head><body>"
        "<nav>Home News</nav><h1>Caf&eacute; opens in Berlin</h1><p>BERLIN, Germany, May 2, 2024 /ACME/ &mdash; "
        "The caf&eacute; &amp; bar <b>opened</b> today.</p><p>Second paragraph.</p></body></html>",
        encoding="utf-8")
    doc = read_folder(tmp_path)[0]["page"]
    assert doc.title == "Café opens in Berlin"
    assert doc.body == "The café & bar opened today.\n\nSecond paragraph."
    assert (doc.date, doc.place, doc.source) == ("2024-05-02", "Berlin, Germany", "ACME")


def test_markdown_heading_is_the_title(tmp_path):
    (tmp_path / "note.md").write_text("# Big news\n\nSee [our site](https://example.org) for **more**.\n",
                                      encoding="utf-8")
    doc = read_folder(tmp_path)[0]["note"]
    assert (doc.title, doc.body) == ("Big news", "See our site for more.")


@pytest.mark.parametrize("text, title", [
    ("U.S. Sen.\nElizabeth Warren said on Saturday she would take a hard look at running.\nShe said more.",
     "U.S. Sen. Elizabeth Warren said on Saturday she would take a hard look at running."),
    ("Der Umsatz stieg auf 3,5 Mio. Euro im Jahr 2023.\nDas Ergebnis verdoppelte sich.",
     "Der Umsatz stieg auf 3,5 Mio. Euro im Jahr 2023."),
    ("Gov. Jim Justice opened the new bridge on Monday morning after a long delay. Traffic resumed.",
     "Gov. Jim Justice opened the new bridge on Monday morning after a long delay."),
])
def test_a_release_without_a_title_line_is_titled_by_its_first_whole_sentence(tmp_path, text, title):
    """Titles and amounts with a full stop (`Sen.`, `Mio.`) do not end the sentence that becomes the title."""
    (tmp_path / "r.txt").write_text(text, encoding="utf-8")
    assert read_folder(tmp_path)[0]["r"].title == title


def test_jsonl_lines_become_documents_and_bad_lines_are_reported(tmp_path):
    lines = [
        json.dumps({"id": "a1", "title": "Alpha", "body": "Body one", "lang": "EN", "date": "2020-01-02",
                    "url": "https://example.org/a1", "twin": "b1"}),
        "{not json",
        json.dumps({"title": "no id"}),
        json.dumps({"id": "a2", "body": ""}),
        "",
        json.dumps({"id": "a3", "body": "Body three", "source": "Wire"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    docs, skipped = read_folder(tmp_path)
    assert sorted(docs) == ["a1", "a3"]
    a1 = docs["a1"]
    assert (a1.title, a1.body, a1.lang, a1.date, a1.url, a1.twin) == (
        "Alpha", "Body one", "en", "2020-01-02", "https://example.org/a1", "b1")
    assert [(s.path, s.reason.split(" (")[0]) for s in skipped] == [
        ("feed.jsonl:2", "invalid JSON"),
        ("feed.jsonl:3", "a JSONL release needs an `id`"),
        ("feed.jsonl:4", "a JSONL release needs a `title` or `body`"),
    ]


def test_utf8_bom_is_stripped(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffTitel\n\nStraße und Märkte.".encode())
    assert read_folder(tmp_path)[0]["bom"].title == "Titel"


def test_cp1252_file_is_read_with_a_note(tmp_path, caplog):
    (tmp_path / "old.txt").write_bytes("Überschrift\n\nGrüße aus Köln – „heute“.".encode("cp1252"))
    caplog.set_level("INFO")
    doc = read_folder(tmp_path)[0]["old"]
    assert (doc.title, doc.body) == ("Überschrift", "Grüße aus Köln – „heute“.")
    assert "old.txt: not UTF-8, read as cp1252" in caplog.text


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\n\t\n", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (contains NUL bytes)"),
    ("noise.txt", bytes([0x01, 0x02, 0x03, 0x81, 0x8d, 0x8f, 0x90, 0x9d] * 50),
     "undecodable: neither UTF-8 nor a single-byte text encoding"),
])
def test_bad_files_are_skipped_with_the_reason(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("Fine\n\nA fine release.", encoding="utf-8")
    docs, skipped = read_folder(tmp_path)
    assert list(docs) == ["good"]
    assert [(s.path, s.reason) for s in skipped] == [(name, reason)]


def test_huge_file_is_skipped_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.ingest.MAX_FILE_BYTES", 100)
    (tmp_path / "dump.txt").write_text("x" * 101, encoding="utf-8")
    docs, skipped = read_folder(tmp_path)
    assert docs == {}
    assert skipped[0].reason == "too large (101 bytes; limit 100)"


def test_hidden_and_unsupported_files_are_ignored(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "a.txt").write_text("A\n\nText.", encoding="utf-8")
    assert [sf.relpath for sf in scan(tmp_path)] == ["a.txt"]
