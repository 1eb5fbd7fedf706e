"""Concurrent misses for one page build it once, in-process; a waiter never takes a page older than a change
it could have seen; a failed or stuck leader leaves its waiters to build for themselves.

``SingleFlight`` alone with threads, then the real site on SQLite and PostgreSQL (``fast``), with the page's
query held at a gate so that the misses really overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.site.test_fast_path import fast, seed_path
from tests.waiting import wait_for

from qapress.site.single_flight import SingleFlight
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

__all__ = ["fast"]


def test_waiters_share_the_leaders_value() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    gate = threading.Event()
    builds: list[str] = []

    def build() -> int:
        builds.append("x")
        gate.wait(5)
        return 42

    with ThreadPoolExecutor(5) as pool:
        results = [pool.submit(flights.run, "page", build) for _ in range(5)]
        wait_for(lambda: flights.waiting("page") == 4)
        gate.set()
        answers = [future.result() for future in results]
    assert builds == ["x"]
    assert sorted(answers) == [(42, False)] + [(42, True)] * 4
    assert flights.waiting("page") == 0
    assert flights.run("page", lambda: 7) == (7, False), "a later call builds anew"


def test_a_failed_leader_leaves_each_waiter_to_build() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    gate = threading.Event()

    def failing() -> str:
        gate.wait(5)
        raise RuntimeError("the database went away")

    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(flights.run, "page", failing)
        wait_for(lambda: flights.waiting("page") == 0 and not leader.done())
        waiters = [pool.submit(flights.run, "page", lambda: "built by the waiter") for _ in range(2)]
        wait_for(lambda: flights.waiting("page") == 2)
        gate.set()
        with pytest.raises(RuntimeError):
            leader.result()
        assert [future.result() for future in waiters] == [("built by the waiter", False)] * 2


def test_a_stuck_leader_does_not_hold_its_waiters_past_the_timeout() -> None:
    flights: SingleFlight[str, str] = SingleFlight(timeout=0.05)
    gate = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(flights.run, "page", lambda: gate.wait(5) and "late")
        wait_for(lambda: not leader.done() and "page" in flights._flights)
        assert flights.run("page", lambda: "mine") == ("mine", False)
        gate.set()
        assert leader.result() == ("late", False)


@contextmanager
def gated_queries(site: Any, after: bool = False) -> Iterator[tuple[threading.Event, list[str]]]:
    """The site's page queries held until the gate opens (before they run, or ``after`` they answered)."""
    gate = threading.Event()
    names: list[str] = []
    queries = site.queries
    run = queries.run

    def held(name: str, variables: dict[str, Any], role: str = "anonymous") -> Any:
        names.append(name)
        if not after:
            gate.wait(10)
        answer = run(name, variables, role)
        if after:
            gate.wait(10)
        return answer

    queries.run = held
    try:
        yield gate, names
    finally:
        gate.set()
        del queries.run


def test_concurrent_misses_for_one_page_run_its_query_once(fast: LiveSite) -> None:
    path = seed_path(fast)
    site = fast.site
    site.cache.clear()
    key = ("screen.localhost", path)
    with gated_queries(site) as (gate, names), ThreadPoolExecutor(4) as pool:
        misses = [pool.submit(fast.get, path) for _ in range(4)]
        wait_for(lambda: site.flights.waiting(key) == 3)
        gate.set()
        answers: list[httpx.Response] = [future.result() for future in misses]
    assert names == ["article"], "one query for four readers"
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.headers["etag"] for answer in answers}) == 1
    assert len({answer.content for answer in answers}) == 1
    assert fast.get(path).headers["etag"] == answers[0].headers["etag"], "and the page is cached"


def test_a_waiter_does_not_take_a_page_read_before_an_edit_it_saw(fast: LiveSite) -> None:
    path = seed_path(fast)
    site = fast.site
    site.cache.clear()
    key = ("screen.localhost", path)
    with gated_queries(site, after=True) as (gate, names), ThreadPoolExecutor(2) as pool:
        leader = pool.submit(fast.get, path)
        wait_for(lambda: names == ["article"])  # the leader read the article as it was
        generation = site.cache.generation
        with fast.engine.begin() as connection:
            connection.execute(
                qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title="Edited while it rendered")
            )
        if fast.engine.dialect.name == "postgresql":  # its watch learns of the edit from the notification
            wait_for(lambda: site.cache.generation > generation)
        waiter = pool.submit(fast.get, path)
        wait_for(lambda: site.flights.waiting(key) == 1)
        gate.set()
        before, after = leader.result(), waiter.result()
    assert HTMLParser(before.text).css_first("h1").text() != "Edited while it rendered"
    assert HTMLParser(after.text).css_first("h1").text() == "Edited while it rendered"
    assert fast.get(path).headers["etag"] == after.headers["etag"], "the current page is what got cached"
