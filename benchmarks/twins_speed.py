"""Twin linking at scale: speed of `signals()` and `link()`, and precision/recall, per archive size.

    python -m benchmarks.twins_speed                      # 10,000 and 50,000 documents
    python -m benchmarks.twins_speed --sizes 500          # smoke run, seconds
    python -m benchmarks.twins_speed --sizes 10000 --json

Archives are synthetic but built from the dev data. WMT news documents are sentence-aligned (line
i of the German file translates line i of the English one), so a synthetic twin pair takes the
shape (number of segments) of a real news document and fills both sides with the same randomly
drawn aligned segments. (XQuAD paragraphs are not split into sentences; drawn whole, they would
plant verbatim copies of real documents inside synthetic ones.) To keep copies distinct and the
vocabulary growing as a real archive's does, each pair renames some names and renumbers some
numbers consistently on both sides (suffixes drawn from a heavy-tailed distribution, so variants
recur at a falling rate) and ends with a contact line of made-up names and a reference number.
Half of the synthetic documents are orphans (one language only). The 142 real dev pairs (WMT and
XQuAD, XQuAD without its title lines) sit inside every archive, so quality is measured on real
twins among many look-alikes, and on the synthetic ones.

Languages are set from the source rather than detected: detection is the indexer's cost, not the
linker's. Per-document cost should stay flat as the archive grows; the table shows it per size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks.machine import describe
from benchmarks.synth import DevData, Synthesizer, load_dev
from indexer.model import Document, high_water_mb
from indexer.twins.linker import link
from indexer.twins.signals import _word, signals


def build_archive(size: int, dev: DevData, seed: int) -> tuple[list[Document], dict[str, str], set[str]]:
    """`size` documents: the real pairs, then synthetic pairs and orphans half and half.

    Returns the documents, the gold twins (German id -> English id) and the real German ids.
    """
    synth = Synthesizer(dev, seed)
    docs: list[Document] = []
    gold: dict[str, str] = {}
    for de, en in dev.real[: size // 2]:
        docs += (de, en)
        gold[de.id] = en.id
    real = set(gold)
    rest = size - len(docs)
    for n in range(rest // 4):
        de, en = synth.pair(n)
        docs += (de, en)
        gold[de.id] = en.id
    for n in range(size - len(docs)):
        docs.append(synth.orphan(n, "de" if n % 2 == 0 else "en"))
    return docs, gold, real


def run(size: int, dev: DevData, seed: int) -> dict:
    """Times `signals()` and `link()` on one archive and scores the links against the gold pairs."""
    docs, gold, real = build_archive(size, dev, seed)
    _word.cache_clear()  # every size starts cold, as a fresh build would
    start = time.perf_counter()
    sigs = {doc.id: signals(doc) for doc in docs}
    signal_seconds = time.perf_counter() - start
    start = time.perf_counter()
    links = link(sigs)
    link_seconds = time.perf_counter() - start
    return {
        "documents": len(docs),
        "signals_seconds": round(signal_seconds, 2),
        "signals_docs_per_second": round(len(docs) / signal_seconds),
        "link_seconds": round(link_seconds, 2),
        "link_docs_per_second": round(len(docs) / link_seconds),
        "keys_per_document": round(sum(len(s.keys) for s in sigs.values()) / len(sigs), 1),
        "peak_rss_mb": high_water_mb(),
        "real": _quality(links, {d: e for d, e in gold.items() if d in real}),
        "synthetic": _quality(links, {d: e for d, e in gold.items() if d not in real}),
        "wrong_links": sum(1 for x in links if gold.get(x.de) != x.en),
        "links": len(links),
    }


def _quality(links: list, gold: dict[str, str]) -> dict:
    """Recall over these gold pairs; wrong = links from their German side to another document."""
    mine = [x for x in links if x.de in gold]
    correct = sum(1 for x in mine if gold[x.de] == x.en)
    return {"pairs": len(gold), "correct": correct, "wrong": len(mine) - correct,
            "recall": round(correct / len(gold), 4) if gold else None}


def _table(results: list[dict]) -> str:
    head = (f"{'docs':>8} {'signals/s':>10} {'link/s':>9} {'keys/doc':>9} {'real ok/pairs':>14} "
            f"{'synth ok/pairs':>15} {'wrong':>6} {'rss MB':>7}")
    rows = [head]
    for r in results:
        rows.append(f"{r['documents']:>8} {r['signals_docs_per_second']:>10} {r['link_docs_per_second']:>9} "
                    f"{r['keys_per_document']:>9} {r['real']['correct']:>7}/{r['real']['pairs']:<6} "
                    f"{r['synthetic']['correct']:>8}/{r['synthetic']['pairs']:<6} {r['wrong_links']:>6} "
                    f"{r['peak_rss_mb']:>7}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.twins_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000], metavar="N",
                        help="archive sizes in documents (default: 10000 50000; 500 is a smoke run)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the synthetic archives")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    try:
        dev = load_dev()
    except FileNotFoundError as e:
        print(f"dev data missing: {e}", file=sys.stderr)
        return 2
    machine = describe()
    results = []
    for size in args.sizes:
        results.append(run(size, dev, args.seed))
    if args.json:
        print(json.dumps({"machine": machine, "sizes": args.sizes, "seed": args.seed, "results": results},
                         indent=2))
    else:
        print(f"machine: {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}")
        print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
