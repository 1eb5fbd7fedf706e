"""The engine's hot-path connections: one raw DBAPI connection per thread, kept open between requests.

Going around SQLAlchemy's pool here saves its checkout/return bookkeeping on every query; statements are
still parameterised. The statement timeout is enforced per connection: ``statement_timeout`` on PostgreSQL,
a progress handler with a deadline on SQLite. So is the cap on an answer's bytes: on SQLite the connection's
length limit stops the statement as soon as any string it builds passes the cap (the JSON is never built in
full); on PostgreSQL the statement is wrapped so that an answer over the cap is never sent to us.
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

from qapress.engine.errors import AnswerTooLarge, BadRequest, DatabaseError, NotSupported, QueryTimeout
from qapress.engine.sqlite_functions import register_sqlite_functions

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The SQLite progress handler runs every this many virtual machine instructions.
PROGRESS_STEPS = 10_000
#: SQLite's own default length limit (1e9): what "no cap" means there.
SQLITE_MAX_LENGTH = 1_000_000_000
#: SQLite's compile-time limits, as its error messages describe them, named for the client.
SQLITE_LIMITS = (
    ("Expression tree is too large", "SQLite's expression depth limit (SQLITE_MAX_EXPR_DEPTH, 1000)"),
    ("too many terms in compound SELECT", "SQLite's compound SELECT limit (SQLITE_MAX_COMPOUND_SELECT, 500)"),
    ("too many arguments on function", "SQLite's function argument limit (SQLITE_MAX_FUNCTION_ARG)"),
    ("too many columns", "SQLite's column limit (SQLITE_MAX_COLUMN, 2000)"),
    ("too many SQL variables", "SQLite's bound parameter limit (SQLITE_MAX_VARIABLE_NUMBER)"),
    ("too many FROM clause terms", "SQLite's join limit (64 tables in one FROM clause)"),
    ("at most 64 tables in a join", "SQLite's join limit (64 tables in one FROM clause)"),
)


class _SQLiteConnection:
    def __init__(self, path: str, timeout_ms: int) -> None:
        self.raw = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        self.raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        self.raw.execute("PRAGMA foreign_keys=ON")
        register_sqlite_functions(self.raw)
        self.timeout = timeout_ms / 1000
        self.deadline = 0.0
        self.raw.set_progress_handler(self._expired, PROGRESS_STEPS)
        self.length_limit = self.raw.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)

    def _expired(self) -> bool:
        return time.monotonic() > self.deadline

    def fetch_text(self, sql: str, params: Sequence[Any], max_bytes: int | None) -> str | None:
        self.deadline = time.monotonic() + self.timeout
        limit = SQLITE_MAX_LENGTH if max_bytes is None else max_bytes
        if limit != self.length_limit:
            self.raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
            self.length_limit = limit
        try:
            row = self.raw.execute(sql, params).fetchone()
        except sqlite3.DataError as exc:
            # With the length limit lowered, "too big" means an answer (or a part of it) passed the cap.
            if max_bytes is not None and "too big" in str(exc):
                raise AnswerTooLarge(max_bytes) from exc
            raise
        return None if row is None else row[0]

    def close(self) -> None:
        self.raw.close()


class _PostgresConnection:
    def __init__(self, conninfo: str, timeout_ms: int) -> None:
        self.raw = psycopg.connect(conninfo, autocommit=True)
        self.raw.execute(f"SET statement_timeout = {int(timeout_ms)}")
        self.raw.execute("SET TIME ZONE 'UTC'")
        self._capped: dict[str, str] = {}

    def fetch_text(self, sql: str, params: Sequence[Any], max_bytes: int | None) -> str | None:
        if max_bytes is None:
            row = self.raw.execute(sql, params).fetchone()
            return None if row is None else row[0]
        capped = self._capped.get(sql)
        if capped is None:
            if len(self._capped) > 1024:
                self._capped.clear()
            capped = self._capped[sql] = capped_statement(sql)
        row = self.raw.execute(capped, [*params, max_bytes]).fetchone()
        if row is None:
            raise AnswerTooLarge(max_bytes)
        return row[0]  # type: ignore[no-any-return]

    def close(self) -> None:
        self.raw.close()


def capped_statement(sql: str) -> str:
    """``sql`` (one row, one text column) returning no row when its text is longer than a bound parameter.

    ``OFFSET 0`` keeps PostgreSQL from inlining the subquery, which would build the answer twice."""
    return (
        f"SELECT _answer.d FROM ({sql} OFFSET 0) AS _answer(d) "
        "WHERE _answer.d IS NULL OR octet_length(_answer.d) <= %s"
    )


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

    def fetch_text(self, sql: str, params: Sequence[Any], max_bytes: int | None = None) -> str | None:
        """Run a statement returning one text value (the response JSON) and return it; with ``max_bytes``,
        raise :class:`AnswerTooLarge` instead of returning (or building, where the database can stop) more."""
        if self.dialect == "sqlite" and (self.engine.url.database or ":memory:") == ":memory:":
            text = self._fetch_pooled(sql, params)
            if max_bytes is not None and text is not None and len(text) > max_bytes:
                raise AnswerTooLarge(max_bytes)
            return text
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return connection.fetch_text(sql, params, max_bytes)  # type: ignore[no-any-return]
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise QueryTimeout(self.timeout_ms) from exc
                if "parser stack overflow" in str(exc):
                    raise NotSupported(
                        "the query nests relationships too deeply for SQLite; use fewer levels or PostgreSQL"
                    ) from exc
                limit = sqlite_limit(exc)
                if limit is not None:
                    raise NotSupported(
                        f"the query is too large for SQLite: it passes {limit}; ask for fewer fields, "
                        "aliases or conditions in one request, or use PostgreSQL"
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


def sqlite_limit(exc: Exception) -> str | None:
    """The name of the SQLite limit a statement ran into, or None when the error is another one."""
    text = str(exc)
    for fragment, name in SQLITE_LIMITS:
        if fragment in text:
            return name
    return None


def _database_error(exc: Exception) -> Exception:
    """A clean engine error for a failed statement; the driver's text never reaches the client."""
    log.warning("statement failed: %s", exc)
    if isinstance(exc, psycopg.errors.DataError | sqlite3.DataError):
        return BadRequest("the database rejected a value in the query (wrong format or out of range)")
    if isinstance(exc, psycopg.errors.InvalidTextRepresentation | psycopg.errors.InvalidDatetimeFormat):
        return BadRequest("the database rejected a value in the query (wrong format)")
    return DatabaseError("database query error")
