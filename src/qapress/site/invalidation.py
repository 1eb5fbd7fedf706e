"""How each process learns which cache tags changed, without asking the database on every cache hit.

The triggers of migration 0012 log the tags of every change to ``cache_invalidation`` (and, on PostgreSQL,
send them with ``pg_notify``). A *watch* turns that into calls of ``on_tags`` before a hit is served:

- ``DataVersionWatch`` (SQLite): ``PRAGMA data_version`` on a read-only connection per thread moves when any
  other connection commits; only then is the log read past the process's position. Before asking, the
  wal-index header is read from shared memory (``wal_index.py``): while it has not moved since the last
  check, nothing committed and nothing is asked. Exact: a change committed before a request is seen by
  that request.
- ``NotifyWatch`` (PostgreSQL): a thread ``LISTEN``\\ s; the notification carries the tags, in commit order.
  Hits ask nothing; a change is seen as soon as its notification arrives (well under a millisecond here).
  While the listening connection is down hits are refused, and on reconnecting every page is dropped.
- ``PollWatch`` (either; for PgBouncer in transaction mode, which has no LISTEN): a thread reads the log
  every ``interval`` seconds. Staleness is bounded by the interval; hits are refused when polls fail.
- ``QueryWatch``: reads the log on every hit (exact anywhere, one statement per hit).

``sync()`` is what the hit path calls: ``True`` when the cache may answer.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.site.cache_tags import ALL
from qapress.site.wal_index import WalIndexHeader, open_wal_index
from qapress.store.backend import default_change_watch, is_postgresql, sqlite_file

log = logging.getLogger(__name__)

#: The channel the triggers notify on (migration 0012).
NOTIFY_CHANNEL = "qapress_cache"
#: A payload meaning "too many tags to list": drop every page.
EVERYTHING = "*"
#: Rows read from the log at once; a longer backlog drops every page instead.
MAX_ROWS = 10_000
_READ_SQL = "SELECT seq, tag FROM cache_invalidation WHERE seq > ? ORDER BY seq LIMIT ?"
_HEAD_SQL = "SELECT COALESCE(MAX(seq), 0) FROM cache_invalidation"

TagSink = Callable[[list[str]], None]


class LogCursor:
    """A position in the log that tolerates PostgreSQL's out-of-order commits.

    Sequence values are taken at insert and committed in any order, so a seq below one already read may still
    appear. ``floor`` is the seq up to which everything was handled; seqs seen above it are remembered until
    the holes below them fill or are older than ``gap_timeout`` (a rolled-back insert leaves one for ever).
    """

    def __init__(self, floor: int, gap_timeout: float = 60.0) -> None:
        self.floor = floor
        self.gap_timeout = gap_timeout
        self._seen: dict[int, float] = {}

    def take(self, rows: Sequence[tuple[int, str]], now: float) -> list[str]:
        """The tags of the rows not handled before (rows as read with ``seq > floor``)."""
        tags = []
        for seq, tag in rows:
            if seq > self.floor and seq not in self._seen:
                self._seen[seq] = now
                tags.append(tag)
        self._advance(now)
        return tags

    def _advance(self, now: float) -> None:
        while self._seen:
            following = self.floor + 1
            if following in self._seen:
                del self._seen[following]
                self.floor = following
                continue
            lowest = min(self._seen)
            if now - self._seen[lowest] < self.gap_timeout:
                return
            self.floor = lowest - 1  # give up on the hole: the next turn takes ``lowest``


class ChangeWatch(Protocol):
    def sync(self) -> bool:
        """Apply the changes committed so far (as far as this watch can know); whether hits may be served."""

    #: Whether ``sync`` talks to the database (then the caller keeps it off the event loop if that is costly).
    does_io: bool

    def stop(self) -> None: ...


def wait_until_served(watch: ChangeWatch, timeout: float = 5.0) -> bool:
    """Start ``watch`` and wait, at most ``timeout`` seconds, until it vouches for the cache: a worker's
    first hits are then hits (PostgreSQL's listener connects in the background, and a hit before it listens
    is refused). Whether it got there; after that, requests still wait for nothing."""
    deadline = time.monotonic() + timeout
    while not watch.sync():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


class DataVersionWatch:
    """SQLite: the log is read only after ``PRAGMA data_version`` moved on this thread's probe connection."""

    does_io = True

    def __init__(self, path: str, on_tags: TagSink) -> None:
        self.path = path
        self.on_tags = on_tags
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cursor: LogCursor | None = None
        self._connections: list[sqlite3.Connection] = []
        #: The wal-index header, when it can be read: a check whose header did not move asks nothing.
        self._header: WalIndexHeader | None = None
        self._header_tried = False
        self._last_header = b""

    def _probe(self) -> tuple[sqlite3.Connection, list[int]]:
        probe: tuple[sqlite3.Connection, list[int]] | None = getattr(self._local, "probe", None)
        if probe is None:
            # Autocommit: each statement sees the latest commit. It never writes, so every commit (this
            # process's too) moves its data_version.
            connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA busy_timeout=10000")
            probe = (connection, [-1])
            self._local.probe = probe
            with self._lock:
                self._connections.append(connection)
        return probe

    def sync(self) -> bool:
        header = self._header
        seen = b""
        if header is not None:
            seen = header.read()
            if seen == self._last_header:
                return True  # nothing committed since a check that applied everything before it
        connection, last = self._probe()
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        if version != last[0]:
            with self._lock:
                self._read(connection)
            last[0] = version
        if header is not None:
            # Read before the check above: a commit during the check makes the next read differ again.
            self._last_header = seen
        elif not self._header_tried:
            self._open_header(connection)
        return True

    def _open_header(self, connection: sqlite3.Connection) -> None:
        """Map the wal-index header once this process's probe has the ``-shm`` open (``wal_index.py``)."""
        with self._lock:
            if self._header_tried:
                return
            self._header_tried = True
            if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                self._header = open_wal_index(self.path)

    def _read(self, connection: sqlite3.Connection) -> None:
        if self._cursor is None:
            head = int(connection.execute(_HEAD_SQL).fetchone()[0])
            self._cursor = LogCursor(head, gap_timeout=0.0)  # one writer at a time: no holes
            return
        floor = self._cursor.floor
        rows = connection.execute(_READ_SQL, (floor, MAX_ROWS)).fetchall()
        if not rows:
            return
        pruned = floor > 0 and int(rows[0][0]) > floor + 1
        tags = self._cursor.take([(int(seq), str(tag)) for seq, tag in rows], time.monotonic())
        self.on_tags([ALL] if pruned or len(rows) == MAX_ROWS else tags)
        if len(rows) == MAX_ROWS:
            self._cursor = LogCursor(int(connection.execute(_HEAD_SQL).fetchone()[0]), gap_timeout=0.0)

    def stop(self) -> None:
        with self._lock:
            header, self._header = self._header, None
            if header is not None:  # before the connections that keep the -shm file whole
                header.close()
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


