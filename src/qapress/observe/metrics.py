"""qapress's Prometheus metrics, and their exposition at ``/metrics``.

The metrics are process-wide objects incremented where things happen (one pre-labelled ``inc`` on the hot
paths). With several worker processes, ``qapress serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
folder before the workers start; each worker then writes its values there and any worker's ``/metrics``
adds them all up. Queue depths are read from the database when scraped, so they need no process to own them.
"""

from __future__ import annotations

import bisect
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
disable_created_metrics()  # type: ignore[no-untyped-call] # the *_created series only double the scrape

#: Latency buckets from 100 µs (a cached page) to 10 s (a statement timeout).
LATENCY_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    10,
)

HTTP_REQUESTS = Counter(
    "qapress_http_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "qapress_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "qapress_graphql_operations", "GraphQL operations answered, by operation name.", ["operation"]
)
GRAPHQL_SECONDS = Histogram(
    "qapress_graphql_operation_duration_seconds",
    "Time to answer a GraphQL operation, by operation name.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter("qapress_errors", "Errors answered, by code (Hasura's GraphQL codes, http_5xx).", ["code"])
PAGE_CACHE = Counter("qapress_page_cache", "Rendered-page cache lookups, by result (hit, miss).", ["result"])
PAGE_CACHE_HIT = PAGE_CACHE.labels("hit")
PAGE_CACHE_MISS = PAGE_CACHE.labels("miss")
PLAN_CACHE = Counter("qapress_plan_cache", "GraphQL plan cache lookups, by result (hit, miss).", ["result"])
PLAN_CACHE_HIT = PLAN_CACHE.labels("hit")
PLAN_CACHE_MISS = PLAN_CACHE.labels("miss")
DATABASE_SECONDS = Histogram(
    "qapress_database_duration_seconds",
    "Time in the database for one GraphQL statement.",
    buckets=LATENCY_BUCKETS,
)
BACKLINK_CHECKS = Counter(
    "qapress_backlink_checks",
    "Backlink checks of readers' links, by outcome (the status after).",
    ["outcome"],
)

#: GraphQL operation names come from clients: at most this many distinct ones get a label of their own.
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_operations_seen: set[str] = set()
_operations_lock = threading.Lock()


def operation_label(name: object) -> str:
    """A bounded label for a client-chosen operation name: ``anonymous``, the name, or ``other``."""
    if not isinstance(name, str) or not name:
        return "anonymous"
    if name in _operations_seen:  # only names that matched are kept
        return name
    if not _OPERATION_NAME.fullmatch(name):
        return "other"
    with _operations_lock:
        if len(_operations_seen) >= MAX_OPERATION_LABELS:
            return "other"
        _operations_seen.add(name)
    return name


class QueueDepths(Collector):
    """``qapress_queue_depth{queue=...}``: each queue's length, read from the database at scrape time."""

    def __init__(self, queues: dict[str, Callable[[], int]]) -> None:
        self.queues = queues

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("qapress_queue_depth", "Work waiting in each queue.", labels=["queue"])
        for name, depth in self.queues.items():
            try:
                family.add_metric([name], float(depth()))
            except Exception:  # noqa: S112 - a database that is down must not break the scrape
                continue
        yield family


class _ThreadTally:
    """One thread's running totals (only that thread writes them) and what the flusher already handed on."""

    def __init__(self) -> None:
        self.counts: dict[Any, float] = {}
        self.histograms: dict[Any, list[Any]] = {}
        self.flushed_counts: dict[Any, float] = {}
        self.flushed_histograms: dict[Any, tuple[float, list[int]]] = {}


class Tally:
    """Increments and observations summed per thread in plain dicts, added to the metrics once a second.

    prometheus-client's own ``inc`` and ``observe`` take locks (and write a file with several workers):
    microseconds, where the page-cache fast path answers in tens of them. The hot paths add to their
    thread's running totals here instead (no lock: only the owner writes them, and they only grow); a
    daemon thread, and every scrape, hand over what grew since the last time.
    """

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._local = threading.local()
        self._threads: list[_ThreadTally] = []
        self._lock = threading.Lock()
        self._flusher: threading.Thread | None = None

    def _mine(self) -> _ThreadTally:
        try:
            mine: _ThreadTally = self._local.tally
        except AttributeError:
            mine = self._local.tally = _ThreadTally()
            with self._lock:
                self._threads.append(mine)
                if self._flusher is None:
                    self._flusher = threading.Thread(target=self._run, name="qapress-metrics", daemon=True)
                    self._flusher.start()
        return mine

    def inc(self, child: Any, amount: float = 1.0) -> None:
        counts = self._mine().counts
        counts[child] = counts.get(child, 0.0) + amount

    def count_and_observe(self, counters: tuple[Any, ...], histogram: Any, value: float) -> None:
        """``inc`` of each of ``counters`` and ``observe(histogram, value)`` at the price of one: what a
        request answered by a fast path records."""
        mine = self._mine()
        counts = mine.counts
        for child in counters:
            counts[child] = counts.get(child, 0.0) + 1.0
        entry = mine.histograms.get(histogram)
        if entry is None:
            entry = mine.histograms[histogram] = [0.0, [0] * len(histogram._upper_bounds)]
        entry[0] += value
        entry[1][bisect.bisect_left(histogram._upper_bounds, value)] += 1

    def observe(self, child: Any, value: float) -> None:
        """A histogram observation: into the first bucket whose upper bound is at least ``value``."""
        histograms = self._mine().histograms
        entry = histograms.get(child)
        if entry is None:
            entry = histograms[child] = [0.0, [0] * len(child._upper_bounds)]
        entry[0] += value
        entry[1][bisect.bisect_left(child._upper_bounds, value)] += 1

    def flush(self) -> None:
        with self._lock:
            threads = list(self._threads)
            for tally in threads:
                for child, total in list(tally.counts.items()):
                    delta = total - tally.flushed_counts.get(child, 0.0)
                    if delta:
                        child.inc(delta)
                        tally.flushed_counts[child] = total
                for child, entry in list(tally.histograms.items()):
                    buckets = list(entry[1])
                    total_sum = entry[0]
                    last_sum, last_buckets = tally.flushed_histograms.get(child, (0.0, [0] * len(buckets)))
                    if buckets == last_buckets:
                        continue
                    child._sum.inc(total_sum - last_sum)
                    for bucket, now, before in zip(child._buckets, buckets, last_buckets, strict=True):
                        if now != before:
                            bucket.inc(now - before)
                    tally.flushed_histograms[child] = (total_sum, buckets)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


TALLY = Tally()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text format of every metric: this process's, or all workers' in multi-process mode."""
    TALLY.flush()
    folder = multiprocess_dir()
    if folder is None:
        registry = CollectorRegistry()
        for collector in (REGISTRY, *extra):
            registry.register(collector)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def error_codes(answer: bytes) -> list[str]:
    """The ``extensions.code`` of each error of a GraphQL response (``[]`` for data)."""
    if not answer.startswith(b'{"errors"'):
        return []
    try:
        errors = orjson.loads(answer).get("errors") or []
    except orjson.JSONDecodeError:
        return ["unexpected"]
    return [str((error.get("extensions") or {}).get("code") or "unexpected")[:64] for error in errors]


#: operation label -> its counter and histogram children: ``labels()`` costs microseconds, a dict lookup
#: nanoseconds. Bounded by ``MAX_OPERATION_LABELS``.
_operation_series: dict[str, tuple[tuple[Any, ...], Any]] = {}


def observe_operation(name: object, seconds: float, answer: bytes) -> None:
    """One GraphQL operation answered: its count, its time and the codes of its errors."""
    label = operation_label(name)
    found = _operation_series.get(label)
    if found is None:
        found = _operation_series[label] = (
            (GRAPHQL_OPERATIONS.labels(label),),
            GRAPHQL_SECONDS.labels(label),
        )
    TALLY.count_and_observe(found[0], found[1], seconds)
    if answer.startswith(b'{"errors"'):
        for code in error_codes(answer):
            TALLY.inc(ERRORS.labels(code))


def count_error(code: str) -> None:
    TALLY.inc(ERRORS.labels(code[:64]))
