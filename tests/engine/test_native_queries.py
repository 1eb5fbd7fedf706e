"""Native queries and logical models, from Hasura's documentation example (articles with excerpts)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.errors import MetadataError

ROWS = [
    (1, "Apples", "Apples are crunchy and sweet.", "2023-03-01"),
    (2, "Pears", "Pears are soft.", "2023-03-02"),
    (3, "Plums", "Plums make a very good jam in late summer.", "2023-04-01"),
]

# As the documentation writes it: the arguments are placeholders, bound as parameters.
EXCERPT_SQL = (
    "SELECT id, title, (substring(content, 1, {{max_length}}) || (CASE WHEN length(content) < {{max_length}} "
    "THEN '' else '...' END)) AS excerpt, date FROM nq_article"
)


def metadata(code: Any = EXCERPT_SQL, **permission: Any) -> Metadata:
    return Metadata.from_hasura(
        {
            "tables": [],
            "logical_models": [
                {
                    "name": "article_excerpt",
                    "fields": [
                        {"name": "id", "type": {"scalar": "integer", "nullable": False}},
                        {"name": "title", "type": {"scalar": "text", "nullable": False}},
                        {"name": "excerpt", "type": {"scalar": "text", "nullable": False}},
                        {"name": "date", "type": {"scalar": "date", "nullable": True}},
                    ],
                    "select_permissions": [
                        {
                            "role": "reader",
                            "permission": permission
                            or {"columns": ["id", "excerpt"], "filter": {"date": {"_gte": "2023-03-02"}}},
                        }
                    ],
                }
            ],
            "native_queries": [
                {
                    "root_field_name": "article_with_excerpt",
                    "arguments": {"max_length": {"type": "integer", "nullable": False}},
                    "code": code,
                    "returns": "article_excerpt",
                }
            ],
        }
    )


@pytest.fixture
def articles(engine: Engine) -> Iterator[Engine]:
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE nq_article (id integer PRIMARY KEY, title text NOT NULL, content text, date date)"
            )
        )
        for row in ROWS:
            connection.execute(
                sa.text("INSERT INTO nq_article VALUES (:id, :title, :content, :date)"),
                dict(zip(("id", "title", "content", "date"), row, strict=True)),
            )
    try:
        yield engine
    finally:
        with engine.begin() as connection:  # the PostgreSQL store is shared by the session
            connection.execute(sa.text("DROP TABLE nq_article"))


@pytest.fixture
def gql(articles: Engine) -> Iterator[GraphQLEngine]:
    engine = GraphQLEngine(articles, metadata())
    yield engine
    engine.close()


def data(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    result = gql.execute(query, variables, **kw)
    assert "errors" not in result, result
    return result["data"]


def test_arguments_become_the_code_values(gql: GraphQLEngine) -> None:
    query = "{ article_with_excerpt(args: {max_length: 6}, order_by: {id: asc}) { id title excerpt date } }"
    assert data(gql, query) == {
        "article_with_excerpt": [
            {"id": 1, "title": "Apples", "excerpt": "Apples...", "date": "2023-03-01"},
            {"id": 2, "title": "Pears", "excerpt": "Pears ...", "date": "2023-03-02"},
            {"id": 3, "title": "Plums", "excerpt": "Plums ...", "date": "2023-04-01"},
        ]
    }


def test_where_order_limit_and_offset_apply_to_the_rows(gql: GraphQLEngine) -> None:
    query = """query($n: Int!) { article_with_excerpt(args: {max_length: $n}, where: {title: {_like: "P%"}},
               order_by: {id: desc}, limit: 1, offset: 1) { id excerpt } }"""
    assert data(gql, query, {"n": 100}) == {"article_with_excerpt": [{"id": 2, "excerpt": "Pears are soft."}]}


def test_an_argument_is_a_value_never_sql(gql: GraphQLEngine) -> None:
    query = "query($n: Int!) { article_with_excerpt(args: {max_length: $n}) { id } }"
    result = gql.execute(query, {"n": "1); DROP TABLE nq_article; --"})
    assert "errors" in result
    assert len(data(gql, query, {"n": 3})["article_with_excerpt"]) == 3  # the table is still there


def test_the_argument_is_required(gql: GraphQLEngine) -> None:
    result = gql.execute("{ article_with_excerpt { id } }")
    assert "errors" in result and "args" in result["errors"][0]["message"]


def test_permissions_on_the_logical_model(gql: GraphQLEngine) -> None:
    query = "{ article_with_excerpt(args: {max_length: 5}, order_by: {id: asc}) { id excerpt } }"
    rows = data(gql, query, role="reader")["article_with_excerpt"]
    assert [r["id"] for r in rows] == [2, 3]  # the role's filter
    hidden = gql.execute("{ article_with_excerpt(args: {max_length: 5}) { title } }", role="reader")
    assert "errors" in hidden  # a column outside the role's permission
    assert "errors" in gql.execute(query, role="stranger")  # no permission: no field


def test_the_logical_model_is_a_type_without_root_fields(gql: GraphQLEngine) -> None:
    schema = data(
        gql, '{ __schema { queryType { fields { name } } } __type(name: "article_excerpt") { name } }'
    )
    names = {f["name"] for f in schema["__schema"]["queryType"]["fields"]}
    assert "article_with_excerpt" in names and "article_excerpt" not in names
    assert schema["__type"] == {"name": "article_excerpt"}


def test_code_per_dialect(articles: Engine) -> None:
    code = {
        "sqlite": "SELECT id, title, 'sqlite' AS excerpt, date FROM nq_article WHERE id <= {{max_length}}",
        "postgresql": "SELECT id, title, 'postgresql' AS excerpt, date FROM nq_article WHERE id <= {{max_length}}",
    }
    gql = GraphQLEngine(articles, metadata(code))
    try:
        rows = data(gql, "{ article_with_excerpt(args: {max_length: 1}) { excerpt } }")[
            "article_with_excerpt"
        ]
    finally:
        gql.close()
    assert rows == [{"excerpt": articles.dialect.name}]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "SELECT id, title, '' AS excerpt, date FROM nq_article WHERE id = {{nope}}",
            "not one of its arguments",
        ),
        ({"oracle": "SELECT 1"}, "no code for"),
    ],
)
def test_metadata_errors_name_the_native_query(articles: Engine, code: Any, message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        GraphQLEngine(articles, metadata(code))


def test_unknown_logical_model(articles: Engine) -> None:
    raw = {
        "tables": [],
        "native_queries": [{"root_field_name": "q", "code": "SELECT 1 AS one", "returns": "missing"}],
    }
    with pytest.raises(MetadataError, match='unknown logical model "missing"'):
        GraphQLEngine(articles, Metadata.from_hasura(raw))
