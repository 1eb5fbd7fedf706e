"""Hasura's HTTP endpoints over a :class:`GraphQLEngine`: ``/v1/graphql`` (single or batched), GraphiQL,
``/v1alpha1/graphql``.

The edge decides who is asking (admin secret, ``X-Hasura-Role``, session variables from ``X-Hasura-*``
headers) and turns every failure into Hasura's error shape: no request yields a 500 or a traceback.
"""

from __future__ import annotations

import hmac
import html
import logging
import time
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from qapress.engine.engine import GraphQLEngine
from qapress.engine.permissions import ADMIN, ANONYMOUS
from qapress.observe.metrics import count_error, observe_operation

log = logging.getLogger(__name__)

MAX_BATCH = 100
JSON = "application/json; charset=utf-8"
STATIC = resources.files("qapress.engine").joinpath("static", "graphiql")
#: GraphiQL loads only its own files from this origin: no inline script, no CDN.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


#: Session variables the server itself vouches for (e.g. the reader's hashed IP), from the request.
TrustedSession = Callable[[Request], Mapping[str, str]]


class _Caller:
    def __init__(self, role: str, session: dict[str, str]) -> None:
        self.role = role
        self.session = session


def _error(message: str, code: str, path: str = "$") -> dict[str, Any]:
    count_error(code)
    return {"errors": [{"message": message, "extensions": {"path": path, "code": code}}]}


def _json(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type=JSON)


class GraphQLEndpoint:
    def __init__(
        self,
        gql: GraphQLEngine,
        admin_secret: str | None,
        max_body_bytes: int,
        alpha: bool,
        open_role: str = ANONYMOUS,
        trusted_session: TrustedSession | None = None,
    ) -> None:
        self.gql = gql
        self.admin_secret = admin_secret
        self.max_body_bytes = max_body_bytes
        self.alpha = alpha
        self.open_role = open_role
        self.trusted_session = trusted_session

    def caller(self, request: Request) -> _Caller | Response:
        caller = self.claimed_caller(request)
        if isinstance(caller, _Caller) and self.trusted_session is not None:
            # What the server vouches for replaces whatever the client sent under the same names.
            caller.session.update({k.lower(): v for k, v in self.trusted_session(request).items()})
        return caller

    def claimed_caller(self, request: Request) -> _Caller | Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        session = {
            k: v
            for k, v in headers.items()
            if k.startswith("x-hasura-") and k not in ("x-hasura-admin-secret", "x-hasura-access-key")
        }
        if self.admin_secret is None:
            if self.open_role == ADMIN:
                # Hasura's development mode: no secret configured, the client names its role.
                return _Caller(headers.get("x-hasura-role", ADMIN), session)
            return _Caller(self.open_role, {"x-hasura-role": self.open_role})
        given = headers.get("x-hasura-admin-secret")
        if given is None:
            # Without the secret nothing the client claims about itself is trusted.
            return _Caller(ANONYMOUS, {"x-hasura-role": ANONYMOUS})
        if not hmac.compare_digest(given.encode(), self.admin_secret.encode()):
            return _json(_error("invalid x-hasura-admin-secret/x-hasura-access-key", "access-denied"), 401)
        return _Caller(headers.get("x-hasura-role", ADMIN), session)

    async def serve(self, request: Request) -> Response:
        try:
            return await self.handle(request)
        except Exception:
            log.exception("unexpected error at the GraphQL endpoint")
            return _json(_error("unexpected error while answering the request", "unexpected"), 400)

    async def handle(self, request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            return _json(_error(f"request body larger than {self.max_body_bytes} bytes", "bad-request"), 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body_bytes:
                return _json(
                    _error(f"request body larger than {self.max_body_bytes} bytes", "bad-request"), 413
                )
        caller = self.caller(request)
        if isinstance(caller, Response):
            return caller
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _json(_error("the request body is not valid JSON", "invalid-json"), 400)
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                message = f"a batch must hold between 1 and {MAX_BATCH} requests"
                return _json(_error(message, "bad-request"), 400)
            answers = [await self.answer(item, caller) for item in payload]
            return Response(b"[" + b",".join(answers) + b"]", media_type=JSON)
        answer = await self.answer(payload, caller)
        status = 400 if self.alpha and answer.startswith(b'{"errors"') else 200
        return Response(answer, status_code=status, media_type=JSON)

    async def answer(self, item: Any, caller: _Caller) -> bytes:
        if not isinstance(item, dict):
            return orjson.dumps(_error("expected a JSON object with a 'query'", "parse-failed"))
        if not isinstance(item.get("query"), str):
            return orjson.dumps(_error("the request has no 'query' string", "parse-failed", "$.query"))
        started = time.perf_counter()
        answer: bytes = await run_in_threadpool(
            self.gql.execute_bytes,
            item["query"],
            item.get("variables"),
            item.get("operationName"),
            caller.role,
            caller.session,
        )
        observe_operation(item.get("operationName"), time.perf_counter() - started, answer)
        return answer


def graphiql_page(endpoint: str, assets: str) -> str:
    template = STATIC.joinpath("index.html").read_text(encoding="utf-8")
    return template.replace("{{endpoint}}", html.escape(endpoint)).replace("{{assets}}", html.escape(assets))


def graphql_routes(
    gql: GraphQLEngine,
    admin_secret: str | None = None,
    max_body_bytes: int = 1_000_000,
    *,
    open_role: str = ANONYMOUS,
    trusted_session: TrustedSession | None = None,
) -> list[BaseRoute]:
    """Starlette routes: ``POST /v1/graphql`` (single or batched), ``GET /v1/graphql`` (GraphiQL),
    ``POST /v1alpha1/graphql`` (errors with HTTP 400).

    Callers are ``anonymous`` unless they show ``admin_secret``; then ``X-Hasura-Role`` and the other
    ``X-Hasura-*`` headers count. With no secret configured every caller has ``open_role``; only
    ``open_role="admin"`` (Hasura's development mode) lets clients name their role. ``trusted_session``
    adds session variables the server vouches for, overriding any header of the same name."""
    page = graphiql_page("/v1/graphql", "/v1/graphql/assets")

    async def graphiql(_request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": GRAPHIQL_CSP})

    return [
        Route(
            "/v1/graphql",
            GraphQLEndpoint(gql, admin_secret, max_body_bytes, False, open_role, trusted_session).serve,
            methods=["POST"],
        ),
        Route("/v1/graphql", graphiql, methods=["GET"]),
        Mount("/v1/graphql/assets", app=StaticFiles(directory=str(STATIC)), name="graphiql-assets"),
        Route(
            "/v1alpha1/graphql",
            GraphQLEndpoint(gql, admin_secret, max_body_bytes, True, open_role, trusted_session).serve,
            methods=["POST"],
        ),
    ]
