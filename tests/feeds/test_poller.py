"""Polling feeds from a local news site on 127.0.0.1 into drafts, on SQLite and PostgreSQL.

The fetcher's allow-list opens 127.0.0.1 only (``QAPRESS_FETCH_ALLOW_NETWORKS``'s setting): every other
private address stays refused, which is how an item pointing at one is tested without sending it traffic.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.feeds.poller import FeedPoller, has_unverified
from qapress.feeds.repository import add_feed, claim_feed, get_feed
from qapress.generate.backend import Backend
from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.repository import read_article
from qapress.settings import Settings
from qapress.store.schema import domain, feed_item, qa_ai, source

from .servers import PUBLISHER, NewsSite, serve

NOW = dt.datetime(2025, 5, 2, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)
FEED_PATHS = {"rss": "/rss.xml", "atom": "/atom.xml", "json": "/feed.json"}


@pytest.fixture
def news() -> Iterator[NewsSite]:
    site = NewsSite()
    with serve(site.app()) as url:
        site.base = url
        yield site


@pytest.fixture
def site_id(engine: Engine) -> int:
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 4, "host": "local.localhost", "name": "Local"})
    return 4


def poller(engine: Engine, backend: Backend | None = None) -> FeedPoller:
    settings = Settings(fetch_allow_networks=["127.0.0.1/32"], feeds_poll_seconds=600)
    made = FeedPoller.from_settings(engine, settings)
    if backend is not None:
        made.backend = backend
    return made


class InventingOn:
    """The extractive backend, except that it puts an invented name in the title of one page's draft."""

    name = "extractive"

    def __init__(self, path: str) -> None:
        self.path = path

    def draft(self, source: SourceDocument) -> Draft:
        draft = ExtractiveBackend().draft(source)
        if source.url and source.url.endswith(self.path):
            return replace(draft, title=f"Tom Cruise on {draft.title}")
        return draft


def articles(engine: Engine) -> list[sa.Row[tuple[object, ...]]]:
    query = (
        sa.select(qa_ai.c.id, qa_ai.c.status, qa_ai.c.domain, qa_ai.c.outro, source.c.url, source.c.publisher)
        .select_from(qa_ai.join(source, source.c.id == qa_ai.c.source_id))
        .order_by(qa_ai.c.id)
    )
    with engine.connect() as connection:
        return list(connection.execute(query))


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_each_new_item_is_fetched_drafted_and_queued_for_review(
    engine: Engine, site_id: int, news: NewsSite, kind: str
) -> None:
    feed = add_feed(engine, news.base + FEED_PATHS[kind], site_id)
    [result] = poller(engine).run_once(NOW)
    assert result.outcome == "polled", result.error
    assert [item.status for item in result.items] == ["drafted", "drafted"]
    rows = articles(engine)
    assert [row.url for row in rows] == [news.base + "/news/sport", news.base + "/news/science"]
    for row in rows:
        assert row.status == "draft" and row.domain == site_id
        assert row.publisher == PUBLISHER
        # The outro credits the publisher and links the original.
        assert f"published by {PUBLISHER}" in row.outro and row.url in row.outro
    stored = get_feed(engine, feed.id)
    assert stored.title == PUBLISHER and stored.last_error is None and stored.failures == 0
    assert stored.etag == news.etag() and stored.last_modified
    assert stored.next_poll_at == NOW + dt.timedelta(seconds=600)


def test_the_second_poll_is_conditional_and_a_304_brings_nothing(
    engine: Engine, site_id: int, news: NewsSite
) -> None:
    add_feed(engine, news.base + "/rss.xml", site_id)
    poller(engine).run_once(NOW)
    assert poller(engine).run_once(NOW + dt.timedelta(minutes=5)) == [], "not due yet"
    [again] = poller(engine).run_once(LATER)
    assert again.outcome == "not-modified" and again.items == ()
    last_headers = [headers for path, headers in news.requests if path == "/rss.xml"][-1]
    assert last_headers["if-none-match"] == news.etag()
    assert last_headers["if-modified-since"] == "Fri, 02 May 2025 08:00:00 GMT"
    assert news.hits("/news/sport") == 1 and len(articles(engine)) == 2


def test_an_item_seen_before_is_not_drafted_again(engine: Engine, site_id: int, news: NewsSite) -> None:
    add_feed(engine, news.base + "/feed.json", site_id)
    poller(engine).run_once(NOW)
    news.items = ["/news/business", *news.items]  # a new story on top: a new ETag
    [result] = poller(engine).run_once(LATER)
    assert [(item.url, item.status) for item in result.items] == [(news.base + "/news/business", "drafted")]
    assert news.hits("/news/sport") == 1
    assert len(articles(engine)) == 3
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(feed_item)).scalar_one() == 3


