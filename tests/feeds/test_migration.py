"""Migration 0007_feeds up and down on a store that already has sites, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from qapress.store import open_engine
from qapress.store.database import alembic_config


def test_feeds_tables_come_and_go(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0004")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
    command.upgrade(config, "0007_feeds")
    insert_item = sa.text("INSERT INTO feed_item (feed_id, item_key) VALUES (1, 'guid-1')")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO feed (id, url, domain) VALUES (1, 'https://a.example/rss', 1)"
        )
        connection.execute(insert_item)
        row = connection.exec_driver_sql("SELECT auto_publish, failures, next_poll_at FROM feed").one()
        assert (bool(row[0]), row[1], row[2]) == (False, 0, None)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert_item)  # an item's key is unique within its feed
    command.downgrade(config, "0004")
    assert not {"feed", "feed_item"} & set(sa.inspect(engine).get_table_names())
    command.upgrade(config, "head")
    engine.dispose()
