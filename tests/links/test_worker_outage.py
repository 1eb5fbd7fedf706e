"""A database outage under the worker is two log lines (when it starts and when it ends), not a traceback per
round; the worker carries on by itself when the database is back. Other failures keep their traceback.

PostgreSQL: a cluster of the tests' own (``own_postgres``), stopped and started again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from tests.conftest import PostgresCluster
from tests.site.live import demo_store

from qapress.links.worker import LinkWorker
from qapress.settings import Settings

WORKER_LOG = "qapress.links.worker"


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def worker_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == WORKER_LOG]


@pytest.mark.postgres
def test_an_outage_is_one_line_each_way_and_the_worker_recovers(
    own_postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    engine = demo_store(own_postgres.create_database("qapress_worker"))
    rounds: list[float] = []
    worker = LinkWorker.from_settings(engine, Settings(), passes=[lambda: rounds.append(time.monotonic())])
    worker.poll_seconds = 0.05
    caplog.set_level(logging.INFO)
    worker.start()
    try:
        wait_for(lambda: len(rounds) >= 2)
        own_postgres.stop("immediate")
        try:
            down_at = len(rounds)
            wait_for(lambda: len(rounds) >= down_at + 10)  # ten rounds against a stopped server
        finally:
            own_postgres.start()
        wait_for(lambda: any("is back" in r.getMessage() for r in worker_records(caplog)))
    finally:
        worker.stop()
        engine.dispose()
    records = worker_records(caplog)
    assert not [r for r in records if r.exc_info], "an outage logged a traceback"
    unavailable = [r for r in records if r.getMessage().startswith("worker: the database is unavailable")]
    back = [r for r in records if "is back" in r.getMessage()]
    assert len(unavailable) == 1 and len(back) == 1, [r.getMessage() for r in records]
    assert unavailable[0].levelno == back[0].levelno == logging.WARNING


def test_a_failure_that_is_not_an_outage_keeps_its_traceback(
    engine: object, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise ValueError("a bug in a pass")

    worker = LinkWorker.from_settings(engine, Settings(), passes=[broken])  # type: ignore[arg-type]
    worker.poll_seconds = 0.05
    caplog.set_level(logging.INFO)
    worker.start()
    try:
        wait_for(lambda: any(r.exc_info for r in worker_records(caplog)))
    finally:
        worker.stop()
    (failed, *_) = [r.exc_info for r in worker_records(caplog) if r.exc_info]
    assert isinstance(failed[1], ValueError) and "a bug in a pass" in str(failed[1])
