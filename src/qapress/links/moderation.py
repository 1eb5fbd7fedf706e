"""Moderation: list links, approve or reject one. The CLI (``qapress links``) is a thin layer over these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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


def approve_link(
    engine: Engine,
    link_id: int,
    recheck_after: dt.timedelta,
    max_per_page: int = 5,
    now: dt.datetime | None = None,
) -> None:
    """Make a link live now. The periodic re-check still applies: a page without the backlink gets hidden.

    A rejected link comes back only if its page has room and does not hold its URL again.
    """
    now = now or dt.datetime.now(dt.UTC)
    with begin_write(engine) as connection:
        row = connection.execute(
            sa.select(link.c.article_id, link.c.status, link.c.url_key).where(link.c.id == link_id)
        ).first()
        if row is None:
            raise LinkNotFound(f"no link with id {link_id}")
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


def reject_link(engine: Engine, link_id: int, reason: str) -> None:
    """Reject a link with a reason; it stops being checked and frees its place and its URL on the page."""
    if not reason.strip():
        raise ModerationError("a rejection needs a reason")
    with engine.begin() as connection:
        updated = connection.execute(
            link.update()
            .where(link.c.id == link_id)
            .values(status="rejected", reason=reason.strip(), attempts=0, next_check_at=None)
        )
        if updated.rowcount != 1:
            raise LinkNotFound(f"no link with id {link_id}")
