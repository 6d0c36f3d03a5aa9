"""Array-at-a-time ranking (`indexer.backend.whoosh.ranking`) against Whoosh's own matchers, on real indexes."""

from __future__ import annotations

import importlib
import json
import shutil

import numpy as np
import pytest
from whoosh import query as wq

import indexer
from indexer import store, tuning
from indexer.analysis import WordAnalyzer, word_analyzer
from indexer.analysis import words as word_analysis
from indexer.backend import memo
from indexer.backend import postings as results
from indexer.backend.whoosh import postings, ranking, recent, sidecar
from indexer.backend.whoosh.concept_bits import ConceptBits
from indexer.lang import chain
from tests.conftest import S002, SEEDS, SHARED_EVAL, needs_eval, seeds_with

search_module = importlib.import_module("indexer.search")  # `indexer.search` is the function
XQUAD = SHARED_EVAL / "xquad-dev"
SYNTAX = ['"Super Bowl"', "Super AND Bowl", "Bowl NOT Broncos", "title:Panthers", "Pant*", "lang:de Verteidigung",
          "Verteid?gung", "body:(Sauerstoff OR oxygen)", "Panthers ANDNOT Denver", "date:[2015 TO 2017] Bowl",
          "Panthers ANDMAYBE Denver", "body:*", "title:[a TO c]"]


@pytest.fixture(scope="module")
def xquad_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("xquad-index")
    indexer.rebuild(source=XQUAD / "docs", index_dir=index_dir)
    return index_dir


def whoosh_scores(handle, q: wq.Query) -> dict[int, float]:
    """Every match of `q` and its score, by walking Whoosh's matcher over the whole index."""
    searcher = handle.reader.searcher
    m = q.matcher(searcher, searcher.context(needs_current=True))
    found = {}
    while m.is_active():
        found[m.id()] = m.score()
        m.next()
    return found


