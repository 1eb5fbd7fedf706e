"""The hot paths' tally hands prometheus-client exactly what its own ``inc``/``observe`` would have."""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from qapress.observe.metrics import LATENCY_BUCKETS, Tally

VALUES = [0.00005, 0.0001, 0.0003, 0.002, 0.002, 0.04, 0.7, 3.0, 11.0, 0.0001]


def test_the_tally_matches_direct_observations() -> None:
    direct_registry, tallied_registry = CollectorRegistry(), CollectorRegistry()
    direct = Histogram("h", "h", buckets=LATENCY_BUCKETS, registry=direct_registry)
    tallied = Histogram("h", "h", buckets=LATENCY_BUCKETS, registry=tallied_registry)
    direct_count = Counter("c", "c", registry=direct_registry)
    tallied_count = Counter("c", "c", registry=tallied_registry)
    tally = Tally(interval=3600)
    for value in VALUES:
        direct.observe(value)
        direct_count.inc()
        tally.observe(tallied, value)
        tally.inc(tallied_count)
    tally.flush()
    assert generate_latest(tallied_registry) == generate_latest(direct_registry)
    tally.flush()  # nothing new: nothing added twice
    assert generate_latest(tallied_registry) == generate_latest(direct_registry)


def test_many_threads_lose_nothing() -> None:
    registry = CollectorRegistry()
    counter = Counter("n", "n", registry=registry)
    tally = Tally(interval=0.001)  # flushing all along, while the threads count

    def count() -> None:
        for _ in range(20_000):
            tally.inc(counter)

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.flush()
    assert registry.get_sample_value("n_total") == 80_000
