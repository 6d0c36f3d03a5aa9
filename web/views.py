"""The routes: search page, document page, JSON API and health check, all on the indexer's API.

No search logic lives here: the views read and clean parameters, call `indexer`, and shape what
comes back for a template or for JSON. The only HTML trusted from the core is a hit's snippet and
`indexer.highlight()` output (escaped text plus `<mark>`); everything else is escaped by Jinja.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from markupsafe import Markup

import indexer

from . import i18n
from .params import ParamError, SearchParams, api_params, page_params

bp = Blueprint("web", __name__)

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
PAGER_RADIUS = 2  # page links shown either side of the current one


def index_dir() -> str:
    return current_app.config["TWINSEARCH_INDEX"]


@dataclass
class Entry:
    """One card as the page shows it: a hit, and its twin's hit when the twin shares its card."""

    hit: Any
    snippet: Markup
    twin_hit: Any = None
    twin_snippet: Markup | None = None


def cards(hits: list) -> list[Entry]:
    """One entry per hit; the core has already put a twin that matched only through translation on its
    partner's card (`Hit.twin_hit`), so the page shows as many cards as `total` counts."""
    return [Entry(hit, Markup(hit.snippet), hit.twin_hit, Markup(hit.twin_hit.snippet) if hit.twin_hit else None)
            for hit in hits]


def run_search(p: SearchParams) -> Any:
    return indexer.search(p.q, index_dir=index_dir(), lang=p.lang, limit=p.limit, page=p.page,
                          date_from=p.date_from, date_to=p.date_to, source=p.source, place=p.place, sort=p.sort,
                          exact=p.exact)


def pager(page: int, pages: int) -> list[int | None]:
    """Page numbers to link: first, last and a window around the current page; None is a gap."""
    wanted = {1, pages, *range(page - PAGER_RADIUS, page + PAGER_RADIUS + 1)}
    out: list[int | None] = []
    for n in sorted(x for x in wanted if 1 <= x <= pages):
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


@bp.route("/")
def search():
    """The search page: empty state, results, or a readable message; never a 500 for user input."""
    p = page_params(request.args)
    status = indexer.status(index_dir())
    if not status["exists"]:
        return no_index_page(p, status)
    context: dict[str, Any] = {"p": p, "status": status, "results": None, "entries": [],
                               "error": None, "pages": []}
    if p.q:
        try:
            results = run_search(p)
            if p.page > results.pages:
                p.page = results.pages
                results = run_search(p)
        except indexer.IndexNotFoundError:
            return no_index_page(p, indexer.status(index_dir()))
        except ValueError as e:  # indexer.QueryError is a ValueError: a malformed query or filter
            context["error"] = str(e)
            return render_template("search.html", **context), 400
        if p.asked_page is not None and p.asked_page != results.page:
            p.notices.append(("param_notice_page", {"asked": p.asked_page, "page": results.page}))
        context.update(results=results, entries=cards(results.hits),
                       pages=pager(results.page, results.pages))
    return render_template("search.html", **context)


def no_index_page(p: SearchParams, status: dict):
    """The search page saying there is no index yet, and the command that builds one."""
    return render_template("search.html", p=p, status=status, results=None, entries=[], error=None,
                           pages=[]), 503


@bp.route("/doc/<path:doc_id>")
def document(doc_id: str):
    """A whole release, its words highlighted when reached from a search, with a link to its twin."""
    p = page_params(request.args)
    try:
        doc = indexer.get(doc_id, index_dir=index_dir())
    except indexer.IndexNotFoundError:
        return no_index_page(p, indexer.status(index_dir()))
    if doc is None:
        abort(404)
    paragraphs = [part.strip() for part in PARAGRAPH_BREAK.split(doc.get("body") or "") if part.strip()]
    if p.q:
        body = [Markup(indexer.highlight(part, p.q, doc.get("lang"), index_dir=index_dir()))
                for part in paragraphs]
        title = Markup(indexer.highlight(doc.get("title") or "", p.q, doc.get("lang"), index_dir=index_dir()))
    else:
        body, title = [Markup.escape(part) for part in paragraphs], Markup.escape(doc.get("title") or "")
    twin = indexer.get(doc["twin"], index_dir=index_dir()) if doc.get("twin") else None
    return render_template("doc.html", doc=doc, title=title, body=body, twin=twin, p=p,
                           safe_url=safe_url(doc.get("url")), related=indexer.related(doc_id, index_dir=index_dir()))


