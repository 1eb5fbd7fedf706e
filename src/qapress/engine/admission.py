"""What ``/v1/graphql`` checks about a request before it plans anything: the batch limit and the rate limit of
the caller's role (:mod:`qapress.engine.limits`, :mod:`qapress.engine.ratelimit`).

A batch of ``n`` operations counts ``n`` against the rate, so batching does not multiply a client's rate. A
client over its rate gets HTTP 429 with ``Retry-After`` and Hasura's ``rate-limit-exceeded`` error; a batch
over its size, Hasura's ``validation-failed`` (HTTP 200, as Hasura answers validation errors).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response
from starlette.types import Scope

from qapress.engine.errors import EngineError, error_response
from qapress.engine.limits import RateLimit, batch_refusal
from qapress.engine.ratelimit import (
    Decision,
    InProcessRateLimiter,
    RateLimiterUnavailable,
    RateLimitExceeded,
)
from qapress.observe.metrics import count_error

if TYPE_CHECKING:
    from qapress.engine.engine import GraphQLEngine

JSON = "application/json; charset=utf-8"


#: (role, unique text) -> its counter's key: clients come back, and the hash is a few microseconds.
_KEYS_REMEMBERED = 4096
_keys: dict[tuple[str, str], str] = {}


def rate_key(role: str, rate: RateLimit, client: str, session: Mapping[str, str]) -> str:
    """The counter a request goes to: its role, and its client address or session variables, hashed (no
    address is stored as it is)."""
    if rate.unique_params == "IP":
        unique = client
    elif isinstance(rate.unique_params, tuple):
        unique = "\x1f".join(session.get(name, "") for name in rate.unique_params)
    else:
        return role
    key = _keys.get((role, unique))
    if key is None:
        if len(_keys) >= _KEYS_REMEMBERED:
            _keys.clear()
        key = _keys[(role, unique)] = f"{role}:{hashlib.blake2s(unique.encode(), digest_size=12).hexdigest()}"
    return key


def client_host(scope: Scope) -> str:
    """The address a request came from, as the rate limit counts it (``unknown`` without one)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def _refusal(error: EngineError, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    count_error(error.code)
    return Response(orjson.dumps(error_response([error])), status, headers, media_type=JSON)


class _Deferred(enum.Enum):
    """``admit_now``'s answer when the decision needs a wait (a shared limiter's round trip)."""

    WAIT = enum.auto()


#: ``admit_now`` could not decide without waiting: ``admit`` decides.
WAIT = _Deferred.WAIT


def admit_now(
    gql: GraphQLEngine, client: str, role: str, session: Mapping[str, str], payload: Any
) -> Response | _Deferred | None:
    """``admit``'s decision when nothing has to be waited for (no rate limit, or one counted in memory),
    without making a coroutine; ``WAIT`` when the limiter is shared (Redis) and ``admit`` must be awaited."""
    limits = gql.api_limits
    operations = 1
    if isinstance(payload, list):
        operations = len(payload)
        refused = batch_refusal(limits, role, operations)
        if refused is not None:
            return _refusal(refused)
    rate = limits.rate_limit(role)
    if rate is None:
        return None
    limiter = gql.rate_limiter
    if not isinstance(limiter, InProcessRateLimiter):
        return WAIT
    decision = limiter.hit_now(rate_key(role, rate, client, session), rate.max_reqs_per_min, operations)
    return _decided(decision, rate)


async def admit(
    gql: GraphQLEngine, client: str, role: str, session: Mapping[str, str], payload: Any
) -> Response | None:
    """The refusal of a parsed request body (one operation or a batch) over its role's limits, else None;
    ``client``: the request's address (``client_host``)."""
    now = admit_now(gql, client, role, session, payload)
    if now is not WAIT:
        return now
    rate = gql.api_limits.rate_limit(role)
    assert rate is not None
    operations = len(payload) if isinstance(payload, list) else 1
    try:
        key = rate_key(role, rate, client, session)
        decision = await gql.rate_limiter.hit(key, rate.max_reqs_per_min, operations)
    except RateLimiterUnavailable as exc:
        return _refusal(exc, 503, {"Retry-After": "1"})
    return _decided(decision, rate)


def _decided(decision: Decision, rate: RateLimit) -> Response | None:
    if decision.allowed:
        return None
    exceeded = RateLimitExceeded(rate.max_reqs_per_min, decision.retry_after)
    return _refusal(exceeded, 429, {"Retry-After": str(decision.retry_after)})


__all__ = ["WAIT", "admit", "admit_now", "client_host", "rate_key"]
