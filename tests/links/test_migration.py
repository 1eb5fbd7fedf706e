"""Migration 0002 on a store that already holds links: rows kept, the unique rule moved to active links."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from qapress.store import open_engine
from qapress.store.database import alembic_config


def test_upgrade_keeps_links_and_lets_a_rejected_url_come_again(unmigrated_url: str) -> None:
    engine = open_engine(unmigrated_url)
    config = alembic_config(engine)
    command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO domain (id, host, name) VALUES (1, 'a.example', 'A')")
        connection.exec_driver_sql("INSERT INTO qa_ai (id, domain, title) VALUES (1, 1, 'T')")
        connection.exec_driver_sql(
            "INSERT INTO link (article_id, url, url_key, status, consent) "
            "VALUES (1, 'https://e.com/', 'https://e.com/', 'rejected', true)"
        )
    command.upgrade(config, "0002")
    insert = sa.text(
        "INSERT INTO link (article_id, url, url_key, status, consent) "
        "VALUES (1, 'https://e.com/', 'https://e.com/', 'pending', true)"
    )
    with engine.begin() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM link").scalar() == 1
        connection.execute(insert)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert)
    command.downgrade(config, "0001")
    with engine.connect() as connection:
        statuses = connection.exec_driver_sql("SELECT status FROM link").scalars().all()
    assert statuses == ["pending"]
    command.upgrade(config, "0002")
    engine.dispose()
