"""`python -m web`: serve the search app with waitress (or Flask's reloading dev server with --debug)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

import waitress

import indexer
from indexer import config
from indexer.errors import SettingError

from . import create_app, release_stale_handles

log = logging.getLogger("web")

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m web",
        description="Serve twinsearch's web interface and JSON API.",
        epilog="Without an index the page says so; build one with `python -m indexer rebuild`.",
    )
    parser.add_argument("--host", default=config.web_host(),
                        help=f"address to listen on (env {config.HOST_ENV}; default {config.DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=_setting(config.web_port), metavar="N",
                        help=f"port to listen on (env {config.PORT_ENV}; default {config.DEFAULT_PORT})")
    parser.add_argument("--index", default=os.environ.get(config.INDEX_ENV), metavar="DIR",
                        help=f"index folder (env {config.INDEX_ENV}; default ./index)")
    parser.add_argument("--threads", type=int, default=4, metavar="N",
                        help="waitress worker threads per process (default 4)")
    parser.add_argument("--processes", type=int, default=_setting(config.web_processes),
                        metavar="N", help="server processes sharing the port: Python runs one thread at a time "
                        f"per process, so it takes a second process to use a second core (env "
                        f"{config.PROCESSES_ENV}; default: one per core)")
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="start serving at once instead of first loading the most used postings")
    parser.add_argument("--check", action="store_true",
                        help="only check the settings and that the address is free, then exit (0: it is)")
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with reloader and debugger; never in production")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 to 65535, not {args.port}")
    if args.threads < 1 or args.processes < 1:
        parser.error("--threads and --processes must be at least 1")
    return args


def _setting(read: Callable[[], int]) -> int:
    try:
        return read()
    except SettingError as e:
        sys.exit(f"error: {e}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        config.check_settings()  # a bad value would otherwise surface in the first search, as a query error
    except SettingError as e:
        sys.exit(f"error: {e}")
    sock = _listen(args.host, args.port)  # before anything slow: a busy port is one line, at once
    if args.check:
        sock.close()
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(index_dir=args.index)  # logs the index folder and whether it holds an index
    if args.debug:
        sock.close()
        app.run(host=args.host, port=args.port, debug=True)
        return
    if args.warm:
        _warm(args.index)
    if args.processes == 1:
        _freeze()
        waitress.serve(app, sockets=[sock], threads=args.threads)
    else:
        _serve_processes(app, args, sock)


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), backlog=1024)
    except OSError as e:
        sys.exit(f"error: cannot listen on {host}:{port}: {e.strerror or e} (is another server running there? "
                 "choose another with --port)")


def _serve_processes(app, args: argparse.Namespace, sock: socket.socket) -> None:
    """`args.processes` waitress servers accepting on one socket. They are forked after the warm-up
    and share its postings; each opens its own searchers (open files must not be shared)."""
    indexer.close_handles()
    _freeze()
    children = []
    for _ in range(args.processes):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            release_stale_handles()
            try:
                waitress.serve(app, sockets=[sock], threads=args.threads)
            finally:
                os._exit(1)
        children.append(pid)
    log.info("%d server processes on http://%s:%d", len(children), args.host, args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        pid, status = os.wait()  # one process ended: stop the others rather than serve at part strength
        children.remove(pid)
        log.error("server process %d ended (status %d); stopping", pid, status)
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _freeze() -> None:
    """Moves what start-up loaded (the warm-up's postings and words, the dictionary) out of the garbage
    collector's sight, as Python's `gc.freeze` documents for servers that fork: a full collection walked
    all of it (~80 ms at 100,000 releases, now and then in the middle of a request), and in a forked
    process it would write to every page it walked. A generation that stops serving undoes it
    (`indexer.search.handles`), so that what it leaves behind is collected."""
    gc.collect()
    gc.freeze()


def _warm(index_dir: str | None) -> None:
    """Loads the most used postings before the first request, so that it is as fast as later ones."""
    try:
        warmed = indexer.warm(index_dir)
    except indexer.IndexerError as e:  # no index yet: the page says so
        log.info("nothing to warm: %s", e)
        return
    log.info("warmed %s in %.1f s: %s words analyzed; %s postings of %s terms decoded (segments with a "
             "sidecar need none)", warmed["generation"], warmed["seconds"], f"{warmed['words']:,}",
             f"{warmed['postings']:,}", f"{warmed['terms']:,}")


if __name__ == "__main__":
    main()
