"""The audit log: who did what to which thing, when and from where, kept in the database.

Every change an account or the command line makes writes one row in the same transaction as the change, so
a change and its record commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.schema import audit_log

#: The actor of changes made with the ``qapress`` command (an operator at the server's shell).
CLI_ACTOR = "cli"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: Mapping[str, Any] | None
    client: str | None


def record(
    connection: sa.Connection,
    actor: str,
    action: str,
    subject: str = "",
    detail: Mapping[str, Any] | None = None,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Write one entry inside the caller's transaction."""
    connection.execute(
        audit_log.insert().values(
            at=at or utc_now(),
            actor=actor[:320],
            action=action,
            subject=subject[:400],
            detail=dict(detail) if detail is not None else None,
            client=client[:64] if client else None,
        )
    )


def recent(engine: Engine, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    """The newest entries first."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        AuditEntry(
            row["id"],
            _aware(row["at"]),
            row["actor"],
            row["action"],
            row["subject"],
            row["detail"],
            row["client"],
        )
        for row in rows
    ]


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def count_since(
    connection: sa.Connection,
    action: str,
    since: dt.datetime,
    *,
    subject: str | None = None,
    client: str | None = None,
) -> int:
    """How many ``action`` entries for ``subject`` (or from ``client``) were written since ``since``."""
    query = sa.select(sa.func.count()).where(audit_log.c.action == action, audit_log.c.at >= since)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    if client is not None:
        query = query.where(audit_log.c.client == client)
    return int(connection.execute(query).scalar_one())
