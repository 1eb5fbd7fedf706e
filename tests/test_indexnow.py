"""IndexNow pings against a local endpoint, on SQLite and PostgreSQL: queued by the database on publish,
edit and withdraw, sent in one POST per site, retried after a failure, and held while the setting is off."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.indexnow import IndexNowKeyError, IndexNowPinger, indexnow_key
from qapress.settings import Settings
from qapress.store.schema import indexnow_ping


class Endpoint:
    """A local IndexNow endpoint: records each POSTed body and answers the queued statuses (then 200)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                endpoint.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(endpoint.statuses.pop(0) if endpoint.statuses else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/indexnow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.server.shutdown()


def settings(endpoint: Endpoint, tmp_path: Path, enabled: bool = True) -> Settings:
    return Settings(
        data_dir=tmp_path,
        indexnow_enabled=enabled,
        indexnow_endpoint=endpoint.url,
        public_base_url="http://{host}:8000",
    )


def queued(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(indexnow_ping).order_by(indexnow_ping.c.id)))


def execute(engine: Engine, sql: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(sql)


@pytest.fixture
def article(engine: Engine) -> Engine:
    execute(engine, "INSERT INTO domain (id, host, name) VALUES (3, 'otters.example', 'Otters')")
    execute(
        engine,
        "INSERT INTO qa_ai (id, domain, title, slug, status) VALUES (10, 3, 'Otters', 'otters', 'published')",
    )
    execute(
        engine,
        "INSERT INTO qa_ai (id, domain, title, slug, status) VALUES (11, 3, 'Draft', 'draft', 'draft')",
    )
    return engine


def test_publish_edit_and_withdraw_are_sent_and_a_failure_retried(
    article: Engine, endpoint: Endpoint, tmp_path: Path
) -> None:
    execute(article, "UPDATE qa_ai SET title = 'Otters again' WHERE id = 10")  # still unsent: one ping
    execute(article, "UPDATE qa_ai SET title = 'Still a draft' WHERE id = 11")  # drafts are no one's business
    assert [row.article_id for row in queued(article)] == [10]
    config = settings(endpoint, tmp_path)
    pinger = IndexNowPinger(article, config)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    try:
        assert pinger.run_once(now).sent == 1
        key = indexnow_key(config)
        assert endpoint.bodies == [
            {
                "host": "otters.example",
                "key": key,
                "keyLocation": "http://otters.example:8000/indexnow-key.txt",
                "urlList": ["http://otters.example:8000/a/10/otters"],
            }
        ]
        assert queued(article)[0].sent_at is not None
        execute(article, "UPDATE qa_ai SET status = 'withdrawn' WHERE id = 10")
        endpoint.statuses.append(500)
        failed = pinger.run_once(now)
        assert failed.failed == 1 and "500" in failed.errors[0]
        retry = queued(article)[1]
        assert retry.attempts == 1 and retry.sent_at is None and "500" in retry.last_error
        assert pinger.run_once(now + dt.timedelta(seconds=30)).sent == 0  # not due yet
        assert pinger.run_once(now + dt.timedelta(minutes=2)).sent == 1
        assert len(endpoint.bodies) == 3 and queued(article)[1].sent_at is not None
    finally:
        pinger.close()


def test_nothing_is_sent_while_indexnow_is_off(article: Engine, endpoint: Endpoint, tmp_path: Path) -> None:
    pinger = IndexNowPinger(article, settings(endpoint, tmp_path, enabled=False))
    try:
        assert pinger.run_once().sent == 0
    finally:
        pinger.close()
    assert endpoint.bodies == [] and queued(article)[0].sent_at is None


def test_a_ping_gives_up_after_its_attempts(article: Engine, endpoint: Endpoint, tmp_path: Path) -> None:
    config = settings(endpoint, tmp_path).model_copy(update={"indexnow_max_attempts": 2})
    pinger = IndexNowPinger(article, config)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    endpoint.statuses.extend([503, 503, 200])
    try:
        pinger.run_once(now)
        pinger.run_once(now + dt.timedelta(hours=1))
        assert pinger.run_once(now + dt.timedelta(days=1)).sent == 0
    finally:
        pinger.close()
    assert len(endpoint.bodies) == 2 and queued(article)[0].attempts == 2


def test_a_configured_key_must_be_one_indexnow_accepts(tmp_path: Path) -> None:
    assert indexnow_key(Settings(data_dir=tmp_path, indexnow_key="abcd-1234")) == "abcd-1234"
    with pytest.raises(IndexNowKeyError):
        indexnow_key(Settings(data_dir=tmp_path, indexnow_key="short"))
    generated = indexnow_key(Settings(data_dir=tmp_path))
    assert generated == indexnow_key(Settings(data_dir=tmp_path)) and len(generated) >= 8
