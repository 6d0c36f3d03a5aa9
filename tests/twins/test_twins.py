"""Twin linking on real documents: the seeds and the shared dev sets, read and language-detected
the way the indexer does it. The floors asserted here are the ones the linker reaches; a change that
lowers them is a regression."""

from __future__ import annotations

import json
import math
import pickle
import re
import sys
from array import array
from datetime import date
from pathlib import Path

import pytest

from indexer.ingest import SourceFile, read_file, scan
from indexer.lang.detect import detect
from indexer.model import Document, Link
from indexer.twins.explain import _date_penalty, explain
from indexer.twins.linker import (
    CANDIDATES,
    DEFAULT_MIN_SCORE,
    INTERCEPT,
    LENGTH_RATIO,
    POSITION_PRIOR,
    SMOOTHING,
    WEIGHTS,
    Archive,
    _score,
    link,
    scored_pairs,
)
from indexer.twins.signals import GROUP_INDEX, Signals, signals
from indexer.twins.state import SIGNALS, TwinState
from indexer.twins.table import SignalTable

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
S000, S001, S002, S003, S004 = (
    "000_5db2e4839f960f52", "001_e333d4c9757654c0", "002_d87448fb5db125ea",
    "003_d2ed9eacfca52036", "004_bb1f38701c24e79a",
)


def read_folder(folder: Path, drop_lines: int = 0) -> list[Document]:
    """Documents of a folder as the indexer reads them, languages detected as the build does."""
    docs = []
    for sf in scan(folder):
        data = sf.path.read_bytes()
        if drop_lines:
            data = b"\n".join(data.split(b"\n")[drop_lines:])
        found, _ = read_file(SourceFile(sf.path, sf.relpath, len(data), sf.mtime_ns), data)
        for doc in found:
            doc.lang = doc.lang or detect(f"{doc.title or ''}\n{doc.body}")[0]
        docs += found
    return docs


def read_gold(name: str) -> dict[str, str]:
    lines = (EVAL / name / "twins.tsv").read_text(encoding="utf-8").split("\n")
    return dict(line.split("\t") for line in lines if line)


def dev_set(name: str, drop_lines: int = 0) -> tuple[dict[str, Signals], dict[str, str]]:
    """Signals of a shared dev set (ids `de/<docid>`, `en/<docid>`) and its gold twins."""
    if not (EVAL / name / "docs").is_dir():
        pytest.skip(f"shared dev data not found: {EVAL / name} (the shared folder sits beside the project)")
    docs = read_folder(EVAL / name / "docs", drop_lines)
    return {d.id: signals(d) for d in docs}, read_gold(name)


def outcome(links: list[Link], gold: dict[str, str]) -> tuple[int, int]:
    """(correct links, wrong links): a link is wrong unless it is a gold pair."""
    correct = sum(1 for x in links if gold.get(x.de) == x.en)
    return correct, len(links) - correct


@pytest.fixture(scope="module")
def seeds() -> dict[str, Signals]:
    return {d.id: signals(d) for d in read_folder(SEEDS)}


@pytest.fixture(scope="module")
def wmt() -> tuple[dict[str, Signals], dict[str, str]]:
    return dev_set("wmt-news-dev")


@pytest.fixture(scope="module")
def xquad() -> tuple[dict[str, Signals], dict[str, str]]:
    """XQuAD paragraphs without line 1 (the English article key, same in both languages) and line 2."""
    return dev_set("xquad-dev", drop_lines=2)


def keys_of(text: str, lang: str) -> set[str]:
    return set(signals(Document(id="x", title=None, body=text, lang=lang)).keys)


# ---------------------------------------------------------------- signals


@pytest.mark.parametrize(("german", "english"), [
    ("100.000 Quadratmeter", "100,000 square meters"),
    ("vor rund 1.000 Jahren", "around 1,000 years ago"),
    ("6½ Stunden", "6.5 hours"),
    ("1,5 Millionen Euro", "1.5 million euros"),
    ("2,3 Mrd. Dollar", "$2.3bn"),
    ("ein Plus von 12,5 Prozent", "up 12.5 percent"),
    ("sechs Monate", "six months"),
])
def test_numbers_match_whatever_the_notation(german, english):
    numbers = {k for k in keys_of(german, "de") if k.startswith("n:")}
    assert numbers and numbers == {k for k in keys_of(english, "en") if k.startswith("n:")}


