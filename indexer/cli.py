"""`python -m indexer`: rebuild, update, search, show, stats and twins from the command line.

Exit status: 0 on success, 1 on an error the user can fix (the message is one line on stderr),
2 on bad usage (argparse).
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

import indexer

from . import store
from .backend import BACKENDS
from .backend import DEFAULT as DEFAULT_BACKEND
from .config import (
    BACKEND_ENV,
    DEFAULT_OPENSEARCH_URL,
    INDEX_ENV,
    OPENSEARCH_URL_ENV,
    SOURCE_ENV,
    check_settings,
    resolve_index_dir,
)
from .errors import IndexNotFoundError, Stopped
from .query.limits import SORTS
from .search import export
from .twins import TwinState
from .twins import explain as explain_twin

log = logging.getLogger("indexer")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose + 10 * args.quiet, format="%(message)s",
                        handlers=[RichHandler(console=Console(stderr=True), show_path=False, show_time=False)])
    _stop_on_signals()
    if getattr(args, "backend", None):  # the flags are the environment's settings, for this command
        os.environ[BACKEND_ENV] = args.backend
    if getattr(args, "opensearch_url", None):
        os.environ[OPENSEARCH_URL_ENV] = args.opensearch_url
    try:
        check_settings()
        return args.run(args)
    except BrokenPipeError:  # `... | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (indexer.IndexerError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (`Stopped`): workers are stopped by now
        signum = getattr(e, "signum", signal.SIGINT)
        print(f"interrupted ({signal.Signals(signum).name}); the index that was serving is unchanged",
              file=sys.stderr)
        return 128 + signum


def _stop_on_signals() -> None:
    """SIGTERM (a service manager, `kill`) and SIGHUP (a closed terminal) stop a command as Ctrl-C does:
    the build's workers are stopped and its unfinished generation removed, and the exit code says which."""
    def stop(signum: int, _frame) -> None:
        raise Stopped(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # `nohup` asked to outlive the terminal: so be it
            signal.signal(signum, stop)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help=f"index folder (default: ${INDEX_ENV} or index/)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    common.add_argument("-q", "--quiet", action="count", default=0, help="only errors")
    common.add_argument("--opensearch-url", metavar="URL",
                        help=f"the OpenSearch cluster (default: ${OPENSEARCH_URL_ENV} or {DEFAULT_OPENSEARCH_URL}); "
                        "credentials come from the environment only (README, \"Scaling out\")")
    building = argparse.ArgumentParser(add_help=False)
    building.add_argument("--workers", type=int, metavar="N",
                          help="indexing processes (default: one per core for large jobs, 1 for small ones)")
    building.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                          help="when another rebuild or update is writing to the index, wait for it (the default) "
                          "or, with --no-wait, exit 1 naming its PID")
    building.add_argument("--nice", type=int, default=10, metavar="N",
                          help="lower indexing's CPU priority by N (default 10; 0 keeps it): a search server "
                          "on the same machine stays responsive, and an idle machine still runs it at full speed")
    building.add_argument("--backend", choices=sorted(BACKENDS),
                          help=f"where the new index lives (default: ${BACKEND_ENV} or {DEFAULT_BACKEND}); an update "
                          "and every search use the backend its index was built with")
    p = argparse.ArgumentParser(prog="python -m indexer", description="twinsearch: bilingual press-release "
                                "search. Build an index from a folder of releases, then search it.")
    p.add_argument("--version", action="version", version=f"twinsearch {indexer.__version__}")
    sub = p.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _building_commands(sub, common, building)
    _reading_commands(sub, common)
    return p


def _building_commands(sub, common: argparse.ArgumentParser, building: argparse.ArgumentParser) -> None:
    c = sub.add_parser("rebuild", parents=[common, building], help="index a source folder from scratch",
                       description="Index every release under the source folders into a new index and swap "
                       "it in atomically; the previous index serves until the new one is complete.")
    c.add_argument("--source", action="append", metavar="DIR",
                   help=f"source folder, repeatable (default: ${SOURCE_ENV} or seeds/)")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.set_defaults(run=run_rebuild)

    c = sub.add_parser("update", parents=[common, building], help="index only new, changed and removed files",
                       description="Bring the index up to date with its source folders: new and changed "
                       "files are indexed, removed ones dropped, twins relinked.")
    c.add_argument("--source", action="append", metavar="DIR",
                   help="source folder, repeatable (default: the folders of the last rebuild)")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.set_defaults(run=run_update)


