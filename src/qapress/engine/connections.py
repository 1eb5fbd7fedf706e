"""The engine's hot-path connections: one raw DBAPI connection per thread, kept open between requests.

Going around SQLAlchemy's pool here saves its checkout/return bookkeeping on every query; statements are
still parameterised. The statement timeout is enforced per connection: ``statement_timeout`` on PostgreSQL,
a progress handler with a deadline on SQLite.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.errors
from sqlalchemy.engine import Engine

from qapress.engine.errors import BadRequest, DatabaseError, NotSupported, QueryTimeout

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The SQLite progress handler runs every this many virtual machine instructions.
PROGRESS_STEPS = 10_000


class _SQLiteConnection:
    def __init__(self, path: str, timeout_ms: int) -> None:
        self.raw = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        self.raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        self.raw.execute("PRAGMA foreign_keys=ON")
        self.timeout = timeout_ms / 1000
        self.deadline = 0.0
        self.raw.set_progress_handler(self._expired, PROGRESS_STEPS)

    def _expired(self) -> bool:
        return time.monotonic() > self.deadline

    def fetch_text(self, sql: str, params: Sequence[Any]) -> str | None:
        self.deadline = time.monotonic() + self.timeout
        row = self.raw.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.raw.close()


class _PostgresConnection:
    def __init__(self, conninfo: str, timeout_ms: int) -> None:
        self.raw = psycopg.connect(conninfo, autocommit=True)
        self.raw.execute(f"SET statement_timeout = {int(timeout_ms)}")
        self.raw.execute("SET TIME ZONE 'UTC'")

    def fetch_text(self, sql: str, params: Sequence[Any]) -> str | None:
        row = self.raw.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.raw.close()


class ThreadConnections:
    """Per-thread connections to one database; ``close_all`` (after DDL, on shutdown) drops them all."""

    def __init__(self, engine: Engine, timeout_ms: int) -> None:
        self.engine = engine
        self.timeout_ms = timeout_ms
        self.dialect = engine.dialect.name
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._generation = 0

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.generation == self._generation:
            return connection
        if self.dialect == "sqlite":
            path = self.engine.url.database or ""
            connection = _SQLiteConnection(path, self.timeout_ms)
        else:
            conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = _PostgresConnection(conninfo, self.timeout_ms)
        with self._lock:
            self._all.append(connection)
        self._local.connection = connection
        self._local.generation = self._generation
        return connection

    def fetch_text(self, sql: str, params: Sequence[Any]) -> str | None:
        """Run a statement returning one text value (the response JSON) and return it."""
        if self.dialect == "sqlite" and (self.engine.url.database or ":memory:") == ":memory:":
            return self._fetch_pooled(sql, params)
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return connection.fetch_text(sql, params)  # type: ignore[no-any-return]
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise QueryTimeout(self.timeout_ms) from exc
                if "parser stack overflow" in str(exc):
                    raise NotSupported(
                        "the query nests relationships too deeply for SQLite; use fewer levels or PostgreSQL"
                    ) from exc
                raise _database_error(exc) from exc
            except psycopg.errors.QueryCanceled as exc:
                raise QueryTimeout(self.timeout_ms) from exc
            except psycopg.OperationalError as exc:
                self._drop(connection)
                if attempt == 2:
                    raise DatabaseError("the database is unreachable") from exc
            except (sqlite3.Error, psycopg.Error) as exc:
                raise _database_error(exc) from exc
        raise DatabaseError("the database is unreachable")

    def _fetch_pooled(self, sql: str, params: Sequence[Any]) -> str | None:
        # An in-memory database exists only inside the pool's own connection.
        pooled = self.engine.raw_connection()
        try:
            cursor = pooled.cursor()
            row = cursor.execute(sql, params).fetchone()
            return None if row is None else str(row[0])
        except sqlite3.Error as exc:
            raise _database_error(exc) from exc
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
        with self._lock:
            connections, self._all = self._all, []
            self._generation += 1
        for connection in connections:
            with contextlib.suppress(Exception):
                connection.close()


def _database_error(exc: Exception) -> Exception:
    """A clean engine error for a failed statement; the driver's text never reaches the client."""
    log.warning("statement failed: %s", exc)
    if isinstance(exc, psycopg.errors.DataError | sqlite3.DataError):
        return BadRequest("the database rejected a value in the query (wrong format or out of range)")
    if isinstance(exc, psycopg.errors.InvalidTextRepresentation | psycopg.errors.InvalidDatetimeFormat):
        return BadRequest("the database rejected a value in the query (wrong format)")
    return DatabaseError("database query error")
