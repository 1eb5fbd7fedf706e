"""Computed fields: PostgreSQL functions of a row as fields, in selections, where and order_by."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.errors import MetadataError
from qapress.store import open_engine

FUNCTIONS = [
    """CREATE FUNCTION qa_ai_title_has(article qa_ai, needle text DEFAULT 'e') RETURNS boolean AS $$
         SELECT strpos(article.title, needle) > 0 $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION qa_ai_title_length(article qa_ai) RETURNS integer AS $$
         SELECT length(article.title) $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION domain_articles_except(site domain, hasura_session json) RETURNS SETOF qa_ai AS $$
         SELECT * FROM qa_ai WHERE qa_ai.domain = site.id
           AND qa_ai.id::text <> coalesce(hasura_session ->> 'x-hasura-skip', '') $$ LANGUAGE sql STABLE""",
]


def computed_metadata() -> Metadata:
    return Metadata.from_hasura(
        [
            {
                "table": "qa_ai",
                "computed_fields": [
                    {"name": "title_length", "definition": {"function": "qa_ai_title_length"}},
                    {
                        "name": "title_has",
                        "definition": {"function": "qa_ai_title_has", "table_argument": "article"},
                    },
                ],
                "select_permissions": [
                    {
                        "role": "reader",
                        "permission": {
                            "columns": ["id"],
                            "computed_fields": ["title_length"],
                            "filter": {"title_length": {"_gt": 9}},
                        },
                    }
                ],
            },
            {
                "table": "domain",
                "computed_fields": [
                    {
                        "name": "others",
                        "definition": {
                            "function": "domain_articles_except",
                            "table_argument": "site",
                            "session_argument": "hasura_session",
                        },
                    }
                ],
                "select_permissions": [
                    {
                        "role": "reader",
                        "permission": {"columns": ["id"], "computed_fields": ["others"], "filter": {}},
                    }
                ],
            },
        ]
    )


@pytest.fixture
def computed(pg_rows: Engine) -> Iterator[GraphQLEngine]:
    """Computed fields are PostgreSQL functions: these tests run on PostgreSQL only."""
    with pg_rows.begin() as connection:
        for ddl in FUNCTIONS:
            connection.execute(sa.text(ddl))
    gql = GraphQLEngine(pg_rows, computed_metadata())
    try:
        yield gql
    finally:
        gql.close()
        with pg_rows.begin() as connection:  # the PostgreSQL store is shared by the whole session
            connection.execute(sa.text("DROP FUNCTION qa_ai_title_length(qa_ai)"))
            connection.execute(sa.text("DROP FUNCTION qa_ai_title_has(qa_ai, text)"))
            connection.execute(sa.text("DROP FUNCTION domain_articles_except(domain, json)"))


def test_sqlite_refuses_computed_fields(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "store.db"
    shutil.copy(sqlite_template, path)
    engine = open_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(MetadataError, match="computed fields need PostgreSQL"):
            GraphQLEngine(engine, computed_metadata())
    finally:
        engine.dispose()


def data(gql: GraphQLEngine, query: str, **kw: Any) -> Any:
    result = gql.execute(query, kw.pop("variables", None), **kw)
    assert "errors" not in result, result
    return result["data"]


def test_scalar_computed_field_in_select_where_and_order_by(computed: GraphQLEngine) -> None:
    query = """{ qa_ai(where: {title_length: {_lt: 11}}, order_by: [{title_length: desc}, {id: asc}]) {
                   id title_length } }"""
    assert data(computed, query)["qa_ai"] == [
        {"id": 1, "title_length": 9},
        {"id": 4, "title_length": 9},
    ]
    # In a permission filter: the reader sees articles with titles longer than 9 characters.
    rows = data(computed, "{ qa_ai(order_by: {id: asc}) { id } }", role="reader")["qa_ai"]
    assert [r["id"] for r in rows] == [2, 3, 5, 6]


def test_set_returning_computed_field_with_session_argument(computed: GraphQLEngine) -> None:
    query = "{ domain_by_pk(id: 1) { others(order_by: {id: desc}, limit: 2) { id } } }"
    assert data(computed, query, role="reader", session={"x-hasura-skip": "6"}) == {
        "domain_by_pk": {"others": [{"id": 2}]}  # the reader's qa_ai filter applies: 1 is too short
    }
    assert data(computed, query) == {"domain_by_pk": {"others": [{"id": 6}, {"id": 2}]}}
    where = "{ domain(where: {others: {id: {_eq: 4}}}) { id } }"
    assert data(computed, where) == {"domain": [{"id": 2}]}
    ordered = "{ domain(order_by: [{others_aggregate: {count: desc}}, {id: asc}]) { id } }"
    assert data(computed, ordered) == {"domain": [{"id": 1}, {"id": 2}, {"id": 3}]}


def test_computed_field_with_arguments(computed: GraphQLEngine) -> None:
    query = """query($n: String) { qa_ai(where: {id: {_lte: 3}}, order_by: {id: asc}) {
                 id apple: title_has(args: {needle: $n}) default: title_has } }"""
    assert data(computed, query, variables={"n": "pple"})["qa_ai"] == [
        {"id": 1, "apple": True, "default": True},
        {"id": 2, "apple": False, "default": True},
        {"id": 3, "apple": False, "default": True},
    ]


def test_a_computed_field_with_arguments_is_not_offered_to_filters_or_ordering(
    computed: GraphQLEngine,
) -> None:
    """Hasura's documented limit: GraphQL input fields take no arguments, so ``title_has(needle)`` is a field
    to select, not one to filter or order by; ``title_length`` (the row alone) is offered to both."""
    query = """{ where: __type(name: "qa_ai_bool_exp") { inputFields { name } }
                 order: __type(name: "qa_ai_order_by") { inputFields { name } } }"""
    answer = data(computed, query)
    for kind in ("where", "order"):
        names = {field["name"] for field in answer[kind]["inputFields"]}
        assert "title_length" in names and "title_has" not in names
