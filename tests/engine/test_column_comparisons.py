"""Hasura's column comparison operators (docs: "Permissions operators", column comparison operators):
``_ceq``, ``_cne``, ``_cgt``, ``_clt``, ``_cgte``, ``_clte`` compare a column with another column of the same
row, or (``["$", column]``) of the row the permission tests, from across a relationship. They belong to
permission filters and checks (select, insert, update, delete); a query's ``where`` has no such operators."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, field_names, run_ddl

#: Each operator as the filter of a role of its name, and the items (by id) it lets the role read.
OPERATORS = {
    "_ceq": [2],
    "_cne": [1, 3],
    "_cgt": [3],
    "_clt": [1],
    "_cgte": [2, 3],
    "_clte": [1, 2],
}
COLUMNS = ["id", "low", "high", "owner_id"]


def select(role: str, filter_: dict[str, Any]) -> dict[str, Any]:
    return {"role": role, "permission": {"columns": COLUMNS, "filter": filter_}}


TABLES: list[dict[str, Any]] = [
    {"table": "owner", "select_permissions": [select("budget", {})]},
    {
        "table": "item",
        "object_relationships": [{"name": "owner", "using": {"foreign_key_constraint_on": "owner_id"}}],
        "select_permissions": [
            *(select(op, {"low": {op: "high"}}) for op in OPERATORS),
            select("dollar", {"low": {"$ceq": "high"}}),
            # The owner's budget covers the item's high price: a column of the row tested, from the owner.
            select("budget", {"owner": {"max_price": {"_cgte": ["$", "high"]}}}),
            select("writer", {}),
            select("typo", {"low": {"_ceq": "hihg"}}),
        ],
        "insert_permissions": [
            {"role": "writer", "permission": {"columns": COLUMNS, "check": {"low": {"_clte": "high"}}}}
        ],
        "update_permissions": [
            {
                "role": "writer",
                "permission": {
                    "columns": ["low", "high"],
                    "filter": {"low": {"_cne": "high"}},
                    "check": {"high": {"_cgt": "low"}},
                },
            }
        ],
        "delete_permissions": [{"role": "writer", "permission": {"filter": {"low": {"_ceq": "high"}}}}],
    },
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        blank,
        [
            "CREATE TABLE owner (id INTEGER PRIMARY KEY, max_price INTEGER NOT NULL)",
            "CREATE TABLE item (id INTEGER PRIMARY KEY, low INTEGER, high INTEGER, "
            "owner_id INTEGER NOT NULL REFERENCES owner(id))",
            "INSERT INTO owner VALUES (1, 2), (2, 3)",
            "INSERT INTO item VALUES (1, 1, 2, 1), (2, 3, 3, 1), (3, 5, 4, 2), (4, NULL, 1, 2)",
        ],
    )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


def item_ids(gql: GraphQLEngine, role: str) -> list[int]:
    return [row["id"] for row in data(gql, "{ item(order_by: {id: asc}) { id } }", role=role)["item"]]


@pytest.mark.parametrize("op", list(OPERATORS))
def test_each_operator_in_a_select_filter(gql: GraphQLEngine, op: str) -> None:
    # A null on either side compares as SQL does: the row is not read.
    assert item_ids(gql, op) == OPERATORS[op]


def test_dollar_spelling_and_the_row_tested(gql: GraphQLEngine) -> None:
    assert item_ids(gql, "dollar") == [2]
    assert item_ids(gql, "budget") == [1, 4]


def test_insert_check(gql: GraphQLEngine) -> None:
    ok = "mutation { insert_item_one(object: {id: 5, low: 1, high: 1, owner_id: 1}) { id } }"
    assert data(gql, ok, role="writer") == {"insert_item_one": {"id": 5}}
    bad = "mutation { insert_item_one(object: {id: 6, low: 2, high: 1, owner_id: 1}) { id } }"
    assert error(gql, bad, role="writer")["extensions"]["code"] == "permission-error"
    assert data(gql, "{ item_by_pk(id: 6) { id } }") == {"item_by_pk": None}


def test_update_filter_and_check_and_delete_filter(gql: GraphQLEngine) -> None:
    # Only rows whose low differs from high are updated (1 and 3); the result must keep high > low.
    raise_high = "mutation { update_item(where: {}, _inc: {high: 10}) { affected_rows } }"
    assert data(gql, raise_high, role="writer") == {"update_item": {"affected_rows": 2}}
    highs = data(gql, "{ item(order_by: {id: asc}) { high } }")["item"]
    assert [row["high"] for row in highs] == [12, 3, 14, 1]
    lower = "mutation { update_item(where: {id: {_eq: 1}}, _set: {high: 0}) { affected_rows } }"
    assert error(gql, lower, role="writer")["extensions"]["code"] == "permission-error"
    delete = "mutation { delete_item(where: {}) { returning { id } } }"
    assert data(gql, delete, role="writer") == {"delete_item": {"returning": [{"id": 2}]}}


def test_not_in_a_query_where(gql: GraphQLEngine) -> None:
    assert "_ceq" not in field_names(gql, "Int_comparison_exp")
    found = error(gql, '{ item(where: {low: {_ceq: "high"}}) { id } }')
    assert "_ceq" in found["message"]


def test_a_column_that_does_not_exist_makes_the_permission_inconsistent(gql: GraphQLEngine) -> None:
    # As Hasura reports it when the metadata loads: the permission is left out, the rest works.
    (reason,) = [r for r in gql.model.inconsistencies if '"typo"' in r]
    assert 'no column "hihg"' in reason and "select on table public.item" in reason
    assert gql.model.tracked(("public", "item")).select_permission("typo") is None
    assert "errors" in gql.execute("{ item { id } }", role="typo")
