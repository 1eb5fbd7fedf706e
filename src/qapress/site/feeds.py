"""The feeds' entries (Atom, RSS 2.0, JSON Feed 1.1) and the Google News sitemap's, built by pure functions.

An entry's id is a ``tag:`` URI (RFC 4151) made of the site's host and the article's id, so it stays the
same when the title, and with it the slug, changes. ``published`` is the article's date and ``updated`` its
last edit (``views.last_edit``), or its date when it was never edited; ``content`` is the whole body as HTML built from escaped text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from markupsafe import escape

from qapress.site.body import parse_body
from qapress.site.domains import Domain
from qapress.site.urls import SiteURLs
from qapress.site.views import last_edit, parse_date

#: The year in a tag URI's authority: when qapress began minting these ids (RFC 4151 wants a fixed date).
TAG_YEAR = 2026
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
#: Google News sitemaps: articles of the last two days, at most 1,000 of them.
NEWS_SITEMAP_MAX = 1_000
NEWS_WINDOW = dt.timedelta(hours=48)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def tag_uri(site: Domain, article_id: int) -> str:
    return f"tag:{site.host},{TAG_YEAR}:article:{article_id}"


def body_html(text: str) -> str:
    """The article's body as HTML: every block's text escaped, in its ``p``/``h2``/``h3`` element."""
    return "\n".join(f"<{b.kind}>{escape(b.text)}</{b.kind}>" for b in parse_body(text))


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str
    summary: str
    content_html: str
    published: dt.datetime | None
    updated: dt.datetime
    image_url: str | None = None

    @property
    def published_rfc822(self) -> str:
        return format_datetime(self.published or self.updated)


def feed_entries(rows: Any, site: Domain, urls: SiteURLs) -> list[FeedEntry]:
    if not isinstance(rows, Sequence):
        return []
    entries = []
    for row in rows:
        if not isinstance(row, Mapping) or not isinstance(row.get("id"), int):
            continue
        date = parse_date(row.get("date"))
        published = dt.datetime.combine(date, dt.time(), dt.UTC) if date else None
        modified = last_edit(row)
        updated = modified.astimezone(dt.UTC) if modified else published or _EPOCH
        entries.append(
            FeedEntry(
                id=tag_uri(site, row["id"]),
                title=str(row.get("title") or ""),
                url=urls.article(row["id"], str(row.get("slug") or "")),
                summary=str(row.get("lead") or ""),
                content_html=body_html(str(row.get("text") or "")),
                published=published,
                updated=max(updated, published) if published else updated,
                image_url=str(row["image_url"]) if row.get("image_url") else None,
            )
        )
    return entries


def newest_update(entries: Sequence[FeedEntry]) -> dt.datetime:
    return max((e.updated for e in entries), default=_EPOCH)


def json_feed(entries: Sequence[FeedEntry], site: Domain, urls: SiteURLs) -> dict[str, Any]:
    """The feed as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for entry in entries:
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.content_html,
            "date_modified": entry.updated.isoformat(),
        }
        if entry.summary:
            item["summary"] = entry.summary
        if entry.published:
            item["date_published"] = entry.published.isoformat()
        if entry.image_url:
            item["image"] = entry.image_url
        items.append(item)
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": site.name,
        "home_page_url": urls.home(),
        "feed_url": urls.path("/feed.json"),
        "language": site.language,
        "authors": [{"name": site.name, "url": urls.home()}],
        "items": items,
    }
    if site.description:
        feed["description"] = site.description
    return feed


def news_since(now: dt.datetime) -> dt.date:
    """The earliest article date a News sitemap lists (articles carry a date, not a time: the day 48 hours ago)."""
    return (now.astimezone(dt.UTC) - NEWS_WINDOW).date()
