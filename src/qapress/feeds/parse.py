"""A feed's body into its title and items, whatever the format: RSS and Atom through feedparser, JSON Feed
through ``jsonfeed``. Pure: bytes in, a ``ParsedFeed`` out, or a ``FeedParseError`` the editor can act on.

An item's ``key`` is its guid (RSS ``guid``, Atom ``id``, JSON Feed ``id``), or its URL when it has none:
the natural key that keeps it from being drafted twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import time
import xml.parsers.expat
import xml.sax
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser

from qapress.feeds.errors import FeedParseError
from qapress.feeds.jsonfeed import read_json_feed

JSON_TYPES = ("application/feed+json", "application/json")
XML_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
)
#: What the feed fetcher accepts: the feed formats, and HTML/text because servers often mislabel feeds.
FEED_TYPES = (*XML_TYPES, *JSON_TYPES, "text/html", "text/plain")


@dataclass(frozen=True)
class FeedEntry:
    key: str
    url: str | None
    title: str | None
    published: dt.date | None
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    format: str
    entries: tuple[FeedEntry, ...]


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """The feed at ``url`` as fetched; relative item links are resolved against ``url``."""
    stripped = body.lstrip()
    if content_type in JSON_TYPES or stripped.startswith(b"{"):
        return _parse_json_feed(body, url)
    return _parse_xml_feed(body, url, content_type)


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FeedParseError(f"{url}: not JSON ({exc})") from exc
    feed = read_json_feed(data, what=url)
    entries = []
    for item in feed.items:
        link = item.url or item.external_url
        published = item.date_published or item.date_modified
        names = [author.name for author in item.authors if author.name]
        if not names and item.author and item.author.name:
            names = [item.author.name]
        entries.append(
            FeedEntry(
                key=item.id,
                url=urljoin(url, link) if link else None,
                title=item.title,
                published=published.date() if published else None,
                author=", ".join(names) or None,
            )
        )
    return ParsedFeed(feed.title, "json", tuple(entries))


def _parse_xml_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    parsed: Any = feedparser.parse(
        body, response_headers={"content-location": url, "content-type": content_type or "application/xml"}
    )
    # An HTML page is no feed, however (ill-)formed; a feed that is not well-formed XML is refused rather
    # than read by feedparser's lenient parser, which may drop or merge items.
    version = str(parsed.get("version") or "")
    if not version:
        raise FeedParseError(f"{url}: not an RSS, Atom or JSON Feed document")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, xml.sax.SAXException):
        raise FeedParseError(f"{url}: not well-formed XML ({_where_not_well_formed(body, problem)})")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        key = entry.get("id") or link
        if not key:
            continue  # nothing to tell it apart by, nor to fetch
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        entries.append(
            FeedEntry(
                key=str(key),
                url=urljoin(url, str(link)) if link else None,
                title=entry.get("title"),
                published=_date(stamp),
                author=entry.get("author"),
            )
        )
    title = parsed.feed.get("title")
    return ParsedFeed(str(title) if title else None, version, tuple(entries))


def _where_not_well_formed(body: bytes, problem: xml.sax.SAXException) -> str:
    """Where the body breaks XML, in the editor's own lines: feedparser's error counts lines of the text it
    rewrote (it may add an XML declaration), so the body is parsed again as it came, without a handler."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        return f"line {exc.lineno}, column {exc.offset + 1}: {xml.parsers.expat.ErrorString(exc.code)}"
    return str(problem)


def _date(stamp: time.struct_time | None) -> dt.date | None:
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC).date()
