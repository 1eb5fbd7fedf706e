"""Pages the links benchmark points at: each links back to the canonical URL in its ``to`` parameter.

``/page?to=URL&n=N`` answers a small HTML page with ``<a href="URL">`` in it; with ``&nolink=1`` the link
is left out, so the worker's "missing backlink" path runs too. Stateless, so any number of links can point
at one server.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
FILLER = "<p>" + "Words about the article, for a page of realistic size. " * 60 + "</p>"


def page(to: str, n: str, with_link: bool) -> bytes:
    link = f'<p>Read <a href="{html.escape(to)}">the answer</a>.</p>' if with_link else ""
    return (
        f"<!doctype html><html><head><title>Page {html.escape(n)}</title></head>"
        f"<body><h1>Page {html.escape(n)}</h1>{FILLER}{link}{FILLER}</body></html>"
    ).encode()


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    query = parse_qs(scope.get("query_string", b"").decode())
    if scope["path"] != "/page" or "to" not in query:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    body = page(query["to"][0], query.get("n", ["0"])[0], "nolink" not in query)
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
