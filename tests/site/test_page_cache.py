import gzip

from qapress.site.page_cache import PageCache, RenderedPage


def page(body: bytes, *tags: str) -> RenderedPage:
    return RenderedPage(200, body, "text/html", 0.0, frozenset(("all", *tags)))


def test_an_invalidation_drops_exactly_the_pages_carrying_its_tags() -> None:
    cache = PageCache(10)
    cache.put("screen.localhost", "/a/1/x", page(b"one", "a1", "a2"))
    cache.put("screen.localhost", "/a/2/y", page(b"two", "a2"))
    cache.put("screen.localhost", "/a/3/z", page(b"three", "a3"))
    assert cache.get("news.localhost", "/a/1/x") is None
    assert cache.invalidate(["a2", "a9"]) == 2
    assert cache.get("screen.localhost", "/a/1/x") is None
    assert cache.get("screen.localhost", "/a/2/y") is None
    assert cache.get("screen.localhost", "/a/3/z") is not None
    assert cache.invalidate(["all"]) == 1 and len(cache) == 0


def test_a_page_built_across_an_invalidation_of_its_tags_is_not_stored() -> None:
    cache = PageCache(10)
    since = cache.generation
    cache.invalidate(["a5"])
    assert cache.put("h", "/a/1", page(b"1", "a1"), since=since)  # the change did not touch it
    assert not cache.put("h", "/a/5", page(b"5", "a5"), since=since)  # its data may predate the change
    assert cache.put("h", "/a/5", page(b"5", "a5"), since=cache.generation)
    since = cache.generation
    cache.clear()
    assert not cache.put("h", "/a/1", page(b"1", "a1"), since=since)


def test_the_cache_is_bounded_and_keeps_the_recently_used() -> None:
    cache = PageCache(2)
    cache.put("h", "/1", page(b"1", "a1"))
    cache.put("h", "/2", page(b"2", "a2"))
    assert cache.get("h", "/1") is not None
    cache.put("h", "/3", page(b"3", "a3"))
    assert len(cache) == 2
    assert cache.get("h", "/2") is None and cache.get("h", "/1") is not None
    assert cache.invalidate(["a2"]) == 0  # evicted pages leave the tag index too


def test_old_entries_expire() -> None:
    cache = PageCache(2, max_lifetime=-1)
    cache.put("h", "/1", page(b"1"))
    assert cache.get("h", "/1") is None


def test_etags_follow_the_body_and_gzip_roundtrips() -> None:
    assert page(b"a").etag == page(b"a").etag != page(b"b").etag
    assert page(b"a").etag.startswith('W/"')
    assert gzip.decompress(page(b"x" * 1000).gzipped()) == b"x" * 1000


def test_size_zero_keeps_nothing() -> None:
    cache = PageCache(0)
    cache.put("h", "/", page(b"1"))
    assert len(cache) == 0
