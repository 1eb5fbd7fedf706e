"""The answers for a site's generated images: article cards, touch icons and the web app manifest.

The PNGs are drawn by ``images`` and kept in a small per-process LRU keyed by their ETag (a hash of what they
are drawn from), so a card is drawn once per title and answered with 304 to a client that has it.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import Response

from qapress.site.domains import Domain
from qapress.site.favicon import site_colour
from qapress.site.images import TOUCH_ICON_SIZES, card_png, image_etag, touch_icon_png
from qapress.site.queries import PageQueries
from qapress.site.urls import SiteURLs
from qapress.site.views import first_row, long_date, parse_date

#: Browsers and crawlers may keep an image a day; a changed title gets a new ETag all the same.
IMAGE_CACHE_CONTROL = "public, max-age=86400"
MANIFEST_TYPE = "application/manifest+json"


class DrawnImages:
    """The most recently drawn PNGs, by ETag (thread-safe: routes draw in the threadpool)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._images: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._images.get(etag)
            if body is not None:
                self._images.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        with self._lock:
            self._images[etag] = body
            self._images.move_to_end(etag)
            while len(self._images) > self.size:
                self._images.popitem(last=False)


def _matches(headers: Headers, etag: str) -> bool:
    return etag in [tag.strip() for tag in headers.get("if-none-match", "").split(",")]


class SiteImages:
    """Draws and answers the generated images of the site a request is for."""

    def __init__(self, queries: PageQueries) -> None:
        self.queries = queries
        self.drawn = DrawnImages()

    def _answer(self, headers: Headers, etag: str, draw: Callable[[], bytes]) -> Response:
        common = {"ETag": etag, "Cache-Control": IMAGE_CACHE_CONTROL}
        if _matches(headers, etag):
            return Response(status_code=304, headers=common)
        body = self.drawn.get(etag)
        if body is None:
            body = draw()
            self.drawn.put(etag, body)
        return Response(body, media_type="image/png", headers=common)

    def card(self, headers: Headers, site: Domain, article_id: int) -> Response | None:
        """The card of a published article of ``site``, or ``None`` when there is none (a 404)."""
        row = first_row(self.queries.run("card", {"id": article_id}).data.get("article"))
        if row is None or row.get("domain") != site.id:
            return None
        title = str(row.get("title") or "")
        dated = long_date(parse_date(row.get("date")))
        etag = image_etag("card", title, site.name, site.host, dated)
        return self._answer(headers, etag, lambda: card_png(title, site.name, site.host, dated))

    def touch_icon(self, headers: Headers, site: Domain, size: int) -> Response | None:
        if size not in TOUCH_ICON_SIZES:
            return None
        etag = image_etag("icon", str(size), site.name, site.host)
        return self._answer(headers, etag, lambda: touch_icon_png(site.name, site.host, size))


def web_manifest(site: Domain, urls: SiteURLs) -> Response:
    """The web app manifest: the site's name, colour and icons (what a phone shows when a reader saves it)."""
    colour = site_colour(site.host)
    body = {
        "name": site.name,
        "short_name": site.name[:12],
        "description": site.description,
        "lang": site.language,
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": colour,
        "icons": [
            {"src": urls.path(f"/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in TOUCH_ICON_SIZES
            if size != 180
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        media_type=MANIFEST_TYPE,
        headers={"Cache-Control": IMAGE_CACHE_CONTROL},
    )
