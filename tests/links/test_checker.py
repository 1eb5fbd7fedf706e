"""Backlink verification end to end: links submitted, pages served on 127.0.0.1, the worker moves statuses."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from qapress.links import errors
from qapress.links.checker import (
    BacklinkChecker,
    CheckSchedule,
    Failed,
    Found,
    Missing,
    next_transition,
)
from qapress.links.fetcher import FetchPolicy, PageFetcher
from qapress.links.moderation import reject_link
from qapress.links.submit import Accepted, submit_link
from qapress.links.worker import LinkWorker, link_worker_lifespan
from qapress.store.schema import link

from .conftest import LOOPBACK_POLICY, add_article, open_rules
from .servers import PageServer, html_page, large_page, redirect, send

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
SCHEDULE = CheckSchedule(tries=3, retry_base=dt.timedelta(minutes=1), recheck_interval=dt.timedelta(days=1))


# --- the pure decision -------------------------------------------------------------------------------------


def test_found_makes_any_link_live_and_schedules_the_recheck() -> None:
    for status in ("pending", "live", "hidden"):
        moved = next_transition(status, 2, Found("T"), NOW, SCHEDULE)
        assert (moved.status, moved.reason, moved.attempts, moved.title) == ("live", None, 0, "T")
        assert moved.next_check_at == NOW + dt.timedelta(days=1)


def test_missing_rejects_a_pending_link_and_hides_a_live_one() -> None:
    rejected = next_transition("pending", 0, Missing("no link back"), NOW, SCHEDULE)
    assert (rejected.status, rejected.reason, rejected.next_check_at) == ("rejected", "no link back", None)
    hidden = next_transition("live", 0, Missing("no link back"), NOW, SCHEDULE)
    assert (hidden.status, hidden.next_check_at) == ("hidden", NOW + dt.timedelta(days=1))


def test_final_fetch_errors_are_not_retried() -> None:
    moved = next_transition("pending", 0, Failed(errors.NotHTML("x is not an HTML page")), NOW, SCHEDULE)
    assert (moved.status, moved.reason) == ("rejected", "x is not an HTML page")


def test_network_errors_back_off_exponentially_then_give_up() -> None:
    error = Failed(errors.NetworkError("connection refused"))
    first = next_transition("pending", 0, error, NOW, SCHEDULE)
    assert (first.status, first.attempts, first.next_check_at) == (
        "pending",
        1,
        NOW + dt.timedelta(minutes=1),
    )
    assert first.reason is not None and "try 1 of 3" in first.reason
    second = next_transition("pending", 1, error, NOW, SCHEDULE)
    assert (second.attempts, second.next_check_at) == (2, NOW + dt.timedelta(minutes=2))
    third = next_transition("pending", 2, error, NOW, SCHEDULE)
    assert third.status == "rejected" and third.reason is not None and "after 3 tries" in third.reason
    live = next_transition("live", 2, error, NOW, SCHEDULE)
    assert (live.status, live.attempts) == ("hidden", 0)
    still_live = next_transition("live", 0, error, NOW, SCHEDULE)
    assert still_live.status == "live"


# --- against pages served on 127.0.0.1 ----------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def canonical(server: PageServer, article: int) -> str:
    return f"{server.base_url}/a/{article}/heat-2"


def make_worker(engine: Engine, server: PageServer, **policy: float) -> LinkWorker:
    fetcher = PageFetcher(FetchPolicy(addresses=LOOPBACK_POLICY, **policy))
    checker = BacklinkChecker(engine, fetcher, SCHEDULE, public_base_url=server.base_url)
    return LinkWorker(checker, poll_seconds=0.05)


def submit(engine: Engine, article: int, url: str) -> int:
    result = submit_link(engine, article, url, True, None, rules=open_rules())
    assert isinstance(result, Accepted), result
    return result.id


def rows(engine: Engine) -> dict[int, sa.RowMapping]:
    with engine.connect() as connection:
        return {row["id"]: row for row in connection.execute(sa.select(link)).mappings()}


def test_worker_verifies_each_kind_of_page(engine: Engine, article: int, server: PageServer) -> None:
    target = canonical(server, article)
    server.routes["/with"] = html_page("A review", f'<a href="{target}">Heat 2</a>')
    server.routes["/relative"] = html_page("Relative", f'<a href="/a/{article}/heat-2/">Heat 2</a>')
    server.routes["/base"] = lambda h: send(
        h,
        f'<html><head><title>Base</title><base href="{server.base_url}/a/"></head>'
        f'<body><a href="{article}/heat-2">x</a></body></html>',
    )
    server.routes["/hop"] = redirect("/hop2", 301)
    server.routes["/hop2"] = redirect("/with", 307)
    server.routes["/without"] = html_page("No link", '<a href="https://example.com/">elsewhere</a>')
    server.routes["/big"] = large_page(5 * 1024 * 1024, declare_length=False)
    server.routes["/pdf"] = lambda h: send(h, b"%PDF-1.4", content_type="application/pdf")
    server.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
    ids = {
        path: submit(engine, article, server.url(path)) for path in ("/with", "/relative", "/base", "/hop")
    }
    other_article = add_article(engine)
    refused_ids = {
        path: submit(engine, other_article, server.url(path))
        for path in ("/without", "/big", "/pdf", "/to-metadata")
    }

    results = make_worker(engine, server).run_once()
    assert len(results) == 8
    stored = rows(engine)
    for path, link_id in ids.items():
        assert stored[link_id]["status"] == "live", (path, stored[link_id]["reason"])
        assert stored[link_id]["reason"] is None and stored[link_id]["next_check_at"] is not None
    assert stored[ids["/with"]]["title"] == "A review"
    assert stored[ids["/base"]]["title"] == "Base"
    reasons = {path: stored[link_id]["reason"] for path, link_id in refused_ids.items()}
    assert all(stored[link_id]["status"] == "rejected" for link_id in refused_ids.values())
    assert "no link back to" in reasons["/without"] and "/a/" in reasons["/without"]
    assert "larger than 2.0 MB" in reasons["/big"]
    assert "not an HTML page" in reasons["/pdf"]
    assert "169.254.169.254" in reasons["/to-metadata"]
    assert make_worker(engine, server).run_once() == []


def test_network_errors_retry_then_reject(engine: Engine, article: int) -> None:
    with PageServer() as gone:
        url = gone.url("/page")
    link_id = submit(engine, article, url)
    checker = BacklinkChecker(engine, PageFetcher(FetchPolicy(addresses=LOOPBACK_POLICY)), SCHEDULE)
    for attempt in (1, 2):
        result = checker.check(link_id)
        assert result is not None and result.after == "pending"
        row = rows(engine)[link_id]
        assert row["attempts"] == attempt and "retrying" in row["reason"]
    result = checker.check(link_id)
    assert result is not None and result.after == "rejected"
    assert "after 3 tries" in rows(engine)[link_id]["reason"]


def test_recheck_hides_a_link_whose_backlink_is_gone_and_shows_it_again(
    engine: Engine, article: int, server: PageServer
) -> None:
    target = canonical(server, article)
    server.routes["/page"] = html_page("Page", f'<a href="{target}">x</a>')
    link_id = submit(engine, article, server.url("/page"))
    worker = make_worker(engine, server)
    worker.run_once()
    assert rows(engine)[link_id]["status"] == "live"
    assert worker.run_once() == []  # not due again until tomorrow

    def make_due() -> None:
        with engine.begin() as connection:
            connection.execute(link.update().values(next_check_at=NOW).where(link.c.id == link_id))

    server.routes["/page"] = html_page("Page", "<p>link removed</p>")
    make_due()
    worker.run_once()
    assert rows(engine)[link_id]["status"] == "hidden"
    assert "no link back" in rows(engine)[link_id]["reason"]

    server.routes["/page"] = html_page("Page, again", f'<a href="{target}">x</a>')
    make_due()
    worker.run_once()
    row = rows(engine)[link_id]
    assert (row["status"], row["reason"], row["title"]) == ("live", None, "Page, again")


def test_a_claimed_link_is_not_checked_twice(engine: Engine, article: int, server: PageServer) -> None:
    server.routes["/page"] = html_page("Page", "x")
    link_id = submit(engine, article, server.url("/page"))
    checker = make_worker(engine, server).checker
    assert checker._claim(link_id, dt.datetime.now(dt.UTC))
    assert checker.check(link_id, claim=True) is None
    assert server.requests == []


def test_worker_thread_starts_and_stops(engine: Engine, article: int, server: PageServer) -> None:
    server.routes["/page"] = html_page("Page", f'<a href="{canonical(server, article)}">x</a>')
    link_id = submit(engine, article, server.url("/page"))
    worker = make_worker(engine, server).start()
    try:
        deadline = time.monotonic() + 20
        while rows(engine)[link_id]["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert not worker.running
    assert rows(engine)[link_id]["status"] == "live"


def test_a_moderator_decision_during_the_fetch_stands(
    engine: Engine, article: int, server: PageServer
) -> None:
    link_ids: list[int] = []

    def page_while_moderator_rejects(handler: BaseHTTPRequestHandler) -> None:
        reject_link(engine, link_ids[0], "spam, decided by hand")
        html_page("Page", f'<a href="{canonical(server, article)}">x</a>')(handler)

    server.routes["/page"] = page_while_moderator_rejects
    link_ids.append(submit(engine, article, server.url("/page")))
    (result,) = make_worker(engine, server).run_once()
    assert (result.before, result.after) == ("pending", "pending")
    assert (rows(engine)[link_ids[0]]["status"], rows(engine)[link_ids[0]]["reason"]) == (
        "rejected",
        "spam, decided by hand",
    )


def test_recheck_of_a_rejected_link_respects_the_page(
    engine: Engine, article: int, server: PageServer
) -> None:
    server.routes["/page"] = html_page("Back", f'<a href="{canonical(server, article)}">x</a>')
    first = submit(engine, article, server.url("/page"))
    reject_link(engine, first, "looked like spam")
    twin = submit(engine, article, server.url("/page"))
    checker = make_worker(engine, server).checker

    result = checker.check(first)
    assert result is not None and (result.before, result.after) == ("rejected", "rejected")
    assert result.reason is not None and "already has this URL" in result.reason

    reject_link(engine, twin, "duplicate")
    result = checker.check(first)
    assert result is not None and result.after == "live"
    assert (rows(engine)[first]["status"], rows(engine)[first]["title"]) == ("live", "Back")


def test_worker_runs_in_a_starlette_lifespan(engine: Engine, article: int, server: PageServer) -> None:
    """How the site runs the worker in-process: started with the app, stopped when it shuts down."""
    server.routes["/page"] = html_page("Page", f'<a href="{canonical(server, article)}">x</a>')
    link_id = submit(engine, article, server.url("/page"))
    worker = make_worker(engine, server)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with link_worker_lifespan(worker):
            yield

    with TestClient(Starlette(lifespan=lifespan)):
        assert worker.running
        deadline = time.monotonic() + 20
        while rows(engine)[link_id]["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not worker.running
    assert rows(engine)[link_id]["status"] == "live"
