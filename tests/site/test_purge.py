"""The purge adapters against a local HTTP server standing in for each API, and the queue's retries."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.settings import Settings
from qapress.site.purge import (
    CloudflarePurger,
    FastlyPurger,
    PurgeError,
    PurgeQueue,
    VarnishPurger,
    WebhookPurger,
    purgers_from_settings,
)
from qapress.store.schema import purge_queue


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeAPI:
    """Records every request; answers ``status`` with ``body``."""

    port: int = 0
    status: int = 200
    body: bytes = b'{"success": true}'
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    state = FakeAPI()

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            state.seen.append(
                Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
            )
            self.send_response(state.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        do_POST = do_PURGE = do_BAN = answer

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


def deliver(purger: object, tags: list[str]) -> None:
    import httpx

    with httpx.Client(timeout=5) as client:
        purger.send(client, tags)  # type: ignore[attr-defined]


def test_varnish_gets_a_purge_naming_the_tags(api: FakeAPI) -> None:
    deliver(VarnishPurger(api.url), ["a1", "n7"])
    assert (api.seen[0].method, api.seen[0].path, api.seen[0].headers["xkey-purge"]) == (
        "PURGE",
        "/",
        "a1 n7",
    )


def test_fastly_is_purged_by_surrogate_key_with_its_token(api: FakeAPI) -> None:
    deliver(FastlyPurger("SVC1", "tok", api.url), ["a1", "n7"])
    request = api.seen[0]
    assert (request.method, request.path) == ("POST", "/service/SVC1/purge")
    assert request.headers["fastly-key"] == "tok"
    assert json.loads(request.body) == {"surrogate_keys": ["a1", "n7"]}


def test_cloudflare_is_purged_by_cache_tag_and_must_report_success(api: FakeAPI) -> None:
    deliver(CloudflarePurger("ZONE", "tok", api.url), ["a1"])
    request = api.seen[0]
    assert (request.method, request.path) == ("POST", "/zones/ZONE/purge_cache")
    assert request.headers["authorization"] == "Bearer tok"
    assert json.loads(request.body) == {"tags": ["a1"]}
    api.body = b'{"success": false, "errors": [{"code": 1134, "message": "no"}]}'
    with pytest.raises(PurgeError, match="cloudflare zone ZONE: did not report success"):
        deliver(CloudflarePurger("ZONE", "tok", api.url), ["a1"])


def test_a_webhook_gets_the_tags_and_a_refusal_is_an_error(api: FakeAPI) -> None:
    deliver(WebhookPurger(api.url + "/hook"), ["all"])
    assert json.loads(api.seen[0].body) == {"tags": ["all"]}
    api.status = 503
    with pytest.raises(PurgeError, match="answered 503"):
        deliver(WebhookPurger(api.url + "/hook"), ["all"])


def test_varnish_without_xkey_gets_a_ban_naming_the_tags(api: FakeAPI) -> None:
    deliver(VarnishPurger(api.url, method="ban"), ["a1", "n7"])
    assert (api.seen[0].method, api.seen[0].path, api.seen[0].headers["x-ban-tags"]) == ("BAN", "/", "a1 n7")
    assert "xkey-purge" not in api.seen[0].headers


def test_the_settings_choose_how_varnish_is_purged() -> None:
    (purger,) = purgers_from_settings(Settings(purge_varnish_urls=["http://v1"], purge_varnish_method="ban"))
    assert purger.name == "varnish http://v1 (ban)"
    with pytest.raises(ValueError):
        Settings(purge_varnish_method="softpurge")  # type: ignore[arg-type]


def test_the_settings_name_the_purgers() -> None:
    settings = Settings(
        purge_varnish_urls=["http://v1", "http://v2"],
        purge_fastly_service_id="S",
        purge_fastly_api_token="t",  # type: ignore[arg-type]
        purge_cloudflare_zone_id="Z",
        purge_cloudflare_api_token="t",  # type: ignore[arg-type]
        purge_webhook_url="http://hook",
    )
    names = [purger.name for purger in purgers_from_settings(settings)]
    assert names == [
        "varnish http://v1",
        "varnish http://v2",
        "fastly service S",
        "cloudflare zone Z",
        "webhook http://hook",
    ]


def queue_rows(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(purge_queue.c.tag, purge_queue.c.attempts).order_by(purge_queue.c.id)
        )
        return [(str(row.tag), int(row.attempts)) for row in rows]


def test_queued_purges_are_kept_with_backoff_until_the_cache_takes_them(engine: Engine, api: FakeAPI) -> None:
    with engine.begin() as connection:
        connection.execute(sa.delete(purge_queue))  # what emptying the store queued (TRUNCATE: ``all``)
        connection.execute(purge_queue.insert(), [{"tag": "a1"}, {"tag": "a1"}, {"tag": "n7"}])
    queue = PurgeQueue(engine, [WebhookPurger(api.url), VarnishPurger(api.url)], retry_max_seconds=60)
    now = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    api.status = 502
    failed = queue.run_once(now)
    assert failed.failed == 3 and "answered 502" in failed.errors[0]
    assert queue_rows(engine) == [("a1", 1), ("a1", 1), ("n7", 1)]
    assert queue.run_once(now + dt.timedelta(milliseconds=500)).rows == 0  # not due yet: 1 s backoff
    assert queue.run_once(now + dt.timedelta(seconds=1)).failed == 3
    assert queue.run_once(now + dt.timedelta(seconds=2.5)).rows == 0  # then 2 s
    api.status = 200
    api.seen.clear()
    delivered = queue.run_once(now + dt.timedelta(seconds=3))
    assert (delivered.rows, delivered.tags) == (3, 2)
    assert queue_rows(engine) == []
    assert [json.loads(seen.body) for seen in api.seen if seen.method == "POST"] == [{"tags": ["a1", "n7"]}]
    assert [seen.headers["xkey-purge"] for seen in api.seen if seen.method == "PURGE"] == ["a1 n7"]
    queue.close()


def test_without_purgers_the_queue_is_drained(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(purge_queue.insert(), [{"tag": "a1"}])
    queue = PurgeQueue(engine, [])
    assert queue.drain().rows >= 1 and queue_rows(engine) == []
    queue.close()
