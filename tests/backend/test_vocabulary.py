"""Did-you-mean's word lookup: the words near a misspelt one, as Whoosh's Levenshtein automaton finds them."""

from __future__ import annotations

import random

from whoosh import index as whoosh_index

from indexer.backend.memo import Memo
from indexer.backend.whoosh import vocabulary
from indexer.backend.whoosh.vocabulary import Spellings, Vocabulary


def _typos(rng: random.Random, word: str, edits: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyzäöüß"
    for _ in range(edits):
        at = rng.randrange(len(word) + 1)
        kind = rng.choice("ids")
        if kind == "i":
            word = word[:at] + rng.choice(letters) + word[at:]
        elif kind == "d" and len(word) > 1:
            word = word[:at] + word[at + 1:]
        else:
            word = word[:at] + rng.choice(letters) + word[at + 1:]
    return word


def test_near_words_are_those_whooshs_automaton_finds_within_one_and_two_edits(tmp_path):
    rng = random.Random(11)
    words = {"".join(rng.choice("aeiounrstlmkäöüß") for _ in range(rng.randint(1, 12))) for _ in range(3000)}
    words |= {"shanghai", "shanghais", "schanghai", "futian", "lyons", "lyon", "london", "londoner"}
    gen = tmp_path / "gen"
    gen.mkdir()
    vocabulary.write(gen, words)
    memo = Memo()
    vocab = Vocabulary(gen, memo.remember)
    segment = vocab.searcher.reader()
    queries = ["shangai", "lyonss", "futain", "ondon", "l", "xyz"] + \
        [_typos(rng, w, rng.randint(1, 3)) for w in rng.sample(sorted(words), 300)]
    for query in queries:
        for maxdist in (1, 2):
            expected = sorted(segment.terms_within("word", query, maxdist, prefix=1))
            assert vocab.near(query, maxdist) == expected, (query, maxdist)
    assert vocab.near("shangai", 1) == ["shanghai"] and vocab.near("", 2) == []
    assert vocab.spellings() is Vocabulary(gen, memo.remember).spellings()  # read once per generation
    vocab.close()


def test_a_generation_without_a_vocabulary_knows_no_words(tmp_path):
    vocab = Vocabulary(tmp_path, Memo().remember)
    assert vocab.near("shanghai", 2) == [] and "shanghai" not in vocab
    assert Spellings(["ab"]).near("ab", 0) == ["ab"] and not whoosh_index.exists_in(tmp_path / vocabulary.FOLDER)