def test_a_short_m_after_a_space_is_not_a_million():
    assert "n:100" in keys_of("a 100 m sprint", "en")
    assert "n:5000000" in keys_of("a $5m deal", "en")


def test_dates_match_across_languages():
    german = keys_of("Am 22. Juni 2019 unterzeichnete die Stadt, am Samstag.", "de")
    english = keys_of("On June 22, 2019 the city signed, on Saturday.", "en")
    assert {"d:2019-06-22", "d:06-22", "w:6"} <= german & english


def test_dates_and_number_words_are_found_in_any_case():
    german = keys_of("AM SAMSTAG, 22. JUNI 2019: ZWEI MILLIONEN", "de")
    english = keys_of("ON SATURDAY, JUNE 22, 2019: TWO MILLION", "en")
    assert {"d:2019-06-22", "d:06-22", "w:6", "n:2000000"} <= german & english


def test_the_number_and_date_patterns_find_what_they_would_without_their_leading_lookahead():
    """Each starts with the characters its matches can begin with, for speed (`_starting`); a month,
    weekday or number word whose initial were missing would go unfound."""
    module = sys.modules["indexer.twins.signals"]

    patterns = [module.NUMBER, module.ISO_DATE, *module.NUMBER_WORD_RE.values(), *module.WEEKDAY_RE.values(),
                *module.DATE.values(), *module.MONTH_YEAR.values()]
    texts = [doc.body.lower() for doc in read_folder(SEEDS)]
    texts += ["½ and ¾, 1.000,5 am 3. märz 2020, mar. 3rd 2021, 2019-01-02x",
              "zwölf, eine million; 12.03.2021; sept 9, 2020; tuesday"]
    for pattern in patterns:
        bare = re.compile(re.fullmatch(r"\(\?=\[.*?\]\)\(\?:(.*)\)", pattern.pattern, re.S).group(1))
        for text in texts:
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in bare.finditer(text)]
    assert all(module.MONTH_YEAR[code].search(f"{month} 2020") for code in module.MONTH for month in module.MONTH[code])


def test_names_links_and_addresses_survive_translation():
    german = keys_of("Die Cass Business School (PRNewswire) und Jiaozi: www.cass.city.ac.uk, info@cass.ac.uk",
                     "de")
    english = keys_of("The Cass Business School (PRNewswire) and Jiaozi: https://www.cass.city.ac.uk/",
                      "en")
    assert {"t:cass", "t:business", "t:school", "t:prnewswire", "t:jiaozi", "u:cass.city.ac.uk"} <= german & english
    assert "u:info@cass.ac.uk" in german


def test_sentence_initial_words_are_not_names():
    assert "t:however" not in keys_of("It rained. However, we went out with Alice.", "en")
    assert "t:alice" in keys_of("It rained. However, we went out with Alice.", "en")


def test_cognates_share_a_skeleton():
    pairs = [("Technologie", "technology"), ("elektrischen", "electric"), ("Patente", "patents"),
             ("Schottland", "Scotland"), ("Zentrum", "centre")]
    for german, english in pairs:
        skeletons = {k for k in keys_of(german, "de") if k.startswith("c:")}
        assert skeletons & keys_of(english, "en"), (german, english)


def test_language_is_detected_when_the_source_does_not_say():
    doc = Document(id="x", title="Neue Chancen", body="Die Stadt und das Land fördern die Zusammenarbeit.")
    assert signals(doc).lang == "de"


def test_signals_are_small_and_survive_pickling(seeds):
    blob = pickle.dumps(seeds[S000])
    assert pickle.loads(blob) == seeds[S000]
    assert len(blob) < 16 * len(seeds[S000].keys) + 200  # short keys, one byte of position each
    assert seeds[S000].lang == "de" and seeds[S001].lang == "en"


def test_a_signal_table_gives_back_each_documents_signals_and_drops_removed_ones_when_saved(seeds, tmp_path):
    table = SignalTable.of(seeds)
    assert dict(table) == seeds
    table[S000] = seeds[S001]  # replaced: the old row is dead
    del table[S002]
    assert len(table) == 4 and table[S000] == seeds[S001] and S002 not in table
    copy = pickle.loads(pickle.dumps(table))
    assert dict(copy) == dict(table)
    assert len(copy.lang) == 4 < len(table.lang)  # only live rows were written
    assert link(copy) == link(dict(table))
    # and only the keys they use, in their old order
    live_keys = {key for sig in table.values() for key in sig.keys}
    assert copy.key_names == [key for key in table.key_names if key in live_keys] != table.key_names
    copy["again"] = seeds[S002]  # a key that was dropped gets a new id
    assert copy["again"] == seeds[S002] and len(copy.key_names) == len(copy.key_ids)


