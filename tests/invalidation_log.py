"""Reading the cache-invalidation log the triggers write, for tests that check what an edit logs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.schema import cache_invalidation


def log_position(engine: Engine) -> int:
    """The newest entry's sequence number (0 for an empty log): what a test reads before an edit."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(cache_invalidation.c.seq), 0))
            ).scalar_one()
        )


def tags_since(engine: Engine, seq: int) -> list[str]:
    """The tags logged after ``seq``, oldest first."""
    with engine.connect() as connection:
        query = sa.select(cache_invalidation.c.tag).where(cache_invalidation.c.seq > seq)
        return [str(tag) for tag in connection.execute(query.order_by(cache_invalidation.c.seq)).scalars()]
