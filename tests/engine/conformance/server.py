"""A real HTTP server on 127.0.0.1 for the conformance cases: uvicorn in a thread, app swapped per folder.

One server serves the whole session; each fixture folder installs its own Starlette app (the engine's
``graphql_routes`` over that folder's database) with :meth:`LiveServer.serve`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from starlette.responses import PlainTextResponse

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class LiveServer:
    """uvicorn on an ephemeral port, dispatching to whichever app was installed last."""

    def __init__(self) -> None:
        self._app: ASGIApp | None = None
        config = uvicorn.Config(
            self._dispatch, host="127.0.0.1", port=0, log_level="warning", lifespan="off", interface="asgi3"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="conformance-uvicorn", daemon=True)

    async def _dispatch(self, scope: Scope, receive: Any, send: Any) -> None:
        if self._app is None:
            await PlainTextResponse("no fixture folder is being served", status_code=503)(
                scope, receive, send
            )
            return
        await self._app(scope, receive, send)

    def serve(self, app: ASGIApp | None) -> None:
        self._app = app

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