def test_a_table_put_in_id_order_keeps_every_documents_signals_saves_without_a_copy_and_still_grows(
        seeds, monkeypatch):
    table = SignalTable.of(dict(reversed(seeds.items())))  # rows out of id order
    table[S000] = seeds[S001]  # and a dead row
    del table[S002]
    expected = dict(table)
    before = pickle.dumps(table)
    table.in_id_order()
    assert dict(table) == expected and list(table) == sorted(expected) and len(table.lang) == len(expected)
    occurrences = table.occurrences
    table.in_id_order()  # already in order: nothing is copied
    assert table.occurrences is occurrences
    links = link(expected)  # a table made from the dict, out of id order: the linker gathers its rows
    monkeypatch.setattr(SignalTable, "gather", None)  # the ordered table is linked and saved with no copy
    assert link(table) == links
    assert pickle.dumps(table) == before  # the same bytes as saving the unordered table
    table["new"] = seeds[S002]  # its arrays are still the table's own, growable
    assert table["new"] == seeds[S002] and isinstance(table.occurrences, array)


def test_a_reserved_table_filled_in_any_order_is_the_appended_table_put_in_id_order(seeds):
    arrival = dict(reversed(seeds.items()))  # the order the workers' signals come in
    appended = SignalTable.of(arrival)
    appended.in_id_order()
    table = SignalTable()
    table.reserve([(doc_id, len(sig.keys)) for doc_id, sig in seeds.items()])
    assert table.unfilled() == sorted(seeds)
    for doc_id, sig in arrival.items():
        table.fill(doc_id, sig)
    assert table.unfilled() == [] and dict(table) == seeds and list(table) == sorted(seeds)
    occurrences = table.occurrences
    table.in_id_order()  # laid out in id order from the start: nothing to reorder
    assert table.occurrences is occurrences
    assert (table.key_names, table.occurrences, table.where) == (appended.key_names, appended.occurrences,
                                                                 appended.where)
    assert pickle.dumps(table) == pickle.dumps(appended)
    table["new"] = seeds[S002]  # still growable
    assert table["new"] == seeds[S002]


def test_a_reserved_row_takes_only_signals_of_its_size_and_only_an_empty_table_reserves(seeds):
    table = SignalTable()
    table.reserve([(S000, len(seeds[S000].keys) + 1)])
    with pytest.raises(ValueError, match=f"{S000!r} has {len(seeds[S000].keys)} signal keys, "
                                         f"{len(seeds[S000].keys) + 1} were reserved"):
        table.fill(S000, seeds[S000])
    with pytest.raises(ValueError, match="needs an empty table"):
        SignalTable.of(seeds).reserve([(S000, 1)])


def test_a_signal_table_is_saved_a_few_rows_at_a_time_as_raw_bytes_and_tables_saved_as_arrays_still_load(
        seeds, monkeypatch):
    monkeypatch.setattr(sys.modules["indexer.twins.table"], "GATHER_ROWS", 2)  # five seeds: three steps
    table = SignalTable.of(dict(reversed(seeds.items())))  # rows out of id order: they are reordered
    state = table.saved()
    assert list(state["rows"]) == sorted(seeds) and type(state["occurrences"]) is bytes
    for protocol in (2, 4, pickle.HIGHEST_PROTOCOL):
        blob = pickle.dumps(table, protocol=protocol)
        assert b"numpy" not in blob
        copy = pickle.loads(blob)
        assert dict(copy) == seeds and isinstance(copy.occurrences, array) and isinstance(copy.where, bytearray)
        copy["new"] = seeds[S001]  # still growable
        assert copy["new"] == seeds[S001]
    old = SignalTable.__new__(SignalTable)  # as tables were pickled before: array and bytearray
    old.__setstate__(state | {"start": array("q", state["start"]), "occurrences": array("i", state["occurrences"]),
                              "where": bytearray(state["where"])})
    assert dict(old) == seeds


