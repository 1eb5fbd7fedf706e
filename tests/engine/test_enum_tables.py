"""Hasura's enum tables (docs: "Postgres: Enum Type Fields"): ``is_enum: true`` on a table with a single text
primary key and an optional text description column makes ``<table>_enum``; columns referencing it by a
foreign key take that type, in answers, ``where`` and mutations. The table itself stays queryable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, root_fields, run_ddl

TABLES = [
    {"table": "user_role", "is_enum": True},
    {"table": "colour", "is_enum": True},  # no rows: cannot be an enum, inconsistent
    {"table": "bad_enum", "is_enum": True},  # an integer key: cannot be an enum
    {
        "table": "users",
        "object_relationships": [{"name": "role_row", "using": {"foreign_key_constraint_on": "role"}}],
        "insert_permissions": [{"role": "user", "permission": {"columns": ["name", "role"], "check": {}}}],
        "select_permissions": [
            {
                "role": "user",
                "permission": {
                    "columns": ["id", "name", "role"],
                    "filter": {"role": {"_neq": "administrator"}},
                },
            }
        ],
    },
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    key = "SERIAL PRIMARY KEY" if blank.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    run_ddl(
        blank,
        [
            "CREATE TABLE user_role (value TEXT PRIMARY KEY, comment TEXT)",
            "INSERT INTO user_role VALUES ('user', 'Ordinary users'), "
            "('moderator', 'Users with the privilege to ban users'), ('administrator', NULL)",
            "CREATE TABLE colour (value TEXT PRIMARY KEY)",
            "CREATE TABLE bad_enum (value INTEGER PRIMARY KEY)",
            "INSERT INTO bad_enum VALUES (1)",
            f"CREATE TABLE users (id {key}, name TEXT NOT NULL, role TEXT NOT NULL REFERENCES user_role(value))",
            "INSERT INTO users (name, role) VALUES ('ann', 'user'), ('bob', 'moderator'), ('cy', 'administrator')",
        ],
    )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


def test_enum_type_from_the_rows(gql: GraphQLEngine) -> None:
    found = data(gql, '{ __type(name: "user_role_enum") { kind enumValues { name description } } }')["__type"]
    assert found["kind"] == "ENUM"
    assert found["enumValues"] == [
        {"name": "administrator", "description": None},
        {"name": "moderator", "description": "Users with the privilege to ban users"},
        {"name": "user", "description": "Ordinary users"},
    ]
    column = data(gql, '{ __type(name: "users") { fields { name type { ofType { name kind } } } } }')
    role = next(f for f in column["__type"]["fields"] if f["name"] == "role")
    assert role["type"]["ofType"] == {"name": "user_role_enum", "kind": "ENUM"}


def test_enum_literals_in_where(gql: GraphQLEngine) -> None:
    query = "{ users(where: {role: {_eq: moderator}}) { name role } }"
    assert data(gql, query) == {"users": [{"name": "bob", "role": "moderator"}]}
    many = "{ users(where: {role: {_in: [user, moderator]}}, order_by: {id: asc}) { name } }"
    assert data(gql, many) == {"users": [{"name": "ann"}, {"name": "bob"}]}
    variable = "query($r: user_role_enum!) { users(where: {role: {_neq: $r}}, order_by: {id: asc}) { name } }"
    assert data(gql, variable, {"r": "user"}) == {"users": [{"name": "bob"}, {"name": "cy"}]}
    assert data(gql, variable, {"r": "moderator"}) == {"users": [{"name": "ann"}, {"name": "cy"}]}
    # A string is not an enum literal, and a value the table lacks is not one either.
    assert error(gql, '{ users(where: {role: {_eq: "user"}}) { name } }')
    assert error(gql, "{ users(where: {role: {_eq: spaghetti}}) { name } }")
    assert error(gql, variable, {"r": "spaghetti"})


def test_enum_values_in_mutations(gql: GraphQLEngine) -> None:
    inserted = data(gql, 'mutation { insert_users_one(object: {name: "di", role: moderator}) { id role } }')
    assert inserted == {"insert_users_one": {"id": 4, "role": "moderator"}}
    updated = data(
        gql,
        'mutation($r: user_role_enum!) { update_users(where: {name: {_eq: "di"}}, _set: {role: $r}) '
        "{ returning { role } } }",
        {"r": "user"},
    )
    assert updated == {"update_users": {"returning": [{"role": "user"}]}}
    as_user = 'mutation { insert_users(objects: [{name: "ed", role: user}]) { affected_rows } }'
    assert data(gql, as_user, role="user") == {"insert_users": {"affected_rows": 1}}


def test_enum_table_keeps_its_root_fields_and_relationships(gql: GraphQLEngine) -> None:
    assert {"user_role", "user_role_by_pk", "user_role_aggregate"} <= root_fields(gql)
    assert data(gql, '{ user_role_by_pk(value: "user") { comment } }') == {
        "user_role_by_pk": {"comment": "Ordinary users"}
    }
    query = '{ users(where: {name: {_eq: "bob"}}) { role_row { value comment } } }'
    assert data(gql, query) == {
        "users": [{"role_row": {"value": "moderator", "comment": "Users with the privilege to ban users"}}]
    }


def test_tables_that_cannot_be_enums_are_inconsistent(gql: GraphQLEngine) -> None:
    reasons = " ".join(gql.model.inconsistencies)
    assert '"colour" cannot be used as an enum because the table must have at least one row' in reasons
    assert '"bad_enum" cannot be used as an enum' in reasons
    assert not {"colour", "bad_enum"} & root_fields(gql)
