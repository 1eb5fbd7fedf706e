"""Two real ``qapress serve`` processes sharing the real Redis hold one client to one rate limit between them:
the anonymous limit counted once, whichever server a request reaches."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from tests.served import qapress_serve
from tests.site.live import demo_store

LIMIT = 6


@pytest.fixture
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[list[str]]:
    url = f"sqlite:///{tmp_path / 'qapress.db'}"
    demo_store(url).dispose()
    prefix = f"qapress-test:{uuid.uuid4().hex}:"
    settings = {
        "QAPRESS_REDIS_URL": redis_url,
        "QAPRESS_RATE_LIMIT_REDIS_PREFIX": prefix,
        "QAPRESS_RATE_LIMIT_ANONYMOUS": str(LIMIT),
    }
    try:
        with contextlib.ExitStack() as servers:
            bases = [
                servers.enter_context(
                    qapress_serve(url, tmp_path / f"host{index}", clean_env=True, **settings)
                ).base
                for index in range(2)
            ]
            yield bases
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_two_servers_share_one_clients_rate_limit_through_redis(two_servers: list[str]) -> None:
    statuses = []
    for index in range(LIMIT + 4):
        base = two_servers[index % 2]
        answer = httpx.post(f"{base}/v1/graphql", json={"query": "{ domain(limit: 1) { id } }"}, timeout=10)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert answer.json()["errors"][0]["extensions"]["code"] == "rate-limit-exceeded"
            assert int(answer.headers["retry-after"]) >= 1
    # Each server alone would have admitted LIMIT; together they admit LIMIT.
    assert statuses == [200] * LIMIT + [429] * 4