def test_a_generation_saved_before_the_signal_table_still_loads(seeds, tmp_path):
    with open(tmp_path / SIGNALS, "wb") as f:  # how twin states were pickled: signals in a dict
        pickle.dump(TwinState(signals=dict(seeds), stated={}), f)
    state = TwinState.load(tmp_path)
    assert isinstance(state.signals, SignalTable) and dict(state.signals) == seeds


# ---------------------------------------------------------------- linking


def test_seeds_link_exactly_the_one_translation(seeds):
    links = link(seeds)
    assert [(x.de, x.en, x.stated) for x in links] == [(S000, S001, False)]
    assert links[0].score >= DEFAULT_MIN_SCORE


def test_every_wmt_news_article_finds_its_translation(wmt):
    sigs, gold = wmt
    assert outcome(link(sigs), gold) == (62, 0)


def test_wmt_orphans_stay_unlinked_when_half_the_english_side_is_gone(wmt):
    sigs, gold = wmt
    removed = set(sorted(gold.values())[1::2])
    kept = {k: v for k, v in sigs.items() if k not in removed}
    links = link(kept)
    assert outcome(links, {d: e for d, e in gold.items() if e not in removed}) == (31, 0)
    assert len(links) == 31


def test_xquad_paragraphs_link_without_their_title_line(xquad):
    sigs, gold = xquad
    correct, wrong = outcome(link(sigs), gold)
    assert correct >= 78  # of 80 (97.5%); the misses share no name or number with their twin
    assert wrong == 0


@pytest.mark.parametrize(("bit", "german_side"), [(b, side) for b in (0, 1, 2) for side in (0, 1)])
def test_paragraphs_of_one_article_are_not_taken_for_translations(xquad, bit, german_side):
    """German paragraphs with English paragraphs of the same articles, none of them a twin: every
    ordered pair of paragraph numbers differs in some bit, so the six splits cover them all."""
    sigs, _ = xquad
    subset = {k: v for k, v in sigs.items()
              if ((int(k[-2:]) >> bit) & 1 == german_side) == k.startswith("de/")}
    assert link(subset) == []


def test_a_mixed_archive_links_as_well_as_its_parts(seeds, wmt, xquad):
    archive, gold = dict(seeds), {S000: S001}
    for prefix, (sigs, pairs) in (("wmt/", wmt), ("xquad/", xquad)):
        archive |= {prefix + k: v for k, v in sigs.items()}
        gold |= {prefix + d: prefix + e for d, e in pairs.items()}
    correct, wrong = outcome(link(archive), gold)
    separately = sum(outcome(link(s), g)[0] for s, g in ((seeds, {S000: S001}), wmt, xquad))
    assert (correct, wrong) == (separately, 0)


def test_publication_dates_far_apart_lower_the_score(seeds):
    late = seeds | {S001: seeds[S001]._replace(date="2021-07-09")}
    assert link(late, min_score=0.0)[0].score < link(seeds, min_score=0.0)[0].score
    far, near = (explain(S000, sigs)["candidates"][0]["signals"]["date"] for sigs in (late, seeds))
    assert far["days_apart"] == (date(2021, 7, 9) - date(2019, 7, 31)).days  # 000 is dated 2019-07
    assert near["days_apart"] == 0
    assert far["logit"] < 0 == near["logit"]


def test_links_are_one_to_one_and_sorted(wmt):
    sigs, _ = wmt
    links = link(sigs, min_score=0.0)
    assert len({x.de for x in links}) == len({x.en for x in links}) == len(links)
    assert [x.de for x in links] == sorted(x.de for x in links)


def test_stated_twins_win_in_both_directions(seeds):
    links = link(seeds, stated={S001: S004})
    assert [(x.de, x.en, x.stated) for x in links] == [(S004, S001, True)]


def test_a_stated_twin_missing_from_the_archive_keeps_the_document_unlinked(seeds):
    assert link(seeds, stated={S000: "gone"}) == []


def test_documents_in_other_languages_are_ignored(seeds):
    french = Document(id="fr", title=None, body="Chengdu Jiaozi Cass 2019 100.000", lang="fr")
    assert link(seeds | {"fr": signals(french)}) == link(seeds)


def test_each_document_scores_a_bounded_number_of_candidates(wmt, xquad):
    archive = {"w" + k: v for k, v in wmt[0].items()} | {"x" + k: v for k, v in xquad[0].items()}
    assert len(Archive(archive).candidates()[0]) <= CANDIDATES * len(archive)


# ---------------------------------------------------------------- explain


