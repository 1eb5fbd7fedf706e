"""The pure parts of cache tagging: what a page's tags are, and the log position that survives holes."""

from __future__ import annotations

from qapress.site import cache_tags
from qapress.site.invalidation import LogCursor


def test_an_article_page_names_itself_its_related_list_what_it_links_to_and_its_bottom_range() -> None:
    tags = cache_tags.article_page_tags(
        7, 6646098, shown=[6646090, 6646089], bottom=[6646097, 6646095, 6646060], bottom_size=3
    )
    assert {"all", "s7", "n7", "a6646098", "l6646098", "m6646098", "a6646090", "a6646089", "a6646060"} <= tags
    assert {tag for tag in tags if tag.startswith("r")} == {"r103844", "r103845"}  # 6646060 .. 6646098


def test_a_short_bottom_list_reaches_back_to_the_first_id() -> None:
    tags = cache_tags.article_page_tags(7, 100, shown=[], bottom=[50], bottom_size=3)
    assert {"r0", "r1"} <= tags  # ids 0 .. 100
    wide = cache_tags.article_page_tags(7, 10_000, shown=[], bottom=[], bottom_size=3)
    assert "rwide" in wide and not any(tag.startswith("r") and tag != "rwide" for tag in wide)


def test_headers_list_the_same_tags() -> None:
    tags = frozenset({"a1", "all", "s7"})
    assert cache_tags.surrogate_key(tags) == "a1 all s7"
    assert cache_tags.cache_tag(tags) == "a1,all,s7"


def test_the_cursor_hands_out_each_seq_once_and_waits_for_holes() -> None:
    cursor = LogCursor(10, gap_timeout=5.0)
    assert cursor.take([(11, "a1"), (13, "a3")], now=0.0) == ["a1", "a3"]
    assert cursor.floor == 11  # 12 is not committed yet (PostgreSQL commits out of order)
    assert cursor.take([(12, "a2"), (13, "a3")], now=1.0) == ["a2"]  # the late one, not 13 again
    assert cursor.floor == 13
    assert cursor.take([(15, "a5")], now=2.0) == ["a5"]
    assert cursor.floor == 13
    assert cursor.take([(15, "a5")], now=8.0) == []  # 14 never came (rolled back): given up
    assert cursor.floor == 15
