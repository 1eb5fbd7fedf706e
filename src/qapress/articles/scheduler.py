"""The scheduled-publishing pass: publish every article whose time has come, exactly once.

Several workers (threads, processes, hosts) may run the pass at once. Each article is claimed in its own
write transaction: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` hands each due row to one worker
while the others skip it; on SQLite ``begin_write`` (``BEGIN IMMEDIATE``) lets one writer in at a time.
The status moves from ``scheduled`` in the claiming transaction, so once it commits no other worker finds
the article due. A due article whose text no longer passes the grounding rule goes back to draft with the
reason, instead of being published.

The clock is a parameter (``ScheduledPublisher(clock=...)``, ``qapress worker --once --now``), so tests
and a catching-up operator can run the pass as of any time.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.articles.clock import Clock, as_utc, stored_utc, utc_now
from qapress.articles.errors import PublishRefused
from qapress.articles.publishable import check_publishable
from qapress.articles.publishing import StatusChange
from qapress.generate.repository import read_article
from qapress.store import begin_write
from qapress.store.schema import qa_ai

log = logging.getLogger("qapress.articles.scheduler")


def publish_next_due(connection: sa.Connection, now: dt.datetime) -> StatusChange | None:
    """In a write transaction: claim the earliest due article and publish it; ``None`` when none is due."""
    moment = as_utc(now)
    claimed = connection.execute(
        sa.select(qa_ai.c.id, qa_ai.c.scheduled_at)
        .where(qa_ai.c.status == "scheduled", qa_ai.c.scheduled_at <= moment)
        .order_by(qa_ai.c.scheduled_at, qa_ai.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if claimed is None:
        return None
    article = read_article(connection, claimed.id)
    due_at = stored_utc(claimed.scheduled_at)
    after, reason = "published", None
    try:
        check_publishable(connection, article)
    except PublishRefused as refusal:
        after, reason = "draft", str(refusal)
    moved = connection.execute(
        qa_ai.update()
        .where(qa_ai.c.id == claimed.id, qa_ai.c.status == "scheduled")
        .values(status=after, scheduled_at=None, updated_at=moment)
    )
    if moved.rowcount != 1:  # pragma: no cover - the claim's lock makes this impossible; a last guard
        return None
    return StatusChange(claimed.id, "scheduled-publish", "scheduled", after, moment, None, due_at, reason)


def count_due_articles(engine: Engine, now: dt.datetime | None = None) -> int:
    """How many scheduled articles are due (the worker's queue, for ``qapress_queue_depth``)."""
    query = (
        sa.select(sa.func.count())
        .select_from(qa_ai)
        .where(qa_ai.c.status == "scheduled", qa_ai.c.scheduled_at <= as_utc(now or utc_now()))
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def publish_due(engine: Engine, now: dt.datetime, *, limit: int = 1_000) -> list[StatusChange]:
    """Publish what is due at ``now``, one transaction per article; returns what this call did."""
    changes: list[StatusChange] = []
    for _ in range(limit):
        with begin_write(engine) as connection:
            change = publish_next_due(connection, now)
        if change is None:
            break
        changes.append(change)
        if change.reason:
            log.warning("article %s was due but is not published: %s", change.article_id, change.reason)
        else:
            log.info("article %s published as scheduled for %s", change.article_id, change.scheduled_at)
    return changes


class ScheduledPublisher:
    """The worker's scheduled-publishing pass, with its clock."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    def run_once(self) -> list[StatusChange]:
        return publish_due(self.engine, self.clock())
