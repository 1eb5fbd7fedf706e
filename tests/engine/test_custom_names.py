"""Hasura's custom names (docs: "Customize auto-generated field names", ``pg_track_table`` configuration):
``custom_root_fields``, ``column_config.<col>.custom_name`` and the older ``custom_column_names``, a table's
``custom_name``; and tables whose names are no GraphQL names, left out as inconsistent without breaking the rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine

from .hasura_db import data, engine_for, error, field_names, root_fields, run_ddl


def serial(engine: Engine) -> str:
    return "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"


TABLES: list[dict[str, Any]] = [
    {
        "table": {"schema": "public", "name": "author"},
        "configuration": {
            "custom_root_fields": {
                "select": "Authors",
                "select_by_pk": {"name": "Author", "comment": "One author, by key"},
                "select_aggregate": "AuthorAggregate",
                "insert": "AddAuthors",
                "insert_one": "AddAuthor",
                "update": "UpdateAuthors",
                "update_by_pk": "UpdateAuthor",
                "delete": "DeleteAuthors",
                "delete_by_pk": "DeleteAuthor",
            },
            "column_config": {"id": {"custom_name": "authorId"}, "addr": {"custom_name": "address"}},
        },
        "array_relationships": [
            {
                "name": "articles",
                "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}},
            }
        ],
        "select_permissions": [
            {
                "role": "user",
                "permission": {"columns": ["id", "name", "addr"], "filter": {"addr": {"_eq": "x"}}},
            }
        ],
    },
    {
        "table": "article",
        "configuration": {"custom_column_names": {"author_id": "writerId"}},
        "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}],
    },
    {"table": "author details"},  # no GraphQL name and no custom name: inconsistent, left out
    {"table": "book shelf", "configuration": {"custom_name": "bookShelf"}},
    {"table": "odd_columns"},  # a column named "first name": inconsistent as a whole
    # Renamed onto another column's name: two fields of one name, inconsistent.
    {"table": "clash", "configuration": {"custom_column_names": {"a": "b"}}},
    # A relationship may take a renamed column's own name.
    {
        "table": "renamed_fk",
        "configuration": {"custom_column_names": {"author": "authorId"}},
        "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "author"}}],
    },
]


@pytest.fixture
def gql(blank: Engine) -> Iterator[GraphQLEngine]:
    key = serial(blank)
    run_ddl(
        blank,
        [
            f"CREATE TABLE author (id {key}, name TEXT NOT NULL, addr TEXT)",
            f"CREATE TABLE article (id {key}, title TEXT NOT NULL, author_id INTEGER REFERENCES author(id))",
            f'CREATE TABLE "author details" (id {key}, note TEXT)',
            f'CREATE TABLE "book shelf" (id {key}, label TEXT)',
            f'CREATE TABLE odd_columns (id {key}, "first name" TEXT)',
            f"CREATE TABLE clash (id {key}, a TEXT, b TEXT)",
            f"CREATE TABLE renamed_fk (id {key}, author INTEGER REFERENCES author(id))",
            "INSERT INTO author (name, addr) VALUES ('Ann', 'x'), ('Bob', 'y')",
            "INSERT INTO article (title, author_id) VALUES ('A1', 1), ('A2', 1), ('B1', 2)",
            "INSERT INTO \"book shelf\" (label) VALUES ('top')",
            "INSERT INTO renamed_fk (author) VALUES (2)",
        ],
    )
    engine = engine_for(blank, TABLES)
    yield engine
    engine.close()


def test_custom_root_fields_replace_the_defaults(gql: GraphQLEngine) -> None:
    queries = root_fields(gql)
    assert {"Authors", "Author", "AuthorAggregate"} <= queries
    assert not {"author", "author_by_pk", "author_aggregate"} & queries
    mutations = root_fields(gql, "mutationType")
    expected = {"AddAuthors", "AddAuthor", "UpdateAuthors", "UpdateAuthor", "DeleteAuthors", "DeleteAuthor"}
    assert expected <= mutations
    assert "insert_author" not in mutations and "insert_article" in mutations


def test_custom_column_names_in_selections_arguments_and_filters(gql: GraphQLEngine) -> None:
    assert field_names(gql, "author") == {"authorId", "name", "address", "articles", "articles_aggregate"}
    query = """{ Authors(where: {address: {_eq: "x"}}, order_by: {authorId: asc}) {
                   authorId address articles(order_by: {id: asc}) { title writerId } } }"""
    assert data(gql, query) == {
        "Authors": [
            {
                "authorId": 1,
                "address": "x",
                "articles": [{"title": "A1", "writerId": 1}, {"title": "A2", "writerId": 1}],
            }
        ]
    }
    assert data(gql, "{ Author(authorId: 2) { name } }") == {"Author": {"name": "Bob"}}
    distinct = "{ Authors(distinct_on: [address], order_by: {address: desc}) { address } }"
    assert data(gql, distinct) == {"Authors": [{"address": "y"}, {"address": "x"}]}
    aggregate = "{ AuthorAggregate { aggregate { count(columns: [address]) max { authorId } } } }"
    assert data(gql, aggregate) == {"AuthorAggregate": {"aggregate": {"count": 2, "max": {"authorId": 2}}}}
    by_var = "query($w: author_bool_exp!) { Authors(where: $w) { name } }"
    assert data(gql, by_var, {"w": {"authorId": {"_eq": 1}}}) == {"Authors": [{"name": "Ann"}]}
    # The column's own name is no field any more.
    assert "addr" in error(gql, "{ Authors { addr } }")["message"]


def test_permissions_keep_using_column_names(gql: GraphQLEngine) -> None:
    # The metadata's filter says addr; the role's schema and answers say address.
    assert data(gql, "{ Authors { address } }", role="user") == {"Authors": [{"address": "x"}]}


def test_mutations_with_custom_names(gql: GraphQLEngine) -> None:
    added = data(gql, 'mutation { AddAuthor(object: {name: "Cy", address: "z"}) { authorId address } }')
    assert added == {"AddAuthor": {"authorId": 3, "address": "z"}}
    many = data(
        gql,
        'mutation { AddAuthors(objects: [{name: "Di", address: "w", articles: {data: [{title: "D1"}]}}]) '
        "{ affected_rows returning { articles { writerId } } } }",
    )
    assert many == {"AddAuthors": {"affected_rows": 2, "returning": [{"articles": [{"writerId": 4}]}]}}
    updated = data(
        gql, 'mutation { UpdateAuthor(pk_columns: {authorId: 3}, _set: {address: "q"}) { address } }'
    )
    assert updated == {"UpdateAuthor": {"address": "q"}}
    upd = data(
        gql, 'mutation { UpdateAuthors(where: {address: {_eq: "q"}}, _set: {name: "C"}) { affected_rows } }'
    )
    assert upd == {"UpdateAuthors": {"affected_rows": 1}}
    upsert = data(
        gql,
        'mutation { AddAuthor(object: {authorId: 3, name: "X"}, '
        "on_conflict: {constraint: author_pkey, update_columns: [name]}) { authorId name address } }",
    )
    assert upsert == {"AddAuthor": {"authorId": 3, "name": "X", "address": "q"}}
    deleted = data(gql, "mutation { DeleteAuthor(authorId: 3) { name } }")
    assert deleted == {"DeleteAuthor": {"name": "X"}}
    gone = data(gql, 'mutation { DeleteAuthors(where: {address: {_eq: "nowhere"}}) { affected_rows } }')
    assert gone == {"DeleteAuthors": {"affected_rows": 0}}


def test_table_custom_name_names_every_type_and_field(gql: GraphQLEngine) -> None:
    queries = root_fields(gql)
    assert {"bookShelf", "bookShelf_by_pk", "bookShelf_aggregate"} <= queries
    assert "insert_bookShelf_one" in root_fields(gql, "mutationType")
    assert data(gql, "{ bookShelf { label __typename } }") == {
        "bookShelf": [{"label": "top", "__typename": "bookShelf"}]
    }
    assert "label" in field_names(gql, "bookShelf_bool_exp")


def test_non_graphql_names_are_inconsistent_and_left_out(gql: GraphQLEngine) -> None:
    queries = root_fields(gql)
    assert not any("details" in name or "odd_columns" in name for name in queries)
    assert any('"author details"' in reason for reason in gql.model.inconsistencies)
    assert any('"first name"' in reason for reason in gql.model.inconsistencies)
    assert data(gql, "{ article(where: {id: {_eq: 3}}) { title author { name } } }") == {
        "article": [{"title": "B1", "author": {"name": "Bob"}}]
    }


def test_custom_root_field_comments(gql: GraphQLEngine) -> None:
    roots = data(gql, "{ __schema { queryType { fields { name description } } } }")["__schema"]["queryType"]
    described = {f["name"]: f["description"] for f in roots["fields"]}
    assert described["Author"] == "One author, by key"
    assert described["Authors"] == 'fetch data from the table: "author"'  # Hasura's default


def test_clashing_names(gql: GraphQLEngine) -> None:
    assert "clash" not in root_fields(gql)
    assert any("two columns have the same GraphQL name" in r for r in gql.model.inconsistencies)
    assert data(gql, "{ renamed_fk { authorId author { name } } }") == {
        "renamed_fk": [{"authorId": 2, "author": {"name": "Bob"}}]
    }
    # The relationship and the column it shares a name with stay apart in where, order_by and inserts.
    where = '{ renamed_fk(where: {author: {name: {_eq: "Bob"}}, authorId: {_eq: 2}}) { id } }'
    assert data(gql, where) == {"renamed_fk": [{"id": 1}]}
    ordered = "{ renamed_fk(order_by: [{author: {name: desc}}, {authorId: asc}]) { id } }"
    assert data(gql, ordered) == {"renamed_fk": [{"id": 1}]}
    inserted = data(
        gql,
        'mutation { insert_renamed_fk_one(object: {author: {data: {name: "Eve"}}}) { authorId author { name } } }',
    )
    assert inserted == {"insert_renamed_fk_one": {"authorId": 3, "author": {"name": "Eve"}}}
    by_variable = "query($w: renamed_fk_bool_exp) { renamed_fk(where: $w) { id } }"
    assert data(gql, by_variable, {"w": {"author": {"name": {"_eq": "Eve"}}}}) == {"renamed_fk": [{"id": 2}]}
