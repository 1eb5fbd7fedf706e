"""uvicorn's HTTP protocol with one extension: a prepared answer is written to the socket in one call.

For each response uvicorn's httptools protocol checks every header against two regular expressions,
lowercases it, joins the head and writes it, then writes the body in a second ``transport.write``: measured
on a cached page (13 headers of its own, 2.4 KB gzipped), about 7 µs of CPU more than the same bytes in one
header, and a second system call. A prepared answer (a cached page, a plan-cache hit) has the same header
block every time: it is checked once, by the same expressions, when it is first sent (``head_block``), and
a hit then costs one join and one write.

The extension is announced in the request's scope (``scope["extensions"][PREPARED_RESPONSE]``); an app that
sees it may send, instead of ``http.response.start`` and ``http.response.body``, the one message
``{"type": PREPARED_RESPONSE, "status": int, "head": bytes, "body": bytes}``, after which the response is
complete. Every other message takes uvicorn's own path. No ASGI library offers this (ASGI has no message for
a whole response), hence this subclass. It relies on attributes of uvicorn's ``RequestResponseCycle`` (those of
0.55: ``response_started``, ``default_headers``, ``keep_alive`` ...): ``protocol_class`` checks them
and serves with uvicorn's plain protocol when they are missing, so an uvicorn that changed them loses only
the shortcut. ``tests/site/test_http_protocol.py`` compares the bytes on the wire with uvicorn's own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from starlette.types import Message, Scope

if TYPE_CHECKING:
    from collections.abc import Sequence

#: The scope extension and message type of a whole prepared answer.
PREPARED_RESPONSE = "qapress.prepared_response"
#: The message types that start a response: ASGI's, and a whole prepared answer.
RESPONSE_STARTS = frozenset({"http.response.start", PREPARED_RESPONSE})

#: What the cycle must have for ``send`` below to stand in for uvicorn's (checked by ``protocol_class``).
_CYCLE_ATTRIBUTES = (
    "scope",
    "transport",
    "flow",
    "default_headers",
    "message_event",
    "on_response",
    "disconnected",
    "keep_alive",
    "waiting_for_100_continue",
    "response_started",
    "response_complete",
    "access_log",
    "access_logger",
)

_log = logging.getLogger(__name__)


try:
    from uvicorn.protocols.http.httptools_impl import (
        HEADER_RE,
        HEADER_VALUE_RE,
        STATUS_LINE,
        HttpToolsProtocol,
        RequestResponseCycle,
    )
except ImportError:  # no httptools: uvicorn falls back to h11, and so does ``protocol_class``
    HttpToolsProtocol = None  # type: ignore[assignment,misc]
else:

    class PreparedCycle(RequestResponseCycle):
        """uvicorn's cycle, which also takes a whole prepared answer in one message."""

        async def send(self, message: Any) -> None:
            if message["type"] != PREPARED_RESPONSE:
                await super().send(message)
                return
            if self.flow.write_paused and not self.disconnected:
                await self.flow.drain()
            if self.disconnected:
                return
            if self.response_started:
                raise RuntimeError("a prepared answer after the response started")
            self.response_started = True
            self.waiting_for_100_continue = False
            parts = [STATUS_LINE[message["status"]]]
            parts += [b"%s: %s\r\n" % header for header in self.default_headers]
            parts.append(message["head"])
            if not self.keep_alive:
                parts.append(b"connection: close\r\n")
            parts.append(b"\r\n")
            if self.scope["method"] != "HEAD":
                parts.append(message["body"])
            self.transport.write(b"".join(parts))
            self.response_complete = True
            self.message_event.set()
            if not self.keep_alive:
                self.transport.close()
            self.on_response()

    class PreparedProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol whose cycles take prepared answers (announced in the scope)."""

        def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
            # An access log line is uvicorn's to write (``send`` below writes none): only when it would.
            if not (cycle.access_log and cycle.access_logger.isEnabledFor(logging.INFO)):
                cycle.__class__ = PreparedCycle
                scope: Any = cycle.scope
                scope.setdefault("extensions", {})[PREPARED_RESPONSE] = {}
            super()._start_asgi_task(cycle, app)


def head_block(headers: Sequence[tuple[bytes, bytes]]) -> bytes | None:
    """``headers`` as the lines uvicorn would write for them (lower-case names), or None when uvicorn would
    refuse one of them, or when one changes its state (``connection``, ``transfer-encoding``): it is then
    sent the ordinary way, where uvicorn answers for it."""
    if HttpToolsProtocol is None:
        return None
    lines = []
    for name, value in headers:
        if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
            return None
        lowered = name.lower()
        if lowered in (b"connection", b"transfer-encoding"):
            return None
        lines.append(b"%s: %s\r\n" % (lowered, value))
    return b"".join(lines)


def protocol_class() -> type[asyncio.Protocol] | str:
    """The protocol for ``uvicorn.Config(http=...)``: this extension over httptools when uvicorn's classes
    are as ``PreparedCycle`` expects, else ``"auto"`` (uvicorn's own choice, without the extension)."""
    if HttpToolsProtocol is None:
        return "auto"
    if not hasattr(HttpToolsProtocol, "_start_asgi_task") or not _cycle_is_as_expected():
        _log.warning("uvicorn's HTTP protocol changed: prepared answers are sent the ordinary way")
        return "auto"
    return PreparedProtocol


def _cycle_is_as_expected() -> bool:
    probe = object.__new__(RequestResponseCycle)
    try:
        RequestResponseCycle.__init__(
            probe,
            scope={},  # type: ignore[typeddict-item]
            transport=None,  # type: ignore[arg-type]
            flow=None,  # type: ignore[arg-type]
            logger=_log,
            access_logger=_log,
            access_log=False,
            default_headers=[],
            message_event=None,  # type: ignore[arg-type]
            expect_100_continue=False,
            keep_alive=True,
            on_response=lambda: None,
        )
    except TypeError:
        return False
    return all(hasattr(probe, name) for name in _CYCLE_ATTRIBUTES)


def takes_prepared(scope: Scope) -> bool:
    """Whether the server of this request takes a ``PREPARED_RESPONSE`` message (``PreparedProtocol``)."""
    extensions = scope.get("extensions")
    return extensions is not None and PREPARED_RESPONSE in extensions


def with_header(message: Message, name: bytes, value: bytes) -> Message:
    """A response's first message (either of ``RESPONSE_STARTS``) with one more header, last; a new message,
    since prepared headers are shared. ``name`` and ``value`` must be the caller's own safe bytes: a prepared
    head is not checked again."""
    if message["type"] == PREPARED_RESPONSE:
        return {**message, "head": message["head"] + name + b": " + value + b"\r\n"}
    return {**message, "headers": [*message.get("headers", ()), (name, value)]}
