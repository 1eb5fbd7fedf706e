"""Two real ``qapress serve`` processes sharing the real Redis hold one client to one rate limit between them:
the anonymous limit counted once, whichever server a request reaches."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from tests.engine.test_serve_limits import free_port
from tests.site.live import demo_store

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6


def start(port: int, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "qapress", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def wait_ready(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


@pytest.fixture
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[list[str]]:
    url = f"sqlite:///{tmp_path / 'qapress.db'}"
    demo_store(url).dispose()
    prefix = f"qapress-test:{uuid.uuid4().hex}:"
    ports = [free_port(), free_port()]
    processes = []
    for index, port in enumerate(ports):
        env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
        env.update(
            QAPRESS_DATABASE_URL=url,
            QAPRESS_DATA_DIR=str(tmp_path / f"data{index}"),
            QAPRESS_LINKS_WORKER_IN_SERVE="0",
            QAPRESS_REDIS_URL=redis_url,
            QAPRESS_RATE_LIMIT_REDIS_PREFIX=prefix,
            QAPRESS_RATE_LIMIT_ANONYMOUS=str(LIMIT),
        )
        processes.append(start(port, env))
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_ready(process, port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
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
