"""The speed benchmarks' wire archive looks like a bilingual wire's: twins, syndicated copies, datelines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import indexer
from benchmarks import synth
from tests.conftest import needs_eval

pytestmark = needs_eval
N = 300


@pytest.fixture(scope="module")
def wire(tmp_path_factory) -> tuple[list[dict], Path]:
    folder = synth.write_wire_archive(tmp_path_factory.mktemp("wire") / "archive", N)
    records = [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    return records, folder


def kind(record: dict) -> str:
    return record["id"].split("-")[0]


def test_every_ten_releases_hold_two_twin_pairs_four_single_releases_and_two_syndicated_copies(wire):
    records, _ = wire
    assert len(records) == N and len({r["id"] for r in records}) == N
    assert Counter(kind(r) for r in records) == {"syn": 120, "orphan": 120, "copy": 60}
    pairs = {r["id"][:-3] for r in records if kind(r) == "syn"}
    assert len(pairs) == 60 and all(f"{p}-de" in {r["id"] for r in records} for p in pairs)


def test_a_twin_pair_shares_date_and_outlet_and_its_dateline_names_the_city_in_each_language(wire):
    records, _ = wire
    by_id = {r["id"]: r for r in records}
    de, en = by_id["syn-0000000-de"], by_id["syn-0000000-en"]
    assert (de["date"], de["source"]) == (en["date"], en["source"])
    cities = dict(synth.CITIES)
    german_city = de["body"].split(" (", 1)[0].title()
    assert en["body"].startswith(f"{cities[german_city].upper()} ({en['source']}) – ")


def test_a_syndicated_copy_is_an_earlier_release_from_another_outlet_with_one_sentence_dropped(wire):
    records, _ = wire

    def lines(record: dict) -> list[str]:
        return record["body"].replace(f"({record['source']})", "(OUTLET)", 1).split("\n")

    for at, copy in enumerate(records):
        if kind(copy) != "copy":
            continue
        copied = [r for r in records[:at] if (r["title"], r["date"]) == (copy["title"], copy["date"])
                  and r["source"] != copy["source"] and set(lines(copy)) <= set(lines(r))
                  and len(lines(r)) - len(lines(copy)) == (1 if len(lines(r)) > 2 else 0)]
        assert copied, copy["id"]


def test_the_indexer_links_the_pairs_despite_the_look_alikes(wire, tmp_path):
    records, folder = wire
    indexer.rebuild(source=folder, index_dir=tmp_path / "index")
    gold = {r["id"]: r["id"][:-3] + "-en" for r in records if kind(r) == "syn" and r["id"].endswith("-de")}
    found = {doc_id: indexer.get(doc_id, index_dir=tmp_path / "index")["twin"] for doc_id in gold}
    right = sum(found[de] == en for de, en in gold.items())
    assert right >= 0.9 * len(gold)  # a copy of the English twin may be linked instead: as on a real wire
