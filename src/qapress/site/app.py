"""The ASGI application that ``qapress serve`` runs: every site of the network, from one process.

A request goes: revision check (one statement) -> its site from the Host header -> the rendered-page cache
-> on a miss, the page's one GraphQL query and its template. Routes stay thin: data comes from
``queries.py``, view models from ``views.py``, HTTP details from ``responses.py``.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from qapress.engine import EngineError, GraphQLEngine, qapress_metadata
from qapress.links.errors import LinkRuleError
from qapress.links.form import LinkForm as PostedLinkForm
from qapress.links.form import read_link_form
from qapress.links.ip_hash import resolve_salt
from qapress.links.rules import LinkRules
from qapress.links.submit import Refused, submit_link
from qapress.links.worker import start_link_worker
from qapress.settings import Settings, get_settings
from qapress.site.assets import StaticAssets
from qapress.site.domains import Domain, DomainDirectory, HostPolicy, load_domains, normalize_host
from qapress.site.errors import PageQueryFailed
from qapress.site.forms import (
    ACCEPTED_NOTICE,
    REFUSAL_STATUS,
    FormState,
    FormTokens,
    LinkForm,
    origin_allowed,
    rules_text,
)
from qapress.site.page_cache import PageCache, RenderedPage
from qapress.site.pages import article_html
from qapress.site.queries import PageQueries, QueryRun
from qapress.site.render import Renderer
from qapress.site.responses import SecurityHeadersMiddleware, page_response
from qapress.site.revision import RevisionReader
from qapress.site.urls import SiteURLs
from qapress.site.views import article_page, listed_articles, parse_timestamp
from qapress.store import open_engine

HTML = "text/html; charset=utf-8"


def no_site() -> Response:
    return PlainTextResponse("No site is served at this address.", status_code=404)


def unavailable() -> Response:
    return PlainTextResponse(
        "The database is unavailable; please try again shortly.",
        status_code=503,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


SITEMAP_PAGE_SIZE = 5_000
FEED_SIZE = 20


@dataclass(frozen=True)
class PageContext:
    """What every page of one request knows: its site, its URL builder and its cache key."""

    site: Domain
    urls: SiteURLs
    revision: int
    cache_key: tuple[str, str]


class SiteApp:
    """The network's sites over one store; ``routes()`` are mounted by ``create_app``."""

    def __init__(self, settings: Settings, engine: Engine, gql: GraphQLEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.gql = gql
        self.queries = PageQueries(gql)
        self.assets = StaticAssets()
        self.renderer = Renderer(self.assets)
        self.cache = PageCache(settings.page_cache_size)
        self.revisions = RevisionReader(engine, settings.statement_timeout_ms)
        self.tokens = FormTokens(settings.secret_key or secrets.token_urlsafe(32))
        self.debug = settings.debug
        self.policy = HostPolicy(settings.domain, settings.default_host, settings.unknown_host_404)
        self.directory = DomainDirectory([], self.policy)
        self._domain_revision = -1
        self._directory_lock = threading.Lock()
        self.anonymous_cache_control = f"public, max-age={settings.page_max_age}"
        self.link_rules = LinkRules.from_settings(settings)
        self._ip_salt: str | None = None

    def ip_salt(self) -> str:
        """The salt of readers' IP hashes, read (or created) on the first submission."""
        if self._ip_salt is None:
            self._ip_salt = resolve_salt(self.settings)
        return self._ip_salt

    # --- the request pipeline -------------------------------------------------------------------------

    def context(self, request: Request) -> PageContext | None:
        """Check the revisions (reloading the domains when they moved) and find the request's site."""
        revisions = self.revisions.read()
        if revisions.domain != self._domain_revision:
            with self._directory_lock:
                if revisions.domain != self._domain_revision:
                    with self.engine.connect() as connection:
                        self.directory = DomainDirectory(load_domains(connection), self.policy)
                    self._domain_revision = revisions.domain
        host_header = request.headers.get("host", "")
        site = self.directory.resolve(host_header)
        if site is None:
            return None
        base_url = self.settings.public_base_url
        urls = SiteURLs(site, self.directory, self.settings.public_scheme, base_url)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return PageContext(site, urls, revisions.content, (normalize_host(host_header), path))

    def serve(self, request: Request, build: Callable[[PageContext], RenderedPage]) -> Response:
        """Answer a GET from the page cache or by building the page (runs in the threadpool)."""
        try:
            ctx = self.context(request)
        except (EngineError, SQLAlchemyError):
            return unavailable()
        if ctx is None:
            return no_site()
        page = None if self.debug else self.cache.get(*ctx.cache_key, ctx.revision)
        if page is None:
            try:
                page = build(ctx)
            except PageQueryFailed:
                return self.error_response(ctx, 500, "Something went wrong", "This page could not be loaded.")
            if not self.debug:
                self.cache.put(*ctx.cache_key, page)
        cache_control = "no-store" if self.debug else self.anonymous_cache_control
        return page_response(
            request.headers,
            page,
            origin=ctx.urls.origin(),
            cache_control=cache_control,
            method=request.method,
        )

    def html_page(self, ctx: PageContext, template: str, status: int = 200, **context: Any) -> RenderedPage:
        body = self.renderer.render(template, site=ctx.site, urls=ctx.urls, **context)
        return RenderedPage(status, body.encode(), HTML, time.time(), ctx.revision)

    def error_page(self, ctx: PageContext, status: int, heading: str, message: str) -> RenderedPage:
        return self.html_page(ctx, "error.html", status, heading=heading, message=message)

    def error_response(self, ctx: PageContext, status: int, heading: str, message: str) -> Response:
        page = self.error_page(ctx, status, heading, message)
        return page_response(Headers(), page, origin=ctx.urls.origin(), cache_control="no-store")

    def redirect(self, ctx: PageContext, location: str) -> RenderedPage:
        return RenderedPage(301, b"", HTML, time.time(), ctx.revision, location=location)

    @staticmethod
    def debug_panel(run: QueryRun) -> dict[str, str]:
        return {"ms": f"{run.ms:.0f}", "query": run.query.strip(), "variables": run.variables_json()}

    # --- pages ----------------------------------------------------------------------------------------

    def article_page(
        self,
        ctx: PageContext,
        article_id: int,
        slug: str | None,
        form_state: FormState | None = None,
        status: int = 200,
    ) -> RenderedPage:
        """The article (or its 404/410 page, or a 301 to its canonical URL); ``form_state`` after a POST."""
        run = self.queries.article(article_id, ctx.site.id)
        page = article_page(run.data, ctx.urls)
        if page is None:
            if self.queries.article_status(article_id) == "withdrawn":
                return self.error_page(
                    ctx, 410, "Article withdrawn", "This article was withdrawn and is gone."
                )
            return self.error_page(ctx, 404, "Article not found", "There is no article at this address.")
        article = page.article
        if form_state is None and (article.domain != ctx.site.id or slug != article.slug):
            return self.redirect(ctx, article.url)
        state = form_state or FormState()
        form = LinkForm(
            action=article.url,
            csrf=self.tokens.issue(article.id),
            url=state.url,
            consent=state.consent,
            error=state.error,
            notice=state.notice,
            rules_text=rules_text(self.settings.links_max_per_page),
        )
        debug = self.debug_panel(run) if self.debug else None
        body = article_html(self.renderer, ctx.site, ctx.urls, page, form, debug)
        return RenderedPage(status, body.encode(), HTML, time.time(), ctx.revision)

    def home_page(self, ctx: PageContext, page_number: int) -> RenderedPage:
        size = self.settings.home_page_size
        run = self.queries.home(ctx.site.id, size, page_number)
        rows = run.data.get("articles") or []
        if page_number > 1 and not rows:
            return self.error_page(ctx, 404, "Page not found", "There are no articles on this page.")
        return self.html_page(
            ctx,
            "home.html",
            articles=listed_articles(rows[:size], ctx.urls),
            page_number=page_number,
            canonical=ctx.urls.home(page_number),
            prev_url=ctx.urls.home(page_number - 1) if page_number > 1 else None,
            next_url=ctx.urls.home(page_number + 1) if len(rows) > size else None,
            debug=self.debug_panel(run) if self.debug else None,
        )

    def xml_page(self, ctx: PageContext, template: str, media_type: str, **context: Any) -> RenderedPage:
        body = self.renderer.render(template, site=ctx.site, urls=ctx.urls, **context)
        return RenderedPage(200, body.encode(), media_type, time.time(), ctx.revision)

    def sitemap_index(self, ctx: PageContext) -> RenderedPage:
        aggregate = (self.queries.sitemap_index(ctx.site.id).data.get("qa_ai_aggregate") or {}).get(
            "aggregate"
        ) or {}
        count = int(aggregate.get("count") or 0)
        newest = parse_timestamp((aggregate.get("max") or {}).get("updated_at"))
        lastmod = newest.isoformat() if newest else None
        pages = max(1, math.ceil(count / SITEMAP_PAGE_SIZE))
        entries = [
            {"url": ctx.urls.path(f"/sitemap-{n}.xml"), "lastmod": lastmod} for n in range(1, pages + 1)
        ]
        return self.xml_page(ctx, "sitemap_index.xml", "application/xml", entries=entries)

    def sitemap_page(self, ctx: PageContext, number: int) -> RenderedPage:
        run = self.queries.sitemap_page(ctx.site.id, SITEMAP_PAGE_SIZE, (number - 1) * SITEMAP_PAGE_SIZE)
        rows = run.data.get("qa_ai") or []
        if number > 1 and not rows:
            return self.error_page(ctx, 404, "Page not found", "This sitemap page does not exist.")
        entries = [{"url": ctx.urls.home(), "lastmod": None}] if number == 1 else []
        for row in rows:
            modified = parse_timestamp(row.get("updated_at"))
            entries.append(
                {
                    "url": ctx.urls.article(int(row["id"]), str(row.get("slug") or "")),
                    "lastmod": modified.isoformat() if modified else None,
                }
            )
        return self.xml_page(ctx, "sitemap_page.xml", "application/xml", entries=entries)

    def feed(self, ctx: PageContext) -> RenderedPage:
        items = listed_articles(self.queries.feed(ctx.site.id, FEED_SIZE).data.get("articles"), ctx.urls)
        entries: list[dict[str, str | None]] = []
        updates: list[str] = []
        for item in items:
            published = f"{item.date.isoformat()}T00:00:00Z" if item.date else None
            updated = item.modified.isoformat() if item.modified else published or "1970-01-01T00:00:00Z"
            updates.append(updated)
            entries.append(
                {
                    "title": item.title,
                    "url": item.url,
                    "lead": item.lead,
                    "published": published,
                    "updated": updated,
                }
            )
        newest = max(updates, default="1970-01-01T00:00:00Z")
        return self.xml_page(ctx, "feed.xml", "application/atom+xml", articles=entries, updated=newest)

    # --- routes ---------------------------------------------------------------------------------------

    async def home_route(self, request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            return await self._not_found(request)
        return await run_in_threadpool(self.serve, request, lambda ctx: self.home_page(ctx, int(raw)))

    async def article_route(self, request: Request) -> Response:
        article_id = int(request.path_params["id"])
        slug = request.path_params.get("slug")
        return await run_in_threadpool(
            self.serve, request, lambda ctx: self.article_page(ctx, article_id, slug)
        )

    async def submit_route(self, request: Request) -> Response:
        """The link form's POST: a small urlencoded body, read with a size limit before anything else."""
        article_id = int(request.path_params["id"])
        limit = self.settings.links_max_request_bytes
        if int(request.headers.get("content-length") or 0) > limit:
            return PlainTextResponse("The form you sent is too large.", status_code=413)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return PlainTextResponse("Send the form as application/x-www-form-urlencoded.", status_code=415)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return PlainTextResponse("The form you sent is too large.", status_code=413)
        fields = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        return await run_in_threadpool(self.submit, request, article_id, fields)

    def submit(self, request: Request, article_id: int, fields: dict[str, str]) -> Response:
        """Check the token and origin, hand the fields to ``submit_link``, and show the page with the outcome."""
        try:
            ctx = self.context(request)
        except (EngineError, SQLAlchemyError):
            return unavailable()
        if ctx is None:
            return no_site()
        try:
            posted = read_link_form(fields)
        except LinkRuleError:
            posted = PostedLinkForm(url="", consent=False, honeypot="")
        kept = FormState(url=posted.url[:4096], consent=posted.consent)
        origins = {ctx.urls.origin(), f"{request.url.scheme}://{request.headers.get('host', '')}"}
        token_ok = self.tokens.valid(fields.get("csrf", ""), article_id)
        if not token_ok or not origin_allowed(request.headers.get("origin"), origins):
            state, status = kept.refused("This form has expired; please submit it again."), 403
        else:
            client = request.client.host if request.client else None
            outcome = submit_link(
                self.engine,
                article_id,
                posted.url,
                posted.consent,
                ip=client,
                honeypot=posted.honeypot,
                rules=self.link_rules,
                salt=self.ip_salt(),
            )
            if isinstance(outcome, Refused):
                state, status = kept.refused(outcome.message), REFUSAL_STATUS.get(outcome.code, 400)
            else:
                state, status = FormState(notice=ACCEPTED_NOTICE), 200
        try:
            page = self.article_page(ctx, article_id, None, form_state=state, status=status)
        except PageQueryFailed:
            return self.error_response(ctx, 500, "Something went wrong", "This page could not be loaded.")
        return page_response(request.headers, page, origin=ctx.urls.origin(), cache_control="no-store")

    async def sitemap_route(self, request: Request) -> Response:
        return await run_in_threadpool(self.serve, request, self.sitemap_index)

    async def sitemap_page_route(self, request: Request) -> Response:
        number = int(request.path_params["number"])
        if not 1 <= number <= 100_000:
            return await self._not_found(request)
        return await run_in_threadpool(self.serve, request, lambda ctx: self.sitemap_page(ctx, number))

    async def feed_route(self, request: Request) -> Response:
        return await run_in_threadpool(self.serve, request, self.feed)

    async def robots_route(self, request: Request) -> Response:
        ctx = await run_in_threadpool(self.context, request)
        if ctx is None:
            return no_site()
        text = f"User-agent: *\nAllow: /\nDisallow: /v1/\n\nSitemap: {ctx.urls.path('/sitemap.xml')}\n"
        return PlainTextResponse(text, headers={"Cache-Control": self.anonymous_cache_control})

    async def static_route(self, request: Request) -> Response:
        asset = self.assets.by_hashed_name.get(request.path_params["name"])
        if asset is None:
            return PlainTextResponse("Not found.", status_code=404)
        etag = f'"{asset.hashed_name}"'
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    async def _not_found(self, request: Request) -> Response:
        def build() -> Response:
            ctx = self.context(request)
            if ctx is None:
                return no_site()
            return self.error_response(ctx, 404, "Page not found", "There is nothing at this address.")

        return await run_in_threadpool(build)

    async def not_found_handler(self, request: Request, _exc: Exception) -> Response:
        return await self._not_found(request)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}", self.article_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}/links", self.submit_route, methods=["POST"]),
            Route("/a/{id:int}/{slug}", self.article_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}/{slug}", self.submit_route, methods=["POST"]),
            Route("/sitemap.xml", self.sitemap_route, methods=["GET", "HEAD"]),
            Route("/sitemap-{number:int}.xml", self.sitemap_page_route, methods=["GET", "HEAD"]),
            Route("/feed.xml", self.feed_route, methods=["GET", "HEAD"]),
            Route("/robots.txt", self.robots_route, methods=["GET", "HEAD"]),
            Route("/static/{name}", self.static_route, methods=["GET", "HEAD"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
        ]


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


def engine_routes(gql: GraphQLEngine, settings: Settings) -> list[BaseRoute]:
    """The engine's HTTP routes (/v1/graphql ...), when the engine has its HTTP layer (``engine.http``)."""
    try:
        http = importlib.import_module("qapress.engine.http")
    except ModuleNotFoundError:
        return []
    routes: list[BaseRoute] = http.graphql_routes(
        gql, admin_secret=settings.admin_secret, max_body_bytes=settings.max_body_bytes
    )
    return routes


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Starlette:
    """Build the application from the settings (the environment's by default) over an opened store."""
    settings = settings or get_settings()
    engine = engine or open_engine(settings.resolved_database_url())
    gql = GraphQLEngine(
        engine,
        qapress_metadata(),
        stringify_numeric_types=settings.stringify_numeric_types,
        max_depth=settings.max_query_depth,
        anonymous_row_limit=settings.anonymous_row_limit,
        plan_cache_size=settings.plan_cache_size,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    site = SiteApp(settings, engine, gql)
    routes = [*engine_routes(gql, settings), *site.routes()]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Each worker process may run a link worker: links are claimed before they are checked.
        worker = start_link_worker(engine, settings) if settings.links_worker_in_serve else None
        app.state.link_worker = worker
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            site.revisions.close()
            gql.close()

    app = Starlette(
        lifespan=lifespan,
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware), Middleware(GZipMiddleware, minimum_size=512)],
        exception_handlers={404: site.not_found_handler},
    )
    app.state.site = site
    return app
