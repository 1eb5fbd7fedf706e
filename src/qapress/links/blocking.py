"""Blocking a host or a registered domain: refuse its future links, take its links off the pages.

``block_host`` stores the block and, in the same transaction, hides the host's live links (status
``hidden``, which pages do not show; the site revision moves, so cached pages drop them) and rejects its
pending ones. ``unblock_host`` removes the block and hands the links it had hidden back to the checker,
which makes them live again if their page still links back. The rule itself (``blocklist``) runs in
``links.submit.check_new_link`` for the form and for GraphQL, and in the checker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from qapress.links.blocklist import BlockedHost, block_target, covering_names, matching_block
from qapress.links.errors import ModerationError
from qapress.store.schema import blocked_host, link

#: Hidden links of a blocked host are looked at again this often (no fetch: the checker sees the block).
BLOCKED_RECHECK = dt.timedelta(days=1)
BLOCKED_REASON = "blocked host: "


@dataclass(frozen=True)
class BlockResult:
    """A block and what it did to the host's links; ``created`` is False when it was there already."""

    block: BlockedHost
    created: bool
    hidden: tuple[int, ...]
    rejected: tuple[int, ...]
    actor_id: int | None


@dataclass(frozen=True)
class UnblockResult:
    """A removed block and the links handed back to the checker."""

    block: BlockedHost
    requeued: tuple[int, ...]
    actor_id: int | None


def list_blocks(connection: sa.Connection) -> list[BlockedHost]:
    """Every block, oldest first."""
    rows = connection.execute(sa.select(blocked_host).order_by(blocked_host.c.id)).mappings()
    return [_block(row) for row in rows]


def find_block(connection: sa.Connection, host: str) -> BlockedHost | None:
    """The block covering ``host`` (lower-case ASCII, as ``ValidURL.host``), in one indexed query."""
    rows = connection.execute(
        sa.select(blocked_host).where(
            sa.or_(
                sa.and_(blocked_host.c.kind == "host", blocked_host.c.host == host),
                sa.and_(blocked_host.c.kind == "domain", blocked_host.c.host.in_(covering_names(host))),
            )
        )
    ).mappings()
    return matching_block([_block(row) for row in rows], host)


def block_host(
    connection: sa.Connection,
    target: str,
    *,
    domain: bool = False,
    reason: str = "",
    actor_id: int | None,
    now: dt.datetime | None = None,
) -> BlockResult:
    """Block ``target`` (a host or URL; with ``domain``, its whole registered domain). Raises
    ``ModerationError`` for a target that is not a public host name."""
    now = now or dt.datetime.now(dt.UTC)
    host = block_target(target, domain=domain)
    kind = "domain" if domain else "host"
    existing = _stored(connection, host, kind)
    created = existing is None
    if existing is None:
        connection.execute(
            blocked_host.insert().values(host=host, kind=kind, reason=reason.strip(), created_at=now)
        )
        existing = _stored(connection, host, kind)
        assert existing is not None
    hidden: list[int] = []
    rejected: list[int] = []
    note = BLOCKED_REASON + (reason.strip() or existing.describe())
    for link_id, status in _links_covered_by(connection, existing, ("pending", "live", "hidden")):
        if status == "pending":
            values: dict[str, object] = {"status": "rejected", "attempts": 0, "next_check_at": None}
            rejected.append(link_id)
        else:
            values = {"status": "hidden", "next_check_at": now + BLOCKED_RECHECK}
            hidden.append(link_id)
        connection.execute(
            link.update().where(link.c.id == link_id, link.c.status == status).values(reason=note, **values)
        )
    return BlockResult(existing, created, tuple(hidden), tuple(rejected), actor_id)


def unblock_host(
    connection: sa.Connection,
    target: str,
    *,
    domain: bool = False,
    actor_id: int | None,
    now: dt.datetime | None = None,
) -> UnblockResult:
    """Remove a block; the links it hid are checked again soon (live again if the backlink is there)."""
    now = now or dt.datetime.now(dt.UTC)
    host = block_target(target, domain=domain)
    kind = "domain" if domain else "host"
    existing = _stored(connection, host, kind)
    if existing is None:
        what = f"{host} is not blocked as a domain" if domain else f"{host} is not blocked as a host"
        raise ModerationError(f"{what}; `qapress links blocked` lists the blocks")
    connection.execute(blocked_host.delete().where(blocked_host.c.id == existing.id))
    requeued: list[int] = []
    for link_id, _status in _links_covered_by(connection, existing, ("hidden",)):
        url_key = connection.execute(sa.select(link.c.url_key).where(link.c.id == link_id)).scalar_one()
        if find_block(connection, _host(url_key)) is not None:
            continue  # another block still covers it
        updated = connection.execute(
            link.update()
            .where(link.c.id == link_id, link.c.reason.like(BLOCKED_REASON + "%"))
            .values(next_check_at=now, attempts=0)
        )
        if updated.rowcount:
            requeued.append(link_id)
    return UnblockResult(existing, tuple(requeued), actor_id)


def _links_covered_by(
    connection: sa.Connection, block: BlockedHost, statuses: tuple[str, ...]
) -> list[tuple[int, str]]:
    # The LIKE narrows the scan to keys containing the name; the exact host test is done here.
    pattern = "%" + block.host.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = connection.execute(
        sa.select(link.c.id, link.c.status, link.c.url_key)
        .where(link.c.status.in_(statuses), link.c.url_key.like(pattern, escape="\\"))
        .order_by(link.c.id)
    )
    return [(row.id, row.status) for row in rows if block.matches(_host(row.url_key))]


def _host(url_key: str) -> str:
    return (urlsplit(url_key).hostname or "").lower()


def _stored(connection: sa.Connection, host: str, kind: str) -> BlockedHost | None:
    row = (
        connection.execute(
            sa.select(blocked_host).where(blocked_host.c.host == host, blocked_host.c.kind == kind)
        )
        .mappings()
        .first()
    )
    return _block(row) if row else None


def _block(row: sa.RowMapping) -> BlockedHost:
    return BlockedHost(row["id"], row["host"], row["kind"], row["reason"], row["created_at"])
