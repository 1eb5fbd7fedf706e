"""``/metrics`` on a real ``qapress serve --workers 2``: every worker's counts add up in one scrape."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from tests.observe.servers import clean_env, free_port, init_demo_store, running

REQUESTS = 24


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if not match:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(2))
    return total


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    data = tmp_path_factory.mktemp("metrics") / "data"
    env = clean_env(data, QAPRESS_LINKS_WORKER_IN_SERVE="false")
    init_demo_store(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(["serve", "--workers", "2", "--port", str(port)], env, port):
        folders = [path for path in data.iterdir() if path.name.startswith("metrics-")]
        assert len(folders) == 1, "serve --workers 2 keeps its metrics in one folder of the data folder"
        # New connections each time, so that both workers take some.
        for _ in range(REQUESTS):  # (the start-up probes asked /healthz)
            assert httpx.get(f"{base}/readyz").status_code == 200
        page = {"Host": "screen.localhost"}
        for _ in range(3):
            assert httpx.get(f"{base}/a/6646098/heat-2", headers=page).status_code in (200, 301)
        for _ in range(5):
            answer = httpx.post(
                f"{base}/v1/graphql",
                json={"query": "query Sites { domain { id } }", "operationName": "Sites"},
            )
            assert answer.status_code == 200
        bad = httpx.post(f"{base}/v1/graphql", json={"query": "{ nope }"})
        assert "errors" in bad.json()
        not_json = httpx.post(
            f"{base}/v1/graphql", content=b"not json", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 400
        time.sleep(2.5)  # each worker hands its tallies to the shared files once a second
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(4)]
        pids = {file.name for file in folders[0].iterdir()}
    assert not folders[0].exists(), "the metrics folder is removed when serve stops"
    return scrapes[-1], Path(str(sorted(pids)))


def test_counts_of_both_workers_add_up(two_workers: tuple[str, Path]) -> None:
    text, _ = two_workers
    assert sample(text, "qapress_http_requests_total", route="/readyz", status="200") == REQUESTS
    assert sample(text, "qapress_http_request_duration_seconds_count", route="/readyz") == REQUESTS


def test_both_workers_wrote_metrics(two_workers: tuple[str, Path]) -> None:
    _, files = two_workers
    pids = set(re.findall(r"_(\d+)\.db", str(files)))
    assert len(pids) == 2, f"expected files of two worker processes, got {files}"


def test_graphql_operations_errors_and_caches(two_workers: tuple[str, Path]) -> None:
    text, _ = two_workers
    assert sample(text, "qapress_graphql_operations_total", operation="Sites") == 5
    assert sample(text, "qapress_graphql_operation_duration_seconds_count", operation="Sites") == 5
    assert sample(text, "qapress_graphql_operations_total", operation="anonymous") == 1
    assert sample(text, "qapress_errors_total", code="validation-failed") == 1
    assert sample(text, "qapress_errors_total", code="invalid-json") == 1
    assert (
        sample(text, "qapress_plan_cache_total", result="hit")
        + sample(text, "qapress_plan_cache_total", result="miss")
        >= 5
    )
    assert sample(text, "qapress_plan_cache_total", result="miss") >= 1
    assert sample(text, "qapress_page_cache_total", result="miss") >= 1
    assert sample(text, "qapress_page_cache_total", result="hit") >= 1
    assert sample(text, "qapress_database_duration_seconds_count") >= 1
    assert "qapress_queue_depth" in text
    assert sample(text, "qapress_queue_depth", queue="links_due") == 0
    assert sample(text, "qapress_queue_depth", queue="feeds_due") == 0
    assert sample(text, "qapress_queue_depth", queue="scheduled_due") == 0
