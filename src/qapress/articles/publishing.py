"""Publishing states: publish now, schedule for a time, unpublish (back to draft), withdraw.

Each action locks the article's row, checks the transition (``transitions``) and, for publish and
schedule, the grounding rule (``publishable``), then writes the status; a publish computes the article's
related list in the same transaction (``qapress.related``). Pages follow by themselves: the
anonymous role sees ``published`` articles only, a ``withdrawn`` one answers 410, and every change to
``qa_ai`` moves the site revision that page caches check (migration 0004).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from qapress.articles.clock import as_utc, stored_utc, utc_now
from qapress.articles.errors import ArticleNotFound, TransitionRefused
from qapress.articles.publishable import check_publishable
from qapress.articles.transitions import Action, next_status
from qapress.generate.repository import read_article
from qapress.related.lists import refresh_published
from qapress.store.schema import qa_ai


@dataclass(frozen=True)
class StatusChange:
    """What a publishing action did: ``before`` -> ``after`` at ``at``; ``scheduled_at`` when scheduled.

    ``reason`` is set when the scheduled pass could not publish a due article and returned it to draft.
    """

    article_id: int
    action: str
    before: str
    after: str
    at: dt.datetime
    actor_id: int | None
    scheduled_at: dt.datetime | None = None
    reason: str | None = None


def publish_article(
    connection: sa.Connection, article_id: int, actor_id: int | None, *, now: dt.datetime | None = None
) -> StatusChange:
    """Publish a draft or a scheduled article now; refused unless its grounding check passes."""
    return _change(connection, article_id, "publish", actor_id, now)


def schedule_article(
    connection: sa.Connection,
    article_id: int,
    at: dt.datetime,
    actor_id: int | None,
    *,
    now: dt.datetime | None = None,
) -> StatusChange:
    """Have the worker publish the article at ``at`` (UTC; a naive time is taken as UTC).

    The grounding rule is checked now, so a draft that could not be published is not scheduled, and again
    when it is due. ``at`` must be in the future; to publish at once, use ``publish_article``.
    """
    when = as_utc(at)
    current_time = as_utc(now) if now else utc_now()
    if when <= current_time:
        raise TransitionRefused(
            f"{when.isoformat()} is not in the future (now {current_time.isoformat(timespec='seconds')}); "
            "publish without a time to publish now"
        )
    return _change(connection, article_id, "schedule", actor_id, now, scheduled_at=when)


def unpublish_article(
    connection: sa.Connection, article_id: int, actor_id: int | None, *, now: dt.datetime | None = None
) -> StatusChange:
    """Back to draft: a published article leaves the site (404), a scheduled one is not published."""
    return _change(connection, article_id, "unpublish", actor_id, now)


def withdraw_article(
    connection: sa.Connection, article_id: int, actor_id: int | None, *, now: dt.datetime | None = None
) -> StatusChange:
    """Withdraw an article: its page answers 410 Gone, and it leaves every list, feed and sitemap."""
    return _change(connection, article_id, "withdraw", actor_id, now)


def _change(
    connection: sa.Connection,
    article_id: int,
    action: Action,
    actor_id: int | None,
    now: dt.datetime | None,
    *,
    scheduled_at: dt.datetime | None = None,
) -> StatusChange:
    moment = as_utc(now) if now else utc_now()
    # read_article's ArticleNotFound is this package's too.
    article = read_article(connection, article_id, lock=True)
    after = next_status(article_id, article.status, action)
    if after in ("published", "scheduled"):
        check_publishable(connection, article)
    connection.execute(
        qa_ai.update()
        .where(qa_ai.c.id == article_id)
        .values(status=after, scheduled_at=scheduled_at, updated_at=moment)
    )
    if after == "published":
        refresh_published(connection, article_id)
    return StatusChange(article_id, action, article.status, after, moment, actor_id, scheduled_at)


def scheduled_time(connection: sa.Connection, article_id: int) -> dt.datetime | None:
    """When a scheduled article is due (``None`` if it is not scheduled)."""
    row = connection.execute(
        sa.select(qa_ai.c.status, qa_ai.c.scheduled_at).where(qa_ai.c.id == article_id)
    ).first()
    if row is None:
        raise ArticleNotFound(f"there is no article {article_id}")
    return stored_utc(row.scheduled_at) if row.status == "scheduled" else None
