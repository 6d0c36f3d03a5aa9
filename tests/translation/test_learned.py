"""The lexicon learned from twins: what counts as evidence that two words translate each other."""

from __future__ import annotations

import numpy as np

from indexer.model import Link
from indexer.translation import Translator, learned, names


def learn(pairs: list[tuple[str, str]]):
    docs = {}
    for n, (de, en) in enumerate(pairs):
        docs[f"de-{n}"], docs[f"en-{n}"] = {"title": "", "body": de}, {"title": "", "body": en}
    return learned.learn(docs.get, [Link(f"de-{n}", f"en-{n}", 1.0) for n in range(len(pairs))])


TOWNS = ["Alba", "Borna", "Celle", "Dessau", "Emden", "Fulda", "Gotha", "Hameln", "Itzehoe", "Jena", "Kiel", "Lahr"]


def archive(de: str, en: str, times: int = 4) -> list[tuple[str, str]]:
    """Twelve twin pairs, one town each; `times` of them also say `de` / `en` (a word in every pair would
    say nothing about any other)."""
    return [(f"{town} feiert heute." + (f" {de}" if n < times else ""),
             f"{town} celebrates today." + (f" {en}" if n < times else "")) for n, town in enumerate(TOWNS)]


def test_words_that_meet_in_aligned_sentences_of_several_twin_pairs_are_learned():
    said = [("Am Nachmittag regnete es.", "In the afternoon it rained."),
            ("Am Nachmittag kam Besuch.", "In the afternoon visitors came."),
            ("Am Nachmittag sang der Chor.", "In the afternoon the choir sang."),
            ("Am Nachmittag schloss die Post.", "In the afternoon the post office closed.")]
    lexicon = learn([(f"{de} {said[n][0]}" if n < 4 else de, f"{en} {said[n][1]}" if n < 4 else en)
                     for n, (de, en) in enumerate(archive("", "", 0))])
    assert lexicon.translations("en", "afternoon") == [("nachmittag", 1.0)]


def test_a_name_that_both_twins_use_is_never_translated_into_another_word():
    # Brexit and the minister always come together, but the twins share `Brexit` as it is
    lexicon = learn(archive("Der Minister sprach über den Brexit.", "The secretary spoke about Brexit."))
    assert lexicon.translations("de", "brexit") == []
    assert all(de != "brexit" for de, _ in lexicon.translations("en", "secretari"))
    assert ("minist", 1.0) in lexicon.translations("en", "secretari")


def test_a_name_the_two_stemmers_cut_differently_is_still_its_own_translation():
    # German `bremerhav`, English `bremerhaven`: the same word as written
    lexicon = learn(archive("Der Hafen von Bremerhaven wächst.", "The port of Bremerhaven grows."))
    assert lexicon.translations("de", "bremerhav") == []
    assert all(de != "bremerhav" for found in lexicon.en.values() for de, _ in found)


def test_words_at_opposite_ends_of_the_twins_are_not_taken_for_translations():
    # `Nachmittag` opens four German texts and `harbour` closes their English twins: same pairs, other places
    def text(opening: str, n: int, closing: str = "") -> str:
        places = " ".join(f"Ort{chr(97 + n)}{chr(97 + k)}." for k in range(8))  # a word of its own each
        return f"{opening} {places} {closing}"

    lexicon = learn([(text("Am Nachmittag kam er.", n) if n < 4 else de,
                      text("He came.", n, "The harbour waits.") if n < 4 else en)
                     for n, (de, en) in enumerate(archive("", "", 0))])
    assert lexicon.translations("de", "nachmittag") == [("came", 1.0)]


def test_one_twin_pair_is_not_evidence_enough():
    lexicon = learn(archive("Am Nachmittag sprach der Bürgermeister.", "In the afternoon the mayor spoke.", 1))
    assert lexicon.translations("en", "afternoon") == []


class Listing:
    """A dictionary that lists `cooperation` and, like Ding, `adamant`, whose stem `adam` a name shares."""

    def lists(self, lang: str, word: str) -> bool:
        return word.lower() in {"cooperation", "adamant", "summer", "theatre"}


def test_a_capitalized_first_word_the_dictionary_lists_only_by_its_stem_is_a_name():
    translator = Translator(Listing(), learned.Learned())
    assert names(["Adam", "Smith"], "en", translator) == {"Adam", "Smith"}
    assert names(["Cooperation", "grows"], "en", translator) == frozenset()


def test_a_capitalized_word_the_dictionary_lists_is_translated_anywhere_in_the_query():
    """Headlines and named things capitalize common words (`Summer Theatre`): they are translated too."""
    translator = Translator(Listing(), learned.Learned())
    assert names(["Where", "was", "the", "Summer", "Theatre", "of", "Adam", "Smith", "NATO"], "en",
                 translator) == {"Where", "Adam", "Smith", "NATO"}


def test_the_lexicon_is_the_same_learned_in_worker_processes_and_ties_keep_alphabetical_order(monkeypatch):
    said = [("Am Nachmittag regnete es.", "In the afternoon it rained."),
            ("Am Nachmittag kam Besuch.", "In the afternoon visitors came."),
            ("Am Nachmittag sang der Chor.", "In the afternoon the choir sang."),
            ("Am Nachmittag schloss die Post.", "In the afternoon the post office closed.")]
    pairs = [(f"{de} {said[n][0]}" if n < 4 else de, f"{en} {said[n][1]}" if n < 4 else en)
             for n, (de, en) in enumerate(archive("", "", 0))]
    docs = {}
    for n, (de, en) in enumerate(pairs):
        docs[f"de-{n}"], docs[f"en-{n}"] = {"title": "", "body": de}, {"title": "", "body": en}
    links = [Link(f"de-{n}", f"en-{n}", 1.0) for n in range(len(pairs))]
    alone = learned.learn(docs.get, links)
    monkeypatch.setattr(learned, "PARALLEL_FROM", 1)
    together = learned.learn(docs.get, links, workers=2)
    assert (together.de, together.en, together.pairs) == (alone.de, alone.en, alone.pairs) and alone.entries
    for candidates in [*alone.de.values(), *alone.en.values()]:
        assert candidates == sorted(candidates, key=lambda c: (-c[1], c[0]))


def test_codes_met_in_enough_pairs_are_those_a_full_count_keeps():
    rng = np.random.default_rng(3)
    for least in (1, 3):
        parts = [np.unique(rng.integers(0, 2_000, rng.integers(1, 300)).astype(np.int64) << 32) for _ in range(40)]
        parts += [np.array([7], np.int64), np.array([7], np.int64), np.array([7], np.int64)]
        codes, counts = np.unique(np.concatenate(parts), return_counts=True)
        got_codes, got_counts = learned._frequent(parts, least)
        assert got_codes.tolist() == codes[counts >= least].tolist()
        assert got_counts.tolist() == counts[counts >= least].tolist()
        assert parts == []
    assert [a.tolist() for a in learned._frequent([np.array([5], np.int64)], 1)] == [[5], [1]]
    assert [a.tolist() for a in learned._frequent([np.array([5], np.int64)], 3)] == [[], []]
