"""The ASGI application that ``qapress serve`` runs: every site of the network, from one process.

``create_app`` wires the parts: the GraphQL engine (and its HTTP routes), the sites' routes
(``routes.py``), the security headers and gzip middleware, and a lifespan that runs the link worker.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from qapress.articles.outside_edits import article_update_hook
from qapress.articles.scheduler import count_due_articles
from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.documents import DocumentStore
from qapress.engine.fast_http import ROUTE as GRAPHQL_ROUTE
from qapress.engine.fast_http import GraphQLFastPath, v1_endpoint
from qapress.engine.http import graphql_routes
from qapress.engine.http_cache import CachePolicy
from qapress.engine.metadata_dir import current_metadata
from qapress.feeds.repository import count_due_feeds
from qapress.links.checker import count_due_links
from qapress.links.graphql import IP_HASH_SESSION_VARIABLE, link_insert_hook
from qapress.links.ip_hash import ip_hash, resolve_salt
from qapress.links.worker import start_link_worker
from qapress.newsroom.app import Newsroom
from qapress.newsroom.auth import SESSION_COOKIE
from qapress.observe.health import check_readiness, migration_head
from qapress.observe.metrics import PAGE_CACHE_HIT, TALLY, QueueDepths, exposition
from qapress.observe.requests import (
    FAST_PATH_ROUTE,
    FAST_PATH_SCOPE_KEY,
    FAST_PATH_STATUS,
    observe_request,
    record,
    record_with,
)
from qapress.settings import Settings, get_settings
from qapress.site.body_timeout import send_timed_out, with_body_timeout
from qapress.site.domains import host_refusal
from qapress.site.fast_path import PageCacheFastPath
from qapress.site.graphql_tags import graphql_answer_tags
from qapress.site.invalidation import wait_until_served
from qapress.site.miss_path import ArticleMisses
from qapress.site.purge import PurgeQueue, PurgeWorker
from qapress.site.read_routing import READ_PRIMARY_COOKIE, ReadRoutingMiddleware
from qapress.site.render import PAGE_QUERIES, page_query
from qapress.site.responses import GZipPrefixMiddleware, SecurityHeadersMiddleware
from qapress.site.routes import SiteApp
from qapress.store import open_settings_engine
from qapress.store.database import open_settings_replicas

__all__ = ["SiteApp", "SiteServer", "create_app"]

OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class SiteServer(Starlette):
    """The Starlette app with ``PageCacheFastPath`` and ``GraphQLFastPath`` in front: current page-cache hits
    and ``/v1/graphql`` plan-cache hits never reach the router.

    Every HTTP request, fast path or not, is observed once (metrics; a log line and request id if asked).
    """

    fast_path: PageCacheFastPath | None = None
    graphql_fast_path: GraphQLFastPath | None = None
    log_requests = False
    #: ``/healthz``, ``/readyz`` and ``/metrics``, answered before anything that may touch the database.
    operations: Router | None = None
    #: Longest wait for each part of a request's body (``QAPRESS_BODY_TIMEOUT_SECONDS``); 0: no bound.
    body_timeout_seconds: float = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        fast_path = self.fast_path
        if not self.log_requests and fast_path is not None and scope["path"] not in OPERATIONS_PATHS:
            # The fast paths, observed without wrapping ``send``: they leave their status in the scope.
            started = time.perf_counter()
            graphql = self.graphql_fast_path
            if graphql is not None and scope["path"] == GRAPHQL_ROUTE:
                replay = await graphql.answer(scope, receive, send)
                if replay is None:
                    record(
                        GRAPHQL_ROUTE, scope["method"], scope[FAST_PATH_STATUS], time.perf_counter() - started
                    )
                    return
                receive = replay
            if await fast_path.answer(scope, send):
                seconds = time.perf_counter() - started
                built = scope.get("route")  # an article page built now (``miss_path``), else a hit
                if built is not None:
                    record(built.path, scope["method"], scope[FAST_PATH_STATUS], seconds)
                else:
                    record_with(
                        FAST_PATH_ROUTE, scope["method"], scope[FAST_PATH_STATUS], seconds, PAGE_CACHE_HIT
                    )
                return
            await observe_request(self._slow_path, scope, receive, send, log_requests=False)
            return
        await observe_request(self._answer, scope, receive, send, log_requests=self.log_requests)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        await with_body_timeout(self._route, self.body_timeout_seconds, scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        operations = self.operations
        if operations is not None and scope["path"] in OPERATIONS_PATHS:
            await operations(scope, receive, send)
            return
        fast_path = self.fast_path
        if fast_path is not None and await fast_path.answer(scope, send):
            if scope.get("route") is None:  # a hit (a built article page is labelled by its route)
                scope[FAST_PATH_SCOPE_KEY] = True
                TALLY.inc(PAGE_CACHE_HIT)
            return
        await super().__call__(scope, receive, send)

    async def _slow_path(self, scope: Scope, receive: Receive, send: Send) -> None:
        await with_body_timeout(self._starlette, self.body_timeout_seconds, scope, receive, send)

    async def _starlette(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Starlette:
    """Build the application from the settings (the environment's by default) over an opened store."""
    settings = settings or get_settings()
    engine = engine or open_settings_engine(settings)
    # Read replicas (PostgreSQL): checked now and then every few seconds by a monitor thread of this process.
    replicas = open_settings_replicas(settings, engine)
    if replicas is not None:
        replicas.start()
    gql = GraphQLEngine.from_settings(
        engine,
        # The metadata applied with `qapress metadata apply`, else qapress's own.
        Metadata.from_hasura(current_metadata(settings.data_dir)),
        settings,
        # insert_link_one goes through the same rules as the page's form, in the mutation's transaction.
        insert_hooks={"link": link_insert_hook()},
        value_checks={"domain": {"host": host_refusal}},
        # An article edited at /v1/graphql is versioned and re-grounded; live and failing, it is taken off.
        update_hooks={"qa_ai": article_update_hook()},
        replicas=replicas,
    )
    site = SiteApp(settings, engine, gql)
    newsroom = Newsroom(settings, engine, gql, site.assets, site.form_key)
    salt = resolve_salt(settings)
    documents = graphql_documents(engine, settings)

    @functools.lru_cache(maxsize=4096)
    def hashed(host: str) -> str:
        # Readers come back: the address parse and hash once per address, not once per request.
        return ip_hash(host, salt)

    def reader_session(host: str) -> dict[str, str]:
        # The reader's hashed address, vouched for by the server: the rate limit and "your pending links".
        return {IP_HASH_SESSION_VARIABLE: hashed(host)}

    routes = [
        *graphql_routes(
            gql,
            admin_secret=settings.admin_secret,
            max_body_bytes=settings.max_body_bytes,
            trusted_session=reader_session,
            session_caller=newsroom.graphql_caller,
            documents=documents,
            trusted_roles=frozenset(settings.trusted_documents_roles)
            if settings.trusted_documents_only
            else frozenset(),
            cache=CachePolicy(max_age=settings.graphql_get_max_age, tags=graphql_answer_tags),
        ),
        *newsroom.routes(),
        *site.routes(),
    ]
    misses = ArticleMisses(site, routes)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(wait_until_served, site.changes)
        # Each worker process may run a link worker: links are claimed before they are checked.
        # The feeds are polled in the same loop (each feed is claimed too); imported here because drafting
        # pulls in the generate package, which pages never need.
        passes: list[Callable[[], object]] = []
        if settings.feeds_in_worker and settings.links_worker_in_serve:
            from qapress.feeds.poller import FeedPoller

            passes.append(FeedPoller.from_settings(engine, settings).run_once)
        if (
            settings.links_worker_in_serve
        ):  # the queued related lists (imports, stale lists), each claimed too
            from qapress.related.queue import RelatedWorker

            passes.append(RelatedWorker(engine).run_once)
        worker = start_link_worker(engine, settings, passes) if settings.links_worker_in_serve else None
        app.state.link_worker = worker
        # Purges must go out within a second or so, not at the link worker's pace: a thread of their own.
        purger = None
        if settings.purge_worker_in_serve:
            purger = PurgeWorker(
                PurgeQueue.from_settings(engine, settings), settings.purge_poll_seconds
            ).start()
        app.state.purge_worker = purger
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            if purger is not None:
                await run_in_threadpool(purger.stop)
            site.changes.stop()
            misses.close()
            gql.close()
            if replicas is not None:
                await run_in_threadpool(replicas.stop)

    # With replicas, a request that wrote (and its client, for a while) reads the primary.
    routing = [] if replicas is None else [Middleware(ReadRoutingMiddleware, replicas.sticky_seconds)]
    middleware = [
        *routing,
        Middleware(SecurityHeadersMiddleware),
        Middleware(GZipPrefixMiddleware, prefixes=("/v1/", "/v1alpha1/")),
    ]
    app = SiteServer(
        lifespan=lifespan,
        routes=routes,
        middleware=middleware,
        exception_handlers={404: site.not_found_handler},
    )

    def wrapped(inner: ASGIApp) -> ASGIApp:
        # What Starlette's own middleware stack does with the list, around the fast path's answers.
        for cls, args, kwargs in reversed(middleware):
            inner = cls(inner, *args, **kwargs)
        return inner

    async def timed_out(scope: Scope, send: Send) -> None:
        await send_timed_out(scope, settings.body_timeout_seconds, send)

    app.graphql_fast_path = GraphQLFastPath(
        v1_endpoint(routes),
        wrapped,
        session_cookie=SESSION_COOKIE,
        routing=replicas is not None,
        read_primary_cookie=READ_PRIMARY_COOKIE,
        body_timeout_seconds=settings.body_timeout_seconds,
        timed_out=timed_out,
    )
    app.state.site = site
    app.fast_path = PageCacheFastPath(site, misses)
    app.log_requests = settings.logs_requests()
    app.body_timeout_seconds = settings.body_timeout_seconds
    app.operations = Router(routes=operations_routes(engine, settings))
    return app


def graphql_documents(engine: Engine, settings: Settings) -> DocumentStore | None:
    """The persisted queries' store, with the site's own page queries registered as trusted documents
    (every worker does it on start; registering a known document changes nothing)."""
    if not settings.persisted_queries and not settings.trusted_documents_only:
        return None
    documents = DocumentStore(engine, settings.persisted_queries_max if settings.persisted_queries else 0)
    documents.add_trusted((page_query(name), f"site:{name}.graphql") for name in PAGE_QUERIES)
    return documents


def operations_routes(engine: Engine, settings: Settings) -> list[Route]:
    """``/readyz`` (database reachable and migrated) and, unless turned off, ``/metrics``."""
    head = migration_head(engine)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})

    async def readyz(_request: Request) -> Response:
        readiness = await run_in_threadpool(check_readiness, engine, head)
        return PlainTextResponse(
            readiness.detail,
            status_code=200 if readiness.ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    queues = QueueDepths(
        {
            "links_due": lambda: count_due_links(engine),
            "feeds_due": lambda: count_due_feeds(engine),
            "scheduled_due": lambda: count_due_articles(engine),
        }
    )

    async def metrics(_request: Request) -> Response:
        body, content_type = await run_in_threadpool(exposition, [queues])
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
    ]
    if settings.metrics:
        routes.append(Route("/metrics", metrics, methods=["GET"]))
    return routes
