"""Mutations on both databases: insert (with on_conflict), update, delete, returning, permissions, one
transaction per request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import sqlalchemy as sa

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.errors import PermissionDenied


def data(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    result = gql.execute(query, variables, **kw)
    assert "errors" not in result, result
    return result["data"]


def error(result: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in result, result
    first: dict[str, Any] = result["errors"][0]
    return first


def test_insert_with_returning(small: GraphQLEngine) -> None:
    query = """mutation($objects: [domain_insert_input!]!) {
      insert_domain(objects: $objects) { affected_rows returning { id host name } }
    }"""
    objects = [{"host": "n.localhost", "name": "N"}, {"host": "m.localhost", "name": "M"}]
    result = data(small, query, {"objects": objects})["insert_domain"]
    assert result["affected_rows"] == 2
    assert [(r["id"], r["host"]) for r in result["returning"]] == [(4, "n.localhost"), (5, "m.localhost")]
    one = data(small, 'mutation { insert_domain_one(object: {host: "o.localhost", name: "O"}) { id } }')
    assert one == {"insert_domain_one": {"id": 6}}


def test_on_conflict_update_and_do_nothing(small: GraphQLEngine) -> None:
    upsert = """mutation($name: String!) {
      insert_domain_one(object: {host: "a.localhost", name: $name},
                        on_conflict: {constraint: domain_host_key, update_columns: [name]}) { id name }
    }"""
    assert data(small, upsert, {"name": "Alpha 2"}) == {"insert_domain_one": {"id": 1, "name": "Alpha 2"}}
    ignore = """mutation {
      insert_domain(objects: [{host: "a.localhost", name: "X"}], on_conflict: {constraint: domain_host_key}) {
        affected_rows
      }
    }"""
    assert data(small, ignore) == {"insert_domain": {"affected_rows": 0}}
    guarded = """mutation {
      insert_domain(objects: [{host: "a.localhost", name: "Y"}],
                    on_conflict: {constraint: domain_host_key, update_columns: [name],
                                  where: {id: {_eq: 99}}}) {
        affected_rows
      }
    }"""
    assert data(small, guarded) == {"insert_domain": {"affected_rows": 0}}
    assert data(small, "{ domain_by_pk(id: 1) { name } }") == {"domain_by_pk": {"name": "Alpha 2"}}


def test_constraint_names_are_postgres_style(small: GraphQLEngine) -> None:
    result = data(small, '{ __type(name: "link_constraint") { enumValues { name } } }')
    names = {v["name"] for v in result["__type"]["enumValues"]}
    # The (article_id, url_key) uniqueness is a partial index (rejected links excluded): no conflict target.
    assert names == {"link_pkey"}


def test_failed_mutation_rolls_back_the_whole_request(small: GraphQLEngine) -> None:
    query = """mutation {
      first: insert_domain_one(object: {host: "new.localhost", name: "New"}) { id }
      second: insert_domain_one(object: {host: "a.localhost", name: "Duplicate"}) { id }
    }"""
    failure = error(small.execute(query))
    assert failure["extensions"]["code"] == "constraint-violation"
    assert "duplicate key" in failure["message"]
    assert data(small, '{ domain(where: {host: {_eq: "new.localhost"}}) { id } }') == {"domain": []}


def test_update_set_inc_and_by_pk(small: GraphQLEngine) -> None:
    query = """mutation($article: Int!) {
      update_link(where: {article_id: {_eq: $article}}, _set: {title: "seen"}, _inc: {attempts: 10}) {
        affected_rows returning { id attempts title }
      }
      one: update_link_by_pk(pk_columns: {id: 3}, _set: {status: "hidden"}) { id status }
      none: update_link_by_pk(pk_columns: {id: 99}, _set: {status: "hidden"}) { id }
    }"""
    result = data(small, query, {"article": 1})
    assert result["update_link"]["affected_rows"] == 3
    assert sorted((r["id"], r["attempts"], r["title"]) for r in result["update_link"]["returning"]) == [
        (1, 10, "seen"),
        (2, 12, "seen"),
        (5, 13, "seen"),
    ]
    assert result["one"] == {"id": 3, "status": "hidden"}
    assert result["none"] is None


def test_delete_returns_the_deleted_rows(small: GraphQLEngine) -> None:
    query = """mutation {
      delete_link(where: {status: {_eq: "pending"}}) { affected_rows returning { id url } }
      delete_link_by_pk(id: 4) { id }
    }"""
    assert data(small, query) == {
        "delete_link": {"affected_rows": 1, "returning": [{"id": 2, "url": "https://y.example/2"}]},
        "delete_link_by_pk": {"id": 4},
    }
    assert [r["id"] for r in data(small, "{ link(order_by: {id: asc}) { id } }")["link"]] == [1, 3, 5]


def url_key_hook(
    _connection: sa.Connection, values: dict[str, Any], _session: Mapping[str, str]
) -> dict[str, Any]:
    if "forbidden" in values.get("url", ""):
        raise PermissionDenied("this URL is not accepted")
    return {**values, "url_key": values["url"].split("//", 1)[-1]}


@pytest.fixture
def links(small: GraphQLEngine) -> Iterator[GraphQLEngine]:
    gql = GraphQLEngine(small.engine, qapress_metadata(), insert_hooks={"link": url_key_hook})
    yield gql
    gql.close()


INSERT_LINK = """mutation($url: String!, $consent: Boolean!) {
  insert_link(objects: [{article_id: 1, url: $url, consent: $consent}]) { affected_rows }
}"""


def test_anonymous_link_insert_with_presets_and_hook(links: GraphQLEngine) -> None:
    session = {"x-hasura-ip-hash": "feed"}
    result = data(
        links,
        INSERT_LINK,
        {"url": "https://new.example/a", "consent": True},
        role="anonymous",
        session=session,
    )
    assert result == {"insert_link": {"affected_rows": 1}}
    row = data(
        links, '{ link(where: {url: {_eq: "https://new.example/a"}}) { status ip_hash url_key consent } }'
    )
    assert row["link"] == [
        {"status": "pending", "ip_hash": "feed", "url_key": "new.example/a", "consent": True}
    ]


def test_anonymous_link_insert_refusals(links: GraphQLEngine) -> None:
    session = {"x-hasura-ip-hash": "feed"}
    no_consent = error(
        links.execute(
            INSERT_LINK, {"url": "https://n.example", "consent": False}, role="anonymous", session=session
        )
    )
    assert no_consent["extensions"]["code"] == "permission-error"
    assert no_consent["message"] == "check constraint of an insert/update permission has failed"
    hooked = error(
        links.execute(
            INSERT_LINK,
            {"url": "https://forbidden.example", "consent": True},
            role="anonymous",
            session=session,
        )
    )
    assert hooked == {
        "message": "this URL is not accepted",
        "extensions": {"path": "$", "code": "permission-error"},
    }
    missing = error(
        links.execute(INSERT_LINK, {"url": "https://n.example", "consent": True}, role="anonymous")
    )
    assert missing["message"] == 'missing session variable: "x-hasura-ip-hash"'
    preset_column = error(
        links.execute(
            'mutation { insert_link(objects: [{article_id: 1, url: "u", consent: true, status: "live"}]) '
            "{ affected_rows } }",
            role="anonymous",
            session=session,
        )
    )
    assert preset_column["extensions"]["code"] == "validation-failed"
    assert data(links, '{ link_aggregate(where: {ip_hash: {_eq: "feed"}}) { aggregate { count } } }') == {
        "link_aggregate": {"aggregate": {"count": 0}}
    }


def test_anonymous_may_not_update_or_delete(small: GraphQLEngine) -> None:
    result = error(small.execute("mutation { delete_link(where: {}) { affected_rows } }", role="anonymous"))
    assert result["message"] == "field \"delete_link\" not found in type: 'mutation_root'"
