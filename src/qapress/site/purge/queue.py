"""The purge queue (``purge_queue``, filled by the triggers of migration 0012), delivered by a worker.

A round claims the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on several hosts share
the queue; a lease keeps a claimed row from the others while its purge is in flight), sends their distinct
tags to every purger, and deletes the rows once all took them. A failure keeps the rows and sets their next
try 1, 2, 4 ... seconds later (capped): nothing is lost while a proxy is down. The same worker prunes the
invalidation log past its retention.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.settings import Settings
from qapress.site.purge.adapters import PurgeError, Purger, purgers_from_settings
from qapress.store.database import begin_write
from qapress.store.schema import cache_invalidation, purge_queue

log = logging.getLogger(__name__)

#: How long a claimed batch is kept from other workers while its purges are sent.
LEASE = dt.timedelta(seconds=60)


def retry_delay(attempts: int, cap_seconds: float) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4 ... seconds, at most ``cap_seconds``."""
    return dt.timedelta(seconds=min(cap_seconds, 2.0 ** min(attempts - 1, 20)))


@dataclass
class PurgeResult:
    tags: int = 0
    rows: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class PurgeQueue:
    """Delivers ``purge_queue`` to ``purgers``."""

    def __init__(
        self,
        engine: Engine,
        purgers: Sequence[Purger],
        *,
        timeout: float = 5.0,
        retry_max_seconds: float = 300.0,
        retention: dt.timedelta = dt.timedelta(hours=24),
        batch: int = 1000,
    ) -> None:
        self.engine = engine
        self.purgers = list(purgers)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.retry_max_seconds = retry_max_seconds
        self.retention = retention
        self.batch = batch

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> PurgeQueue:
        return cls(
            engine,
            purgers_from_settings(settings),
            timeout=settings.purge_timeout_seconds,
            retry_max_seconds=settings.purge_retry_max_seconds,
            retention=dt.timedelta(hours=settings.cache_log_retention_hours),
        )

    def close(self) -> None:
        self.client.close()

    def claim(self, now: dt.datetime) -> list[tuple[int, str, int]]:
        """The due rows (id, tag, attempts), leased to this worker."""
        due = sa.or_(purge_queue.c.next_attempt_at.is_(None), purge_queue.c.next_attempt_at <= now)
        query = (
            sa.select(purge_queue.c.id, purge_queue.c.tag, purge_queue.c.attempts)
            .where(due)
            .order_by(purge_queue.c.id)
            .limit(self.batch)
        )
        # A read then a write: on SQLite the transaction takes the write lock first (BEGIN IMMEDIATE), or a
        # worker whose snapshot another process wrote past gets "database is locked" without waiting.
        with begin_write(self.engine) as connection:
            # FOR UPDATE SKIP LOCKED on PostgreSQL; SQLAlchemy leaves it out on SQLite (one writer at a time).
            query = query.with_for_update(skip_locked=True)
            rows = [(int(r.id), str(r.tag), int(r.attempts)) for r in connection.execute(query)]
            if rows:
                connection.execute(
                    sa.update(purge_queue)
                    .where(purge_queue.c.id.in_([row[0] for row in rows]))
                    .values(next_attempt_at=now + LEASE)
                )
        return rows

    def run_once(self, now: dt.datetime | None = None) -> PurgeResult:
        """Deliver one batch of due tags (or drop them when no purger is configured)."""
        moment = now or dt.datetime.now(dt.UTC)
        result = PurgeResult()
        rows = self.claim(moment)
        if not rows:
            return result
        ids = [row[0] for row in rows]
        tags = sorted({row[1] for row in rows})
        try:
            for purger in self.purgers:
                for start in range(0, len(tags), purger.max_tags):
                    purger.send(self.client, tags[start : start + purger.max_tags])
        except PurgeError as error:
            attempts = max(row[2] for row in rows) + 1
            with self.engine.begin() as connection:
                connection.execute(
                    sa.update(purge_queue)
                    .where(purge_queue.c.id.in_(ids))
                    .values(
                        attempts=purge_queue.c.attempts + 1,
                        next_attempt_at=moment + retry_delay(attempts, self.retry_max_seconds),
                        last_error=str(error)[:1000],
                    )
                )
            result.failed = len(rows)
            result.errors.append(str(error))
            log.warning("purge of %d tags failed (try %d): %s", len(tags), attempts, error)
            return result
        with self.engine.begin() as connection:
            connection.execute(sa.delete(purge_queue).where(purge_queue.c.id.in_(ids)))
        result.tags, result.rows = len(tags), len(rows)
        return result

    def drain(self, now: dt.datetime | None = None, rounds: int = 100) -> PurgeResult:
        """``run_once`` until nothing is due (or a round fails)."""
        total = PurgeResult()
        for _ in range(rounds):
            result = self.run_once(now)
            total.tags += result.tags
            total.rows += result.rows
            total.failed += result.failed
            total.errors += result.errors
            if result.failed or result.rows < self.batch:
                break
        return total

    def prune_log(self, now: dt.datetime | None = None) -> int:
        """Delete log entries older than the retention; returns how many went."""
        cutoff = (now or dt.datetime.now(dt.UTC)) - self.retention
        with self.engine.begin() as connection:
            deleted = connection.execute(
                sa.delete(cache_invalidation).where(cache_invalidation.c.created_at < cutoff)
            )
        return int(deleted.rowcount or 0)


class PurgeWorker:
    """Runs ``PurgeQueue.drain`` every ``poll_seconds`` in a daemon thread, and prunes the log hourly."""

    PRUNE_EVERY = dt.timedelta(hours=1)

    def __init__(self, queue: PurgeQueue, poll_seconds: float) -> None:
        self.queue = queue
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned: dt.datetime | None = None

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.queue.drain()
                now = dt.datetime.now(dt.UTC)
                if self._pruned is None or now - self._pruned > self.PRUNE_EVERY:
                    self.queue.prune_log(now)
                    self._pruned = now
            except Exception:
                log.exception("purge worker: a round failed; trying again in %s s", self.poll_seconds)
            self._stop.wait(self.poll_seconds)

    def start(self) -> PurgeWorker:
        self._thread = threading.Thread(target=self.run_forever, name="qapress-purge-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.queue.close()
