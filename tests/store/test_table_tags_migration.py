"""Migration 0015 (table tags): the qa_ai triggers also log ``tqa_ai`` and watch ``version`` and
``created_at``; it downgrades to 0012's triggers and upgrades again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from qapress.store import open_engine
from qapress.store.database import alembic_config


def edit_and_log(engine: sa.Engine, values: str) -> list[str]:
    """The tags an update of article 1 logs (the log emptied first)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM cache_invalidation")
        connection.exec_driver_sql(f"UPDATE qa_ai SET {values} WHERE id = 1")
        return sorted(
            str(t) for t in connection.exec_driver_sql("SELECT tag FROM cache_invalidation").scalars()
        )


def test_0018_logs_the_table_tag_and_downgrades(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0017_search_vector")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
            connection.exec_driver_sql(
                "INSERT INTO qa_ai (id, domain, title, status) VALUES (1, 1, 'Otters', 'published')"
            )
        assert edit_and_log(engine, "title = 'Otters return'") == ["a1", "u1"]
        assert edit_and_log(engine, "version = version + 1") == []
        command.upgrade(config, "head")
        assert edit_and_log(engine, "title = 'Otters back'") == ["a1", "tqa_ai", "u1"]
        assert edit_and_log(engine, "version = version + 1") == ["a1", "tqa_ai", "u1"]
        assert edit_and_log(engine, "status = 'withdrawn'") == ["a1", "n1", "r0", "rwide", "tqa_ai", "u1"]
        command.downgrade(config, "0017_search_vector")
        assert edit_and_log(engine, "title = 'Otters again'") == []  # withdrawn stays unshown
        assert edit_and_log(engine, "status = 'published'") == ["a1", "n1", "r0", "rwide", "u1"]
        assert edit_and_log(engine, "version = version + 1") == []
        command.upgrade(config, "head")
        assert edit_and_log(engine, "title = 'Otters, once more'") == ["a1", "tqa_ai", "u1"]
    finally:
        engine.dispose()
