"""The request pipeline and the routes of the sites: every GET goes through ``SiteApp.serve``.

A request goes: the change watch (``invalidation.py``: drops the pages whose tags changed; on SQLite a
``PRAGMA data_version``, elsewhere nothing) -> its site from the Host header -> the rendered-page cache
-> on a miss, the page's builder (``pages.py``: one GraphQL query and a template). The link form's POST is
checked here (size, token, origin) and handed to ``qapress.links.submit_link``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from urllib.parse import parse_qs

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from qapress.engine import GraphQLEngine
from qapress.engine.driver_errors import DATABASE_ERRORS, map_driver_error
from qapress.engine.errors import RETRYABLE_CODES, DatabaseBusy
from qapress.indexnow import KEY_PATH, indexnow_key
from qapress.links.errors import LinkRuleError
from qapress.links.form import LinkForm as PostedLinkForm
from qapress.links.form import read_link_form
from qapress.links.ip_hash import ip_hash as hash_ip
from qapress.links.ip_hash import resolve_salt
from qapress.links.rules import LinkRules
from qapress.links.submit import Refused, submit_link
from qapress.links.webmention import MentionRefused, read_mention, receive_mention
from qapress.observe.metrics import PAGE_CACHE_HIT, PAGE_CACHE_MISS, TALLY
from qapress.settings import Settings
from qapress.site.assets import StaticAssets
from qapress.site.cache_tags import ALL
from qapress.site.domains import DomainDirectory, HostPolicy, load_domains, normalize_host
from qapress.site.errors import PageQueryFailed
from qapress.site.favicon import favicon_svg
from qapress.site.forms import (
    ACCEPTED_NOTICE,
    REFUSAL_STATUS,
    FormState,
    FormTokens,
    origin_allowed,
)
from qapress.site.image_routes import SiteImages, web_manifest
from qapress.site.invalidation import ChangeWatch, open_watch
from qapress.site.page_cache import Answer, PageCache, PreparedResponses, RenderedPage
from qapress.site.pages import PageContext, Pages
from qapress.site.queries import PageQueries
from qapress.site.read_routing import page_reads_current
from qapress.site.render import Renderer
from qapress.site.responses import (
    PreparedResponse,
    page_response,
    prepare_responses,
    prepared_answer,
)
from qapress.site.search import read_search
from qapress.site.single_flight import SingleFlight
from qapress.site.urls import SiteURLs
from qapress.store.backend import reads_are_quick
from qapress.store.local_secrets import persisted_secret

log = logging.getLogger(__name__)

#: The form-token key kept in the data folder when QAPRESS_SECRET_KEY is not set.
FORM_KEY_FILE_NAME = "form-key"

#: Set in a request's scope once the change watch vouched for the cache during that request.
CHANGES_APPLIED = "qapress.changes_applied"

#: GraphQL's Int is 32-bit: a larger id in a URL names no article.
MAX_ID = 2**31 - 1


def no_site() -> Response:
    return PlainTextResponse("No site is served at this address.", status_code=404)


#: Seconds a 503 asks the client to wait before trying again.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The database is unavailable; please try again shortly."
BUSY_MESSAGE = "The site is busy; please try again in a moment. Your link was not saved yet."
DOWN_MESSAGE = "The site cannot save links right now; please try again shortly. Your link was not saved yet."


def unavailable() -> Response:
    return PlainTextResponse(
        UNAVAILABLE_MESSAGE,
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def with_retry_after(response: Response) -> Response:
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


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
        # Concurrent misses for one page (host, path) build it once in this process.
        self.flights: SingleFlight[tuple[str, str], tuple[RenderedPage, int]] = SingleFlight(
            settings.statement_timeout_ms / 1000 + 5.0
        )
        # LISTEN needs a session of its own, which a transaction-mode pooler does not keep: poll behind one.
        changes = settings.cache_changes
        if changes == "auto" and settings.database_pooler == "transaction":
            changes = "poll"
        self.changes: ChangeWatch = open_watch(
            engine, self.apply_tags, changes, settings.cache_changes_poll_seconds
        )
        # Every worker must accept the forms the others rendered: one key per installation, not per process.
        self.form_key = settings.secret_key or persisted_secret(settings.data_dir / FORM_KEY_FILE_NAME)
        self.tokens = FormTokens(self.form_key)
        self.debug = settings.debug
        self.pages = Pages(settings, self.queries, self.renderer, self.tokens, self.debug)
        self.images = SiteImages(self.queries)
        self.policy = HostPolicy(settings.domain, settings.default_host, settings.unknown_host_404)
        self.directory = DomainDirectory([], self.policy)
        # A change to the sites (tag ``all``) moves ``_directory_wanted``; the next request reloads them first.
        self._directory_wanted = 1
        self._directory_loaded = 0
        self._directory_lock = threading.Lock()
        self.anonymous_cache_control = (
            f"public, max-age={settings.page_max_age}, "
            f"stale-while-revalidate={settings.page_stale_while_revalidate}, "
            f"stale-if-error={settings.page_stale_if_error}"
        )
        self.link_rules = LinkRules.from_settings(settings)
        self._ip_salt: str | None = None
        hits_on_loop = settings.page_cache_hits_on_loop
        self.hits_on_loop = reads_are_quick(engine) if hits_on_loop is None else hits_on_loop

    def ip_salt(self) -> str:
        """The salt of readers' IP hashes, read (or created) on the first submission."""
        if self._ip_salt is None:
            self._ip_salt = resolve_salt(self.settings)
        return self._ip_salt

    # --- the request pipeline -------------------------------------------------------------------------

    def apply_tags(self, tags: list[str]) -> None:
        """The change watch's sink: drop the pages showing what changed (``all``: reload the sites too)."""
        if ALL in tags:
            self._directory_wanted += 1
        self.cache.invalidate(tags)

    @property
    def directory_stale(self) -> bool:
        """Whether a change to the sites is not in ``directory`` yet."""
        return self._directory_loaded != self._directory_wanted

    def context(self, request: Request) -> PageContext | None:
        """Apply the committed changes (reloading the domains when they changed) and find the request's site."""
        # The fast path already applied the committed changes for this request: once is exact.
        usable = request.scope.get(CHANGES_APPLIED) is True or self.changes.sync()
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return self.page_context(request.headers.get("host", ""), path, usable)

    def page_context(self, host_header: str, path: str, usable: bool) -> PageContext | None:
        """The site of ``host_header`` (the domains reloaded first when they changed) and the page's cache
        key; ``usable``: the change watch vouched for the cache (else nothing is cached: ``since`` -1)."""
        since = self.cache.generation if usable else -1
        if self.directory_stale:
            with self._directory_lock:
                wanted = self._directory_wanted  # before the read: a change during it asks for another
                if self._directory_loaded != wanted:
                    with self.engine.connect() as connection:
                        self.directory = DomainDirectory(load_domains(connection), self.policy)
                    self._directory_loaded = wanted
        site = self.directory.resolve(host_header)
        if site is None:
            return None
        base_url = self.settings.public_base_url
        urls = SiteURLs(site, self.directory, self.settings.public_scheme, base_url)
        return PageContext(site, urls, since, (normalize_host(host_header), path))

    def context_or_answer(self, request: Request) -> PageContext | Response:
        """The request's context, or the answer when there is none: 404 (no site) or 503 (no database)."""
        try:
            ctx = self.context(request)
        except DATABASE_ERRORS:
            return unavailable()
        return no_site() if ctx is None else ctx

    def serve(self, request: Request, build: Callable[[PageContext], RenderedPage]) -> Response:
        """Answer a GET from the page cache or by building the page (runs in the threadpool)."""
        ctx = self.context_or_answer(request)
        if isinstance(ctx, Response):
            return ctx
        cached = self.cached_response(request, ctx)
        return cached if cached is not None else self.built_response(request, ctx, build)

    async def serve_on_loop(self, request: Request, build: Callable[[PageContext], RenderedPage]) -> Response:
        """``serve``, with the change check and a cache hit answered on the event loop when that is cheap.

        On SQLite the check is a ``PRAGMA data_version`` on a connection of the loop's own (WAL: readers never
        wait on a writer), so the hop to the threadpool cost more than the hit itself; only a miss goes there
        to query and render. PostgreSQL keeps this path in the threadpool (a stale site directory is a round
        trip); its fast path answers hits on the loop, as its change watch asks nothing.
        ``page_cache_hits_on_loop`` overrides the choice.
        """
        if not self.hits_on_loop:
            return await run_in_threadpool(self.serve, request, build)
        ctx = self.context_or_answer(request)
        if isinstance(ctx, Response):
            return ctx
        cached = self.cached_response(request, ctx)
        if cached is not None:
            return cached
        return await run_in_threadpool(self.built_response, request, ctx, build)

    def cached_response(self, request: Request, ctx: PageContext) -> Response | None:
        """The response from the page cache, or None on a miss (and always in debug mode, or when the change
        watch cannot vouch for the cache)."""
        page = None if self.debug or ctx.since < 0 else self.cache.get(*ctx.cache_key)
        if page is None:
            return None
        TALLY.inc(PAGE_CACHE_HIT)
        return self.page_response(request, ctx, page)

    def built_response(
        self, request: Request, ctx: PageContext, build: Callable[[PageContext], RenderedPage]
    ) -> Response:
        """Build the page (one GraphQL query and a template), cache it and answer with it."""
        if not self.debug:
            TALLY.inc(PAGE_CACHE_MISS)
        try:
            page = self.built_page(ctx, build)
        except PageQueryFailed as failed:
            return self.failed_response(ctx, failed)
        return self.page_response(request, ctx, page)

    def built_page(self, ctx: PageContext, build: Callable[[PageContext], RenderedPage]) -> RenderedPage:
        """The page built and cached, or the one a concurrent miss for the same page built (``flights``),
        unless what it shows changed after that build began: then built again here."""

        def store() -> tuple[RenderedPage, int]:
            with page_reads_current(self.gql.connections.replicas, self.cache.changed_at):
                page = build(ctx)
            self.cache.put(*ctx.cache_key, page, since=ctx.since)
            return page, ctx.since

        if self.debug or ctx.since < 0:  # nothing is cached: every request builds its own
            with page_reads_current(None, 0.0):  # on the primary (the debug panel shows what it holds)
                return build(ctx)
        (page, began), shared = self.flights.run(ctx.cache_key, store)
        if shared and self.cache.changed_since(began, page.tags):
            page, _ = store()
        return page

    def page_response(self, request: Request, ctx: PageContext, page: RenderedPage) -> Response:
        """The answer for a page from or for the cache; its fast-path answers are prepared here, once."""
        cache_control = "no-store" if self.debug else self.anonymous_cache_control
        if not self.debug:
            prepared = self.prepared(page, ctx, request.url.path)
            headers = request.headers
            if "if-modified-since" not in headers:  # else ``page_response`` compares the dates
                answer = prepared_answer(
                    page, prepared, headers.get("if-none-match"), headers.get("accept-encoding")
                )
                return PreparedResponse(answer)
        return page_response(
            request.headers,
            page,
            origin=ctx.urls.origin(),
            cache_control=cache_control,
            method=request.method,
            tag_headers=self.settings.page_tag_headers,
        )

    def prepared(self, page: RenderedPage, ctx: PageContext, path: str) -> PreparedResponses:
        """The page's prepared answers (``prepare_responses``), made by the first request that sends it."""
        prepared = page.prepared
        if prepared is None:
            prepared = page.prepared = prepare_responses(
                page,
                origin=ctx.urls.origin(),
                cache_control=self.anonymous_cache_control,
                path=path,
                tag_headers=self.settings.page_tag_headers,
            )
        return prepared

    def built_answer(
        self,
        ctx: PageContext,
        build: Callable[[PageContext], RenderedPage],
        path: str,
        if_none_match: str | None,
        accept_encoding: str | None,
    ) -> tuple[PreparedResponses, Answer] | None:
        """``built_response`` as a prepared answer with the page's others (runs in a thread); None when the
        page's query failed: the slow path then answers (and counts) the request, with its error page."""
        try:
            page = self.built_page(ctx, build)
        except PageQueryFailed:
            return None
        TALLY.inc(PAGE_CACHE_MISS)
        prepared = self.prepared(page, ctx, path)
        return prepared, prepared_answer(page, prepared, if_none_match, accept_encoding)

    def failed_response(self, ctx: PageContext, failed: PageQueryFailed) -> Response:
        """500 for a page whose query failed, 503 with ``Retry-After`` when the database is down or busy."""
        if failed.code in RETRYABLE_CODES:
            page = self.error_response(ctx, 503, "Temporarily unavailable", UNAVAILABLE_MESSAGE)
            return with_retry_after(page)
        return self.error_response(ctx, 500, "Something went wrong", "This page could not be loaded.")

    def error_response(self, ctx: PageContext, status: int, heading: str, message: str) -> Response:
        page = self.pages.error_page(ctx, status, heading, message)
        return page_response(Headers(), page, origin=ctx.urls.origin(), cache_control="no-store")

    # --- routes ---------------------------------------------------------------------------------------

    async def home_route(self, request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            return await self._not_found(request)
        return await self.serve_on_loop(request, lambda ctx: self.pages.home(ctx, int(raw)))

    async def article_route(self, request: Request) -> Response:
        article_id = int(request.path_params["id"])
        if article_id > MAX_ID:
            return await self._not_found(request)
        slug = request.path_params.get("slug")
        return await self.serve_on_loop(request, lambda ctx: self.pages.article(ctx, article_id, slug))

    async def search_route(self, request: Request) -> Response:
        search = read_search(request.query_params.get("q"), request.query_params.get("page"))
        if search is None:
            return await self._not_found(request)
        return await self.serve_on_loop(request, lambda ctx: self.pages.search(ctx, search))

    async def submit_route(self, request: Request) -> Response:
        """The link form's POST: a small urlencoded body, read with a size limit before anything else."""
        article_id = int(request.path_params["id"])
        if article_id > MAX_ID:
            return await self._not_found(request)
        limit = self.settings.links_max_request_bytes
        if int(request.headers.get("content-length") or 0) > limit:
            return PlainTextResponse("The form you sent is too large.", status_code=413)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return PlainTextResponse("Send the form as application/x-www-form-urlencoded.", status_code=415)
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    return PlainTextResponse("The form you sent is too large.", status_code=413)
        except ClientDisconnect:
            log.info("client disconnected before sending the whole form to %s", request.url.path)
            return PlainTextResponse("The form did not arrive whole.", status_code=400)
        fields = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        return await run_in_threadpool(self.submit, request, article_id, fields)

    def submit(self, request: Request, article_id: int, fields: dict[str, str]) -> Response:
        """Check the token and origin, hand the fields to ``submit_link``, and show the page with the outcome.

        When the database is down or busy the answer is a 503 with ``Retry-After`` whose form keeps what the
        reader typed: the article page if it can still be read, else a page with the form alone."""
        try:
            posted = read_link_form(fields)
        except LinkRuleError:
            posted = PostedLinkForm(url="", consent=False, honeypot="")
        kept = FormState(url=posted.url[:4096], consent=posted.consent)
        ctx = self.context_or_answer(request)
        if isinstance(ctx, Response):
            if ctx.status_code == 503:
                return self.unavailable_form(request, article_id, kept.refused(DOWN_MESSAGE))
            return ctx
        origins = {ctx.urls.origin(), f"{request.url.scheme}://{request.headers.get('host', '')}"}
        token_ok = self.tokens.valid(fields.get("csrf", ""), article_id)
        if not token_ok or not origin_allowed(request.headers.get("origin"), origins):
            state, status = kept.refused("This form has expired; please submit it again."), 403
        else:
            client = request.client.host if request.client else None
            try:
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
            except DATABASE_ERRORS as exc:
                error = map_driver_error(exc)
                if error.code not in RETRYABLE_CODES:
                    raise
                message = BUSY_MESSAGE if isinstance(error, DatabaseBusy) else DOWN_MESSAGE
                state, status = kept.refused(message), 503
            else:
                if isinstance(outcome, Refused):
                    state, status = kept.refused(outcome.message), REFUSAL_STATUS.get(outcome.code, 400)
                else:
                    state, status = FormState(notice=ACCEPTED_NOTICE), 200
        try:
            page = self.pages.article(ctx, article_id, None, form_state=state, status=status)
        except PageQueryFailed as failed:
            if failed.code in RETRYABLE_CODES:
                return self.unavailable_form(request, article_id, state)
            return self.error_response(ctx, 500, "Something went wrong", "This page could not be loaded.")
        response = page_response(request.headers, page, origin=ctx.urls.origin(), cache_control="no-store")
        return with_retry_after(response) if status == 503 else response

    def unavailable_form(self, request: Request, article_id: int, state: FormState) -> Response:
        """The 503 page of a form post the database could not take: the form alone, with the reader's input."""
        if state.error is None and state.notice is None:
            state = state.refused(DOWN_MESSAGE)
        form = self.pages.link_form(request.url.path, article_id, state)
        body = self.renderer.render("unavailable.html", message=UNAVAILABLE_MESSAGE, form=form)
        return with_retry_after(HTMLResponse(body, status_code=503))

    async def webmention_route(self, request: Request) -> Response:
        """The Webmention endpoint (W3C Recommendation): check the request now, verify the source later."""
        limit = self.settings.links_max_request_bytes
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return webmention_answer("Send source and target as application/x-www-form-urlencoded.", 415)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return webmention_answer("The request is too large.", 413)
        fields = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        return await run_in_threadpool(self.receive_webmention, request, fields)

    def receive_webmention(self, request: Request, fields: dict[str, str]) -> Response:
        ctx = self.context_or_answer(request)
        if isinstance(ctx, Response):
            return ctx
        try:
            mention = read_mention(fields)
            # The target must be an article of a site of this network: named by its host, or by the address
            # this request came to (a single-site install behind any name).
            site = self.directory.by_host.get(mention.target_host)
            if site is None and mention.target_host == normalize_host(request.headers.get("host", "")):
                site = ctx.site
            if site is None:
                raise MentionRefused("The target is not a page of this site.")
            client = request.client.host if request.client else None
            received = receive_mention(
                self.engine,
                mention,
                site.id,
                ip_hash=hash_ip(client, self.ip_salt()) if client else None,
                rules=self.link_rules,
            )
        except MentionRefused as refused:
            return webmention_answer(refused.message, refused.status)
        except DATABASE_ERRORS:
            return unavailable()
        what = "Updated: the source will be checked again." if received.updated else "Accepted."
        return webmention_answer(f"{what} The source will be verified before the link is shown.", 202)

    async def sitemap_route(self, request: Request) -> Response:
        return await self.serve_on_loop(request, self.pages.sitemap_index)

    async def sitemap_page_route(self, request: Request) -> Response:
        number = int(request.path_params["number"])
        if not 1 <= number <= 100_000:
            return await self._not_found(request)
        return await self.serve_on_loop(request, lambda ctx: self.pages.sitemap_page(ctx, number))

    async def feed_route(self, request: Request) -> Response:
        return await self.serve_on_loop(request, self.pages.feed)

    async def rss_route(self, request: Request) -> Response:
        return await self.serve_on_loop(request, self.pages.rss)

    async def json_feed_route(self, request: Request) -> Response:
        return await self.serve_on_loop(request, self.pages.json_feed)

    async def news_sitemap_route(self, request: Request) -> Response:
        return await self.serve_on_loop(request, self.pages.news_sitemap)

    async def robots_route(self, request: Request) -> Response:
        ctx = await run_in_threadpool(self.context_or_answer, request)
        if isinstance(ctx, Response):
            return ctx
        text = (
            "User-agent: *\nAllow: /\nDisallow: /v1/\nDisallow: /search\n\n"
            f"Sitemap: {ctx.urls.path('/sitemap.xml')}\nSitemap: {ctx.urls.path('/news-sitemap.xml')}\n"
        )
        return PlainTextResponse(text, headers={"Cache-Control": self.anonymous_cache_control})

    async def favicon_route(self, request: Request) -> Response:
        """The site's SVG icon (also at /favicon.ico, which browsers ask for whatever the page says)."""
        ctx = await run_in_threadpool(self.context_or_answer, request)
        if isinstance(ctx, Response):
            return ctx
        body = favicon_svg(ctx.site.name, ctx.site.host)
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(body, media_type="image/svg+xml", headers=headers)

    async def card_route(self, request: Request) -> Response:
        """An article's sharing card (its ``og:image`` when it has no image of its own)."""
        article_id = int(request.path_params["id"])
        if article_id > MAX_ID:
            return await self._not_found(request)

        def answer() -> Response | None:
            ctx = self.context_or_answer(request)
            if isinstance(ctx, Response):
                return ctx
            try:
                return self.images.card(request.headers, ctx.site, article_id)
            except PageQueryFailed as failed:
                return self.failed_response(ctx, failed)

        response = await run_in_threadpool(answer)
        return response if response is not None else await self._not_found(request)

    async def touch_icon_route(self, request: Request) -> Response:
        """The site's touch icons: ``/apple-touch-icon.png`` (180 px) and the manifest's ``/icon-{size}.png``."""
        size = int(request.path_params.get("size", 180))
        ctx = await run_in_threadpool(self.context_or_answer, request)
        if isinstance(ctx, Response):
            return ctx
        response = await run_in_threadpool(self.images.touch_icon, request.headers, ctx.site, size)
        return response if response is not None else await self._not_found(request)

    async def manifest_route(self, request: Request) -> Response:
        ctx = await run_in_threadpool(self.context_or_answer, request)
        if isinstance(ctx, Response):
            return ctx
        return web_manifest(ctx.site, ctx.urls)

    async def indexnow_key_route(self, request: Request) -> Response:
        """The IndexNow key file, the ``keyLocation`` of this network's pings."""
        if not self.settings.indexnow_enabled:
            return await self._not_found(request)
        key = await run_in_threadpool(indexnow_key, self.settings)
        return PlainTextResponse(key, headers={"Cache-Control": "public, max-age=86400"})

    async def static_route(self, request: Request) -> Response:
        asset = self.assets.by_hashed_name.get(request.path_params["name"])
        if asset is None:
            return PlainTextResponse("Not found.", status_code=404)
        etag = f'"{asset.hashed_name}"'
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": etag,
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
            return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    async def _not_found(self, request: Request) -> Response:
        def build() -> Response:
            ctx = self.context_or_answer(request)
            if isinstance(ctx, Response):
                return ctx
            return self.error_response(ctx, 404, "Page not found", "There is nothing at this address.")

        return await run_in_threadpool(build)

    async def not_found_handler(self, request: Request, _exc: Exception) -> Response:
        return await self._not_found(request)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}", self.article_route, methods=["GET", "HEAD"]),
            Route("/search", self.search_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}/links", self.submit_route, methods=["POST"]),
            Route("/a/{id:int}/{slug}", self.article_route, methods=["GET", "HEAD"]),
            Route("/a/{id:int}/{slug}", self.submit_route, methods=["POST"]),
            Route("/sitemap.xml", self.sitemap_route, methods=["GET", "HEAD"]),
            Route("/sitemap-{number:int}.xml", self.sitemap_page_route, methods=["GET", "HEAD"]),
            Route("/feed.xml", self.feed_route, methods=["GET", "HEAD"]),
            Route("/rss.xml", self.rss_route, methods=["GET", "HEAD"]),
            Route("/feed.json", self.json_feed_route, methods=["GET", "HEAD"]),
            Route("/news-sitemap.xml", self.news_sitemap_route, methods=["GET", "HEAD"]),
            Route("/robots.txt", self.robots_route, methods=["GET", "HEAD"]),
            Route("/webmention", self.webmention_route, methods=["POST"]),
            Route("/static/{name}", self.static_route, methods=["GET", "HEAD"]),
            Route("/favicon.ico", self.favicon_route, methods=["GET", "HEAD"]),
            Route(KEY_PATH, self.indexnow_key_route, methods=["GET", "HEAD"]),
            Route("/favicon.svg", self.favicon_route, methods=["GET", "HEAD"]),
            Route("/card/{id:int}.png", self.card_route, methods=["GET", "HEAD"]),
            Route("/apple-touch-icon.png", self.touch_icon_route, methods=["GET", "HEAD"]),
            Route("/icon-{size:int}.png", self.touch_icon_route, methods=["GET", "HEAD"]),
            Route("/manifest.webmanifest", self.manifest_route, methods=["GET", "HEAD"]),
        ]


def webmention_answer(message: str, status: int) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})
