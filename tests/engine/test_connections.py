"""The hot path's connections (``engine/connections.py``): the answer's text as UTF-8 bytes on both databases,
the answer cap, and on PostgreSQL pooled connections handed back idle, in the state SQLAlchemy's users expect."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.connections import ThreadConnections
from qapress.engine.errors import AnswerTooLarge
from qapress.store import open_engine

TEXT = "SELECT CAST(%s AS text) || '✓'"


def statement(engine: Engine, sql: str) -> str:
    return sql.replace("%s", "?") if engine.dialect.name == "sqlite" else sql


def test_the_value_comes_back_as_utf8_bytes(engine: Engine) -> None:
    connections = ThreadConnections(engine, 5000)
    try:
        assert connections.fetch_text(statement(engine, TEXT), ["déjà"]) == "déjà✓".encode()
        assert connections.fetch_text("SELECT NULL", []) is None
    finally:
        connections.close_all()


def test_an_answer_over_the_cap_is_refused(engine: Engine) -> None:
    connections = ThreadConnections(engine, 5000)
    sql = statement(engine, TEXT)
    try:
        assert connections.fetch_text(sql, ["abc"], max_bytes=100) == "abc✓".encode()
        with pytest.raises(AnswerTooLarge):
            connections.fetch_text(sql, ["x" * 200], max_bytes=100)
    finally:
        connections.close_all()


def test_pooled_connections_go_back_idle_with_the_poolers_settings_undone(postgres_store_url: str) -> None:
    """The hot path runs outside any transaction and sets its own statement timeout; a checkout through
    SQLAlchemy then finds a connection in a transaction of its own, with the default timeout, and the hot path
    finds its timeout again after it."""
    engine = open_engine(postgres_store_url, pool_size=1)
    connections = ThreadConnections(engine, 4321)
    timeout = "SELECT current_setting('statement_timeout')"
    try:
        for _ in range(3):
            assert connections.fetch_text(timeout, []) == b"4321ms"
            with engine.connect() as connection:
                status = connection.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]
                assert status.name == "IDLE"
                assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
                connection.execute(sa.text("SELECT 1"))
                assert connection.in_transaction()  # SQLAlchemy's own mode: not autocommit
            # Each statement is a transaction of its own: the transaction's time moves between two.
            first = connections.fetch_text("SELECT CAST(now() AS text)", [])
            assert connections.fetch_text("SELECT CAST(now() AS text)", []) != first
    finally:
        connections.close_all()
        engine.dispose()
