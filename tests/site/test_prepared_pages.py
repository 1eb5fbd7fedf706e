"""A cached page is prepared bytes: each variant (identity, gzip, 304) built at most once, only when a request
needs it, chosen by the request's headers, and dropped with the page by an edit; a miss asks the change watch
once. Real servers on SQLite and PostgreSQL (``fast``: hits on the event loop, so the fast path runs on both).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.site.test_fast_path import fast, seed_path, watched, without_date

from qapress.site import page_cache
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

__all__ = ["fast"]


@pytest.fixture
def compressions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The sizes of the bodies the page cache gzip-compresses while the test runs (the real gzip runs)."""
    sizes: list[int] = []
    compress = page_cache.deflate.gzip_compress

    def counted(data: bytes, *args: Any, **kwargs: Any) -> bytearray:
        sizes.append(len(data))
        return compress(data, *args, **kwargs)

    monkeypatch.setattr(page_cache.deflate, "gzip_compress", counted)
    yield sizes


def test_a_page_nobody_asks_compressed_is_never_compressed(fast: LiveSite, compressions: list[int]) -> None:
    path = seed_path(fast)
    fast.site.cache.clear()
    for _ in range(3):
        assert fast.get(path, **{"Accept-Encoding": "identity"}).status_code == 200
    assert compressions == []
    zipped = [fast.request("GET", path, headers={"Accept-Encoding": "gzip"}) for _ in range(3)]
    assert len(compressions) == 1, "the gzip variant is compressed once and kept"
    plain = fast.get(path, **{"Accept-Encoding": "identity"})
    for response in zipped:
        assert response.headers["content-encoding"] == "gzip"
        assert response.content == plain.content  # httpx decoded the same bytes
        assert response.headers["etag"] == plain.headers["etag"]


@pytest.mark.parametrize("accept", ["gzip", "br, gzip;q=0.8", "identity", ""])
def test_each_variant_says_what_it_is(fast: LiveSite, accept: str) -> None:
    path = seed_path(fast)
    fast.site.cache.clear()
    headers = {"Accept-Encoding": accept}  # httpx would send gzip unless told otherwise
    miss = fast.request("GET", path, headers=headers)
    hit = fast.request("GET", path, headers=headers)
    for response in (miss, hit):
        assert response.headers.get_list("vary") == ["Accept-Encoding"]
        encoded = "gzip" in accept
        assert response.headers.get("content-encoding") == ("gzip" if encoded else None)
        sent = response.headers["content-length"]
        assert int(sent) == response.num_bytes_downloaded
    assert without_date(miss) == without_date(hit)


def test_head_gets_the_get_headers_and_no_body(fast: LiveSite) -> None:
    path = seed_path(fast)
    fast.site.cache.clear()
    for accept in ("identity", "gzip"):
        got = fast.request("GET", path, headers={"Accept-Encoding": accept})
        fast_path = watched(fast)
        head = fast.request("HEAD", path, headers={"Accept-Encoding": accept})
        assert fast_path.answered == [path]
        assert head.status_code == 200 and head.content == b""
        assert without_date(head) == without_date(got)


def test_a_304_is_the_same_whatever_the_encoding_asked(fast: LiveSite) -> None:
    path = seed_path(fast)
    fast.site.cache.clear()
    etag = fast.get(path).headers["etag"]
    fast_path = watched(fast)
    answers = [
        fast.get(path, **{"If-None-Match": etag, "Accept-Encoding": accept})
        for accept in ("gzip", "identity")
    ]
    assert fast_path.answered == [path, path]
    for answer in answers:
        assert answer.status_code == 304 and answer.content == b""
        assert answer.headers["etag"] == etag and "content-encoding" not in answer.headers
    assert without_date(answers[0]) == without_date(answers[1])


def test_the_stored_gzip_variant_goes_with_an_edit_on_the_very_next_request(fast: LiveSite) -> None:
    path = seed_path(fast)
    fast.site.cache.clear()
    before = fast.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert fast.request("GET", path, headers={"Accept-Encoding": "gzip"}).content == before.content
    with fast.engine.begin() as connection:
        connection.execute(
            qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title="Compressed after the edit")
        )
    after = fast.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert after.headers["content-encoding"] == "gzip"
    assert HTMLParser(after.text).css_first("h1").text() == "Compressed after the edit"
    assert after.headers["etag"] != before.headers["etag"]


class CountingWatch:
    """The site's real change watch, counting how often a request asks it."""

    def __init__(self, watch: Any) -> None:
        self.watch = watch
        self.does_io = watch.does_io
        self.calls = 0

    def sync(self) -> bool:
        self.calls += 1
        result: bool = self.watch.sync()
        return result

    def stop(self) -> None:
        self.watch.stop()


def test_a_miss_asks_the_change_watch_once(fast: LiveSite) -> None:
    path = seed_path(fast)
    site = fast.site
    counting = CountingWatch(site.changes)
    site.changes = counting  # type: ignore[assignment]
    try:
        site.cache.clear()
        assert fast.get(path).status_code == 200
        assert counting.calls == 1, "the fast path's check serves the miss too"
        assert fast.get(path).status_code == 200
        assert counting.calls == 2
    finally:
        site.changes = counting.watch


def test_templates_are_not_looked_at_again_on_every_render(fast: LiveSite) -> None:
    assert fast.site.renderer.env.auto_reload is False
    assert fast.site.renderer.env.bytecode_cache is None
