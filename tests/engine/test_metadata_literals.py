"""Constants of the metadata's permission filters are written into the SQL as literals, and only they.

``dialects.sql_literal`` is the one function that writes a value into SQL text. It takes only a
``MetadataConstant`` (what the condition reader makes of a permission filter's scalars), quotes a string by
doubling its single quotes (SQL's rule, both databases' documentation: "String Constants" in PostgreSQL's,
"Literal Values" in SQLite's), writes a PostgreSQL string holding a backslash as an escape string
(``E'...'``, read alike whatever ``standard_conforming_strings`` says), and refuses what no literal should
hold (NUL, the collector's marker characters, a lone surrogate, NaN and the infinities, and ``%`` where
psycopg formats the statement); a refused constant is bound instead. A request's values, variables or
literals in its query text alike, are always bound.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine
from qapress.engine.dialects import (
    PostgresDialect,
    SQLiteDialect,
    UnsafeLiteral,
    dialect_for,
    sql_literal,
)
from qapress.engine.plan import Plan
from qapress.engine.values import MetadataConstant

from .hasura_db import data, engine_for, run_ddl

SQLITE, POSTGRES = SQLiteDialect(), PostgresDialect()

#: Strings that break naive quoting one way or another; each must come back from the database unchanged.
NASTY = [
    "O'Brien",
    "'",
    "''",
    "'; DROP TABLE item; --",
    "back\\slash",
    "ends with a backslash\\",
    "\\'",
    "\\\\'' OR 1=1 --",
    'double "quotes"',
    "naïve café — 日本語 🎉",
    "new\nline\ttab\rreturn",
    "$1 ? :name",
    "E'not an escape'",
    "",
    " ",
]
#: Strings a literal cannot hold on one database or both: bound instead, with the same answers.
BOUND_ON_POSTGRES = ["50% off", "%s", "%%"]
BOUND_ON_BOTH = ["marker \x010\x02 inside"]


def literal(value: Any, dialect: Any = SQLITE) -> str:
    return sql_literal(MetadataConstant(value), dialect)


def test_strings_are_quoted_by_doubling_single_quotes() -> None:
    assert literal("published") == "'published'"
    assert literal("O'Brien") == "'O''Brien'"
    assert literal("O'Brien", POSTGRES) == "'O''Brien'"
    # SQLite has no backslash escapes: the backslash is a character like any other.
    assert literal("a\\b") == "'a\\b'"
    # PostgreSQL: an escape string with the backslash doubled, whatever standard_conforming_strings says.
    assert literal("a\\b", POSTGRES) == "E'a\\\\b'"
    assert literal("a\\'b", POSTGRES) == "E'a\\\\''b'"


def test_numbers_booleans_and_null() -> None:
    assert literal(42) == "42"
    assert literal(-7) == "(-7)"
    assert literal(0.1) == "0.1"
    assert literal(-2.5) == "(-2.5)"
    assert float(literal(1e-300)) == 1e-300
    assert literal(True) == "1" and literal(False) == "0"
    assert literal(True, POSTGRES) == "true" and literal(False, POSTGRES) == "false"
    assert literal(None) == "NULL"


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "\x01", "\x02", "\ud800 lone surrogate", math.nan, math.inf, -math.inf],
)
def test_what_no_literal_holds_is_refused(value: Any) -> None:
    for dialect in (SQLITE, POSTGRES):
        with pytest.raises(UnsafeLiteral):
            literal(value, dialect)


def test_percent_is_refused_only_where_psycopg_formats_the_statement() -> None:
    assert literal("50% off") == "'50% off'"
    with pytest.raises(UnsafeLiteral):
        literal("50% off", POSTGRES)


@pytest.mark.parametrize("value", ["published", 1, 1.5, True])
def test_only_a_metadata_constant_is_taken(value: Any) -> None:
    """A plain value (what a request carries) never becomes a literal, whatever its type."""
    with pytest.raises(TypeError):
        sql_literal(value, SQLITE)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], ("a",), b"bytes", object()])
def test_a_metadata_constant_is_a_json_scalar(value: Any) -> None:
    with pytest.raises(TypeError):
        MetadataConstant(value)


class _Int(int):
    """An int whose text is not its value: a subclass must not pass for an int."""

    def __str__(self) -> str:
        return "1 OR 1=1"


def test_subclasses_of_the_scalars_are_refused() -> None:
    with pytest.raises(TypeError):
        MetadataConstant(_Int(1))


VALUES: list[Any] = [*NASTY, 0, -12, 2**62, 0.1, -2.5, 1e-300, 1.7976931348623157e308, True, False]


def test_every_literal_reads_back_unchanged_on_sqlite() -> None:
    connection = sqlite3.connect(":memory:")
    try:
        for value in VALUES:
            (back,) = connection.execute(f"SELECT {literal(value, SQLITE)}").fetchone()
            expected = int(value) if isinstance(value, bool) else value
            assert back == expected and type(back) is type(expected), value
    finally:
        connection.close()


@pytest.mark.parametrize("conforming", ["on", "off"])
def test_every_literal_reads_back_unchanged_on_postgresql(postgres_server: Any, conforming: str) -> None:
    """Executed as the engine executes it (psycopg, with parameters, so ``%`` is read), and with
    ``standard_conforming_strings`` either way."""
    with psycopg.connect(postgres_server.create_database("qapress_literals").replace("+psycopg", "")) as db:
        db.execute(f"SET standard_conforming_strings = {conforming}")
        for value in VALUES:
            row = db.execute(f"SELECT {literal(value, POSTGRES)}, %s", [1]).fetchone()
            assert row is not None
            # A decimal literal is numeric to PostgreSQL (the engine casts it to the column's type).
            back = float(row[0]) if isinstance(value, float) else row[0]
            assert back == value and type(back) is type(value), value


# --- through the engine --------------------------------------------------------------------------
def _roles(values: list[Any]) -> dict[str, Any]:
    return {f"r{i}": value for i, value in enumerate(values)}


ROLES = _roles(NASTY + BOUND_ON_POSTGRES + BOUND_ON_BOTH)
COLUMNS = ["id", "label", "score", "flag"]


def _select(role: str, filter_: dict[str, Any]) -> dict[str, Any]:
    return {"role": role, "permission": {"columns": COLUMNS, "filter": filter_}}


TABLES: list[dict[str, Any]] = [
    {
        "table": "item",
        "select_permissions": [
            *(_select(role, {"label": {"_eq": value}}) for role, value in ROLES.items()),
            _select("in_list", {"label": {"_in": ["O'Brien", "back\\slash"]}}),
            _select("numbers", {"_and": [{"score": {"_gt": -3.5}}, {"id": {"_neq": -1}}, {"flag": True}]}),
            _select("like", {"label": {"_like": "%slash"}}),
            _select("session", {"label": {"_eq": "X-Hasura-Label"}}),
        ],
    }
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    rows = list(ROLES.values())
    run_ddl(blank, ["CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT, score REAL, flag BOOLEAN)"])
    with blank.begin() as connection:
        for index, label in enumerate(rows, start=1):
            mark = "?" if blank.dialect.name == "sqlite" else "%s"
            connection.exec_driver_sql(
                f"INSERT INTO item VALUES ({mark}, {mark}, {mark}, {mark})",
                (index, label, index - 4.5, index % 2 == 0),
            )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


QUERY = "{ item(order_by: {id: asc}) { id label } }"


def plan_of(gql: GraphQLEngine, query: str, role: str) -> Plan:
    family = gql.plans.family((query, None, role))
    assert family is not None
    (plan,) = family.plans.values()
    return plan


def plan_sql(gql: GraphQLEngine, query: str, role: str) -> str:
    return plan_of(gql, query, role).sql


def test_each_permission_constant_selects_exactly_its_row(gql: GraphQLEngine) -> None:
    dialect = dialect_for(gql.engine.dialect.name)
    for index, (role, value) in enumerate(ROLES.items(), start=1):
        assert data(gql, QUERY, role=role)["item"] == [{"id": index, "label": value}], role
        plan = plan_of(gql, QUERY, role)
        try:
            expected = sql_literal(MetadataConstant(value), dialect)
        except UnsafeLiteral:
            assert [p.value for p in plan.params] == [value], role  # bound instead
        else:
            assert expected in plan.sql and plan.params == (), role


def test_lists_numbers_booleans_patterns_and_session_variables(gql: GraphQLEngine) -> None:
    labels = [row["label"] for row in data(gql, QUERY, role="in_list")["item"]]
    assert labels == ["O'Brien", "back\\slash"]
    numbers = data(gql, "{ item(order_by: {id: asc}) { id score flag } }", role="numbers")["item"]
    expected = [i for i in range(1, len(ROLES) + 1) if i - 4.5 > -3.5 and i % 2 == 0]
    assert [row["id"] for row in numbers] == expected and all(row["flag"] for row in numbers)
    assert [row["label"] for row in data(gql, QUERY, role="like")["item"]] == ["back\\slash"]
    # A session variable in a filter is the request's: bound, never written into the SQL.
    found = data(gql, QUERY, role="session", session={"x-hasura-label": "O'Brien"})["item"]
    assert [row["label"] for row in found] == ["O'Brien"]
    assert "O''Brien" not in plan_sql(gql, QUERY, "session")


def test_a_requests_values_stay_bound(gql: GraphQLEngine) -> None:
    """Values in the query's text and in its variables are the request's: never in the SQL text."""
    inline = '{ item(where: {label: {_eq: "O\'Brien"}}) { id } }'
    assert data(gql, inline) == {"item": [{"id": 1}]}
    assert "Brien" not in plan_sql(gql, inline, "admin")
    by_variable = "query ($l: String!) { item(where: {label: {_eq: $l}}) { id } }"
    assert data(gql, by_variable, {"l": "'; DROP TABLE item; --"}) == {"item": [{"id": 4}]}
    assert "DROP" not in plan_sql(gql, by_variable, "admin")
    assert len(data(gql, "{ item { id } }")["item"]) == len(ROLES)  # the table is still there
