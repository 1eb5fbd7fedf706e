"""Connections to the store: one SQLAlchemy engine per process, tuned per dialect, and schema migrations.

SQLite is the embedded default (a file in the data folder, WAL, ``busy_timeout``, foreign keys on);
PostgreSQL is for real deployments. Both run the same code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from qapress.engine.connections import POOLER_OPTION
from qapress.engine.sqlite_functions import register_sqlite_functions
from qapress.settings import Settings
from qapress.store.backend import backend_name, has_replicas, is_postgresql, is_sqlite
from qapress.store.replicas import ReplicaSet, mark_writes

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The store cannot be opened or migrated; the message says which database and why."""


def open_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    pool_timeout_seconds: float = 10.0,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    pooler: str | None = None,
) -> Engine:
    """Create the engine for ``url``; for SQLite also create its folder and set the pragmas on every connection.

    On PostgreSQL the engine's pool is the process's only source of connections (the GraphQL engine's hot
    path checks out of it too): at most ``pool_size``, none beyond (no overflow), and a request that finds
    none free within ``pool_timeout_seconds`` is answered "busy". ``sqlite_busy_timeout_ms`` bounds how long
    a SQLite writer waits for another's lock. ``pooler="transaction"``: the URL is a transaction-mode
    pooler (PgBouncer before 1.21 cannot keep a server-side prepared statement from one transaction to the
    next), so psycopg prepares none (``prepare_threshold=None``) and the hot path sets no session state."""
    try:
        parsed = sa.engine.make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"invalid database URL {url!r}: expected sqlite:///PATH or postgresql://..."
        ) from exc
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if is_sqlite(parsed):
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": sqlite_busy_timeout_ms / 1000}
    elif is_postgresql(parsed):
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = 0
        kwargs["pool_use_lifo"] = True  # the warmest connection first: its backend has the catalog cached
        kwargs["pool_timeout"] = pool_timeout_seconds
        if pooler == "transaction":
            kwargs["connect_args"] = {"prepare_threshold": None}
            kwargs["execution_options"] = {POOLER_OPTION: pooler}
    else:
        raise StoreError(f"unsupported database {backend_name(parsed)!r}: use SQLite or PostgreSQL")
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"no driver for database URL {url!r}: {exc}") from exc
    if is_sqlite(engine):
        event.listen(
            engine, "connect", functools.partial(_sqlite_pragmas, busy_timeout_ms=sqlite_busy_timeout_ms)
        )
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_settings_engine(settings: Settings) -> Engine:
    """``open_engine`` for the store the settings name, with their pool size and timeouts."""
    return open_engine(
        settings.resolved_database_url(),
        pool_size=settings.db_pool_size,
        pool_timeout_seconds=settings.db_pool_timeout_seconds,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pooler=settings.database_pooler,
    )


def open_settings_replicas(settings: Settings, primary: Engine) -> ReplicaSet | None:
    """The read replicas the settings name, each with a pool like the primary's; None without any (and
    always on SQLite: an embedded file has no replicas)."""
    urls = settings.resolved_replica_urls()
    if not urls or not has_replicas(primary):
        return None
    engines = [
        open_engine(
            url,
            pool_size=settings.db_pool_size,
            pool_timeout_seconds=settings.db_pool_timeout_seconds,
            pooler=settings.database_pooler,
        )
        for url in urls
    ]
    for engine in engines:
        if not is_postgresql(engine):
            raise StoreError(f"read replica {engine.url.render_as_string()!r} is not a PostgreSQL URL")
    mark_writes(primary)
    return ReplicaSet(
        primary,
        engines,
        max_lag_seconds=settings.replica_max_lag_seconds,
        check_seconds=settings.replica_check_seconds,
    )


def _sqlite_pragmas(
    dbapi_connection: Any, _record: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself, so that writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # The search page's native query calls websearch_to_fts5; tools reading through SQLAlchemy may too.
    register_sqlite_functions(dbapi_connection)


def _sqlite_begin(connection: sa.Connection) -> None:
    # IMMEDIATE for writers would serialize readers too; a plain BEGIN plus busy_timeout is enough for reads,
    # and code that must check-then-write atomically asks for IMMEDIATE via `begin_write`.
    mode = connection.info.pop("sqlite_begin", "BEGIN")
    connection.exec_driver_sql(mode)


def begin_write(engine: Engine) -> Any:
    """A transaction that holds the write lock from its start on SQLite (``BEGIN IMMEDIATE``).

    Check-then-insert rules (five links per page, no duplicate URL) need it: with a deferred BEGIN two
    writers could both pass the check. PostgreSQL gets an ordinary transaction; callers lock rows there.
    """
    connection = engine.connect()
    if is_sqlite(engine):
        connection.info["sqlite_begin"] = "BEGIN IMMEDIATE"
    return _ClosingTransaction(connection)


class _ClosingTransaction:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self._transaction: sa.RootTransaction | None = None

    def __enter__(self) -> sa.Connection:
        self._transaction = self.connection.begin()
        return self.connection

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._transaction is not None
        try:
            if exc_type is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self.connection.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration; safe to run on every start."""
    try:
        command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        raise StoreError(f"cannot reach the database {engine.url.render_as_string()!r}: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"migrating {engine.url.render_as_string()!r} failed: {exc}") from exc


def revision_is_known(engine: Engine) -> bool:
    """Whether the schema is unstamped or stamped with a revision this code has.

    A database stamped by a revision that was since renamed or dropped cannot be upgraded; callers
    that own the data (the benchmarks' cached networks) rebuild it instead.
    """
    with engine.connect() as connection:
        stamped = MigrationContext.configure(connection).get_current_heads()
    script = ScriptDirectory.from_config(alembic_config(engine))
    known = {revision.revision for revision in script.walk_revisions()}
    return all(revision in known for revision in stamped)


def check_connection(engine: Engine) -> None:
    """Fail with a plain message when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", exc)
        raise StoreError(f"cannot reach the database {engine.url.render_as_string()!r}: {orig}") from exc
