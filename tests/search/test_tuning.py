"""The ranking's switches in `indexer.tuning`, on real indexes: each does what it says when turned on, and
the defaults hold outside a `tuning.use` block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import indexer
from indexer import tuning

FILLER = "The committee met on Tuesday and the meeting lasted until the evening without any decision."


def build(tmp_path: Path, records: list[dict], monkeypatch) -> Path:
    monkeypatch.setenv("TWINSEARCH_DICTIONARY", str(tmp_path / "no-dictionary"))  # words only as typed
    source = tmp_path / "source"
    source.mkdir()
    (source / "archive.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                          encoding="utf-8")
    index_dir = tmp_path / "index"
    indexer.rebuild(source=source, index_dir=index_dir)
    return index_dir


def ids(query: str, index_dir: Path, **kwargs) -> list[str]:
    return [h.id for h in indexer.search(query, index_dir=index_dir, **kwargs)]


def test_a_block_changes_the_weights_and_the_defaults_come_back():
    before = tuning.current()
    with tuning.use(k1=2.0, proximity=0.5) as inside:
        assert (tuning.current(), inside.k1, inside.proximity, inside.b) == (inside, 2.0, 0.5, before.b)
    assert tuning.current() == before == tuning.Tuning()


def test_bm25_parameters_are_read_when_a_search_runs(tmp_path, monkeypatch):
    index_dir = build(tmp_path, [
        {"id": "once", "lang": "en", "title": "Note", "body": f"Harbour. {FILLER}"},
        {"id": "often", "lang": "en", "title": "Note", "body": f"Harbour harbour harbour harbour. {FILLER} {FILLER}"},
    ], monkeypatch)
    default = {h.id: h.score for h in indexer.search("harbour", index_dir=index_dir)}
    with tuning.use(k1=0.0):  # no term frequency at all: only the length normalization is gone too
        flat = {h.id: h.score for h in indexer.search("harbour", index_dir=index_dir)}
    assert default["often"] > default["once"]
    assert flat["often"] == pytest.approx(flat["once"])


@pytest.fixture
def near_and_far(tmp_path, monkeypatch) -> Path:
    """Two releases with the same words, equally often, in texts of the same length: in one `summer` and
    `theatre` stand together, in the other far apart."""
    return build(tmp_path, [
        {"id": "far", "lang": "en", "title": "Notes",
         "body": f"The summer came early. {FILLER} The old theatre reopened."},  # the same words as `near`
        {"id": "near", "lang": "en", "title": "Notes",
         "body": f"The summer theatre reopened. {FILLER} The old came early."},
    ], monkeypatch)


def test_without_proximity_word_order_does_not_count(near_and_far):
    with tuning.use(proximity=0.0):
        hits = indexer.search("summer theatre", index_dir=near_and_far).hits
    assert [h.id for h in hits] == ["far", "near"]  # equal scores: document order
    assert hits[0].score == hits[1].score


def test_proximity_ranks_words_that_stand_together_first(near_and_far):
    with tuning.use(proximity=0.25):
        hits = indexer.search("summer theatre", index_dir=near_and_far).hits
    assert [h.id for h in hits] == ["near", "far"]
    assert hits[0].score == pytest.approx(hits[1].score * 1.25, rel=1e-3)  # scores are rounded


@pytest.fixture
def regatta(tmp_path, monkeypatch) -> Path:
    return build(tmp_path, [
        {"id": "harbour", "lang": "en", "title": "Harbour festival", "body": "The harbour festival opens with a "
         "regatta of sailing boats and a fireworks display."},
        {"id": "regatta", "lang": "en", "title": "Boats", "body": "Sailing boats gathered for the regatta."},
        {"id": "other", "lang": "en", "title": "Budget", "body": FILLER},
    ], monkeypatch)


def test_pseudo_relevance_feedback_finds_releases_through_the_best_results_words(regatta):
    assert ids("harbour", regatta) == ["harbour"]
    with tuning.use(feedback_docs=1):
        assert ids("harbour", regatta) == ["harbour", "regatta"]


@pytest.fixture
def kelp(tmp_path, monkeypatch) -> Path:
    """An English release with a German twin, and a German release without one that shares the twin's words
    but not the English word searched for; no dictionary, so nothing translates `kelp`."""
    return build(tmp_path, [
        {"id": "en-kelp", "lang": "en", "title": "Kelp harvest", "body": "The kelp harvest on the coast began."},
        {"id": "de-kelp", "lang": "de", "twin": "en-kelp", "title": "Seetangernte",
         "body": "Die Ernte von Seetang an der Küste hat begonnen."},
        {"id": "de-alone", "lang": "de", "title": "Küste", "body": "Seetang wächst an der Küste schneller."},
        {"id": "de-other", "lang": "de", "title": "Haushalt", "body": "Der Ausschuss tagte bis zum Abend."},
    ], monkeypatch)


def test_twin_feedback_lends_a_twins_words_to_the_other_languages_search(kelp):
    assert ids("kelp", kelp, lang="de") == ["de-kelp"]  # through its twin only
    with tuning.use(twin_feedback=0.5):
        assert ids("kelp", kelp, lang="de") == ["de-kelp", "de-alone"]


@pytest.fixture
def harbour(tmp_path, monkeypatch) -> Path:
    """A German release without a twin that matches both words through translation, and one that matches
    one word and whose English twin matches both as typed."""
    ding = tmp_path / "de-en"
    ding.write_text("# Version :: test\nHafen {m} :: harbour\nRegatta {f} :: regatta\n", encoding="utf-8")
    index_dir = build(tmp_path, [
        {"id": "de-alone", "lang": "de", "title": "Hafenfest", "body": "Die Regatta im Hafen beginnt am Morgen."},
        {"id": "de-twin", "lang": "de", "twin": "en-twin", "title": "Hafen", "body": "Der Hafen wird erweitert."},
        {"id": "en-twin", "lang": "en", "title": "Harbour", "body": "The harbour grows; the regatta moves."},
    ], monkeypatch)
    monkeypatch.setenv("TWINSEARCH_DICTIONARY", str(ding))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return index_dir


def test_across_languages_a_twins_match_does_not_simply_add_to_the_releases_own(harbour):
    def scores(overlap: float) -> dict[str, float]:
        with tuning.use(twin_overlap=overlap):
            return {h.id: h.score for h in indexer.search("harbour regatta", index_dir=harbour, lang="de")}

    summed, larger, default = scores(1.0), scores(0.0), scores(tuning.Tuning().twin_overlap)
    assert list(summed) == ["de-twin", "de-alone"]  # summed: the release with a twin wins on its twin's words
    assert list(larger) == ["de-alone", "de-twin"]  # the larger only: the release's own full match wins
    assert summed["de-alone"] == larger["de-alone"] == default["de-alone"]  # no twin: nothing changes
    assert default["de-twin"] == pytest.approx((summed["de-twin"] + larger["de-twin"]) / 2, abs=2e-4)  # 0.5
