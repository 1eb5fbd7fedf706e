"""``qapress worker`` delivers the purge queue (the server's purge worker off), and with no proxy configured
the queue and the invalidation log do not grow without bound."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.site.test_varnish import (
    Stack,
    is_hit,
    queued,
    retitle,
    run_stack,
    title_of,
    wait_for,
)

from qapress.store import open_engine
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import cache_invalidation, purge_queue


@pytest.fixture
def worker_stack(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Stopped after its test: its worker, still polling, would empty the queue the next test counts (the
    # two share the module's store).
    with run_stack(demo_url, tmp_path_factory.mktemp("varnish"), worker=True) as running:
        yield running


def test_qapress_worker_delivers_the_purges(worker_stack: Stack) -> None:
    path = worker_stack.page(SEED_ARTICLE_ID)
    worker_stack.get(path)
    assert is_hit(worker_stack.get(path))
    retitle(worker_stack.url, SEED_ARTICLE_ID, "Purged by qapress worker")
    wait_for(lambda: not queued(worker_stack.url))
    fresh = worker_stack.get(path)
    assert not is_hit(fresh) and title_of(fresh) == "Purged by qapress worker"


def count(url: str, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(table).where(*where)
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_with_no_proxy_the_queue_is_emptied_and_the_log_pruned(demo_url: str, tmp_path: Path) -> None:
    from tests.site.live import demo_store

    demo_store(demo_url).dispose()
    retitle(demo_url, SEED_ARTICLE_ID, "Nobody in front to purge")
    assert count(demo_url, purge_queue) > 0
    engine = open_engine(demo_url)
    try:
        with engine.begin() as connection:  # entries older than the retention (24 h by default)
            connection.execute(
                sa.update(cache_invalidation).values(
                    created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
                )
            )
    finally:
        engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_PURGE_")}
    env.update(QAPRESS_DATABASE_URL=demo_url, QAPRESS_DATA_DIR=str(tmp_path), QAPRESS_FEEDS_IN_WORKER="0")
    done = subprocess.run(
        [sys.executable, "-m", "qapress", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "no proxy or CDN is configured" in done.stderr
    assert count(demo_url, purge_queue) == 0
    # the old entries are pruned; the worker's own work since (the edited article's related list rebuilt) is kept
    a_day_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    assert count(demo_url, cache_invalidation, cache_invalidation.c.created_at < a_day_ago) == 0
    assert count(demo_url, cache_invalidation) <= 1
