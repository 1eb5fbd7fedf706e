"""Request logs: one JSON line per request with the id sent back as ``X-Request-Id`` (when asked)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from tests.site.live import serve_site

from qapress.observe.logs import JsonFormatter, configure_logging
from qapress.store.demo import load_demo


@pytest.fixture
def request_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("qapress.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_one_json_line_per_request_with_its_id(
    engine: Engine, demo_source_text: str, request_log: io.StringIO
) -> None:
    load_demo(engine, demo_source_text)
    with serve_site(engine, log_format="json") as live:
        first = live.get("/a/6646098")
        again = live.get("/a/6646098")  # the fast path, this time
        chosen = live.request("GET", "/healthz", headers={"X-Request-Id": "trace-42"})
        hostile = live.request("GET", "/healthz", headers={"X-Request-Id": "no spaces or tabs"})
    lines = [json.loads(line) for line in request_log.getvalue().splitlines()]
    assert len(lines) == 4
    for entry, response in zip(lines, (first, again, chosen, hostile), strict=True):
        assert entry["event"] == "request"
        assert entry["request_id"] == response.headers["x-request-id"]
        assert entry["status"] == response.status_code
        assert entry["method"] == "GET"
        assert entry["duration_ms"] >= 0
        assert entry["level"] == "info"
        assert entry["logger"] == "qapress.request"
    assert lines[0]["host"].startswith("screen.localhost")
    assert lines[0]["path"] == "/a/6646098"
    assert lines[0]["route"] == "/a/{id:int}"
    assert lines[1]["route"] == "page_cache"
    assert lines[2]["request_id"] == "trace-42"
    assert len(lines[3]["request_id"]) == 32 and lines[3]["request_id"].isalnum()
    assert len({entry["request_id"] for entry in lines}) == 4


def test_no_request_lines_or_ids_unless_asked(engine: Engine, request_log: io.StringIO) -> None:
    with serve_site(engine) as live:
        response = live.get("/healthz")
    assert "x-request-id" not in response.headers
    assert request_log.getvalue() == ""


def test_the_json_formatter_keeps_extra_fields_and_exceptions() -> None:
    record = logging.LogRecord("qapress.links.worker", logging.INFO, __file__, 1, "link %s", (7,), None)
    record.fields = {"event": "backlink_check", "link_id": 7, "after": "live"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "link 7"
    assert entry["event"] == "backlink_check"
    assert entry["link_id"] == 7
    assert entry["time"].endswith("+00:00")
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failing = logging.LogRecord("qapress", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failing))["exception"]


def test_configure_logging_writes_json_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "info")
    try:
        logging.getLogger("qapress.test").info("hello %s", "there", extra={"fields": {"event": "job"}})
        entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert entry == {**entry, "message": "hello there", "event": "job", "logger": "qapress.test"}
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "qapress", False):
                root.removeHandler(handler)
