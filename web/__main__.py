"""`python -m web`: serve the search app with waitress (or Flask's reloading dev server with --debug)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

import waitress

import indexer

from . import create_app

log = logging.getLogger("web")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m web",
        description="Serve twinsearch's web interface and JSON API.",
        epilog="Without an index the page says so; build one with `python -m indexer rebuild`.",
    )
    parser.add_argument("--host", default=os.environ.get("TWINSEARCH_HOST", DEFAULT_HOST),
                        help=f"address to listen on (env TWINSEARCH_HOST; default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=_env_port(), metavar="N",
                        help=f"port to listen on (env TWINSEARCH_PORT; default {DEFAULT_PORT})")
    parser.add_argument("--index", default=os.environ.get("TWINSEARCH_INDEX"), metavar="DIR",
                        help="index folder (env TWINSEARCH_INDEX; default ./index)")
    parser.add_argument("--threads", type=int, default=4, metavar="N", help="waitress worker threads (default 4)")
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="start serving at once instead of first loading the most used postings")
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with reloader and debugger; never in production")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 to 65535, not {args.port}")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def _env_port() -> int:
    raw = os.environ.get("TWINSEARCH_PORT")
    if not raw:
        return DEFAULT_PORT
    try:
        return int(raw)
    except ValueError:
        sys.exit(f"TWINSEARCH_PORT must be a port number, not {raw!r}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(index_dir=args.index)  # logs the index folder and whether it holds an index
    if args.warm:
        _warm(args.index)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads)


def _warm(index_dir: str | None) -> None:
    """Loads the most used postings before the first request, so that it is as fast as later ones."""
    try:
        warmed = indexer.warm(index_dir)
    except indexer.IndexerError as e:  # no index yet: the page says so
        log.info("nothing to warm: %s", e)
        return
    log.info("warmed %s: %s terms, %s postings in %.1f s", warmed["generation"], f"{warmed['terms']:,}",
             f"{warmed['postings']:,}", warmed["seconds"])


if __name__ == "__main__":
    main()
