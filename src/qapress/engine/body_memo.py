"""A memo of repeated ``/v1/graphql`` request bodies: the plan-cache hit a body made, for the same caller.

Clients send the same few bodies again and again (a page's query with the same variables, a load test's one
body). For such a body the fast path would parse the JSON, check the request object, look the plan up and
check its variables each time, always to the same ``Prepared``. The memo keeps that result, keyed by the
caller's role, its session variables and the exact body bytes, so that a repeat costs one dict lookup:

- another role, or the same role with other session variables, is another key: one caller's entry can never
  answer another;
- a body that differs in one byte (other variables, another operation name) is another key;
- an entry holds the plan cache's epoch from before its lookup, and is used only while
  :meth:`GraphQLEngine.still_current` says nothing changed since (metadata, schema, permissions, table
  sizes), so a metadata change can never serve a stale plan;
- bodies over ``MAX_BODY_BYTES`` are not kept, and at most ``ENTRIES`` entries are (least recently used
  out first): at most 4 MB of bodies.

What the memo does not hold is decided per request still: the caller (from the headers), the rate limit, the
cost budget, the media type, the read-replica routing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from qapress.engine.engine import Prepared

ENTRIES = 512
MAX_BODY_BYTES = 8192

#: (role, session variables as sorted JSON, body bytes).
Key = tuple[str, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Memoized:
    """A body's plan-cache hit: ready to run, its operation name, and the plan cache's epoch it was found in."""

    prepared: Prepared
    operation: str | None
    epoch: int


def memo_key(role: str, session: Mapping[str, str], body: bytes) -> Key | None:
    """The key of a caller's body; None when it is not to be memoized (too large, session values that are
    no JSON strings)."""
    if len(body) > MAX_BODY_BYTES:
        return None
    try:
        identity = orjson.dumps(session, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return (role, identity, body)


class BodyMemo:
    """An LRU of (caller, body) -> :class:`Memoized`, for one event loop (not thread-safe)."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = max(1, entries)
        self._memo: OrderedDict[Key, Memoized] = OrderedDict()
        #: Lookups that found an entry (current or not): what the tests and a profile read.
        self.found = 0

    def get(self, key: Key) -> Memoized | None:
        """The entry of ``key``, whether or not still current (the caller asks the engine)."""
        found = self._memo.get(key)
        if found is not None:
            self.found += 1
            self._memo.move_to_end(key)
        return found

    def put(self, key: Key, memoized: Memoized) -> None:
        memo = self._memo
        memo[key] = memoized
        memo.move_to_end(key)
        while len(memo) > self.entries:
            memo.popitem(last=False)

    def discard(self, key: Key) -> None:
        self._memo.pop(key, None)

    def __len__(self) -> int:
        return len(self._memo)
