"""Cache hits answered in raw ASGI, ahead of Starlette's router and middlewares (article misses too).

A GET or HEAD whose (host, path) has a page in the cache is answered with the status, headers and body
prepared when the page was rendered (``prepare_responses``: the same code as the slow path, security headers
included), after the change watch applied what committed (``invalidation.py``: on SQLite a ``PRAGMA
data_version`` on the loop; PostgreSQL's listener thread leaves nothing to ask). Anything else (a miss, a
watch that cannot vouch for the cache, sites to reload, a conditional request other than If-None-Match, a
database error, debug mode) falls through to the Starlette app unchanged, but for an article page the cache
lacks: ``miss_path`` builds and sends it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.types import Scope, Send

from qapress.engine.driver_errors import DATABASE_ERRORS
from qapress.observe.requests import FAST_PATH_STATUS
from qapress.site.domains import normalize_host
from qapress.site.miss_path import ArticleMisses
from qapress.site.responses import GZIP_MIN_BYTES, etag_matches, send_prepared
from qapress.site.routes import CHANGES_APPLIED, SiteApp

_METHODS = frozenset(("GET", "HEAD"))
_ENGINE_PATHS = ("/v1/", "/v1alpha1/")


class PageCacheFastPath:
    """Answers current cache hits for ``site``; ``answer`` says whether it did."""

    #: Distinct Host headers remembered with their normalized host (a bound against junk headers).
    MAX_HOSTS = 1024

    def __init__(self, site: SiteApp, misses: ArticleMisses | None = None) -> None:
        self.site = site
        #: Builds the article pages the cache lacks (``miss_path``); None: every miss goes the slow way.
        self.misses = misses
        self._hosts: dict[bytes, str] = {}

    def host(self, header: bytes | None) -> str:
        """``normalize_host`` of a Host header, remembered: a site sees the same few headers again and again."""
        key = header or b""
        host = self._hosts.get(key)
        if host is None:
            if len(self._hosts) >= self.MAX_HOSTS:
                self._hosts.clear()
            host = self._hosts[key] = normalize_host(key.decode("latin-1"))
        return host

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Send the cached page (or an article page built now: ``scope["route"]`` is set then) and return
        True, or send nothing and return False (the app answers)."""
        site = self.site
        if scope["method"] not in _METHODS or site.debug or scope.get("root_path"):
            return False
        path: str = scope["path"]
        if "#" in path:  # Starlette's URL would cut it: let the slow path make the key
            return False
        if path.startswith(_ENGINE_PATHS):  # GET /v1/graphql is no page: no revision check for it
            return False
        host = if_none_match = accept_encoding = None
        for name, value in scope["headers"]:
            if name == b"host":
                if host is None:
                    host = value
            elif name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value
            elif name == b"accept-encoding":
                if accept_encoding is None:
                    accept_encoding = value
            elif name == b"if-modified-since":
                return False  # rare: the slow path's date comparison decides
        query: bytes = scope.get("query_string", b"")
        if query:
            path = path + "?" + query.decode("latin-1")
        changes = site.changes
        try:
            # A watch that reads the database runs where ``serve_on_loop`` would run it.
            if site.hits_on_loop or not changes.does_io:
                usable = changes.sync()
            else:
                usable = await run_in_threadpool(changes.sync)
        except DATABASE_ERRORS:
            return False  # the slow path answers 503
        if not usable:
            return False
        # The slow path (a miss) need not ask again: what committed before this request is applied.
        scope[CHANGES_APPLIED] = True
        if site.directory_stale:
            return False  # the slow path reloads the sites first
        key = host or b""
        normalized = self._hosts.get(key)
        page = site.cache.get(self.host(key) if normalized is None else normalized, path)
        if page is None:
            misses = self.misses
            return misses is not None and await misses.answer(
                scope, send, host, path, if_none_match, accept_encoding
            )
        prepared = page.prepared
        if prepared is None:
            return False
        # Counted with the request by the server (``record_with``), in one step.
        if (
            if_none_match is not None
            and page.status == 200
            and page.location is None
            and etag_matches(if_none_match.decode("latin-1"), page.etag)
        ):
            answer = prepared.not_modified
        elif (
            accept_encoding is not None
            and len(page.body) >= GZIP_MIN_BYTES
            and b"gzip" in accept_encoding.lower()
        ):
            answer = prepared.gzipped  # compressed by the first request that takes gzip
        else:
            answer = prepared.identity
        scope[FAST_PATH_STATUS] = answer[0]  # for the request's metrics, without wrapping ``send``
        await send_prepared(scope, send, prepared, answer)
        return True
