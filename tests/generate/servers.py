"""Real HTTP servers for the tests: a Starlette app under uvicorn in a thread, on an ephemeral port of
127.0.0.1, plus a fake OpenAI-compatible chat endpoint that plays a script of replies.

The fake endpoint behaves like the servers qapress meets: it can refuse a ``response_format`` type the way
llama.cpp, vLLM or Ollama builds without structured output do (HTTP 400/422 naming the field), and answers
``"stream": true`` with server-sent events, one chunk of the content at a time."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route


@contextmanager
def serve(app: Starlette, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` on ``host`` (port 0) for the duration of the block; yields its base URL."""
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off", access_log=False)
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
        yield f"http://{host}:{port}"
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
    #: When streamed: the content is sent in pieces of this many characters, this long apart.
    chunk_chars: int = 40
    chunk_delay_s: float = 0.0


@dataclass
class FakeChat:
    """The script of replies (the last one repeats) and the requests received."""

    script: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    #: ``response_format`` types this server refuses, with the status it refuses them with.
    refuse_formats: dict[str, int] = field(default_factory=dict)
    #: Request parameters this server refuses, as some hosted APIs refuse ``max_tokens``.
    refuse_parameters: set[str] = field(default_factory=set)
    #: Requests refused for their format or a parameter (they do not use up the script).
    refused: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def completions(request: Request) -> Response:
            body = await request.json()
            kind = (body.get("response_format") or {}).get("type")
            if kind in self.refuse_formats:
                self.refused.append(body)
                message = f"response_format type '{kind}' is not supported by this server"
                return JSONResponse(
                    {"error": {"message": message, "type": "invalid_request_error"}},
                    status_code=self.refuse_formats[kind],
                )
            for name in self.refuse_parameters & body.keys():
                self.refused.append(body)
                message = f"Unsupported parameter: '{name}' is not supported with this model."
                if name == "max_tokens":
                    message += " Use 'max_completion_tokens' instead."
                return JSONResponse({"error": {"message": message}}, status_code=400)
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            reply = self.script[min(len(self.requests), len(self.script)) - 1]
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if reply.raw is not None:
                return PlainTextResponse(reply.raw, status_code=reply.status)
            if reply.status != 200:
                return JSONResponse({"error": {"message": "scripted failure"}}, status_code=reply.status)
            if body.get("stream"):
                return StreamingResponse(self._events(reply), media_type="text/event-stream")
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

    async def _events(self, reply: Reply) -> AsyncIterator[bytes]:
        content = reply.content or ""
        yield b": keep-alive\n\n"
        for start in range(0, len(content), reply.chunk_chars):
            if reply.chunk_delay_s:
                await asyncio.sleep(reply.chunk_delay_s)
            chunk = {
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": content[start : start + reply.chunk_chars]}}],
            }
            yield f"data: {json.dumps(chunk)}\n\n".encode()
        final = {
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        yield f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode()


def chat_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)
