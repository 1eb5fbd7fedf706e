"""The engine's hot-path connections: how the one statement of a request reaches the database.

SQLite: one raw ``sqlite3`` connection per thread, kept open between requests (a file, no server
connections to budget). PostgreSQL: a raw psycopg connection checked out of the SQLAlchemy engine's pool for
each statement and run outside a transaction (no BEGIN, no ROLLBACK round trip), so the pages, the GraphQL
engine, mutations and the link worker share one bounded pool per process (``QAPRESS_DB_POOL_SIZE``). The
answer's statement is prepared once per connection and run through libpq directly (``pg_statements``); the
flat statement's rows go through a psycopg cursor. Statements are still parameterised. The statement timeout is enforced per connection: ``statement_timeout`` (set once per
physical connection) on PostgreSQL, a progress handler with a deadline on SQLite. So is the cap on an
answer's bytes: on SQLite the connection's length limit stops the statement as soon as any string it builds
passes the cap (the JSON is never built in full); on PostgreSQL the statement is wrapped so that an answer
over the cap is never sent to us.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.engine import Engine

from qapress.engine.dialects import dialect_for
from qapress.engine.driver_errors import DRIVER_ERRORS, map_driver_error, mapped_driver_errors
from qapress.engine.errors import AnswerTooLarge, DatabaseUnavailable
from qapress.engine.pg_statements import ConnectionStatements
from qapress.engine.sqlite_functions import register_sqlite_functions

if TYPE_CHECKING:  # a runtime import would close a cycle: qapress.store imports POOLER_OPTION from here
    from qapress.store.replicas import ReplicaSet

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The SQLite progress handler runs every this many virtual machine instructions.
PROGRESS_STEPS = 10_000
#: SQLite's own default length limit (1e9): what "no cap" means there.
SQLITE_MAX_LENGTH = 1_000_000_000


class _SQLiteConnection:
    def __init__(self, path: str, timeout_ms: int, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.raw = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=busy_timeout_ms / 1000
        )
        self.raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        self.raw.execute("PRAGMA foreign_keys=ON")
        register_sqlite_functions(self.raw)
        self.timeout = timeout_ms / 1000
        self.deadline = 0.0
        self.raw.set_progress_handler(self._expired, PROGRESS_STEPS)
        self.length_limit = self.raw.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
        # One cursor for the connection's statements instead of a new one per statement (what
        # ``Connection.execute`` makes). Safe to keep: the connection is its thread's alone, and each statement
        # is stepped to its end (the engine's statements return one row, which ``fetchone`` steps past, or
        # are read with ``fetchall``), at which the sqlite3 module resets it, so no read transaction stays open
        # between requests.
        self.cursor = self.raw.cursor()

    def _expired(self) -> bool:
        return time.monotonic() > self.deadline

    def fetch_text(self, sql: str, params: Sequence[Any], max_bytes: int | None, rows: bool = False) -> Any:
        """The statement's one value (or with ``rows``, all its rows)."""
        self.deadline = time.monotonic() + self.timeout
        limit = SQLITE_MAX_LENGTH if max_bytes is None else max_bytes
        if limit != self.length_limit:
            self.raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
            self.length_limit = limit
        cursor = self.cursor
        try:
            if rows:
                return cursor.execute(sql, params).fetchall()
            row = cursor.execute(sql, params).fetchone()
        except sqlite3.DataError as exc:
            # With the length limit lowered, "too big" means an answer (or a part of it) passed the cap.
            if max_bytes is not None and "too big" in str(exc):
                raise AnswerTooLarge(max_bytes) from exc
            raise
        return None if row is None else row[0]

    def close(self) -> None:
        self.raw.close()


