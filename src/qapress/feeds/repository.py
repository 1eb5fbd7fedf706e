"""The feeds' reads and writes: registering feeds, claiming a due one, recording a poll and each item.

SQL only here, parameters bound. A feed due is claimed by one UPDATE (``next_poll_at`` moved ahead by a
lease, only if it is still due; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``store.claims``): exactly one
worker's UPDATE takes it, so a feed is polled once however many workers run, on however many hosts. An item is taken by inserting its
``(feed_id, item_key)`` row: the unique constraint lets only the first poll that sees it draft it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.feeds.errors import FeedExists, FeedNotFound
from qapress.store import begin_write
from qapress.store.claims import claim_next, claim_one
from qapress.store.schema import domain, feed, feed_item


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    domain_id: int
    host: str
    title: str | None
    auto_publish: bool
    etag: str | None
    last_modified: str | None
    last_polled_at: dt.datetime | None
    next_poll_at: dt.datetime | None
    failures: int
    last_error: str | None


def _select() -> sa.Select[tuple[object, ...]]:
    return sa.select(feed, domain.c.host).select_from(feed.join(domain, domain.c.id == feed.c.domain))


def _feed(row: sa.RowMapping) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        domain_id=row["domain"],
        host=row["host"],
        title=row["title"],
        auto_publish=bool(row["auto_publish"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled_at=_aware(row["last_polled_at"]),
        next_poll_at=_aware(row["next_poll_at"]),
        failures=row["failures"],
        last_error=row["last_error"],
    )


def add_feed(engine: Engine, url: str, domain_id: int, *, auto_publish: bool = False) -> Feed:
    """Register a feed, due at once; ``FeedExists`` when the URL is registered already."""
    try:
        with begin_write(engine) as connection:
            if connection.execute(sa.select(feed.c.id).where(feed.c.url == url)).first() is not None:
                raise FeedExists(f"the feed {url} is already registered")
            feed_id = connection.execute(
                feed.insert().returning(feed.c.id),
                {"url": url, "domain": domain_id, "auto_publish": auto_publish},
            ).scalar_one()
    except sa.exc.IntegrityError as exc:  # a concurrent `feeds add` of the same URL (PostgreSQL)
        raise FeedExists(f"the feed {url} is already registered") from exc
    return get_feed(engine, int(feed_id))


def get_feed(engine: Engine, feed_id: int) -> Feed:
    with engine.connect() as connection:
        row = connection.execute(_select().where(feed.c.id == feed_id)).mappings().first()
    if row is None:
        raise FeedNotFound(f"there is no feed {feed_id}; `qapress feeds list` shows them")
    return _feed(row)


def list_feeds(engine: Engine) -> list[Feed]:
    with engine.connect() as connection:
        rows = connection.execute(_select().order_by(feed.c.id)).mappings().all()
    return [_feed(row) for row in rows]


def remove_feed(engine: Engine, id_or_url: str) -> Feed:
    """Delete a feed by id or URL (its item history goes with it; drafts made from it stay)."""
    condition = feed.c.id == int(id_or_url) if id_or_url.isdigit() else feed.c.url == id_or_url
    with begin_write(engine) as connection:
        row = connection.execute(_select().where(condition)).mappings().first()
        if row is None:
            raise FeedNotFound(f"there is no feed {id_or_url!r}; `qapress feeds list` shows them")
        connection.execute(feed_item.delete().where(feed_item.c.feed_id == row["id"]))
        connection.execute(feed.delete().where(feed.c.id == row["id"]))
    return _feed(row)


def _is_due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(feed.c.next_poll_at.is_(None), feed.c.next_poll_at <= now)


def due_feed_ids(engine: Engine, now: dt.datetime, limit: int) -> list[int]:
    """Feeds due now, the longest-waiting first."""
    query = (
        sa.select(feed.c.id)
        .where(_is_due(now))
        .order_by(feed.c.next_poll_at.is_not(None), feed.c.next_poll_at, feed.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [int(feed_id) for feed_id in connection.execute(query).scalars()]


def count_due_feeds(engine: Engine, now: dt.datetime | None = None) -> int:
    """How many feeds wait for a poll now (the worker's queue, for ``qapress_queue_depth``)."""
    query = sa.select(sa.func.count()).select_from(feed).where(_is_due(now or dt.datetime.now(dt.UTC)))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def claim_feed(engine: Engine, feed_id: int, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Take a due feed for one poll: true for exactly one of the workers that try at once."""
    return claim_one(engine, feed, feed_id, _is_due(now), {"next_poll_at": now + lease})


def claim_next_feed(engine: Engine, now: dt.datetime, lease: dt.timedelta) -> int | None:
    """Take the longest-waiting due feed for one poll (``store.claims``); None when none is due."""
    order = [feed.c.next_poll_at.is_not(None), feed.c.next_poll_at, feed.c.id]
    return claim_next(engine, feed, _is_due(now), order, {"next_poll_at": now + lease})


def record_poll(
    engine: Engine,
    feed_id: int,
    *,
    now: dt.datetime,
    next_poll_at: dt.datetime,
    etag: str | None,
    last_modified: str | None,
    title: str | None,
) -> None:
    """A poll that worked (new items or a 304): validators kept, failures forgotten."""
    values: dict[str, object] = {
        "etag": etag,
        "last_modified": last_modified,
        "last_polled_at": now,
        "next_poll_at": next_poll_at,
        "failures": 0,
        "last_error": None,
    }
    if title:
        values["title"] = title
    with engine.begin() as connection:
        connection.execute(feed.update().where(feed.c.id == feed_id).values(**values))


def record_failure(
    engine: Engine, feed_id: int, *, now: dt.datetime, next_poll_at: dt.datetime, error: str
) -> None:
    """A poll that failed: the error is kept on the feed for `feeds list`, and the feed tried again later."""
    with engine.begin() as connection:
        connection.execute(
            feed.update()
            .where(feed.c.id == feed_id)
            .values(
                last_polled_at=now,
                next_poll_at=next_poll_at,
                failures=feed.c.failures + 1,
                last_error=error[:2000],
            )
        )


def take_item(engine: Engine, feed_id: int, key: str, url: str | None, title: str | None) -> int | None:
    """The new item's row id, or None when this feed listed the item before (on any poll, by any worker)."""
    with engine.connect() as connection:
        known = connection.execute(
            sa.select(feed_item.c.id).where(feed_item.c.feed_id == feed_id, feed_item.c.item_key == key)
        ).first()
    if known is not None:
        return None
    try:
        with engine.begin() as connection:
            item_id = connection.execute(
                feed_item.insert().returning(feed_item.c.id),
                {"feed_id": feed_id, "item_key": key, "url": url, "title": title},
            ).scalar_one()
    except sa.exc.IntegrityError:
        return None
    return int(item_id)


def finish_item(
    engine: Engine,
    item_id: int,
    status: str,
    *,
    error: str | None = None,
    source_id: int | None = None,
    article_id: int | None = None,
) -> None:
    """What became of an item's attempt (one more counted in ``attempts``)."""
    with engine.begin() as connection:
        connection.execute(
            feed_item.update()
            .where(feed_item.c.id == item_id)
            .values(
                status=status,
                error=error,
                source_id=source_id,
                article_id=article_id,
                attempts=feed_item.c.attempts + 1,
            )
        )


@dataclass(frozen=True)
class RetryItem:
    id: int
    key: str
    url: str | None
    title: str | None
    attempts: int


def items_to_retry(engine: Engine, feed_id: int, limit: int) -> list[RetryItem]:
    """The feed's items whose page failed for a passing reason, oldest first (the feed's claim covers them)."""
    query = (
        sa.select(
            feed_item.c.id, feed_item.c.item_key, feed_item.c.url, feed_item.c.title, feed_item.c.attempts
        )
        .where(feed_item.c.feed_id == feed_id, feed_item.c.status == "retry")
        .order_by(feed_item.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [RetryItem(*row) for row in connection.execute(query)]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
