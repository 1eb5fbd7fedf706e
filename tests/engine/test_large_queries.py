"""Wide queries the audit found answering ``unexpected`` on SQLite: hundreds of root aliases, an ``_or`` of a
thousand terms, a thousand fragments in one selection. Long chains are grouped as balanced trees, so they
run on both databases; what still passes one of SQLite's limits is ``not-supported``, naming the limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.demo_articles import demo_article_id

from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.dialects import balanced
from qapress.engine.driver_errors import sqlite_limit
from qapress.store.demo import SEED_ARTICLE_ID


def test_four_hundred_and_fifty_root_aliases(gql: GraphQLEngine) -> None:
    query = "{ " + " ".join(f"a{i}: domain_by_pk(id: 7) {{ id }}" for i in range(450)) + " }"
    data = gql.execute(query, role="anonymous")["data"]
    assert len(data) == 450
    assert data["a0"] == data["a449"] == {"id": 7}


def test_an_or_of_a_thousand_terms(gql: GraphQLEngine, demo: Engine) -> None:
    older = demo_article_id(
        demo, title="Storm Edda brings the highest tide"
    )  # older than the seed: smaller id
    wanted = [SEED_ARTICLE_ID, older]
    terms = [f"{{id: {{_eq: {i}}}}}" for i in range(1000)] + [f"{{id: {{_eq: {i}}}}}" for i in wanted]
    query = "{ qa_ai(where: {_or: [" + ", ".join(terms) + "]}, order_by: {id: asc}) { id } }"
    assert gql.execute(query, role="anonymous") == {
        "data": {"qa_ai": [{"id": older}, {"id": SEED_ARTICLE_ID}]}
    }


def test_an_and_of_a_thousand_terms(gql: GraphQLEngine) -> None:
    terms = ", ".join(f"{{id: {{_neq: {i}}}}}" for i in range(1000))
    query = "{ qa_ai(where: {_and: [" + terms + ", {id: {_eq: 6646098}}]}) { id } }"
    assert gql.execute(query, role="anonymous") == {"data": {"qa_ai": [{"id": 6646098}]}}


def test_a_thousand_fragments_in_one_selection(gql: GraphQLEngine) -> None:
    inline = " ".join(f"... on domain {{ f{i}: id }}" for i in range(1000))
    data = gql.execute(f"{{ domain_by_pk(id: 7) {{ {inline} }} }}", role="anonymous")["data"]
    assert len(data["domain_by_pk"]) == 1000 and data["domain_by_pk"]["f999"] == 7
    spreads = " ".join("...F" for _ in range(1000))
    query = f"{{ domain_by_pk(id: 7) {{ {spreads} }} }} fragment F on domain {{ id host }}"
    assert gql.execute(query, role="anonymous") == {
        "data": {"domain_by_pk": {"id": 7, "host": "screen.localhost"}}
    }


def test_balanced_keeps_short_chains_flat_and_the_order_of_every_operand() -> None:
    assert balanced(["a", "b", "c"], " OR ") == "a OR b OR c"
    parts = [f"p{i}" for i in range(1000)]
    grouped = balanced(parts, " OR ")
    assert grouped.replace("(", "").replace(")", "") == " OR ".join(parts)
    depth = max_depth = 0
    for char in grouped:
        depth += {"(": 1, ")": -1}.get(char, 0)
        max_depth = max(max_depth, depth)
    assert max_depth <= 10


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("SELECT " + "1 + " * 1100 + "1", "SQLITE_MAX_EXPR_DEPTH"),
        ("SELECT 1" + " UNION ALL SELECT 1" * 600, "SQLITE_MAX_COMPOUND_SELECT"),
        ("SELECT max(" + ", ".join(["1"] * 1200) + ")", "SQLITE_MAX_FUNCTION_ARG"),
    ],
)
def test_sqlite_errors_of_its_limits_are_named(statement: str, named: str) -> None:
    """The real errors SQLite raises for its limits, named for the client; other errors are not limits."""
    connection = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as raised:
        connection.execute(statement)
    limit = sqlite_limit(raised.value)
    assert limit is not None and named in limit
    with pytest.raises(sqlite3.OperationalError) as other:
        connection.execute("SELECT * FROM missing_table")
    assert sqlite_limit(other.value) is None


def test_a_query_past_an_sqlite_limit_is_not_supported_naming_it(gql: GraphQLEngine) -> None:
    """A hundred nested ``_not``: PostgreSQL answers; SQLite's parser stack is too shallow for it."""
    where = "{id: {_eq: 6646098}}"
    for _ in range(100):
        where = f"{{_not: {where}}}"
    answer = gql.execute(f"{{ qa_ai(where: {where}) {{ id }} }}", role="anonymous")
    if gql.dialect.name == "postgresql":
        assert answer == {"data": {"qa_ai": [{"id": 6646098}]}}
        return
    (error,) = answer["errors"]
    assert error["extensions"] == {"path": "$", "code": "not-supported"}
    assert "SQLite" in error["message"]


@pytest.fixture
def defaults_table(engine: Engine) -> Iterator[GraphQLEngine]:
    """A table whose every column has a default, tracked by admin."""
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS counter"))
        serial = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
        connection.execute(sa.text(f"CREATE TABLE counter (id {serial}, n INTEGER NOT NULL DEFAULT 0)"))
    gql = GraphQLEngine(engine, Metadata.from_hasura([{"table": {"schema": "public", "name": "counter"}}]))
    yield gql
    gql.close()
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE counter"))


def test_an_empty_insert_object_with_on_conflict(defaults_table: GraphQLEngine) -> None:
    mutation = (
        "mutation { insert_counter(objects: [{}, {}], "
        "on_conflict: {constraint: counter_pkey, update_columns: []}) { affected_rows returning { id n } } }"
    )
    assert defaults_table.execute(mutation) == {
        "data": {"insert_counter": {"affected_rows": 2, "returning": [{"id": 1, "n": 0}, {"id": 2, "n": 0}]}}
    }
    again = defaults_table.execute(
        "mutation { insert_counter_one(object: {id: 1}, on_conflict: {constraint: counter_pkey, update_columns: [n]}) { id n } }"
    )
    assert again == {"data": {"insert_counter_one": {"id": 1, "n": 0}}}
