"""A local news site for the feed tests: article pages and feeds (RSS, Atom, JSON Feed) on 127.0.0.1.

The feeds honour ``If-None-Match`` and ``If-Modified-Since`` like a real server (304 when nothing changed),
and every request is recorded, so a test can tell what the poller sent and how often."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from tests.generate.servers import serve

__all__ = ["PUBLISHER", "NewsSite", "serve"]

SOURCES = Path(__file__).parent.parent / "generate" / "sources"
PUBLISHER = "Riverside Gazette"
LAST_MODIFIED = format_datetime(dt.datetime(2025, 5, 2, 8, 0, tzinfo=dt.UTC), usegmt=True)


def article_html(kind: str) -> str:
    """A plain article page made from one of the generate tests' sources (first line is the title)."""
    title, *paragraphs = (SOURCES / f"{kind}.txt").read_text(encoding="utf-8").strip().splitlines()
    body = "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs if paragraph.strip())
    return (
        "<!doctype html><html><head>"
        f"<title>{escape(title)}</title>"
        f'<meta property="og:site_name" content="{PUBLISHER}">'
        '<meta property="article:published_time" content="2025-05-01T09:00:00Z">'
        f"</head><body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    )


@dataclass
class NewsSite:
    """Articles at ``/news/{kind}``; feeds at ``/rss.xml``, ``/atom.xml``, ``/feed.json`` listing ``items``
    (paths or absolute URLs), and whatever ``raw_feeds`` holds at ``/raw/{name}``."""

    items: list[str] = field(default_factory=lambda: ["/news/sport", "/news/science"])
    raw_feeds: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
    #: Article paths that answer 503 this many more times before they work.
    unavailable: dict[str, int] = field(default_factory=dict)

    def etag(self) -> str:
        return '"' + str(abs(hash(tuple(self.items)))) + '"'

    def app(self) -> Starlette:
        async def article(request: Request) -> Response:
            self.requests.append((request.url.path, dict(request.headers)))
            kind = request.path_params["kind"]
            if self.unavailable.get(request.url.path, 0) > 0:
                self.unavailable[request.url.path] -= 1
                return Response("busy", status_code=503)
            if not (SOURCES / f"{kind}.txt").exists():
                return Response("not found", status_code=404)
            return HTMLResponse(article_html(kind))

        def feed_route(render: str, media_type: str):  # type: ignore[no-untyped-def]
            async def handler(request: Request) -> Response:
                self.requests.append((request.url.path, dict(request.headers)))
                headers = {"ETag": self.etag(), "Last-Modified": LAST_MODIFIED}
                if request.headers.get("if-none-match") == self.etag():
                    return Response(status_code=304, headers=headers)
                return Response(getattr(self, render)(), media_type=media_type, headers=headers)

            return handler

        async def raw(request: Request) -> Response:
            self.requests.append((request.url.path, dict(request.headers)))
            body, media_type = self.raw_feeds[request.path_params["name"]]
            return Response(body, media_type=media_type)

        return Starlette(
            routes=[
                Route("/news/{kind}", article),
                Route("/rss.xml", feed_route("rss", "application/rss+xml")),
                Route("/atom.xml", feed_route("atom", "application/atom+xml")),
                Route("/feed.json", feed_route("json_feed", "application/feed+json")),
                Route("/raw/{name}", raw),
            ]
        )

    def hits(self, path: str) -> int:
        return sum(1 for seen, _headers in self.requests if seen == path)

    def rss(self) -> str:
        items = "".join(
            f"<item><title>Story {number}</title><link>{escape(self.absolute(item))}</link>"
            f'<guid isPermaLink="false">rss-{escape(item)}</guid>'
            "<pubDate>Thu, 01 May 2025 09:00:00 GMT</pubDate></item>"
            for number, item in enumerate(self.items, start=1)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{PUBLISHER}</title><link>{self.base}/</link><description>News</description>"
            f"{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>Story {number}</title><id>tag:gazette,2025:{escape(item)}</id>"
            f'<link rel="alternate" href="{escape(item)}"/>'
            "<updated>2025-05-01T09:00:00Z</updated></entry>"
            for number, item in enumerate(self.items, start=1)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{PUBLISHER}</title><id>tag:gazette,2025:feed</id><updated>2025-05-01T09:00:00Z</updated>"
            f"{entries}</feed>"
        )

    def json_feed(self) -> str:
        return json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": PUBLISHER,
                "home_page_url": f"{self.base}/",
                "items": [
                    {
                        "id": f"json-{item}",
                        "url": self.absolute(item),
                        "title": f"Story {number}",
                        "content_text": "See the page.",
                        "date_published": "2025-05-01T09:00:00Z",
                    }
                    for number, item in enumerate(self.items, start=1)
                ],
            }
        )

    def absolute(self, item: str) -> str:
        return item if "://" in item else self.base + item