def test_a_page_listed_by_two_feeds_is_drafted_once(engine: Engine, site_id: int, news: NewsSite) -> None:
    add_feed(engine, news.base + "/rss.xml", site_id)
    add_feed(engine, news.base + "/atom.xml", site_id)
    results = poller(engine).run_once(NOW)
    assert [[item.status for item in result.items] for result in results] == [
        ["drafted", "drafted"],
        ["duplicate", "duplicate"],
    ]
    assert len(articles(engine)) == 2


def test_malformed_xml_is_kept_on_its_feed_and_the_others_are_polled(
    engine: Engine, site_id: int, news: NewsSite
) -> None:
    news.raw_feeds["broken.xml"] = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><title>A & B</title>',
        "application/rss+xml",
    )
    broken = add_feed(engine, news.base + "/raw/broken.xml", site_id)
    add_feed(engine, news.base + "/rss.xml", site_id)
    results = poller(engine).run_once(NOW)
    assert [result.outcome for result in results] == ["failed", "polled"]
    stored = get_feed(engine, broken.id)
    assert stored.failures == 1
    assert stored.last_error and "/raw/broken.xml: not well-formed XML (line 1, column" in stored.last_error
    assert stored.next_poll_at == NOW + dt.timedelta(seconds=600)
    assert len(articles(engine)) == 2
    # It fails again, and waits twice as long.
    poller(engine).run_once(LATER)
    again = get_feed(engine, broken.id)
    assert again.failures == 2 and again.next_poll_at == LATER + dt.timedelta(seconds=1200)


def test_a_feed_that_cannot_be_fetched_keeps_the_reason(engine: Engine, site_id: int, news: NewsSite) -> None:
    missing = add_feed(engine, news.base + "/raw-missing.xml", site_id)
    [result] = poller(engine).run_once(NOW)
    assert result.outcome == "failed"
    assert (
        get_feed(engine, missing.id).last_error
        == f"{news.base}/raw-missing.xml: the server answered HTTP 404"
    )


def test_an_item_at_a_private_address_is_refused_by_the_fetcher(
    engine: Engine, site_id: int, news: NewsSite
) -> None:
    port = news.base.rsplit(":", 1)[1]
    news.items = [
        "http://169.254.169.254/latest/meta-data/",
        f"http://127.0.0.2:{port}/news/sport",
        "http://10.0.0.7/internal",
        "/news/science",
    ]
    add_feed(engine, news.base + "/rss.xml", site_id)
    [result] = poller(engine).run_once(NOW)
    statuses = [(item.status, item.detail or "") for item in result.items]
    assert [status for status, _detail in statuses] == ["failed", "failed", "failed", "drafted"]
    assert "169.254.169.254 is a link-local address" in statuses[0][1]
    assert "127.0.0.2 is a loopback address" in statuses[1][1]
    assert "10.0.0.7 is a private address" in statuses[2][1]
    assert all("will not fetch" in detail for _status, detail in statuses[:3])
    assert news.hits("/news/sport") == 0
    with engine.connect() as connection:
        errors = (
            connection.execute(
                sa.select(feed_item.c.error).where(feed_item.c.status == "failed").order_by(feed_item.c.id)
            )
            .scalars()
            .all()
        )
    assert len(errors) == 3 and all("not public" in (error or "") for error in errors)
    assert get_feed(engine, 1).last_error is None, "an item's failure is not the feed's"


@pytest.mark.parametrize("auto_publish", [True, False])
def test_auto_publish_publishes_only_drafts_that_pass_with_nothing_unverified(
    engine: Engine, site_id: int, news: NewsSite, auto_publish: bool
) -> None:
    news.items = ["/news/sport", "/news/science", "/news/business", "/news/politics"]
    add_feed(engine, news.base + "/rss.xml", site_id, auto_publish=auto_publish)
    [result] = poller(engine, InventingOn("/news/science")).run_once(NOW)
    published = 0
    with engine.connect() as connection:
        for item in result.items:
            assert item.article_id is not None
            article = read_article(connection, item.article_id)
            assert article.report is not None
            publishable = article.report.passed and not has_unverified(article.report)
            expected = "published" if auto_publish and publishable else "draft"
            assert article.status == expected, article.report.summary()
            assert item.status == ("published" if expected == "published" else "drafted")
            published += expected == "published"
            if item.url and item.url.endswith("/news/science"):
                assert not article.report.passed and article.status == "draft"
    if auto_publish:
        assert published >= 1, "none of the drafts passed: the test shows nothing"
    else:
        assert published == 0


