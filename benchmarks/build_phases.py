"""Where one indexing worker's time goes, per document and phase, against stock Whoosh on the same documents.

    python -m benchmarks.build_phases                 # 2,000 documents of the 10,000 archive
    python -m benchmarks.build_phases --docs 500 --json
    python -m benchmarks.build_phases --smoke --work /tmp/x   # seconds, for CI

Runs in this one process, without worker processes, so each phase can be timed around its own
call: reading and parsing a file, language detection, analysis into posting lists
(`add_document` of our `segments.ListWriter`), twin signals, vocabulary words, and writing the
segment at the end. One-time loads (langdetect profiles, the compound lexicon) happen before the
clock starts. The reference is stock Whoosh (`LanguageAnalyzer`, one stored field pair per
language, the same language detection) indexing the same documents in the same run. The archive
is the speed benchmark's (`benchmarks/synth.py`: a bilingual wire's, with twins and syndicated copies).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index

from benchmarks import machine
from benchmarks.speed import DEFAULT_WORK, ensure_archive, stock_lang, stock_schema
from indexer.backend.whoosh.schema import build_schema
from indexer.backend.whoosh.writer import SegmentPart, document_fields
from indexer.build.workers import prepare, surface_words
from indexer.ingest import SourceFile, read_file, scan
from indexer.lang import compounds
from indexer.lang.detect import detect
from indexer.model import Document
from indexer.twins import signals

PHASES = ("read", "detect", "fields", "add_document", "signals", "words", "write_segment")


def ours(files: list[SourceFile], limit: int, folder: Path) -> tuple[dict[str, float], int]:
    folder.mkdir()
    whoosh_index.create_in(folder, build_schema())
    builder = SegmentPart(folder)
    seconds = dict.fromkeys(PHASES, 0.0)
    count = 0

    def lap(phase: str, since: float) -> float:
        now = time.perf_counter()
        seconds[phase] += now - since
        return now

    for sf in files:
        if count >= limit:
            break
        t = time.perf_counter()
        docs, _ = read_file(sf, sf.path.read_bytes())
        t = lap("read", t)
        for doc in docs[: limit - count]:
            prepare(doc)
            t = lap("detect", t)
            fields = document_fields(doc, str(sf.path))
            t = lap("fields", t)
            builder.writer.add_document(**fields)
            t = lap("add_document", t)
            signals(doc)
            t = lap("signals", t)
            surface_words(f"{doc.title or ''}\n{doc.body}")
            t = lap("words", t)
            count += 1
    t = time.perf_counter()
    builder.finish()
    lap("write_segment", t)
    return seconds, count


def stock(files: list[SourceFile], limit: int, folder: Path) -> float:
    folder.mkdir()
    docs: list[Document] = [d for sf in files for d in read_file(sf, sf.path.read_bytes())[0]][:limit]
    writer = whoosh_index.create_in(folder, stock_schema()).writer()
    started = time.perf_counter()
    for doc in docs:
        lang = stock_lang(f"{doc.title}\n{doc.body}")
        writer.add_document(id=doc.id, lang=lang, date=doc.date,
                            **{f"title_{lang}": doc.title or "", f"body_{lang}": doc.body})
    writer.commit()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.build_phases", description=__doc__.split("\n")[0])
    p.add_argument("--docs", type=int, default=2000, help="documents to index (default 2000)")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"scratch folder (default {DEFAULT_WORK})")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-build_phases.json; "
                   "with --smoke, in the scratch folder)")
    p.add_argument("--json", action="store_true", help="print the result JSON too")
    p.add_argument("--smoke", action="store_true", help="tiny run for CI: 100 documents of a 300-document archive")
    args = p.parse_args(argv)
    archive_docs = 300 if args.smoke else 10_000
    if args.smoke:
        args.docs = min(args.docs, 100)
        args.out = args.out or args.work / f"{time.strftime('%Y-%m-%d')}-build_phases.json"
    print(machine.header(), flush=True)
    archive = args.work / f"n{archive_docs}" / "archive"
    ensure_archive(archive, archive_docs)
    files = list(scan(archive))
    detect("Ein kurzer Satz, damit die Profile geladen sind.")
    compounds.split("Kooperationsvereinbarung")
    with tempfile.TemporaryDirectory() as tmp:
        seconds, count = ours(files, args.docs, Path(tmp) / "ours")
        stock_seconds = stock(files, args.docs, Path(tmp) / "stock")
    total = sum(seconds.values())
    print(f"{count:,} documents, one process")
    print(f"  {'phase':15} {'ms/doc':>8} {'share':>7}")
    for phase in PHASES:
        print(f"  {phase:15} {seconds[phase] / count * 1000:8.3f} {seconds[phase] / total:7.1%}")
    print(f"  {'ours, all':15} {total / count * 1000:8.3f}   ({count / total:,.0f} docs/s)")
    print(f"  {'stock Whoosh':15} {stock_seconds / count * 1000:8.3f}   ({count / stock_seconds:,.0f} docs/s; "
          f"ours/stock {total / stock_seconds:.2f}x the time)")
    data = {"documents": count, "ms_per_doc": {k: round(v / count * 1000, 4) for k, v in seconds.items()},
            "ours_ms_per_doc": round(total / count * 1000, 4),
            "stock_ms_per_doc": round(stock_seconds / count * 1000, 4)}
    path = machine.save("build_phases", data, args.out)
    print(f"results: {path}")
    if args.json:
        print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
