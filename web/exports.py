"""Downloads and feeds of a search: the whole result set as CSV or JSONL, the newest releases as Atom.

They take the search page's parameters, so a search a user has refined on the page is what they
download or follow. Everything from a release is escaped by the writers (csv, ElementTree).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, request, url_for

import indexer
from indexer.dates import period
from indexer.search import export

from .params import page_params

bp = Blueprint("exports", __name__)

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
SUMMARY_CHARS = 400


def _rows(sort: str | None = None, limit: int | None = None) -> export.Export:
    p = page_params(request.args)
    if not p.q:
        abort(400, description="parameter q is required")
    kwargs = {"limit": limit} if limit else {}
    try:
        return export.rows(p.q, index_dir=current_app.config["TWINSEARCH_INDEX"], lang=p.lang,
                           date_from=p.date_from, date_to=p.date_to, source=p.source, place=p.place,
                           sort=sort or p.sort, exact=p.exact, **kwargs)
    except indexer.IndexNotFoundError as e:
        abort(503, description=str(e))
    except ValueError as e:  # a query or filter the core cannot answer
        abort(400, description=str(e))


def _download(body: str, mimetype: str, suffix: str, found: export.Export) -> Response:
    name = re.sub(r"[^\w-]+", "-", request.args.get("q", ""), flags=re.ASCII).strip("-")[:60] or "search"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="twinsearch-{name}.{suffix}"'
    response.headers["X-Total-Results"] = str(found.total)
    response.headers["X-Exported-Results"] = str(len(found.rows))  # fewer than the total: cut at 10,000
    return response


@bp.route("/export.csv")
def export_csv():
    found = _rows()
    return _download(export.to_csv(found), "text/csv", "csv", found)


@bp.route("/export.jsonl")
def export_jsonl():
    found = _rows()
    return _download(export.to_jsonl(found), "application/x-ndjson", "jsonl", found)


@bp.route("/feed.atom")
def feed():
    """The newest releases of a search as an Atom feed, for a feed reader or a monitoring desk."""
    found = _rows(sort="newest", limit=FEED_ENTRIES)
    built = indexer.status(current_app.config["TWINSEARCH_INDEX"]).get("built_at")
    fallback = _timestamp(datetime.fromisoformat(built) if built else datetime.now(timezone.utc))
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = f"twinsearch: {request.args.get('q', '')}"
    ET.SubElement(root, "id").text = request.url
    ET.SubElement(root, "link", rel="self", href=request.url)
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=url_for("web.search", _external=True,
                                                                                 **request.args))
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "twinsearch"
    updated = ET.SubElement(root, "updated")
    stamps = []
    for row in found.rows:
        entry = ET.SubElement(root, "entry")
        href = url_for("web.document", doc_id=row["id"], _external=True)
        ET.SubElement(entry, "id").text = href
        ET.SubElement(entry, "title").text = row["title"] or row["id"]
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=href, hreflang=row["lang"] or "")
        when = period(row["date"])
        stamp = _timestamp(when.start.replace(tzinfo=timezone.utc)) if when else fallback
        stamps.append(stamp)
        ET.SubElement(entry, "updated").text = stamp
        if row["source"]:
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = row["source"]
        doc = indexer.get(row["id"], index_dir=current_app.config["TWINSEARCH_INDEX"]) or {}
        summary = " ".join((doc.get("body") or "").split())[:SUMMARY_CHARS]
        ET.SubElement(entry, "summary", type="text").text = summary
    updated.text = max(stamps, default=fallback)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return Response(body, mimetype="application/atom+xml")


def _timestamp(when: datetime) -> str:
    """RFC 3339, as Atom wants it."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
