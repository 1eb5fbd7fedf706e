"""Which server a site request reads from, when there are read replicas (``store.replicas``).

``ReadRoutingMiddleware`` gives each request its routing state: a client carrying the read-from-primary
cookie reads the primary; a request that commits a write does for the rest of it, and its answer sets the
cookie for the replicas' sticky window, so the reader sees their own link and the editor their own draft.

``page_reads_current`` keeps the page cache exact: a page for the cache is built on a replica only when
that replica has replayed every change the cache was told of, else on the primary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qapress.http_protocol import RESPONSE_STARTS, with_header
from qapress.store.replicas import ReplicaSet, pinned_to, routing_scope

READ_PRIMARY_COOKIE = "qapress_read_primary"


class ReadRoutingMiddleware:
    """Per request: read the primary when the cookie says so; after a write, set the cookie."""

    def __init__(self, app: ASGIApp, sticky_seconds: int) -> None:
        self.app = app
        self.set_cookie = (
            f"{READ_PRIMARY_COOKIE}=1; Max-Age={int(sticky_seconds)}; Path=/; HttpOnly; SameSite=Lax"
        ).encode()
        self._marker = f"{READ_PRIMARY_COOKIE}=".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pinned = any(name == b"cookie" and self._marker in value for name, value in scope["headers"])
        with routing_scope(primary=pinned) as routing:

            async def send_with_cookie(message: Message) -> None:
                if message["type"] in RESPONSE_STARTS and routing.wrote:
                    message = with_header(message, b"set-cookie", self.set_cookie)
                await send(message)

            await self.app(scope, receive, send_with_cookie)


@contextlib.contextmanager
def page_reads_current(replicas: ReplicaSet | None, changed_at: float) -> Iterator[None]:
    """Build a page for the cache on a replica that has replayed every change the page cache was told of
    before ``changed_at`` (``ReplicaSet.current_since``), else on the primary. The cache is kept exact by
    the invalidations the primary's triggers send (``site.invalidation``): a page built on a replica that
    had not replayed an edit the process was already told of would be cached stale with nothing left to
    invalidate it. A change told while the page is built is the page cache's own check (``put``'s
    ``since``), as on the primary."""
    with pinned_to(None if replicas is None else replicas.current_since(changed_at)):
        yield
