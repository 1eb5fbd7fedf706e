"""Outages are answers: a database that is down or busy gets 503s with ``Retry-After`` (the link form keeping
what the reader typed) and Hasura-shaped GraphQL errors, never a 500; the server recovers by itself.

PostgreSQL: a cluster of the tests' own (``own_postgres``), stopped and started again (the shared server is
never touched). SQLite: another connection holds the write lock past the busy timeout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.conftest import PostgresCluster
from tests.site.live import LiveSite, demo_store, serve_site

from qapress.store import open_engine
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import link, qa_ai

INSERT = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"
TYPED = "https://fans.example.org/heat-2-review"


def seed_path(live: LiveSite) -> str:
    with live.engine.connect() as connection:
        slug = connection.execute(sa.select(qa_ai.c.slug).where(qa_ai.c.id == SEED_ARTICLE_ID)).scalar_one()
    return f"/a/{SEED_ARTICLE_ID}/{slug}"


def post_link(live: LiveSite, path: str, token: str, url: str = TYPED) -> httpx.Response:
    fields = {"csrf": token, "url": url, "consent": "yes", "website": ""}
    return live.request("POST", path, data=fields)


def form_token(page: httpx.Response) -> str:
    return HTMLParser(page.text).css_first("input[name=csrf]").attributes["value"] or ""


def graphql(live: LiveSite, query: str, variables: dict[str, object] | None = None) -> httpx.Response:
    return live.request("POST", "/v1/graphql", json={"query": query, "variables": variables or {}})


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"].isdigit()
    assert "Traceback" not in response.text


def assert_form_kept(response: httpx.Response, url: str = TYPED) -> HTMLParser:
    tree = HTMLParser(response.text)
    assert tree.css_first("#link-url").attributes["value"] == url
    assert "checked" in tree.css_first("#link-consent").attributes
    return tree


@pytest.fixture
def pg_live(own_postgres: PostgresCluster) -> Iterator[LiveSite]:
    engine = demo_store(own_postgres.create_database())
    with serve_site(engine) as live:
        yield live
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_stopped_answers_503_and_recovers_without_a_restart(
    own_postgres: PostgresCluster, pg_live: LiveSite
) -> None:
    path = seed_path(pg_live)
    page = pg_live.get(path)
    assert page.status_code == 200  # now in the page cache too
    token = form_token(page)
    own_postgres.stop("immediate")
    try:
        assert_unavailable(pg_live.get(path))  # a cache hit needs the revision check: the fast path too
        assert_unavailable(pg_live.get("/"))
        posted = pg_live.request("POST", path, data={"csrf": token, "url": TYPED, "consent": "yes"})
        assert_unavailable(posted)
        assert "not saved" in assert_form_kept(posted).css_first(".error").text()
        answer = graphql(pg_live, "{ qa_ai(limit: 1) { id } }")
        assert answer.status_code == 200
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "postgres-error"
        assert error["message"].startswith("connection error")
        mutation = graphql(
            pg_live, INSERT, {"o": {"article_id": SEED_ARTICLE_ID, "url": TYPED, "consent": True}}
        )
        assert mutation.json()["errors"][0]["extensions"]["code"] == "postgres-error"
        assert pg_live.get("/healthz").status_code == 200
    finally:
        own_postgres.start()
    assert pg_live.get(path).status_code == 200
    assert pg_live.get("/").status_code == 200
    assert graphql(pg_live, "{ qa_ai(limit: 1) { id } }").json()["data"]["qa_ai"]
    accepted = post_link(pg_live, path, form_token(pg_live.get(path)))
    assert accepted.status_code == 200, accepted.text[:300]
    assert not any(status == 500 for _, status in pg_live.responses)


@pytest.fixture
def sqlite_live(tmp_path: Path) -> Iterator[LiveSite]:
    url = f"sqlite:///{tmp_path / 'qapress.db'}"
    demo_store(url).dispose()
    engine = open_engine(url, sqlite_busy_timeout_ms=200)
    with serve_site(engine) as live:
        yield live
    engine.dispose()


def test_a_sqlite_write_lock_held_past_the_busy_timeout_answers_busy_try_again(sqlite_live: LiveSite) -> None:
    path = seed_path(sqlite_live)
    token = form_token(sqlite_live.get(path))
    holder = sqlite3.connect(sqlite_live.engine.url.database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        posted = post_link(sqlite_live, path, token)
        assert_unavailable(posted)
        tree = assert_form_kept(posted)
        assert "busy" in tree.css_first(".error").text()
        assert tree.css_first("h1") is not None  # the article page itself: reading still works in WAL
        answer = graphql(
            sqlite_live, INSERT, {"o": {"article_id": SEED_ARTICLE_ID, "url": TYPED, "consent": True}}
        )
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "concurrent-update"
        assert "busy" in error["message"]
        assert sqlite_live.get(path).status_code == 200
    finally:
        holder.rollback()
        holder.close()
    accepted = post_link(sqlite_live, path, token)
    assert accepted.status_code == 200
    with sqlite_live.engine.connect() as connection:
        assert connection.execute(sa.select(link.c.url)).scalars().all() == [TYPED]


def test_a_form_cut_short_by_the_client_is_one_log_line(
    sqlite_live: LiveSite, caplog: pytest.LogCaptureFixture
) -> None:
    import socket
    import time

    caplog.set_level("INFO", logger="qapress")
    path = seed_path(sqlite_live)
    with socket.create_connection(("127.0.0.1", sqlite_live.port)) as raw:
        raw.sendall(
            f"POST {path} HTTP/1.1\r\nHost: screen.localhost:{sqlite_live.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 900\r\n\r\nurl=https%3A".encode()
        )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any("disconnected" in r.getMessage() for r in caplog.records):
        time.sleep(0.05)
    ours = [r for r in caplog.records if r.name.startswith("qapress")]
    assert [r.getMessage() for r in ours if "disconnected" in r.getMessage()]
    assert all(r.exc_info is None for r in ours)
    assert sqlite_live.get(path).status_code == 200
