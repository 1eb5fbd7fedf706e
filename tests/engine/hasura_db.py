"""Helpers for tests that bring their own Hasura-style tables into the ``blank`` database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata


def run_ddl(engine: Engine, statements: list[str]) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def engine_for(engine: Engine, tables: list[dict[str, Any]], **kw: Any) -> GraphQLEngine:
    return GraphQLEngine(engine, Metadata.from_hasura(tables), anonymous_row_limit=None, **kw)


def data(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    result = gql.execute(query, variables, **kw)
    assert "errors" not in result, result
    return result["data"]


def error(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    result = gql.execute(query, variables, **kw)
    assert "errors" in result, result
    return result["errors"][0]


def field_names(gql: GraphQLEngine, type_name: str, role: str = "admin") -> set[str]:
    query = '{ __type(name: "NAME") { fields { name } inputFields { name } enumValues { name } } }'
    query = query.replace("NAME", type_name)
    found = data(gql, query, role=role)["__type"]
    assert found is not None, f"no type {type_name}"
    names: set[str] = set()
    for key in ("fields", "inputFields", "enumValues"):
        names.update(item["name"] for item in found[key] or [])
    return names


def root_fields(gql: GraphQLEngine, kind: str = "queryType", role: str = "admin") -> set[str]:
    query = "{ __schema { KIND { fields { name } } } }".replace("KIND", kind)
    found = data(gql, query, role=role)["__schema"][kind]
    return {f["name"] for f in found["fields"]} if found else set()
