"""The hot path's statements on one PostgreSQL connection (``engine/pg_statements.py``): the same values and
errors as a psycopg cursor, each statement prepared once per connection, and only ours ever deallocated."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from qapress.engine import pg_statements
from qapress.engine.pg_statements import ConnectionStatements

SQL = "SELECT CAST(%s AS text)"


@pytest.fixture
def dsn(postgres_server: Any) -> str:
    return str(
        postgres_server.create_database("qapress_stmts").replace("postgresql+psycopg://", "postgresql://")
    )


@pytest.fixture
def connection(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection


def ours_on_server(connection: psycopg.Connection[Any]) -> list[str]:
    """The names of the statements prepared on ``connection``'s server session, as the server lists them."""
    rows = connection.execute("SELECT name FROM pg_prepared_statements ORDER BY name").fetchall()
    return [name for (name,) in rows]


VALUES = [
    7,
    70_000,
    2**40,
    -3,
    1.25,
    True,
    "plain",
    "déjà vu ✓",
    None,
    dt.date(2024, 2, 29),
    dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    dt.datetime(2024, 1, 2, 3, 4, 5),
    decimal.Decimal("12.340"),
    [1, 2, 3],
    ["a", "b c"],
    Jsonb({"k": [1, "x"]}),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_comes_back_as_the_cursor_reads_it_in_utf8(
    connection: psycopg.Connection[Any], value: Any
) -> None:
    """Parameters are dumped with the types the cursor sends, so the server casts them alike."""
    statements = ConnectionStatements(connection)
    expected = connection.execute(SQL, [value]).fetchone()
    assert expected is not None
    found, got = statements.fetch_value(SQL, [value])
    assert found
    assert got == (None if expected[0] is None else expected[0].encode())


def test_no_row_and_a_null_are_told_apart(connection: psycopg.Connection[Any]) -> None:
    statements = ConnectionStatements(connection)
    assert statements.fetch_value("SELECT CAST(%s AS text) WHERE false", [1]) == (False, None)
    assert statements.fetch_value("SELECT CAST(NULL AS text)", []) == (True, None)


def test_a_statement_is_prepared_once_per_parameter_types(connection: psycopg.Connection[Any]) -> None:
    statements = ConnectionStatements(connection)
    for value in (1, 2, 3):  # all small: one statement for int2
        assert statements.fetch_value(SQL, [value]) == (True, str(value).encode())
    assert statements.prepared == 1
    assert statements.fetch_value(SQL, [100_000]) == (True, b"100000")  # an int4 parameter: another
    assert statements.prepared == 2
    assert len([n for n in ours_on_server(connection) if n.startswith("_qapress_")]) == 2


def test_without_preparing_nothing_is_left_on_the_server(connection: psycopg.Connection[Any]) -> None:
    statements = ConnectionStatements(connection, prepare=False)
    for value in range(10):
        assert statements.fetch_value(SQL, [value]) == (True, str(value).encode())
    assert statements.prepared == 0
    assert ours_on_server(connection) == []


def test_statements_deallocated_by_someone_else_are_prepared_again(
    connection: psycopg.Connection[Any],
) -> None:
    statements = ConnectionStatements(connection)
    assert statements.fetch_value(SQL, [1]) == (True, b"1")
    connection.execute("DEALLOCATE ALL")
    assert statements.fetch_value(SQL, [2]) == (True, b"2")
    assert statements.prepared == 1


def test_past_the_bound_only_our_statements_are_deallocated(
    connection: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_statements, "MAX_PREPARED", 3)
    connection.execute("SELECT CAST(%s AS int) + 1", [1], prepare=True)  # psycopg's own prepared statement
    psycopg_own = ours_on_server(connection)
    assert len(psycopg_own) == 1
    statements = ConnectionStatements(connection)
    for i in range(4):
        assert statements.fetch_value(f"SELECT CAST(%s AS text) || '{i}'", [1]) == (True, f"1{i}".encode())
    assert statements.prepared == 1  # the fourth came after the three were dropped
    on_server = ours_on_server(connection)
    assert psycopg_own[0] in on_server
    assert len(on_server) == 2
    # psycopg's statement still runs prepared: its cache and the server agree.
    assert connection.execute("SELECT CAST(%s AS int) + 1", [1], prepare=True).fetchone() == (2,)


def test_errors_are_psycopgs_with_the_servers_sqlstate(connection: psycopg.Connection[Any]) -> None:
    statements = ConnectionStatements(connection)
    with pytest.raises(psycopg.errors.UndefinedColumn) as undefined:
        statements.fetch_value("SELECT CAST(no_such_column AS text)", [])
    assert undefined.value.sqlstate == "42703"
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        statements.fetch_value("SELECT CAST(CAST(%s AS text) AS integer)::text", ["x"])
    connection.execute("SET statement_timeout = 50")
    with pytest.raises(psycopg.errors.QueryCanceled) as cancelled:
        statements.fetch_value("SELECT CAST(pg_sleep(2) AS text)", [])
    assert cancelled.value.sqlstate == "57014"
    assert statements.fetch_value(SQL, [5]) == (True, b"5")  # the connection is fine after each


def test_a_lost_connection_is_an_operational_error(dsn: str, connection: psycopg.Connection[Any]) -> None:
    statements = ConnectionStatements(connection)
    assert statements.fetch_value(SQL, [1]) == (True, b"1")
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.info.backend_pid])
    with pytest.raises(psycopg.OperationalError):
        statements.fetch_value(SQL, [1])
    assert connection.broken


def test_another_client_encoding_still_answers_utf8(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True, client_encoding="LATIN1") as connection:
        statements = ConnectionStatements(connection)
        assert statements.fetch_value(SQL, ["déjà"]) == (True, "déjà".encode())
