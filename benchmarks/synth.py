"""Synthetic archives of any size, made from the real dev data, for speed benchmarks.

Two kinds. The **wire** archive (`write_wire_archive`, what `benchmarks.speed` measures on) looks like a
bilingual wire service's: in every ten releases, two German releases with English twins (synthetic pairs
from the aligned WMT segments, names and numbers varied alike on both sides, `Synthesizer`), two
German and two English releases without one, and two syndicated near-duplicates (a recent release
again from another outlet, one sentence dropped), each with a dateline, a date and a source; so 40%
of German releases have a twin. The **plain** archive (`write_archive`) has no twins at all:

Each plain synthetic release takes the title and length (in sentences) of a real dev document of one
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
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.ingest import SourceFile, read_file, scan
from indexer.model import Document

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEV_FOLDERS = ("xquad-dev/docs", "wmt-news-dev/docs")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"„“])")
NAME = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b")
DOCS_PER_FILE = 1000
PLAIN_NUMBER = re.compile(r"(?<![\d.,])\d+(?![.,]?\d)")
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
RENAME_RATE = 0.9  # share of a pair's names that get a variant
RENUMBER_RATE = 0.9


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


@dataclass
class DevData:
    """Aligned (German, English) WMT segments, news document shapes, and the real dev pairs."""

    segments: list[tuple[str, str]]
    shapes: list[int]
    real: list[tuple[Document, Document]]


def load_dev(eval_dir: Path = EVAL) -> DevData:
    """Reads the WMT and XQuAD dev folders; raises FileNotFoundError when they are missing."""
    segments: list[tuple[str, str]] = []
    shapes: list[int] = []
    real: list[tuple[Document, Document]] = []
    for folder, drop in (("wmt-news-dev", 0), ("xquad-dev", 2)):
        root = eval_dir / folder
        for line in (root / "twins.tsv").read_text(encoding="utf-8").splitlines():
            de_id, en_id = line.split("\t")
            de_lines, en_lines = (_lines(root / "docs" / f"{i}.txt", drop) for i in (de_id, en_id))
            if folder == "wmt-news-dev" and len(de_lines) == len(en_lines):
                segments += zip(de_lines, en_lines, strict=True)
                shapes.append(len(de_lines))
            real.append((_document(root / "docs", de_id, drop), _document(root / "docs", en_id, drop)))
    return DevData(segments, shapes, real)


def _lines(path: Path, drop: int) -> list[str]:
    return [s for s in path.read_text(encoding="utf-8").splitlines()[drop:] if s.strip()]


def _document(docs: Path, doc_id: str, drop: int) -> Document:
    """A real dev document read the way the indexer reads it, title lines dropped for XQuAD."""
    path = docs / f"{doc_id}.txt"
    data = "\n".join(path.read_text(encoding="utf-8").split("\n")[drop:]).encode()
    found, _ = read_file(SourceFile(path, f"{doc_id}.txt", len(data), 0), data)
    doc = found[0]
    doc.lang = doc_id.split("/", 1)[0]
    return doc


class Synthesizer:
    """Makes synthetic twin pairs and orphans from aligned dev segments."""

    def __init__(self, dev: DevData, seed: int) -> None:
        self.dev = dev
        self.rng = random.Random(seed)

    def pair(self, n: int) -> tuple[Document, Document]:
        de, en = self._texts()
        return self._doc(f"syn-{n:07d}-de", "de", de), self._doc(f"syn-{n:07d}-en", "en", en)

    def orphan(self, n: int, lang: str) -> Document:
        de, en = self._texts()
        return self._doc(f"orphan-{n:07d}-{lang}", lang, de if lang == "de" else en)

    def _texts(self) -> tuple[list[str], list[str]]:
        rng = self.rng
        chosen = [rng.choice(self.dev.segments) for _ in range(rng.choice(self.dev.shapes))]
        en_text = "\n".join(en for _, en in chosen)
        names = {m: m + self._suffix() for m in sorted(set(NAME.findall(en_text))) if rng.random() < RENAME_RATE}
        numbers = {m: str(rng.randint(10 ** (len(m) - 1), 10 ** len(m) - 1))
                   for m in sorted(set(PLAIN_NUMBER.findall(en_text))) if rng.random() < RENUMBER_RATE}
        person, ref = f"{self._word()} {self._word()}", rng.randint(10**6, 10**7 - 1)
        de = [self._vary(s, names, numbers) for s, _ in chosen] + [f"Kontakt: {person}, Aktenzeichen {ref}."]
        en = [self._vary(s, names, numbers) for _, s in chosen] + [f"Contact: {person}, reference {ref}."]
        return de, en

    def _suffix(self) -> str:
        """Letters for a heavy-tailed index: a few variants are common, most are rare."""
        k, letters = int(self.rng.paretovariate(0.8)), ""
        while k:
            k, r = divmod(k, 26)
            letters += chr(97 + r)
        return letters or "a"

    def _word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    @staticmethod
    def _vary(text: str, names: dict[str, str], numbers: dict[str, str]) -> str:
        text = NAME.sub(lambda m: names.get(m.group(0), m.group(0)), text)
        return PLAIN_NUMBER.sub(lambda m: numbers.get(m.group(0), m.group(0)), text)

    @staticmethod
    def _doc(doc_id: str, lang: str, lines: list[str]) -> Document:
        return Document(id=doc_id, title=lines[0], body="\n".join(lines[1:]), lang=lang)


CITIES = [("Berlin", "Berlin"), ("München", "Munich"), ("Köln", "Cologne"), ("Wien", "Vienna"),
          ("Frankfurt", "Frankfurt"), ("Hamburg", "Hamburg"), ("Brüssel", "Brussels"), ("Genf", "Geneva"),
          ("London", "London"), ("Zürich", "Zurich"), ("Peking", "Beijing"), ("Washington", "Washington")]
OUTLETS = ["Wire", "Presse-Agentur", "Newsdesk", "Business Wire", "Pressedienst", "Newsroom", "Agentur Nord",
           "Media Service"]
BLOCK = ("pair", "pair", "de", "de", "en", "en", "copy", "copy")  # a pair is two releases: ten in all


def wire_releases(n: int, dev: DevData, seed: int = 1, start: int = 0) -> Iterator[dict]:
    """`n` releases of a bilingual wire archive (see the module docstring), numbered from `start`, as
    JSONL records without `lang`, so that the indexer detects languages as it would for loose files."""
    synth, rng = Synthesizer(dev, seed), random.Random(seed)
    recent: deque[dict] = deque(maxlen=50)  # what a syndicated copy copies
    made = start
    n += start
    while True:
        for kind in BLOCK:
            day = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            city, outlet = rng.choice(CITIES), rng.choice(OUTLETS)
            if kind == "copy":
                records = [_syndicated(rng.choice(recent), made, rng)]
            else:
                docs = synth.pair(made) if kind == "pair" else (synth.orphan(made, kind),)
                records = [_record(doc, day, city, outlet) for doc in docs]
            for record in records:
                if made == n:
                    return
                recent.append(record)
                made += 1
                yield record


def _record(doc: Document, day: str, city: tuple[str, str], outlet: str) -> dict:
    place = city[0] if doc.lang == "de" else city[1]
    return {"id": doc.id, "title": doc.title, "date": day, "source": outlet,
            "body": f"{place.upper()} ({outlet}) – {doc.body}"}


def _syndicated(original: dict, n: int, rng: random.Random) -> dict:
    """The same story from another outlet: one sentence dropped, the dateline's outlet changed."""
    lines = original["body"].split("\n")
    if len(lines) > 2:
        del lines[rng.randrange(1, len(lines))]
    outlet = rng.choice([o for o in OUTLETS if o != original["source"]])
    body = "\n".join(lines).replace(f"({original['source']})", f"({outlet})", 1)
    return {**original, "id": f"copy-{n:07d}", "source": outlet, "body": body}


def write_wire_archive(folder: Path, n: int, seed: int = 1, dev: DevData | None = None) -> Path:
    """Writes `n` wire releases as JSONL files of 1,000 under `folder`; returns it."""
    records = wire_releases(n, dev or load_dev(), seed)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, DOCS_PER_FILE):
        with open(folder / f"part-{start // DOCS_PER_FILE:05d}.jsonl", "w", encoding="utf-8") as f:
            for _ in range(start, min(n, start + DOCS_PER_FILE)):
                f.write(json.dumps(next(records), ensure_ascii=False) + "\n")
    return folder