#: Key in a pooled connection's ``info`` (kept for the physical connection's life): the statement timeout
#: the hot path set on it, so the SETs run once per connection, not once per statement.
_PREPARED_FOR = "qapress_statement_timeout_ms"
#: Key in a pooled connection's ``info``: the hot path's cursor on it (the flat statement's rows).
_CURSOR = "qapress_cursor"
#: Key in a pooled connection's ``info``: the hot path's prepared statements on it (``pg_statements``).
_STATEMENTS = "qapress_statements"


def _restore_for_others(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """On a checkout through SQLAlchemy (mutations, the link form, the worker, migrations: the hot path
    does not go through checkout): undo the hot path's session timeout, the GraphQL engine's, not theirs."""
    if record.info.pop(_PREPARED_FOR, None) is None:
        return
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SET statement_timeout TO DEFAULT")
    finally:
        dbapi_connection.autocommit = False


class RowsUnrepresentable(Exception):
    """A flat statement's value the driver cannot turn into a Python value (PostgreSQL's ``infinity`` or a
    BC date): the caller answers with the JSON statement instead (``engine/flat.py``)."""


class _StaleConnection(Exception):
    """A pooled connection that had broken while idle (the server restarted): worth one more try."""


#: The engine's execution option naming a transaction pooler in front of it (``open_engine(pooler=...)``).
POOLER_OPTION = "qapress_pooler"


def behind_transaction_pooler(engine: Engine) -> bool:
    """Whether ``engine`` reaches PostgreSQL through a transaction-mode pooler (PgBouncer): session state
    set on a connection would land on whichever server connection ran it, so none is set."""
    return engine.get_execution_options().get(POOLER_OPTION) == "transaction"


def _pooled_fetch_text(
    engine: Engine,
    timeout_ms: int,
    sql: str,
    params: Sequence[Any],
    max_bytes: int | None,
    rows: bool = False,
) -> Any:
    """One statement on a connection of ``engine``'s pool, outside any transaction; with ``max_bytes``,
    wrapped so that a longer answer is not sent (:class:`AnswerTooLarge`). The value comes back as the
    server's UTF-8 bytes (``pg_statements``), or with ``rows`` as all the rows, loaded by a cursor.

    The entry is taken from and returned to the pool's queue directly (``_do_get``/``_do_return_conn``, what
    SQLAlchemy's own checkout wraps): the checkout's proxy, events, pre-ping and reset cost about twice the
    statement itself on a cache hit, and this path needs none of them (a statement outside a transaction
    leaves nothing to reset; a broken connection is found by its error and invalidated, so the entry
    reconnects on its next use)."""
    pool = engine.pool
    entry: Any = pool._do_get()  # the pool's bound and timeout apply: sa.exc.TimeoutError when none is free
    try:
        reused = entry.dbapi_connection is not None
        raw: psycopg.Connection[Any] = entry.get_connection()  # (re)connects an invalidated entry
        try:
            statements: ConnectionStatements | None = entry.info.get(_STATEMENTS)
            if (
                statements is None
                or statements.connection is not raw
                or entry.info.get(_PREPARED_FOR) != timeout_ms
            ):
                statements = _prepare_connection(entry, raw, engine, timeout_ms)
            if rows or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
                # Rows are loaded into Python values by a cursor; a connection left in a transaction (never,
                # by the pool's reset) goes that way too, so psycopg refuses it as before.
                return _cursor_fetch(entry, raw, sql, params, max_bytes, rows)
            if max_bytes is None:
                return statements.fetch_value(sql, params)[1]
            found, value = statements.fetch_value(_capped(sql), [*params, max_bytes])
            if not found:
                raise AnswerTooLarge(max_bytes)
            return value
        except psycopg.Error as exc:
            if raw.closed or raw.broken or isinstance(map_driver_error(exc), DatabaseUnavailable):
                entry.invalidate(exc)
                if reused:
                    raise _StaleConnection() from exc
            raise
    finally:
        pool._do_return_conn(entry)


def _prepare_connection(
    entry: Any, raw: psycopg.Connection[Any], engine: Engine, timeout_ms: int
) -> ConnectionStatements:
    """The hot path's session settings on a physical connection, once (again after another user of the
    pool reset its timeout), and its statements (kept for the connection's life: ``info`` is cleared when
    the connection is replaced)."""
    pooler = behind_transaction_pooler(engine)
    if entry.info.get(_PREPARED_FOR) != timeout_ms:
        raw.autocommit = True
        try:
            # PgBouncer tracks TimeZone per client (it re-sends it to each server connection it lends), not
            # statement_timeout: behind it that one is the role's (ALTER ROLE ... SET).
            if not pooler:
                raw.execute(f"SET statement_timeout = {int(timeout_ms)}")
            raw.execute("SET TIME ZONE 'UTC'")
        finally:
            if not raw.closed and not raw.broken:
                raw.autocommit = False  # as SQLAlchemy's own users expect it back
        entry.info[_PREPARED_FOR] = timeout_ms
    statements: ConnectionStatements | None = entry.info.get(_STATEMENTS)
    if statements is None or statements.connection is not raw:
        # Behind a transaction pooler a prepared statement may meet another server connection: none is.
        statements = entry.info[_STATEMENTS] = ConnectionStatements(raw, prepare=not pooler)
    return statements


def _cursor_fetch(
    entry: Any,
    raw: psycopg.Connection[Any],
    sql: str,
    params: Sequence[Any],
    max_bytes: int | None,
    rows: bool,
) -> Any:
    """The statement through a psycopg cursor in autocommit (the flat statement's rows, loaded as Python
    values); without ``rows``, its one value as UTF-8 bytes."""
    raw.autocommit = True
    try:
        # One cursor per physical connection, kept with it: a new one per statement cost ~10% of a hit.
        cursor = entry.info.get(_CURSOR)
        if cursor is None or cursor.closed or cursor.connection is not raw:
            cursor = entry.info[_CURSOR] = raw.cursor()
        if rows:
            # The caller measures the assembled answer against the cap (rows have no one text).
            try:
                return cursor.execute(sql, params).fetchall()
            except psycopg.DataError as exc:
                if exc.sqlstate is None:  # raised by psycopg's own loader, not by the server
                    raise RowsUnrepresentable() from exc
                raise
        if max_bytes is None:
            row = cursor.execute(sql, params).fetchone()
        else:
            row = cursor.execute(_capped(sql), [*params, max_bytes]).fetchone()
            if row is None:
                raise AnswerTooLarge(max_bytes)
    finally:
        if not raw.closed and not raw.broken:
            raw.autocommit = False  # as SQLAlchemy's own users expect it back
    return None if row is None or row[0] is None else str(row[0]).encode()


_CAPPED: dict[str, str] = {}


def _capped(sql: str) -> str:
    """``capped_statement(sql)``, kept for the plans' statements (a bounded number of distinct texts)."""
    capped = _CAPPED.get(sql)
    if capped is None:
        if len(_CAPPED) > 4096:
            _CAPPED.clear()
        capped = _CAPPED[sql] = capped_statement(sql)
    return capped


def capped_statement(sql: str) -> str:
    """``sql`` (one row, one text column) returning no row when its text is longer than a bound parameter.

    ``OFFSET 0`` keeps PostgreSQL from inlining the subquery, which would build the answer twice."""
    return (
        f"SELECT _answer.d FROM ({sql} OFFSET 0) AS _answer(d) "
        "WHERE _answer.d IS NULL OR octet_length(_answer.d) <= %s"
    )


class ThreadConnections:
    """The hot path's connections to one database: per thread on SQLite, from the engine's pool on
    PostgreSQL; ``close_all`` (after DDL, on shutdown) drops them all."""

    def __init__(self, engine: Engine, timeout_ms: int, replicas: ReplicaSet | None = None) -> None:
        self.engine = engine
        self.timeout_ms = timeout_ms
        #: PostgreSQL's hot path takes pooled connections; SQLite's keeps one sqlite3 connection per thread.
        self.pooled = dialect_for(engine.dialect.name).pooled_connections
        #: PostgreSQL read replicas that reads marked ``replica`` may go to (``store.replicas``).
        self.replicas = replicas
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._busy_timeout_ms: int | None = None
        #: An in-memory SQLite database exists only inside the pool's own connection (read once: the URL
        #: of an engine never changes).
        self._in_memory = not self.pooled and (engine.url.database or ":memory:") == ":memory:"
        if self.pooled and not sa.event.contains(engine, "checkout", _restore_for_others):
            sa.event.listen(engine, "checkout", _restore_for_others)

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.generation == self._generation:
            return connection
        path = self.engine.url.database or ""
        connection = _SQLiteConnection(path, self.timeout_ms, self._sqlite_busy_timeout_ms())
        with self._lock:
            self._all.append(connection)
        self._local.connection = connection
        self._local.generation = self._generation
        return connection

    def _sqlite_busy_timeout_ms(self) -> int:
        """The busy timeout the engine's own connections use (``open_engine`` sets it), so both wait alike."""
        if self._busy_timeout_ms is None:
            with self.engine.connect() as connection:
                value = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            self._busy_timeout_ms = int(value) if isinstance(value, int) else SQLITE_BUSY_TIMEOUT_MS
        return self._busy_timeout_ms

    def fetch_text(
        self, sql: str, params: Sequence[Any], max_bytes: int | None = None, replica: bool = False
    ) -> bytes | None:
        """Run a statement returning one text value (the response JSON) and return it as UTF-8 bytes (on
        PostgreSQL the server's own, never decoded); with ``max_bytes``, raise :class:`AnswerTooLarge`
        instead of returning (or building, where the database can stop) more.

        Every driver error, connecting included, leaves as an ``EngineError`` (``driver_errors``). A connection
        that failed is dropped (invalidated in the pool), so the next request opens a fresh one: after an
        outage the server recovers without a restart. A PostgreSQL statement that found its connection broken
        while idle (the server restarted) is tried again on a fresh one.

        With ``replica`` (a read that may be a little behind: ``store.replicas``), the statement runs on a
        replica the monitor found fit, if any; one that fails to answer is skipped and the primary asked.
        """
        if self.pooled:
            if replica and self.replicas is not None:
                chosen = self.replicas.choose()
                if chosen is not None:
                    try:
                        return self._fetch_from_pool(sql, params, max_bytes, chosen.engine)  # type: ignore[no-any-return]
                    except DatabaseUnavailable as exc:
                        chosen.mark_down(f"a read failed: {exc}")
            return self._fetch_from_pool(sql, params, max_bytes, self.engine)  # type: ignore[no-any-return]
        if self._in_memory:
            text = self._fetch_pooled(sql, params)
            if max_bytes is not None and text is not None and len(text) > max_bytes:
                raise AnswerTooLarge(max_bytes)
            return None if text is None else text.encode()
        connection = None
        try:
            connection = self._connection()
            value = connection.fetch_text(sql, params, max_bytes)
            return None if value is None else value.encode()
        except DRIVER_ERRORS as exc:
            error = map_driver_error(exc, self.timeout_ms)
            if isinstance(error, DatabaseUnavailable) and connection is not None:
                self._drop(connection)
            raise error from exc

    def fetch_rows(
        self, sql: str, params: Sequence[Any], max_bytes: int | None = None, replica: bool = False
    ) -> list[Any]:
        """``fetch_text`` for a statement of many rows (the flat statement of a large answer): all of them.
        ``max_bytes`` bounds each value on SQLite; the caller measures the answer it assembles."""
        if self.pooled:
            if replica and self.replicas is not None:
                chosen = self.replicas.choose()
                if chosen is not None:
                    try:
                        return self._fetch_from_pool(sql, params, max_bytes, chosen.engine, rows=True)  # type: ignore[no-any-return]
                    except DatabaseUnavailable as exc:
                        chosen.mark_down(f"a read failed: {exc}")
            return self._fetch_from_pool(sql, params, max_bytes, self.engine, rows=True)  # type: ignore[no-any-return]
        if self._in_memory:
            with mapped_driver_errors(self.timeout_ms):
                pooled = self.engine.raw_connection()
                try:
                    return list(pooled.cursor().execute(sql, params).fetchall())
                finally:
                    pooled.close()
        connection = None
        try:
            connection = self._connection()
            return connection.fetch_text(sql, params, max_bytes, rows=True)  # type: ignore[no-any-return]
        except DRIVER_ERRORS as exc:
            error = map_driver_error(exc, self.timeout_ms)
            if isinstance(error, DatabaseUnavailable) and connection is not None:
                self._drop(connection)
            raise error from exc

    @property
    def in_process(self) -> bool:
        """Whether statements run in this process (SQLite): a statement's time is then its thread's CPU time
        (a warm page cache's reads included), with no server to wait for."""
        return not self.pooled

    def answers_without_waiting(self) -> bool:
        """Whether a statement now would find its connection at once (a per-thread SQLite connection, an
        idle one in PostgreSQL's pool), so the event loop may run it without waiting on the pool. With read
        replicas (whose pools this does not look at) the answer is no."""
        if not self.pooled:
            return True
        if self.replicas is not None:
            return False
        checkedin = getattr(self.engine.pool, "checkedin", None)
        return checkedin is not None and checkedin() > 0

    def fetch_on(self, engine: Engine, sql: str, params: Sequence[Any]) -> bytes | None:
        """``fetch_text`` on another server's pool (a replica's), with the same timeout and error mapping."""
        return self._fetch_from_pool(sql, params, None, engine)  # type: ignore[no-any-return]

    def _fetch_from_pool(
        self, sql: str, params: Sequence[Any], max_bytes: int | None, engine: Engine, rows: bool = False
    ) -> Any:
        # Each stale connection (broken while idle) is invalidated and the next one tried: after a server
        # restart every idle connection of the pool is stale at once. (The first try is apart from the
        # retries: the usual call then looks nothing up for them.)
        try:
            return _pooled_fetch_text(engine, self.timeout_ms, sql, params, max_bytes, rows)
        except _StaleConnection as stale:
            cause = stale.__cause__
        except DRIVER_ERRORS as exc:
            raise map_driver_error(exc, self.timeout_ms) from exc
        size: int = getattr(engine.pool, "size", lambda: 1)()
        for _ in range(size):
            try:
                return _pooled_fetch_text(engine, self.timeout_ms, sql, params, max_bytes, rows)
            except _StaleConnection as stale:
                cause = stale.__cause__
            except DRIVER_ERRORS as exc:
                raise map_driver_error(exc, self.timeout_ms) from exc
        raise DatabaseUnavailable() from cause

    def _fetch_pooled(self, sql: str, params: Sequence[Any]) -> str | None:
        # An in-memory database exists only inside the pool's own connection.
        with mapped_driver_errors(self.timeout_ms):
            pooled = self.engine.raw_connection()
            try:
                cursor = pooled.cursor()
                row = cursor.execute(sql, params).fetchone()
                return None if row is None else str(row[0])
            finally:
                pooled.close()

    def _drop(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            if connection in self._all:
                self._all.remove(connection)
        with contextlib.suppress(Exception):  # a broken connection may fail to close too
            connection.close()

    def close_all(self) -> None:
        if self.pooled:
            # Connections prepared statements before the DDL: the pool opens new ones.
            self.engine.pool.dispose()
            for replica in self.replicas.replicas if self.replicas is not None else []:
                replica.engine.pool.dispose()
        with self._lock:
            connections, self._all = self._all, []
            self._generation += 1
        for connection in connections:
            with contextlib.suppress(Exception):
                connection.close()
