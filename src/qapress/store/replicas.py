"""Read replicas: which PostgreSQL server a read goes to, decided without a database round trip.

``ReplicaSet`` holds one pool per replica (``QAPRESS_DATABASE_REPLICA_URLS``) and a monitor thread that,
every ``check_seconds``, samples the primary's WAL position and each replica's replay position. A replica's
lag is how long ago the oldest primary sample it has not replayed yet was taken: exact about what a reader
could miss, blind to clock skew, and zero on an idle primary (``now() - pg_last_xact_replay_timestamp()``
grows while nothing is written). A replica that is unreachable, not in recovery, or lagging past
``max_lag_seconds`` is skipped until a later check finds it fit; a request only reads the monitor's verdict.

Read-your-writes: a request that committed through SQLAlchemy on the primary (a mutation, a link form, a
newsroom save) marks its :class:`ReadRouting`; the rest of that request reads the primary, and the
middleware (``site.read_routing``) answers it with a cookie that keeps the client on the primary for
:attr:`ReplicaSet.sticky_seconds`, longer than any replica in use can take to replay that write.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: A monitor verdict older than this many check intervals is not trusted: reads go to the primary.
STALE_CHECKS = 3
CONNECT_TIMEOUT_S = 2


@dataclass
class ReadRouting:
    """What one request may read from: set per request (``routing_scope``), shared with its threads."""

    #: The client or this request wrote: read the primary.
    primary: bool = False
    #: This request committed a write (the answer sets the read-from-primary cookie).
    wrote: bool = False


_ROUTING: ContextVar[ReadRouting | None] = ContextVar("qapress_read_routing", default=None)
#: The replica a page build was pinned to (one that has replayed every change the page cache was told of).
_PINNED: ContextVar[Replica | None] = ContextVar("qapress_pinned_replica")


@contextlib.contextmanager
def routing_scope(primary: bool = False) -> Iterator[ReadRouting]:
    """A request's routing state; threads the request runs in (``run_in_threadpool``) see the same one."""
    routing = ReadRouting(primary=primary)
    token = _ROUTING.set(routing)
    try:
        yield routing
    finally:
        _ROUTING.reset(token)


def note_write() -> None:
    """The current request committed on the primary: its later reads, and its client's, go there too."""
    routing = _ROUTING.get()
    if routing is not None:
        routing.wrote = True
        routing.primary = True


def reads_primary() -> bool:
    routing = _ROUTING.get()
    return routing is not None and routing.primary


@contextlib.contextmanager
def pinned_to(replica: Replica | None) -> Iterator[None]:
    """Reads in this block that may use a replica use ``replica`` (None: the primary)."""
    token = _PINNED.set(replica)
    try:
        yield
    finally:
        _PINNED.reset(token)


def lsn(text: str) -> int:
    """A ``pg_lsn`` as text (``16/B374D848``) as a number."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class Replica:
    """One replica: its pool and the monitor's last verdict."""

    url: str
    engine: Engine
    healthy: bool = False
    lag_seconds: float = math.inf
    reason: str = "not checked yet"
    checked_at: float = 0.0
    replay_lsn: int = 0
    _monitor: psycopg.Connection[Any] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def mark_down(self, reason: str) -> None:
        """Skip this replica until the monitor finds it fit again (a request's statement failed on it)."""
        if self.healthy:
            log.warning("read replica %s skipped: %s", self.name, reason)
        self.healthy = False
        self.reason = reason