class _Background:
    """A daemon thread running ``loop`` until ``stop``; started by the first ``sync`` (so after a fork)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self.loop, name=self.name, daemon=True)
                    self._thread.start()

    def loop(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def libpq_url(engine: Engine) -> str:
    """The engine's URL as libpq reads it (``postgresql://``, password included)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class NotifyWatch(_Background):
    """PostgreSQL: ``LISTEN`` on a connection of its own; each notification's tags are applied at once."""

    does_io = False

    def __init__(self, engine: Engine, on_tags: TagSink, retry_seconds: float = 1.0) -> None:
        super().__init__("qapress-cache-listen")
        self.conninfo = libpq_url(engine)
        self.on_tags = on_tags
        self.retry_seconds = retry_seconds
        self.listening = threading.Event()
        self.received = 0

    def sync(self) -> bool:
        self.ensure_started()
        return self.listening.is_set()

    def loop(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    # Whatever changed while nobody listened is unknown: start from an empty cache.
                    self.on_tags([ALL])
                    self.listening.set()
                    while not self._stopping.is_set():
                        for notify in connection.notifies(timeout=0.5):
                            self.received += 1
                            payload = notify.payload
                            self.on_tags([ALL] if payload == EVERYTHING else payload.split())
            except psycopg.Error as exc:
                log.warning("cache change listener lost its connection (%s); retrying", exc)
            finally:
                self.listening.clear()
            self._stopping.wait(self.retry_seconds)


class PollWatch(_Background):
    """Reads the log every ``interval`` seconds; hits are served while the last poll is recent enough."""

    does_io = False

    def __init__(self, engine: Engine, on_tags: TagSink, interval: float) -> None:
        super().__init__("qapress-cache-poll")
        self.engine = engine
        self.on_tags = on_tags
        self.interval = interval
        self._last_ok = 0.0
        self._cursor: LogCursor | None = None

    def sync(self) -> bool:
        self.ensure_started()
        return time.monotonic() - self._last_ok < 3 * self.interval + 1.0

    def poll_once(self) -> None:
        with self.engine.connect() as connection:
            if self._cursor is None:
                head = int(connection.execute(sa.text(_HEAD_SQL)).scalar_one())
                self._cursor = LogCursor(head)
                self.on_tags([ALL])
            else:
                rows = connection.execute(
                    sa.text(
                        "SELECT seq, tag FROM cache_invalidation WHERE seq > :floor ORDER BY seq LIMIT :n"
                    ),
                    {"floor": self._cursor.floor, "n": MAX_ROWS},
                ).all()
                tags = self._cursor.take([(int(seq), str(tag)) for seq, tag in rows], time.monotonic())
                if len(rows) == MAX_ROWS:
                    self._cursor = None  # too far behind: start again from the head, empty
                elif tags:
                    self.on_tags(tags)
        self._last_ok = time.monotonic()

    def loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except sa.exc.SQLAlchemyError as exc:
                log.warning("cache change poll failed (%s)", exc)
            self._stopping.wait(self.interval)


class QueryWatch:
    """Reads the log on every ``sync``: one indexed statement per hit, exact on either database (and the
    only way for an in-memory SQLite database, whose one connection sees no data_version move)."""

    does_io = True

    def __init__(self, engine: Engine, on_tags: TagSink) -> None:
        self.poll = PollWatch(engine, on_tags, interval=1.0)
        self._lock = threading.Lock()

    def sync(self) -> bool:
        with self._lock:
            self.poll.poll_once()
        return True

    def stop(self) -> None:
        return None


def open_watch(engine: Engine, on_tags: TagSink, mode: str, poll_seconds: float) -> ChangeWatch:
    """The watch for ``mode`` (``auto``: data_version on SQLite, notify on PostgreSQL)."""
    if mode == "auto":
        mode = default_change_watch(engine)
    if mode == "query":
        return QueryWatch(engine, on_tags)
    if mode == "data_version":
        path = sqlite_file(engine)
        if path is None:
            raise ValueError("QAPRESS_CACHE_CHANGES=data_version needs a SQLite file")
        return DataVersionWatch(str(path), on_tags)
    if mode == "notify":
        if not is_postgresql(engine):
            raise ValueError("QAPRESS_CACHE_CHANGES=notify needs PostgreSQL")
        return NotifyWatch(engine, on_tags)
    return PollWatch(engine, on_tags, poll_seconds)
