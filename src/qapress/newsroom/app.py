"""The newsroom's routes under ``/newsroom/``: sign-in and sign-out, the dashboard, sites and the audit log.

Drafts live in ``drafts.py`` and readers' links in ``links.py``; this module wires them and holds what
every page needs: the signed-in account (or a redirect to sign in), the form token and the origin check.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession, end_session
from qapress.accounts.signin import SignedIn, sign_in
from qapress.engine import EngineError, GraphQLEngine
from qapress.newsroom.auth import PREFIX, SESSION_COOKIE, Gate, client_address
from qapress.newsroom.forms import FieldError
from qapress.newsroom.graphql import NewsroomQueryError, StaffGraphQL, session_variables
from qapress.newsroom.render import NewsroomRenderer, private_headers, redirect
from qapress.settings import Settings
from qapress.site.assets import StaticAssets
from qapress.store.hosts import InvalidHost
from qapress.store.sites import SiteError, SiteFields, add_site, edit_site

log = logging.getLogger(__name__)

Form = dict[str, str]
Handler = Callable[[Request, ActiveSession, Form], Response]

MAX_FORM_BYTES = 200_000

DASHBOARD_QUERY = """
query Dashboard {
  domain(order_by: {id: asc}) {
    id host name language description
    drafts: articles_aggregate(where: {status: {_eq: "draft"}}) { aggregate { count } }
    published: articles_aggregate(where: {status: {_eq: "published"}}) { aggregate { count } }
    withdrawn: articles_aggregate(where: {status: {_eq: "withdrawn"}}) { aggregate { count } }
  }
}
"""


def pending_links_query(site_ids: list[int]) -> str:
    """One count of pending links per site, as aliases (``s7``) of one query; the ids are integers."""
    counts = " ".join(
        f's{site_id}: link_aggregate(where: {{status: {{_eq: "pending"}}, article: {{domain: {{_eq: {site_id}}}}}}})'
        " { aggregate { count } }"
        for site_id in site_ids
    )
    return f"query PendingLinks {{ {counts} }}"


def refused(message: str, status: int = 403) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "private, no-store"})


class Newsroom:
    def __init__(
        self, settings: Settings, engine: Engine, gql: GraphQLEngine, assets: StaticAssets, key: str
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.gate = Gate(settings, engine, key)
        self.data = StaffGraphQL(gql)
        self.renderer = NewsroomRenderer(assets)

    # --- what every page needs --------------------------------------------------------------------

    @staticmethod
    def origin(request: Request) -> str:
        return f"{request.url.scheme}://{request.headers.get('host', '')}"

    def render(
        self,
        request: Request,
        template: str,
        session: ActiveSession | None,
        status: int = 200,
        **context: object,
    ) -> Response:
        if session is not None:
            context.setdefault("account", session.account)
            context.setdefault("csrf", self.gate.csrf_token(session))
        return self.renderer.page(template, self.origin(request), status, **context)

    async def read_form(self, request: Request) -> Form | Response:
        declared = request.headers.get("content-length") or "0"
        if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
            return refused("The form you sent is too large.", 413)
        async with request.form(max_files=0, max_fields=500) as form:
            return {key: value for key, value in form.items() if isinstance(value, str)}

    def page(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """A route that needs a signed-in account; a POST also needs its form token and this site's origin."""

        async def route(request: Request) -> Response:
            form: Form = {}
            if request.method == "POST":
                if not self.gate.same_origin(request):
                    return refused("This form was sent from another site and was refused.")
                read = await self.read_form(request)
                if isinstance(read, Response):
                    return read
                form = read

            def run() -> Response:
                try:
                    return guarded()
                except (NewsroomQueryError, SQLAlchemyError, EngineError):
                    log.exception("newsroom page %s failed", request.url.path)
                    return self.renderer.page(
                        "message.html",
                        self.origin(request),
                        503,
                        heading="Something went wrong",
                        message="The newsroom could not reach its database or read this page; try again shortly.",
                    )

            def guarded() -> Response:
                session = self.gate.session(request)
                if session is None:
                    if request.method == "POST":
                        return refused("Your session has ended; sign in again.", 401)
                    return redirect(f"{PREFIX}/sign-in?next={quote(request.url.path)}")
                if request.method == "POST" and not session.csrf_valid(self.gate.key, form.get("csrf", "")):
                    return refused("This form has expired; go back, reload the page and send it again.")
                return handler(request, session, form)

            return await run_in_threadpool(run)

        return route

    def graphql_caller(self, request: Request) -> tuple[str, dict[str, str]] | None:
        """``/v1/graphql`` with the newsroom's cookie: the account's role and session variables.

        Only a same-origin JSON request counts (a cross-site page can send neither without a CORS preflight,
        which this server never grants), so the cookie cannot be ridden from another site.
        """
        if SESSION_COOKIE not in request.cookies:
            return None
        origin = request.headers.get("origin")
        if origin is not None and origin.lower() not in self.gate.own_origins(request):
            return None
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return None
        session = self.gate.session(request)
        return None if session is None else (session.account.role, session_variables(session.account))

    # --- signing in and out -----------------------------------------------------------------------

    async def sign_in_page(self, request: Request) -> Response:
        nonce, new = self.gate.signin_nonce(request)
        next_path = safe_next(request.query_params.get("next"))
        response = self.renderer.page(
            "sign_in.html",
            self.origin(request),
            csrf=self.gate.signin_token(nonce),
            email="",
            next=next_path,
            notice="You are signed out." if request.query_params.get("signed-out") else None,
        )
        if new:
            self.gate.set_signin_cookie(response, nonce)
        return response

    async def sign_in_post(self, request: Request) -> Response:
        if not self.gate.same_origin(request):
            return refused("This form was sent from another site and was refused.")
        form = await self.read_form(request)
        if isinstance(form, Response):
            return form
        email, password = form.get("email", "").strip(), form.get("password", "")
        next_path = safe_next(form.get("next"))
        nonce, new = self.gate.signin_nonce(request)

        def again(errors: list[FieldError], status: int) -> Response:
            response = self.renderer.page(
                "sign_in.html",
                self.origin(request),
                status,
                csrf=self.gate.signin_token(nonce),
                email=email,
                next=next_path,
                errors=errors,
            )
            if new:
                self.gate.set_signin_cookie(response, nonce)
            return response

        if not self.gate.signin_token_valid(request, form.get("csrf", "")):
            return again([FieldError("email", "This form has expired; please sign in again.")], 403)
        errors = []
        if not email:
            errors.append(FieldError("email", "Enter your email address"))
        if not password:
            errors.append(FieldError("password", "Enter your password"))
        if errors:
            return again(errors, 400)

        def attempt() -> Response:
            previous = self.gate.session(request)
            outcome = sign_in(
                self.engine,
                email,
                password,
                client_address(request),
                limits=self.gate.limits,
                policy=self.gate.policy,
            )
            if not isinstance(outcome, SignedIn):
                return again([FieldError("email", outcome.message)], 429 if outcome.throttled else 400)
            if previous is not None:  # signing in again: the old session ends, a new id is issued
                with self.engine.begin() as connection:
                    end_session(connection, previous.digest)
            response = redirect(next_path)
            self.gate.set_session_cookie(response, outcome.token)
            return response

        return await run_in_threadpool(attempt)

    def sign_out(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        with self.engine.begin() as connection:
            end_session(connection, session.digest)
            email = session.account.email.lower()
            audit.record(connection, email, "auth.sign-out", email, client=client_address(request))
        response = redirect(f"{PREFIX}/sign-in?signed-out=1")
        self.gate.clear_session_cookie(response)
        return response

    # --- the dashboard, the audit log, sites ------------------------------------------------------

    def dashboard(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        data = self.data.run(session.account, DASHBOARD_QUERY)
        site_ids = [int(site["id"]) for site in data["domain"]]
        counts = self.data.run(session.account, pending_links_query(site_ids)) if site_ids else {}
        pending = {site_id: counts[f"s{site_id}"]["aggregate"]["count"] for site_id in site_ids}
        sites = [
            {
                **site,
                "drafts": site["drafts"]["aggregate"]["count"],
                "published": site["published"]["aggregate"]["count"],
                "withdrawn": site["withdrawn"]["aggregate"]["count"],
                "pending": pending.get(site["id"], 0),
            }
            for site in data["domain"]
        ]
        return self.render(request, "dashboard.html", session, sites=sites)

    def audit_page(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        if not session.account.is_owner:
            return self.render(
                request,
                "message.html",
                session,
                403,
                heading="Owners only",
                message="Only owners read the audit log.",
            )
        raw = request.query_params.get("page", "1")
        page = int(raw) if raw.isdigit() and 1 <= int(raw) <= 10_000 else 1
        entries = audit.recent(self.engine, 101, (page - 1) * 100)
        return self.render(
            request, "audit.html", session, entries=entries[:100], page=page, more=len(entries) > 100
        )

    def site_form(self, request: Request, session: ActiveSession, form: Form) -> Response:
        """Add a site (``/sites/new``) or edit one (``/sites/{id}/edit``): owners only."""
        if not session.account.is_owner:
            return self.render(
                request,
                "message.html",
                session,
                403,
                heading="Owners only",
                message="Only owners add or change sites.",
            )
        site_id = request.path_params.get("site_id")
        current = None
        if site_id is not None:
            data = self.data.run(
                session.account,
                "query($id: Int!) { domain_by_pk(id: $id) { id host name language description } }",
                {"id": site_id},
            )
            current = data["domain_by_pk"]
            if current is None:
                return self.render(
                    request,
                    "message.html",
                    session,
                    404,
                    heading="No such site",
                    message="There is no such site.",
                )
        values = {
            "host": form.get("host", current["host"] if current else ""),
            "name": form.get("name", current["name"] if current else ""),
            "language": form.get("language", current["language"] if current else "en"),
            "tagline": form.get("tagline", current["description"] if current else ""),
        }
        errors: list[FieldError] = []
        if request.method == "POST":
            for name, message in (("host", "Enter the site's host"), ("name", "Enter the site's name")):
                if not values[name].strip():
                    errors.append(FieldError(name, message))
            if not errors:
                actor, client = session.account.email.lower(), client_address(request)
                try:
                    if current is None:
                        add_site(self.engine, SiteFields(**values), actor, client)
                    else:
                        edit_site(
                            self.engine,
                            current["host"],
                            new_host=values["host"],
                            name=values["name"],
                            language=values["language"],
                            tagline=values["tagline"],
                            actor=actor,
                            client=client,
                        )
                except (SiteError, InvalidHost) as exc:
                    message = str(exc)
                    field = "host" if "host" in message else "language" if "language" in message else "name"
                    errors.append(FieldError(field, message[0].upper() + message[1:]))
                else:
                    return redirect(f"{PREFIX}/")
        return self.render(
            request,
            "site_form.html",
            session,
            400 if errors else 200,
            values=values,
            errors=errors,
            editing=current,
        )

    # --- wiring -----------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        from qapress.newsroom.blocks import BlockPages
        from qapress.newsroom.drafts import DraftPages
        from qapress.newsroom.links import LinkPages
        from qapress.newsroom.revisions import RevisionPages
        from qapress.newsroom.search import SearchPages

        drafts = DraftPages(self)
        links = LinkPages(self)
        revisions = RevisionPages(self, drafts)
        blocks = BlockPages(self)
        search = SearchPages(self)
        return [
            Mount(
                PREFIX,
                routes=[
                    Route("/", self.page(self.dashboard), methods=["GET"]),
                    Route("/sign-in", self.sign_in_page, methods=["GET"]),
                    Route("/sign-in", self.sign_in_post, methods=["POST"]),
                    Route("/sign-out", self.page(self.sign_out), methods=["POST"]),
                    Route("/audit", self.page(self.audit_page), methods=["GET"]),
                    Route("/sites/new", self.page(self.site_form), methods=["GET", "POST"]),
                    Route("/sites/{site_id:int}/edit", self.page(self.site_form), methods=["GET", "POST"]),
                    Route("/sites/{site_id:int}/drafts", self.page(drafts.queue), methods=["GET"]),
                    Route("/articles/{article_id:int}", self.page(drafts.draft), methods=["GET", "POST"]),
                    Route(
                        "/articles/{article_id:int}/status", self.page(drafts.set_status), methods=["POST"]
                    ),
                    Route(
                        "/articles/{article_id:int}/revisions", self.page(revisions.history), methods=["GET"]
                    ),
                    Route(
                        "/articles/{article_id:int}/revisions/{version:int}",
                        self.page(revisions.revision),
                        methods=["GET"],
                    ),
                    Route(
                        "/articles/{article_id:int}/revisions/{version:int}/restore",
                        self.page(revisions.restore),
                        methods=["POST"],
                    ),
                    Route("/sites/{site_id:int}/links", self.page(links.queue), methods=["GET", "POST"]),
                    Route("/blocks", self.page(blocks.blocks), methods=["GET", "POST"]),
                    Route("/search", self.page(search.search), methods=["GET"]),
                ],
            ),
            Route(PREFIX, lambda request: redirect(f"{PREFIX}/"), methods=["GET"]),
        ]


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a newsroom path of this site only (no open redirect)."""
    if raw and raw.startswith(f"{PREFIX}/") and "//" not in raw and "\\" not in raw and "\n" not in raw:
        return raw
    return f"{PREFIX}/"


__all__ = ["SESSION_COOKIE", "Newsroom", "private_headers"]
