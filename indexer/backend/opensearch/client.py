"""The connection to an OpenSearch cluster, through `opensearch-py` (the project's official client:
connection pooling, retries, TLS and the bulk helpers, none of which we want to write again).

Every failure to reach or use the cluster becomes a `BackendError` that says what failed and where,
without the secrets: the URL is shown without its user and password, keys never."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ...config import OpenSearchSettings, opensearch_settings
from ...errors import BackendError

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT = 60  # seconds per request: bulk requests and deletes by query take their time


def shown(url: str) -> str:
    """The URL without user and password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def connect() -> Any:
    """A client for the configured cluster, one per process: it pools its connections, which a forked
    indexing worker must not share with its parent."""
    return _client(os.getpid(), opensearch_settings())


@cache
def _client(pid: int, settings: OpenSearchSettings) -> Any:
    try:
        from opensearchpy import OpenSearch
    except ImportError:
        raise BackendError("the OpenSearch backend needs the opensearch-py package: "
                           "pip install 'twinsearch[opensearch]'") from None
    options: dict[str, Any] = {"timeout": TIMEOUT, "max_retries": 3, "retry_on_timeout": True,
                               "verify_certs": settings.verify, "ssl_show_warn": settings.verify}
    if settings.ca:
        options["ca_certs"] = settings.ca
    if settings.api_key:
        options["headers"] = {"Authorization": f"ApiKey {settings.api_key}"}
    elif settings.user:
        options["http_auth"] = (settings.user, settings.password or "")
    return OpenSearch(hosts=[settings.url], **options)


def call(what: str, action: Callable[[], T]) -> T:
    """`action()`, with any failure of the cluster told as a `BackendError` naming `what` was tried."""
    from opensearchpy.exceptions import OpenSearchException

    try:
        return action()
    except OpenSearchException as e:
        message = f"OpenSearch at {shown(opensearch_settings().url)} failed to {what}: {_reason(e)}"
        cause = _root_cause(e)
        if cause.get("type") == "too_many_clauses":
            raise ClauseLimit(message, _limit(cause)) from None
        raise BackendError(message) from None


def complete(response: dict, what: str) -> dict:
    """`response`, unless a shard failed to answer: a search over part of the index is an error here, never
    a smaller result (`allow_partial_search_results=false` says so for searches; counts and the answers
    of a multi-search are checked here)."""
    shards = response.get("_shards") or {}
    if not shards.get("failed"):
        return response
    cause = (shards.get("failures") or [{}])[0].get("reason") or {}
    reason = cause.get("reason") or cause.get("type") or "no reason given"
    message = (f"OpenSearch at {shown(opensearch_settings().url)} failed to {what}: {shards['failed']} of "
               f"{shards.get('total')} shards failed: {reason}")[:400]
    if cause.get("type") == "too_many_clauses":
        raise ClauseLimit(message, _limit(cause))
    raise BackendError(message)


def _limit(cause: dict) -> int:
    found = re.search(r"(\d+)", cause.get("reason") or "")
    return int(found.group(1)) if found else 0


class ClauseLimit(BackendError):
    """The cluster refused a query whose prefixes or wildcards expand to more terms than it allows
    (`indices.query.bool.max_clause_count`, `limit`)."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


def _root_cause(e: Exception) -> dict:
    """The first root cause of an OpenSearch error response ({} for other failures)."""
    info = getattr(e, "info", None)
    error = info.get("error") if isinstance(info, dict) else None
    causes = error.get("root_cause") if isinstance(error, dict) else None
    return causes[0] if causes and isinstance(causes[0], dict) else {}


def _reason(e: Exception) -> str:
    """One line from an OpenSearch error: its status and reason (the root cause's, where the response names
    one: "all shards failed" says nothing), not the whole response."""
    status = getattr(e, "status_code", None)
    info = getattr(e, "info", None)
    reason = _root_cause(e).get("reason")
    if reason is None and isinstance(info, dict):
        error = info.get("error")
        reason = error.get("reason") if isinstance(error, dict) else error
    if status == "N/A" or status is None:
        return f"cannot connect ({type(e).__name__}); is the cluster running? (scripts/opensearch.sh status)"
    return f"HTTP {status}: {reason or getattr(e, 'error', '') or type(e).__name__}"[:300]