def safe_url(url: str | None) -> str | None:
    """A document's own URL is linked only when it is plain http(s): never `javascript:` and friends."""
    if url and re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
        return url
    return None


def api_error(status: int, message: str):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


@bp.route("/api/search")
def api_search():
    """JSON search: the core's Results as a dict; 400 for bad parameters, 503 without an index."""
    try:
        p = api_params(request.args)
        results = run_search(p)
    except ParamError as e:
        return api_error(400, str(e))
    except indexer.IndexNotFoundError as e:
        return api_error(503, str(e))
    except ValueError as e:
        return api_error(400, str(e))
    return jsonify(results.to_dict())


@bp.route("/api/doc/<path:doc_id>")
def api_document(doc_id: str):
    try:
        doc = indexer.get(doc_id, index_dir=index_dir())
    except indexer.IndexNotFoundError as e:
        return api_error(503, str(e))
    if doc is None:
        return api_error(404, f"no document with id {doc_id!r}")
    return jsonify(doc)


@bp.route("/api/related/<path:doc_id>")
def api_related(doc_id: str):
    """Up to 5 releases like this one, in either language (its twin excluded); 404 for an unknown id."""
    try:
        if indexer.get(doc_id, index_dir=index_dir()) is None:
            return api_error(404, f"no document with id {doc_id!r}")
        found = indexer.related(doc_id, index_dir=index_dir())
    except indexer.IndexNotFoundError as e:
        return api_error(503, str(e))
    return jsonify({"id": doc_id, "related": [hit.to_dict() for hit in found]})


@bp.route("/healthz")
def healthz():
    """For a load balancer or a monitor: 200 with the index's size and age, 503 when there is none."""
    status = indexer.status(index_dir())
    body = {"status": "ok" if status["exists"] else "no index", "index_exists": status["exists"],
            "documents": status["documents"], "languages": status.get("languages", {}),
            "built_at": status.get("built_at"), "age_seconds": status.get("age_seconds"),
            "index_dir": status["index_dir"]}
    if not status["exists"]:
        body["hint"] = "build one with `python -m indexer rebuild`"
    response = jsonify(body)
    response.status_code = 200 if status["exists"] else 503
    return response


@bp.app_template_global()
def url_with(**changes: Any) -> str:
    """The current page's URL with some parameters changed (None drops one); keeps the rest."""
    args = {k: v for k, v in request.args.items() if k != "ui"}
    args.update(changes)
    endpoint = request.endpoint or "web.search"
    view_args = dict(request.view_args or {})
    return url_for(endpoint, **view_args, **{k: v for k, v in args.items() if v not in (None, "")})


FACET_PARAMS = {"lang": ("lang",), "year": ("from", "to"), "source": ("source",), "place": ("place",)}


@bp.app_template_global()
def facet_url(name: str, value: str | None) -> str:
    """The current search narrowed to one facet value (None: that facet's restriction removed)."""
    return url_with(page=None, **dict.fromkeys(FACET_PARAMS[name], value))


@bp.app_template_global()
def facet_selected(p: SearchParams, name: str, value: str) -> bool:
    """Whether the search is already narrowed to this facet value."""
    current = {"lang": p.lang, "year": p.date_from if p.date_from == p.date_to else None,
               "source": p.source, "place": p.place}[name]
    return current == value


@bp.app_template_global()
def export_url(endpoint: str) -> str:
    """A download or feed of the current search, with its parameters (not the page)."""
    args = {k: v for k, v in request.args.items() if k not in ("ui", "page") and v}
    return url_for(endpoint, **args)


@bp.app_template_global()
def search_url(**params: Any) -> str:
    """A search URL with the given parameters, leaving out the empty ones."""
    return url_for("web.search", **{k: v for k, v in params.items() if v not in (None, "")})


@bp.app_template_global()
def doc_url(doc_id: str, q: str | None = None) -> str:
    return url_for("web.document", doc_id=doc_id, q=q or None)


@bp.app_context_processor
def inject_ui() -> dict:
    return {"ui": g.get("ui", i18n.DEFAULT_UI)}
