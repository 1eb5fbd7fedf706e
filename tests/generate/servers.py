"""Real HTTP servers for the tests: a Starlette app under uvicorn in a thread, on an ephemeral port of
127.0.0.1, plus a fake OpenAI-compatible chat endpoint that plays a script of replies."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (port 0) for the duration of the block; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Reply:
    """One scripted answer of the fake endpoint: a chat message, a raw body, a status, after a delay."""

    content: str | None = None
    raw: str | None = None
    status: int = 200
    delay_s: float = 0.0


@dataclass
class FakeChat:
    """The script of replies (the last one repeats) and the requests received."""

    script: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def completions(request: Request) -> Response:
            self.requests.append(await request.json())
            self.headers.append(dict(request.headers))
            reply = self.script[min(len(self.requests), len(self.script)) - 1]
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if reply.raw is not None:
                return PlainTextResponse(reply.raw, status_code=reply.status)
            if reply.status != 200:
                return JSONResponse({"error": {"message": "scripted failure"}}, status_code=reply.status)
            return JSONResponse(
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


def chat_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)