def questions() -> list[str]:
    rows = (json.loads(line) for line in (XQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines())
    return [r["question"] for r in rows]


@needs_eval
def test_every_dev_question_and_syntax_query_scores_as_whoosh_scores_it(xquad_index):
    handle = search_module.open_handle(xquad_index)
    assert len(handle.reader.searcher.reader().leaf_readers()) == 1  # one segment: Whoosh's own search is global
    queries = questions() + SYNTAX
    assert len(queries) == 865
    for text in queries:
        q = handle.parser.parse(text).q
        with tuning.use(proximity=0.0):  # the bonus needs positions across concepts: no Whoosh matcher has it
            found = handle.reader.ranker.search(q)
        expected = whoosh_scores(handle, q)
        assert found.docs.tolist() == sorted(expected), text
        assert found.scores == pytest.approx([expected[d] for d in found.docs.tolist()], rel=1e-9), text


def test_the_top_results_are_the_best_scores_with_ties_in_document_order():
    found = results.Postings(np.array([1, 2, 3, 4, 5, 6], dtype=np.int32), np.array([0.5, 2.0, 1.0, 2.0, 1.0, 0.1]))
    best = results.top(found, 4)
    assert best.docs.tolist() == [2, 4, 3, 5]
    assert best.scores.tolist() == [2.0, 2.0, 1.0, 1.0]
    assert results.top(found, 3).docs.tolist() == [2, 4, 3]


def test_small_and_large_unions_sum_alike():
    a = results.Postings(np.array([1, 4, 7], dtype=np.int32), np.array([1.0, 2.0, 3.0]))
    b = results.Postings(np.array([4, 9], dtype=np.int32), np.array([0.5, 1.5]))
    for size in (10, 10_000):  # 5 postings are more than 1/16 of 10 documents: the dense path
        docs, scores, extra = results.combine([a, b], size, [np.full(3, 1.0), np.full(2, 2.0)])
        assert docs.tolist() == [1, 4, 7, 9]
        assert scores.tolist() == [1.0, 2.5, 3.0, 1.5]
        assert extra.tolist() == [1.0, 3.0, 1.0, 2.0]
        one = np.full(3, 1.0)
        docs, scores, extra = results.combine([a], size, [one])  # a union of one: its own arrays, not copies
        assert docs is a.docs and scores is a.scores and extra is one


@needs_eval
def test_word_by_word_analysis_marks_what_whole_text_analysis_marks(xquad_index):
    files = sorted((XQUAD / "docs" / "de").iterdir())[:30] + sorted((XQUAD / "docs" / "en").iterdir())[:30]
    texts = [p.read_text(encoding="utf-8") for p in files]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for analyzer in (chain("de"), chain("en")):
        words = WordAnalyzer(analyzer)
        for text in texts:
            tokens = analyzer(text, mode="index", chars=True, positions=False)
            assert list(words(text)) == [(t.text, t.startchar, t.endchar) for t in tokens]


def test_a_question_mark_after_a_word_or_alone_is_punctuation(whoosh_seed_index):
    handle = search_module.open_handle(whoosh_seed_index)
    for text in ("Wer ist in Luohu?", "What is AS-278?", "Was gilt ?"):
        q = handle.parser.parse(text).q
        assert not [leaf for leaf in q.leaves() if isinstance(leaf, wq.Wildcard)], text
    assert [h.id for h in indexer.search("Luohu?", index_dir=whoosh_seed_index)] == [
        h.id for h in indexer.search("Luohu", index_dir=whoosh_seed_index)]
    assert [h.id for h in indexer.search("Luo?u", index_dir=whoosh_seed_index)] == [S002]  # inside a word: a wildcard


@pytest.mark.parametrize("sidecars", [True, False])
def test_document_numbers_come_back_in_numpys_index_type_from_every_kind_of_query(whoosh_seed_index, tmp_path,
                                                                                   sidecars):
    """Postings hold `np.intp` document numbers, with sidecars and without: numpy copies any other integer
    index into that type each time it is used (twice the time of setting a concept's bits)."""
    index_dir = whoosh_seed_index
    if not sidecars:
        index_dir = tmp_path / "decoded"
        shutil.copytree(whoosh_seed_index, index_dir)
        without_sidecars(index_dir)
    handle = search_module.open_handle(index_dir)
    for text in ("Finanztechnologie", "Wer ist in Luohu?", "London OR Shanghai", "London AND Shanghai",
                 '"Lord Mayor"', "Finanz*", "body:*", "Luo?u", "London NOT Jiaozi", "nothingatall"):
        found = handle.reader.ranker.search(handle.parser.parse(text).q)
        assert found.docs.dtype == np.intp, text
        assert len(found) > 0 or text == "nothingatall", text


def without_sidecars(index_dir) -> None:
    """Removes the current generation's posting sidecars: its segments are decoded from Whoosh's blocks."""
    for path in store.current(index_dir).glob(f"*{sidecar.EXTENSION}"):
        path.unlink()
    search_module.close_handles()
    postings._generations.clear()


@pytest.fixture
def decoded_seed_index(whoosh_seed_index, tmp_path):
    """The seed index without sidecars."""
    index_dir = tmp_path / "decoded"
    shutil.copytree(whoosh_seed_index, index_dir)
    without_sidecars(index_dir)
    return index_dir


def test_warm_loads_the_most_frequent_postings_and_changes_no_result(decoded_seed_index, monkeypatch):
    whoosh_seed_index = decoded_seed_index
    before = indexer.search("Finanztechnologie Shenzhen", index_dir=whoosh_seed_index).to_dict()
    monkeypatch.setattr(ranking, "WARM_MIN_FREQUENCY", 2)
    monkeypatch.setattr(word_analysis, "_word_analyzers", [])  # forget the words the search above analyzed
    warmed = indexer.warm(whoosh_seed_index, budget=200)
    assert 0 < warmed["postings"] <= 200 and warmed["terms"] > 0
    handle = search_module.open_handle(whoosh_seed_index)
    assert handle.reader.shared.postings.size >= warmed["postings"]
    # the words of the stored releases are analyzed too, once per language for all threads
    words = [handle.reader.words(lang) for lang in ("de", "en")]
    english = handle.reader.schema["body_en"].analyzer
    assert words[0] is not words[1] and words[1] is word_analyzer(english)
    assert warmed["words"] == len(words[0]) + len(words[1]) and min(map(len, words)) > 100
    after = indexer.search("Finanztechnologie Shenzhen", index_dir=whoosh_seed_index).to_dict()
    before.pop("elapsed_ms"), after.pop("elapsed_ms")
    assert after == before



def test_an_update_decodes_only_its_new_segment_and_ranks_as_a_cold_start(tmp_path, monkeypatch):
    records = [{"id": f"r{n}", "title": f"Report {n}", "body": f"Shenzhen fintech report number {n}."}
               for n in range(10)]  # enough documents that the update keeps this segment as it is
    source = seeds_with(tmp_path / "source", records)
    index_dir = tmp_path / "index"
    indexer.rebuild(source=source, index_dir=index_dir)
    without_sidecars(index_dir)
    query = "Finanztechnologie Shenzhen London"
    indexer.search(query, index_dir=index_dir)
    before = {segment.id for segment in search_module.open_handle(index_dir).reader.ranker.segments}
    (source / "new.txt").write_text("Neue Meldung\n\nShenzhen und London: Finanztechnologie.", encoding="utf-8")
    indexer.update(index_dir=index_dir)
    without_sidecars(index_dir)
    decoded = []
    put = postings.PostingCache.put
    monkeypatch.setattr(postings.PostingCache, "put", lambda cache, key, entry: (decoded.append(key[0]),
                                                                                put(cache, key, entry)))
    warm = indexer.search(query, index_dir=index_dir).to_dict()
    after = {segment.id for segment in search_module.open_handle(index_dir).reader.ranker.segments}
    assert len(before) == 1 and len(after) == 2 and before < after
    assert decoded and set(decoded) == after - before
    search_module.close_handles()
    postings._caches.clear()
    postings._generations.clear()
    cold = indexer.search(query, index_dir=index_dir).to_dict()
    warm.pop("elapsed_ms"), cold.pop("elapsed_ms")
    assert warm == cold and warm["hits"][0]["id"] == "new"


def test_a_thread_making_room_for_new_postings_keeps_its_short_lists_and_absent_terms(whoosh_seed_index,
                                                                                     monkeypatch):
    """Over its budget, a thread's recent postings let the long lists go first: a question looks most of its
    words up in fields that lack them, and each such lookup searches every segment's table again."""
    ranker = search_module.open_handle(whoosh_seed_index).reader.ranker
    frequencies = {text: len(ranker._postings("body_de", text)[0]) for text in
                   (b"china", b"branch", b"100", b"10.000")}
    long_lists = [text for text, n in frequencies.items() if n >= 2]
    short_lists = [text for text, n in frequencies.items() if n == 1]
    assert long_lists and short_lists
    monkeypatch.setattr(recent, "SHORT_LIST", 2)
    monkeypatch.setattr(recent, "RECENT_POSTINGS", sum(frequencies.values()) + 5)
    ranker.recent = recent.RecentPostings()
    for text in [*frequencies, b"nowhere"]:
        ranker._postings("body_de", text)
    for text in long_lists:  # over the budget: room is made
        ranker._postings("body_en", text)
    assert set(ranker.recent.terms) == {("body_de", text) for text in short_lists} | {("body_de", b"nowhere")} | {
        ("body_en", long_lists[-1])}
    assert ranker.recent.postings == sum(len(found[0]) + 1 for found in ranker.recent.terms.values())

    monkeypatch.setattr(recent, "RECENT_TERMS", len(ranker.recent.terms))  # the short lists and absent terms
    ranker._postings("body_en", b"elsewhere")  # kept would fill half the room: all go
    assert set(ranker.recent.terms) == {("body_en", b"elsewhere")} and ranker.recent.postings == 1


def test_the_posting_cache_is_bounded_also_by_empty_entries():
    cache = postings.PostingCache(limit=10 * postings.ENTRY_COST)
    empty = (np.empty(0, np.int32), np.empty(0, np.float32))
    for n in range(100):
        cache.put(("segment", "body_en", f"missing{n}".encode()), empty)
    assert len(cache._entries) == 10 and cache.size == 10 * postings.ENTRY_COST
    assert cache.get(("segment", "body_en", b"missing99")) is not None
    assert cache.get(("segment", "body_en", b"missing0")) is None


def test_the_posting_cache_grows_with_the_archive_within_bounds_unless_configured(monkeypatch, tmp_path, seed_copy):
    monkeypatch.delenv("TWINSEARCH_CACHE_POSTINGS", raising=False)
    assert [postings.cache_budget(n) for n in (5, 500_000, 5_000_000)] == [16_000_000, 32_000_000, 64_000_000]
    indexer.rebuild(source=seed_copy, index_dir=tmp_path / "index")
    assert search_module.open_handle(tmp_path / "index").reader.shared.postings.limit == 16_000_000
    monkeypatch.setenv("TWINSEARCH_CACHE_POSTINGS", "1000")
    assert postings.cache_budget(5_000_000) == 1000
    indexer.update(index_dir=tmp_path / "index")  # a new generation takes the new budget
    assert search_module.open_handle(tmp_path / "index").reader.shared.postings.limit == 1000


def test_a_smaller_posting_cache_lets_go_of_the_least_recently_used_entries():
    cache = postings.PostingCache(limit=10 * postings.ENTRY_COST)
    empty = (np.empty(0, np.int32), np.empty(0, np.float32))
    for n in range(10):
        cache.put(("segment", "body_en", f"term{n}".encode()), empty)
    assert cache.get(("segment", "body_en", b"term0")) is not None  # now the most recently used
    cache.resize(3 * postings.ENTRY_COST)
    assert [key[2] for key in cache._entries] == [b"term8", b"term9", b"term0"]
    assert cache.size == 3 * postings.ENTRY_COST


@needs_eval
def test_scores_do_not_depend_on_how_the_index_is_split_into_segments(tmp_path):
    """After an update the index has several segments; a release must rank as it would after a rebuild."""
    source = tmp_path / "source"
    shutil.copytree(XQUAD / "docs" / "de", source / "de")
    indexer.rebuild(source=source, index_dir=tmp_path / "two")
    shutil.copytree(XQUAD / "docs" / "en", source / "en")
    indexer.update(index_dir=tmp_path / "two")
    indexer.rebuild(source=source, index_dir=tmp_path / "one")
    questions = [json.loads(line)["question"] for line in (XQUAD / "questions.jsonl").open(encoding="utf-8")][:40]
    for text in questions:
        one, two = (indexer.search(text, index_dir=tmp_path / name, limit=10) for name in ("one", "two"))
        assert [(h.id, h.score) for h in two] == [(h.id, h.score) for h in one], text


@needs_eval
def test_phrases_match_and_score_as_whoosh_on_an_index_of_several_segments(tmp_path):
    index_dir, source = tmp_path / "index", tmp_path / "source"
    shutil.copytree(XQUAD / "docs" / "de", source / "de")
    indexer.rebuild(source=source, index_dir=index_dir)
    shutil.copytree(XQUAD / "docs" / "en", source / "en")
    indexer.update(index_dir=index_dir)  # the English half in a second segment
    handle = search_module.open_handle(index_dir)
    assert len(handle.reader.searcher.reader().leaf_readers()) == 2
    texts = ['"Super Bowl"', '"Super Bowl"~3', '"Bowl Super"~2', '"Europäischen Union"', "U.S. Army 24-10",
             "Lehrer/innen", '"the Denver Broncos"']
    phrases = [leaf for text in texts for leaf in handle.parser.parse(text).q.leaves()
               if isinstance(leaf, wq.Phrase)]
    assert len(phrases) >= 20 and any(p.slop == 3 for p in phrases)
    matched = set()
    for q in phrases:
        found = handle.reader.ranker.search(q)
        expected = whoosh_scores(handle, q)
        assert found.docs.tolist() == sorted(expected), q
        assert found.scores == pytest.approx([expected[d] for d in found.docs.tolist()], rel=1e-9), q
        matched.update(found.docs.tolist())
    second = handle.reader.searcher.reader().leaf_readers()[1][1]
    assert min(matched) < second <= max(matched)  # matches in both segments


def test_the_shared_state_of_a_generation_keeps_tables_for_good_and_lets_go_of_the_oldest_other_values():
    shared = postings.SharedState(postings.PostingCache())
    table, mask = object(), object()
    assert shared.remember(("partners",), lambda: table, keep=True) is table
    assert shared.remember(("mask", 0), lambda: mask) is mask
    for n in range(1, memo.REMEMBER + 1):
        shared.remember(("mask", n), object)
    assert shared.remember(("partners",), object, keep=True) is table
    assert shared.remember(("mask", 0), object) is not mask


def test_contains_gives_the_same_answer_whichever_list_it_looks_up_in_the_other():
    """With both lists sorted, `contains` looks the shorter up in the longer: either way, each of `docs`
    is flagged exactly when it is among the postings."""
    rng = np.random.default_rng(7)
    for postings_count, docs_count in [(5, 2000), (2000, 5), (300, 300), (0, 10), (10, 0)]:
        postings = np.unique(rng.integers(0, 5000, postings_count)).astype(np.int32)
        docs = np.unique(rng.integers(0, 5000, docs_count)).astype(np.int32)
        expected = np.isin(docs, postings)
        assert results.contains(postings, docs, docs_sorted=True).tolist() == expected.tolist()
        assert results.contains(postings, docs).tolist() == expected.tolist()


def test_common_finds_where_two_lists_meet_as_numpys_intersection_does():
    """Lists of very different lengths (looked up one in the other) and of like length (met in one array)
    give the indices `np.intersect1d` gives, in its order."""
    rng = np.random.default_rng(11)
    for a_count, b_count in [(5, 2000), (2000, 5), (300, 300), (3000, 2500), (0, 10), (10, 0), (1, 1)]:
        a = np.unique(rng.integers(0, 5000, a_count)).astype(np.int32)
        b = np.unique(rng.integers(0, 5000, b_count)).astype(np.int32)
        _, want_i, want_j = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        i, j = results.common(a, b)
        assert i.tolist() == want_i.tolist() and j.tolist() == want_j.tolist()
        assert len(i) > 0 or min(a_count, b_count) < 5


@needs_eval
@pytest.mark.parametrize("dense_from", [0, 10**9])
def test_matches_flags_exactly_the_documents_an_or_of_the_questions_terms_matches(xquad_index, monkeypatch, dense_from):
    """`matches` (what tells a release found by the words as typed from one found only by translation), with
    its postings flagged in one array (`dense_from` 0) and looked up one list at a time, against the
    documents Whoosh's matcher walks for the same OR."""
    monkeypatch.setattr(ranking, "DENSE_MATCHES", dense_from)
    handle = search_module.open_handle(xquad_index)
    every = np.arange(handle.reader.size, dtype=np.int32)
    for text in questions()[:60]:
        q = wq.Or(list(handle.parser.parse(text).q.leaves()))
        expected = set(whoosh_scores(handle, q))
        assert set(every[handle.reader.ranker.matches(q, every)].tolist()) == expected, text
        some = every[::3]
        assert set(some[handle.reader.ranker.matches(q, some)].tolist()) == expected & set(some.tolist()), text


@needs_eval
def test_a_query_of_more_than_64_words_scores_as_whoosh_scores_it(xquad_index):
    """A document's share of concepts is kept as bits, 64 concepts to an array: a longer query spans two."""
    handle = search_module.open_handle(xquad_index)
    words = list(dict.fromkeys(w for w in " ".join(questions()[:80]).split() if w.isalpha() and len(w) > 3))[:90]
    q = handle.parser.parse(" ".join(words)).q
    assert len(q.subqueries) > 64
    with tuning.use(proximity=0.0):
        found = handle.reader.ranker.search(q)
    expected = whoosh_scores(handle, q)
    assert found.docs.tolist() == sorted(expected)
    assert found.scores == pytest.approx([expected[d] for d in found.docs.tolist()], rel=1e-9)


def test_concept_bits_sum_the_weights_of_the_concepts_each_document_matched():
    weights = [float(i + 1) for i in range(70)]  # two arrays of bits, and bytes of several concepts
    bits = ConceptBits(10, len(weights))
    bits.add(0, np.array([1, 3], np.int32))
    bits.add(9, np.array([3], np.int32))
    bits.add(69, np.array([3, 7], np.int32))
    bits.add(9, np.array([3], np.int32))  # a concept matched twice counts once
    bits.add(63, np.array([5], np.int32))  # an array's top bit alone
    matched = bits.matched()
    assert matched.tolist() == [1, 3, 5, 7]
    assert bits.weight(matched, weights).tolist() == [1.0, 1.0 + 10.0 + 70.0, 64.0, 70.0]
