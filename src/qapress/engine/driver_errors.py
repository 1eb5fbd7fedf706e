"""Database driver errors mapped to engine errors, in one place (after httpx's ``map_httpcore_exceptions``).

psycopg, sqlite3 and SQLAlchemy's wrappers of both raise their own exceptions, while connecting as well as
running; everything above the store sees only ``EngineError``s with Hasura's codes:

==========================================  ======================  ==============================================
driver error                                code                    answer
==========================================  ======================  ==============================================
cannot connect, connection lost, server     ``postgres-error``      "connection error: ..."; pages 503 +
shutting down, too many clients, pool                               ``Retry-After``; the next request reconnects
exhausted, SQLite file unreadable
SQLite lock held past the busy timeout,     ``concurrent-update``   "busy, try again"; pages and the link form 503
serialization failure, deadlock                                     + ``Retry-After``
statement timeout (57014, SQLite's          ``postgres-error``      names the timeout (``QueryTimeout``)
progress-handler deadline)
integrity (class 23, SQLite constraints)    ``constraint-violation``  Hasura's "Uniqueness violation. ..." texts
data exception (class 22: too long, out     ``data-exception``      the database's one-line message
of range, bad format, NUL in text)
statement too complex (54xxx, SQLite        ``not-supported``       names the limit
expression depth and term limits)
anything else                               ``unexpected``          "database query error" (logged)
==========================================  ======================  ==============================================
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Iterator

import psycopg
import sqlalchemy as sa

from qapress.engine.errors import (
    ConstraintViolation,
    DatabaseBusy,
    DatabaseError,
    DatabaseUnavailable,
    EngineError,
    NotSupported,
    QueryTimeout,
)

log = logging.getLogger(__name__)

#: What a driver can raise, connecting or running: catch these, then ``map_driver_error``.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sa.exc.SQLAlchemyError, psycopg.Error, sqlite3.Error)
#: Those and the engine's own errors: what a database call at the HTTP edge can raise.
DATABASE_ERRORS: tuple[type[Exception], ...] = (EngineError, *DRIVER_ERRORS)

#: PostgreSQL's integrity classes and the prefix Hasura puts before the server's message.
_PG_CONSTRAINT_PREFIXES = {
    "23505": "Uniqueness violation. ",
    "23502": "Not-NULL violation. ",
    "23503": "Foreign key violation. ",
    "23514": "Check constraint violation. ",
    "23P01": "Exclusion violation. ",
}
#: SQLSTATEs (or classes) that mean the server cannot serve this connection now.
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53300", "53000")
_PG_BUSY = ("40001", "40P01", "55P03")

#: SQLite's compile-time limits, as its error messages describe them, named for the client.
SQLITE_LIMITS = (
    ("Expression tree is too large", "SQLite's expression depth limit (SQLITE_MAX_EXPR_DEPTH, 1000)"),
    ("too many terms in compound SELECT", "SQLite's compound SELECT limit (SQLITE_MAX_COMPOUND_SELECT, 500)"),
    ("too many arguments on function", "SQLite's function argument limit (SQLITE_MAX_FUNCTION_ARG)"),
    ("too many columns", "SQLite's column limit (SQLITE_MAX_COLUMN, 2000)"),
    ("too many SQL variables", "SQLite's bound parameter limit (SQLITE_MAX_VARIABLE_NUMBER)"),
    ("too many FROM clause terms", "SQLite's join limit (64 tables in one FROM clause)"),
    ("at most 64 tables in a join", "SQLite's join limit (64 tables in one FROM clause)"),
    ("string or blob too big", "SQLite's largest string or blob (SQLITE_MAX_LENGTH)"),
)
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk I/O error", "database disk image is malformed")


def map_driver_error(exc: BaseException, timeout_ms: int = 0) -> EngineError:
    """The engine error a driver exception stands for; ``timeout_ms`` names the statement timeout."""
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, sa.exc.TimeoutError):  # the pool's checkout timeout: every connection is in use
        return DatabaseBusy("every database connection of this process is in use; try again")
    original = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    if isinstance(original, psycopg.Error):
        return _postgres_error(original, timeout_ms)
    if isinstance(original, sqlite3.Error):
        return _sqlite_error(original, timeout_ms)
    log.warning("database error: %s", exc)
    return DatabaseError("database query error")


def outage(exc: BaseException) -> EngineError | None:
    """The ``DatabaseUnavailable`` or ``DatabaseBusy`` that ``exc`` stands for, or None when it is not an outage:
    a periodic task waits these out with one log line instead of a traceback per round."""
    if not isinstance(exc, DATABASE_ERRORS):
        return None
    previous = log.disabled
    log.disabled = True  # map_driver_error logs each outage it sees; the caller logs the outage once
    try:
        mapped = map_driver_error(exc)
    finally:
        log.disabled = previous
    return mapped if isinstance(mapped, DatabaseUnavailable | DatabaseBusy) else None


@contextlib.contextmanager
def mapped_driver_errors(timeout_ms: int = 0) -> Iterator[None]:
    """Run the block with every driver exception raised as its ``EngineError``."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise map_driver_error(exc, timeout_ms) from exc


