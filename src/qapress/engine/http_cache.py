"""Shared-cache headers for ``GET /v1/graphql``: what a CDN may store, and the 304 of a matching ETag.

Only an anonymous caller's answer to a query is public: the same for every anonymous reader, as long as its
plan reads no session variable (the reader's hashed address, say). Everything else (a signed-in or admin
caller, a plan that reads the session, an error) is ``private, no-store``; a mutation never gets this far
(GET refuses it). The answer varies with ``Accept`` (GraphiQL, the media type, the status codes).

Cache tags come from a hook (``CacheTags``): given the plan (whose ``reads`` say what the answer read,
:mod:`.reads`), the request's variables and the answer's bytes, the tags a purge by tag would name, sent as
``Surrogate-Key`` (space-separated: Varnish's xkey, Fastly) and ``Cache-Tag`` (comma-separated:
Cloudflare), as pages send theirs. The hook answers None when it cannot name tags that cover the answer:
then none are sent, and a cache keeps the answer ``max_age`` only. The site's hook is
``qapress.site.graphql_tags``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qapress.engine.plan import SESSION, SESSION_ALL, Plan

#: The tags of a plan's answer (the plan, the request's variables, the answer's bytes), for a purge by tag;
#: None: no tags name all it depends on.
CacheTags = Callable[[Plan, Mapping[str, Any], bytes], Sequence[str] | None]
#: The headers that carry the tags: Varnish (xkey) and Fastly read the first, Cloudflare the second.
TAG_HEADERS = ("Surrogate-Key", "Cache-Tag")

PRIVATE = "private, no-store"


def etag(body: bytes) -> str:
    """A validator of the answer's bytes; weak, since the gzip middleware may change the bytes sent."""
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (or is ``*``); weak comparison, as RFC 9110 asks."""
    bare = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def reads_session(plan: Plan) -> bool:
    """Whether the plan's answer depends on who asks beyond their role (a session variable is bound)."""
    return any(param.source in (SESSION, SESSION_ALL) for param in plan.params)


@dataclass(frozen=True)
class CachePolicy:
    """``Cache-Control: public, max-age`` for public answers; ``tags`` is the hook for cache tags."""

    max_age: int = 60
    tags: CacheTags | None = None

    def headers(
        self, body: bytes, plan: Plan | None, public: bool, variables: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """The caching headers of a GET answer; ``public`` says the caller is anonymous; ``variables`` are
        the request's (the values of the keys it asked for)."""
        if not public or self.max_age <= 0 or not body.startswith(b'{"data"'):
            return {"Cache-Control": PRIVATE, "Vary": "Accept"}
        if plan is not None and reads_session(plan):
            return {"Cache-Control": PRIVATE, "Vary": "Accept"}
        headers = {
            "Cache-Control": f"public, max-age={self.max_age}",
            "ETag": etag(body),
            "Vary": "Accept",
        }
        if self.tags is not None and plan is not None:
            tags = self.tags(plan, variables or {}, body)
            if tags:
                headers[TAG_HEADERS[0]] = " ".join(tags)
                headers[TAG_HEADERS[1]] = ",".join(tags)
        return headers
