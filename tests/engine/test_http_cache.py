"""The caching headers of ``GET /v1/graphql``, over a real uvicorn: anonymous answers to queries are public
with an ETag (and 304 for If-None-Match); an admin's answer, one that reads the caller's session, an error
and anything by POST are never public. The cache-tags hook's tags go out as Surrogate-Key and Cache-Tag."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tests.generate.servers import serve

from qapress.engine import GraphQLEngine
from qapress.engine.http import graphql_routes
from qapress.engine.http_cache import CachePolicy, etag_matches
from qapress.engine.plan import Plan

from .served import live_client

SECRET = "s3cret"
ARTICLES = {"query": "{ qa_ai(order_by: {id: asc}) { id title } }"}


def tags(plan: Plan, _variables: Mapping[str, Any], body: bytes) -> list[str]:
    return ["qa_ai", f"bytes-{len(body)}"] if "qa_ai" in plan.sql else []


@pytest.fixture
def client(small: GraphQLEngine) -> Iterator[httpx.Client]:
    routes = graphql_routes(
        small,
        admin_secret=SECRET,
        trusted_session=lambda _client: {"x-hasura-ip-hash": "reader"},
        cache=CachePolicy(max_age=90, tags=tags),
    )
    with live_client(Starlette(routes=routes)) as client:
        yield client


def test_an_anonymous_get_is_public_with_an_etag_and_a_304(client: httpx.Client) -> None:
    first = client.get("/v1/graphql", params=ARTICLES)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=90"
    assert first.headers["vary"] == "Accept"
    assert first.headers["cache-tag"] == f"qa_ai,bytes-{len(first.content)}"
    assert first.headers["surrogate-key"] == f"qa_ai bytes-{len(first.content)}"
    tag = first.headers["etag"]
    again = client.get("/v1/graphql", params=ARTICLES, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == "public, max-age=90"
    listed = client.get("/v1/graphql", params=ARTICLES, headers={"If-None-Match": f'"other", {tag}'})
    assert listed.status_code == 304
    other = client.get("/v1/graphql", params={"query": "{ qa_ai_by_pk(id: 1) { id } }"})
    assert other.headers["etag"] != tag
    stale = client.get("/v1/graphql", params=ARTICLES, headers={"If-None-Match": other.headers["etag"]})
    assert stale.status_code == 200 and stale.json() == first.json()


def test_never_public_for_an_admin_the_session_an_error_or_a_post(client: httpx.Client) -> None:
    admin = client.get("/v1/graphql", params=ARTICLES, headers={"X-Hasura-Admin-Secret": SECRET})
    assert admin.status_code == 200
    assert admin.headers["cache-control"] == "private, no-store" and "etag" not in admin.headers
    # Anonymous readers see their own pending links: the answer depends on who asks.
    links = client.get("/v1/graphql", params={"query": "{ link { id } }"})
    assert "data" in links.json()
    assert links.headers["cache-control"] == "private, no-store" and "etag" not in links.headers
    error = client.get("/v1/graphql", params={"query": "{ nope }"})
    assert error.headers["cache-control"] == "private, no-store"
    posted = client.post("/v1/graphql", json=ARTICLES)
    assert "public" not in posted.headers.get("cache-control", "") and "etag" not in posted.headers


def test_max_age_zero_turns_public_caching_off(small: GraphQLEngine) -> None:
    with serve(Starlette(routes=graphql_routes(small, cache=CachePolicy(max_age=0)))) as base:
        answer = httpx.get(f"{base}/v1/graphql", params=ARTICLES)
    assert answer.headers["cache-control"] == "private, no-store"


def test_etag_comparison_is_weak_as_if_none_match_asks() -> None:
    assert etag_matches('W/"a"', 'W/"a"') and etag_matches('"a"', 'W/"a"') and etag_matches("*", 'W/"a"')
    assert not etag_matches('"b", W/"c"', 'W/"a"')
