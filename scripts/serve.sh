#!/usr/bin/env bash
# The one run command: sets up, indexes the seeds (or $TWINSEARCH_SOURCE) and serves the search page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m web --check "$@"  # a busy port or a bad setting: one line, before the rebuild
.venv/bin/python -m indexer rebuild
exec .venv/bin/python -m web "$@"