def _reading_commands(sub, common: argparse.ArgumentParser) -> None:
    c = sub.add_parser("search", parents=[common], help="search the index",
                       description='Search in German and English. Syntax: words, "phrases", AND/OR/NOT, '
                       "title:, source:, lang:, date:[2019 TO 2020], prefix*.")
    c.add_argument("query", help="the query (quote it for the shell)")
    c.add_argument("--lang", help="only documents in this language (de, en, ...)")
    c.add_argument("--limit", type=int, default=10, help="hits per page (default 10, at most 100)")
    c.add_argument("--page", type=int, default=1, help="page of results (default 1)")
    c.add_argument("--sort", choices=SORTS, default=SORTS[0],
                   help="order of the results: by relevance (default), or newest or oldest first (undated last)")
    c.add_argument("--from", dest="date_from", metavar="DATE",
                   help="only releases dated from DATE (2019, 2019-07, ...)")
    c.add_argument("--to", dest="date_to", metavar="DATE", help="only releases dated up to DATE (its whole period)")
    c.add_argument("--source", help="only releases from this source (also the sources they cite)")
    c.add_argument("--place", help="only releases from this place")
    c.add_argument("--exact", action="store_true",
                   help="search exactly what is typed: when nothing is found, do not search a compound's parts "
                   "or the spelling suggestion instead")
    c.add_argument("--facets", action="store_true",
                   help="also show how all the results divide by language, year, source and place")
    c.add_argument("--json", action="store_true", help="print the results as JSON (facets included)")
    c.add_argument("--csv", action="store_true",
                   help="print every result (up to 10,000) as CSV for a spreadsheet: id, language, date, title, "
                   "source, place, url, twin, score")
    c.add_argument("--jsonl", action="store_true", help="print every result (up to 10,000) as JSON lines")
    c.add_argument("--explain", action="store_true",
                   help="show how each hit was found: its own text, translated query words, or its twin")
    c.set_defaults(run=run_search)

    c = sub.add_parser("show", parents=[common], help="show one document",
                       description="Show one document with all its fields.")
    c.add_argument("id", help="document id, e.g. 001_e333d4c9757654c0 or de/report-7")
    c.add_argument("--json", action="store_true", help="print the document as JSON")
    c.set_defaults(run=run_show)

    c = sub.add_parser("stats", parents=[common], help="what the index holds",
                       description="Documents per language, twin links, skipped files, index age.")
    c.add_argument("--json", action="store_true", help="print as JSON")
    c.set_defaults(run=run_stats)

    c = sub.add_parser("twins", parents=[common], help="list twin links (German <-> English)",
                       description="List the links between German releases and their English twins, or "
                       "explain why one document was or was not linked.")
    c.add_argument("--min-score", type=float, help="only links scoring at least this much")
    c.add_argument("--explain", metavar="ID", help="show the top candidates and their signals for one document")
    c.add_argument("--json", action="store_true", help="print as JSON")
    c.set_defaults(run=run_twins)


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _print_report(report: indexer.Report, as_json: bool, verb: str) -> int:
    if as_json:
        _print_json(report.to_dict())
        return 0
    langs = ", ".join(f"{k}: {v}" for k, v in sorted(report.languages.items())) or "none"
    print(f"{verb} {report.index_dir} in {report.seconds:.1f}s: {report.documents} documents ({langs}), "
          f"{report.twins} twin links")
    if verb == "updated":
        print(f"  {report.added} added, {report.removed} removed, {report.unchanged_files} files unchanged")
    print("  time by step: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items()))
    if report.peak_mb:
        print("  memory high-water mark after each step: "
              + ", ".join(f"{name} {mb:,} MB" for name, mb in report.peak_mb.items()))
    if report.skipped:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(report.skipped_reasons.items()))
        print(f"  skipped {len(report.skipped)}: {reasons}")
        for s in report.skipped[:20]:
            print(f"    {s.path}: {s.reason}")
        if len(report.skipped) > 20:
            print(f"    ... and {len(report.skipped) - 20} more (see --json)")
    return 0


def run_rebuild(args) -> int:
    _yield_cpu(args.nice)
    report = indexer.rebuild(args.source, args.index, show_progress=not args.json, workers=args.workers,
                             wait=args.wait)
    return _print_report(report, args.json, "rebuilt")


def run_update(args) -> int:
    _yield_cpu(args.nice)
    report = indexer.update(args.index, args.source, show_progress=not args.json, workers=args.workers,
                            wait=args.wait)
    return _print_report(report, args.json, "updated")


