"""Hasura's HTTP endpoints over a :class:`GraphQLEngine`: ``/v1/graphql`` (single or batched), GraphiQL,
``/v1alpha1/graphql``.

The edge decides who is asking (admin secret, ``X-Hasura-Role``, session variables from ``X-Hasura-*``
headers) and turns every failure into Hasura's error shape: no request yields a 500 or a traceback.

A batch is planned first and its estimated costs summed against the role's budget, so a batch over it is
refused before anything runs; then its answers are produced one at a time in the threadpool and streamed as
they come, each one capped by what is left of the batch's byte cap: the event loop only passes bytes on, and
the process never holds more than one answer of a batch.

GraphQL over HTTP (the spec's draft): a client that prefers ``application/graphql-response+json`` gets it,
with 400 for a request that fails before it runs; everyone else gets ``application/json`` with Hasura's 200s.
A POST must say its body is JSON (else 415). ``GET /v1/graphql`` runs queries (never mutations: 405) for
clients that do not ask for HTML, with ``Cache-Control`` and ``ETag`` for anonymous answers
(:mod:`.http_cache`); a browser gets GraphiQL. Persisted queries and trusted documents: :mod:`.persisted`.
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

from qapress.engine.admission import admit, client_host
from qapress.engine.documents import DocumentStore
from qapress.engine.engine import GraphQLEngine, Prepared
from qapress.engine.http_cache import CachePolicy, etag_matches
from qapress.engine.media import GRAPHQL_RESPONSE, JSON, is_json_body, prefers_graphql_response, wants_html
from qapress.engine.permissions import ADMIN, ANONYMOUS
from qapress.engine.persisted import NEEDS_DATABASE, NeedsDatabase, Refusal, resolve
from qapress.observe.metrics import count_error, observe_operation

log = logging.getLogger(__name__)

MAX_BATCH = 100
STATIC = resources.files("qapress.engine").joinpath("static", "graphiql")
#: GraphiQL loads only its own files from this origin: no inline script, no CDN.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


#: Session variables the server itself vouches for (e.g. the reader's hashed IP), from the client's address
#: (``client_host``): a pure function of it, which the fast path asks once per address.
TrustedSession = Callable[[str], Mapping[str, str]]

#: A caller the server signed in itself (the newsroom's session cookie): its role and session variables, or
#: None. Called in the threadpool (it may read the database); a request showing the admin secret skips it.
SessionCaller = Callable[[Request], tuple[str, Mapping[str, str]] | None]


class _Caller:
    def __init__(self, role: str, session: dict[str, str], authenticated: bool = False) -> None:
        self.role = role
        self.session = session
        #: Shown the admin secret or signed in: never answered with public caching headers.
        self.authenticated = authenticated


def lowered(session: Mapping[str, str]) -> dict[str, str]:
    """Session variables by their lower-case names (GraphQL session variables are case-insensitive)."""
    return {k.lower(): v for k, v in session.items()}


def _error(message: str, code: str, path: str = "$") -> dict[str, Any]:
    count_error(code)
    return {"errors": [{"message": message, "extensions": {"path": path, "code": code}}]}


def _json(payload: Any, status: int = 200, media_type: str = JSON) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type=media_type)


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
        documents: DocumentStore | None = None,
        trusted_roles: frozenset[str] = frozenset(),
        cache: CachePolicy | None = None,
        graphiql: str = "",
    ) -> None:
        self.graphiql = graphiql
        self.session_caller = session_caller
        self.gql = gql
        self.admin_secret = admin_secret
        self.max_body_bytes = max_body_bytes
        self.alpha = alpha
        self.open_role = open_role
        self.trusted_session = trusted_session
        #: Persisted queries and trusted documents; None: ``extensions.persistedQuery`` is ignored, as Hasura
        #: ignores it.
        self.documents = documents
        #: Roles that run only trusted documents (empty: the rule is off).
        self.trusted_roles = trusted_roles if documents is not None else frozenset()
        self.cache = cache or CachePolicy()

    async def resolve_caller(self, request: Request) -> _Caller | Response:
        """A signed-in caller (``session_caller``) when there is one, else who the headers say."""
        if self.session_caller is not None and "x-hasura-admin-secret" not in request.headers:
            signed_in = await run_in_threadpool(self.session_caller, request)
            if signed_in is not None:
                role, variables = signed_in
                caller = _Caller(role, {k.lower(): v for k, v in variables.items()}, authenticated=True)
                if self.trusted_session is not None:
                    caller.session.update(lowered(self.trusted_session(client_host(request.scope))))
                caller.session["x-hasura-role"] = role
                return caller
        return self.caller(request)

    def caller(self, request: Request) -> _Caller | Response:
        caller = self.claimed_caller(request)
        if isinstance(caller, _Caller) and self.trusted_session is not None:
            # What the server vouches for replaces whatever the client sent under the same names.
            caller.session.update(lowered(self.trusted_session(client_host(request.scope))))
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
                return _Caller(headers.get("x-hasura-role", ADMIN), session, authenticated=True)
            return _Caller(self.open_role, {"x-hasura-role": self.open_role})
        given = headers.get("x-hasura-admin-secret")
        if given is None:
            # Without the secret nothing the client claims about itself is trusted.
            return _Caller(ANONYMOUS, {"x-hasura-role": ANONYMOUS})
        if not hmac.compare_digest(given.encode(), self.admin_secret.encode()):
            return _json(_error("invalid x-hasura-admin-secret/x-hasura-access-key", "access-denied"), 401)
        return _Caller(headers.get("x-hasura-role", ADMIN), session, authenticated=True)

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

    async def serve_get(self, request: Request) -> Response:
        try:
            return await self.handle_get(request)
        except Exception:
            log.exception("unexpected error at the GraphQL endpoint")
            return _json(_error("unexpected error while answering the request", "unexpected"), 400)

    async def handle(self, request: Request) -> Response:
        # One pass over the raw headers for the three this needs (each Headers.get is a scan of its own).
        accept = content_type = declared = None
        for name, value in request.scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length":
                declared = value
        graphql_response = prefers_graphql_response(accept)
        media = GRAPHQL_RESPONSE if graphql_response else JSON
        if not is_json_body(content_type):
            message = "a GraphQL request body is JSON: send it with Content-Type: application/json"
            return _json(_error(message, "bad-request"), 415, media)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            return _json(
                _error(f"request body larger than {self.max_body_bytes} bytes", "bad-request"), 413, media
            )
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body_bytes:
                message = f"request body larger than {self.max_body_bytes} bytes"
                return _json(_error(message, "bad-request"), 413, media)
        caller = await self.resolve_caller(request)
        if isinstance(caller, Response):
            return caller
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _json(_error("the request body is not valid JSON", "invalid-json"), 400, media)
        refused_rate = await admit(self.gql, client_host(request.scope), caller.role, caller.session, payload)
        if refused_rate is not None:
            return refused_rate
        if isinstance(payload, list):
            if not payload or len(payload) > MAX_BATCH:
                message = f"a batch must hold between 1 and {MAX_BATCH} requests"
                return _json(_error(message, "bad-request"), 400, media)
            prepared = await run_in_threadpool(self.prepare_batch, payload, caller)
            refusal = self.gql.over_budget(caller.role, sum(p.cost for p in prepared), batch=True)
            if refusal is not None:
                return Response(refusal, media_type=media)
            return StreamingResponse(self.stream_batch(prepared), media_type=media)
        documents = self.documents
        if (
            documents is not None
            and type(payload) is dict
            and ("extensions" in payload or caller.role in self.trusted_roles)
        ):
            item = await self.with_document(payload, caller)
            if isinstance(item, Refusal):
                return Response(item.body, item.status(graphql_response), media_type=media)
            payload = item
        refused = _malformed(payload)
        if refused is not None:
            return Response(refused, status_code=400, media_type=media)
        answer = await self.answer(payload, caller)
        errors = answer.startswith(b'{"errors"')
        status = 400 if errors and (self.alpha or graphql_response) else 200
        return Response(answer, status_code=status, media_type=media)

    async def with_document(self, item: dict[str, Any], caller: _Caller) -> dict[str, Any] | Refusal:
        """The request with its persisted query filled in and the trusted-documents rule applied: from
        memory on the event loop when it can, else in the threadpool."""
        assert self.documents is not None
        trusted_only = caller.role in self.trusted_roles
        resolved = resolve(item, self.documents, trusted_only=trusted_only, may_block=False)
        if resolved is NEEDS_DATABASE:
            resolved = await run_in_threadpool(
                resolve, item, self.documents, trusted_only=trusted_only, may_block=True
            )
        assert not isinstance(resolved, NeedsDatabase)
        return resolved

    async def handle_get(self, request: Request) -> Response:
        """``GET /v1/graphql?query=&variables=&operationName=&extensions=``: GraphiQL for a browser that
        asks for HTML, else the answer as JSON, with caching headers a CDN may follow (queries only)."""
        headers = request.headers
        accept = headers.get("accept")
        if wants_html(accept):
            return HTMLResponse(self.graphiql, headers={"Content-Security-Policy": GRAPHIQL_CSP})
        graphql_response = prefers_graphql_response(accept)
        media = GRAPHQL_RESPONSE if graphql_response else JSON
        item, not_json = get_request_item(request.query_params)
        if not_json is not None:
            return _json(_error(f"{not_json} is not valid JSON", "invalid-json", f"$.{not_json}"), 400, media)
        caller = await self.resolve_caller(request)
        if isinstance(caller, Response):
            return caller
        refused_rate = await admit(self.gql, client_host(request.scope), caller.role, caller.session, item)
        if refused_rate is not None:
            return refused_rate
        if self.documents is not None:
            resolved = await self.with_document(item, caller)
            if isinstance(resolved, Refusal):
                return Response(resolved.body, resolved.status(graphql_response), media_type=media)
            item = resolved
        refused = _malformed(item)
        if refused is not None:
            return Response(refused, status_code=400, media_type=media)
        started = time.perf_counter()
        prepared, answer = await run_in_threadpool(self.run_read_only, item, caller)
        if prepared.mutation:
            return Response(answer, status_code=405, media_type=media, headers={"Allow": "POST"})
        observe_operation(item.get("operationName"), time.perf_counter() - started, answer)
        errors = answer.startswith(b'{"errors"')
        status = 400 if errors and (self.alpha or graphql_response) else 200
        public = caller.role == ANONYMOUS and not caller.authenticated
        caching = self.cache.headers(answer, prepared.plan, public, prepared.variables)
        tag = caching.get("ETag")
        if tag is not None and status == 200:
            if_none_match = headers.get("if-none-match")
            if if_none_match is not None and etag_matches(if_none_match, tag):
                return Response(status_code=304, headers=caching)
        return Response(answer, status_code=status, media_type=media, headers=caching)

    def run_read_only(self, item: dict[str, Any], caller: _Caller) -> tuple[Prepared, bytes]:
        """Plan and run a request that may not be a mutation (a GET), in one threadpool call."""
        prepared = self.gql.prepare(
            item["query"],
            item.get("variables"),
            item.get("operationName"),
            caller.role,
            caller.session,
            read_only=True,
        )
        if prepared.answer is not None:
            return prepared, prepared.answer
        refusal = self.gql.over_budget(caller.role, prepared.cost)
        if refusal is not None:
            return prepared, refusal
        return prepared, self.gql.run(prepared)

    def prepare_batch(self, items: list[Any], caller: _Caller) -> list[Prepared]:
        """Every item of a batch planned (in one threadpool call), in order; nothing is run yet."""
        prepared = []
        for item in items:
            if self.documents is not None and type(item) is dict:
                resolved = resolve(
                    item, self.documents, trusted_only=caller.role in self.trusted_roles, may_block=True
                )
                if isinstance(resolved, Refusal):
                    prepared.append(Prepared(answer=resolved.body))
                    continue
                assert isinstance(resolved, dict)
                item = resolved
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


def get_request_item(params: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """The request a GET carries in its query string (GraphQL over HTTP: ``query``, ``operationName``, and
    ``variables`` and ``extensions`` as JSON), and the name of the first of those two that is not JSON."""
    item: dict[str, Any] = {name: params[name] for name in ("query", "operationName") if name in params}
    for name in ("variables", "extensions"):
        text = params.get(name)
        if text:
            try:
                item[name] = orjson.loads(text)
            except orjson.JSONDecodeError:
                return item, name
    return item, None


def _malformed(item: Any) -> bytes | None:
    """The error for a batch item or body that is no GraphQL request object (a request error: 400 when it
    is the whole body), else None."""
    if not isinstance(item, dict):
        return orjson.dumps(_error("expected a JSON object with a 'query'", "parse-failed"))
    if "query" not in item:
        # Hasura's request parser, also for an Apollo persisted-query request ({"extensions":
        # {"persistedQuery": {"sha256Hash": ...}}} without the query) while persisted queries are off.
        return orjson.dumps(_error('key "query" not found', "parse-failed"))
    if not isinstance(item.get("query"), str):
        return orjson.dumps(_error("the request has no 'query' string", "parse-failed", "$.query"))
    variables = item.get("variables")
    if variables is not None and type(variables) is not dict:
        return orjson.dumps(_error("variables must be an object", "bad-request", "$.variables"))
    operation = item.get("operationName")
    if operation is not None and type(operation) is not str:
        return orjson.dumps(_error("operationName must be a string", "bad-request", "$.operationName"))
    extensions = item.get("extensions")
    if extensions is not None and type(extensions) is not dict:
        return orjson.dumps(_error("extensions must be an object", "bad-request", "$.extensions"))
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
    documents: DocumentStore | None = None,
    trusted_roles: frozenset[str] = frozenset(),
    cache: CachePolicy | None = None,
) -> list[BaseRoute]:
    """Starlette routes: ``POST /v1/graphql`` (single or batched), ``GET /v1/graphql`` (queries as JSON, or
    GraphiQL for browsers), ``POST /v1alpha1/graphql`` (errors with HTTP 400).

    Callers are ``anonymous`` unless they show ``admin_secret``; then ``X-Hasura-Role`` and the other
    ``X-Hasura-*`` headers count. With no secret configured every caller has ``open_role``; only
    ``open_role="admin"`` (Hasura's development mode) lets clients name their role. ``trusted_session``
    adds session variables the server vouches for, overriding any header of the same name; ``session_caller``
    names callers the server signed in (the newsroom's cookie), whose role and variables replace the headers'.
    ``documents`` turns on persisted queries; ``trusted_roles`` run only its trusted documents. ``cache``:
    the caching headers of anonymous GET answers (max-age, the cache-tags hook)."""
    page = graphiql_page("/v1/graphql", "/v1/graphql/assets")

    def endpoint(alpha: bool) -> GraphQLEndpoint:
        return GraphQLEndpoint(
            gql,
            admin_secret,
            max_body_bytes,
            alpha,
            open_role,
            trusted_session,
            session_caller,
            documents=documents,
            trusted_roles=trusted_roles,
            cache=cache,
            graphiql=page,
        )

    v1 = endpoint(False)
    return [
        Route("/v1/graphql", v1.serve, methods=["POST"]),
        Route("/v1/graphql", v1.serve_get, methods=["GET"]),
        Mount("/v1/graphql/assets", app=StaticFiles(directory=str(STATIC)), name="graphiql-assets"),
        Route("/v1alpha1/graphql", endpoint(True).serve, methods=["POST"]),
    ]
