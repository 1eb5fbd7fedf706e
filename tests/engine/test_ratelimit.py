"""The rate limit per role and client: the sliding window, in process and in the real Redis (a unique key
prefix per test), Redis down (a closed port) failing open or closed, and the answers at ``/v1/graphql``: 429
with ``Retry-After`` and Hasura's ``rate-limit-exceeded``, a batch counting each operation."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.http import graphql_routes
from qapress.engine.limits import ApiLimits
from qapress.engine.ratelimit import (
    WINDOW_S,
    InProcessRateLimiter,
    RateLimiter,
    RateLimiterUnavailable,
    RedisRateLimiter,
    decide,
)

QUERY = {"query": "{ domain(limit: 1) { id } }"}


class Clock:
    def __init__(self, now: float = 1_000 * WINDOW_S) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own in the shared Redis, its keys deleted afterwards."""
    name = f"qapress-test:{uuid.uuid4().hex}:"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


def hits(limiter: RateLimiter, key: str, limit: int, count: int, n: int = 1) -> list[bool]:
    async def run() -> list[bool]:
        return [(await limiter.hit(key, limit, n)).allowed for _ in range(count)]

    return asyncio.run(run())


# --- the window ----------------------------------------------------------------------------------------------
def test_the_window_admits_up_to_the_limit_and_says_when_to_retry() -> None:
    assert decide(0, 9, 10.0, 10, 1).allowed
    refused = decide(0, 10, 10.0, 10, 1)
    assert not refused.allowed and refused.retry_after == 50 + 6  # next window, once a tenth has slid out
    # Half of the previous minute still counts half-way through this one.
    assert decide(10, 4, 30.0, 10, 1).allowed
    assert not decide(10, 5, 30.0, 10, 1).allowed
    assert decide(10, 5, 30.0, 10, 1).retry_after == 6  # 10 * (1 - t/60) <= 4 once t >= 36
    assert decide(0, 0, 0.0, 3, 4).retry_after == WINDOW_S  # more at once than the limit: never


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_the_limit_passes_at_the_boundary_and_one_more_fails(
    backend: str, request: pytest.FixtureRequest
) -> None:
    clock = Clock()
    limiter: RateLimiter = (
        InProcessRateLimiter(clock)
        if backend == "memory"
        else RedisRateLimiter(
            request.getfixturevalue("redis_url"), request.getfixturevalue("prefix"), clock=clock
        )
    )
    assert hits(limiter, "anonymous:a", 5, 6) == [True] * 5 + [False]
    assert hits(limiter, "anonymous:b", 5, 1) == [True]  # another client has its own count
    assert hits(limiter, "anonymous:c", 5, 2, n=3) == [True, False]  # a batch of 3, then 3 more
    clock.now += WINDOW_S  # the start of the next minute: all of the last one still counts
    assert hits(limiter, "anonymous:a", 5, 1) == [False]
    clock.now += WINDOW_S / 2  # half of it has slid out
    assert hits(limiter, "anonymous:a", 5, 3) == [True, True, False]


def test_in_process_counts_forget_old_keys_when_full() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(clock, max_keys=3)
    for key in "abc":
        limiter.hit_now(key, 5)
    clock.now += 3 * WINDOW_S
    limiter.hit_now("d", 5)
    assert set(limiter._counts) == {"d"}


def test_redis_counts_are_shared_and_atomic_across_limiters(redis_url: str, prefix: str) -> None:
    """Two limiters (two hosts) on one key race 40 requests; exactly the limit of them are admitted."""
    clock = Clock()
    # A generous timeout: 40 connections opened at once on a loaded machine must not fail open.
    first, second = (
        RedisRateLimiter(redis_url, prefix, timeout_s=10, clock=clock),
        RedisRateLimiter(redis_url, prefix, timeout_s=10, clock=clock),
    )

    async def race() -> int:
        results = await asyncio.gather(*(lim.hit("user:x", 25) for _ in range(20) for lim in (first, second)))
        return sum(r.allowed for r in results)

    assert asyncio.run(race()) == 25


def test_redis_down_fails_open_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{closed_port()}/0", "qapress-test:down:")
    caplog.set_level(logging.WARNING, "qapress.engine.ratelimit")
    assert hits(limiter, "anonymous:a", 1, 5) == [True] * 5
    warnings = [r for r in caplog.records if "cannot reach Redis" in r.getMessage()]
    assert len(warnings) == 1


def test_redis_down_fails_closed_when_told() -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{closed_port()}/0", "qapress-test:down:", fail_closed=True)
    with pytest.raises(RateLimiterUnavailable):
        hits(limiter, "anonymous:a", 1, 1)


