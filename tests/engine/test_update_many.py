"""``update_<table>_many`` (Hasura v2.10+, docs "Postgres: Update Mutation", "Update multiple rows, in
sequence"): a list of updates, each with its own ``where`` and operators, run in order in one transaction so
that each sees the ones before it; the answer is a list of mutation responses, one per update, in order. It
takes the role's update permission (filter, columns, check, presets) like ``update_<table>``, and one failed
check rolls every update back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, field_names, root_fields, run_ddl

USER = {"x-hasura-role": "user", "x-hasura-user-id": "1"}

TABLES = [
    {
        "table": "note",
        "configuration": {"custom_root_fields": {"update_many": "edit_notes"}},
        "select_permissions": [
            {"role": "user", "permission": {"columns": ["id", "body", "owner"], "filter": {}}},
            {"role": "reader", "permission": {"columns": ["id", "body"], "filter": {}}},
        ],
        "update_permissions": [
            {
                "role": "user",
                "permission": {
                    "columns": ["body"],
                    "filter": {"owner": {"_eq": "X-Hasura-User-Id"}},
                    "check": {"body": {"_neq": ""}},
                    "set": {"edited": True},
                },
            }
        ],
    },
    {"table": "counter"},
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        blank,
        [
            "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL, owner INTEGER NOT NULL, "
            "edited BOOLEAN NOT NULL DEFAULT FALSE, hits INTEGER NOT NULL DEFAULT 0)",
            "INSERT INTO note (id, body, owner) VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 2)",
            "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            "INSERT INTO counter VALUES (1, 0), (2, 10)",
        ],
    )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


def test_updates_run_in_order_and_each_answers_with_its_rows(gql: GraphQLEngine) -> None:
    answer = data(
        gql,
        """mutation { update_counter_many(updates: [
             {where: {id: {_eq: 1}}, _inc: {n: 5}},
             {where: {n: {_gte: 5}}, _inc: {n: 1}},
             {where: {id: {_eq: 99}}, _set: {n: 0}}
           ]) { affected_rows returning { id n } } }""",
    )["update_counter_many"]
    # The second update sees the first: counter 1 now has 5, so both rows match it. (Rows of one
    # ``returning`` come in no promised order.)
    for response in answer:
        response["returning"].sort(key=lambda row: row["id"])
    assert answer == [
        {"affected_rows": 1, "returning": [{"id": 1, "n": 5}]},
        {"affected_rows": 2, "returning": [{"id": 1, "n": 6}, {"id": 2, "n": 11}]},
        {"affected_rows": 0, "returning": []},
    ]
    assert data(gql, "mutation { update_counter_many(updates: []) { affected_rows } }") == {
        "update_counter_many": []
    }


def test_the_types_are_hasuras(gql: GraphQLEngine) -> None:
    assert {"update_counter_many", "update_counter", "update_counter_by_pk"} <= root_fields(
        gql, "mutationType"
    )
    assert field_names(gql, "counter_updates") == {"where", "_set", "_inc"}
    query = "{ __schema { mutationType { fields { name type { kind ofType { name } } } } } }"
    fields = data(gql, query)["__schema"]["mutationType"]["fields"]
    many = next(f for f in fields if f["name"] == "update_counter_many")
    assert many["type"] == {"kind": "LIST", "ofType": {"name": "counter_mutation_response"}}


def test_a_role_updates_only_its_rows_and_columns_with_presets(gql: GraphQLEngine) -> None:
    assert "edit_notes" in root_fields(gql, "mutationType", role="user")
    assert "edit_notes" not in root_fields(gql, "mutationType", role="reader")
    answer = data(
        gql,
        "mutation { edit_notes(updates: [{where: {}, _set: {body: 'x'}}]) { affected_rows } }".replace(
            "'", '"'
        ),
        role="user",
        session=USER,
    )
    assert answer == {"edit_notes": [{"affected_rows": 2}]}  # note 3 belongs to user 2
    rows = data(gql, "{ note(order_by: {id: asc}) { id body edited } }")["note"]
    assert rows == [
        {"id": 1, "body": "x", "edited": True},
        {"id": 2, "body": "x", "edited": True},
        {"id": 3, "body": "c", "edited": False},
    ]
    wrong = error(
        gql,
        "mutation { edit_notes(updates: [{where: {}, _set: {owner: 2}}]) { affected_rows } }",
        role="user",
        session=USER,
    )
    assert wrong["extensions"]["code"] == "validation-failed"


def test_a_failed_check_rolls_back_every_update(gql: GraphQLEngine) -> None:
    failed = error(
        gql,
        """mutation { edit_notes(updates: [
             {where: {id: {_eq: 1}}, _set: {body: "kept?"}},
             {where: {id: {_eq: 2}}, _set: {body: ""}}
           ]) { affected_rows } }""",
        role="user",
        session=USER,
    )
    assert failed["extensions"]["code"] == "permission-error"
    assert data(gql, "{ note(order_by: {id: asc}) { body } }")["note"] == [
        {"body": "a"},
        {"body": "b"},
        {"body": "c"},
    ]


def test_an_operator_on_a_column_it_cannot_take_names_the_update(gql: GraphQLEngine) -> None:
    wrong = error(
        gql,
        'mutation { update_counter_many(updates: [{where: {}, _set: {n: 1}}, {where: {}, _inc: {id: "x"}}]) '
        "{ affected_rows } }",
    )
    assert wrong["extensions"]["code"] == "validation-failed"
    assert "updates[1]" in wrong["extensions"]["path"]
