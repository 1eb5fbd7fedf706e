"""The store's revision counters (migration ``0004``), read with one cheap statement per request.

Triggers bump ``content`` on any change a page could show and ``domain`` on any change to the sites
themselves. A page rendered at content revision R is current as long as the counter still reads R.
``RevisionReader`` reads both counters as one text value over the GraphQL engine's per-thread raw
connections (autocommit, no pool checkout, no BEGIN): one statement, a few microseconds on a cache hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.connections import ThreadConnections

site_revision = sa.Table(
    "site_revision",
    sa.MetaData(),
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)

_READ = sa.select(site_revision.c.name, site_revision.c.revision)


@dataclass(frozen=True)
class Revisions:
    content: int
    domain: int


def read_revisions(engine: Engine) -> Revisions:
    """Both counters in one statement (0 when a counter row is missing, e.g. after a truncate)."""
    with engine.connect() as connection:
        values = {str(name): int(revision) for name, revision in connection.execute(_READ)}
    return Revisions(content=int(values.get("content", 0)), domain=int(values.get("domain", 0)))


#: Both counters as one text value, ``"<content> <domain>"``, in SQL both databases speak.
REVISIONS_SQL = (
    "SELECT CAST(c.revision AS TEXT) || ' ' || CAST(d.revision AS TEXT) "
    "FROM site_revision c, site_revision d WHERE c.name = 'content' AND d.name = 'domain'"
)


class RevisionReader:
    """Reads the counters once per request over per-thread connections kept open between requests.

    The app passes the GraphQL engine's own ``ThreadConnections``, so the check adds no database
    connections: each threadpool thread uses one connection for the revision and the page query.
    """

    def __init__(self, connections: ThreadConnections) -> None:
        self.connections = connections
        # The last value read and what it parsed to: between changes every request reads the same text.
        self._last: tuple[str, Revisions] = ("", Revisions(0, 0))

    @classmethod
    def for_engine(cls, engine: Engine, timeout_ms: int = 5_000) -> RevisionReader:
        """A reader with connections of its own (tools and tests)."""
        return cls(ThreadConnections(engine, timeout_ms))

    def read(self) -> Revisions:
        text = self.connections.fetch_text(REVISIONS_SQL, ())
        if not text:
            return Revisions(0, 0)
        last_text, last = self._last
        if text == last_text:
            return last
        content, _, domain = text.partition(" ")
        revisions = Revisions(int(content), int(domain))
        self._last = (text, revisions)
        return revisions
