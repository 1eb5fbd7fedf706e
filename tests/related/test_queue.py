"""The worker's queue: imported articles get their lists from ``qapress worker``, each computed exactly once
by racing workers; a request made while a worker holds an article keeps it queued. On both databases."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import sqlalchemy as sa
from tests.racing import race

from qapress.related.lists import queue_articles, refresh
from qapress.related.queue import RelatedWorker, queued_count
from qapress.store.articles import import_articles
from qapress.store.schema import related_queue

from .conftest import SITE, STORIES, Network

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def imported(network: Network, copies: int) -> list[int]:
    """``copies`` of every story imported as JSON Lines (``qapress import``'s function), published."""
    lines = [
        json.dumps({"domain": SITE, "title": f"{title} ({n})", "text": text})
        for n in range(copies)
        for title, text in STORIES.values()
    ]
    import_articles(network.engine, lines)
    with network.engine.connect() as connection:
        return [int(i) for i in connection.exec_driver_sql("SELECT id FROM qa_ai ORDER BY id").scalars()]


def test_racing_workers_compute_each_imported_list_exactly_once(network: Network) -> None:
    ids = imported(network, 4)
    assert queued_count(network.engine) == len(ids)  # the import queued them (its insert trigger)
    url = network.engine.url.render_as_string(hide_password=False)
    computed = race(url, 4, lambda own: (r.article_id for r in RelatedWorker(own).run_once(limit=None)))
    assert Counter(computed) == Counter(ids)
    assert queued_count(network.engine) == 0
    with network.engine.connect() as connection:
        listed = connection.exec_driver_sql("SELECT count(DISTINCT article_id) FROM article_related").scalar()
    assert listed == len(ids)  # every copy has its story's other copies at least


def test_a_request_made_while_a_worker_holds_the_article_keeps_it_queued(network: Network) -> None:
    imported(network, 1)
    worker = RelatedWorker(network.engine, clock=lambda: T0)
    row_id = worker.claim()
    assert row_id is not None
    with network.engine.begin() as connection:
        held = connection.execute(
            sa.select(related_queue.c.article_id, related_queue.c.requests).where(
                related_queue.c.id == row_id
            )
        ).one()
        queue_articles(connection, [held.article_id])  # an edit's request, while the worker computes
        refresh(connection, worker.computer, held.article_id, requests=held.requests)
    with network.engine.connect() as connection:
        still = connection.execute(
            sa.select(related_queue.c.claimed_until).where(related_queue.c.article_id == held.article_id)
        ).one()
    assert still.claimed_until is None  # queued again, for the next pass
    assert [r.article_id for r in worker.run_once() if r.article_id == held.article_id] == [held.article_id]


def test_a_claimed_article_waits_for_its_lease_to_run_out(network: Network) -> None:
    imported(network, 1)
    total = queued_count(network.engine)
    first = RelatedWorker(network.engine, clock=lambda: T0)
    held = [first.claim() for _ in range(total)]
    assert None not in held and first.claim() is None  # all held by a worker that then died
    assert RelatedWorker(network.engine, clock=lambda: T0 + dt.timedelta(minutes=1)).run_once() == []
    later = RelatedWorker(network.engine, clock=lambda: T0 + dt.timedelta(minutes=6))
    assert len(later.run_once()) == total
