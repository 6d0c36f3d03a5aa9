#!/usr/bin/env bash
# Sets up twinsearch in ./.venv. With --test also the test tools and a Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
    # Debian packages are optional extras: without them the feature says so and the rest works.
    command -v apt-get >/dev/null || { echo "setup: no apt-get; skipping $*" >&2; return 0; }
    missing=$(for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
    [ -z "$missing" ] && return 0
    (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) \
        >/dev/null 2>&1 || echo "setup: could not install $missing with apt-get" >&2
}

# The German-English dictionary (GPL) for query translation, read from its installed path;
# without it translation falls back to the lexicon learned from the archive's own twins.
apt_install trans-de-en
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# A regular (not editable) install: run from this folder, `python -m indexer` and `python -m web` use
# the code here anyway, and an editable install prints setuptools' warnings at every set-up.
if [ $want_test = 1 ]; then
    .venv/bin/python -m pip install -q '.[test]'
    apt_install chromium time  # the browser tests; /usr/bin/time measures peak memory in benchmarks
else
    .venv/bin/python -m pip install -q .
fi
