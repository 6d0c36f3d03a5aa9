"""Twin links as the index keeps them: made by rebuild, kept up to date by update, seen by every API."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import indexer
from tests.conftest import ROOT, S000, S001, S002, S003, S004


def test_rebuild_links_exactly_the_seed_twins(seed_index):
    links = indexer.twins(index_dir=seed_index)
    assert [(link.de, link.en, link.stated) for link in links] == [(S000, S001, False)]
    assert links[0].score >= 0.9


def test_get_and_hits_carry_the_twin(seed_index):
    assert indexer.get(S000, index_dir=seed_index)["twin"] == S001
    assert indexer.get(S001, index_dir=seed_index)["twin"] == S000
    assert [indexer.get(i, index_dir=seed_index)["twin"] for i in (S002, S003, S004)] == [None, None, None]
    hit = indexer.search("Luohu", index_dir=seed_index).hits[0]
    assert hit.twin is None
    hit = next(h for h in indexer.search('"Cass Business School"', index_dir=seed_index) if h.id == S001)
    assert (hit.twin, hit.twin_lang) == (S000, "de")


def test_update_drops_a_link_when_one_side_goes_and_relinks_when_it_returns(tmp_path, seed_copy):
    index_dir = tmp_path / "index"
    indexer.rebuild(source=seed_copy, index_dir=index_dir)
    english = seed_copy / f"{S001}.txt"
    kept = tmp_path / "kept.txt"
    shutil.move(english, kept)
    indexer.update(index_dir=index_dir)
    assert indexer.twins(index_dir=index_dir) == []
    assert indexer.get(S000, index_dir=index_dir)["twin"] is None
    shutil.move(kept, seed_copy / "late-english.txt")  # a new English release claims the German orphan
    report = indexer.update(index_dir=index_dir)
    assert report.twins == 1
    assert [(link.de, link.en) for link in indexer.twins(index_dir=index_dir)] == [(S000, "late-english")]


def test_stated_twins_win_over_computed_ones(tmp_path, seed_copy):
    (seed_copy / "stated.jsonl").write_text(json.dumps(
        {"id": "de-x", "lang": "de", "title": "Ein Titel", "body": "Ein ganz anderer Text.", "twin": S004}) + "\n",
        encoding="utf-8")
    indexer.rebuild(source=seed_copy, index_dir=tmp_path / "index")
    links = {(link.de, link.en): link for link in indexer.twins(index_dir=tmp_path / "index")}
    assert set(links) == {(S000, S001), ("de-x", S004)}
    assert (links["de-x", S004].stated, links["de-x", S004].score) == (True, 1.0)


def test_min_score_filters_computed_links(seed_index):
    assert indexer.twins(index_dir=seed_index, min_score=1.01) == []


def test_cli_lists_and_explains_links(seed_index):
    run = [sys.executable, "-m", "indexer", "twins", "--index", str(seed_index)]
    listed = json.loads(subprocess.run([*run, "--json"], cwd=ROOT, capture_output=True, text=True).stdout)
    assert [(t["de_id"], t["en_id"]) for t in listed] == [(S000, S001)]
    explained = json.loads(subprocess.run([*run, "--explain", S002, "--json"], cwd=ROOT, capture_output=True,
                                          text=True).stdout)
    assert explained["id"] == S002 and explained["link"] is None
    assert all(c["score"] < explained["min_score"] for c in explained["candidates"])
    text = subprocess.run([*run, "--explain", S000], cwd=ROOT, capture_output=True, text=True).stdout
    assert text.startswith(f"{S000} (de): linked: the best remaining pair for both documents\n")
    assert f"  link: {S000} <-> {S001}  score 0.99" in text and "    shared: facts: " in text
