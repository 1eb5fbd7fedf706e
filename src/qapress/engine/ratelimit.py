"""Requests a minute per key (a role with the client's address or session variables), counted in a sliding
window as Hasura's rate limits are: in this process by default, or in Redis when several hosts share it.

The window is the usual two-counter approximation: the count of the current minute plus the previous minute's
count weighted by how much of it still lies within the last 60 s. A request of ``n`` operations is admitted
when that estimate plus ``n`` stays within the limit, and only then counted; in Redis the check and the count
are one Lua script, so hosts racing on one key never admit more than the limit between them.

If Redis cannot be reached the limiter fails open (admits, and logs it once until Redis answers again) or,
with ``fail_closed``, refuses with :class:`RateLimiterUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from qapress.engine.errors import EngineError

if TYPE_CHECKING:
    from qapress.settings import Settings

log = logging.getLogger(__name__)

WINDOW_S = 60
#: After Redis failed, it is tried again only after this long (a black-holed host would cost every request
#: its connect timeout otherwise).
RETRY_REDIS_AFTER_S = 1.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Whole seconds until a request of the same size would be admitted (0 when admitted).
    retry_after: int = 0


ADMITTED = Decision(True)


class RateLimitExceeded(EngineError):
    """Hasura's answer to a client over its rate limit (HTTP 429 with ``Retry-After``)."""

    code = "rate-limit-exceeded"

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"rate limit of {limit} exceeded")
        self.retry_after = retry_after


class RateLimiterUnavailable(EngineError):
    """The shared counter (Redis) cannot be reached and the limiter fails closed (HTTP 503)."""

    code = "unexpected"

    def __init__(self) -> None:
        super().__init__(
            "the rate limiter is unavailable (QAPRESS_RATE_LIMIT_FAIL_CLOSED); try again shortly"
        )


def decide(
    previous: int, current: int, elapsed: float, limit: int, n: int, window: float = WINDOW_S
) -> Decision:
    """Whether ``n`` more operations fit, ``elapsed`` seconds into the current window; pure."""
    weight = 1.0 - elapsed / window
    if previous * weight + current + n <= limit:
        return ADMITTED
    if n > limit:
        return Decision(False, int(window))
    room = limit - current - n
    if room >= 0 and previous > 0:
        # Within this window, once enough of the previous one has slid out.
        wait = window * (1.0 - room / previous) - elapsed
    else:
        # In the next window, where this one's count is the one that slides out.
        wait = (window - elapsed) + (window * (1.0 - (limit - n) / current) if current else 0.0)
    return Decision(False, max(1, math.ceil(wait)))


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, n: int = 1) -> Decision: ...


class InProcessRateLimiter:
    """Counters in this process's memory: exact for one process, per process when there are several."""

    def __init__(self, clock: Callable[[], float] = time.time, max_keys: int = 100_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._counts: dict[str, list[int]] = {}  # key -> [window index, previous, current]
        self._lock = threading.Lock()

    async def hit(self, key: str, limit: int, n: int = 1) -> Decision:
        return self.hit_now(key, limit, n)

    def hit_now(self, key: str, limit: int, n: int = 1) -> Decision:
        """``hit`` without awaiting: the counters are in memory (``admit`` calls this one directly)."""
        now = self.clock()
        index = int(now // WINDOW_S)
        elapsed = now - index * WINDOW_S
        with self._lock:
            entry = self._counts.get(key)
            if entry is None:
                if len(self._counts) >= self.max_keys:
                    self._forget(index)
                entry = self._counts[key] = [index, 0, 0]
            elif entry[0] != index:
                entry[1] = entry[2] if entry[0] == index - 1 else 0
                entry[0], entry[2] = index, 0
            previous, current = entry[1], entry[2]
            # ``decide``'s first test, inline: the request admitted (nearly always) costs no call.
            if previous * (1.0 - elapsed / WINDOW_S) + current + n <= limit:
                entry[2] = current + n
                return ADMITTED
            decision = decide(previous, current, elapsed, limit, n)
            if decision.allowed:
                entry[2] += n
        return decision

    def _forget(self, index: int) -> None:
        """Drop the keys not seen in the last two windows (they count nothing any more)."""
        self._counts = {k: v for k, v in self._counts.items() if v[0] >= index - 1}
        if len(self._counts) >= self.max_keys:  # a flood of new keys: start over rather than grow
            self._counts.clear()


#: KEYS: the current and the previous window's counters. ARGV: elapsed seconds, window, limit, n.
#: Answers {admitted, previous, current}.
HIT_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local weight = 1 - tonumber(ARGV[1]) / tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
if previous * weight + current + n > limit then
  return {0, previous, current}
end
current = redis.call('INCRBY', KEYS[1], n)
redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return {1, previous, current}
"""


class RedisRateLimiter:
    """Counters in Redis, shared by every process and host that uses the same URL and prefix."""

    def __init__(
        self,
        url: str,
        prefix: str = "qapress:rate:",
        fail_closed: bool = False,
        timeout_s: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.fail_closed = fail_closed
        self.timeout_s = timeout_s
        self.clock = clock
        self._client: Any = None
        self._script: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._down_since: float | None = None
        self._retry_at = 0.0

    def _connected(self) -> Any:
        """The client of the running event loop (a redis.asyncio connection belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(
                self.url, socket_timeout=self.timeout_s, socket_connect_timeout=self.timeout_s
            )
            self._script = self._client.register_script(HIT_SCRIPT)
            self._loop = loop
        return self._script

    async def hit(self, key: str, limit: int, n: int = 1) -> Decision:
        import redis.exceptions

        now = self.clock()
        if self._down_since is not None and time.monotonic() < self._retry_at:
            return self._unavailable()
        index = int(now // WINDOW_S)
        keys = [f"{self.prefix}{key}:{index}", f"{self.prefix}{key}:{index - 1}"]
        elapsed = now - index * WINDOW_S
        try:
            admitted, previous, current = await self._connected()(
                keys=keys, args=[repr(elapsed), WINDOW_S, limit, n]
            )
        except (redis.exceptions.RedisError, OSError) as exc:
            if self._down_since is None:
                log.warning(
                    "the rate limiter cannot reach Redis at %s (%s); %s until it answers",
                    _without_password(self.url),
                    type(exc).__name__,
                    "refusing requests" if self.fail_closed else "admitting requests unlimited",
                )
                self._down_since = now
            self._retry_at = time.monotonic() + RETRY_REDIS_AFTER_S
            return self._unavailable()
        if self._down_since is not None:
            log.warning("the rate limiter reaches Redis again")
            self._down_since = None
        if admitted:
            return ADMITTED
        return decide(int(previous), int(current), elapsed, limit, n)

    def _unavailable(self) -> Decision:
        if self.fail_closed:
            raise RateLimiterUnavailable()
        return ADMITTED


def rate_limiter_from_settings(settings: Settings) -> RateLimiter:
    """Redis when ``QAPRESS_REDIS_URL`` is set (several processes or hosts share the counts), else in process."""
    if settings.redis_url:
        return RedisRateLimiter(
            settings.redis_url, settings.rate_limit_redis_prefix, settings.rate_limit_fail_closed
        )
    return InProcessRateLimiter()


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return scheme + sep + rest


__all__ = [
    "Decision",
    "InProcessRateLimiter",
    "RateLimitExceeded",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RedisRateLimiter",
    "decide",
    "rate_limiter_from_settings",
]
