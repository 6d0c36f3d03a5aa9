"""What a benchmark ran on, printed with every result: figures mean little without it."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def describe() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def header() -> str:
    m = describe()
    return f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['platform']} ({m['date']})"


def save(name: str, data: dict, path: Path | None = None) -> Path:
    """Writes `path` (default `benchmarks/results/<date>-<name>.json`) with the machine and the command line."""
    path = path or RESULTS / f"{time.strftime('%Y-%m-%d')}-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": describe(), "command": " ".join(["python", "-m", f"benchmarks.{name}", *sys.argv[1:]]),
               **data}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def publish(name: str, data: dict, as_json: bool, report: Callable[[dict], None], path: Path | None = None) -> None:
    """Saves a benchmark's results (`save`), then prints them as JSON or as its report."""
    path = save(name, data, path)
    if as_json:
        print(json.dumps({"machine": describe(), **data}, indent=2, ensure_ascii=False))
    else:
        report(data)
        print(f"written: {path}", file=sys.stderr)
