"""Liveness and readiness: ``/healthz`` answers whatever the database does; ``/readyz`` says 503 unless the
database is there, reachable and at the newest migration."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.site.live import serve_site

from qapress.observe.health import check_readiness, migration_head
from qapress.store import migrate, open_engine

if TYPE_CHECKING:
    from tests.conftest import PostgresServer


def test_ready_on_a_migrated_store(engine: Engine) -> None:
    with serve_site(engine) as live:
        assert live.get("/healthz").status_code == 200
        ready = live.get("/readyz")
        assert ready.status_code == 200
        assert ready.text.startswith("ready")
        assert ready.headers["cache-control"] == "no-store"


def test_a_removed_sqlite_file(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "qapress.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = open_engine(f"sqlite:///{path}")
    try:
        with serve_site(engine) as live:
            assert live.get("/readyz").status_code == 200
            os.remove(path)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            not_ready = live.get("/readyz")
            assert not_ready.status_code == 503
            assert f"no database file at {path}" in not_ready.text
            assert live.get("/healthz").status_code == 200
    finally:
        engine.dispose()


def test_a_database_behind_the_newest_migration(engine: Engine) -> None:
    head = migration_head(engine)
    with serve_site(engine) as live:
        assert live.get("/readyz").status_code == 200
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001_older'"))
            not_ready = live.get("/readyz")
            assert not_ready.status_code == 503
            assert "database at migration 0001_older, expected" in not_ready.text
            assert live.get("/healthz").status_code == 200
        finally:
            # The PostgreSQL store is shared by the session (truncate_all leaves alembic_version alone).
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_a_postgresql_database_that_went_away(postgres_server: PostgresServer) -> None:
    """The throwaway database is dropped under the running server (the shared server itself stays up)."""
    url = postgres_server.create_database(prefix="qapress_gone")
    engine = open_engine(url)
    migrate(engine)
    try:
        with serve_site(engine) as live:
            assert live.get("/readyz").status_code == 200
            name = engine.url.database
            with postgres_server.admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            not_ready = live.get("/readyz")
            assert not_ready.status_code == 503
            assert not_ready.text.startswith("database unreachable")
            assert live.get("/healthz").status_code == 200
    finally:
        engine.dispose()


def test_nothing_listening_is_not_ready() -> None:
    """The check itself against a PostgreSQL URL to a port where nothing listens."""
    engine = open_engine("postgresql+psycopg://postgres@127.0.0.1:1/qapress?connect_timeout=2")
    try:
        readiness = check_readiness(engine, migration_head(engine))
    finally:
        engine.dispose()
    assert not readiness.ready
    assert readiness.detail.startswith("database unreachable")
