"""Moderation: list links; approve, reject or queue for a re-check one link or many at once.

The bulk functions take an open connection (the caller's write transaction, ``begin_write``) and the
moderator's ``actor_id``, and return one ``Moderated`` per id: a link that cannot be approved (its page is
full, its host blocked) is reported and the others go on. The CLI (``qapress links``) and the newsroom's
queue are thin layers over these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.blocking import find_block
from qapress.links.errors import LinkNotFound, ModerationError
from qapress.links.rules import OCCUPYING_STATUSES
from qapress.store import begin_write
from qapress.store.schema import LINK_STATUSES, link, qa_ai


@dataclass(frozen=True)
class LinkView:
    """A link as a moderator sees it (never the IP hash)."""

    id: int
    article_id: int
    status: str
    url: str
    title: str | None
    reason: str | None
    attempts: int
    created_at: dt.datetime | None
    checked_at: dt.datetime | None
    next_check_at: dt.datetime | None


def list_links(engine: Engine, status: str | None = None, limit: int = 100) -> list[LinkView]:
    """Links, newest first, optionally of one status."""
    if status is not None and status not in LINK_STATUSES:
        raise ModerationError(f"unknown status {status!r}: use one of {', '.join(LINK_STATUSES)}")
    query = sa.select(*(getattr(link.c, name) for name in LinkView.__dataclass_fields__))
    if status is not None:
        query = query.where(link.c.status == status)
    query = query.order_by(link.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [LinkView(**row) for row in connection.execute(query).mappings()]


@dataclass(frozen=True)
class Moderated:
    """What one moderation action did to one link; ``error`` says why it did nothing."""

    link_id: int
    action: str
    before: str | None
    after: str | None
    actor_id: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def approve_links(
    connection: sa.Connection,
    link_ids: Sequence[int],
    actor_id: int | None,
    *,
    recheck_after: dt.timedelta,
    max_per_page: int = 5,
    now: dt.datetime | None = None,
) -> list[Moderated]:
    """Make each link live now (see ``approve_link``); one result per id, in the order given."""
    now = now or dt.datetime.now(dt.UTC)
    results: list[Moderated] = []
    for link_id in _unique(link_ids):
        try:
            before = _approve(connection, link_id, recheck_after, max_per_page, now)
        except ModerationError as error:
            results.append(
                Moderated(link_id, "approve", _status(connection, link_id), None, actor_id, str(error))
            )
            continue
        results.append(Moderated(link_id, "approve", before, "live", actor_id))
    return results


def reject_links(
    connection: sa.Connection, link_ids: Sequence[int], reason: str, actor_id: int | None
) -> list[Moderated]:
    """Reject each link with ``reason``: it stops being checked and frees its place and URL on the page."""
    if not reason.strip():
        raise ModerationError("a rejection needs a reason")
    results: list[Moderated] = []
    for link_id in _unique(link_ids):
        before = _status(connection, link_id)
        if before is None:
            results.append(Moderated(link_id, "reject", None, None, actor_id, f"no link with id {link_id}"))
            continue
        connection.execute(
            link.update()
            .where(link.c.id == link_id)
            .values(status="rejected", reason=reason.strip(), attempts=0, next_check_at=None)
        )
        results.append(Moderated(link_id, "reject", before, "rejected", actor_id))
    return results


def queue_rechecks(
    connection: sa.Connection,
    link_ids: Sequence[int],
    actor_id: int | None,
    *,
    now: dt.datetime | None = None,
) -> list[Moderated]:
    """Have the worker check each link again on its next round (a rejected one too: it comes back live if
    its page now links back and has room). Nothing is fetched here, so a page can call it."""
    now = now or dt.datetime.now(dt.UTC)
    results: list[Moderated] = []
    for link_id in _unique(link_ids):
        before = _status(connection, link_id)
        if before is None:
            results.append(Moderated(link_id, "recheck", None, None, actor_id, f"no link with id {link_id}"))
            continue
        connection.execute(link.update().where(link.c.id == link_id).values(next_check_at=now, attempts=0))
        results.append(Moderated(link_id, "recheck", before, before, actor_id))
    return results


def approve_link(
    engine: Engine,
    link_id: int,
    recheck_after: dt.timedelta,
    max_per_page: int = 5,
    now: dt.datetime | None = None,
) -> None:
    """Make a link live now. The periodic re-check still applies: a page without the backlink gets hidden.

    A rejected link comes back only if its page has room and does not hold its URL again; a link to a
    blocked host is not approved.
    """
    with begin_write(engine) as connection:
        _approve(connection, link_id, recheck_after, max_per_page, now or dt.datetime.now(dt.UTC))


def _approve(
    connection: sa.Connection, link_id: int, recheck_after: dt.timedelta, max_per_page: int, now: dt.datetime
) -> str:
    row = connection.execute(
        sa.select(link.c.article_id, link.c.status, link.c.url_key).where(link.c.id == link_id)
    ).first()
    if row is None:
        raise LinkNotFound(f"no link with id {link_id}")
    block = find_block(connection, (urlsplit(row.url_key).hostname or "").lower())
    if block is not None:
        raise ModerationError(
            f"link {link_id}: links to {block.describe()} are blocked; unblock it first (`qapress links unblock`)"
        )
    if row.status == "rejected":
        connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.id == row.article_id).with_for_update())
        others = (
            connection.execute(
                sa.select(link.c.url_key).where(
                    link.c.article_id == row.article_id,
                    link.c.status.in_(OCCUPYING_STATUSES),
                    link.c.id != link_id,
                )
            )
            .scalars()
            .all()
        )
        if row.url_key in others:
            raise ModerationError(f"link {link_id}: its page already has this URL in another link")
        if len(others) >= max_per_page:
            raise ModerationError(f"link {link_id}: its page already has {len(others)} links")
    connection.execute(
        link.update()
        .where(link.c.id == link_id)
        .values(status="live", reason=None, attempts=0, checked_at=now, next_check_at=now + recheck_after)
    )
    return str(row.status)


def reject_link(engine: Engine, link_id: int, reason: str) -> None:
    """Reject a link with a reason; it stops being checked and frees its place and its URL on the page."""
    with engine.begin() as connection:
        [result] = reject_links(connection, [link_id], reason, None)
    if result.error:
        raise LinkNotFound(result.error)


def _status(connection: sa.Connection, link_id: int) -> str | None:
    status = connection.execute(sa.select(link.c.status).where(link.c.id == link_id)).scalar()
    return None if status is None else str(status)


def _unique(link_ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(link_ids))
