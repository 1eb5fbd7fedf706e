"""Tracked functions (PostgreSQL): root fields returning rows of a table, with arguments and the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata, qapress_metadata

FUNCTIONS = [
    """CREATE FUNCTION search_articles(search text, lim integer DEFAULT 10) RETURNS SETOF qa_ai AS $$
         SELECT * FROM qa_ai WHERE title ILIKE '%' || search || '%' LIMIT lim $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION my_articles(hasura_session json) RETURNS SETOF qa_ai AS $$
         SELECT * FROM qa_ai WHERE domain::text = hasura_session ->> 'x-hasura-domain-id' $$ LANGUAGE sql STABLE""",
]


@pytest.fixture
def functions(pg_rows: Engine) -> Iterator[GraphQLEngine]:
    with pg_rows.begin() as connection:
        for ddl in FUNCTIONS:
            connection.execute(sa.text(ddl))
    base = qapress_metadata()
    meta = Metadata(
        base.tables,
        functions=Metadata.from_hasura(
            [],
            functions=[
                {"function": {"schema": "public", "name": "search_articles"}},
                {"function": "my_articles", "configuration": {"session_argument": "hasura_session"}},
            ],
        ).functions,
    )
    gql = GraphQLEngine(pg_rows, meta)
    try:
        yield gql
    finally:
        gql.close()
        with pg_rows.begin() as connection:  # the PostgreSQL store is shared by the whole session
            connection.execute(sa.text("DROP FUNCTION search_articles(text, integer)"))
            connection.execute(sa.text("DROP FUNCTION my_articles(json)"))


def data(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    result = gql.execute(query, variables, **kw)
    assert "errors" not in result, result
    return result["data"]


def test_function_root_field_with_arguments(functions: GraphQLEngine) -> None:
    query = "query($s: String!) { search_articles(args: {search: $s}, order_by: {id: asc}) { id } }"
    assert data(functions, query, {"s": "apple"}) == {"search_articles": [{"id": 1}, {"id": 6}]}
    limited = '{ search_articles(args: {search: "a", lim: 2}, order_by: {id: asc}) { id } }'
    assert len(data(functions, limited)["search_articles"]) == 2
    aggregate = '{ search_articles_aggregate(args: {search: "apple"}) { aggregate { count } } }'
    assert data(functions, aggregate) == {"search_articles_aggregate": {"aggregate": {"count": 2}}}


def test_function_rows_pass_through_the_role_permission(functions: GraphQLEngine) -> None:
    query = '{ search_articles(args: {search: "e"}, order_by: {id: asc}) { id } }'
    assert [r["id"] for r in data(functions, query)["search_articles"]] == [1, 2, 3, 4, 5, 6]
    anonymous = data(functions, query, role="anonymous")["search_articles"]
    assert [r["id"] for r in anonymous] == [1, 2, 4, 6]  # published only


def test_function_with_session_argument(functions: GraphQLEngine) -> None:
    query = "{ my_articles(order_by: {id: asc}) { id } }"
    assert data(functions, query, session={"x-hasura-domain-id": "2"}) == {
        "my_articles": [{"id": 3}, {"id": 4}]
    }
