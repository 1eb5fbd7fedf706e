"""What the store and the services around it do differently on SQLite and PostgreSQL, named once.

The GraphQL engine's differences are methods of :class:`qapress.engine.dialects.Dialect`; these are the
rest's (store, site, links, observe, cli). Code elsewhere asks this module a question ("is the store a
file?", "does it lock rows?") instead of comparing database names, so a third backend would be one place to
read. Migrations keep their own branches: a migration is frozen history and must not change when this
module does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SUPPORTED = (SQLITE, POSTGRESQL)


def backend_name(bind: Engine | Connection | URL) -> str:
    """``sqlite`` or ``postgresql`` (or whatever else a URL names, for the error that refuses it)."""
    if isinstance(bind, URL):
        return bind.get_backend_name()
    return bind.dialect.name


def is_sqlite(bind: Engine | Connection | URL) -> bool:
    return backend_name(bind) == SQLITE


def is_postgresql(bind: Engine | Connection | URL) -> bool:
    return backend_name(bind) == POSTGRESQL


def sqlite_file(bind: Engine | URL) -> Path | None:
    """The file of an embedded store; None for PostgreSQL and for an in-memory SQLite database."""
    url = bind if isinstance(bind, URL) else bind.url
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def has_replicas(bind: Engine) -> bool:
    """Whether read replicas can stand beside this store (an embedded file has none)."""
    return is_postgresql(bind)


def reads_are_quick(bind: Engine) -> bool:
    """Whether a cached read may run on the event loop: an embedded file answers in microseconds without a
    network round trip; a server may not."""
    return is_sqlite(bind)


def default_change_watch(bind: Engine) -> str:
    """How a process learns of other processes' commits without asking on every request: SQLite's
    ``PRAGMA data_version`` on a file, PostgreSQL's ``LISTEN``, else a query per request."""
    if is_sqlite(bind):
        return "data_version" if sqlite_file(bind) is not None else "query"
    return "notify"


def lock_writers(connection: Connection, key: int) -> None:
    """Serialise the writers that share ``key`` until the transaction ends. PostgreSQL takes an advisory
    lock; SQLite needs none because a write transaction there (``BEGIN IMMEDIATE``) already excludes every
    other writer."""
    if is_postgresql(connection):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def advance_sequences(connection: Connection, tables: Iterable[sa.Table]) -> None:
    """After rows were written with explicit ids, move PostgreSQL's serial sequences past them (SQLite's
    rowid allocation already starts after the highest id)."""
    if not is_postgresql(connection):
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer) or column.autoincrement is False:
                continue
            sequence = connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is not None:
                highest = f"SELECT MAX({quote(column.name)}) FROM {quote(table.name)}"
                connection.execute(
                    sa.text(f"SELECT setval(:sequence, COALESCE(({highest}), 1))"), {"sequence": sequence}
                )


def upsert(bind: Engine | Connection, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    """An ``INSERT`` of ``table`` that takes ``on_conflict_do_update`` / ``on_conflict_do_nothing`` (both
    databases spell ``ON CONFLICT`` alike; SQLAlchemy has one construct per dialect)."""
    return postgresql.insert(table) if is_postgresql(bind) else sqlite.insert(table)
