"""Readiness: the database answers and its schema is at the newest migration (``/readyz``; 503 otherwise).

Liveness (``/healthz``) never touches the database, so that a process is not restarted for an outage of
the database; readiness is what a load balancer asks before sending traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from qapress.store.backend import sqlite_file
from qapress.store.database import alembic_config


@dataclass(frozen=True)
class Readiness:
    ready: bool
    detail: str


def migration_head(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def check_readiness(engine: Engine, head: str | None) -> Readiness:
    """Whether this process can serve: the database is there, reachable, and migrated to ``head``."""
    database = sqlite_file(engine)
    if database is not None and not database.is_file():
        # An open SQLite connection keeps reading a deleted file; the file itself must be there.
        return Readiness(False, f"no database file at {database}")
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        return Readiness(False, "database unreachable: " + " ".join(str(orig).split())[:200])
    if current != head:
        return Readiness(False, f"database at migration {current or 'none'}, expected {head}")
    return Readiness(True, f"ready (migration {head})")
