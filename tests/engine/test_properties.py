"""Property test: random rows, random where / order_by / limit / offset; the engine answers what a plain
Python evaluation of the same query (with SQL's three-valued logic) says, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.store.schema import domain, link, qa_ai

COLUMNS = {"id": "int", "domain": "int", "src_id": "int", "title": "text", "date": "date"}
ALPHABET = "abc"

ints = st.integers(0, 6)
texts = st.text(ALPHABET, max_size=3)
dates = st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 6))


@st.composite
def article_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 8))
    return [
        {
            "id": i + 1,
            "domain": draw(st.integers(1, 3)),
            "src_id": draw(st.none() | ints),
            "title": draw(texts),
            "date": draw(st.none() | dates),
        }
        for i in range(count)
    ]


def value_of(kind: str) -> st.SearchStrategy[Any]:
    return {"int": ints, "text": texts, "date": dates.map(dt.date.isoformat)}[kind]


@st.composite
def comparisons(draw: st.DrawFn) -> dict[str, Any]:
    column = draw(st.sampled_from(sorted(COLUMNS)))
    kind = COLUMNS[column]
    op = draw(
        st.sampled_from(["_eq", "_neq", "_gt", "_gte", "_lt", "_lte", "_in", "_nin", "_is_null", "_like"])
    )
    if op == "_is_null":
        return {column: {op: draw(st.booleans())}}
    if op in ("_in", "_nin"):
        return {column: {op: draw(st.lists(value_of(kind), max_size=3))}}
    if op == "_like":
        pattern = draw(st.text(ALPHABET + "%_", max_size=4))
        return {"title": {op: pattern}}
    return {column: {op: draw(value_of(kind))}}


bool_exps = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda items: {"_and": items}, st.lists(inner, max_size=3)),
        st.builds(lambda items: {"_or": items}, st.lists(inner, max_size=3)),
        st.builds(lambda item: {"_not": item}, inner),
    ),
    max_leaves=5,
)
order_lists = st.lists(
    st.tuples(
        st.sampled_from(["domain", "src_id", "title", "date"]),
        st.sampled_from(
            ["asc", "desc", "asc_nulls_first", "asc_nulls_last", "desc_nulls_first", "desc_nulls_last"]
        ),
    ),
    max_size=3,
    unique_by=lambda t: t[0],
)


def sql_value(row: dict[str, Any], column: str) -> Any:
    value = row[column]
    return value.isoformat() if isinstance(value, dt.date) else value


def like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def evaluate(exp: dict[str, Any], row: dict[str, Any]) -> bool | None:
    """SQL's three-valued logic: None is unknown."""
    results: list[bool | None] = []
    for key, value in exp.items():
        if key == "_and":
            results.append(all_of([evaluate(v, row) for v in value]))
        elif key == "_or":
            results.append(any_of([evaluate(v, row) for v in value]))
        elif key == "_not":
            inner = evaluate(value, row)
            results.append(None if inner is None else not inner)
        else:
            [(op, operand)] = value.items()
            results.append(compare(sql_value(row, key), op, operand))
    return all_of(results)


def all_of(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def any_of(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def compare(value: Any, op: str, operand: Any) -> bool | None:
    if op == "_is_null":
        return (value is None) == operand
    if op in ("_in", "_nin"):
        if not operand:
            return op == "_nin"
        if value is None:
            return None
        return (value in operand) == (op == "_in")
    if value is None:
        return None
    if op == "_like":
        return like(value, operand)
    return {
        "_eq": value == operand,
        "_neq": value != operand,
        "_gt": value > operand,
        "_gte": value >= operand,
        "_lt": value < operand,
        "_lte": value <= operand,
    }[op]


def reference(
    rows: list[dict[str, Any]],
    where: dict[str, Any],
    order: list[tuple[str, str]],
    limit: int | None,
    offset: int,
) -> list[int]:
    kept = [row for row in rows if evaluate(where, row) is True]
    keys = [*order, ("id", "asc")]
    for column, direction in reversed(keys):
        descending = direction.startswith("desc")
        nulls_first = direction.endswith("nulls_first") or (direction == "desc")
        present = sorted(
            (r for r in kept if r[column] is not None), key=lambda r: r[column], reverse=descending
        )
        missing = [r for r in kept if r[column] is None]
        kept = missing + present if nulls_first else present + missing
    ids = [row["id"] for row in kept][offset:]
    return ids if limit is None else ids[:limit]


@pytest.fixture
def property_engine(engine: Engine) -> Iterator[GraphQLEngine]:
    with engine.begin() as connection:
        connection.execute(
            sa.insert(domain), [{"id": i, "host": f"{i}.localhost", "name": f"D{i}"} for i in (1, 2, 3)]
        )
    gql = GraphQLEngine(engine, qapress_metadata())
    yield gql
    gql.close()


QUERY = """query($where: qa_ai_bool_exp, $limit: Int, $offset: Int) {
  qa_ai(where: $where, order_by: [%s], limit: $limit, offset: $offset) { id }
}"""


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=article_rows(),
    where=bool_exps,
    order=order_lists,
    limit=st.none() | st.integers(0, 5),
    offset=st.integers(0, 4),
)
def test_where_order_limit_offset_match_python(
    property_engine: GraphQLEngine,
    rows: list[dict[str, Any]],
    where: dict[str, Any],
    order: list[tuple[str, str]],
    limit: int | None,
    offset: int,
) -> None:
    with property_engine.engine.begin() as connection:
        connection.execute(sa.delete(link))
        connection.execute(sa.delete(qa_ai))
        if rows:
            connection.execute(sa.insert(qa_ai), rows)
    order_sql = ", ".join(f"{{{column}: {direction}}}" for column, direction in [*order, ("id", "asc")])
    variables = {"where": where, "limit": limit, "offset": offset}
    result = property_engine.execute(QUERY % order_sql, variables)
    assert "errors" not in result, (result, where)
    assert [r["id"] for r in result["data"]["qa_ai"]] == reference(rows, where, order, limit, offset)
