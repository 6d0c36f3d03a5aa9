"""Did-you-mean's word lookup: the words near a misspelt one, as Whoosh's Levenshtein automaton finds them."""

from __future__ import annotations

import random

from whoosh import index as whoosh_index
from whoosh.fields import KEYWORD, Schema

from indexer.backend.memo import Memo
from indexer.backend.whoosh import segments, vocabulary
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


def test_a_new_vocabulary_holds_what_whooshs_writer_writes_and_an_update_adds_to_it(tmp_path, monkeypatch):
    """A new generation's words go through our list writer (1.7x less CPU than Whoosh's, with no posting
    sidecars: nothing ranks them); Whoosh reads them as if its own writer had written them, and merges an
    update's words into them."""

    def no_sidecar(*_args):
        raise AssertionError("a sidecar for the vocabulary")

    monkeypatch.setattr(segments, "SidecarWriter", no_sidecar)
    rng = random.Random(5)
    words = {"".join(rng.choice("abcdefghijklmnopqrstuvwxyzäöüß") for _ in range(rng.randint(3, 12)))
             for _ in range(5000)}
    ours, stock = tmp_path / "ours", tmp_path / "stock"
    ours.mkdir()
    vocabulary.write(ours, words)
    (stock / vocabulary.FOLDER).mkdir(parents=True)
    ix = whoosh_index.create_in(stock / vocabulary.FOLDER, Schema(word=KEYWORD))
    with ix.writer() as writer:
        writer.add_document(word=" ".join(sorted(words)))

    def terms(gen):
        with whoosh_index.open_dir(gen / vocabulary.FOLDER).reader() as reader:
            return [(t, reader.doc_frequency("word", t), reader.frequency("word", t)) for t in reader.lexicon("word")]

    assert terms(ours) == terms(stock) and len(terms(ours)) == len(words)
    vocabulary.write(ours, {"zugspitze", sorted(words)[0]})  # an update: one more segment, merged
    vocab = Vocabulary(ours, Memo().remember)
    assert "zugspitze" in vocab and sorted(words)[0] in vocab
    assert len(terms(ours)) == len(words) + 1
    vocab.close()