class ReplicaSet:
    """The replicas of one primary and the monitor that decides which of them reads may use."""

    def __init__(
        self,
        primary: Engine,
        replicas: Sequence[Engine],
        *,
        max_lag_seconds: float = 5.0,
        check_seconds: float = 1.0,
    ) -> None:
        self.primary = primary
        self.replicas = [
            Replica(engine.url.render_as_string(hide_password=False), engine) for engine in replicas
        ]
        self.max_lag_seconds = max_lag_seconds
        self.check_seconds = check_seconds
        # (monotonic time, primary WAL position) samples, as long as a lag worth measuring.
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._primary_monitor: psycopg.Connection[Any] | None = None
        self._turn = itertools.count()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checks = 0

    @property
    def sticky_seconds(self) -> int:
        """How long a client that wrote keeps reading the primary: the lag bound plus two check intervals
        (the write's WAL position is sampled within one interval, and judged within another)."""
        return math.ceil(self.max_lag_seconds + 2 * self.check_seconds)

    # --- the requests' side: no I/O ---------------------------------------------------------------------

    def usable(self) -> list[Replica]:
        now = time.monotonic()
        fresh = STALE_CHECKS * self.check_seconds
        return [r for r in self.replicas if r.healthy and now - r.checked_at <= fresh]

    def choose(self) -> Replica | None:
        """A replica for the current read, or None for the primary (the request wrote, none is fit)."""
        if reads_primary():
            return None
        pinned = _PINNED.get(_UNSET)
        if pinned is not _UNSET:
            return pinned if pinned is None or pinned.healthy else None
        usable = self.usable()
        if not usable:
            return None
        return usable[next(self._turn) % len(usable)]

    def current_since(self, changed_at: float) -> Replica | None:
        """A fit replica that has replayed every commit made before ``changed_at`` (a ``time.monotonic()``),
        or None. A commit made before then is before the first sample of the primary's WAL position taken
        at or after it, so a replica whose replay position has reached that sample has it; until the
        monitor takes such a sample, no replica qualifies."""
        if reads_primary():
            return None
        after = next((position for at, position in list(self._samples) if at >= changed_at), None)
        if after is None:
            return None
        current = [r for r in self.usable() if r.replay_lsn >= after]
        if not current:
            return None
        return current[next(self._turn) % len(current)]

    # --- the monitor ----------------------------------------------------------------------------------

    def start(self) -> ReplicaSet:
        """Check once now (so reads may use replicas from the first request), then every ``check_seconds``."""
        self.check()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="qapress-replica-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        for replica in self.replicas:
            _close(replica._monitor)
            replica._monitor = None
            replica.engine.dispose()
        _close(self._primary_monitor)
        self._primary_monitor = None

    def _run(self) -> None:
        while not self._stop.wait(self.check_seconds):
            try:
                self.check()
            except Exception:  # the monitor must outlive anything one check meets
                log.exception("checking the read replicas failed")

    def check(self) -> None:
        """Sample the primary's WAL position, then judge each replica by what it has replayed."""
        now = time.monotonic()
        try:
            self._primary_monitor, position = _query(
                self._primary_monitor, self.primary, "SELECT pg_current_wal_lsn()::text"
            )
            self._samples.append((now, lsn(str(position[0]))))
        except (psycopg.Error, OSError) as exc:
            # Without the primary the replicas' lag cannot grow a bound; the samples kept still judge them.
            log.warning("read replicas: cannot sample the primary's WAL position: %s", exc)
            self._primary_monitor = None
        keep = self.max_lag_seconds + 2 * self.check_seconds
        while len(self._samples) > 1 and now - self._samples[1][0] > keep:
            self._samples.popleft()
        for replica in self.replicas:
            self._judge(replica, now)
        self.checks += 1

    def _judge(self, replica: Replica, now: float) -> None:
        try:
            replica._monitor, row = _query(
                replica._monitor,
                replica.engine,
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text",
            )
        except (psycopg.Error, OSError) as exc:
            replica._monitor = None
            replica.checked_at = now
            replica.mark_down(f"unreachable: {str(exc).strip().splitlines()[0] if str(exc) else exc!r}")
            return
        in_recovery, replayed = row
        replica.checked_at = now
        if not in_recovery or replayed is None:
            replica.mark_down("not a standby (pg_is_in_recovery() is false)")
            return
        replica.replay_lsn = lsn(str(replayed))
        behind = [at for at, position in self._samples if position > replica.replay_lsn]
        replica.lag_seconds = now - behind[0] if behind else 0.0
        if replica.lag_seconds > self.max_lag_seconds:
            replica.mark_down(f"lagging {replica.lag_seconds:.1f}s behind the primary")
            return
        if not replica.healthy:
            log.info("read replica %s in use (lag %.1fs)", replica.name, replica.lag_seconds)
        replica.healthy = True
        replica.reason = "ok"


_UNSET: Any = object()


def _query(
    connection: psycopg.Connection[Any] | None, engine: Engine, sql: str
) -> tuple[psycopg.Connection[Any], tuple[Any, ...]]:
    """One row from ``sql`` on the monitor's own connection to ``engine``'s server (opened when missing):
    outside the pool, so a full pool never delays a check."""
    if connection is None or connection.closed or connection.broken:
        _close(connection)
        url = engine.url
        conninfo = psycopg.conninfo.make_conninfo(
            host=url.host or "",
            port=url.port or 5432,
            user=url.username or "",
            password=url.password or "",
            dbname=url.database or "",
            connect_timeout=CONNECT_TIMEOUT_S,
            **{str(k): str(v) for k, v in url.query.items()},
        )
        connection = psycopg.connect(conninfo, autocommit=True, prepare_threshold=None)
    try:
        row = connection.execute(sql).fetchone()
    except BaseException:
        _close(connection)
        raise
    assert row is not None
    return connection, tuple(row)


def _close(connection: psycopg.Connection[Any] | None) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()


def mark_writes(engine: Engine) -> None:
    """Every commit through ``engine`` (the primary) pins the committing request to the primary."""
    if not sa.event.contains(engine, "commit", _on_commit):
        sa.event.listen(engine, "commit", _on_commit)


def _on_commit(_connection: sa.Connection) -> None:
    note_write()
