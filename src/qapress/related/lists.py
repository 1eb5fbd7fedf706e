"""Stored related lists: read, replace (logging the page's cache tag when a list changed), refresh.

``article_related`` is written here only. A list that changed logs ``m<id>`` (``site.cache_tags
.related_list``) to ``cache_invalidation`` in the same transaction, which drops the article's own page; the
pages showing an article in their block carry its ``a<id>`` tag already (they are dropped when its title
changes or it is withdrawn, and the read filters out what is no longer published).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from qapress.related.compute import RelatedComputer, read_source
from qapress.site import cache_tags
from qapress.store.backend import upsert
from qapress.store.schema import article_related, cache_invalidation, related_queue


@dataclass(frozen=True)
class Refreshed:
    """What refreshing one article's list did."""

    article_id: int
    related: list[int]
    changed: bool


def read_list(connection: sa.Connection, article_id: int) -> list[int]:
    rows = connection.execute(
        sa.select(article_related.c.related_id)
        .where(article_related.c.article_id == article_id)
        .order_by(article_related.c.rank)
    )
    return [int(i) for i in rows.scalars()]


def store_list(connection: sa.Connection, article_id: int, related: list[int]) -> bool:
    """Make ``related`` the article's list; whether it changed (then its page's tag is logged)."""
    if read_list(connection, article_id) == related:
        return False
    connection.execute(article_related.delete().where(article_related.c.article_id == article_id))
    if related:
        connection.execute(
            article_related.insert(),
            [{"article_id": article_id, "rank": n, "related_id": i} for n, i in enumerate(related, 1)],
        )
    connection.execute(cache_invalidation.insert().values(tag=cache_tags.related_list(article_id)))
    return True


def queue_articles(connection: sa.Connection, article_ids: Iterable[int]) -> None:
    """Mark articles as needing their list computed (by ``qapress worker``): the hook for writers that
    bypass the ``qa_ai`` triggers (a bulk import with triggers off) and for ``qapress related rebuild``."""
    rows = [{"article_id": i} for i in article_ids]
    if not rows:
        return
    statement = upsert(connection, related_queue)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[related_queue.c.article_id],
            set_={"requests": related_queue.c.requests + 1, "claimed_until": None},
        ),
        rows,
    )


#: The process's computer for single publishes and edits (PostgreSQL's index statistics are reused).
_COMPUTER = RelatedComputer()


def refresh_published(connection: sa.Connection, article_id: int) -> Refreshed:
    """A single publish or edit: the article's list now, in the writer's transaction (a bounded cost, see
    ``terms``), and the articles in it queued for the worker when this is its first list."""
    return refresh(connection, _COMPUTER, article_id, neighbours=True)


def refresh(
    connection: sa.Connection,
    computer: RelatedComputer,
    article_id: int,
    *,
    neighbours: bool = False,
    requests: int | None = None,
) -> Refreshed:
    """Compute and store the article's list now (an unpublished article's list is emptied) and take it off
    the queue (a worker passes the ``requests`` it claimed: a request made since keeps the row queued). With
    ``neighbours``, an article getting its first list also queues the articles in it, whose
    own lists may now hold it (a single publish; a bulk import's lists are computed after it, together)."""
    source = read_source(connection, article_id)
    before = read_list(connection, article_id)
    related = computer.compute(connection, source) if source is not None else []
    changed = store_list(connection, article_id, related)
    done = related_queue.c.article_id == article_id
    if requests is not None:
        done = sa.and_(done, related_queue.c.requests == requests)
    connection.execute(related_queue.delete().where(done))
    if neighbours and not before and related:
        queue_articles(connection, related)
    return Refreshed(article_id, related, changed)
