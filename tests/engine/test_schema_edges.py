"""Hasura's answers at the schema's edges: a schema with nothing to query (the ``no_queries_available``
placeholder), variables declared but unused, Apollo's ``extensions.persistedQuery`` while persisted queries
are off, and descriptions (``COMMENT ON``, the metadata's ``comment``, Hasura's default descriptions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine
from qapress.engine.http import graphql_routes
from qapress.engine.schema import NO_QUERIES_TEXT

from .hasura_db import data, engine_for, error, root_fields, run_ddl
from .test_http import LiveServer

TABLES = [
    {
        "table": "author",
        "configuration": {
            "comment": "Authors of books",
            "column_config": {"id": {"comment": "The ID of the Author"}},
        },
        "select_permissions": [{"role": "reader", "permission": {"columns": ["id"], "filter": {}}}],
    },
    {"table": "book"},
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(
        blank,
        [
            "CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT)",
            "INSERT INTO author VALUES (1, 'Ann')",
        ],
    )
    if blank.dialect.name == "postgresql":
        run_ddl(
            blank,
            ["COMMENT ON TABLE book IS 'Books on the shelf'", "COMMENT ON COLUMN book.title IS 'As printed'"],
        )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_nothing_tracked_still_has_a_schema(blank: Engine, role: str) -> None:
    run_ddl(blank, ["CREATE TABLE author (id INTEGER PRIMARY KEY)"])
    gql = engine_for(blank, [])
    try:
        assert data(gql, "{ __typename }", role=role) == {"__typename": "query_root"}
        assert root_fields(gql, role=role) == {"no_queries_available"}
        assert data(gql, "{ no_queries_available }", role=role) == {"no_queries_available": NO_QUERIES_TEXT}
        assert error(gql, "{ author { id } }", role=role)["message"] == (
            "field \"author\" not found in type: 'query_root'"
        )
        assert error(gql, "mutation { __typename }", role=role)["message"] == "no mutations exist"
    finally:
        gql.close()


def test_a_role_granted_nothing_is_refused(gql: GraphQLEngine) -> None:
    # Tables are tracked but the role may do nothing with them: refused, as Hasura refuses such a caller.
    assert error(gql, "{ __typename }", role="nobody")["extensions"]["code"] == "validation-failed"
    assert error(gql, "{ no_queries_available }", role="nobody")


def test_a_role_that_may_only_write_gets_the_placeholder(blank: Engine) -> None:
    key = "SERIAL PRIMARY KEY" if blank.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    run_ddl(blank, [f"CREATE TABLE note (id {key}, body TEXT)"])
    writer = {"role": "writer", "permission": {"columns": ["body"], "check": {}}}
    gql = engine_for(blank, [{"table": "note", "insert_permissions": [writer]}])
    try:
        assert root_fields(gql, role="writer") == {"no_queries_available"}
        inserted = 'mutation { insert_note(objects: [{body: "hi"}]) { affected_rows } }'
        assert data(gql, inserted, role="writer") == {"insert_note": {"affected_rows": 1}}
    finally:
        gql.close()


def test_placeholder_absent_when_queries_exist(gql: GraphQLEngine) -> None:
    assert error(gql, "{ no_queries_available }")["message"] == (
        "field \"no_queries_available\" not found in type: 'query_root'"
    )


def test_unused_variables(gql: GraphQLEngine) -> None:
    query = "query($unused: Int, $id: Int!) { author(where: {id: {_eq: $id}}) { name } }"
    expected = {"author": [{"name": "Ann"}]}
    assert data(gql, query, {"id": 1}) == expected
    assert data(gql, query, {"id": 1, "unused": 7}) == expected  # declared, given, never used: fine
    assert data(gql, query, {"id": 1}) == expected  # the cached plan agrees
    undeclared = error(gql, query, {"id": 1, "other": 2})
    assert undeclared["message"] == "unexpected variables in variableValues: other"
    assert undeclared["extensions"]["code"] == "validation-failed"


def test_persisted_query_extension_while_persisted_queries_are_off(gql: GraphQLEngine) -> None:
    persisted = {
        "persistedQuery": {
            "version": 1,
            "sha256Hash": "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38",
        }
    }
    with LiveServer(Starlette(routes=graphql_routes(gql, open_role="admin"))) as client:
        hash_only = client.post("/v1/graphql", json={"extensions": persisted}).json()
        assert hash_only == {
            "errors": [
                {"message": 'key "query" not found', "extensions": {"path": "$", "code": "parse-failed"}}
            ]
        }
        with_query = client.post(
            "/v1/graphql", json={"query": "{ author { name } }", "extensions": persisted}
        ).json()
        assert with_query == {"data": {"author": [{"name": "Ann"}]}}


def describe(gql: GraphQLEngine, type_name: str) -> tuple[str | None, dict[str, str | None]]:
    query = '{ __type(name: "NAME") { description fields { name description } } }'.replace("NAME", type_name)
    found = data(gql, query)["__type"]
    return found["description"], {f["name"]: f["description"] for f in found["fields"]}


def test_descriptions_from_metadata_comments(gql: GraphQLEngine) -> None:
    description, fields = describe(gql, "author")
    assert description == "Authors of books"
    assert fields["id"] == "The ID of the Author"
    assert fields["name"] is None


def test_descriptions_from_database_comments_or_hasura_defaults(gql: GraphQLEngine, blank: Engine) -> None:
    description, fields = describe(gql, "book")
    if blank.dialect.name == "postgresql":
        assert (description, fields["title"]) == ("Books on the shelf", "As printed")
    else:  # SQLite has no comments: Hasura's default description
        assert (description, fields["title"]) == ('columns and relationships of "book"', None)
    roots = data(gql, "{ __schema { queryType { fields { name description } } } }")["__schema"]["queryType"]
    by_name = {f["name"]: f["description"] for f in roots["fields"]}
    assert by_name["book"] == 'fetch data from the table: "book"'
    assert by_name["book_by_pk"] == 'fetch data from the table: "book" using primary key columns'
