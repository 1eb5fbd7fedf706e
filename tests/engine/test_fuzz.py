"""Fuzzing the real HTTP app: queries and mutations generated from the live schema (hypothesis-graphql, from
introspection as anonymous and as admin), schema-violating ones, random bodies and random headers, posted to
the whole site app on a real server. Whatever arrives, the answer is a GraphQL response: JSON with ``data``
or ``errors`` (a list of them for a batch), never a 500.

Bounded for CI (a few dozen examples per property); ``QAPRESS_FUZZ_EXAMPLES=5000`` runs longer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis_graphql
import orjson
import pytest
from graphql import (
    GraphQLScalarType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    specified_scalar_types,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy.engine import Engine
from tests.site.live import LiveSite, serve_site

SECRET = "fuzz-secret"
EXAMPLES = int(os.environ.get("QAPRESS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # the CI run is the same every time; a long run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
#: What a custom scalar (timestamptz, jsonb, numeric ...) may be sent as: the usual and the odd.
SCALAR_VALUES = st.one_of(
    st.text(max_size=20).map(nodes.String),
    st.integers(-(2**40), 2**40).map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    st.sampled_from(["2026-01-01", "2026-01-01T10:00:00Z", "{}", "[1]", "published", "NaN"]).map(
        nodes.String
    ),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40).map(str.strip)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def site(demo: Engine) -> Iterator[LiveSite]:
    with serve_site(demo, admin_secret=SECRET) as live:
        yield live


@pytest.fixture
def client(site: LiveSite) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{site.port}", timeout=30) as client:
        yield client


def post(client: httpx.Client, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(
        "/v1/graphql", content=body, headers={"content-type": "application/json", **(headers or {})}
    )


def assert_graphql_response(response: httpx.Response) -> None:
    assert response.status_code != 500, response.text[:500]
    # 415: a random Content-Type that is not JSON; 429: a long run (QAPRESS_FUZZ_EXAMPLES) passes the anonymous
    # rate limit, answered in Hasura's shape too.
    assert response.status_code in (200, 400, 401, 413, 415, 429), response.status_code
    payload = response.json()
    answers = payload if isinstance(payload, list) else [payload]
    for answer in answers:
        assert isinstance(answer, dict) and ("data" in answer or "errors" in answer), answer
        for error in answer.get("errors") or []:
            assert isinstance(error["message"], str) and "Traceback" not in error["message"]
            assert isinstance(error["extensions"]["code"], str)


def live_schema(client: httpx.Client, headers: dict[str, str]) -> GraphQLSchema:
    introspection = client.post(
        "/v1/graphql", json={"query": get_introspection_query()}, headers=headers
    ).json()
    return build_client_schema(introspection["data"])


def custom_scalars(schema: GraphQLSchema) -> dict[str, Any]:
    return {
        name: SCALAR_VALUES
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLScalarType) and name not in specified_scalar_types
    }


def graphql_body(query: Any) -> bytes:
    return orjson.dumps({"query": query})


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_generated_operations_from_the_live_schema(client: httpx.Client, who: str) -> None:
    headers = {"x-hasura-admin-secret": SECRET} if who == "admin" else {}
    schema = live_schema(client, headers)
    scalars = custom_scalars(schema)
    operations = hypothesis_graphql.queries(schema, custom_scalars=scalars)
    if schema.mutation_type is not None:
        operations = operations | hypothesis_graphql.mutations(schema, custom_scalars=scalars)

    @FUZZ
    @given(operations)
    def run(query: Any) -> None:
        assert_graphql_response(post(client, graphql_body(query), headers))

    run()


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_generated_operations_that_break_the_schema(client: httpx.Client, who: str) -> None:
    headers = {"x-hasura-admin-secret": SECRET} if who == "admin" else {}
    schema = live_schema(client, headers)
    operations = hypothesis_graphql.from_schema(
        schema, custom_scalars=custom_scalars(schema), mode=hypothesis_graphql.Mode.NEGATIVE
    )

    @FUZZ
    @given(operations)
    def run(query: Any) -> None:
        assert_graphql_response(post(client, graphql_body(query), headers))

    run()


def test_random_bodies(client: httpx.Client) -> None:
    @FUZZ
    @given(
        st.one_of(
            st.binary(max_size=200),
            JSON_VALUES.map(lambda v: orjson.dumps(v)),
            st.lists(JSON_VALUES, min_size=1, max_size=5).map(lambda v: orjson.dumps(v)),
            st.fixed_dictionaries(
                {"query": st.text(max_size=80)},
                optional={"variables": JSON_VALUES, "operationName": JSON_VALUES},
            ).map(lambda v: orjson.dumps(v)),
        )
    )
    def run(body: bytes) -> None:
        assert_graphql_response(post(client, body))

    run()


def test_random_headers(client: httpx.Client) -> None:
    names = st.sampled_from(
        [
            "x-hasura-role",
            "x-hasura-admin-secret",
            "x-hasura-user-id",
            "x-hasura-ip-hash",
            "x-hasura-use-backend-only-permissions",
            "content-type",
            "content-length",
            "x-hasura-access-key",
        ]
    )

    @FUZZ
    @given(
        st.dictionaries(names, HEADER_TEXT, max_size=4),
        st.sampled_from(
            [
                b'{"query": "{ domain { id host } }"}',
                b'{"query": "mutation { insert_link_one(object: {article_id: 1, url: \\"https://e.x/\\"}) { id } }"}',
                b'[{"query": "{ qa_ai(limit: 1) { id } }"}, {"query": "{ __typename }"}]',
                b'{"query": "{ qa_ai_aggregate { aggregate { count } } }"}',
            ]
        ),
    )
    def run(headers: dict[str, str], body: bytes) -> None:
        if "content-length" in headers:
            headers = {**headers, "content-length": str(len(body))}  # httpx sends the body it has
        assert_graphql_response(post(client, body, headers))

    run()