def _postgres_error(exc: psycopg.Error, timeout_ms: int) -> EngineError:
    sqlstate = exc.sqlstate or ""
    primary = getattr(exc.diag, "message_primary", None) or (str(exc).splitlines() or [""])[0]
    if sqlstate == "57014":
        return QueryTimeout(timeout_ms)
    if sqlstate.startswith(_PG_UNAVAILABLE) or (
        not sqlstate and isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
    ):
        log.warning("database unavailable: %s", primary)
        if sqlstate == "53300":
            return DatabaseUnavailable("the database has no free connection slots; try again shortly")
        return DatabaseUnavailable()
    if sqlstate in _PG_BUSY:
        return DatabaseBusy()
    if sqlstate in _PG_CONSTRAINT_PREFIXES:
        return ConstraintViolation(_PG_CONSTRAINT_PREFIXES[sqlstate] + primary)
    if sqlstate.startswith("23"):
        return ConstraintViolation(primary)
    if sqlstate.startswith("22") or (not sqlstate and isinstance(exc, psycopg.DataError)):
        # psycopg refuses a NUL in text itself, before the server sees it.
        if "NUL" in primary:
            return EngineError("text values cannot contain NUL (0x00) characters", code="data-exception")
        return EngineError(primary, code="data-exception")
    if sqlstate.startswith("54"):
        return NotSupported(f"the query is too complex for PostgreSQL: {primary}")
    log.warning("statement failed: %s", exc)
    return DatabaseError(f"database query error: {primary}")


def _sqlite_error(exc: sqlite3.Error, timeout_ms: int) -> EngineError:
    message = str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        if message.startswith("interrupted"):
            return QueryTimeout(timeout_ms)
        if message.startswith(("database is locked", "database table is locked", "database is busy")):
            return DatabaseBusy()
        if message.startswith(_SQLITE_UNAVAILABLE):
            log.warning("database unavailable: %s", message)
            return DatabaseUnavailable()
    if message.startswith("parser stack overflow"):
        return NotSupported(
            "the query nests relationships too deeply for SQLite; use fewer levels or PostgreSQL"
        )
    limit = sqlite_limit(exc)
    if limit is not None:
        return NotSupported(
            f"the query is too large for SQLite: it passes {limit}; ask for fewer fields, aliases or "
            "conditions in one request, or use PostgreSQL"
        )
    if isinstance(exc, sqlite3.IntegrityError):
        return _sqlite_constraint(message)
    if isinstance(exc, sqlite3.DataError):
        return EngineError(message, code="data-exception")
    log.warning("statement failed: %s", exc)
    return DatabaseError(f"database query error: {message}")


def sqlite_limit(exc: Exception) -> str | None:
    """The name of the SQLite limit a statement ran into, or None when the error is another one."""
    text = str(exc)
    for fragment, name in SQLITE_LIMITS:
        if fragment in text:
            return name
    return None


def _sqlite_constraint(message: str) -> EngineError:
    """SQLite's constraint messages in Hasura's (PostgreSQL's) words."""
    if match := re.match(r"UNIQUE constraint failed: (\w+)\.(\w+)", message):
        return ConstraintViolation(
            "Uniqueness violation. duplicate key value violates unique constraint "
            f'"{match.group(1)}_{match.group(2)}_key"'
        )
    if match := re.match(r"NOT NULL constraint failed: (\w+)\.(\w+)", message):
        return ConstraintViolation(
            f'Not-NULL violation. null value in column "{match.group(2)}" of relation "{match.group(1)}" '
            "violates not-null constraint"
        )
    if message.startswith("FOREIGN KEY constraint failed"):
        return ConstraintViolation("Foreign key violation. " + message)
    if message.startswith("CHECK constraint failed"):
        return ConstraintViolation("Check constraint violation. " + message)
    return ConstraintViolation(message)
