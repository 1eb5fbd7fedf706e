"""Work claimed once by however many workers run, on however many hosts: one statement takes the next due row.

``UPDATE t SET <lease> WHERE id = (SELECT id FROM t WHERE <due> ORDER BY ... LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id``. On PostgreSQL a worker skips the rows another is claiming instead of queueing behind its lock
(and READ COMMITTED re-checks a row that changed meanwhile, so a row no longer due is never taken); the lease
written in the same statement keeps it from every later claim until it runs out. SQLite has no row locks and
SQLAlchemy leaves ``FOR UPDATE`` out there: one writer at a time runs the same statement whole.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def claim_next(
    engine: Engine,
    table: sa.Table,
    due: sa.ColumnElement[bool],
    order_by: list[Any],
    values: dict[str, Any],
) -> int | None:
    """Move the first due row of ``table`` (by ``order_by``) out of the way with ``values``; its id, or None
    when nothing is due or every due row is being claimed by another worker right now."""
    locked = (
        sa.select(table.c.id).where(due).order_by(*order_by).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    with engine.begin() as connection:
        claimed = connection.execute(
            table.update().where(table.c.id == locked).values(**values).returning(table.c.id)
        ).scalar()
    return None if claimed is None else int(claimed)


def claim_one(
    engine: Engine, table: sa.Table, row_id: int, due: sa.ColumnElement[bool], values: dict[str, Any]
) -> bool:
    """``claim_next`` for one named row: true for exactly one of the workers that try at once."""
    return claim_next(engine, table, sa.and_(table.c.id == row_id, due), [table.c.id], values) is not None
