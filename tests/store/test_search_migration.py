"""Migrations 0010 (search), 0013 (PostgreSQL's query) and 0016 (PostgreSQL's stored vectors) on a store
that already holds articles (and 0020, the site in the index): they are found at once, every later insert, edit and delete keeps the index in
step, the index is what PostgreSQL uses, and it downgrades."""

from __future__ import annotations

from alembic import command
from tests.search_index import found

from qapress.store import open_engine
from qapress.store.database import alembic_config
from qapress.store.dump import dumped_tables


def test_existing_and_later_articles_are_searchable(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0009_webmention")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
        connection.exec_driver_sql(
            "INSERT INTO qa_ai (id, domain, title, text) VALUES (1, 1, 'Otters', 'rivers')"
        )
    command.upgrade(config, "head")
    assert found(engine, "otters") == [1]  # rows from before the migration
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO qa_ai (id, domain, title, text) VALUES (2, 1, 'Beavers', 'rivers')"
        )
        connection.exec_driver_sql("UPDATE qa_ai SET title = 'Herons' WHERE id = 1")
    assert found(engine, "rivers") == [1, 2]
    assert found(engine, "otters") == [] and found(engine, "herons") == [1]
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM qa_ai WHERE id = 2")
    assert found(engine, "beavers") == []
    assert "qa_ai_fts" not in {t.name for t in dumped_tables()}
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(
                connection.exec_driver_sql(
                    "EXPLAIN SELECT id FROM qa_ai_search WHERE vector @@ qapress_search_query('rivers')"
                ).scalars()
            )
        assert "qa_ai_search_site_idx" in plan
    else:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("INSERT INTO qa_ai_fts(qa_ai_fts) VALUES ('integrity-check')")
    command.downgrade(config, "0009_webmention")
    command.upgrade(config, "head")
    assert found(engine, "herons") == [1]
    # Migration 0013: an excluded prefix excludes on PostgreSQL as on SQLite.
    assert found(engine, "rivers -hero*") == [] and found(engine, "rivers -ott*") == [1]
    assert found(engine, "rivers " * 50_000) == [1]  # never a tree too deep for the database's stack
    engine.dispose()
