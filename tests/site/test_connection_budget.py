"""The connection budget: ``qapress serve --workers 3`` under 100 concurrent requests stays within
``workers x QAPRESS_DB_POOL_SIZE`` PostgreSQL connections, on a server limited to 100, and every request
succeeds (before the budget each worker opened one connection per threadpool thread plus a pool: 50-60)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import PostgresCluster
from tests.served import qapress_serve
from tests.site.live import demo_store

from qapress.store.demo import SEED_ARTICLE_ID

WORKERS = 3
POOL_SIZE = 20
CONCURRENT = 100


@pytest.fixture
def served(own_postgres: PostgresCluster, tmp_path: Path) -> Iterator[tuple[int, str]]:
    url = own_postgres.create_database("qapress_budget")
    demo_store(url).dispose()
    with qapress_serve(
        url, tmp_path, workers=WORKERS, domain="screen.localhost", QAPRESS_DB_POOL_SIZE=str(POOL_SIZE)
    ) as server:
        yield server.port, url


def connections_to(url: str) -> int:
    database = sa.engine.make_url(url).database
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": database},
        ).scalar_one()
    admin.dispose()
    return int(count)


async def load(port: int) -> list[int]:
    """Three rounds of 100 concurrent requests that each reach the database: home pages (distinct query
    strings: cache misses), article pages, GraphQL queries."""
    base = f"http://127.0.0.1:{port}"
    headers = {"Host": f"screen.localhost:{port}"}
    limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=0)
    statuses: list[int] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        for round_ in range(3):
            requests = []
            for n in range(CONCURRENT):
                kind = n % 3
                if kind == 0:
                    requests.append(client.get(f"/?page=1&r={round_}-{n}"))
                elif kind == 1:
                    requests.append(client.get(f"/a/{SEED_ARTICLE_ID}?r={round_}-{n}"))
                else:
                    query = {"query": "{ qa_ai(limit: 3) { id title } }"}
                    requests.append(client.post("/v1/graphql", json=query))
            for response in await asyncio.gather(*requests):
                ok = response.status_code in (200, 301) and "errors" not in response.text[:20]
                statuses.append(response.status_code if ok else -response.status_code)
    return statuses


@pytest.mark.postgres
def test_three_workers_under_100_concurrent_requests_stay_within_the_budget(
    served: tuple[int, str], own_postgres: PostgresCluster
) -> None:
    port, url = served
    assert own_postgres.max_connections == 100
    peak = [0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], connections_to(url))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        statuses = asyncio.run(load(port))
    finally:
        stop.set()
        watcher.join(timeout=10)
    failed = [status for status in statuses if status < 0]
    assert len(statuses) == 3 * CONCURRENT and failed == []
    # The workers' pools and their cache change listeners, plus the serving command's own check connection.
    assert 0 < peak[0] <= WORKERS * (POOL_SIZE + 1) + 1, peak[0]
