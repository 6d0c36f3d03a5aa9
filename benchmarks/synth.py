"""Synthetic archives of any size, made from the real dev data, for speed benchmarks.

Each synthetic release takes the title and length (in sentences) of a real dev document of one
language and fills it with sentences drawn at random from all dev documents of that language, so
texts read like news and keep realistic lengths. Copies are distinct, and the vocabulary keeps
growing the way a real archive's does (Heaps' law): every capitalized word is, with some chance,
replaced by a variant with a suffix drawn from a heavy-tailed (Pareto) distribution, so new names
appear at a falling but never-zero rate. Output is JSONL without a `lang` field, so the indexer
detects languages as it would for loose files.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from indexer.ingest import read_file, scan

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEV_FOLDERS = ("xquad-dev/docs", "wmt-news-dev/docs")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"„“])")
NAME = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b")
DOCS_PER_FILE = 1000


@dataclass
class Pool:
    """Sentences and document shapes of one language."""

    sentences: list[str]
    shapes: list[tuple[str, int]]  # (title, number of sentences) of each real document


def load_pools(eval_dir: Path = EVAL) -> dict[str, Pool]:
    pools: dict[str, Pool] = {}
    for folder in DEV_FOLDERS:
        root = eval_dir / folder
        for sf in scan(root):
            lang = sf.relpath.split("/", 1)[0]
            for doc in read_file(sf)[0]:
                sentences = [s for s in SENTENCE.split(doc.body.replace("\n", " ")) if s.strip()]
                pool = pools.setdefault(lang, Pool([], []))
                pool.sentences += sentences
                pool.shapes.append((doc.title or sentences[0][:80], max(1, len(sentences))))
    if not pools:
        raise FileNotFoundError(f"no dev data under {eval_dir}")
    return pools


def _vary_names(text: str, rng: random.Random, rate: float) -> str:
    def vary(m: re.Match) -> str:
        if rng.random() >= rate:
            return m.group(0)
        return f"{m.group(0)}{int(rng.paretovariate(0.8))}"
    return NAME.sub(vary, text)


def release(i: int, pools: dict[str, Pool], rng: random.Random, name_rate: float = 0.05) -> dict:
    lang = "de" if i % 2 == 0 else "en"
    pool = pools[lang]
    title, n = rng.choice(pool.shapes)
    body = " ".join(rng.choice(pool.sentences) for _ in range(n))
    date = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return {"id": f"syn-{i:07d}", "title": _vary_names(title, rng, name_rate),
            "body": _vary_names(body, rng, name_rate) + f" Ref {i:07d}.", "date": date}


def write_archive(folder: Path, n: int, seed: int = 1, pools: dict[str, Pool] | None = None) -> Path:
    """Writes `n` synthetic releases as JSONL files of 1,000 under `folder`; returns it."""
    pools = pools or load_pools()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, DOCS_PER_FILE):
        with open(folder / f"part-{start // DOCS_PER_FILE:05d}.jsonl", "w", encoding="utf-8") as f:
            for i in range(start, min(n, start + DOCS_PER_FILE)):
                f.write(json.dumps(release(i, pools, rng), ensure_ascii=False) + "\n")
    return folder
