"""The server floor: the smallest ASGI app, under the same uvicorn, answering fixed bytes from memory.

The bytes (a copy of the measured page) come from the file named by ``BENCH_FIXED_BYTES_FILE``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BODY = Path(os.environ.get("BENCH_FIXED_BYTES_FILE", "/dev/null")).read_bytes()
CONTENT_TYPE = os.environ.get("BENCH_FIXED_CONTENT_TYPE", "text/html; charset=utf-8").encode()
HEADERS = [(b"content-type", CONTENT_TYPE), (b"content-length", str(len(BODY)).encode())]

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
