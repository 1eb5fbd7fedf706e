"""What ``/v1/graphql`` checks about a request before it plans anything: the batch limit and the rate limit of
the caller's role (:mod:`qapress.engine.limits`, :mod:`qapress.engine.ratelimit`).

A batch of ``n`` operations counts ``n`` against the rate, so batching does not multiply a client's rate. A
client over its rate gets HTTP 429 with ``Retry-After`` and Hasura's ``rate-limit-exceeded`` error; a batch
over its size, Hasura's ``validation-failed`` (HTTP 200, as Hasura answers validation errors).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from qapress.engine.errors import EngineError, error_response
from qapress.engine.limits import RateLimit, batch_refusal
from qapress.engine.ratelimit import RateLimiterUnavailable, RateLimitExceeded
from qapress.observe.metrics import count_error

if TYPE_CHECKING:
    from qapress.engine.engine import GraphQLEngine

JSON = "application/json; charset=utf-8"


def rate_key(role: str, rate: RateLimit, client: str, session: Mapping[str, str]) -> str:
    """The counter a request goes to: its role, and its client address or session variables, hashed (no
    address is stored as it is)."""
    if rate.unique_params == "IP":
        unique = client
    elif isinstance(rate.unique_params, tuple):
        unique = "\x1f".join(session.get(name, "") for name in rate.unique_params)
    else:
        return role
    return f"{role}:{hashlib.blake2s(unique.encode(), digest_size=12).hexdigest()}"


def _refusal(error: EngineError, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    count_error(error.code)
    return Response(orjson.dumps(error_response([error])), status, headers, media_type=JSON)


async def admit(
    gql: GraphQLEngine, request: Request, role: str, session: Mapping[str, str], payload: Any
) -> Response | None:
    """The refusal of a parsed request body (one operation or a batch) over its role's limits, else None."""
    limits = gql.api_limits
    operations = len(payload) if isinstance(payload, list) else 1
    if isinstance(payload, list):
        refused = batch_refusal(limits, role, operations)
        if refused is not None:
            return _refusal(refused)
    rate = limits.rate_limit(role)
    if rate is None:
        return None
    client = request.client.host if request.client else "unknown"
    try:
        decision = await gql.rate_limiter.hit(
            rate_key(role, rate, client, session), rate.max_reqs_per_min, operations
        )
    except RateLimiterUnavailable as exc:
        return _refusal(exc, 503, {"Retry-After": "1"})
    if decision.allowed:
        return None
    exceeded = RateLimitExceeded(rate.max_reqs_per_min, decision.retry_after)
    return _refusal(exceeded, 429, {"Retry-After": str(decision.retry_after)})


__all__ = ["admit", "rate_key"]
