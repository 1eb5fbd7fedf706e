"""GraphQL documents known by their SHA-256, in the database so that every worker and host shares them.

Two kinds live in ``graphql_document``: Apollo's automatic persisted queries, which any client registers by
sending a query with its hash and which are kept to ``max_persisted`` (the oldest go first), and trusted
documents, registered ahead of time (``qapress documents add``, the site's own page queries) and kept until
removed. With trusted documents only, the anonymous role runs nothing else.

Lookups are answered from memory when they can; the memory is a bounded copy that is re-read from the
database when older than ``refresh_seconds``, so a document removed on one host stops counting on the others.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.dialects import dialect_for
from qapress.engine.driver_errors import DATABASE_ERRORS
from qapress.store.schema import graphql_document

log = logging.getLogger(__name__)

#: Longest query kept as a persisted query (with the count bound, at most 200 MB at the defaults); a longer
#: one still runs, it is just not remembered.
MAX_DOCUMENT_CHARS = 20_000
#: Documents held in each process's memory (a bound against clients that send many distinct hashes).
MEMORY_SIZE = 4096


def document_hash(query: str) -> str:
    """The SHA-256 of a query's UTF-8 text, in lowercase hex: Apollo's ``sha256Hash``."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One registered document, as ``qapress documents list`` shows it."""

    sha256: str
    query: str
    trusted: bool
    source: str | None


class DocumentStore:
    """Persisted queries and trusted documents of one store (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, max_persisted: int = 10_000, refresh_seconds: float = 5.0) -> None:
        self.engine = engine
        self.max_persisted = max(0, max_persisted)
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._queries: dict[str, str] = {}
        #: The trusted documents' texts, for the check of a request that sends its whole query.
        self._trusted_texts: frozenset[str] = frozenset()
        self._trusted_hashes: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    # --- the request path -------------------------------------------------------------------------
    @property
    def stale(self) -> bool:
        """Whether the memory copy is older than ``refresh_seconds`` (``refresh`` it, off the event loop)."""
        return time.monotonic() - self._read_at > self.refresh_seconds

    def cached(self, sha256: str) -> str | None:
        """The query of a hash from memory only (no database), else None."""
        return self._queries.get(sha256)

    def lookup(self, sha256: str) -> str | None:
        """The query registered under a hash (memory, then the database), else None."""
        query = self._queries.get(sha256)
        if query is not None:
            return query
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(graphql_document.c.query).where(graphql_document.c.sha256 == sha256)
            ).scalar()
        if found is not None:
            self._remember(sha256, found)
        return found

    def is_trusted(self, query: str) -> bool:
        """Whether the query text is a trusted document, as of the last ``refresh``."""
        return query in self._trusted_texts

    def is_trusted_hash(self, sha256: str) -> bool:
        return sha256 in self._trusted_hashes

    def refresh(self) -> None:
        """Re-read the trusted documents and forget the persisted ones held in memory."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(graphql_document.c.sha256, graphql_document.c.query).where(
                    graphql_document.c.trusted
                )
            ).all()
        with self._lock:
            self._queries = {sha: query for sha, query in rows}
            self._trusted_texts = frozenset(query for _sha, query in rows)
            self._trusted_hashes = frozenset(sha for sha, _query in rows)
            self._read_at = time.monotonic()

    def persist(self, sha256: str, query: str) -> None:
        """Register an automatic persisted query (its hash already checked), then drop the oldest beyond the
        bound. A failure to store it is logged, not raised: the request it came with still runs."""
        if self.max_persisted == 0 or len(query) > MAX_DOCUMENT_CHARS:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(self._insert_ignoring_known([{"sha256": sha256, "query": query}]))
                self._prune(connection)
        except DATABASE_ERRORS:
            log.warning("could not store the persisted query %s", sha256, exc_info=True)
            return
        self._remember(sha256, query)

    # --- the command line and the site's start ----------------------------------------------------
    def add_trusted(self, documents: Iterable[tuple[str, str | None]]) -> list[str]:
        """Register ``(query, source)`` pairs as trusted (a known persisted query becomes trusted); returns
        their hashes in order."""
        rows = [{"sha256": document_hash(q), "query": q, "trusted": True, "source": s} for q, s in documents]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(self._insert_ignoring_known(rows))
                connection.execute(
                    graphql_document.update()
                    .where(graphql_document.c.sha256.in_([r["sha256"] for r in rows]))
                    .where(sa.not_(graphql_document.c.trusted))
                    .values(trusted=True)
                )
        self.refresh()
        return [str(r["sha256"]) for r in rows]

    def remove(self, sha256: str) -> bool:
        """Forget a document of either kind; whether there was one."""
        with self.engine.begin() as connection:
            removed = connection.execute(
                graphql_document.delete().where(graphql_document.c.sha256 == sha256)
            ).rowcount
        self.refresh()
        return bool(removed)

    def documents(self, trusted_only: bool = False) -> list[Document]:
        """The registered documents, trusted first, oldest first."""
        query = sa.select(
            graphql_document.c.sha256,
            graphql_document.c.query,
            graphql_document.c.trusted,
            graphql_document.c.source,
        ).order_by(graphql_document.c.trusted.desc(), graphql_document.c.id)
        if trusted_only:
            query = query.where(graphql_document.c.trusted)
        with self.engine.connect() as connection:
            return [Document(*row) for row in connection.execute(query).all()]

    # --- internals --------------------------------------------------------------------------------
    def _remember(self, sha256: str, query: str) -> None:
        with self._lock:
            if len(self._queries) >= MEMORY_SIZE:
                # Trusted documents stay; the persisted ones are read again from the database when asked.
                self._queries = {s: q for s, q in self._queries.items() if s in self._trusted_hashes}
            self._queries[sha256] = query

    def _insert_ignoring_known(self, rows: Sequence[Mapping[str, Any]]) -> sa.Insert:
        """An INSERT that leaves a hash already registered (by another worker, a moment ago) as it is."""
        insert = dialect_for(self.engine.dialect.name).insert(graphql_document)
        ignoring: sa.Insert = insert.values(rows).on_conflict_do_nothing(index_elements=["sha256"])
        return ignoring

    def _prune(self, connection: sa.Connection) -> None:
        persisted = sa.not_(graphql_document.c.trusted)
        count = connection.execute(sa.select(sa.func.count()).where(persisted)).scalar_one()
        excess = count - self.max_persisted
        if excess > 0:
            oldest = (
                sa.select(graphql_document.c.id)
                .where(persisted)
                .order_by(graphql_document.c.id)
                .limit(excess)
            )
            connection.execute(graphql_document.delete().where(graphql_document.c.id.in_(oldest)))