def _yield_cpu(nice: int) -> None:
    """Indexing runs behind interactive work; its worker processes inherit the priority.

    Linux shares CPU time fairly between sessions first ("autogroups"), so `nice` alone orders
    processes only within one session. A process that leads its own session (started by a
    scheduler or a service manager) therefore also lowers its session's priority, which then
    affects only itself and its workers; a command run from a shell leaves the shell's alone."""
    if nice <= 0 or not hasattr(os, "nice"):
        return
    os.nice(nice)
    if os.getsid(0) == os.getpid():
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(nice))
        except OSError:  # no autogroups (another OS, or a kernel without them)
            pass


MARKED = re.compile(r'<mark( class="part")?>(.*?)</mark>')


def _terminal(snippet_html: str) -> str:
    """Snippet HTML as rich markup: marks become highlighted, everything else literal text."""
    out = []
    for p in re.split(r'(<mark(?: class="part")?>.*?</mark>)', snippet_html):
        marked = MARKED.fullmatch(p)
        if marked is None:
            out.append(escape(html.unescape(p)))
        else:  # a word that shares only a compound part with the query is underlined, not highlighted
            style = "underline" if marked.group(1) else "bold black on yellow"
            out.append(f"[{style}]{escape(html.unescape(marked.group(2)))}[/]")
    return "".join(out)


def run_search(args) -> int:
    if args.csv or args.jsonl:
        return _export(args)
    results = indexer.search(args.query, index_dir=args.index, lang=args.lang, limit=args.limit, page=args.page,
                             date_from=args.date_from, date_to=args.date_to, source=args.source, sort=args.sort,
                             place=args.place, exact=args.exact, explain=args.explain)
    if results.total and results.page > results.pages:
        raise indexer.QueryError(f"there is no page {results.page}: the {results.total} results fill "
                                 f"{results.pages} page{'s' if results.pages > 1 else ''}")
    if args.json:
        _print_json(results.to_dict())
        return 0
    out = Console(highlight=False, soft_wrap=False)
    first = (results.page - 1) * results.limit + 1
    out.print(f"{results.total} result{'' if results.total == 1 else 's'} for {escape(results.query)!s} (page "
              f"{results.page} of {results.pages}, {results.elapsed_ms:.0f} ms)")
    if results.showing:
        out.print(f"showing results for: [bold]{escape(results.showing)}[/] (--exact searches "
                  f"{escape(results.query)} as typed)")
    elif results.suggestion:
        out.print(f"did you mean: [bold]{escape(results.suggestion)}[/]?")
    if args.facets:
        out.print(f"  {'tabs:':8}" + ", ".join(f"{code or 'all'} ({n})" for code, n in results.tabs.items()))
        for name, counts in results.facets.items():
            out.print(f"  {name + ':':8}{escape(', '.join(f'{value} ({n})' for value, n in counts)) or '-'}")
    for n, hit in enumerate(results, first):
        meta = " · ".join(x for x in (hit.date, hit.place, hit.source) if x)
        out.print(f"\n[bold]{n}. [{hit.lang.upper()}] {escape(hit.title or hit.id)}[/]  [dim]{escape(hit.id)}"
                  f"  score {hit.score:.2f}[/]")
        if meta:
            out.print(f"   [dim]{escape(meta)}[/]")
        out.print(f"   {_terminal(hit.snippet)}")
        if hit.twin_hit:
            twin = hit.twin_hit
            out.print(f"   also in [{twin.lang.upper()}]: {escape(twin.title or twin.id)}  [dim]{escape(twin.id)}  "
                      f"score {twin.score:.2f}[/]")
            out.print(f"   {_terminal(twin.snippet)}")
        elif hit.twin:
            out.print(f"   [dim]twin ({(hit.twin_lang or '').upper()}): {escape(hit.twin)}[/]")
        if hit.paths is not None:
            out.print(f"   [dim]found through: {escape(_explanation(hit))}[/]")
    return 0


def _export(args) -> int:
    """`search --csv` / `--jsonl`: the whole result set on stdout; a note on stderr when it was cut."""
    found = export.rows(args.query, index_dir=args.index, lang=args.lang, date_from=args.date_from,
                        date_to=args.date_to, source=args.source, place=args.place, sort=args.sort,
                        exact=args.exact)
    sys.stdout.write(export.to_csv(found) if args.csv else export.to_jsonl(found))
    if found.cut:
        print(f"exported the first {len(found.rows):,} of {found.total:,} results", file=sys.stderr)
    return 0


