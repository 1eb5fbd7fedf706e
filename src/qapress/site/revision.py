"""The store's revision counters (migration ``0003_site``), read with one cheap statement per request.

Triggers bump ``content`` on any change a page could show and ``domain`` on any change to the sites
themselves. A page rendered at content revision R is current as long as the counter still reads R.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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
