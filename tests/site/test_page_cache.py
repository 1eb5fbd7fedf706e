import gzip

from qapress.site.page_cache import PageCache, RenderedPage


def page(body: bytes, revision: int = 1) -> RenderedPage:
    return RenderedPage(200, body, "text/html", 0.0, revision)


def test_a_page_is_served_only_at_the_revision_it_was_rendered_at() -> None:
    cache = PageCache(10)
    cache.put("screen.localhost", "/a/1/x", page(b"one", revision=1))
    assert cache.get("screen.localhost", "/a/1/x", 1) is not None
    assert cache.get("news.localhost", "/a/1/x", 1) is None
    assert cache.get("screen.localhost", "/a/1/x", 2) is None
    assert cache.get("screen.localhost", "/a/1/x", 1) is None  # dropped when found stale


def test_the_cache_is_bounded_and_keeps_the_recently_used() -> None:
    cache = PageCache(2)
    cache.put("h", "/1", page(b"1"))
    cache.put("h", "/2", page(b"2"))
    assert cache.get("h", "/1", 1) is not None
    cache.put("h", "/3", page(b"3"))
    assert len(cache) == 2
    assert cache.get("h", "/2", 1) is None and cache.get("h", "/1", 1) is not None


def test_old_entries_expire() -> None:
    cache = PageCache(2, max_lifetime=-1)
    cache.put("h", "/1", page(b"1"))
    assert cache.get("h", "/1", 1) is None


def test_etags_follow_the_body_and_gzip_roundtrips() -> None:
    assert page(b"a").etag == page(b"a").etag != page(b"b").etag
    assert page(b"a").etag.startswith('W/"')
    assert gzip.decompress(page(b"x" * 1000).gzipped()) == b"x" * 1000


def test_size_zero_keeps_nothing() -> None:
    cache = PageCache(0)
    cache.put("h", "/", page(b"1"))
    assert len(cache) == 0