def _explanation(hit: indexer.Hit) -> str:
    """`its own text, translation (cooperation → zusammenarbeit), its twin`."""
    names = {"text": "its own text", "twin": "its twin", "translation": "translation ({})".format(
        "; ".join(f"{word} → {', '.join(found)}" for word, found in (hit.matched or {}).items()))}
    return ", ".join(names[p] for p in hit.paths or []) or "nothing (a filter only)"


def run_show(args) -> int:
    doc = indexer.get(args.id, index_dir=args.index)
    if doc is None:
        raise indexer.IndexerError(f"no document with id {args.id!r} (search for it with `python -m indexer "
                                   "search`)")
    if args.json:
        _print_json(doc)
        return 0
    for key in ("id", "lang", "title", "date", "place", "source", "cited", "editor", "url", "path", "twin"):
        value = doc.get(key)
        if value:
            print(f"{key + ':':8} {', '.join(value) if isinstance(value, list) else value}")
    print()
    print(doc["body"])
    return 0


def run_stats(args) -> int:
    info = indexer.status(args.index)
    if not info["exists"]:
        raise IndexNotFoundError(resolve_index_dir(args.index))
    if args.json:
        _print_json(info)
        return 0
    langs = ", ".join(f"{k}: {v}" for k, v in sorted(info["languages"].items()))
    print(f"index:     {info['index_dir']} ({info['generation']})")
    print(f"documents: {info['documents']} ({langs})")
    print(f"twins:     {info['twins']} links")
    print(f"skipped:   {info['skipped']} files {info['skipped_reasons'] or ''}".rstrip())
    print(f"sources:   {', '.join(info['sources'])}")
    print(f"built:     {info['built_at']} ({info['age_seconds']:.0f}s ago, took {info['build_seconds']}s)")
    t = info["translation"]
    where = (f"{t['dictionary']} ({t['dictionary_entries']:,} entries)" if t["dictionary"] else
             f"not installed (Debian package {t['dictionary_package']}): learned lexicon only")
    print(f"dictionary: {where}")
    print(f"learned:   {t['learned_translations']:,} translations from {t['learned_from_pairs']:,} twin pairs")
    print(f"compounds: {'split (wordfreq)' if t['compound_lexicon'] else 'not split: wordfreq is not installed'}")
    return 0


def run_twins(args) -> int:
    if args.explain:
        gen = store.require(resolve_index_dir(args.index))
        state = TwinState.load(gen)
        if args.explain not in state.signals:
            raise indexer.IndexerError(f"no document with id {args.explain!r} in the index")
        kwargs = {"min_score": args.min_score} if args.min_score is not None else {}
        explained = explain_twin(args.explain, state.signals, state.stated, **kwargs)
        if args.json:
            _print_json(explained)
        else:
            _print_twin_explanation(explained)
        return 0
    found = indexer.twins(args.index, min_score=args.min_score)
    if args.json:
        _print_json([{"de_id": t.de, "en_id": t.en, "score": t.score, "stated": t.stated} for t in found])
        return 0
    for t in found:
        print("\t".join([t.de, t.en, f"{t.score:.3f}", *(["stated"] if t.stated else [])]))
    print(f"{len(found)} links", file=sys.stderr)
    return 0


def _print_twin_explanation(explained: dict) -> None:
    """`twins --explain ID` for a person: the verdict, the link, and each candidate's signals."""
    print(f"{explained['id']} ({explained.get('lang', '?')}): {explained['verdict']}")
    if explained.get("link"):
        link = indexer.Link(**explained["link"])
        stated = "  (stated)" if link.stated else ""
        print(f"  link: {link.de} <-> {link.en}  score {link.score:.3f}{stated}")
    for c in explained.get("candidates", []):
        partner = f", linked to {c['linked_to']}" if c["linked_to"] else ""
        print(f"  candidate {c['id']}  score {c['score']:.3f}{partner}")
        signals = ", ".join(f"{name} {s['value']} ({s['logit']:+.2f})" for name, s in c["signals"].items()
                            if "value" in s)
        print(f"    signals: {signals}")
        shared = "; ".join(f"{group}: {' '.join(keys[:6])}" for group, keys in c["shared"].items() if keys)
        if shared:
            print(f"    shared: {shared}")
    print(f"  (min score {explained['min_score']}; --json for every detail)")
