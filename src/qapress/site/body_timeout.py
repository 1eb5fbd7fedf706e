"""A bound on how slowly a client may send a request's body (a slow-body attack holds a worker's task and
its socket for as long as the client likes: uvicorn times out idle keep-alive connections, not bodies).

``with_body_timeout`` wraps an ASGI call: each ``http.request`` message of the body must arrive within
``seconds`` of the previous one (or of the start). When one does not, the client gets ``408 Request
Timeout`` (``Connection: close``), the application's own attempt at an answer is dropped, and the request
ends as one log line. Once the body is complete, ``receive`` is passed through untouched (Starlette waits
on it for ``http.disconnect`` while streaming a response).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qapress.http_protocol import RESPONSE_STARTS

log = logging.getLogger(__name__)

TIMEOUT_BODY = b"The request body arrived too slowly; send it again.\n"


class BodyTimedOut(Exception):
    """The client stopped sending its body: raised inside the application, caught by ``with_body_timeout``."""


async def with_body_timeout(app: ASGIApp, seconds: float, scope: Scope, receive: Receive, send: Send) -> None:
    """Run ``app`` for one HTTP request with its body bounded in time (see the module)."""
    if scope["type"] != "http" or seconds <= 0 or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        await app(scope, receive, send)
        return
    state = {"body_done": False, "started": False, "timed_out": False}

    async def timed_receive() -> Message:
        if state["body_done"]:
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), seconds)
        except TimeoutError:
            state["timed_out"] = True
            raise BodyTimedOut() from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            state["body_done"] = True
        return message

    async def guarded_send(message: Message) -> None:
        if state["timed_out"]:
            return  # the 408 is sent: whatever the application tries after it is dropped
        if message["type"] in RESPONSE_STARTS:
            state["started"] = True
        await send(message)

    try:
        await app(scope, timed_receive, guarded_send)
    except BodyTimedOut:
        pass
    except Exception:
        if not state["timed_out"]:
            raise
    if state["timed_out"]:
        await send_timed_out(scope, seconds, send, started=bool(state["started"]))


async def send_timed_out(scope: Scope, seconds: float, send: Send, started: bool = False) -> None:
    """The one log line and the ``408`` (unless an answer was started) of a body that arrived too slowly."""
    log.info(
        "%s %s: the client sent its body too slowly (over %g s a part): 408",
        scope["method"],
        scope["path"],
        seconds,
    )
    if not started:
        await send(
            {
                "type": "http.response.start",
                "status": 408,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(TIMEOUT_BODY)).encode()),
                    (b"connection", b"close"),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": TIMEOUT_BODY})
