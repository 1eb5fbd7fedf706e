"""GraphQL over HTTP (the spec's draft) at ``/v1/graphql``, over a real uvicorn on 127.0.0.1: the media types,
their status codes, 415 for a body that is not JSON, and GET (JSON for clients, GraphiQL for browsers, 405
for a mutation). Hasura's 200s stay the answer for ``application/json``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine
from qapress.engine.http import graphql_routes
from qapress.engine.media import is_json_body, prefers_graphql_response, wants_html

from .served import live_client

SPEC = "application/graphql-response+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def client(small: GraphQLEngine) -> Iterator[httpx.Client]:
    # Hasura's development mode (the client names its role), so that mutations exist for the admin.
    with live_client(Starlette(routes=graphql_routes(small, open_role="admin"))) as client:
        yield client


def post(client: httpx.Client, body: object, accept: str | None = None, **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers}
    if accept is not None:
        sent["Accept"] = accept
    return client.post("/v1/graphql", content=json.dumps(body).encode(), headers=sent)


@pytest.mark.parametrize(
    ("accept", "spec"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        (SPEC, True),
        (f"{SPEC}, application/json;q=0.9", True),  # what the spec tells clients to send
        (f"application/json, {SPEC};q=0.5", False),
        (f"{SPEC};q=0", False),
        (f"text/html, {SPEC}", True),
    ],
)
def test_the_response_media_type_follows_accept(accept: str | None, spec: bool) -> None:
    assert prefers_graphql_response(accept) is spec


def test_request_media_types() -> None:
    assert is_json_body("application/json")
    assert is_json_body("Application/JSON; charset=UTF-8")
    assert not is_json_body(None)
    assert not is_json_body("text/plain")
    assert not is_json_body("application/x-www-form-urlencoded")
    assert not is_json_body("application/json; charset=latin-1")
    assert wants_html(BROWSER) and not wants_html("*/*") and not wants_html(None)
    assert not wants_html("application/json, text/html;q=0.5")


def test_graphql_response_json_answers_request_errors_with_400_and_no_data(client: httpx.Client) -> None:
    ok = post(client, {"query": "{ qa_ai_by_pk(id: 1) { id } }"}, SPEC)
    assert ok.status_code == 200
    assert ok.headers["content-type"] == f"{SPEC}; charset=utf-8"
    assert ok.json() == {"data": {"qa_ai_by_pk": {"id": 1}}}
    for body in (
        {"query": "{"},  # parse error
        {"query": "{ nope }"},  # validation error
        {"query": "query($id: Int!) { qa_ai_by_pk(id: $id) { id } }", "variables": {"id": None}},  # coercion
        {"query": 5},  # not a request
    ):
        answer = post(client, body, SPEC)
        assert answer.status_code == 400, body
        assert answer.headers["content-type"].startswith(SPEC)
        assert "data" not in answer.json() and answer.json()["errors"]


def test_application_json_keeps_hasuras_200s(client: httpx.Client) -> None:
    for body in ({"query": "{"}, {"query": "{ nope }"}):
        answer = post(client, body, "application/json")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        assert answer.json()["errors"][0]["extensions"]["code"] in ("validation-failed", "parse-failed")
    # A body that is no GraphQL request is a request error, under either type.
    for body in ({"notquery": "{ __typename }"}, {"query": "{ __typename }", "variables": "x"}):
        assert post(client, body).status_code == 400


def test_a_post_that_is_not_json_is_415(client: httpx.Client) -> None:
    body = b'{"query": "{ __typename }"}'
    for headers in (
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ):
        answer = client.post("/v1/graphql", content=body, headers=headers)
        assert answer.status_code == 415
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "bad-request"
        assert "Content-Type: application/json" in error["message"]


def test_get_runs_a_query_for_clients_and_shows_graphiql_to_browsers(client: httpx.Client) -> None:
    params = {
        "query": "query One($id: Int!) { qa_ai_by_pk(id: $id) { id } } query Two { __typename }",
        "variables": json.dumps({"id": 2}),
        "operationName": "One",
    }
    for accept in ("application/json", "*/*", SPEC):
        answer = client.get("/v1/graphql", params=params, headers={"Accept": accept})
        assert answer.status_code == 200
        assert answer.json() == {"data": {"qa_ai_by_pk": {"id": 2}}}
    page = client.get("/v1/graphql", params=params, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()
    bad = client.get("/v1/graphql", params={"query": "{ __typename }", "variables": "{nope"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"] == {"path": "$.variables", "code": "invalid-json"}
    missing = client.get("/v1/graphql", headers={"Accept": "application/json"})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["message"] == 'key "query" not found'


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_a_mutation_over_get_is_405_with_allow(client: httpx.Client, role: str) -> None:
    mutation = "mutation { delete_link(where: {id: {_eq: 1}}) { affected_rows } }"
    for accept in ("application/json", SPEC):
        answer = client.get(
            "/v1/graphql", params={"query": mutation}, headers={"Accept": accept, "X-Hasura-Role": role}
        )
        assert answer.status_code == 405
        assert answer.headers["allow"] == "POST"
        assert answer.json()["errors"][0]["extensions"]["code"] == "method-not-allowed"
    # Nothing was deleted: the same mutation by POST still finds its row.
    deleted = post(client, {"query": mutation})
    assert deleted.json() == {"data": {"delete_link": {"affected_rows": 1}}}
    # A document with a query and a mutation: GET may run the query.
    both = "query Q { qa_ai_by_pk(id: 1) { id } } mutation M { delete_link(where: {}) { affected_rows } }"
    read = client.get("/v1/graphql", params={"query": both, "operationName": "Q"})
    assert read.json() == {"data": {"qa_ai_by_pk": {"id": 1}}}
    assert client.get("/v1/graphql", params={"query": both, "operationName": "M"}).status_code == 405
