"""The scheduled-publishing pass: a clock the test moves, and each due article published exactly once by
several workers racing (threads with their own connection pools, and real ``qapress worker`` processes)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.racing import race

from qapress.articles.publishing import schedule_article
from qapress.articles.scheduler import ScheduledPublisher, publish_due
from qapress.links.worker import LinkWorker
from qapress.settings import Settings
from qapress.store import begin_write
from qapress.store.schema import qa_ai

from .conftest import T0, MakeDraft, fail_grounding, status_of

DUE = T0 + dt.timedelta(hours=1)


def schedule(engine: Engine, article_id: int, at: dt.datetime) -> None:
    with begin_write(engine) as connection:
        schedule_article(connection, article_id, at, 1, now=T0)


def test_nothing_is_published_before_its_time_and_then_once(engine: Engine, draft: int) -> None:
    schedule(engine, draft, DUE)
    clock = [DUE - dt.timedelta(seconds=1)]
    publisher = ScheduledPublisher(engine, clock=lambda: clock[0])
    assert publisher.run_once() == []
    assert status_of(engine, draft) == "scheduled"
    clock[0] = DUE
    changes = publisher.run_once()
    assert [(c.article_id, c.before, c.after, c.scheduled_at, c.reason) for c in changes] == [
        (draft, "scheduled", "published", DUE, None)
    ]
    assert status_of(engine, draft) == "published"
    clock[0] = DUE + dt.timedelta(days=1)
    assert publisher.run_once() == []


def test_the_worker_runs_the_pass_with_its_clock(engine: Engine, draft: int) -> None:
    schedule(engine, draft, DUE)
    worker = LinkWorker.from_settings(engine, Settings(), clock=lambda: DUE + dt.timedelta(minutes=5))
    assert [c.article_id for c in worker.publish_scheduled()] == [draft]
    assert status_of(engine, draft) == "published"


def test_a_due_article_that_no_longer_passes_goes_back_to_draft(engine: Engine, draft: int) -> None:
    schedule(engine, draft, DUE)
    fail_grounding(engine, draft)
    [change] = publish_due(engine, DUE)
    assert change.after == "draft" and change.reason and "did not pass its grounding check" in change.reason
    assert status_of(engine, draft) == "draft"


def scheduled_articles(engine: Engine, make_draft: MakeDraft, count: int) -> list[int]:
    ids = [make_draft() for _ in range(count)]
    for number, article_id in enumerate(ids):
        schedule(engine, article_id, DUE - dt.timedelta(seconds=number))
    return ids


def test_racing_workers_publish_each_due_article_exactly_once(engine: Engine, make_draft: MakeDraft) -> None:
    ids = scheduled_articles(engine, make_draft, 12)
    workers = 4
    url = engine.url.render_as_string(hide_password=False)
    done = race(url, workers, lambda own: publish_due(own, DUE))
    assert Counter(change.article_id for change in done) == Counter(ids)
    assert all(change.after == "published" for change in done)
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(qa_ai.c.status).where(qa_ai.c.id.in_(ids))).scalars().all()
    assert set(statuses) == {"published"}


def test_racing_worker_processes_publish_each_due_article_exactly_once(
    engine: Engine, make_draft: MakeDraft
) -> None:
    ids = scheduled_articles(engine, make_draft, 8)
    env = {
        **os.environ,
        "QAPRESS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "QAPRESS_FETCH_ALLOW_NETWORKS": "[]",
    }
    command = [sys.executable, "-m", "qapress", "worker", "--once", "--now", DUE.isoformat()]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    published = [
        int(line.split("\t")[0].removeprefix("article "))
        for stdout, _ in outputs
        for line in stdout.splitlines()
        if line.startswith("article ") and "-> published" in line
    ]
    assert Counter(published) == Counter(ids)
