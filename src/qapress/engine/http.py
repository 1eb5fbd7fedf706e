"""Hasura's HTTP endpoints over a :class:`GraphQLEngine`: ``/v1/graphql`` (single or batched), GraphiQL,
``/v1alpha1/graphql``.

The edge decides who is asking (admin secret, ``X-Hasura-Role``, session variables from ``X-Hasura-*``
headers) and turns every failure into Hasura's error shape: no request yields a 500 or a traceback.

A batch is planned first and its estimated costs summed against the role's budget, so a batch over it is
refused before anything runs; then its answers are produced one at a time in the threadpool and streamed as
they come, each one capped by what is left of the batch's byte cap: the event loop only passes bytes on, and
the process never holds more than one answer of a batch.
"""

from __future__ import annotations

import hmac
import html
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from importlib import resources
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from qapress.engine.admission import admit
from qapress.engine.engine import GraphQLEngine, Prepared
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

#: A caller the server signed in itself (the newsroom's session cookie): its role and session variables, or
#: None. Called in the threadpool (it may read the database); a request showing the admin secret skips it.
SessionCaller = Callable[[Request], tuple[str, Mapping[str, str]] | None]


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
        session_caller: SessionCaller | None = None,
    ) -> None:
        self.session_caller = session_caller
        self.gql = gql
        self.admin_secret = admin_secret
        self.max_body_bytes = max_body_bytes
        self.alpha = alpha
        self.open_role = open_role
        self.trusted_session = trusted_session

    async def resolve_caller(self, request: Request) -> _Caller | Response:
        """A signed-in caller (``session_caller``) when there is one, else who the headers say."""
        if self.session_caller is not None and "x-hasura-admin-secret" not in request.headers:
            signed_in = await run_in_threadpool(self.session_caller, request)
            if signed_in is not None:
                role, variables = signed_in
                caller = _Caller(role, {k.lower(): v for k, v in variables.items()})
                if self.trusted_session is not None:
                    caller.session.update({k.lower(): v for k, v in self.trusted_session(request).items()})
                caller.session["x-hasura-role"] = role
                return caller
        return self.caller(request)

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
        except ClientDisconnect:
            # Nobody is left to answer: one line, not a traceback (an audit run logged 584 of them).
            log.info("client disconnected before sending the whole body of %s", request.url.path)
            return Response(status_code=400)
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
        caller = await self.resolve_caller(request)
        if isinstance(caller, Response):
            return caller
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _json(_error("the request body is not valid JSON", "invalid-json"), 400)
        refused = await admit(self.gql, request, caller.role, caller.session, payload)
        if refused is not None:
            return refused
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                message = f"a batch must hold between 1 and {MAX_BATCH} requests"
                return _json(_error(message, "bad-request"), 400)
            prepared = await run_in_threadpool(self.prepare_batch, payload, caller)
            refusal = self.gql.over_budget(caller.role, sum(p.cost for p in prepared), batch=True)
            if refusal is not None:
                return Response(refusal, media_type=JSON)
            return StreamingResponse(self.stream_batch(prepared), media_type=JSON)
        answer = await self.answer(payload, caller)
        status = 400 if self.alpha and answer.startswith(b'{"errors"') else 200
        return Response(answer, status_code=status, media_type=JSON)

    def prepare_batch(self, items: list[Any], caller: _Caller) -> list[Prepared]:
        """Every item of a batch planned (in one threadpool call), in order; nothing is run yet."""
        prepared = []
        for item in items:
            refusal = _malformed(item)
            if refusal is not None:
                prepared.append(Prepared(answer=refusal))
                continue
            prepared.append(
                self.gql.prepare(
                    item["query"],
                    item.get("variables"),
                    item.get("operationName"),
                    caller.role,
                    caller.session,
                )
            )
        return prepared

    async def stream_batch(self, prepared: list[Prepared]) -> AsyncIterator[bytes]:
        """The batch's JSON array, one answer at a time, each capped by what is left of the batch's bytes."""
        cap = self.gql.max_batch_bytes
        sent = 0
        yield b"["
        for index, item in enumerate(prepared):
            left = None if cap is None else cap - sent
            try:
                answer = await run_in_threadpool(self.gql.run, item, left)
            except Exception:  # run() answers every error itself; this is the last guard of an open stream
                log.exception("unexpected error answering an item of a batch")
                answer = orjson.dumps(_error("unexpected error while answering the request", "unexpected"))
            sent += len(answer)
            yield answer if index == 0 else b"," + answer
        yield b"]"

    async def answer(self, item: Any, caller: _Caller) -> bytes:
        refusal = _malformed(item)
        if refusal is not None:
            return refusal
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


def _malformed(item: Any) -> bytes | None:
    """The error for a batch item or body that is no GraphQL request object, else None."""
    if not isinstance(item, dict):
        return orjson.dumps(_error("expected a JSON object with a 'query'", "parse-failed"))
    if "query" not in item:
        # Hasura's request parser, also for an Apollo persisted-query request ({"extensions":
        # {"persistedQuery": {"sha256Hash": ...}}} without the query) while persisted queries are off.
        return orjson.dumps(_error('key "query" not found', "parse-failed"))
    if not isinstance(item.get("query"), str):
        return orjson.dumps(_error("the request has no 'query' string", "parse-failed", "$.query"))
    return None


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
    session_caller: SessionCaller | None = None,
) -> list[BaseRoute]:
    """Starlette routes: ``POST /v1/graphql`` (single or batched), ``GET /v1/graphql`` (GraphiQL),
    ``POST /v1alpha1/graphql`` (errors with HTTP 400).

    Callers are ``anonymous`` unless they show ``admin_secret``; then ``X-Hasura-Role`` and the other
    ``X-Hasura-*`` headers count. With no secret configured every caller has ``open_role``; only
    ``open_role="admin"`` (Hasura's development mode) lets clients name their role. ``trusted_session``
    adds session variables the server vouches for, overriding any header of the same name; ``session_caller``
    names callers the server signed in (the newsroom's cookie), whose role and variables replace the headers'."""
    page = graphiql_page("/v1/graphql", "/v1/graphql/assets")

    async def graphiql(_request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": GRAPHIQL_CSP})

    return [
        Route(
            "/v1/graphql",
            GraphQLEndpoint(
                gql, admin_secret, max_body_bytes, False, open_role, trusted_session, session_caller
            ).serve,
            methods=["POST"],
        ),
        Route("/v1/graphql", graphiql, methods=["GET"]),
        Mount("/v1/graphql/assets", app=StaticFiles(directory=str(STATIC)), name="graphiql-assets"),
        Route(
            "/v1alpha1/graphql",
            GraphQLEndpoint(
                gql, admin_secret, max_body_bytes, True, open_role, trusted_session, session_caller
            ).serve,
            methods=["POST"],
        ),
    ]
