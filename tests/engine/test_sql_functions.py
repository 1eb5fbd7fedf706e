"""Tracked SQL functions and computed fields as Hasura v2 documents them ("Postgres: Extend Schema with
Custom SQL Functions", "Computed fields", "Function permissions"). PostgreSQL only: SQLite has no such
functions, and the engine refuses to track one there with a metadata error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.errors import MetadataError

from .hasura_db import data, error, root_fields, run_ddl

DDL = [
    "CREATE TABLE author (id SERIAL PRIMARY KEY, name TEXT NOT NULL, first TEXT, last TEXT)",
    "CREATE TABLE article (id SERIAL PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES author(id))",
    "INSERT INTO author (name, first, last) VALUES ('ann', 'Ann', 'Lee'), ('bob', 'Bob', 'Ray'), ('cy', 'Cy', 'Dee')",
    "INSERT INTO article (title, author_id) VALUES ('a1', 1), ('a2', 1), ('b1', 2)",
    """CREATE FUNCTION search_authors(search text) RETURNS SETOF author AS $$
         SELECT * FROM author WHERE strpos(lower(name), lower(search)) > 0 $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION author_by_id(wanted integer) RETURNS author AS $$
         SELECT * FROM author WHERE id = wanted $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION authors_unnamed(text, integer DEFAULT 10) RETURNS SETOF author AS $$
         SELECT * FROM author WHERE starts_with(name, $1) ORDER BY id LIMIT $2 $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION add_author(new_name text) RETURNS SETOF author AS $$
         INSERT INTO author (name) VALUES (new_name) RETURNING * $$ LANGUAGE sql VOLATILE""",
    """CREATE FUNCTION volatile_list() RETURNS SETOF author AS $$
         SELECT * FROM author ORDER BY id $$ LANGUAGE sql VOLATILE""",
    """CREATE FUNCTION me(hasura_session json) RETURNS SETOF author AS $$
         SELECT * FROM author WHERE name = hasura_session ->> 'x-hasura-name' $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION full_name(author_row author) RETURNS text AS $$
         SELECT author_row.first || ' ' || author_row.last $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION greeting(author_row author, word text DEFAULT 'hi') RETURNS text AS $$
         SELECT word || ' ' || author_row.first $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION articles_titled(author_row author, prefix text) RETURNS SETOF article AS $$
         SELECT * FROM article WHERE author_id = author_row.id AND starts_with(title, prefix) $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION same_last_name(example author) RETURNS SETOF author AS $$
         SELECT * FROM author WHERE last = example.last $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION by_same_author(article_row article, other article) RETURNS boolean AS $$
         SELECT article_row.author_id = other.author_id $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION article_count(author_row author) RETURNS bigint AS $$
         SELECT count(*) FROM article WHERE author_id = author_row.id $$ LANGUAGE sql STABLE""",
]

TABLES: list[dict[str, Any]] = [
    {
        "table": "author",
        "array_relationships": [
            {
                "name": "articles",
                "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}},
            }
        ],
        "computed_fields": [
            {"name": "full_name", "definition": {"function": "full_name"}},
            {"name": "greeting", "definition": {"function": "greeting", "table_argument": "author_row"}},
            {"name": "titled", "definition": {"function": "articles_titled"}},
            {"name": "article_count", "definition": {"function": "article_count"}},
        ],
        "select_permissions": [
            {
                "role": "user",
                "permission": {"columns": ["id", "name"], "filter": {}, "computed_fields": ["full_name"]},
            },
            # No columns at all: only computed fields.
            {
                "role": "guest",
                "permission": {"columns": [], "filter": {"id": {"_lt": 3}}, "computed_fields": ["full_name"]},
            },
        ],
    },
    {
        "table": "article",
        "computed_fields": [{"name": "by_same_author", "definition": {"function": "by_same_author"}}],
        "select_permissions": [{"role": "user", "permission": {"columns": ["id", "title"], "filter": {}}}],
    },
]
FUNCTIONS: list[dict[str, Any]] = [
    {
        "function": "search_authors",
        "permissions": [{"role": "user"}],
        "configuration": {"custom_root_fields": {"function_aggregate": "searchAuthorsAggregate"}},
    },
    {"function": "author_by_id", "comment": "One author, by id"},
    {"function": "authors_unnamed"},
    {"function": "add_author", "permissions": [{"role": "user"}]},
    {"function": "volatile_list", "configuration": {"exposed_as": "query"}},
    {"function": "me", "configuration": {"session_argument": "hasura_session", "custom_name": "whoami"}},
    # Also the computed field "titled": as a root field its row argument is a row literal.
    {"function": "articles_titled"},
    {"function": "same_last_name"},
]


def make(engine: Engine, **kw: Any) -> GraphQLEngine:
    return GraphQLEngine(engine, Metadata.from_hasura({"tables": TABLES, "functions": FUNCTIONS}), **kw)


@pytest.fixture
def gql(pg_blank: Engine) -> Iterator[GraphQLEngine]:
    run_ddl(pg_blank, DDL)
    engine = make(pg_blank)
    yield engine
    engine.close()


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


def test_setof_and_single_row_functions(gql: GraphQLEngine) -> None:
    found = data(gql, '{ search_authors(args: {search: "b"}, order_by: {id: asc}) { name } }')
    assert names(found["search_authors"]) == ["bob"]
    assert data(gql, "{ author_by_id(args: {wanted: 2}) { name articles { title } } }") == {
        "author_by_id": {"name": "bob", "articles": [{"title": "b1"}]}
    }
    kind = data(gql, "{ __schema { queryType { fields { name type { kind name } } } } }")
    types = {f["name"]: f["type"] for f in kind["__schema"]["queryType"]["fields"]}
    assert types["author_by_id"] == {"kind": "OBJECT", "name": "author"}  # nullable object, not a list
    described = data(gql, "{ __schema { queryType { fields { name description } } } }")["__schema"]
    descriptions = {f["name"]: f["description"] for f in described["queryType"]["fields"]}
    assert descriptions["author_by_id"] == "One author, by id"
    assert descriptions["search_authors"] == 'execute function "search_authors" which returns "author"'
    assert types["search_authors"]["kind"] == "NON_NULL"
    assert "searchAuthorsAggregate" in types and "author_by_id_aggregate" not in types
    assert "search_authors_aggregate" not in types  # renamed by custom_root_fields.function_aggregate
    aggregate = '{ searchAuthorsAggregate(args: {search: ""}) { aggregate { count } } }'
    assert data(gql, aggregate) == {"searchAuthorsAggregate": {"aggregate": {"count": 3}}}


def test_unnamed_and_default_arguments(gql: GraphQLEngine) -> None:
    fields = data(gql, '{ __type(name: "authors_unnamed_args") { inputFields { name } } }')
    assert [f["name"] for f in fields["__type"]["inputFields"]] == ["arg_1", "arg_2"]
    assert names(data(gql, '{ authors_unnamed(args: {arg_1: ""}) { name } }')["authors_unnamed"]) == [
        "ann",
        "bob",
        "cy",
    ]
    limited = data(gql, 'query($n: Int) { authors_unnamed(args: {arg_1: "", arg_2: $n}) { name } }', {"n": 1})
    assert names(limited["authors_unnamed"]) == ["ann"]
    assert "arg_1" in error(gql, "{ authors_unnamed(args: {arg_2: 1}) { name } }")["message"]


def test_session_argument_and_custom_name(gql: GraphQLEngine) -> None:
    answer = data(gql, "{ whoami { name } }", session={"x-hasura-name": "cy"})
    assert answer == {"whoami": [{"name": "cy"}]}
    assert "me" not in root_fields(gql)


def test_volatile_functions_are_mutations(gql: GraphQLEngine) -> None:
    assert "add_author" in root_fields(gql, "mutationType") and "add_author" not in root_fields(gql)
    added = data(gql, 'mutation { add_author(args: {new_name: "di"}) { id name articles { title } } }')
    assert added == {"add_author": [{"id": 4, "name": "di", "articles": []}]}
    assert data(gql, "{ author_by_id(args: {wanted: 4}) { name } }") == {"author_by_id": {"name": "di"}}
    # exposed_as: query keeps a VOLATILE function in query_root.
    assert "volatile_list" in root_fields(gql)
    assert names(data(gql, "{ volatile_list(limit: 2) { name } }")["volatile_list"]) == ["ann", "bob"]


def test_function_permissions_inferred_or_required(gql: GraphQLEngine, pg_blank: Engine) -> None:
    inferred = root_fields(gql, role="user")
    assert {"search_authors", "author_by_id", "authors_unnamed", "whoami"} <= inferred
    strict = make(pg_blank, infer_function_permissions=False)
    try:
        queries = root_fields(strict, role="user")
        assert "search_authors" in queries
        assert not {"author_by_id", "authors_unnamed", "whoami"} & queries
        assert "add_author" in root_fields(strict, "mutationType", role="user")
        assert "author_by_id" in root_fields(strict)  # admin sees every function
        refused = error(strict, "{ author_by_id(args: {wanted: 1}) { name } }", role="user")
        assert refused["message"] == "field \"author_by_id\" not found in type: 'query_root'"
    finally:
        strict.close()


def test_computed_fields_in_every_form(gql: GraphQLEngine) -> None:
    query = """{ author(where: {id: {_eq: 1}}) {
        full_name greeting hello: greeting(args: {word: "hello"}) article_count
        titled(args: {prefix: "a"}, order_by: {id: desc}) { title } } }"""
    assert data(gql, query) == {
        "author": [
            {
                "full_name": "Ann Lee",
                "greeting": "hi Ann",
                "hello": "hello Ann",
                "article_count": 2,
                "titled": [{"title": "a2"}, {"title": "a1"}],
            }
        ]
    }
    where = '{ author(where: {full_name: {_eq: "Bob Ray"}}) { name } }'
    assert data(gql, where) == {"author": [{"name": "bob"}]}
    ordered = "{ author(order_by: [{article_count: desc}, {id: asc}]) { name } }"
    assert names(data(gql, ordered)["author"]) == ["ann", "bob", "cy"]
    by_name = "{ author(order_by: {full_name: desc}) { name } }"
    assert names(data(gql, by_name)["author"]) == ["cy", "bob", "ann"]


def test_computed_fields_for_a_role_without_columns(gql: GraphQLEngine) -> None:
    answer = data(gql, "{ author(order_by: {full_name: asc}) { full_name } }", role="guest")
    assert answer == {"author": [{"full_name": "Ann Lee"}, {"full_name": "Bob Ray"}]}
    assert error(gql, "{ author { name } }", role="guest")
    as_user = data(gql, '{ author(where: {full_name: {_like: "C%"}}) { name full_name } }', role="user")
    assert as_user == {"author": [{"name": "cy", "full_name": "Cy Dee"}]}
    assert error(gql, "{ author { greeting } }", role="user")  # not in the role's computed_fields


def test_functions_need_postgresql(sqlite_blank: Engine) -> None:
    run_ddl(sqlite_blank, ["CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT)"])
    with pytest.raises(MetadataError, match="need PostgreSQL"):
        GraphQLEngine(
            sqlite_blank, Metadata.from_hasura({"tables": [{"table": "author"}], "functions": ["f"]})
        )


def test_a_function_tracked_as_root_and_computed_field(gql: GraphQLEngine) -> None:
    root = '{ articles_titled(args: {author_row: "(1,ann,Ann,Lee)", prefix: "a"}, order_by: {id: asc}) { title } }'
    assert data(gql, root) == {"articles_titled": [{"title": "a1"}, {"title": "a2"}]}
    query = '{ author(where: {id: {_eq: 1}}) { titled(args: {prefix: "a2"}) { title } } }'
    assert data(gql, query) == {"author": [{"titled": [{"title": "a2"}]}]}


def test_a_row_type_argument_is_a_row_literal(gql: GraphQLEngine) -> None:
    # Hasura names the argument's scalar after the row type with "_scalar" (the type's own name is the
    # table's object type); the value is PostgreSQL's row literal, fields in the table's column order.
    fields = data(gql, '{ __type(name: "same_last_name_args") { inputFields { name type { kind name } } } }')
    assert fields["__type"]["inputFields"] == [
        {"name": "example", "type": {"kind": "SCALAR", "name": "author_scalar"}}
    ]
    query = "query($row: author_scalar) { same_last_name(args: {example: $row}) { name } }"
    assert data(gql, query, {"row": '(9,x,X,"Ray")'}) == {"same_last_name": [{"name": "bob"}]}
    computed = """{ article(order_by: {id: asc}) { title by_same_author(args: {other: "(1,a1,1)"}) } }"""
    assert data(gql, computed)["article"] == [
        {"title": "a1", "by_same_author": True},
        {"title": "a2", "by_same_author": True},
        {"title": "b1", "by_same_author": False},
    ]
    # Not a row literal: the database's error, as a GraphQL error.
    bad = error(gql, '{ same_last_name(args: {example: "not a row"}) { name } }')
    assert "malformed record literal" in bad["message"]
