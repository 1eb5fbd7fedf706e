"""Feeds and search engines over a real server: Atom and RSS read by feedparser, JSON Feed checked against
a JSON Schema of the 1.1 specification, the Google News sitemap's namespace, window and limit."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import feedparser
import jsonschema
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qapress.site.feeds import JSON_FEED_VERSION
from qapress.store.schema import domain, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


#: JSON Feed 1.1 as a JSON Schema, written from the specification's text (jsonfeed.org publishes none).
JSON_FEED_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json").read_text("utf-8")
)


def json_feed_problems(feed: Any) -> list[str]:
    """What breaks JSON Feed 1.1 (https://jsonfeed.org/version/1.1): its schema, and unique item ids."""
    validator = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA)
    problems = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(feed)]
    items = feed.get("items") if isinstance(feed, dict) else None
    ids = [item.get("id") for item in items or [] if isinstance(item, dict)]
    if len(ids) != len(set(map(str, ids))):
        problems.append("item ids must be unique")
    return problems


def test_atom_is_valid_with_stable_ids_and_real_dates(live: LiveSite) -> None:
    parsed = feedparser.parse(live.get("/feed.xml").content)
    assert parsed.bozo == 0, parsed.bozo_exception
    assert parsed.version == "atom10" and len(parsed.entries) == 20
    first = parsed.entries[0]
    assert first.id.startswith("tag:screen.localhost,2026:article:")
    article_id = int(first.id.rsplit(":", 1)[1])
    with live.engine.connect() as connection:
        row = connection.execute(
            sa.select(qa_ai.c.date, qa_ai.c.updated_at, qa_ai.c.text).where(qa_ai.c.id == article_id)
        ).one()
    assert first.published.startswith(row.date.isoformat())
    assert dt.datetime.fromisoformat(first.updated) >= dt.datetime.fromisoformat(first.published)
    assert first.content[0].type == "text/html"
    assert row.text.split("\n\n")[-1][:40] in first.content[0].value  # the whole body, to its end


def test_an_entry_keeps_its_id_when_the_slug_changes(live: LiveSite) -> None:
    before = feedparser.parse(live.get("/feed.xml").content).entries[0]
    article_id = int(before.id.rsplit(":", 1)[1])
    with live.engine.begin() as connection:
        old = connection.execute(sa.select(qa_ai.c.title, qa_ai.c.slug).where(qa_ai.c.id == article_id)).one()
        connection.execute(
            sa.update(qa_ai)
            .where(qa_ai.c.id == article_id)
            .values(title="Renamed", slug="renamed", updated_at=sa.func.current_timestamp())
        )
    try:
        after = feedparser.parse(live.get("/feed.xml").content).entries[0]
        assert after.id == before.id and after.link.endswith("/renamed") and after.link != before.link
    finally:
        with live.engine.begin() as connection:
            connection.execute(
                sa.update(qa_ai).where(qa_ai.c.id == article_id).values(title=old.title, slug=old.slug)
            )


def test_updated_is_the_last_edit_never_the_import(live: LiveSite) -> None:
    entry = feedparser.parse(live.get("/feed.xml").content).entries[0]
    article_id = int(entry.id.rsplit(":", 1)[1])
    with live.engine.connect() as connection:
        row = connection.execute(
            sa.select(qa_ai.c.slug, qa_ai.c.version, qa_ai.c.updated_at).where(qa_ai.c.id == article_id)
        ).one()
    assert row.version == 1  # as the demo made it: its updated_at is when it was loaded, not an edit
    assert entry.updated == entry.published
    page = f"/a/{article_id}/{row.slug}"
    edited = dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.UTC)
    with live.engine.begin() as connection:
        connection.execute(
            sa.update(qa_ai).where(qa_ai.c.id == article_id).values(version=2, updated_at=edited)
        )
    try:
        entry = feedparser.parse(live.get("/feed.xml").content).entries[0]
        assert dt.datetime.fromisoformat(entry.updated) == edited
        item = json.loads(live.get("/feed.json").content)["items"][0]
        assert dt.datetime.fromisoformat(item["date_modified"]) == edited
        scripts = HTMLParser(live.get(page).text).css('script[type="application/ld+json"]')
        article = next(s for s in map(json.loads, (s.text() for s in scripts)) if s["@type"] == "NewsArticle")
        assert dt.datetime.fromisoformat(article["dateModified"]) == edited
    finally:
        with live.engine.begin() as connection:
            connection.execute(
                sa.update(qa_ai).where(qa_ai.c.id == article_id).values(version=1, updated_at=row.updated_at)
            )


