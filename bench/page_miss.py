"""What a page-cache miss costs beyond its query, in process: the app's whole answer minus the page's query.

The real application (``create_app``) is called as ASGI with a raw scope, no socket, after dropping every
cached page; in the same interleaved rounds, the page's GraphQL query runs alone through the same
``PageQueries``. The difference of the medians is what the site adds to a miss: routing, the change check,
the threadpool hop, view models, the template, headers and (when asked) gzip.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.data import Network
from qapress.site.errors import PageQueryFailed


@dataclass
class MissCost:
    """Medians in milliseconds for one backend and one Accept-Encoding."""

    backend: str
    encoding: str
    miss_ms: float = float("nan")
    query_ms: float = float("nan")
    rounds: int = 0
    note: str = ""

    #: Median over misses of (the miss) - (the page query's own time inside that miss): paired, so the
    #: query's variance (tens of ms for the "similar" block on SQLite) does not swamp the difference.
    paired_beyond_ms: float = float("nan")
    #: The same in CPU time of the process (``time.process_time``): what the site computes beyond the query,
    #: without the waits a shared, overloaded machine adds to every thread hop.
    paired_cpu_ms: float = float("nan")

    @property
    def beyond_ms(self) -> float:
        return self.miss_ms - self.query_ms


def _scope(host: str, path: str, accept_encoding: str | None) -> dict[str, Any]:
    headers = [(b"host", host.encode()), (b"user-agent", b"bench")]
    if accept_encoding:
        headers.append((b"accept-encoding", accept_encoding.encode()))
    raw_path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, scope: dict[str, Any]) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(dict(scope), receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def measure_misses(
    network: Network, host: str, path: str, article_id: int, domain: int, *, rounds: int = 300
) -> list[MissCost]:
    """Miss and query medians for ``path`` on ``host``, without and with ``Accept-Encoding: gzip``."""
    from qapress.settings import Settings
    from qapress.site.app import create_app
    from qapress.site.invalidation import wait_until_served

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=network.url,
            data_dir=Path(tmp),
            links_worker_in_serve=False,
            purge_worker_in_serve=False,
            rate_limit_anonymous=1_000_000_000,
            # The article page's "similar" block takes seconds on an overloaded machine: not what is measured.
            statement_timeout_ms=120_000,
        )
        app = create_app(settings)
        site = app.state.site
        wait_until_served(site.changes)
        try:
            return asyncio.run(_measure(app, site, host, path, article_id, domain, rounds, network.backend))
        finally:
            site.changes.stop()
            site.gql.close()


async def _measure(
    app: Any, site: Any, host: str, path: str, article_id: int, domain: int, rounds: int, backend: str
) -> list[MissCost]:
    status, headers, _ = await _call(app, _scope(host, path, None))
    if status == 301:
        path = headers[b"location"].decode().split("://", 1)[-1].split("/", 1)[-1]
        path = "/" + path
        status, headers, _ = await _call(app, _scope(host, path, None))
    # The page queries' own times (``QueryRun.ms``) inside each miss.
    inside: list[float] = []
    inside_cpu: list[float] = []
    queries = site.queries
    run = queries.run

    def timed_run(*args: Any, **kwargs: Any) -> Any:
        cpu = time.process_time()
        answer = run(*args, **kwargs)
        inside_cpu.append(time.process_time() - cpu)
        inside.append(answer.ms)
        return answer

    queries.run = timed_run
    results = []
    for encoding in ("identity", "gzip"):
        cost = MissCost(backend, encoding)
        results.append(cost)
        if status != 200:
            cost.note = f"error: HTTP {status} for {path}"
            continue
        scope = _scope(host, path, None if encoding == "identity" else "gzip")
        misses: list[float] = []
        queries: list[float] = []
        paired: list[float] = []
        paired_cpu: list[float] = []
        for i in range(rounds + 20):
            site.cache.clear()
            inside.clear()
            inside_cpu.clear()
            cpu = time.process_time()
            started = time.perf_counter()
            answer_status, answer_headers, _ = await _call(app, scope)
            miss = time.perf_counter() - started
            miss_cpu = time.process_time() - cpu
            paired_miss = miss - sum(inside) / 1000
            paired_miss_cpu = miss_cpu - sum(inside_cpu)
            if answer_status != 200:
                cost.note = f"error: a miss answered HTTP {answer_status}"
                break
            assert (b"content-encoding" in answer_headers) == (encoding == "gzip")
            started = time.perf_counter()
            try:
                site.queries.article(article_id, domain)
            except PageQueryFailed as failed:
                cost.note = f"error: the query alone failed: {failed}"
                break
            query = time.perf_counter() - started
            if i >= 20:  # warm-up: plans compiled, templates loaded, connections open
                misses.append(miss)
                queries.append(query)
                paired.append(paired_miss)
                paired_cpu.append(paired_miss_cpu)
        if not misses:
            continue
        cost.miss_ms = statistics.median(misses) * 1000
        cost.query_ms = statistics.median(queries) * 1000
        cost.paired_beyond_ms = statistics.median(paired) * 1000
        cost.paired_cpu_ms = statistics.median(paired_cpu) * 1000
        cost.rounds = rounds
    return results
