"""The server floor: the smallest ASGI app, under the same uvicorn, answering fixed bytes from memory.

The bytes (a copy of the measured page) come from the file named by ``BENCH_FIXED_BYTES_FILE``; the headers
are a content type and the length, or the ``name: value`` lines of ``BENCH_FIXED_HEADERS_FILE`` and the length.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BODY = Path(os.environ.get("BENCH_FIXED_BYTES_FILE", "/dev/null")).read_bytes()
CONTENT_TYPE = os.environ.get("BENCH_FIXED_CONTENT_TYPE", "text/html; charset=utf-8").encode()
_HEADERS_FILE = os.environ.get("BENCH_FIXED_HEADERS_FILE")
_GIVEN = (
    [
        (name.strip().lower().encode("latin-1"), value.strip().encode("latin-1"))
        for name, _, value in (
            line.partition(":") for line in Path(_HEADERS_FILE).read_text("latin-1").splitlines()
        )
        if name.strip()
    ]
    if _HEADERS_FILE
    else [(b"content-type", CONTENT_TYPE)]
)
HEADERS = [*_GIVEN, (b"content-length", str(len(BODY)).encode())]

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


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
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
