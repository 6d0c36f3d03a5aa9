#!/usr/bin/env bash
# The one test command: sets up (venv, packages, Chromium) and runs the whole suite plus ruff.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/python -m pytest -q -ra "$@"
