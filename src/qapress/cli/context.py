"""What the verbs share: the settings and an opened, migrated store.

Only ``init`` and ``demo`` create a database. Every other verb refuses a SQLite file that does not exist, so
that a mistyped ``QAPRESS_DATA_DIR`` says so instead of quietly making an empty database somewhere new.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.settings import Settings, get_settings
from qapress.store import StoreError, check_connection, migrate, open_settings_engine
from qapress.store.backend import sqlite_file


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL, in-memory databases and unparsable URLs)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    return sqlite_file(parsed)


def prepare_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a missing database unless creating one; make its folder (one line when that is impossible)."""
    if path.is_file():
        return
    if path.exists():
        raise StoreError(
            f"{path} is not a database file; point QAPRESS_DATA_DIR or QAPRESS_DATABASE_URL elsewhere"
        )
    if not create:
        raise StoreError(
            f"no database at {path}; run `qapress init` (or `qapress demo`) first, or point "
            "QAPRESS_DATA_DIR or QAPRESS_DATABASE_URL at yours"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {path.parent}: {exc.strerror or exc}; set QAPRESS_DATA_DIR "
            "to a folder you may write to"
        ) from exc


def open_store(settings: Settings | None = None, *, create: bool = False) -> Engine:
    """The store named by the settings, reachable and migrated (``StoreError`` says why not).

    ``create``: make the database when it does not exist yet (SQLite; PostgreSQL databases are made with
    ``createdb``).
    """
    settings = settings or get_settings()
    url = settings.resolved_database_url()
    path = sqlite_path(url)
    if path is not None:
        prepare_sqlite_file(path, create=create)
    engine = open_settings_engine(settings)
    try:
        check_connection(engine)
    except StoreError as exc:
        if path is None:
            if "does not exist" in str(exc):
                raise StoreError(f"{exc}; create it (createdb NAME) then run `qapress init`") from exc
            raise
        reason = getattr(exc.__cause__, "orig", None) or exc.__cause__ or exc
        raise StoreError(
            f"cannot open the SQLite database {path}: {reason}; check that you may write to it and its "
            "folder (QAPRESS_DATA_DIR)"
        ) from exc
    migrate(engine)
    return engine
