"""Backups of the embedded SQLite store with SQLite's online backup API, and restores from them.

The online backup copies a consistent snapshot page by page while the server keeps serving (readers and
the writer are only paused for each step), so ``qapress backup`` needs no downtime. The copy goes to a
temporary file beside the target and is renamed into place when complete: an interrupted backup never
leaves a file that looks whole. PostgreSQL has its own tools for this (``pg_dump``, see the README).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine

from qapress.store.backend import is_sqlite
from qapress.store.database import StoreError

#: Pages copied per step of the online backup: small steps let the server's writer in between.
PAGES_PER_STEP = 1024


class BackupError(StoreError):
    """A backup or restore cannot be made; the message names the file and what to do."""


def sqlite_path(engine: Engine) -> Path:
    if not is_sqlite(engine):
        raise BackupError(
            "qapress backup and restore are for the embedded SQLite store; on PostgreSQL use "
            "pg_dump -Fc and pg_restore (see the README)"
        )
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("the store is an in-memory database: there is nothing to back up")
    return Path(database)


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live store to ``target`` (replaced if present); the copy's size in bytes."""
    source_path = sqlite_path(engine)
    if target.resolve() == source_path.resolve():
        raise BackupError(f"{target} is the live database itself: choose another file")
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        _copy(source_path, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup {target}: {exc}") from exc
    return target.stat().st_size


def restore_sqlite(engine: Engine, backup: Path) -> None:
    """Replace the live store's content by a backup's, through the same online API (safe while serving)."""
    target_path = sqlite_path(engine)
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    try:
        with sqlite3.connect(backup) as check:
            integrity = check.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise BackupError(f"{backup} is not a SQLite database: {exc}") from exc
    if not integrity or integrity[0] != "ok":
        raise BackupError(f"{backup} fails SQLite's integrity check: {integrity[0] if integrity else '?'}")
    if "alembic_version" not in tables or "qa_ai" not in tables:
        raise BackupError(f"{backup} is a SQLite database but not a qapress store")
    engine.dispose()  # our own pooled connections must not hold the old pages
    try:
        _copy(backup, target_path)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {target_path}: {exc}") from exc


def _copy(source: Path, target: Path) -> None:
    source_db = sqlite3.connect(source)
    target_db = sqlite3.connect(target)
    try:
        source_db.backup(target_db, pages=PAGES_PER_STEP)
    finally:
        target_db.close()
        source_db.close()
