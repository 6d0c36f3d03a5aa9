"""twinsearch's web app: a Flask front end on the indexer's Python API.

    from web import create_app
    app = create_app(index_dir="index")   # or `python -m web --help`

Everything that is not a route lives here: the interface language (Accept-Language, ?ui=, a
cookie), security headers on every response, and error pages that are HTML for people and JSON
for the API, so a bad request never becomes a bare 500.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

import indexer
from indexer.config import request_seconds
from indexer.errors import IndexFormatError
from indexer.query.limits import MAX_QUERY_CHARS, SORTS

from . import exports, i18n
from .views import bp

log = logging.getLogger(__name__)

UI_COOKIE = "ui"
RELEASE_SECONDS = 10.0  # how often a server process closes what idle threads keep of replaced generations
UI_COOKIE_MAX_AGE = 365 * 24 * 3600
REBUILD_COMMAND = "python -m indexer rebuild"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(index_dir: str | Path | None = None) -> Flask:
    """The app, serving the index in `index_dir` (default: $TWINSEARCH_INDEX or `index/`)."""
    app = Flask(__name__)
    app.config["TWINSEARCH_INDEX"] = str(Path(index_dir).absolute()) if index_dir else str(
        indexer.DEFAULT_INDEX_DIR)
    app.config["TWINSEARCH_REQUEST_SECONDS"] = request_seconds()
    app.json.sort_keys = False  # keep the core's field order: id, lang, title, ...
    app.json.ensure_ascii = False
    app.register_blueprint(bp)
    app.register_blueprint(exports.bp)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # readable HTML source
    app.jinja_env.globals.update(t=_t, also_in=_also_in, doc_twin_label=_doc_twin_label, number=_number,
                                 lang_name=_lang_name, search_languages=_search_languages,
                                 REBUILD_COMMAND=REBUILD_COMMAND, UI_NAMES=i18n.UI_NAMES,
                                 SORTS=SORTS, MAX_QUERY_CHARS=MAX_QUERY_CHARS)
    app.before_request(_enter)
    app.before_request(_pick_ui)
    app.after_request(_finish_response)
    app.teardown_request(_leave)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(IndexFormatError, _unreadable_index)
    app.register_error_handler(Exception, _unexpected_error)
    _log_index(app.config["TWINSEARCH_INDEX"])
    return app


def _enter() -> None:
    """A request uses its thread's index handles (`indexer.release_stale`, the server's janitor, must not
    close them meanwhile) and may search for `TWINSEARCH_REQUEST_SECONDS` at most."""
    g.held = ExitStack()
    g.held.enter_context(indexer.in_use())
    g.held.enter_context(indexer.time_limit(current_app.config["TWINSEARCH_REQUEST_SECONDS"]))


def _leave(_error: BaseException | None) -> None:
    held = g.pop("held", None)
    if held is not None:
        held.close()


def release_stale_handles(every: float = RELEASE_SECONDS) -> threading.Thread:
    """Starts the janitor of a server process: every `every` seconds it closes what idle threads keep open
    of generations that no longer serve, so that an idle server lets deleted generations go."""
    def run() -> None:
        while True:
            time.sleep(every)
            try:
                closed = indexer.release_stale()
            except Exception:  # the janitor must outlive anything one round meets
                log.exception("releasing stale index handles failed")
                continue
            if closed:
                log.info("closed %d handles on generations that no longer serve", closed)

    thread = threading.Thread(target=run, name="twinsearch-janitor", daemon=True)
    thread.start()
    return thread


def _log_index(index_dir: str) -> None:
    status = indexer.status(index_dir)
    if status["exists"]:
        log.info("serving the index in %s: %d documents, built %s", index_dir, status["documents"],
                 status["built_at"])
    else:
        log.warning("there is no index in %s yet: build one with `%s --index %s`", index_dir,
                    REBUILD_COMMAND, index_dir)


def _pick_ui() -> None:
    asked = request.args.get("ui")
    g.ui = i18n.pick_ui(asked, request.cookies.get(UI_COOKIE), request.accept_languages)
    g.remember_ui = asked in i18n.UI_LANGS


def _finish_response(response):
    """Security headers on every response, and the interface language remembered when switched."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.vary.update(("Accept-Language", "Cookie"))
    if g.get("remember_ui"):
        response.set_cookie(UI_COOKIE, g.ui, max_age=UI_COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/export.", "/feed.")) or request.path == "/healthz"


def _http_error(e: HTTPException):
    status = e.code or 500
    if _wants_json():
        response = jsonify({"error": e.description if status != 404 else "not found", "status": status})
        response.status_code = status
        return response
    what = request.path.removeprefix("/doc/") if status == 404 else ""
    return render_template("error.html", code=status, what=what), status


def _unreadable_index(e: IndexFormatError):
    """An index this version cannot read: the operator must rebuild; say so, as for a missing index."""
    log.error("%s", e)
    if _wants_json():
        response = jsonify({"error": str(e), "status": 503})
        response.status_code = 503
        return response
    return render_template("error.html", code=503, what="", detail=str(e)), 503


def _unexpected_error(e: Exception):
    """A bug, not bad input: logged with its traceback, answered with a plain apology."""
    if isinstance(e, HTTPException):
        return _http_error(e)
    log.exception("unhandled error on %s", request.path)
    if _wants_json():
        response = jsonify({"error": "internal error", "status": 500})
        response.status_code = 500
        return response
    return render_template("error.html", code=500, what=""), 500


def _ui() -> str:
    return g.get("ui", i18n.DEFAULT_UI)


def _t(key: str, **values: object) -> str:
    return i18n.translate(_ui(), key, **values)


def _also_in(lang: str | None) -> str:
    return i18n.also_in(_ui(), lang)


def _doc_twin_label(lang: str | None) -> str:
    return i18n.doc_twin_label(_ui(), lang)


def _number(n: int) -> str:
    return i18n.number(_ui(), n)


def _lang_name(lang: str | None) -> str:
    return i18n.lang_name(_ui(), lang)


def _search_languages() -> list[tuple[str, str]]:
    return i18n.search_languages(_ui())
