"""Fuzzing the Python API and the web tier of an existing index: no undocumented exception, no 5xx.

    python -m benchmarks.fuzz --index DIR [--calls 10000] [--requests 5000] [--port 8123] [--out FILE]

Throws random queries (pieces of the query syntax and odd characters), parameters of every type and odd
ids at `indexer.search`/`get`/`related` and, through a real server (`python -m web`), at the page, the
API, the exports and the document pages; then times wildcard and range queries, and a normal query
while 8 range queries run. Prints the counts (exceptions that are not `IndexerError`, status codes,
requests over 2 s) and the machine; writes `benchmarks/results/<date>-fuzz.json`.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import indexer
from benchmarks import machine

ROOT = Path(__file__).resolve().parents[1]
PIECES = ["London", "Luohu", "Trump", "Brexit", "finanz*", "fi?tech", "*", "*a*", "?", "AND", "OR", "NOT", "ANDNOT",
          "ANDMAYBE", "TO", "(", ")", '"', "[", "]", "{", "}", ":", "title:", "body:", "path:*", "lang:", "lang:de",
          "date:", "date:[x TO y]", "date:[2019-13 TO 2020]", "date:>", "date:<=", "2019", "2019-02-30", "x",
          "source:", "place:", "^2", "~", "~2", "-", "+", "\\", "und", "the", "\x00", "\udc80", "ß", "😀", "\t", "%",
          "&", "#", "x" * 300, "title:[a TO z]", "lo*", "Zw*"]
SEARCH_PARAMS = ["lang", "limit", "page", "date_from", "date_to", "source", "place", "sort", "exact"]
WEB_PARAMS = ["q", "lang", "from", "to", "source", "place", "sort", "page", "limit", "exact"]
PATHS = ["/", "/api/search", "/export.csv", "/feed.atom", "/doc/", "/api/doc/", "/api/related/"]
EXPENSIVE = ["*", "*a*", "path:*", "body:*", "title:[a TO z]", "lo*", "Zw*"]


class Fuzzer:
    def __init__(self, seed: int = 14) -> None:
        self.rng = random.Random(seed)

    def query(self) -> str:
        rng = self.rng
        return " ".join(rng.choice(PIECES) if rng.random() < 0.8 else
                        "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(1, 6)))
                        for _ in range(rng.randrange(1, 7)))

    def value(self) -> Any:
        return self.rng.choice([None, "", "de", "en", "xx", 5, -1, 10**20, "2019", "2019-02-30", "x", "newest",
                                "a\udc80", 3.5, [], self.query()])

    def api(self, index: str, calls: int) -> dict:
        """`calls` random calls; counts the exceptions that are not `IndexerError`, by type."""
        undocumented: Counter[str] = Counter()
        started = time.perf_counter()
        for _ in range(calls):
            pick = self.rng.random()
            try:
                if pick < 0.7:
                    params = {k: self.value() for k in self.rng.sample(SEARCH_PARAMS, self.rng.randrange(0, 4))}
                    indexer.search(self.query(), index_dir=index, **params)
                elif pick < 0.85:
                    doc_id = self.rng.choice([self.query(), "a\udc80", "\x00", "../../etc/passwd", "x" * 5000, 5])
                    indexer.get(doc_id, index_dir=index)
                else:
                    indexer.related(self.rng.choice([self.query(), "a\udc80", "x" * 5000]), index_dir=index)
            except indexer.IndexerError:
                pass
            except Exception as e:  # what this benchmark counts
                undocumented[type(e).__name__] += 1
        return {"calls": calls, "seconds": round(time.perf_counter() - started, 1),
                "undocumented": sum(undocumented.values()), "by_type": dict(undocumented)}

    def path(self) -> str:
        path = self.rng.choice(PATHS)
        if path.endswith("/") and path != "/":
            return path + urllib.parse.quote(self.query().encode("utf-8", "surrogatepass"), safe="")
        names = self.rng.sample(WEB_PARAMS, self.rng.randrange(1, 5))
        params = {k: v for k in names if (v := self.value()) is not None}
        params.setdefault("q", self.query())
        return path + "?" + urllib.parse.urlencode({k: str(v).encode("utf-8", "surrogatepass")
                                                    for k, v in params.items()})


def fetch(base: str, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            code = response.status
    except urllib.error.HTTPError as e:
        code = e.code
    except OSError:
        code = -1  # no answer at all
    return code, time.perf_counter() - started


def web(fuzzer: Fuzzer, index: str, requests: int, port: int) -> dict:
    server = subprocess.Popen([sys.executable, "-m", "web", "--index", index, "--port", str(port), "--processes", "1"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if fetch(base, "/healthz")[0] == 200:
                break
            time.sleep(0.2)
        codes: Counter[int] = Counter()
        times = []
        for _ in range(requests):
            code, seconds = fetch(base, fuzzer.path())
            codes[code] += 1
            times.append(seconds)
        expensive = {q: fetch(base, "/api/search?" + urllib.parse.urlencode({"q": q})) for q in EXPENSIVE}
        busy: list[tuple[int, float]] = []
        threads = [threading.Thread(target=lambda: busy.append(fetch(base, "/api/search?q=title%3A%5Ba+TO+z%5D")))
                   for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        normal = fetch(base, "/api/search?q=London")
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait()
    return {"requests": requests, "status": {str(k): v for k, v in sorted(codes.items())},
            "server_errors": sum(v for k, v in codes.items() if k >= 500 or k < 0),
            "over_2s": sum(t > 2 for t in times), "slowest_s": round(max(times), 2),
            "expensive_ms": {q: [code, round(s * 1000)] for q, (code, s) in expensive.items()},
            "normal_while_8_ranges": [normal[0], round(normal[1] * 1000)],
            "the_8": [[code, round(s * 1000)] for code, s in busy]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split("\n")[0])
    p.add_argument("--index", required=True, help="an index folder")
    p.add_argument("--calls", type=int, default=10_000, help="Python API calls (default 10,000)")
    p.add_argument("--requests", type=int, default=5_000, help="HTTP requests (default 5,000)")
    p.add_argument("--port", type=int, default=8123, help="port for the server it starts (default 8123)")
    p.add_argument("--out", type=Path, help="result file (default benchmarks/results/<date>-fuzz.json)")
    args = p.parse_args(argv)
    print(machine.header(), flush=True)
    fuzzer = Fuzzer()
    data = {"releases": indexer.status(args.index)["documents"], "api": fuzzer.api(args.index, args.calls)}
    a = data["api"]
    print(f"{data['releases']:,} releases; Python API: {a['calls']:,} calls in {a['seconds']} s, "
          f"{a['undocumented']} exceptions that are not IndexerError {a['by_type'] or ''}")
    data["web"] = w = web(fuzzer, args.index, args.requests, args.port)
    print(f"HTTP: {w['requests']:,} requests, status {w['status']}, 5xx or no answer: {w['server_errors']}, "
          f"over 2 s: {w['over_2s']}, slowest {w['slowest_s']} s")
    for q, (code, ms) in w["expensive_ms"].items():
        print(f"  {q!r}: HTTP {code} in {ms} ms")
    print(f"  a normal query while 8 range queries run: HTTP {w['normal_while_8_ranges'][0]} in "
          f"{w['normal_while_8_ranges'][1]} ms (the 8: {w['the_8']})")
    print(f"results: {machine.save('fuzz', data, args.out)}")
    return 0 if a["undocumented"] == 0 and w["server_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
