"""``RelatedWorker``: computes the queued related lists (imports, upgrades, stale lists), each once.

Several workers may run against one store: each queue row is claimed first (``store.claims``: ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL) with a lease, so racing workers never compute the same list twice; a worker that
died leaves its rows to the next claim once the lease ran out. A row queued again while held
(``requests`` grew) stays for another pass, so an edit made during a computation is never lost.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.articles.clock import Clock, utc_now
from qapress.related.compute import RelatedComputer
from qapress.related.lists import Refreshed, refresh
from qapress.store import begin_write
from qapress.store.claims import claim_next
from qapress.store.schema import related_queue

#: How long a claimed row is kept from other workers (a list takes milliseconds; a dead worker's rows wait).
LEASE = dt.timedelta(minutes=5)
#: Lists a pass of the worker loop computes at most, so the loop's other passes keep their pace.
PASS_SIZE = 500


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(related_queue.c.claimed_until.is_(None), related_queue.c.claimed_until < now)


def queued_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(related_queue)).scalar_one())


class RelatedWorker:
    """Claims queued articles one by one and stores each one's list."""

    def __init__(self, engine: Engine, clock: Clock = utc_now, lease: dt.timedelta = LEASE) -> None:
        self.engine = engine
        self.clock = clock
        self.lease = lease
        self.computer = RelatedComputer()

    def claim(self) -> int | None:
        """The queue row taken for this worker (None when nothing is due)."""
        now = self.clock()
        return claim_next(
            self.engine, related_queue, _due(now), [related_queue.c.id], {"claimed_until": now + self.lease}
        )

    def run_once(self, limit: int | None = PASS_SIZE) -> list[Refreshed]:
        """Compute up to ``limit`` queued lists (None: until the queue is empty); what was done."""
        done: list[Refreshed] = []
        while limit is None or len(done) < limit:
            row_id = self.claim()
            if row_id is None:
                break
            with begin_write(self.engine) as connection:
                row = connection.execute(
                    sa.select(related_queue.c.article_id, related_queue.c.requests).where(
                        related_queue.c.id == row_id
                    )
                ).first()
                if row is None:  # computed meanwhile by a publish, which took it off the queue
                    continue
                done.append(
                    refresh(connection, self.computer, int(row.article_id), requests=int(row.requests))
                )
        return done
