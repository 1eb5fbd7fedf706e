"""``POST`` and ``GET /v1/graphql`` for a plan-cache hit, in raw ASGI ahead of the router and the middlewares.

The request's headers are scanned once, its body read and parsed once, the caller and the rate limit decided
by the endpoint's own code (:class:`~qapress.engine.http.GraphQLEndpoint`), and the cached plan run on the
event loop when :mod:`.placement` measured it quick (else in the threadpool). The answer goes out with
headers prepared once per (status, media type, size class) by sending a response of that kind through the
application's own middlewares, so they are the slow path's, byte for byte; a gzip-accepting client's large
answer goes through those middlewares for real.

Anything else falls through to the application with the body replayed, before anything with an effect
happened (the rate limit is counted only once the request is known to be answered here): a miss, a batch,
a signed-in newsroom cookie, a body that is no JSON object, a persisted query not in memory, an error; for a
GET also a browser asking for GraphiQL and variables that are no JSON. A GET's answer carries the endpoint's
caching headers (:mod:`.http_cache`) and a matching ``If-None-Match`` gets its 304, as from the endpoint.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qapress.engine.admission import WAIT, admit, admit_now, client_host
from qapress.engine.body_memo import BodyMemo, Memoized, memo_key
from qapress.engine.engine import GraphQLEngine, Prepared
from qapress.engine.http import (
    GraphQLEndpoint,
    _Caller,
    _error,
    _json,
    _malformed,
    get_request_item,
    lowered,
)
from qapress.engine.http_cache import TAG_HEADERS, CachePolicy, etag_matches
from qapress.engine.media import GRAPHQL_RESPONSE, JSON, is_json_body, prefers_graphql_response, wants_html
from qapress.engine.permissions import ADMIN, ANONYMOUS
from qapress.engine.persisted import resolve
from qapress.engine.placement import Placement
from qapress.http_protocol import PREPARED_RESPONSE, head_block, takes_prepared
from qapress.observe.metrics import observe_operation
from qapress.observe.requests import FAST_PATH_STATUS
from qapress.store.replicas import routing_scope

log = logging.getLogger(__name__)

PATH = "/v1/graphql"
#: The route label the router's request metrics give the endpoint.
ROUTE = PATH
#: Scope key of the response the middleware chain is asked to send (``respond``).
_RESPONSE_KEY = "qapress.fast_response"
#: Answers from this size on are where Starlette's gzip middleware adds ``Vary`` (and compresses).
GZIP_MIN_BYTES = 512
#: The caching headers whose values are the answer's own.
VARYING = ("ETag", *TAG_HEADERS)
ETAG = VARYING[0]

TimedOut = Callable[[Scope, Send], Awaitable[None]]
#: A POST's answer has no caching headers.
_NO_CACHING: Mapping[str, str] = types.MappingProxyType({})

#: Addresses whose callers ``_caller`` keeps (readers come back; the trusted session is a hash to compute).
CALLERS_REMEMBERED = 4096
#: Memoized GETs whose last answer's caching headers are kept (``_last_caching``), and the largest answer
#: kept for the comparison: at most 16 MB held.
CACHING_REMEMBERED = 256
CACHING_MAX_ANSWER_BYTES = 64 * 1024
#: Threads for the plans measured slow, as many as Starlette's threadpool has (anyio's default): a plain
#: executor's hop costs ~30 µs where ``run_in_threadpool``'s (a capacity limiter, a cancel scope) ~45.
PLAN_THREADS = 40
_plan_threads: ThreadPoolExecutor | None = None


def _plan_executor() -> ThreadPoolExecutor:
    """The process's threads for slow plans, started on first use (one set, whatever the apps)."""
    global _plan_threads
    if _plan_threads is None:
        _plan_threads = ThreadPoolExecutor(PLAN_THREADS, thread_name_prefix="qapress-plan")
    return _plan_threads


