"""The compiler as a pure function: a hand-written catalog and Hasura metadata in, SQL text out, no database.

Each query is compiled for both dialects and the SQL checked for its structure (what is bound, what is
qualified, how lists are aggregated), so a change to the SQL a dialect writes shows here first.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate

from qapress.engine.catalog import Catalog, Column, ForeignKey, Table
from qapress.engine.compile import CompiledOperation, CompileOptions, OperationCompiler
from qapress.engine.dialects import Dialect, PostgresDialect, SQLiteDialect
from qapress.engine.metadata import Metadata
from qapress.engine.model import build_model
from qapress.engine.plan import CONST, VARIABLE
from qapress.engine.schema import build_role_schema

AUTHOR = Table(
    "public",
    "author",
    {
        "id": Column("id", "Int", False, has_default=True, sql_type="INTEGER"),
        "name": Column("name", "String", False, sql_type="TEXT"),
    },
    ("id",),
    unique_constraints={"author_pkey": ("id",)},
)
ARTICLE = Table(
    "content",
    "article",
    {
        "id": Column("id", "Int", False, has_default=True, sql_type="INTEGER"),
        "title": Column("title", "String", False, sql_type="TEXT"),
        "author_id": Column("author_id", "Int", False, sql_type="INTEGER"),
        "published": Column("published", "Boolean", False, sql_type="BOOLEAN"),
    },
    ("id",),
    (ForeignKey("article_author_id_fkey", ("author_id",), "public", "author", ("id",)),),
    {"article_pkey": ("id",)},
)

METADATA = [
    {
        "table": {"schema": "public", "name": "author"},
        "array_relationships": [
            {
                "name": "articles",
                "using": {
                    "foreign_key_constraint_on": {
                        "table": {"schema": "content", "name": "article"},
                        "column": "author_id",
                    }
                },
            }
        ],
        "select_permissions": [{"role": "user", "permission": {"columns": ["id", "name"], "filter": {}}}],
    },
    {
        "table": {"schema": "content", "name": "article"},
        "object_relationships": [{"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}],
        "select_permissions": [
            {
                "role": "user",
                "permission": {
                    "columns": ["id", "title"],
                    "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}},
                    "limit": 10,
                },
            }
        ],
    },
]

DIALECTS: list[Dialect] = [SQLiteDialect(), PostgresDialect()]


def compile_query(
    dialect: Dialect, query: str, role: str = "admin", variables: dict[str, Any] | None = None
) -> CompiledOperation:
    catalog = Catalog(dialect.name, {("public", "author"): AUTHOR, ("content", "article"): ARTICLE})
    model = build_model(catalog, Metadata.from_hasura(METADATA))
    role_schema = build_role_schema(model, role)
    assert role_schema is not None
    document = parse(query)
    assert validate(role_schema.schema, document) == []
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    compiler = OperationCompiler(model, role_schema, dialect, fragments, variables or {}, CompileOptions())
    return compiler.compile(operation)


@pytest.fixture(params=DIALECTS, ids=lambda d: d.name)
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param  # type: ignore[no-any-return]


def test_a_list_is_one_statement_with_its_json_built_by_the_database(dialect: Dialect) -> None:
    compiled = compile_query(dialect, "{ author(order_by: {name: asc}, limit: 5) { id name } }")
    sql = compiled.sql
    assert sql.startswith("SELECT '{' || ")
    assert sql.count("SELECT") == 3  # the response, the aggregated list, the rows
    assert "LIMIT 5" in sql  # a literal limit is part of the plan, not a parameter
    if isinstance(dialect, PostgresDialect):
        assert "json_agg(" in sql and "json_build_object('id'" in sql
        # The rows are sorted once, in the subquery json_agg reads them from; no second sort inside it.
        aggregated, rows = sql.split("json_agg(", 1)[1].split(" FROM (", 1)
        assert "ORDER BY" not in aggregated and "ORDER BY" in rows and "__o0" not in sql
    else:
        assert "json_group_array(" in sql and "json_object('id'" in sql
        assert "json_agg" not in sql
    assert compiled.params == ()


def test_a_table_outside_public_is_qualified_only_where_schemas_exist(dialect: Dialect) -> None:
    sql = compile_query(dialect, "{ content_article { id } }").sql
    if isinstance(dialect, PostgresDialect):
        assert '"content"."article" AS' in sql
    else:
        assert '"content"' not in sql and '"article" AS' in sql


def test_where_values_are_bound_and_cast(dialect: Dialect) -> None:
    compiled = compile_query(
        dialect,
        "query ($t: String!) { content_article(where: {title: {_eq: $t}, id: {_gt: 3}}) { id } }",
        variables={"t": "x"},
    )
    placeholders = compiled.sql.count(dialect.placeholder)
    assert placeholders == len(compiled.params) == 2
    kinds = sorted(p.source for p in compiled.params)
    assert kinds == sorted([VARIABLE, CONST])
    assert [p.value for p in compiled.params if p.source == VARIABLE] == [
        "t"
    ]  # by name: the plan is reusable
    if isinstance(dialect, PostgresDialect):
        assert "CAST(%s AS TEXT)" in compiled.sql and "CAST(%s AS INTEGER)" in compiled.sql
    else:  # text values are cast to TEXT (cheaper per row, same comparison); integers stay bare
        assert "CAST(? AS TEXT)" in compiled.sql and "CAST(? AS INTEGER)" not in compiled.sql


def test_a_role_sees_its_permission_filter_and_row_limit(dialect: Dialect) -> None:
    sql = compile_query(dialect, "{ content_article { id title } }", role="user").sql
    assert re.search(r'"author_id" = ', sql), sql  # the permission's filter, on the session variable
    assert "LIMIT 10" in sql
    assert '"published"' not in sql  # a column the role may not read is never selected


def test_an_object_relationship_is_a_correlated_subquery(dialect: Dialect) -> None:
    sql = compile_query(dialect, "{ content_article { title author { name } } }").sql
    assert re.search(r'\."id" = _t\d+\."author_id"', sql) or re.search(r'\."author_id" = _t\d+\."id"', sql)
    assert "LIMIT 1" in sql


def test_distinct_on_is_native_on_postgresql_and_ranked_on_sqlite(dialect: Dialect) -> None:
    sql = compile_query(
        dialect, "{ content_article(distinct_on: author_id, order_by: {author_id: asc}) { id } }"
    ).sql
    if isinstance(dialect, PostgresDialect):
        assert "DISTINCT ON (" in sql and "row_number()" not in sql
    else:
        assert "row_number() OVER (PARTITION BY" in sql and ".__rn = 1" in sql


def test_an_offset_without_a_limit(dialect: Dialect) -> None:
    sql = compile_query(dialect, "{ author(offset: 2) { id } }").sql
    if isinstance(dialect, SQLiteDialect):
        assert "LIMIT -1 OFFSET 2" in sql  # SQLite takes no OFFSET without a LIMIT
    else:
        assert "LIMIT" not in sql and "OFFSET 2" in sql


def test_variance_is_emulated_where_the_database_has_none(dialect: Dialect) -> None:
    sql = compile_query(dialect, "{ author_aggregate { aggregate { var_pop { id } count } } }").sql
    if isinstance(dialect, PostgresDialect):
        assert "var_pop(" in sql
    else:
        assert "var_pop(" not in sql and "sum(" in sql and "count(" in sql


def test_a_column_without_nulls_is_ordered_without_a_nulls_clause(dialect: Dialect) -> None:
    """Hasura's ``asc`` is ASC NULLS LAST; on a NOT NULL column that is plain ASC, which SQLite can answer
    from an index (its own ASC puts nulls first). Through an object relationship a missing row is a null,
    so the clause stays."""
    plain = compile_query(dialect, "{ content_article(order_by: {id: asc}, limit: 3) { id } }").sql
    assert re.search(r'"id" ASC LIMIT', plain) and "NULLS" not in plain, plain
    through = compile_query(dialect, "{ content_article(order_by: {author: {name: desc}}) { id } }").sql
    assert "DESC NULLS FIRST" in through, through


def test_an_aggregation_predicate_is_a_subquery_over_the_related_rows(dialect: Dialect) -> None:
    counted = compile_query(
        dialect,
        "{ author(where: {articles_aggregate: {count: {arguments: [title], distinct: true, "
        "filter: {published: {_eq: true}}, predicate: {_gt: 1}}}}) { id } }",
    )
    assert "count(DISTINCT _g" in counted.sql and '"aggregate_value"' in counted.sql
    assert sorted(p.value for p in counted.params) == sorted([dialect.bool_param(True), 1])
    folded = compile_query(
        dialect,
        "{ author(where: {articles_aggregate: {bool_and: {arguments: published, predicate: {_eq: true}}}}) { id } }",
    ).sql
    if isinstance(dialect, PostgresDialect):
        assert "bool_and(_g" in folded
    else:  # booleans are 0/1 integers: all true is a minimum of 1
        assert "min(_g" in folded and "bool_and" not in folded
