"""Latency of `/api/search` over real HTTP: waitress in its own process, a keep-alive client here.

    python -m benchmarks.web_latency --index index [--requests 300] [--queries FILE] [--json]

Starts `python -m web` on a free port of 127.0.0.1 (or measures `--url`), warms it up, then sends
the queries round-robin, one at a time, and reports percentiles of the wall time per request as the
client sees it, beside the search time the core reports (`elapsed_ms`): the difference is what
Flask, JSON and HTTP add. Prints the machine first, since the figures mean little without it.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks.machine import describe, header

ROOT = Path(__file__).resolve().parents[1]
# Words, names, phrases, prefixes, a misspelling (the suggestion path) and language filters, all
# drawn from the seed releases so most requests find something.
SEED_QUERIES: list[dict[str, str]] = [
    {"q": "Finanztechnologie"}, {"q": "Chengdu"}, {"q": "Cass Business School"}, {"q": "fintech"},
    {"q": "Luohu"}, {"q": "Shanghai"}, {"q": "cooperation London"}, {"q": "Kooperation"},
    {"q": "financial center"}, {"q": "Finanzzentrum"}, {"q": "Märkte"}, {"q": "Grossbritannien"},
    {"q": '"Hi-tech Zone"'}, {"q": "financ*"}, {"q": "Shangai"}, {"q": "Jiaozi"},
    {"q": "Papierwährung"}, {"q": "Investitionen China"}, {"q": "trade", "lang": "en"},
    {"q": "Zusammenarbeit", "lang": "de"}, {"q": "London", "lang": "en"}, {"q": "Chengdu Hi-Tech Zone"},
]


def load_queries(path: Path | None) -> list[dict[str, str]]:
    """The seed mix, or a file: one query a line, or JSONL with a `question`/`query`/`q` field."""
    if path is None:
        return SEED_QUERIES
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if path.suffix == ".jsonl":
            rec = json.loads(line)
            line = rec.get("question") or rec.get("query") or rec.get("q") or ""
        if line:
            queries.append({"q": line[:500]})
    if not queries:
        sys.exit(f"no queries in {path}")
    return queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, threads: int) -> tuple[subprocess.Popen, str]:
    """`python -m web` in a child process; returns once /healthz answers 200."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "web", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
         "--threads", str(threads)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited: {proc.stderr.read()[-500:] if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return proc, url
            proc.terminate()
            sys.exit(f"/healthz answered {status}: is there an index in {index}?")
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    sys.exit("the server did not start within 30 s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 2), "p90": round(percentile(values, 90), 2),
            "p99": round(percentile(values, 99), 2), "mean": round(statistics.fmean(values), 2),
            "min": round(min(values), 2), "max": round(max(values), 2)}


def run(url: str, queries: list[dict[str, str]], requests: int, warmup: int, limit: int) -> dict:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    wall, core, hits, errors = [], [], 0, 0
    cycle = itertools.cycle(queries)
    for i in range(warmup + requests):
        params = {**next(cycle), "limit": str(limit)}
        path = "/api/search?" + urlencode(params)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if i < warmup:
            continue
        if response.status != 200:
            errors += 1
            continue
        data = json.loads(body)
        wall.append(elapsed)
        core.append(float(data["elapsed_ms"]))
        hits += bool(data["hits"])
    conn.close()
    if not wall:
        sys.exit(f"every request failed ({errors} errors)")
    return {"requests": requests, "errors": errors, "with_hits": hits, "distinct_queries": len(queries),
            "limit": limit, "wall_ms": summary(wall), "core_ms": summary(core),
            "requests_per_second": round(len(wall) / (sum(wall) / 1000), 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_latency",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, metavar="DIR",
                        help="index folder to serve (starts `python -m web` on it)")
    parser.add_argument("--url", metavar="URL",
                        help="measure a server that is already running instead, e.g. http://127.0.0.1:8080")
    parser.add_argument("--requests", type=int, default=300, metavar="N", help="measured requests (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first (default 20)")
    parser.add_argument("--limit", type=int, default=10, help="hits per request (default 10)")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads of the started server")
    parser.add_argument("--queries", type=Path, metavar="FILE",
                        help="file of queries (lines, or JSONL with `question`); default: a seed mix")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    args = parser.parse_args(argv)
    if not args.index and not args.url:
        parser.error("give --index DIR (or --url of a running server)")
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    queries = load_queries(args.queries)
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server(args.index, args.threads)
    try:
        result = run(url, queries, args.requests, args.warmup, args.limit)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    report = {"machine": describe(), "url": url + "/api/search", "index": str(args.index or ""), **result}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(header())
    print(f"{result['requests']} requests to {report['url']} ({result['distinct_queries']} distinct queries, "
          f"limit {result['limit']}, one at a time, keep-alive): {result['errors']} errors, "
          f"{result['with_hits']} with hits, {result['requests_per_second']} req/s")
    for name, label in (("wall_ms", "client wall time"), ("core_ms", "core search time")):
        s = result[name]
        print(f"  {label:17} p50 {s['p50']:7.2f} ms   p90 {s['p90']:7.2f}   p99 {s['p99']:7.2f}   "
              f"mean {s['mean']:7.2f}   max {s['max']:7.2f}")


if __name__ == "__main__":
    main()
