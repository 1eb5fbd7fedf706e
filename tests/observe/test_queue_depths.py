"""The queue depths ``/metrics`` reports: what each worker pass would take up now."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.articles.scheduler import count_due_articles
from qapress.feeds.repository import count_due_feeds
from qapress.store.schema import domain, feed, qa_ai

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_due_scheduled_articles_and_feeds_are_counted(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.insert(domain), {"id": 1, "host": "a.example", "name": "A"})
        connection.execute(
            sa.insert(qa_ai),
            [
                {
                    "id": 1,
                    "domain": 1,
                    "title": "Due",
                    "status": "scheduled",
                    "scheduled_at": NOW - dt.timedelta(minutes=1),
                },
                {
                    "id": 2,
                    "domain": 1,
                    "title": "Later",
                    "status": "scheduled",
                    "scheduled_at": NOW + dt.timedelta(hours=1),
                },
                {"id": 3, "domain": 1, "title": "Live", "status": "published", "scheduled_at": None},
            ],
        )
        connection.execute(
            sa.insert(feed),
            [
                {"url": "https://a.example/new.xml", "domain": 1, "next_poll_at": None},
                {
                    "url": "https://a.example/due.xml",
                    "domain": 1,
                    "next_poll_at": NOW - dt.timedelta(seconds=1),
                },
                {
                    "url": "https://a.example/later.xml",
                    "domain": 1,
                    "next_poll_at": NOW + dt.timedelta(minutes=5),
                },
            ],
        )
    assert count_due_articles(engine, NOW) == 1
    assert count_due_articles(engine, NOW + dt.timedelta(hours=2)) == 2
    assert count_due_feeds(engine, NOW) == 2
    assert count_due_feeds(engine, NOW + dt.timedelta(hours=1)) == 3