# --- at /v1/graphql ------------------------------------------------------------------------------------------
def app_for(gql: GraphQLEngine, admin_secret: str | None = "s3cret") -> TestClient:
    return TestClient(Starlette(routes=graphql_routes(gql, admin_secret=admin_secret)))


@pytest.fixture
def limited(demo: Engine, request: pytest.FixtureRequest) -> Iterator[GraphQLEngine]:
    raw: dict[str, Any] = {
        "batch_limit": {"per_role": {"anonymous": 3}},
        "rate_limit": {
            "per_role": {
                "anonymous": {"max_reqs_per_min": 4, "unique_params": "IP"},
                "user": {"max_reqs_per_min": 2, "unique_params": ["x-hasura-user-id"]},
            }
        },
    }
    limiter = getattr(request, "param", "memory")
    gql = GraphQLEngine(
        demo,
        qapress_metadata(),
        api_limits=ApiLimits.from_hasura(raw),
        rate_limiter=(
            RedisRateLimiter(request.getfixturevalue("redis_url"), request.getfixturevalue("prefix"))
            if limiter == "redis"
            else InProcessRateLimiter()
        ),
    )
    yield gql
    gql.close()


@pytest.mark.parametrize("limited", ["memory", "redis"], indirect=True)
def test_over_the_rate_a_client_gets_429_with_retry_after(limited: GraphQLEngine) -> None:
    with app_for(limited) as client:
        for _ in range(4):
            answer = client.post("/v1/graphql", json=QUERY)
            assert answer.status_code == 200 and "data" in answer.json()
        over = client.post("/v1/graphql", json=QUERY)
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 2 * WINDOW_S
        assert over.json() == {
            "errors": [
                {
                    "message": "rate limit of 4 exceeded",
                    "extensions": {"path": "$", "code": "rate-limit-exceeded"},
                }
            ]
        }
        # admin has no rate limit
        assert (
            client.post("/v1/graphql", json=QUERY, headers={"x-hasura-admin-secret": "s3cret"}).status_code
            == 200
        )


def test_a_batch_counts_each_operation_and_is_held_to_its_size(limited: GraphQLEngine) -> None:
    with app_for(limited) as client:
        too_big = client.post("/v1/graphql", json=[QUERY] * 4)
        assert too_big.status_code == 200
        error = too_big.json()["errors"][0]
        assert error["extensions"] == {"path": "$", "code": "validation-failed"}
        assert error["message"].startswith("the batch's size of 4 exceeds the batch limit of 3")
        at_limit = client.post("/v1/graphql", json=[QUERY] * 3)
        assert at_limit.status_code == 200 and all("data" in item for item in at_limit.json())
        assert client.post("/v1/graphql", json=QUERY).status_code == 200  # 4 of 4
        assert client.post("/v1/graphql", json=QUERY).status_code == 429


def test_session_variables_make_the_key(limited: GraphQLEngine) -> None:
    def as_user(client: TestClient, user: str) -> int:
        headers = {"x-hasura-admin-secret": "s3cret", "x-hasura-role": "user", "x-hasura-user-id": user}
        return client.post("/v1/graphql", json={"query": "{ __typename }"}, headers=headers).status_code

    with app_for(limited) as client:
        assert [as_user(client, "1") for _ in range(3)] == [200, 200, 429]
        assert as_user(client, "2") == 200


@pytest.mark.parametrize("fail_closed", [False, True])
def test_redis_down_at_the_endpoint(demo: Engine, fail_closed: bool) -> None:
    gql = GraphQLEngine(
        demo,
        qapress_metadata(),
        api_limits=ApiLimits.from_hasura(
            {"rate_limit": {"global": {"max_reqs_per_min": 1, "unique_params": "IP"}}}
        ),
        rate_limiter=RedisRateLimiter(f"redis://127.0.0.1:{closed_port()}/0", fail_closed=fail_closed),
    )
    try:
        with app_for(gql) as client:
            answers = [client.post("/v1/graphql", json=QUERY) for _ in range(3)]
        if not fail_closed:  # open: every request admitted, over the limit of 1 too
            assert [a.status_code for a in answers] == [200] * 3
            assert all("data" in a.json() for a in answers)
            return
        assert {a.status_code for a in answers} == {503}
        assert answers[0].headers["retry-after"] == "1"
        assert answers[0].json()["errors"][0]["extensions"] == {"path": "$", "code": "unexpected"}
    finally:
        gql.close()
