"""An article page the cache lacks is built and sent in raw ASGI (``miss_path``) exactly as Starlette would.

Each check asks for the same miss twice on a real server, once with the miss path switched off and once
with it on. Each rendering carries its own form token (and so its own ETag and length): those are masked
before the answers are compared.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from starlette.types import Scope, Send
from tests.site.test_fast_path import seed_path

from qapress.site.app import SiteServer
from qapress.site.errors import PageQueryFailed
from qapress.site.fast_path import PageCacheFastPath
from qapress.site.miss_path import ArticleMisses
from qapress.store.demo import SEED_ARTICLE_ID

if TYPE_CHECKING:
    from tests.site.live import LiveSite

TOKEN = re.compile(rb'name="csrf" value="[^"]*"')
#: What differs between two renderings of one page: the form token, what is computed from the body, and the
#: time of rendering (``Last-Modified``; two renderings can fall in different seconds).
PER_RENDERING = frozenset({"date", "last-modified", "etag", "content-length"})


class WatchedMisses(ArticleMisses):
    """The real miss path, noting the paths it built and sent itself."""

    built: list[str]

    async def answer(self, scope: Scope, send: Send, *found: Any) -> bool:
        done = await super().answer(scope, send, *found)
        if done:
            self.built.append(found[1])  # the cache key's path
        return done


def use_misses(live: LiveSite, on: bool) -> WatchedMisses:
    app = live.app
    assert isinstance(app, SiteServer)
    misses = WatchedMisses(live.site, list(app.routes))
    misses.built = []
    app.fast_path = PageCacheFastPath(live.site, misses if on else None)
    return misses


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(name, value) for name, value in response.headers.multi_items() if name not in PER_RENDERING]
    return response.status_code, headers, TOKEN.sub(b"", response.content)


def miss(
    live: LiveSite, on: bool, method: str, path: str, **headers: str
) -> tuple[httpx.Response, list[str]]:
    misses = use_misses(live, on)
    live.site.cache.clear()
    response = live.request(method, path, headers=headers)
    return response, misses.built


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {"Accept-Encoding": "identity"}),
        ("GET", {"Accept-Encoding": "gzip"}),
        ("HEAD", {"Accept-Encoding": "gzip, deflate"}),
    ],
)
def test_a_miss_gets_every_header_and_byte_the_slow_path_sends(
    live: LiveSite, method: str, headers: dict[str, str]
) -> None:
    path = seed_path(live)
    slow, slow_built = miss(live, False, method, path, **headers)
    quick, quick_built = miss(live, True, method, path, **headers)
    assert (slow_built, quick_built) == ([], [path])
    assert quick.status_code == 200
    assert comparable(quick) == comparable(slow)


def test_redirects_missing_articles_and_other_hosts_match_too(live: LiveSite) -> None:
    for path in (f"/a/{SEED_ARTICLE_ID}", f"/a/{SEED_ARTICLE_ID}/wrong-slug", "/a/999999999/nothing"):
        slow, _ = miss(live, False, "GET", path)
        quick, built = miss(live, True, "GET", path)
        assert built == [path], path
        assert comparable(quick) == comparable(slow), path
    # A host that is no site of the network: whatever the host policy answers, the same both ways.
    slow, _ = miss(live, False, "GET", seed_path(live), Host=f"nowhere.example:{live.port}")
    quick, _ = miss(live, True, "GET", seed_path(live), Host=f"nowhere.example:{live.port}")
    assert comparable(quick) == comparable(slow)
    assert miss(live, True, "GET", "/a/999999999/nothing")[0].status_code == 404


def test_the_built_page_is_cached_for_the_hit_path(live: LiveSite) -> None:
    path = seed_path(live)
    first, built = miss(live, True, "GET", path)
    again = live.get(path)
    assert built == [path]
    assert again.headers["etag"] == first.headers["etag"] and again.content == first.content


def test_what_is_no_article_page_goes_the_slow_way(live: LiveSite) -> None:
    misses = use_misses(live, True)
    live.site.cache.clear()
    assert live.get(f"/a/{2**31}/too-large").status_code == 404  # beyond GraphQL's Int: no article
    assert live.get("/").status_code == 200
    assert live.get(f"/a/{SEED_ARTICLE_ID}/x/y").status_code == 404
    assert misses.built == []


def test_a_failed_query_gets_the_slow_paths_error_page(
    live: LiveSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's failure is left to the slow path, which builds again and answers with its error page."""
    calls: list[int] = []

    def failing(*_args: object) -> None:
        calls.append(1)
        raise PageQueryFailed("the store is gone", code="unexpected")

    misses = use_misses(live, True)
    live.site.cache.clear()
    monkeypatch.setattr(live.site.pages, "article", failing)
    answer = live.get(seed_path(live))
    assert answer.status_code == 500 and "could not be loaded" in answer.text
    assert misses.built == [] and len(calls) == 2


def test_a_miss_is_counted_under_its_route(live: LiveSite) -> None:
    use_misses(live, True)
    live.site.cache.clear()
    before = counted(live)
    live.get(seed_path(live))
    assert counted(live) == before + 1


def counted(live: LiveSite) -> float:
    text = live.get("/metrics").text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("qapress_http_requests_total{") and 'route="/a/{id:int}/{slug}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