async def _send_scoped_response(scope: Scope, receive: Receive, send: Send) -> None:
    response: Response = scope[_RESPONSE_KEY]
    await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` with ``messages`` (the body read so far) handed out first."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class _RequestHeaders:
    """What the fast path reads of a request's headers, in one pass over them."""

    __slots__ = (
        "accept",
        "accept_encoding",
        "admin",
        "content_type",
        "declared",
        "if_none_match",
        "pinned",
        "signed_in",
    )

    def __init__(self, raw: list[tuple[bytes, bytes]], fast_path: GraphQLFastPath) -> None:
        self.accept: bytes | None = None
        self.content_type: bytes | None = None
        self.declared: bytes | None = None
        self.accept_encoding: bytes | None = None
        self.if_none_match: bytes | None = None
        self.admin = self.signed_in = self.pinned = False
        session_cookie = fast_path.session_cookie
        for name, value in raw:
            if name == b"content-type":
                self.content_type = value
            elif name == b"accept":
                self.accept = value
            elif name == b"content-length":
                self.declared = value
            elif name == b"accept-encoding":
                self.accept_encoding = value
            elif name == b"if-none-match":
                self.if_none_match = value
            elif name == b"cookie":
                if session_cookie is not None and session_cookie in value:
                    self.signed_in = True
                if fast_path.routing and fast_path.read_primary in value:
                    self.pinned = True
            elif name == b"x-hasura-admin-secret":
                self.admin = True


class _LastCaching:
    """A memoized GET's last answer and its caching headers, and its heads for one-write answers by
    (status, media type): None where the head must go uvicorn's own way."""

    __slots__ = ("answer", "caching", "heads", "policy", "prepared", "public")

    def __init__(
        self, prepared: Prepared, policy: CachePolicy, answer: bytes, public: bool, caching: dict[str, str]
    ) -> None:
        self.prepared = prepared
        self.policy = policy
        self.answer = answer
        self.public = public
        self.caching = caching
        self.heads: dict[tuple[int, str], bytes | None] = {}


class GraphQLFastPath:
    """Answers ``POST`` and ``GET /v1/graphql`` plan-cache hits for ``endpoint``; ``answer`` says whether it did.

    ``middleware`` wraps an ASGI app in the application's middlewares (the same classes and arguments), so
    that what this sends is what the application would; ``session_cookie`` names the cookie a signed-in
    caller carries (its requests go the usual way: the check may read the database); ``routing``: read
    replicas are configured, and reads happen in the request's routing scope (``read_primary_cookie``).
    """

    def __init__(
        self,
        endpoint: GraphQLEndpoint,
        middleware: Callable[[ASGIApp], ASGIApp],
        *,
        session_cookie: str | None = None,
        routing: bool = False,
        read_primary_cookie: str = "",
        body_timeout_seconds: float = 0.0,
        timed_out: TimedOut | None = None,
        placement: Placement | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.gql = endpoint.gql
        self.respond = middleware(_send_scoped_response)
        self.session_cookie = None if session_cookie is None else f"{session_cookie}=".encode()
        self.routing = routing
        self.read_primary = f"{read_primary_cookie}=".encode()
        self.body_timeout_seconds = body_timeout_seconds
        self.timed_out = timed_out
        self.placement = placement or Placement()
        #: (status, media type, large, caching headers) -> the response headers with the indexes of the
        #: content-length and of the caching headers whose values vary by answer.
        self._headers: dict[tuple[Any, ...], tuple[list[tuple[bytes, bytes]], list[int]]] = {}
        #: Of the uncached kinds among them, the header lines before and after the content-length, for
        #: answers sent in one write (``http_protocol``); None where uvicorn's own path must send them.
        self._heads: dict[tuple[Any, ...], tuple[bytes, bytes] | None] = {}
        #: Client address -> its caller without the admin secret (see ``_caller``).
        self._callers: dict[str, _Caller] = {}
        #: id(plan) -> done when the plan's probe in the threadpool has run (see ``_placed_run``).
        self._probes: dict[int, asyncio.Future[None]] = {}
        #: Repeated POST bodies' plan-cache hits, per caller (:mod:`.body_memo`).
        self.memo = BodyMemo()
        #: Repeated GET query strings' plan-cache hits, per caller.
        self.get_memo = BodyMemo()
        #: id(Prepared) of a memoized GET -> its last answer's caching headers (see ``_last_caching``).
        self._caching: dict[int, _LastCaching] = {}

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Answer the request and return None, or return the ``receive`` the application must use (what
        was read of the body replayed): nothing was sent then. An unexpected error is answered as the
        endpoint answers it (HTTP 400, Hasura's ``unexpected``), never a 500."""
        try:
            return await self._answer(scope, receive, send)
        except Exception:
            if scope.get(FAST_PATH_STATUS) is not None:
                raise  # the answer had started: nothing more can be said
            log.exception("unexpected error at the GraphQL endpoint")
            scope[FAST_PATH_STATUS] = 400
            scope[_RESPONSE_KEY] = _json(
                _error("unexpected error while answering the request", "unexpected"), 400
            )
            await self.respond(scope, receive, send)
            return None

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        if scope["path"] != PATH or scope.get("root_path"):
            return receive
        method = scope["method"]
        if method == "POST":
            return await self._answer_post(scope, receive, send, _RequestHeaders(scope["headers"], self))
        if method == "GET":
            return await self._answer_get(scope, receive, send, _RequestHeaders(scope["headers"], self))
        return receive

    async def _answer_post(
        self, scope: Scope, receive: Receive, send: Send, seen: _RequestHeaders
    ) -> Receive | None:
        """A plan-cache hit in this one coroutine from the body to the answer: the body read once (no timer
        when it is there already), the memo of bodies asked before any JSON is parsed, the rate limit
        decided without a coroutine when it is counted in memory, a plan placed on the loop run here, the
        response's headers known. Anything less usual awaits the helpers the GET path uses."""
        endpoint = self.endpoint
        gql = self.gql
        if not is_json_body(seen.content_type):
            return receive
        declared = seen.declared
        if declared is not None and (not declared.isdigit() or int(declared) > endpoint.max_body_bytes):
            return receive
        if seen.signed_in and not seen.admin and endpoint.session_caller is not None:
            return receive
        message, waiting = _received_now(receive)
        if message is None:
            assert waiting is not None
            message = await self._receive_timed(waiting, scope, send)
            if message is None:
                return None  # timed out: the 408 was sent
        messages = [message]
        if message["type"] != "http.request":
            return _replay(messages, receive)
        body: bytes = message.get("body", b"")
        if len(body) > endpoint.max_body_bytes:
            return _replay(messages, receive)
        if message.get("more_body", False):
            read, whole = await self._body(scope, receive, send, messages, body)
            if whole is None:
                return None if read is None else _replay(read, receive)
            body = whole
        caller = self._caller(scope, seen.admin)
        if not isinstance(caller, _Caller):
            return _replay(messages, receive)
        key = memo_key(caller.role, caller.session, body)
        memoized = None if key is None else self.memo.get(key)
        if memoized is not None and gql.still_current(memoized.prepared, memoized.epoch):
            prepared, operation = memoized.prepared, memoized.operation
        else:
            epoch = gql.plans.epoch  # read before the lookup: a change during it leaves the entry stale
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                return _replay(messages, receive)
            if type(payload) is not dict:
                return _replay(messages, receive)
            found = self._cached_plan(caller, payload)
            if found is None:
                if memoized is not None and key is not None:
                    self.memo.discard(key)
                return _replay(messages, receive)
            prepared, item, consulted = found
            operation = item.get("operationName")
            if key is not None and not consulted:
                self.memo.put(key, Memoized(prepared, operation, epoch))
        # From here on the request is answered here: the rate limit counts it, as the endpoint does before
        # it looks for the plan (so a refused request counts no plan hit either). One operation: no batch.
        host = client_host(scope)
        refused = admit_now(gql, host, caller.role, caller.session, None)
        if refused is WAIT:
            refused = await admit(gql, host, caller.role, caller.session, None)
        if refused is not None:
            scope[FAST_PATH_STATUS] = refused.status_code
            scope[_RESPONSE_KEY] = refused
            await self.respond(scope, _replay(messages, receive), send)
            return None
        gql.count_plan_hit()
        answer = None if self.routing else self._answer_now(prepared, caller.role, operation)
        if answer is None:
            answer = await self._run(prepared, caller, operation, seen.pinned)
        graphql_response = prefers_graphql_response(seen.accept)
        errors = answer.startswith(b'{"errors"')
        status = 400 if errors and (endpoint.alpha or graphql_response) else 200
        media = GRAPHQL_RESPONSE if graphql_response else JSON
        large = len(answer) >= GZIP_MIN_BYTES
        if not large or seen.accept_encoding is None or b"gzip" not in seen.accept_encoding:
            if takes_prepared(scope):
                head = self._known_head(status, media, large, len(answer))
                if head is not None:
                    scope[FAST_PATH_STATUS] = status
                    await send({"type": PREPARED_RESPONSE, "status": status, "head": head, "body": answer})
                    return None
            headers = self._known_headers(status, media, large, len(answer), _NO_CACHING)
            if headers is not None:
                scope[FAST_PATH_STATUS] = status
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": answer})
                return None
        await self._send(scope, _replay(messages, receive), send, seen, status, media, answer, _NO_CACHING)
        return None

    async def _answer_get(
        self, scope: Scope, receive: Receive, send: Send, seen: _RequestHeaders
    ) -> Receive | None:
        """``GET /v1/graphql?query=...`` for a plan-cache hit, as :meth:`GraphQLEndpoint.handle_get` answers
        it: the same caching headers (``Cache-Control``, ``ETag``, the cache tags) and the same 304.

        A query string asked before by the same caller is answered from the memo (:mod:`.body_memo`, keyed
        by the query string as a POST's by its body): no query-string decoding, no plan lookup; and an
        answer the same as that query string's last one gets its caching headers (a hash of the answer,
        the tags read from it) and its head from that time. The answer then goes out in one write."""
        endpoint = self.endpoint
        gql = self.gql
        if wants_html(seen.accept):
            return receive  # GraphiQL
        if seen.signed_in and not seen.admin and endpoint.session_caller is not None:
            return receive
        caller: _Caller | None = None
        key = memoized = None
        if not seen.admin:  # an admin secret is checked after the query string, as before the memo
            anonymous = self._caller(scope, False)
            assert isinstance(anonymous, _Caller)  # without the secret shown the caller is no refusal
            caller = anonymous
            key = memo_key(caller.role, caller.session, scope["query_string"])
            memoized = None if key is None else self.get_memo.get(key)
        if memoized is not None and gql.still_current(memoized.prepared, memoized.epoch):
            prepared, operation = memoized.prepared, memoized.operation
        else:
            epoch = gql.plans.epoch  # read before the lookup: a change during it leaves the entry stale
            # Starlette's ``query_params`` without its multi-dict: the last of a repeated name counts, as there.
            params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
            item, not_json = get_request_item(params)
            if not_json is not None:
                return receive
            if caller is None:
                shown = self._caller(scope, True)
                if not isinstance(shown, _Caller):
                    return receive
                caller = shown
            found = self._cached_plan(caller, item, every_item=True)
            if found is None:
                if memoized is not None and key is not None:
                    self.get_memo.discard(key)
                return receive
            prepared, item, consulted = found
            operation = item.get("operationName")
            memoized = None
            if key is not None and not consulted:
                memoized = Memoized(prepared, operation, epoch)
                self.get_memo.put(key, memoized)
        assert isinstance(caller, _Caller)
        if await self._admitted(scope, receive, send, caller):
            return None
        graphql_response = prefers_graphql_response(seen.accept)
        answer = None if self.routing else self._answer_now(prepared, caller.role, operation)
        if answer is None:
            answer = await self._run(prepared, caller, operation, seen.pinned)
        errors = answer.startswith(b'{"errors"')
        status = 400 if errors and (endpoint.alpha or graphql_response) else 200
        media = GRAPHQL_RESPONSE if graphql_response else JSON
        public = caller.role == ANONYMOUS and not caller.authenticated
        last = self._last_caching(prepared, answer, public, keep=memoized is not None)
        caching = last.caching
        tag = caching.get(ETAG)
        if_none_match = seen.if_none_match
        if (
            tag is not None
            and status == 200
            and if_none_match is not None
            and etag_matches(if_none_match.decode("latin-1"), tag)
        ):
            scope[FAST_PATH_STATUS] = 304
            scope[_RESPONSE_KEY] = Response(status_code=304, headers=caching)
            await self.respond(scope, receive, send)
            return None
        large = len(answer) >= GZIP_MIN_BYTES
        if takes_prepared(scope) and (
            not large or seen.accept_encoding is None or b"gzip" not in seen.accept_encoding
        ):
            kind = (status, media)
            heads = last.heads
            if kind in heads:
                head = heads[kind]
            else:
                head = self._known_cached_head(status, media, large, len(answer), caching)
                if head is not None or _headers_key(status, media, large, caching) in self._headers:
                    heads[kind] = head  # not kept before the kind's headers are captured (below)
            if head is not None:
                scope[FAST_PATH_STATUS] = status
                await send({"type": PREPARED_RESPONSE, "status": status, "head": head, "body": answer})
                return None
        await self._send(scope, receive, send, seen, status, media, answer, caching)
        return None

    async def _admitted(self, scope: Scope, receive: Receive, send: Send, caller: _Caller) -> bool:
        """Count the request against the rate limit (one operation) and then the plan hit; True: refused,
        and the refusal was sent."""
        host = client_host(scope)
        refused = admit_now(self.gql, host, caller.role, caller.session, None)
        if refused is WAIT:
            refused = await admit(self.gql, host, caller.role, caller.session, None)
        if refused is not None:
            scope[FAST_PATH_STATUS] = refused.status_code
            scope[_RESPONSE_KEY] = refused
            await self.respond(scope, receive, send)
            return True
        self.gql.count_plan_hit()
        return False

    def _last_caching(self, prepared: Prepared, answer: bytes, public: bool, keep: bool) -> _LastCaching:
        """The caching headers of ``prepared``'s ``answer``: those of its last answer when it was the same
        bytes for the same kind of caller under the same policy (the headers are a function of these, the
        plan and the variables), else worked out now, and kept when ``keep`` (a memoized request, whose
        ``Prepared`` comes again) and the answer is not large."""
        policy = self.endpoint.cache
        last = self._caching.get(id(prepared))
        if (
            last is not None
            and last.prepared is prepared
            and last.policy is policy
            and last.public == public
            and last.answer == answer
        ):
            return last
        caching = policy.headers(answer, prepared.plan, public, prepared.variables)
        last = _LastCaching(prepared, policy, answer, public, caching)
        if keep and len(answer) <= CACHING_MAX_ANSWER_BYTES:
            if len(self._caching) >= CACHING_REMEMBERED:
                self._caching.clear()
            self._caching[id(prepared)] = last
        return last

    def _cached_plan(
        self, caller: _Caller, payload: dict[str, Any], every_item: bool = False
    ) -> tuple[Prepared, dict[str, Any], bool] | None:
        """The request's plan-cache hit (not counted yet), its request object (a persisted query filled in)
        and whether it depended on the persisted documents (extensions, or a trusted-documents role: the
        memo keeps no such answer, the documents change apart from the plans); None: the application
        answers. ``every_item``: persisted queries are
        looked at for every request (as the GET endpoint does), not only for those that carry extensions or
        come from a trusted-documents role."""
        endpoint = self.endpoint
        item: Any = payload
        documents = endpoint.documents
        # Without extensions and for a role not bound to trusted documents, ``resolve`` hands the request
        # back as it is: the answer does not depend on the documents then, even when they are looked at.
        consulted = documents is not None and ("extensions" in item or caller.role in endpoint.trusted_roles)
        if documents is not None and (consulted or every_item):
            assert documents is not None
            item = resolve(
                item, documents, trusted_only=caller.role in endpoint.trusted_roles, may_block=False
            )
            if type(item) is not dict:  # a refusal, or a document to read from the database
                return None
        if _malformed(item) is not None:
            return None
        prepared = self.gql.prepare_cached(
            item["query"],
            item.get("variables"),
            item.get("operationName"),
            caller.role,
            caller.session,
            count=False,
        )
        if prepared is None:
            return None
        return prepared, item, consulted

    async def _send(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        seen: _RequestHeaders,
        status: int,
        media: str,
        answer: bytes,
        caching: Mapping[str, str],
    ) -> None:
        """The answer with the headers the middlewares would give it; through them for real when it is to be
        compressed."""
        scope[FAST_PATH_STATUS] = status
        large = len(answer) >= GZIP_MIN_BYTES
        if large and seen.accept_encoding is not None and b"gzip" in seen.accept_encoding:
            scope[_RESPONSE_KEY] = Response(answer, status_code=status, media_type=media, headers=caching)
            await self.respond(scope, receive, send)
            return
        headers = await self._prepared_headers(status, media, large, len(answer), caching)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _caller(self, scope: Scope, admin: bool) -> _Caller | Response:
        """``endpoint.caller``, without decoding every header when none of them can count: no secret shown
        while one is configured (anonymous), or no secret configured and no development mode (the open
        role). The same callers as :meth:`GraphQLEndpoint.claimed_caller`'s branches that read no header."""
        endpoint = self.endpoint
        if admin or (endpoint.admin_secret is None and endpoint.open_role == ADMIN):
            return endpoint.caller(Request(scope))
        role = ANONYMOUS if endpoint.admin_secret is not None else endpoint.open_role
        if endpoint.trusted_session is None:
            return _Caller(role, {"x-hasura-role": role})
        # The trusted session is a function of the address: one caller per address, shared (read only).
        host = client_host(scope)
        caller = self._callers.get(host)
        if caller is None or caller.role != role:
            if len(self._callers) >= CALLERS_REMEMBERED:
                self._callers.clear()
            caller = self._callers[host] = _Caller(
                role, {"x-hasura-role": role, **lowered(endpoint.trusted_session(host))}
            )
        return caller

    async def _body(
        self, scope: Scope, receive: Receive, send: Send, messages: list[Message], body: bytes
    ) -> tuple[list[Message] | None, bytes | None]:
        """The rest of a body that came in several messages (``messages`` so far, their ``body``): the
        messages read and the whole body; body None: the application answers (too large, the client
        left), or, with messages None too, the body timed out and the 408 was sent."""
        limit = self.endpoint.max_body_bytes
        while True:
            message, waiting = _received_now(receive)
            if message is None:
                assert waiting is not None
                message = await self._receive_timed(waiting, scope, send)
                if message is None:
                    return None, None
            messages.append(message)
            if message["type"] != "http.request":
                return messages, None
            body += message.get("body", b"")
            if len(body) > limit:
                return messages, None
            if not message.get("more_body", False):
                return messages, body

    async def _receive_timed(self, waiting: Awaitable[Message], scope: Scope, send: Send) -> Message | None:
        """The message ``waiting`` gives, within the body timeout; None: it timed out and the 408 was sent."""
        seconds = self.body_timeout_seconds
        if seconds <= 0:
            return await waiting
        try:
            return await _within(waiting, seconds)
        except TimeoutError:
            if self.timed_out is None:
                raise
            scope[FAST_PATH_STATUS] = 408
            await self.timed_out(scope, send)
            return None

    def _answer_now(self, prepared: Prepared, role: str, operation: Any) -> bytes | None:
        """The answer made without waiting: the budget's refusal, or the plan's answer where it is placed
        on the loop; None: ``_run`` is to be awaited."""
        gql = self.gql
        refusal = gql.over_budget(role, prepared.cost)
        if refusal is not None:
            return refusal
        started = time.perf_counter()
        answer = self._run_on_loop(prepared)
        if answer is not None:
            observe_operation(operation, time.perf_counter() - started, answer)
        return answer

    def _run_on_loop(self, prepared: Prepared) -> bytes | None:
        """The plan's answer run here, on the loop, its time given to the placement; None when the plan is
        not placed on the loop, is being probed, or its connection would have to be waited for."""
        gql = self.gql
        placement = self.placement
        plan = prepared.plan
        if (
            not placement.on_loop(plan)
            or id(plan) in self._probes
            or not gql.connections.answers_without_waiting()
        ):
            return None
        started = time.perf_counter()
        answer = gql.run(prepared)
        placement.observe(plan, time.perf_counter() - started)
        return answer

    async def _run(self, prepared: Prepared, caller: _Caller, operation: Any, pinned: bool) -> bytes:
        """The plan's answer (or the budget's refusal), on the loop or in the threadpool as measured."""
        gql = self.gql
        refusal = gql.over_budget(caller.role, prepared.cost)
        if refusal is not None:
            return refusal
        started = time.perf_counter()
        if self.routing:
            with routing_scope(primary=pinned):
                answer = await self._placed_run(prepared)
        else:
            answer = await self._placed_run(prepared)
        observe_operation(operation, time.perf_counter() - started, answer)
        return answer

    async def _placed_run(self, prepared: Prepared) -> bytes:
        """The answer, on the loop or in a plan thread (in this context: the routing scope is a context
        variable), its time given to the placement.

        While the placement probes a plan (a run on the loop was long: the machine's or the plan's?), one
        run at a time is the probe, in the threadpool; the plan's other requests wait for its verdict
        instead of all going to the threadpool (under load, the 32 requests in flight would pay a hop
        each). A verdict that the plan is still to be probed (a slow probe) makes one of them the next
        probe, and the others wait again, for that one's."""
        gql = self.gql
        placement = self.placement
        plan = prepared.plan
        verdict = self._probes.get(id(plan))
        while verdict is not None:
            await asyncio.shield(verdict)
            verdict = self._probes.get(id(plan))
        here = self._run_on_loop(prepared)
        if here is not None:
            return here
        probe = placement.probing(plan) and id(plan) not in self._probes
        if probe:
            self._probes[id(plan)] = asyncio.get_running_loop().create_future()
        try:
            # Timed in the thread: the plan's own time, not the hop's (which on a busy machine is the
            # scheduler's wait for a thread, and would keep every plan off the loop). In process (SQLite)
            # by the thread's CPU time: the wall time there also holds the wait for the GIL the busy loop
            # has (up to the 5 ms switch interval), which would keep a quick plan off the loop under load.
            context = contextvars.copy_context()
            timed = _cpu_timed_run if gql.connections.in_process else _timed_run
            answer, ran = await asyncio.get_running_loop().run_in_executor(
                _plan_executor(), context.run, timed, gql, prepared
            )
            placement.observe(plan, ran)
            return answer
        finally:
            if probe:
                self._probes.pop(id(plan)).set_result(None)

    async def _prepared_headers(
        self, status: int, media: str, large: bool, length: int, caching: Mapping[str, str]
    ) -> list[tuple[bytes, bytes]]:
        """The headers the application sends with an identity answer of this kind, length and caching
        headers: captured once per kind, the answer's own values (length, ETag, cache tags) put in."""
        headers = self._known_headers(status, media, large, length, caching)
        if headers is None:
            self._headers[_headers_key(status, media, large, caching)] = await self._capture(
                status, media, large, caching
            )
            headers = self._known_headers(status, media, large, length, caching)
            assert headers is not None
        return headers

    def _known_headers(
        self, status: int, media: str, large: bool, length: int, caching: Mapping[str, str]
    ) -> list[tuple[bytes, bytes]] | None:
        """``_prepared_headers`` when this kind's were captured already, else None."""
        known = self._headers.get(_headers_key(status, media, large, caching))
        if known is None:
            return None
        names = [name for name in caching if name in VARYING] if caching else ()
        template, slots = known
        headers = template.copy()
        headers[slots[0]] = (b"content-length", str(length).encode())
        for name, at in zip(names, slots[1:], strict=True):
            headers[at] = (headers[at][0], caching[name].encode("latin-1"))
        return headers

    def _known_head(self, status: int, media: str, large: bool, length: int) -> bytes | None:
        """``_known_headers`` of an answer without caching headers as the header block of a one-write answer
        (``http_protocol``), when that kind's headers were captured already, else None."""
        key = _headers_key(status, media, large, _NO_CACHING)
        try:
            parts = self._heads[key]
        except KeyError:
            known = self._headers.get(key)
            if known is None:
                return None
            template, slots = known
            at = slots[0]
            before, after = head_block(template[:at]), head_block(template[at + 1 :])
            parts = self._heads[key] = None if before is None or after is None else (before, after)
        if parts is None:
            return None
        return b"%scontent-length: %d\r\n%s" % (parts[0], length, parts[1])

    def _known_cached_head(
        self, status: int, media: str, large: bool, length: int, caching: Mapping[str, str]
    ) -> bytes | None:
        """``_known_head`` of an answer with caching headers (a GET's): the captured headers of its kind
        with the answer's length, ETag and cache tags put in, as the header block of a one-write answer;
        None when that kind's headers were not captured yet or a line must go uvicorn's way."""
        key = _headers_key(status, media, large, caching)
        known = self._headers.get(key)
        if known is None:
            return None
        names = [name for name in caching if name in VARYING]
        template, slots = known
        headers = template.copy()
        headers[slots[0]] = (b"content-length", b"%d" % length)
        for name, at in zip(names, slots[1:], strict=True):
            headers[at] = (headers[at][0], caching[name].encode("latin-1"))
        return head_block(headers)

    async def _capture(
        self, status: int, media: str, large: bool, caching: Mapping[str, str]
    ) -> tuple[list[tuple[bytes, bytes]], list[int]]:
        """The headers of a response of this kind sent through the middlewares, once, with the indexes of
        its content-length and of the caching headers whose values vary by answer."""
        scope: Scope = {
            "type": "http",
            "method": "POST",
            "path": PATH,
            "raw_path": PATH.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [],
            _RESPONSE_KEY: Response(
                b" " * (GZIP_MIN_BYTES if large else 0),
                status_code=status,
                media_type=media,
                headers=caching,
            ),
        }
        started: list[Message] = []

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)

        await self.respond(scope, nothing, capture)
        headers = [(bytes(k), bytes(v)) for k, v in started[0]["headers"]]
        names = [name.lower().encode() for name in caching if name in VARYING]
        slots = [next(i for i, (name, _) in enumerate(headers) if name == b"content-length")]
        slots += [next(i for i, (name, _) in enumerate(headers) if name == wanted) for wanted in names]
        return headers, slots


def _headers_key(status: int, media: str, large: bool, caching: Mapping[str, str]) -> tuple[Any, ...]:
    """The kind of a response whose headers are captured once: status, media type, size class, the
    caching headers' fixed values and the names of those whose values vary by answer."""
    if not caching:
        return (status, media, large, (), ())
    fixed = tuple((name, value) for name, value in caching.items() if name not in VARYING)
    return (status, media, large, fixed, tuple(name for name in caching if name in VARYING))


def _received_now(receive: Receive) -> tuple[Message | None, Awaitable[Message] | None]:
    """(the next message, None) when ``receive`` has it without waiting (a small body mostly came with
    the headers), else (None, what to await for it): the coroutine, stepped once, to resume where it
    stopped. So the body timeout's timer is armed only for a message that is not there yet."""
    pending = receive()
    if type(pending) is not types.CoroutineType:
        return None, pending
    try:
        step = pending.send(None)
    except StopIteration as done:
        message: Message = done.value
        return message, None
    return None, _Resumed(pending, step)


class _Resumed:
    """A coroutine stepped once outside ``await`` (it stopped at ``step``), awaited from there on: what it
    yields goes to the task and what the task sends or throws (a cancellation) goes back to it, as
    ``await`` would have done from its start."""

    __slots__ = ("coroutine", "step")

    def __init__(self, coroutine: Coroutine[Any, Any, Message], step: Any) -> None:
        self.coroutine = coroutine
        self.step = step

    def __await__(self) -> Generator[Any, Any, Message]:
        coroutine, step = self.coroutine, self.step
        while True:
            try:
                sent = yield step
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as exc:  # a cancellation: thrown into the coroutine, as ``await`` does
                try:
                    step = coroutine.throw(exc)
                except StopIteration as done:
                    result: Message = done.value
                    return result
            else:
                try:
                    step = coroutine.send(sent)
                except StopIteration as done:
                    result = done.value
                    return result


async def _within(waiting: Awaitable[Message], seconds: float) -> Message:
    """``await waiting``, or TimeoutError after ``seconds``: ``asyncio.timeout``'s work without its state
    machine (one timer, cancelled when the message comes)."""
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        return await waiting
    except asyncio.CancelledError:
        if expired and task.uncancel() == 0:
            raise TimeoutError from None
        raise
    finally:
        timer.cancel()


def _timed_run(gql: GraphQLEngine, prepared: Prepared) -> tuple[bytes, float]:
    started = time.perf_counter()
    answer = gql.run(prepared)
    return answer, time.perf_counter() - started


def _cpu_timed_run(gql: GraphQLEngine, prepared: Prepared) -> tuple[bytes, float]:
    started = time.thread_time()
    answer = gql.run(prepared)
    return answer, time.thread_time() - started


def v1_endpoint(routes: list[Any]) -> GraphQLEndpoint:
    """The endpoint behind ``POST /v1/graphql`` among ``graphql_routes``' routes."""
    for route in routes:
        if getattr(route, "path", None) == PATH and "POST" in (getattr(route, "methods", None) or ()):
            endpoint = getattr(route.endpoint, "__self__", None)
            if isinstance(endpoint, GraphQLEndpoint):
                return endpoint
    raise LookupError("no POST /v1/graphql route")
