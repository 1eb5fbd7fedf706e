"""Article pages missing from the cache, built and answered in raw ASGI like the cache hits.

Through Starlette a miss pays the router, the middlewares with their request and header objects and
anyio's threadpool: about 90 µs of CPU on SQLite, 180 on PostgreSQL (where the whole request hopped), for
a page whose render costs about 300. Here the page is built in a plain thread by the same ``SiteApp`` code
(``built_answer``: the single flight, the cache's ``since`` check, the prepared answers with the security
headers) and sent as its prepared answer. Only the article routes' plain GET and HEAD come here, after the
hit path vouched for the cache; anything else, and a page whose query failed (its error page), goes the
slow way.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from concurrent.futures import ThreadPoolExecutor

from starlette.routing import BaseRoute, Route
from starlette.types import Scope, Send

from qapress.observe.requests import FAST_PATH_STATUS
from qapress.site.page_cache import Answer, PreparedResponses
from qapress.site.responses import send_prepared
from qapress.site.routes import MAX_ID, SiteApp

#: ``/a/{id:int}`` and ``/a/{id:int}/{slug}``, as Starlette's converters match them.
ARTICLE_PATH = re.compile(r"/a/([0-9]+)(?:/([^/]+))?")
ARTICLE_ROUTES = ("/a/{id:int}", "/a/{id:int}/{slug}")

#: Threads that build pages, as many as Starlette's threadpool has (anyio's default). A plain executor's hop
#: costs about 30 µs where ``run_in_threadpool``'s (a capacity limiter, a cancel scope) costs about 45.
BUILD_THREADS = 40


class ArticleMisses:
    """Builds and sends article pages the cache lacks; ``answer`` says whether it did."""

    def __init__(self, site: SiteApp, routes: list[BaseRoute]) -> None:
        self.site = site
        # The routes the slow path would match, so the request is labelled as it would be there.
        self.routes: dict[str, Route] = {
            route.path: route
            for route in routes
            if isinstance(route, Route) and route.path in ARTICLE_ROUTES and "GET" in (route.methods or ())
        }
        self._threads: ThreadPoolExecutor | None = None

    @property
    def threads(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(BUILD_THREADS, thread_name_prefix="qapress-page")
        return self._threads

    async def answer(
        self,
        scope: Scope,
        send: Send,
        host: bytes | None,
        key_path: str,
        if_none_match: bytes | None,
        accept_encoding: bytes | None,
    ) -> bool:
        """Build the page of ``scope``'s article path and send it; False (nothing sent): the app answers.

        ``key_path`` is the path with its query string (the cache key's); the caller applied the committed
        changes and found no page for it."""
        if len(self.routes) != len(ARTICLE_ROUTES):
            return False
        matched = ARTICLE_PATH.fullmatch(scope["path"])
        if matched is None:
            return False
        article_id = int(matched[1])
        if article_id > MAX_ID:
            return False  # the slow path's 404
        slug = matched[2]
        site = self.site
        host_header = (host or b"").decode("latin-1")
        path = scope["path"]
        tag = None if if_none_match is None else if_none_match.decode("latin-1")
        encodings = None if accept_encoding is None else accept_encoding.decode("latin-1")

        def built() -> tuple[PreparedResponses, Answer] | None:
            # The site directory is read here, not on the loop: a change to the sites since the caller
            # looked reloads it, which is a query.
            ctx = site.page_context(host_header, key_path, usable=True)
            if ctx is None:
                return None  # no site here: the slow path's 404
            return site.built_answer(
                ctx, lambda ctx: site.pages.article(ctx, article_id, slug), path, tag, encodings
            )

        context = contextvars.copy_context()
        found = await asyncio.get_running_loop().run_in_executor(self.threads, context.run, built)
        if found is None:
            return False
        prepared, answer = found
        scope["route"] = self.routes[ARTICLE_ROUTES[0] if slug is None else ARTICLE_ROUTES[1]]
        scope[FAST_PATH_STATUS] = answer[0]
        await send_prepared(scope, send, prepared, answer)
        return True

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