def test_rss_is_valid(live: LiveSite) -> None:
    response = live.get("/rss.xml")
    assert response.headers["content-type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.bozo_exception
    assert parsed.version == "rss20" and parsed.feed.title == "Screen Q&A" and len(parsed.entries) == 20
    entry = parsed.entries[0]
    assert entry.id.startswith("tag:screen.localhost,") and entry.guidislink is False
    assert entry.published_parsed is not None and entry.link.startswith(live.url("/a/"))


def test_json_feed_follows_the_1_1_spec(live: LiveSite) -> None:
    response = live.get("/feed.json")
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert json_feed_problems(feed) == []
    assert len(feed["items"]) == 20 and feed["feed_url"] == live.url("/feed.json")
    atom = feedparser.parse(live.get("/feed.xml").content)
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]


def test_the_checker_catches_a_broken_json_feed() -> None:
    broken = {"version": "1", "items": [{"id": 3}, {"id": "a", "date_published": "yesterday"}]}
    # wrong version, no title, a non-string id, two items without content, a date that is not RFC 3339
    assert len(json_feed_problems(broken)) == 6
    twice = {"version": JSON_FEED_VERSION, "title": "T", "items": [{"id": "a", "content_text": ""}] * 2}
    assert json_feed_problems(twice) == ["item ids must be unique"]
    unknown = {"version": JSON_FEED_VERSION, "title": "T", "items": [], "colour": "red", "_colour": "red"}
    assert [p.split(":")[0] for p in json_feed_problems(unknown)] == ["$"]  # only "_" names may be added
    authorless = {"version": JSON_FEED_VERSION, "title": "T", "items": [], "authors": [{}]}
    assert len(json_feed_problems(authorless)) == 1


def test_news_sitemap_lists_the_last_48_hours_at_most_1000(live: LiveSite) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with live.engine.begin() as connection:
        screen = connection.execute(
            sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
        ).scalar_one()
        first = connection.execute(sa.select(sa.func.max(qa_ai.c.id))).scalar_one() + 1
        rows = [
            {
                "domain": screen,
                "title": f"Fresh {n}",
                "slug": f"fresh-{n}",
                "date": today,
                "status": "published",
            }
            for n in range(1005)
        ]
        rows.append(
            {
                "domain": screen,
                "title": "Old",
                "slug": "old",
                "date": today - dt.timedelta(days=5),
                "status": "published",
            }
        )
        rows.append({"domain": screen, "title": "Draft", "slug": "draft", "date": today, "status": "draft"})
        connection.execute(sa.insert(qa_ai), rows)
    try:
        response = live.get("/news-sitemap.xml")
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        assert root.tag == f"{SITEMAP}urlset"
        urls = root.findall(f"{SITEMAP}url")
        assert len(urls) == 1000
        titles = {u.findtext(f"{NEWS}news/{NEWS}title") for u in urls}
        assert "Old" not in titles and "Draft" not in titles
        news = urls[0].find(f"{NEWS}news")
        assert news is not None
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Screen Q&A"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert news.findtext(f"{NEWS}publication_date") == today.isoformat()
        assert "news-sitemap.xml" in live.get("/robots.txt").text
    finally:
        with live.engine.begin() as connection:
            connection.execute(sa.delete(qa_ai).where(qa_ai.c.id >= first))
