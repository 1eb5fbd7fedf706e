"""Apollo's automatic persisted queries and the trusted-documents rule, applied to one request object.

A request ``{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": H}}}`` without a query runs the
document registered under ``H``, or is answered ``PersistedQueryNotFound`` (Apollo's client then sends the
query with the hash, which registers it once its hash is checked). With trusted documents only, a bound role
runs nothing but trusted documents, by hash or by text, and registers nothing.

Everything here works on :class:`~qapress.engine.documents.DocumentStore`'s memory first; when the answer
needs the database, :func:`resolve` says so (``NEEDS_DATABASE``) and the caller asks again off the event loop
with ``may_block=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from qapress.engine.documents import DocumentStore, document_hash
from qapress.observe.metrics import count_error

NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"


@dataclass(frozen=True)
class Refusal:
    """An error answer with its status for ``application/json`` (Hasura's) and for
    ``application/graphql-response+json`` (the spec's)."""

    body: bytes
    json_status: int
    graphql_status: int

    def status(self, graphql_response: bool) -> int:
        return self.graphql_status if graphql_response else self.json_status


def refusal(message: str, code: str, json_status: int, graphql_status: int, path: str = "$") -> Refusal:
    count_error(code)
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"path": path, "code": code}}]})
    return Refusal(body, json_status, graphql_status)


class NeedsDatabase:
    pass


#: ``resolve`` could not decide from memory: call it again in the threadpool with ``may_block=True``.
NEEDS_DATABASE: Final = NeedsDatabase()


def not_trusted() -> Refusal:
    # Hasura's allowlist answers "query is not allowed" (validation-failed); the spec's status is 403.
    return refusal(
        "query is not allowed: this role runs only trusted documents (`qapress documents add`)",
        "validation-failed",
        200,
        403,
    )


def resolve(
    item: dict[str, Any],
    documents: DocumentStore,
    *,
    trusted_only: bool,
    may_block: bool,
) -> dict[str, Any] | Refusal | NeedsDatabase:
    """The request object with its ``query`` filled in from the persisted query it names, or a refusal.
    ``trusted_only``: the caller's role runs only trusted documents. Call only when ``documents`` is set."""
    extensions = item.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        query = item.get("query")
        if trusted_only and isinstance(query, str):
            return _trusted(item, query, documents, may_block)
        return item
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        return refusal("Unsupported persisted query version", "bad-request", 400, 400, "$.extensions")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or len(sha) != 64:
        return refusal("persistedQuery.sha256Hash must be a SHA-256 in hex", "bad-request", 400, 400)
    sha = sha.lower()
    query = item.get("query")
    if isinstance(query, str):
        if document_hash(query) != sha:
            return refusal("provided sha does not match query", "bad-request", 400, 400, "$.query")
        if trusted_only:
            return _trusted(item, query, documents, may_block)
        if documents.cached(sha) is None:
            if not may_block:
                return NEEDS_DATABASE
            documents.persist(sha, query)
        return item
    if query is not None:
        return item  # not a string: the request's own check says so
    known = documents.cached(sha)
    if known is None:
        if not may_block:
            return NEEDS_DATABASE
        known = documents.lookup(sha)
    if known is None:
        # Apollo's clients resend the query with its hash on this exact message or code; 404, not 400,
        # under the spec's media type, since a 400 turns their persisted queries off.
        return refusal(NOT_FOUND_MESSAGE, NOT_FOUND_CODE, 200, 404)
    resolved = {**item, "query": known}
    if trusted_only:
        return _trusted(resolved, known, documents, may_block)
    return resolved


def _trusted(
    item: dict[str, Any], query: str, documents: DocumentStore, may_block: bool
) -> dict[str, Any] | Refusal | NeedsDatabase:
    if documents.stale:
        if not may_block:
            return NEEDS_DATABASE
        documents.refresh()
    return item if documents.is_trusted(query) else not_trusted()
