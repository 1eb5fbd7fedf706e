"""Migration 0014 (related lists): on a store at 0013 with content, it adds ``article_related`` and
``related_queue``, queues the published articles (not the drafts) and its triggers queue later publishes; it
downgrades (tables and triggers gone, content kept) and upgrades again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from qapress.store import open_engine
from qapress.store.database import alembic_config
from qapress.store.dump import dumped_tables


def queued(engine: sa.Engine) -> list[int]:
    with engine.connect() as connection:
        return [
            int(i)
            for i in connection.exec_driver_sql(
                "SELECT article_id FROM related_queue ORDER BY article_id"
            ).scalars()
        ]


def test_0014_adds_the_lists_queues_the_published_and_downgrades(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0013_search_query")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
        connection.exec_driver_sql(
            "INSERT INTO qa_ai (id, domain, title, text, status) VALUES "
            "(1, 1, 'Otters return', 'otters', 'published'), (2, 1, 'Otter draft', 'otters', 'draft')"
        )
    command.upgrade(config, "head")
    assert queued(engine) == [1]
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE qa_ai SET status = 'published' WHERE id = 2")
        connection.exec_driver_sql(
            "INSERT INTO article_related (article_id, rank, related_id) VALUES (1, 1, 2)"
        )
    assert queued(engine) == [1, 2]
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM related_queue")
        connection.exec_driver_sql("UPDATE qa_ai SET status = 'withdrawn' WHERE id = 2")
    assert queued(engine) == [1]  # the list that showed the withdrawn article
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM qa_ai WHERE id = 2")
        assert connection.exec_driver_sql("SELECT count(*) FROM article_related").scalar() == 0  # cascade
    names = {t.name for t in dumped_tables()}
    assert "article_related" not in names and "related_queue" not in names  # computed again, not dumped
    command.downgrade(config, "0013_search_query")
    tables = set(sa.inspect(engine).get_table_names())
    assert "article_related" not in tables and "related_queue" not in tables
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE qa_ai SET title = 'Otters are back' WHERE id = 1"
        )  # no trigger left
        assert connection.exec_driver_sql("SELECT title FROM qa_ai").scalar() == "Otters are back"
    command.upgrade(config, "head")
    assert queued(engine) == [1]
    engine.dispose()
