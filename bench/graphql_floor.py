"""The GraphQL endpoint's floor: the least ASGI app that answers the seed query's POST, under the same uvicorn.

It reads the body, parses it with orjson, runs the seed's reads as one prepared statement whose JSON the
database builds (``bench.floor``'s faster shape), on the event loop, and answers the bytes with a fixed
content type: no GraphQL, no caller, no limits, no headers beyond the two. The network comes from
``BENCH_FLOOR_URL`` (``sqlite:///path`` or a PostgreSQL URL); rows are filtered as the anonymous role's.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from bench.floor import _json_sql, parameters

URL = os.environ.get("BENCH_FLOOR_URL", "")
HEADERS_TYPE = (b"content-type", b"application/json; charset=utf-8")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _runner() -> Callable[[dict[str, Any]], bytes]:
    texts: dict[tuple[str, ...], str] = {}
    if URL.startswith("sqlite"):
        connection = sqlite3.connect(URL.split("///", 1)[1], check_same_thread=False, cached_statements=256)
        connection.execute("PRAGMA query_only = ON")

        def run_sqlite(variables: dict[str, Any]) -> bytes:
            wanted = parameters(variables)
            fields = tuple(name for name, _ in wanted)
            text = texts.get(fields)
            if text is None:
                text = texts[fields] = _json_sql("sqlite", "?", True, fields)
            row = connection.execute(text, tuple(p for _, ps in wanted for p in ps)).fetchone()
            return b'{"data":' + row[0].encode() + b"}"

        return run_sqlite
    import psycopg

    dsn = URL.replace("postgresql+psycopg://", "postgresql://")
    pg = psycopg.connect(dsn, autocommit=True)
    cursor = pg.cursor()

    def run_pg(variables: dict[str, Any]) -> bytes:
        wanted = parameters(variables)
        fields = tuple(name for name, _ in wanted)
        text = texts.get(fields)
        if text is None:
            text = texts[fields] = _json_sql("postgresql", "%s", True, fields)
        cursor.execute(text, tuple(p for _, ps in wanted for p in ps), prepare=True)
        row = cursor.fetchone()
        assert row is not None
        return b'{"data":' + row[0].encode() + b"}"

    return run_pg


RUN = _runner() if URL else None


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    assert RUN is not None
    answer = RUN(orjson.loads(body)["variables"])
    headers = [HEADERS_TYPE, (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})
