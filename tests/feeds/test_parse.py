"""Feed bodies into items, without a server: RSS, Atom and JSON Feed, and the errors an editor sees."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from qapress.feeds.errors import FeedParseError
from qapress.feeds.parse import parse_feed

from .servers import NewsSite

BASE = "http://news.example"


def site() -> NewsSite:
    return NewsSite(items=["/news/sport", "https://other.example/a"], base=BASE)


@pytest.mark.parametrize(
    ("render", "version", "first_key"),
    [
        ("rss", "rss20", "rss-/news/sport"),
        ("atom", "atom10", "tag:gazette,2025:/news/sport"),
        ("json_feed", "json", "json-/news/sport"),
    ],
)
def test_each_format_gives_keys_links_titles_and_dates(render: str, version: str, first_key: str) -> None:
    parsed = parse_feed(getattr(site(), render)().encode(), url=f"{BASE}/feed")
    assert parsed.title == "Riverside Gazette"
    assert parsed.format == version
    assert parsed.entries[0].key == first_key
    assert [entry.url for entry in parsed.entries] == [f"{BASE}/news/sport", "https://other.example/a"]
    assert parsed.entries[0].title == "Story 1"
    assert parsed.entries[0].published == dt.date(2025, 5, 1)


def test_an_rss_item_without_guid_is_keyed_by_its_link() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>A</title><link>https://news.example/a</link></item>"
        "<item><title>no link, no guid</title></item></channel></rss>"
    )
    parsed = parse_feed(body.encode(), url=BASE)
    assert [(entry.key, entry.url) for entry in parsed.entries] == [
        ("https://news.example/a", "https://news.example/a")
    ]


def test_malformed_xml_is_a_clear_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T & B</title><item></channel>'
    with pytest.raises(
        FeedParseError, match=r"http://news.example/rss: not well-formed XML \(line 1, column \d+"
    ):
        parse_feed(body, url=f"{BASE}/rss")


def test_a_page_that_is_no_feed_is_a_clear_error() -> None:
    with pytest.raises(FeedParseError, match="not an RSS, Atom or JSON Feed document"):
        parse_feed(
            b"<!doctype html><html><body><p>Hello</p></body></html>", url=BASE, content_type="text/html"
        )


GOOD_JSON: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "T",
    "items": [{"id": "1", "url": "/a", "content_html": "<p>x</p>"}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": None}, r"version: Input should be a valid string"),
        ({"version": "https://example.com/feed"}, r"version: Value error, must be a JSON Feed version URL"),
        ({"title": None}, r"title: "),
        ({"items": None}, r"items: "),
        ({"items": [{"url": "/a", "content_text": "x"}]}, r"items\.0\.id: Field required"),
        (
            {"items": [{"id": "1", "url": "/a"}]},
            r"items\.0: Value error, an item needs content_html or content_text",
        ),
        (
            {"items": [{"id": "1", "content_text": "x"}, {"id": "1", "content_text": "y"}]},
            r"items\.1\.id '1' is repeated",
        ),
    ],
)
def test_json_feed_is_validated(change: dict[str, Any], message: str) -> None:
    data = {**GOOD_JSON, **change}
    data = {key: value for key, value in data.items() if value is not None or key == "version"}
    if change.get("version", "") is None:
        data.pop("version")
        message = r"version: Field required"
    with pytest.raises(FeedParseError, match=r"not a valid JSON Feed: " + message):
        parse_feed(json.dumps(data).encode(), url=BASE, content_type="application/feed+json")


def test_json_feed_1_0_numeric_ids_and_relative_urls() -> None:
    data = {
        **GOOD_JSON,
        "version": "https://jsonfeed.org/version/1",
        "items": [{"id": 7, "url": "/a", "content_text": "x"}],
    }
    parsed = parse_feed(json.dumps(data).encode(), url=f"{BASE}/feed.json")
    assert [(entry.key, entry.url) for entry in parsed.entries] == [("7", f"{BASE}/a")]


def test_json_that_is_not_json_is_a_clear_error() -> None:
    with pytest.raises(FeedParseError, match="not JSON"):
        parse_feed(b"{not json", url=BASE, content_type="application/feed+json")
