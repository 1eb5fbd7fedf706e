"""The HTTP endpoints, over a real uvicorn server on 127.0.0.1: requests, batches, roles, GraphiQL, limits,
and a fuzz test: whatever arrives, the answer is JSON in Hasura's shape, never a 500 or a traceback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine
from qapress.engine.http import graphql_routes

SECRET = "s3cret"


class LiveServer:
    def __init__(self, app: Starlette) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def client(small: GraphQLEngine) -> Iterator[httpx.Client]:
    # Hasura's development mode: no secret, the client names its role.
    with LiveServer(Starlette(routes=graphql_routes(small, open_role="admin"))) as client:
        yield client


@pytest.fixture
def secured(small: GraphQLEngine) -> Iterator[httpx.Client]:
    # As the site serves it: the server vouches for the reader's hashed address (qapress's link permission uses it).
    routes = graphql_routes(
        small,
        admin_secret=SECRET,
        max_body_bytes=2000,
        trusted_session=lambda _client: {"x-hasura-ip-hash": "reader"},
    )
    app = Starlette(routes=routes)
    with LiveServer(app) as client:
        yield client


def test_single_and_batched_requests(client: httpx.Client) -> None:
    single = client.post("/v1/graphql", json={"query": "{ qa_ai_by_pk(id: 1) { id } }"})
    assert single.status_code == 200
    assert single.json() == {"data": {"qa_ai_by_pk": {"id": 1}}}
    batch = client.post(
        "/v1/graphql",
        json=[
            {"query": "query($id: Int!) { qa_ai_by_pk(id: $id) { id } }", "variables": {"id": 2}},
            {"query": "{ nope }"},
        ],
    )
    answers = batch.json()
    assert answers[0] == {"data": {"qa_ai_by_pk": {"id": 2}}}
    assert answers[1]["errors"][0]["extensions"]["code"] == "validation-failed"


def test_role_and_session_from_headers_without_secret(client: httpx.Client) -> None:
    query = {"query": "{ link { id ip_hash } }"}
    assert "data" in client.post("/v1/graphql", json=query).json()
    anonymous = client.post("/v1/graphql", json=query, headers={"X-Hasura-Role": "anonymous"}).json()
    assert anonymous["errors"][0]["message"] == "field \"ip_hash\" not found in type: 'link'"


def test_admin_secret_decides_who_may_pick_a_role(secured: httpx.Client) -> None:
    query = {"query": "{ link(order_by: {id: asc}) { id } }"}
    # No secret: anonymous, whatever role the client claims.
    claimed = secured.post("/v1/graphql", json=query, headers={"X-Hasura-Role": "admin"}).json()
    assert [r["id"] for r in claimed["data"]["link"]] == [1, 3, 4, 5]
    wrong = secured.post("/v1/graphql", json=query, headers={"X-Hasura-Admin-Secret": "guess"})
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["extensions"]["code"] == "access-denied"
    admin = secured.post("/v1/graphql", json=query, headers={"X-Hasura-Admin-Secret": SECRET}).json()
    assert [r["id"] for r in admin["data"]["link"]] == [1, 2, 3, 4, 5]


def test_body_size_limit(secured: httpx.Client) -> None:
    big = {"query": "{ qa_ai { id } }" + " " * 3000}
    response = secured.post("/v1/graphql", json=big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "bad-request"


def test_v1alpha1_answers_errors_with_400(client: httpx.Client) -> None:
    assert client.post("/v1alpha1/graphql", json={"query": "{ nope }"}).status_code == 400
    assert client.post("/v1alpha1/graphql", json={"query": "{ qa_ai { id } }"}).status_code == 200


def test_graphiql_page_is_served_from_the_package(client: httpx.Client) -> None:
    page = client.get("/v1/graphql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the init code is a file
    for asset in ("graphiql-init.js", "graphiql.min.js", "react.production.min.js", "graphiql.min.css"):
        assert f"/v1/graphql/assets/{asset}" in page.text
        assert client.get(f"/v1/graphql/assets/{asset}").status_code == 200


def test_invalid_json_and_odd_bodies(client: httpx.Client) -> None:
    bad = client.post("/v1/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "invalid-json"
    for body in ([], 3, "x", {"query": 5}, {"query": "{ qa_ai { id } }", "variables": [1]}):
        response = client.post("/v1/graphql", json=body)
        assert response.status_code in (200, 400)
        assert "errors" in json.dumps(response.json())


SEED = "query Q($id: Int!) { a: qa_ai(where: {id: {_eq: $id}}, limit: 1) { id title site { name } } }"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mangled_queries(draw: st.DrawFn) -> str:
    """The seed query with a few characters deleted, replaced or inserted: mostly near-valid GraphQL."""
    text = list(SEED)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        char = draw(st.sampled_from([*"{}()[]:$!@.,\"'\\ _aZ09-", "\x00", "é", "…"]))
        if action == "delete":
            del text[position]
        elif action == "replace":
            text[position] = char
        else:
            text.insert(position, char)
    return "".join(text)


bodies = st.one_of(
    st.builds(lambda q, v: {"query": q, "variables": v}, mangled_queries(), st.none() | json_values),
    st.builds(lambda q: {"query": q}, st.text(max_size=60)),
    st.builds(lambda v: {"query": SEED, "variables": v}, json_values),
    json_values,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_fuzz_never_500_never_traceback(client: httpx.Client, body: Any) -> None:
    response = client.post(
        "/v1/graphql", content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (200, 400, 413), response.text
    assert "Traceback" not in response.text
    answer = response.json()
    answers = answer if isinstance(answer, list) else [answer]
    for item in answers:
        assert set(item) <= {"data", "errors"}
        for error in item.get("errors", []):
            assert set(error) == {"message", "extensions"}
            assert error["extensions"]["code"] in {
                "validation-failed",
                "parse-failed",
                "invalid-json",
                "bad-request",
                "not-supported",
                "not-found",
                "permission-error",
                "data-exception",
            }, error


def test_without_a_secret_callers_are_anonymous_whatever_they_claim(small: GraphQLEngine) -> None:
    with LiveServer(Starlette(routes=graphql_routes(small))) as client:
        claimed = client.post(
            "/v1/graphql",
            json={"query": "{ qa_ai_aggregate { aggregate { count } } }"},
            headers={"X-Hasura-Role": "admin"},
        )
    assert claimed.status_code == 200
    assert claimed.json()["errors"][0]["extensions"]["code"] == "validation-failed"


def test_trusted_session_variables_replace_the_clients(small: GraphQLEngine) -> None:
    seen: list[dict[str, str]] = []
    original = small.execute_bytes

    def recording(query: str, variables: Any, operation: Any, role: str, session: dict[str, str]) -> bytes:
        seen.append(dict(session))
        return original(query, variables, operation, role, session)

    small.execute_bytes = recording  # type: ignore[method-assign]
    routes = graphql_routes(
        small, admin_secret=SECRET, trusted_session=lambda _client: {"X-Hasura-Ip-Hash": "server"}
    )
    with LiveServer(Starlette(routes=routes)) as client:
        client.post(
            "/v1/graphql",
            json={"query": "{ domain { id } }"},
            headers={
                "X-Hasura-Admin-Secret": SECRET,
                "X-Hasura-Role": "anonymous",
                "X-Hasura-Ip-Hash": "client",
            },
        )
        client.post(
            "/v1/graphql", json={"query": "{ domain { id } }"}, headers={"X-Hasura-Ip-Hash": "client"}
        )
    assert [s["x-hasura-ip-hash"] for s in seen] == ["server", "server"]


def test_a_client_that_disconnects_mid_body_is_one_log_line(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A body cut short: logged as one line without a traceback, and the server goes on answering."""
    port = int(str(client.base_url).rsplit(":", 1)[1].rstrip("/"))
    caplog.set_level("INFO", logger="qapress")
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(
                b"POST /v1/graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 5000\r\n\r\n{"query": "{ domain'
            )
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len([r for r in caplog.records if "disconnected" in r.message]) < 3:
        time.sleep(0.05)
    ours = [r for r in caplog.records if r.name.startswith("qapress")]
    assert len([r for r in ours if "disconnected" in r.getMessage()]) == 3
    assert all(r.exc_info is None and r.levelname != "ERROR" for r in ours)
    assert client.post("/v1/graphql", json={"query": "{ domain(limit: 1) { id } }"}).status_code == 200