def test_a_feed_due_is_claimed_by_one_worker(engine: Engine, site_id: int, news: NewsSite) -> None:
    add_feed(engine, news.base + "/rss.xml", site_id)
    start = threading.Barrier(3)
    outcomes: list[int] = []

    def work() -> None:
        start.wait()
        outcomes.append(len(poller(engine).run_once(NOW)))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == [0, 0, 1]
    assert news.hits("/rss.xml") == 1 and len(articles(engine)) == 2


def test_a_claim_holds_until_its_lease_ends(engine: Engine, site_id: int) -> None:
    feed = add_feed(engine, "https://news.example/rss", site_id)
    lease = dt.timedelta(minutes=10)
    assert claim_feed(engine, feed.id, NOW, lease)
    assert not claim_feed(engine, feed.id, NOW + dt.timedelta(minutes=9), lease)
    assert claim_feed(engine, feed.id, NOW + dt.timedelta(minutes=10), lease)


def test_has_unverified_reads_any_shape_of_report() -> None:
    from qapress.generate.grounding import GroundingReport

    clean = GroundingReport(passed=True, answers=[], problems=[], checked_at="")
    assert not has_unverified(clean)

    class WithClaims(GroundingReport):
        def to_json(self) -> dict[str, object]:
            return {**super().to_json(), "claims": [{"text": "x", "status": "unverified"}]}

    assert has_unverified(WithClaims(passed=True, answers=[], problems=[], checked_at=""))


def test_an_item_that_fails_for_a_passing_reason_is_tried_again_on_later_polls(
    engine: Engine, site_id: int, news: NewsSite
) -> None:
    news.unavailable = {"/news/sport": 1, "/news/science": 10}
    add_feed(engine, news.base + "/rss.xml", site_id)
    [first] = poller(engine).run_once(NOW)
    assert [item.status for item in first.items] == ["retry", "retry"]
    assert "answered HTTP 503" in (first.items[0].detail or "")
    with engine.connect() as connection:
        kept = connection.execute(
            sa.select(feed_item.c.status, feed_item.c.error, feed_item.c.attempts)
        ).all()
    assert all(row.status == "retry" and "HTTP 503" in row.error and row.attempts == 1 for row in kept)
    # The feed has not changed (304), but the items waiting for another try are tried.
    [second] = poller(engine).run_once(LATER)
    assert second.outcome == "not-modified"
    assert [(item.url, item.status) for item in second.items] == [
        (news.base + "/news/sport", "drafted"),
        (news.base + "/news/science", "retry"),
    ]
    [third] = poller(engine).run_once(LATER + dt.timedelta(hours=1))
    assert [item.status for item in third.items] == ["failed"], "three tries, then it is given up"
    assert poller(engine).run_once(LATER + dt.timedelta(hours=2))[0].items == ()
    assert news.hits("/news/science") == 3 and len(articles(engine)) == 1


def test_an_item_that_fails_for_good_is_not_tried_again(engine: Engine, site_id: int, news: NewsSite) -> None:
    news.items = ["/news/no-such-story", "/news/sport"]
    add_feed(engine, news.base + "/rss.xml", site_id)
    [first] = poller(engine).run_once(NOW)
    assert [item.status for item in first.items] == ["failed", "drafted"]
    assert "answered HTTP 404" in (first.items[0].detail or "")
    assert poller(engine).run_once(LATER)[0].items == ()
    assert news.hits("/news/no-such-story") == 1


class BrokenOn(InventingOn):
    """A writer with a bug that shows on one page only."""

    def draft(self, source: SourceDocument) -> Draft:
        if source.url and source.url.endswith(self.path):
            raise RuntimeError("unexpected layout")
        return super().draft(source)


def test_an_item_that_breaks_the_writer_does_not_stop_the_others(
    engine: Engine, site_id: int, news: NewsSite
) -> None:
    add_feed(engine, news.base + "/rss.xml", site_id)
    [result] = poller(engine, BrokenOn("/news/sport")).run_once(NOW)
    broken = result.items[0]
    assert (broken.status, broken.detail) == (
        "failed",
        "could not be drafted: RuntimeError: unexpected layout",
    )
    assert result.items[1].status == "drafted" and result.outcome == "polled"
