#!/usr/bin/env bash
# The one test command: sets up (venv, packages, Chromium), starts a two-node OpenSearch cluster for the
# OpenSearch backend's tests (where a JDK and Maven are installed; stopped again on any exit), and runs
# ruff and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
if command -v mvn >/dev/null && command -v javac >/dev/null; then
    export TWINSEARCH_OPENSEARCH_HOME
    TWINSEARCH_OPENSEARCH_HOME=$(mktemp -d "${TMPDIR:-/tmp}/twinsearch-test-opensearch.XXXXXX")
    # free ports, away from a developer's own cluster on 9200/9300
    read -r OPENSEARCH_HTTP_PORT OPENSEARCH_TRANSPORT_PORT < <(.venv/bin/python -m tests.ports)
    export OPENSEARCH_HTTP_PORT OPENSEARCH_TRANSPORT_PORT
    trap 'bash scripts/opensearch.sh stop --clean >/dev/null' EXIT
    if bash scripts/opensearch.sh start --nodes 2 --heap 384m; then
        export TWINSEARCH_TEST_OPENSEARCH_URL="http://127.0.0.1:$OPENSEARCH_HTTP_PORT"
    elif [ -n "${CI:-}" ]; then
        echo "test.sh: the OpenSearch cluster did not start, and CI must run its tests" >&2
        exit 1
    else
        echo "test.sh: the OpenSearch cluster did not start; its tests will skip" >&2
    fi
fi
.venv/bin/python -m pytest -q -ra "$@"