def test_explain_shows_the_link_and_why(seeds):
    report = explain(S000, seeds)
    json.dumps(report)
    assert report["link"] == {"de": S000, "en": S001, "score": link(seeds)[0].score, "stated": False}
    best = report["candidates"][0]
    assert best["id"] == S001
    assert {"facts", "names", "cognates", "positions", "length", "date"} <= best["signals"].keys()
    assert "t:jiaozi" in best["shared"]["names"] and "n:100000" in best["shared"]["facts"]


def test_explain_says_why_a_document_stays_unlinked(seeds):
    report = explain(S002, seeds)
    json.dumps(report)
    assert report["link"] is None
    assert "below min_score" in report["verdict"]
    assert all(c["score"] < DEFAULT_MIN_SCORE for c in report["candidates"])


def test_explain_knows_stated_and_unknown_documents(seeds):
    assert explain(S001, seeds, stated={S001: S004})["verdict"] == "stated by the source"
    assert explain("nope", seeds)["verdict"] == "not in the archive"


# ---------------------------------------------------------------- the array arithmetic


def reference_features(arc: Archive, a: Signals, b: Signals) -> dict[str, float]:
    """The model's features for one pair, written out key by key as the module docstring states them."""
    idf = lambda key: float(arc.idf[arc.df_of(key)])  # noqa: E731
    where_a = dict(zip(a.keys, a.where, strict=True))
    got, spread = [0.0, 0.0, 0.0], 0.0
    for key, place in zip(b.keys, b.where, strict=True):
        if key in where_a:
            got[GROUP_INDEX[key[0]]] += idf(key)
            spread += idf(key) * abs(where_a[key] - place)
    ma, mb = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
    for mass, s in ((ma, a), (mb, b)):
        for key in s.keys:
            mass[GROUP_INDEX[key[0]]] += idf(key)
    cos = [got[g] / (math.sqrt(ma[g] * mb[g]) + SMOOTHING) for g in range(3)]
    missing = ma[0] + mb[0] - 2 * got[0]
    return {"facts": cos[0], "facts_missing": missing / (missing + 2 * got[0] + SMOOTHING), "names": cos[1],
            "cognates": cos[2], "positions": (spread / 255 + POSITION_PRIOR / 3) / (sum(got) + POSITION_PRIOR),
            "length": (math.log(max(a.length, 1) / max(b.length, 1)) - LENGTH_RATIO) ** 2}


def test_array_scores_are_exactly_the_key_by_key_formula(wmt, xquad):
    archive = {"w" + k: v for k, v in wmt[0].items()} | {"x" + k: v for k, v in xquad[0].items()}
    arc = Archive(archive)
    pairs = scored_pairs(arc)
    assert len(pairs) > 300
    for p in pairs:
        a, b = archive[arc.ids[p.de]], archive[arc.ids[p.en]]
        parts = {name: WEIGHTS[name] * value for name, value in reference_features(arc, a, b).items()}
        penalty = _date_penalty(a.date, b.date)
        assert p.score == _score(INTERCEPT + (sum(parts.values()) - penalty))


@pytest.mark.parametrize("min_score", [0.1, DEFAULT_MIN_SCORE, 0.5, 0.9])
def test_pairs_below_the_threshold_are_dropped_before_scoring_and_the_rest_are_unchanged(wmt, xquad, min_score):
    """Linking asks only for the pairs at or above its threshold (the others cost 2 GB of objects at 1M):
    exactly those of the full list, with the same scores, in the same order."""
    archive = {"w" + k: v for k, v in wmt[0].items()} | {"x" + k: v for k, v in xquad[0].items()}
    arc = Archive(archive)
    every = scored_pairs(arc)
    kept = scored_pairs(arc, min_score)
    assert kept == [p for p in every if p.score >= min_score]
    assert 0 < len(kept) < len(every)


def test_linking_a_few_documents_at_a_time_finds_the_same_links_and_scores(wmt, xquad, monkeypatch):
    archive = {"w" + k: v for k, v in wmt[0].items()} | {"x" + k: v for k, v in xquad[0].items()}
    whole = link(archive)
    monkeypatch.setattr(sys.modules["indexer.twins.linker"], "CHUNK_DOCS", 7)
    monkeypatch.setattr(sys.modules["indexer.twins.table"], "GATHER_ROWS", 5)
    assert link(archive) == whole and len(whole) > 100
