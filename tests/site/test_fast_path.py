"""The raw-ASGI fast path answers cache hits exactly as the Starlette app would, and never a stale page.

Each check asks the same request twice on a real server: once with the fast path switched off (Starlette's
router, middlewares and ``page_response``) and once with it on, and compares what came back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.types import Scope, Send

from qapress.site.app import SiteServer
from qapress.site.fast_path import PageCacheFastPath
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite


class WatchedFastPath(PageCacheFastPath):
    """The real fast path, noting the paths it answered itself."""

    answered: list[str]

    async def answer(self, scope: Scope, send: Send) -> bool:
        done = await super().answer(scope, send)
        if done:
            self.answered.append(scope["path"])
        return done


@pytest.fixture(scope="module")
def fast(demo_url: str) -> Iterator[LiveSite]:
    """The site with hits on the event loop on both databases, so the fast path runs on both."""
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, page_cache_hits_on_loop=True) as site:
        yield site
    engine.dispose()


def watched(live: LiveSite) -> WatchedFastPath:
    app = live.app
    assert isinstance(app, SiteServer)
    fast_path = WatchedFastPath(live.site)
    fast_path.answered = []
    app.fast_path = fast_path
    return fast_path


def slow_path(live: LiveSite) -> None:
    app = live.app
    assert isinstance(app, SiteServer)
    app.fast_path = None


def seed_path(live: LiveSite) -> str:
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == SEED_ARTICLE_ID)).scalar_one()
    return f"/a/{SEED_ARTICLE_ID}/{slug}"


def without_date(response: httpx.Response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.multi_items() if name != "date"]


def both_ways(live: LiveSite, method: str, path: str, headers: dict[str, str]) -> tuple[httpx.Response, ...]:
    """The answer of the slow path on a miss, of the slow path on a hit, and of the fast path on a hit."""
    slow_path(live)
    live.site.cache.clear()
    built = live.request(method, path, headers=headers)
    cached = live.request(method, path, headers=headers)
    fast_path = watched(live)
    fast = live.request(method, path, headers=headers)
    assert fast_path.answered == [path.split("?")[0]], "the fast path did not answer the hit"
    return built, cached, fast


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {}),
        ("GET", {"Accept-Encoding": "gzip"}),
        ("GET", {"Accept-Encoding": "identity"}),
        ("HEAD", {"Accept-Encoding": "gzip, deflate"}),
    ],
)
def test_a_hit_gets_every_header_and_byte_the_slow_path_sends(
    fast: LiveSite, method: str, headers: dict[str, str]
) -> None:
    built, cached, quick = both_ways(fast, method, seed_path(fast), headers)
    assert quick.status_code == cached.status_code == built.status_code == 200
    assert without_date(quick) == without_date(cached) == without_date(built)
    assert quick.content == cached.content == built.content
    names = {name for name, _ in without_date(quick)}
    assert {
        "etag",
        "last-modified",
        "cache-control",
        "content-type",
        "vary",
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "permissions-policy",
    } <= names


def test_a_matching_etag_gets_the_same_304_both_ways(fast: LiveSite) -> None:
    path = seed_path(fast)
    slow_path(fast)
    fast.site.cache.clear()
    etag = fast.get(path).headers["etag"]  # each rendering has its own form token, hence its own ETag
    cached = fast.get(path, **{"If-None-Match": etag})
    fast_path = watched(fast)
    quick = fast.get(path, **{"If-None-Match": f'"x", {etag}'})
    assert fast_path.answered == [path]
    assert quick.status_code == cached.status_code == 304
    assert without_date(quick) == without_date(cached)
    assert quick.content == b""
    other = fast.get(seed_path(fast), **{"If-None-Match": 'W/"not-this-one"'})
    assert other.status_code == 200 and other.headers["etag"] == etag


def test_a_head_with_a_matching_etag_gets_the_same_304_both_ways(fast: LiveSite) -> None:
    path = seed_path(fast)
    slow_path(fast)
    fast.site.cache.clear()
    etag = fast.get(path).headers["etag"]
    cached = fast.request("HEAD", path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    fast_path = watched(fast)
    quick = fast.request("HEAD", path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert fast_path.answered == [path]
    assert quick.status_code == cached.status_code == 304
    assert without_date(quick) == without_date(cached)


def test_redirects_and_error_pages_from_the_cache_match_too(fast: LiveSite) -> None:
    paths = (
        f"/a/{SEED_ARTICLE_ID}/wrong-slug",
        "/a/999999999/nothing",
        "/?page=2",
        "/feed.xml",
        "/search?q=heat",
        "/sitemap.xml",
    )
    for path in paths:
        built, cached, quick = both_ways(fast, "GET", path, {"Accept-Encoding": "gzip"})
        assert quick.status_code == cached.status_code == built.status_code
        assert without_date(quick) == without_date(cached) == without_date(built), path
        assert quick.content == built.content


def test_an_edit_is_seen_on_the_very_next_request(fast: LiveSite) -> None:
    path = seed_path(fast)
    fast_path = watched(fast)
    fast.site.cache.clear()
    fast.get(path)
    fast.get(path)
    assert fast_path.answered == [path]
    with fast.engine.begin() as connection:
        connection.execute(
            qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title="Edited a moment ago")
        )
    edited = fast.get(path)
    assert HTMLParser(edited.text).css_first("h1").text() == "Edited a moment ago"
    assert fast_path.answered == [path]  # the stale entry fell through to be rebuilt
    again = fast.get(path)
    assert HTMLParser(again.text).css_first("h1").text() == "Edited a moment ago"
    assert fast_path.answered == [path, path]


def test_other_requests_fall_through(fast: LiveSite) -> None:
    path = seed_path(fast)
    fast_path = watched(fast)
    fast.site.cache.clear()
    fast.get(path)  # a miss: built by the app
    last_modified = fast.get(path).headers["last-modified"]
    assert fast.get(path, **{"If-Modified-Since": last_modified}).status_code == 304
    assert fast.get("/healthz").text == "ok"
    assert fast.request("POST", path, data={"url": "x"}).status_code == 403
    assert fast_path.answered == [path]
