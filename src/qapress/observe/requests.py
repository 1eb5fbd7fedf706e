"""Every HTTP request observed once: its route's count and latency, a request id, and a log line if asked.

``observe_request`` wraps the whole application, the page-cache fast path included, so a cached page is
counted like any other; its cost is two clock reads, one pre-built label lookup and a wrapped ``send``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from qapress.http_protocol import RESPONSE_STARTS, with_header
from qapress.observe.logs import FIELDS
from qapress.observe.metrics import ERRORS, HTTP_REQUESTS, HTTP_SECONDS, TALLY

log = logging.getLogger("qapress.request")

REQUEST_ID_HEADER = b"x-request-id"
_CLIENT_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
#: The route label of pages answered by the page-cache fast path (which never reaches the router).
FAST_PATH_ROUTE = "page_cache"
#: Set in the request's scope by the server when the fast path answered it.
FAST_PATH_SCOPE_KEY = "qapress.fast_path"
#: The status the fast path sent, set in the scope by the fast path itself.
FAST_PATH_STATUS = "qapress.fast_path_status"
UNMATCHED_ROUTE = "unmatched"

App = Callable[[Scope, Receive, Send], Awaitable[None]]


#: Methods with a label of their own; any other (clients may send anything) counts as ``other``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

#: (route, method, status, one more counter or None) -> the counters (the 5xx one too) and histogram a
#: request adds to: ``labels()`` costs microseconds, a dict lookup nanoseconds. Bounded: routes are the
#: app's, methods the set above, statuses three digits.
_series: dict[tuple[str, str, int, Any], tuple[tuple[Any, ...], Any]] = {}


def series(route: str, method: str, status: int) -> tuple[Any, Any]:
    method = method if method in METHODS else "other"
    return HTTP_REQUESTS.labels(route, method, str(status)), HTTP_SECONDS.labels(route)


def request_id(scope: Scope) -> bytes:
    """The caller's ``X-Request-Id`` when it is a sane token, else a new random one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _CLIENT_REQUEST_ID.fullmatch(value):
            return bytes(value)
    return uuid.uuid4().hex.encode()


def route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return FAST_PATH_ROUTE if scope.get(FAST_PATH_SCOPE_KEY) else UNMATCHED_ROUTE


def header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value).decode("latin-1")
    return ""


async def observe_request(
    app: App, scope: Scope, receive: Receive, send: Send, *, log_requests: bool
) -> None:
    """Run ``app`` for one HTTP request and record it (and, with ``log_requests``, log it with an id)."""
    started = time.perf_counter()
    status = 500
    rid = request_id(scope) if log_requests else None

    async def observed_send(message: Message) -> None:
        nonlocal status
        if message["type"] in RESPONSE_STARTS:
            status = message["status"]
            if rid is not None:  # ``_CLIENT_REQUEST_ID``'s characters or hex: a safe header value
                message = with_header(message, REQUEST_ID_HEADER, rid)
        await send(message)

    try:
        await app(scope, receive, observed_send)
    finally:
        seconds = time.perf_counter() - started
        route = route_label(scope)
        record(route, scope["method"], status, seconds)
        if rid is not None:
            log_request(scope, status, seconds, route, rid.decode())


def record(route: str, method: str, status: int, seconds: float) -> None:
    """One answered request in the metrics: its count and its time (cheap: see ``Tally``)."""
    counters, histogram = _bundle(route, method, status, None)
    TALLY.count_and_observe(counters, histogram, seconds)


def record_with(route: str, method: str, status: int, seconds: float, also: Any) -> None:
    """``record``, and one more counter (``also``: the page cache's hits) in the same step."""
    counters, histogram = _bundle(route, method, status, also)
    TALLY.count_and_observe(counters, histogram, seconds)


def _bundle(route: str, method: str, status: int, also: Any) -> tuple[tuple[Any, ...], Any]:
    key = (route, method, status, also)
    found = _series.get(key)
    if found is None:
        counter, histogram = series(route, method, status)
        counters = (counter,) if also is None else (counter, also)
        if status >= 500:
            counters += (ERRORS.labels("http_5xx"),)
        found = _series[key] = (counters, histogram)
    return found


def log_request(scope: Scope, status: int, seconds: float, route: str, rid: str) -> None:
    client = scope.get("client")
    host = header(scope, b"host")
    query = scope.get("query_string", b"")
    path = scope["path"] + ("?" + query.decode("latin-1") if query else "")
    fields = {
        "event": "request",
        "request_id": rid,
        "method": scope["method"],
        "host": host,
        "path": path,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client": client[0] if client else None,
    }
    log.info(
        "%s %s%s %s %.1f ms", scope["method"], host, path, status, seconds * 1000, extra={FIELDS: fields}
    )
