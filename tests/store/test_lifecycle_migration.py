"""Migration 0006 (lifecycle) on a store that already holds articles, links and grounding reports."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from qapress.store import open_engine
from qapress.store.database import alembic_config


def scalar(engine: sa.Engine, sql: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(sql).scalar()


def test_upgrade_keeps_every_row_and_allows_scheduled(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0004")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
        connection.exec_driver_sql(
            "INSERT INTO qa_ai (id, domain, title, status) VALUES (1, 1, 'T', 'draft')"
        )
        connection.exec_driver_sql(
            "INSERT INTO link (article_id, url, url_key, status, consent) "
            "VALUES (1, 'https://e.com/', 'https://e.com/', 'live', true)"
        )
        connection.exec_driver_sql(
            "INSERT INTO grounding_report (article_id, passed, report, backend) VALUES (1, true, '{}', 'x')"
        )
    command.upgrade(config, "head")
    assert scalar(engine, "SELECT count(*) FROM link") == 1
    assert scalar(engine, "SELECT count(*) FROM grounding_report") == 1
    assert scalar(engine, "SELECT version FROM qa_ai WHERE id = 1") == 1
    before = scalar(engine, "SELECT count(*) FROM cache_invalidation WHERE tag = 'a1'")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE qa_ai SET status = 'scheduled', scheduled_at = '2026-12-24 08:00:00' WHERE id = 1"
        )
    # The page caches' trigger still fires after the constraint changed.
    assert scalar(engine, "SELECT count(*) FROM cache_invalidation WHERE tag = 'a1'") == int(str(before)) + 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql("UPDATE qa_ai SET status = 'deleted' WHERE id = 1")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO blocked_host (host, kind, reason) VALUES ('spam.example', 'domain', 'spam')"
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO blocked_host (host, kind) VALUES ('x.example', 'site')")
    if engine.dialect.name == "sqlite":
        assert scalar(engine, "PRAGMA integrity_check") == "ok"

    command.downgrade(config, "0004")
    assert scalar(engine, "SELECT status FROM qa_ai WHERE id = 1") == "draft"
    assert scalar(engine, "SELECT count(*) FROM link") == 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql("UPDATE qa_ai SET status = 'scheduled' WHERE id = 1")
    command.upgrade(config, "head")
    assert scalar(engine, "SELECT count(*) FROM article_revision") == 0
    engine.dispose()
